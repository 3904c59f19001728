import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { expect } from "chai";
import * as jspb from "google-protobuf";
import { Struct, Value } from "google-protobuf/google/protobuf/struct_pb";
import { fromWire } from "../offline/engine";
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

    it("keeps a Struct's JavaScript, and still builds its protobuf fields when something reads them", () => {
        // Loading the engine (the harness does) makes every Struct built from JavaScript keep it.
        const js = { name: "db", port: 5432, tls: true, tags: { Environment: "production" }, zones: ["a", "b"], none: null };
        const struct = Struct.fromJavaScript(js);
        expect(struct.toJavaScript()).to.equal(js);
        expect(struct.getFieldsMap().get("port")?.getNumberValue()).to.equal(5432);
        const wire = Struct.deserializeBinary(Struct.fromJavaScript(js).serializeBinary());
        expect(wire.toJavaScript()).to.deep.equal(js);
        expect(wire.getFieldsMap().get("tags")?.getStructValue()?.toJavaScript()).to.deep.equal({ Environment: "production" });
    });

    it("is an ordinary Struct once something reads it through its methods: clones, lists and edits as one", () => {
        const a = Struct.fromJavaScript({ a: 1, list: [1, "x", null] });
        expect(a.cloneMessage().toJavaScript()).to.deep.equal({ a: 1, list: [1, "x", null] });
        expect(Struct.fromJavaScript({ a: 1 }).clone().toJavaScript()).to.deep.equal({ a: 1 });
        const listed = Struct.fromJavaScript({ a: 1 });
        expect(listed.toArray()).to.not.deep.equal(new Struct().toArray());
        expect(jspb.Message.equals(listed, Struct.fromJavaScript({ a: 2 }).cloneMessage())).to.equal(false);
        expect(jspb.Message.equals(listed, Struct.fromJavaScript({ a: 1 }).cloneMessage())).to.equal(true);
        const edited = Struct.fromJavaScript({ a: 1 });
        edited.getFieldsMap().set("b", Value.fromJavaScript("two"));
        expect(edited.toJavaScript()).to.deep.equal({ a: 1, b: "two" });
    });

    it("keeps an output secret when the input of the same name was secret", async () => {
        const ev = await run(() => {
            const provider = new aws.Provider("p", { region: "ap-south-1" });
            const role = new aws.iam.Role("r", { name: pulumi.secret("payroll-exporter"), assumeRolePolicy: "{}" }, { provider });
            return { roleName: role.name };
        });
        const role = one(ev.resources, "aws:iam/role:Role", "r");
        expect(isSecret(fromWire(role.rawState.name))).to.equal(true);
        expect(isSecret(ev.outputs.roleName)).to.equal(true);
        expect(JSON.stringify(ev.outputs)).to.not.contain("payroll-exporter");
    });

    it("answers registrations with the inputs as state plus the type's computed outputs", async () => {
        const ev = await run(() => {
            const provider = new aws.Provider("p", { region: "ap-south-1" });
            const vpc = new aws.ec2.Vpc("v", { cidrBlock: "10.0.0.0/16", tags: { Environment: "production" } }, { provider });
            return { id: vpc.id, arn: vpc.arn, cidr: vpc.cidrBlock, sg: vpc.defaultSecurityGroupId };
        });
        const vpc = one(ev.resources, "aws:ec2/vpc:Vpc", "v");
        expect(vpc.rawState).to.include({ cidrBlock: "10.0.0.0/16", arn: "arn:aws:ec2:ap-south-1:123456789012:v" });
        expect(vpc.rawState.tags).to.deep.equal({ Environment: "production" });
        expect(ev.outputs).to.deep.include({ cidr: "10.0.0.0/16", arn: "arn:aws:ec2:ap-south-1:123456789012:v" });
        expect(ev.outputs.id).to.match(/^vpc-[0-9a-f]{17}$/);
        expect(ev.outputs.sg).to.match(/^sg-[0-9a-f]{17}$/);
    });
});
