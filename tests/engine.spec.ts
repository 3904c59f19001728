import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { expect } from "chai";
import * as jspb from "google-protobuf";
import { Struct, Value } from "google-protobuf/google/protobuf/struct_pb";
import { fromWire } from "../offline/engine";
import { requestGetters } from "../offline/sdk";
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

    it("fails an invoke without an offline fake, naming the function", async () => {
        let message = "";
        try {
            await run(() => {
                const provider = new aws.Provider("p", { region: "ap-south-1" });
                return { id: aws.ec2.getAmiOutput({ owners: ["amazon"], mostRecent: true }, { provider }).id };
            });
        } catch (err) {
            message = (err as Error).message;
        }
        expect(message).to.equal("offline engine: no fake for invoke aws:ec2/getAmi:getAmi; add one to offline/mocks/");
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

/**
 * What offline/sdk.ts takes from @pulumi/pulumi beyond its documented API. If an SDK upgrade
 * changes any of it, this fails here, naming the piece, before any plan drifts.
 */
describe("SDK adapter contract (offline/sdk.ts)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- generated protobuf code without type declarations
    const resourceProto = require("@pulumi/pulumi/proto/resource_pb") as Record<string, { prototype: Record<string, unknown> } | undefined>;

    it("the SDK's registration request still has every getter the engine reads", () => {
        const proto = resourceProto.RegisterResourceRequest?.prototype ?? {};
        expect(requestGetters.filter(g => typeof proto[g] !== "function"), "missing getters").to.deep.equal([]);
        expect(typeof resourceProto.RegisterResourceResponse?.prototype.setObject).to.equal("function");
    });

    it("the public runtime still has the entry points the engine uses", () => {
        const runtime = pulumi.runtime as unknown as Record<string, unknown>;
        const used = ["setMocks", "getMonitor", "runInPulumiStack", "setAllConfig", "waitForRPCs"];
        expect(used.filter(f => typeof runtime[f] !== "function"), "missing functions").to.deep.equal([]);
        expect([runtime.specialSigKey, runtime.specialSecretSig, runtime.unknownValue].every(v => typeof v === "string" && v.length > 0)).to.equal(true);
    });

    it("a registration arrives with each getter answering its type, and its answer reaches the program", async () => {
        const seen: Record<string, string> = {};
        let urnSeen = "";
        const ev = await run(() => {
            const parent = new pulumi.ComponentResource("bookkeep:test:Outer", "outer");
            const password = new random.RandomPassword("pw", { length: 12 }, { parent, protect: true, ignoreChanges: ["length"], customTimeouts: { create: "2m" } });
            password.urn.apply(u => { urnSeen = u; });
            return {};
        }, "contract");
        const pw = one(ev.resources, "random:index/randomPassword:RandomPassword", "pw");
        for (const [key, value] of Object.entries(pw)) {
            seen[key] = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
        }
        expect(seen).to.include({ urn: "string", type: "string", name: "string", parent: "string", custom: "boolean", remote: "boolean",
            protect: "boolean", dependsOn: "array", ignoreChanges: "array", additionalSecretOutputs: "array", customTimeouts: "object" });
        expect(pw.urn).to.equal("urn:pulumi:contract::bookkeep::bookkeep:test:Outer$random:index/randomPassword:RandomPassword::pw");
        expect(urnSeen).to.equal(pw.urn);
        expect([pw.protect, pw.ignoreChanges, pw.customTimeouts.create]).to.deep.equal([true, ["length"], "2m"]);
        expect(pw.additionalSecretOutputs).to.include("result");
        expect(isSecret(fromWire(pw.rawState.result))).to.equal(true);
    });

    it("stack outputs go through the answered registerResourceOutputs", async () => {
        const ev = await run(() => ({ region: "ap-south-1" }), "contract");
        expect(ev.outputs).to.deep.equal({ region: "ap-south-1" });
    });
});
