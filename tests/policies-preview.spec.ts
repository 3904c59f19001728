/**
 * The policy pack as a first `pulumi preview --policy-pack policies` runs it: every computed output
 * (ids, ARNs, generated passwords) is unknown, and the analyzer's proxy throws when a policy reads
 * one. A policy that cannot judge an unknown must say so (the analyzer's advisory "can't run ...
 * during preview"), never report a mandatory violation for it, and never pass it silently.
 */
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { expect } from "chai";
import { capacityPolicyNames } from "../policies/preflight";
import * as path from "path";
import { evaluate, projectRoot } from "../offline/engine";
import { planStack, PlanResult } from "../offline/plan";
import { PolicyReport, readPackConfig, runPolicies, Violation } from "../offline/policyRunner";
import { pack } from "../policies/pack";
import { expectPolicyInputsUnchanged } from "./harness";
import * as k8s from "@pulumi/kubernetes";
import { appNamespace, kmsKey, pdb, providers, rdsInstance, rdsParameterGroup, release, replicationGroup, workload } from "./policies-fixtures";

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

describe("policy pack at preview: checks over unknowns", () => {
    let report: PolicyReport;

    before(async () => {
        const ev = await evaluate({
            stack: "production",
            config: {},
            preview: true,
            program: () => {
                const p = providers("production");
                const key = kmsKey("key", p.mumbai);
                const token = new random.RandomPassword("token", { length: 32, special: false });
                // An unknown that is set, and one that is broken next to an unknown: neither may pass silently.
                replicationGroup("cache", p.mumbai, { authToken: token.result });
                rdsInstance("db", p.mumbai, rdsParameterGroup("pg", p.mumbai), { finalSnapshotIdentifier: token.result.apply(t => `db-final-${t.slice(0, 8)}`) });
                rdsInstance("db-public", p.mumbai, rdsParameterGroup("pg-public", p.mumbai), { kmsKeyId: key.arn, publiclyAccessible: true });
                // One unknown leaf (the replica's key) must not stop the residency scan of the rest.
                new aws.secretsmanager.Secret("abroad-secret", { replicas: [{ region: "eu-west-1", kmsKeyId: key.arn }] }, { provider: p.mumbai });
                // Nor the scan of chart values for latest images.
                release("latest-release", p.k8s, { values: { controller: { image: { tag: "latest" } }, podAnnotations: { key: key.arn } } });
                // A vpc-cni setting and a node subnet's public-IP setting computed from an unknown.
                new aws.eks.Addon("cni", {
                    clusterName: "bookkeep", addonName: "vpc-cni", configurationValues: key.arn.apply(() => JSON.stringify({ enableNetworkPolicy: "false" })),
                }, { provider: p.mumbai });
                const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.10.0.0/16" }, { provider: p.mumbai });
                const nodeSubnet = new aws.ec2.Subnet("nodes-subnet", { vpcId: vpc.id, cidrBlock: "10.10.0.0/20", mapPublicIpOnLaunch: key.arn.apply(() => true) }, { provider: p.mumbai });
                new aws.eks.NodeGroup("nodes", {
                    clusterName: "bookkeep", nodeRoleArn: "arn:aws:iam::123456789012:role/eks-nodes", subnetIds: [nodeSubnet.id],
                    scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 },
                }, { provider: p.mumbai });
                // A Deployment no PDB selects, beside a PDB elsewhere whose selector is unknown: the
                // known gap is still reported. And an HPA whose namespace is unknown: whether it
                // scales a one-replica Deployment cannot be told yet.
                const ns = appNamespace("production", p.k8s);
                workload("Deployment", "deploy-unguarded", p.k8s, { namespace: ns, replicas: 2 });
                new k8s.policy.v1.PodDisruptionBudget("pdb-elsewhere", {
                    metadata: { name: "pdb-elsewhere", namespace: "bookkeep-system" }, spec: { maxUnavailable: 1, selector: { matchLabels: { tier: key.arn } } },
                }, { provider: p.k8s });
                workload("Deployment", "deploy-maybe-scaled", p.k8s, { namespace: ns, replicas: 1 });
                pdb("pdb-maybe-scaled", ns, { app: "deploy-maybe-scaled" }, p.k8s);
                new k8s.autoscaling.v2.HorizontalPodAutoscaler("hpa-unknown-namespace", {
                    metadata: { name: "hpa-unknown-namespace", namespace: key.arn.apply(() => ns) },
                    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "deploy-maybe-scaled" }, minReplicas: 2, maxReplicas: 10 },
                }, { provider: p.k8s });
                return {};
            },
        });
        report = await runPolicies(pack, ev.resources, readPackConfig(path.join(projectRoot(), "policies", "config", "production.json")));
    });

    const on = (name: string) => summary(report.violations.filter(v => v.urn.endsWith(`::${name}`)));

    it("reports 'can't run during preview' (advisory), not a missing value, for a check that reads an unknown", () => {
        expect(on("cache")).to.deep.equal([
            "advisory elasticache-encrypted cache: can't run policy 'elasticache-encrypted' from policy pack " +
            `'${pack.name}@v${pack.version}' during preview: string value at .authToken can't be known during preview`,
        ]);
        expect(on("db").map(m => m.split(":")[0])).to.deep.equal(["advisory rds-final-snapshot db"]);
        expect(on("db")[0]).to.match(/value at \.finalSnapshotIdentifier can't be known during preview$/);
    });

    it("cannot judge the vpc-cni agent or a node subnet's public IPs until they are known: advisory, never mandatory", () => {
        const eks = report.violations.filter(v => eksStackPolicies.includes(v.policy));
        expect(eks.map(v => [v.enforcementLevel, v.policy, /value at (\.\S+) can't be known/.exec(messageOf(v))?.[1]])).to.deep.equal([
            ["advisory", "eks-network-policy-enforced", ".configurationValues"],
            ["advisory", "eks-private-nodes", ".mapPublicIpOnLaunch"],
        ]);
    });

    it("still reports what is known to be wrong next to an unknown", () => {
        expect(on("db-public")).to.deep.equal([
            "mandatory rds-not-public db-public: RDS instance is publicly accessible; set publiclyAccessible: false and reach it from private subnets.",
        ]);
    });

    it("reads each PDB and HPA only as far as a workload's check gets, so an unknown elsewhere neither hides a gap nor invents one", () => {
        expect(on("deploy-unguarded")).to.deep.equal([
            "mandatory deployment-has-pdb deploy-unguarded: Deployment deploy-unguarded in bookkeep-production has no PodDisruptionBudget; add one whose selector matches its pod labels (maxUnavailable: 1).",
        ]);
        expect(on("deploy-maybe-scaled")).to.deep.equal([]);
        const replicas = report.violations.filter(v => v.policy === "workload-replicas-production");
        expect(replicas.map(v => [v.enforcementLevel, /value at (\.\S+) can't be known/.exec(messageOf(v))?.[1]])).to.deep.equal([["advisory", ".metadata.namespace"]]);
    });

    it("scans every known leaf for regions outside India, skipping only the unknown ones", () => {
        expect(on("abroad-secret")).to.deep.equal([
            "mandatory aws-resource-region-india abroad-secret: replicas[0].region is \"eu-west-1\", outside India; replicas and copies may only go to ap-south-1 or ap-south-2.",
        ]);
    });

    it("scans every known chart value for latest images, skipping only the unknown ones", () => {
        expect(on("latest-release")).to.deep.equal([
            "mandatory helm-values-no-latest-images latest-release: Chart values use a floating image tag at values.controller.image.tag; remove the override (the chart pins its images) or pin a version.",
        ]);
    });
});
