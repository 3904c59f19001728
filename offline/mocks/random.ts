/** Fake @pulumi/random results: deterministic strings of the requested length. */
import { CloudMocks, OutputsFn } from "./types";

/** Generated passwords start with this, so tests can prove no plan output carries one. */
export const fakePasswordPrefix = "Pw0fake";

const fakeString = (prefix: string): OutputsFn => args => {
    const length = Math.max(Number(args.inputs.length ?? 16), prefix.length);
    const result = `${prefix}${args.name.replace(/[^A-Za-z0-9]/g, "")}`.padEnd(length, "x").slice(0, length);
    return { result };
};

export const randomMocks: CloudMocks = {
    outputs: {
        "random:index/randomPassword:RandomPassword": args => ({ ...fakeString(fakePasswordPrefix)(args), bcryptHash: "$2a$10$hash" }),
        "random:index/randomString:RandomString": fakeString("rnd"),
        "random:index/randomId:RandomId": args => ({ hex: "0a1b2c3d", b64Url: "ChssPQ", dec: "169552957", id: `${args.name}-id` }),
        "random:index/randomPet:RandomPet": () => ({ id: "fake-pet" }),
    },
    calls: {},
};
