/** Fake @pulumi/random results: deterministic strings of the requested length. */
import { CloudMocks, OutputsFn } from "./types";

const fakeString: OutputsFn = args => {
    const length = Number(args.inputs.length ?? 16);
    const result = `fake${args.name.replace(/[^A-Za-z0-9]/g, "")}`.padEnd(length, "x").slice(0, length);
    return { result };
};

export const randomMocks: CloudMocks = {
    outputs: {
        "random:index/randomPassword:RandomPassword": args => ({ ...fakeString(args), bcryptHash: "$2a$10$fake" }),
        "random:index/randomString:RandomString": fakeString,
        "random:index/randomId:RandomId": args => ({ hex: "0a1b2c3d", b64Url: "ChssPQ", dec: "169552957", id: `${args.name}-id` }),
        "random:index/randomPet:RandomPet": () => ({ id: "fake-pet" }),
    },
    calls: {},
};
