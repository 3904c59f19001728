import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { expect } from "chai";
import { isSecret, one, run } from "./harness";

class Box extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:test:Box", name, {}, opts);
        const provider = new aws.Provider(`${name}-aws`, { region: "ap-south-1" }, { parent: this });
        const password = new random.RandomPassword(`${name}-pw`, { length: 24 }, { parent: this });
        new aws.ssm.Parameter(`${name}-param`, { type: "SecureString", value: password.result }, { parent: this, provider, protect: true, dependsOn: [password] });
        this.registerOutputs({});
    }
}

describe("offline engine", () => {
    it("records type, name, parent, provider, protect, dependsOn and secret inputs", async () => {
        const ev = await run(() => {
            new Box("box");
            return { answer: pulumi.secret("42"), plain: "x" };
        });
        const box = one(ev.resources, "bookkeep:test:Box", "box");
        const provider = one(ev.resources, "pulumi:providers:aws", "box-aws");
        const pw = one(ev.resources, "random:index/randomPassword:RandomPassword", "box-pw");
        const param = one(ev.resources, "aws:ssm/parameter:Parameter", "box-param");
        expect(provider.inputs.region).to.equal("ap-south-1");
        expect(param.parent).to.equal(box.urn);
        expect(param.provider).to.equal(provider.urn);
        expect(param.protect).to.equal(true);
        expect(pw.protect).to.equal(false);
        expect(param.dependsOn).to.include(pw.urn);
        expect(isSecret(param.inputs.value)).to.equal(true);
        expect(JSON.stringify(param.inputs)).to.contain('"value":"[secret]"');
        expect(isSecret(ev.outputs.answer)).to.equal(true);
        expect(ev.outputs.plain).to.equal("x");
    });

    it("rejects with the program's error", async () => {
        let message = "";
        try {
            await run(() => { throw new Error("boom"); });
        } catch (err) {
            message = (err as Error).message;
        }
        expect(message).to.contain("boom");
    });
});
