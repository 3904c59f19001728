/**
 * The pack's checks over values a first preview cannot know (tests/policies-preview.spec.ts runs
 * the whole program that way): a policy that reads an unknown says so as the analyzer's advisory,
 * never a mandatory violation, and never passes it silently; what is known beside it is still
 * judged. The stack is registered once and judged inside each test (tests/policies-stack.ts).
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { expect } from "chai";
import * as path from "path";
import { evaluate, projectRoot } from "../offline/engine";
import { PolicyReport, readPackConfig, Violation } from "../offline/policyRunner";
import { pack } from "../policies/pack";
import { appNamespace, kmsKey, pdb, providers, rdsInstance, rdsParameterGroup, release, replicationGroup, workload } from "./policies-fixtures";
import { stackUnderPolicies } from "./policies-stack";

const eksStackPolicies = ["eks-network-policy-enforced", "eks-private-nodes"];

const descriptions = new Map(pack.policies.map(p => [p.name, p.description ?? ""]));

/** The message without the policy description the analyzer prefixes to violations. */
function messageOf(v: Violation): string {
    const prefix = `${descriptions.get(v.policy)}\n`;
    return v.message.startsWith(prefix) ? v.message.slice(prefix.length) : v.message;
}

const summary = (vs: Violation[]) => vs.map(v => `${v.enforcementLevel} ${v.policy} ${v.urn.split("::").pop()}: ${messageOf(v)}`);

describe("policy pack at preview: checks over unknowns", () => {
    const stack = stackUnderPolicies(() => evaluate({
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
    }), () => readPackConfig(path.join(projectRoot(), "policies", "config", "production.json")));

    const on = (report: PolicyReport, name: string) => summary(report.violations.filter(v => v.urn.endsWith(`::${name}`)));

    it("reports 'can't run during preview' (advisory), not a missing value, for a check that reads an unknown", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "cache")).to.deep.equal([
            "advisory elasticache-encrypted cache: can't run policy 'elasticache-encrypted' from policy pack " +
            `'${pack.name}@v${pack.version}' during preview: string value at .authToken can't be known during preview`,
        ]);
        expect(on(report, "db").map(m => m.split(":")[0])).to.deep.equal(["advisory rds-final-snapshot db"]);
        expect(on(report, "db")[0]).to.match(/value at \.finalSnapshotIdentifier can't be known during preview$/);
    });

    it("cannot judge the vpc-cni agent or a node subnet's public IPs until they are known: advisory, never mandatory", async () => {
        const { report } = await stack.evaluate();
        const eks = report.violations.filter(v => eksStackPolicies.includes(v.policy));
        expect(eks.map(v => [v.enforcementLevel, v.policy, /value at (\.\S+) can't be known/.exec(messageOf(v))?.[1]])).to.deep.equal([
            ["advisory", "eks-network-policy-enforced", ".configurationValues"],
            ["advisory", "eks-private-nodes", ".mapPublicIpOnLaunch"],
        ]);
    });

    it("still reports what is known to be wrong next to an unknown", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "db-public")).to.deep.equal([
            "mandatory rds-not-public db-public: RDS instance is publicly accessible; set publiclyAccessible: false and reach it from private subnets.",
        ]);
    });

    it("reads each PDB and HPA only as far as a workload's check gets, so an unknown elsewhere neither hides a gap nor invents one", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "deploy-unguarded")).to.deep.equal([
            "mandatory deployment-has-pdb deploy-unguarded: Deployment deploy-unguarded in bookkeep-production has no PodDisruptionBudget; add one whose selector matches its pod labels (maxUnavailable: 1).",
        ]);
        expect(on(report, "deploy-maybe-scaled")).to.deep.equal([]);
        const replicas = report.violations.filter(v => v.policy === "workload-replicas-production");
        expect(replicas.map(v => [v.enforcementLevel, /value at (\.\S+) can't be known/.exec(messageOf(v))?.[1]])).to.deep.equal([["advisory", ".metadata.namespace"]]);
    });

    it("scans every known leaf for regions outside India, skipping only the unknown ones", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "abroad-secret")).to.deep.equal([
            "mandatory aws-resource-region-india abroad-secret: replicas[0].region is \"eu-west-1\", outside India; replicas and copies may only go to ap-south-1 or ap-south-2.",
        ]);
    });

    it("scans every known chart value for latest images, skipping only the unknown ones", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "latest-release")).to.deep.equal([
            "mandatory helm-values-no-latest-images latest-release: Chart values use a floating image tag at values.controller.image.tag; remove the override (the chart pins its images) or pin a version.",
        ]);
    });
});
