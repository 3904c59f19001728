/**
 * The capacity stack policies through the real analyzer: a compliant stack next to one broken
 * property per case (CPU, memory, pod slots), with the exact messages.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { expect } from "chai";
import { runPolicies, PolicyReport } from "../offline/policyRunner";
import { pack } from "../policies/pack";
import { autoscalerReachesMaximum, capacityPolicyNames, fleetFitsAtMinimum } from "../policies/preflight";
import { present, run } from "./harness";

interface App {
    readonly replicas: number;
    readonly cpu: string;
    readonly memory: string;
}

/** One node of m6i.large (1.93 vCPU, 7518 MiB, 29 pods allocatable) and one app Deployment. */
async function check(app: App, nodes = { desiredSize: 1, minSize: 1, maxSize: 1 }, karpenterCpu?: string): Promise<PolicyReport> {
    const ev = await run(() => {
        const provider = new aws.Provider("aws", { region: "ap-south-1" });
        new aws.eks.NodeGroup("nodes", {
            clusterName: "c", nodeRoleArn: "arn:aws:iam::123456789012:role/nodes", subnetIds: ["subnet-1"], instanceTypes: ["m6i.large"], scalingConfig: nodes,
        }, { provider });
        const k8sProvider = new k8s.Provider("k8s", { kubeconfig: "apiVersion: v1\nkind: Config\n" });
        new k8s.apps.v1.Deployment("app", {
            metadata: { name: "app", namespace: "apps" },
            spec: {
                replicas: app.replicas, selector: { matchLabels: { app: "app" } },
                template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "app", image: "app:1", resources: { requests: { cpu: app.cpu, memory: app.memory } } }] } },
            },
        }, { provider: k8sProvider });
        if (karpenterCpu !== undefined) {
            new k8s.apiextensions.CustomResource("general", {
                apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name: "general" },
                spec: { template: { spec: { requirements: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["m6i.large"] }] } }, limits: { cpu: karpenterCpu } },
            }, { provider: k8sProvider });
        }
        return {};
    });
    return runPolicies(pack, ev.resources, {});
}

const capacityViolations = (report: PolicyReport) => report.violations.filter(v => capacityPolicyNames.includes(v.policy))
    .map(v => [v.policy, v.enforcementLevel, v.message.split("\n").pop(), v.urn.split("::").pop()]);

const fix = "Add nodes (cluster.nodeCount, minNodes, maxNodes: the reach of the node autoscaler), choose a larger node type, lower requests, " +
    "or on AWS enable VPC CNI prefix delegation when pod slots are short.";

describe("capacity policies", () => {
    it("are mandatory (minimum) and advisory (maximum) by their own level, with the preflight's checks", () => {
        expect([fleetFitsAtMinimum.enforcementLevel, autoscalerReachesMaximum.enforcementLevel]).to.deep.equal(["mandatory", "advisory"]);
        expect(capacityPolicyNames).to.deep.equal(["fleet-fits-at-hpa-minimum", "autoscaler-reaches-hpa-maximum"]);
    });

    // The EKS system pods take 675m, 1140 MiB and 9 pods of the node before the app.
    it("passes a fleet that fits: 2 x 300m/256Mi", async () => {
        expect(capacityViolations(await check({ replicas: 2, cpu: "300m", memory: "256Mi" }))).to.deep.equal([]);
    });

    it("rejects CPU requests beyond the allocatable: 2 x 653m", async () => {
        const shortfall = "CPU requests 1.98 vCPU > 1.93 vCPU allocatable on 1 x m6i.large";
        expect(capacityViolations(await check({ replicas: 2, cpu: "653m", memory: "256Mi" }))).to.deep.equal([
            ["fleet-fits-at-hpa-minimum", "mandatory", `At the HPA minimum the pods do not fit the nodes: ${shortfall}. ${fix}`, "nodes"],
            ["autoscaler-reaches-hpa-maximum", "advisory", `At the HPA maximum the pods do not fit the reachable nodes: ${shortfall}. Raise maxNodes (or the NodePool limits) or lower fleet.maxReplicas.`, "nodes"],
        ]);
    });

    it("rejects memory requests beyond the allocatable: 2 x 4Gi", async () => {
        const violations = capacityViolations(await check({ replicas: 2, cpu: "100m", memory: "4Gi" }));
        expect(violations[0]).to.deep.equal(["fleet-fits-at-hpa-minimum", "mandatory",
            `At the HPA minimum the pods do not fit the nodes: memory requests 9.1 GiB > 7.3 GiB allocatable on 1 x m6i.large. ${fix}`, "nodes"]);
    });

    it("rejects more pods than the VPC CNI gives the node: 25 small pods", async () => {
        const violations = capacityViolations(await check({ replicas: 25, cpu: "10m", memory: "16Mi" }));
        expect(violations[0]).to.deep.equal(["fleet-fits-at-hpa-minimum", "mandatory",
            `At the HPA minimum the pods do not fit the nodes: 34 pods > 29 pod slots on 1 x m6i.large (VPC CNI per-ENI limit, no prefix delegation). ${fix}`, "nodes"]);
    });

    it("passes the same fleet once a Karpenter NodePool may launch one more m6i.large (limits.cpu 2), and not with a limit below one node", async () => {
        expect(capacityViolations(await check({ replicas: 2, cpu: "653m", memory: "256Mi" }, undefined, "2"))).to.deep.equal([]);
        const violations = capacityViolations(await check({ replicas: 2, cpu: "653m", memory: "256Mi" }, undefined, "1"));
        expect(present(violations[0], "a capacity violation")[2]).to.equal(`At the HPA minimum the pods do not fit the nodes: CPU requests 1.98 vCPU > 1.93 vCPU allocatable on 1 x m6i.large. ${fix}`);
    });

    it("says maxNodes is unreachable without a node autoscaler", async () => {
        const violations = capacityViolations(await check({ replicas: 2, cpu: "653m", memory: "256Mi" }, { desiredSize: 1, minSize: 1, maxSize: 3 }));
        expect(present(violations[1], "a second capacity violation")[2]).to.contain("No node autoscaler is in the stack, so maxNodes is never reached: install Karpenter or cluster-autoscaler.");
    });
});
