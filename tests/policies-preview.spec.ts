/**
 * The policy pack as a first `pulumi preview --policy-pack policies` runs it: every computed output
 * (ids, ARNs, generated passwords) is unknown, and the analyzer's proxy throws when a policy reads
 * one. A policy that cannot judge an unknown must say so (the analyzer's advisory "can't run ...
 * during preview"), never report a mandatory violation for it, and never pass it silently.
 * The pack's checks over unknowns, one by one: tests/policies-unknowns.spec.ts.
 */
import { expect } from "chai";
import { capacityPolicyNames } from "../policies/preflight";
import { planStack, PlanResult } from "../offline/plan";
import { PolicyReport, Violation } from "../offline/policyRunner";
import { pack } from "../policies/pack";
import { expectPolicyInputsUnchanged } from "./harness";

const eksStackPolicies = ["eks-network-policy-enforced", "eks-private-nodes"];

const descriptions = new Map(pack.policies.map(p => [p.name, p.description ?? ""]));

/** The analyzer's own wording for a policy that read an unknown. */
const cantRun = (policy: string) => new RegExp(`^can't run policy '${policy}' from policy pack '${pack.name}@v${pack.version.replace(/\./g, "\\.")}' during preview: .+ value at \\.\\S+ can't be known during preview$`);

/** The message without the policy description the analyzer prefixes to violations. */
function messageOf(v: Violation): string {
    const prefix = `${descriptions.get(v.policy)}\n`;
    return v.message.startsWith(prefix) ? v.message.slice(prefix.length) : v.message;
}

const summary = (vs: Violation[]) => vs.map(v => `${v.enforcementLevel} ${v.policy} ${v.urn.split("::").pop()}: ${messageOf(v)}`);

/** [policy, resource name, unknown input path] of every advisory. */
const advisories = (report: PolicyReport) => report.violations.filter(v => v.enforcementLevel === "advisory")
    .map(v => [v.policy, v.urn.split("::").pop(), /value at (\.\S+) can't be known/.exec(messageOf(v))?.[1]]);

for (const cloud of ["aws", "gcp"] as const) {
    describe(`policy pack at preview: production on ${cloud}`, () => {
        let result: PlanResult;

        before(async () => {
            result = await planStack({ stack: "production", cloud, preview: true });
        });

        it("evaluates with unknown computed outputs (as a first preview does)", () => {
            const unknownIds = result.evaluation.resources.filter(r => r.custom && JSON.stringify(r.rawInputs).includes("04da6b54-80e4-46f7-96ec-b56ff0331ba9"));
            expect(unknownIds.length).to.be.greaterThan(10);
        });

        it("leaves the inputs its policies share unchanged, unknowns included", () => {
            expectPolicyInputsUnchanged(result.evaluation.resources);
        });

        it("reports no mandatory violation", () => {
            expect(summary(result.policies.violations.filter(v => v.enforcementLevel === "mandatory"))).to.deep.equal([]);
            expect(result.exitCode).to.equal(0);
        });

        it("says which policy could not run and which unknown stopped it, as advisory only", () => {
            expect(result.policies.violations.length).to.be.greaterThan(0);
            for (const v of result.policies.violations) {
                expect(v.enforcementLevel, v.policy).to.equal("advisory");
                // Capacity is known at preview: its advisories are findings, not unknowns (tests/preflight-policy.spec.ts).
                if (capacityPolicyNames.includes(v.policy)) {
                    continue;
                }
                expect(messageOf(v), v.policy).to.match(cantRun(v.policy));
            }
        });

        if (cloud === "aws") {
            it("cannot judge the generated Redis auth token, the random final-snapshot name or the KMS key ARN until they exist", () => {
                expect(advisories(result.policies)).to.deep.include.members([
                    ["elasticache-encrypted", "bookkeep-aws-cache-redis", ".authToken"],
                    ["rds-final-snapshot", "bookkeep-aws-database-postgres", ".finalSnapshotIdentifier"],
                    ["eks-secrets-encryption", "bookkeep-aws-cluster-eks", ".encryptionConfig.provider.keyArn"],
                ]);
            });

            it("matches the vpc-cni add-on and the node subnets to the cluster through property dependencies while their ids are unknown", () => {
                const types = new Set(result.evaluation.resources.map(r => r.type));
                expect(["aws:eks/addon:Addon", "aws:eks/nodeGroup:NodeGroup", "aws:ec2/subnet:Subnet"].every(t => types.has(t))).to.equal(true);
                expect(result.policies.violations.filter(v => eksStackPolicies.includes(v.policy))).to.deep.equal([]);
            });
        } else {
            it("cannot judge the buckets' KMS key or the cluster's secrets key until they exist", () => {
                const cmek = advisories(result.policies).filter(([policy]) => policy === "gcs-bucket-cmek");
                expect(cmek.length).to.be.at.least(2);
                expect(cmek.every(([, , input]) => input === ".encryption.defaultKmsKeyName")).to.equal(true);
                expect(advisories(result.policies)).to.deep.include.members([["gke-secrets-encryption", "bookkeep-gcp-gke", ".databaseEncryption.keyName"]]);
            });
        }
    });
}
