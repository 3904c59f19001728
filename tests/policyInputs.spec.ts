/**
 * Offline, the policies reading one resource share one deserialised copy of its inputs
 * (offline/sdk.ts). That is sound only while no policy writes to its inputs, which the check after
 * every stack's plan (expectPolicyInputsUnchanged) asserts; here it is shown to catch one that does.
 */
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { expect } from "chai";
import { runPolicies } from "../offline/policyRunner";
import { expectPolicyInputsUnchanged, run } from "./harness";

const writes: ResourceValidationPolicy = {
    name: "writes-to-its-inputs",
    description: "Checks nothing; overwrites the bucket's name in what it was given.",
    enforcementLevel: "advisory",
    validateResource: (args) => {
        if (args.type === "aws:s3/bucket:Bucket") {
            args.props.bucket = "rewritten";
        }
    },
};
const reads: ResourceValidationPolicy = {
    name: "reads-its-inputs",
    description: "Checks that the bucket keeps its name.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === "aws:s3/bucket:Bucket" && args.props.bucket !== "documents") {
            report(`bucket is ${String(args.props.bucket)}`);
        }
    },
};

describe("policy inputs shared offline", () => {
    const program = () => {
        const provider = new aws.Provider("p", { region: "ap-south-1" });
        new aws.s3.Bucket("b", { bucket: "documents" }, { provider });
    };

    it("passes when no policy writes to its inputs", async () => {
        const ev = await run(program);
        const report = await runPolicies({ name: "reads", version: "1.0.0", enforcementLevel: "mandatory", policies: [reads] }, ev.resources);
        expect(report.violations).to.deep.equal([]);
        expectPolicyInputsUnchanged(ev.resources);
    });

    it("catches a policy that writes to its inputs", async () => {
        const ev = await run(program);
        await runPolicies({ name: "writes", version: "1.0.0", enforcementLevel: "mandatory", policies: [writes] }, ev.resources);
        expect(() => expectPolicyInputsUnchanged(ev.resources)).to.throw("inputs the policies shared");
    });
});
