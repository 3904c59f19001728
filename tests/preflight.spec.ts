/**
 * Preflight (issue 18) over the stacks' own plans: today's defaults fail where a first apply
 * really fails, with the figures pinned; the fixes the first-apply issues propose make them pass.
 */
import { expect } from "chai";
import { PlanResult } from "../offline/plan";
import { Preflight } from "../offline/preflight";
import { capacity } from "../offline/preflight/capacity";
import { cost, freeTypes, pricedTypes } from "../offline/preflight/cost";
import { allocatable, reservedMillicores } from "../offline/preflight/reservations";
import { awsPrices, gcpPrices } from "../offline/preflight/prices";
import { awsQuotas, gcpQuotas } from "../offline/preflight/quotaTable";
import { nodeType } from "../offline/preflight/nodeTypes";
import { PreflightResource } from "../offline/preflight/resources";
import { markdownSummary, textSummary } from "../offline/report";
import { awsQuotasSchema, gcpQuotasSchema } from "../stacks/schema";
import { awsNodeInstanceTypes, gcpNodeMachineTypes } from "../stacks/offerings";
import { plan } from "./harness";

const preflightOf = (r: PlanResult): Preflight => r.plan.preflight!;
const quota = (p: Preflight, key: string) => p.quotas.find(q => q.key === key)!;

describe("preflight: node sizes and reservations", () => {
    it("reserves CPU by the clouds' tiers and memory by pod density (EKS) or by size (GKE)", () => {
        expect([1, 2, 4, 8].map(reservedMillicores)).to.deep.equal([60, 70, 80, 90]);
        expect(allocatable("aws", nodeType("aws", "t3.medium")!)).to.deep.equal({ cpuMillicores: 1930, memoryMib: 4096 - (255 + 11 * 17) - 100, pods: 17 });
        expect(allocatable("aws", nodeType("aws", "t3.large")!).pods).to.equal(35);
        expect(allocatable("aws", nodeType("aws", "t3.medium")!, true).pods).to.equal(110);
        expect(allocatable("aws", nodeType("aws", "m5.4xlarge")!).pods).to.equal(234);
        // Shared-core e2-medium: GKE keeps 1060m of its 2 vCPU.
        expect(allocatable("gcp", nodeType("gcp", "e2-medium")!)).to.deep.equal({ cpuMillicores: 940, memoryMib: 4096 - 1024 - 100, pods: 110 });
        expect(allocatable("gcp", nodeType("gcp", "e2-standard-2")!)).to.deep.equal({ cpuMillicores: 1930, memoryMib: 8192 - (1024 + 819) - 100, pods: 110 });
    });

    it("knows every node type the stack config accepts", () => {
        expect(awsNodeInstanceTypes.filter(t => !nodeType("aws", t))).to.deep.equal([]);
        expect(gcpNodeMachineTypes.filter(t => !nodeType("gcp", t))).to.deep.equal([]);
    });
});

describe("preflight: today's defaults fail where a first apply fails", () => {
    it("production on AWS: 11.29 vCPU of requests at the HPA minimum on 9.65 allocatable (5 x t3.large), maxNodes unreachable", async () => {
        const p = preflightOf(await plan("production"));
        const min = p.capacity.atMinimum!;
        expect([min.requested.cpuMillicores, min.allocatable.cpuMillicores, min.requested.pods]).to.deep.equal([11295, 9650, 67]);
        expect(min.shortfalls).to.deep.equal(["CPU requests 11.29 vCPU > 9.65 vCPU allocatable on 5 x t3.large"]);
        expect(p.capacity.autoscaler).to.equal(null);
        expect(p.capacity.pools.map(x => [x.startNodes, x.maxNodes, x.reachableNodes])).to.deep.equal([[5, 10, 5]]);
    });

    it("staging on AWS: 35 pods on the 34 slots of 2 x t3.medium (VPC CNI per-ENI limit)", async () => {
        const min = preflightOf(await plan("staging")).capacity.atMinimum!;
        expect(min.shortfalls).to.include("35 pods > 34 pod slots on 2 x t3.medium (VPC CNI per-ENI limit, no prefix delegation)");
    });

    it("production on AWS: 6 Elastic IPs (3 NAT + 3 ingress) on a quota of 5, and the step to raise it", async () => {
        const p = preflightOf(await plan("production"));
        expect(quota(p, "elasticIps")).to.include({ used: 6, limit: 5, exceeded: true, region: "ap-south-1", limitFrom: "default" });
        expect(p.bootstrap.map(s => s.id)).to.deep.equal(["opt-in-ap-south-2", "delegate-bookkeep.app", "quota-elasticIps", "cluster-api-path"]);
    });

    it("production on GCP: 1,060 GB of SSD (6 x 100 GB boot disks + 460 GB of claims) on a quota of 500", async () => {
        const p = preflightOf(await plan("production-gcp"));
        expect(quota(p, "ssdTotalGb")).to.include({ used: 1060, usedAtMaximum: 1460, limit: 500, exceeded: true, region: "asia-south1" });
        expect(p.bootstrap.map(s => s.id)).to.include("quota-ssdTotalGb");
    });

    it("staging on AWS is within every quota", async () => {
        expect(preflightOf(await plan("staging")).quotas.filter(q => q.exceeded)).to.deep.equal([]);
    });
});

describe("preflight: the fixes make it pass", () => {
    it("production on AWS fits at the HPA minimum with 7 nodes", async () => {
        const p = preflightOf(await plan("production", undefined, { "bookkeep:cluster": { nodeCount: 7, minNodes: 7 } }));
        expect(p.capacity.atMinimum!.shortfalls).to.deep.equal([]);
        expect(p.capacity.atMinimum!.headroom.cpuMillicores).to.equal(7 * 1930 - 11295 - 2 * 275);
    });

    it("a raised quota in bookkeep:quotas clears the quota and its bootstrap step", async () => {
        const p = preflightOf(await plan("production", undefined, { "bookkeep:quotas": { elasticIps: 10 } }));
        expect(quota(p, "elasticIps")).to.include({ used: 6, limit: 10, exceeded: false, limitFrom: "bookkeep:quotas" });
        expect(p.bootstrap.map(s => s.id)).to.not.include("quota-elasticIps");
    });
});

/** A small plan: one managed node group and what runs on it. */
function eks(instanceType: string, nodes: number, extra: PreflightResource[], cni: Record<string, unknown> = {}): PreflightResource[] {
    return [
        { type: "aws:eks/nodeGroup:NodeGroup", urn: "ng", name: "ng", inputs: { instanceTypes: [instanceType], scalingConfig: { desiredSize: nodes, minSize: nodes, maxSize: nodes * 2 } } },
        { type: "aws:eks/addon:Addon", urn: "cni", name: "cni", inputs: { addonName: "vpc-cni", configurationValues: JSON.stringify(cni) } },
        ...extra,
    ];
}
const deployment = (name: string, replicas: number, cpu: string, parent: string | null = null): PreflightResource => ({
    type: "kubernetes:apps/v1:Deployment", urn: `d-${name}`, name, parent,
    inputs: { metadata: { name, namespace: "apps" }, spec: { replicas, template: { spec: { containers: [{ resources: { requests: { cpu, memory: "64Mi" } } }] } } } },
});

describe("preflight: the capacity model", () => {
    it("counts workloads anywhere in the plan: a chart's rendered children replace the estimate from its values", () => {
        const chart: PreflightResource = { type: "kubernetes:helm.sh/v4:Chart", urn: "chart", name: "c", inputs: { chart: "sealed-secrets", values: { resources: { requests: { cpu: "5" } } } } };
        const estimated = capacity(eks("m6i.large", 1, [chart])).workloads.filter(w => w.origin === "chart values");
        expect(estimated.map(w => [w.id, w.cpuMillicores])).to.deep.equal([["Deployment sealed-secrets/controller", 5000]]);
        const rendered = capacity(eks("m6i.large", 1, [chart, deployment("controller", 1, "50m", "chart")]));
        expect(rendered.workloads.filter(w => w.origin !== "cloud system").map(w => [w.id, w.cpuMillicores])).to.deep.equal([["Deployment apps/controller", 50]]);
    });

    it("takes replicas from the HPA, DaemonSets once per node, and the init container when it is larger", () => {
        const hpa: PreflightResource = { type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", urn: "h", name: "h",
            inputs: { metadata: { namespace: "apps" }, spec: { scaleTargetRef: { kind: "Deployment", name: "api" }, minReplicas: 3, maxReplicas: 9 } } };
        const ds: PreflightResource = { type: "kubernetes:apps/v1:DaemonSet", urn: "ds", name: "agent", inputs: { metadata: { name: "agent", namespace: "apps" },
            spec: { template: { spec: { containers: [{ resources: { requests: { cpu: "10m" } } }], initContainers: [{ resources: { requests: { cpu: "40m" } } }] } } } } };
        const c = capacity(eks("m6i.large", 2, [deployment("api", 1, "100m"), hpa, ds]));
        expect(c.workloads.filter(w => w.origin === "plan").map(w => [w.id, w.minReplicas, w.maxReplicas, w.cpuMillicores]))
            .to.deep.equal([["Deployment apps/api", 3, 9, 100], ["DaemonSet apps/agent", 1, 1, 40]]);
        const system = 2 * 155 + 520;
        expect(c.atMinimum!.requested.cpuMillicores).to.equal(system + 300 + 2 * 40);
        // No autoscaler: the maximum is judged on the 2 nodes that exist.
        expect(c.atMaximum!.requested.cpuMillicores).to.equal(system + 900 + 2 * 40);
        expect(c.atMaximum!.allocatable.nodes).to.equal(2);
    });

    it("counts pod slots with VPC CNI prefix delegation when the add-on enables it", () => {
        const many = [deployment("api", 30, "1m")];
        expect(capacity(eks("t3.medium", 2, many)).atMinimum!.allocatable.pods).to.equal(34);
        expect(capacity(eks("t3.medium", 2, many, { env: { ENABLE_PREFIX_DELEGATION: "true" } })).atMinimum!.allocatable.pods).to.equal(220);
    });

    it("reaches maxNodes once an autoscaler is in the plan", () => {
        const karpenter: PreflightResource = { type: "kubernetes:helm.sh/v4:Chart", urn: "k", name: "k", inputs: { chart: "karpenter", values: {} } };
        const c = capacity(eks("m6i.large", 2, [karpenter]));
        expect(c.autoscaler).to.equal("karpenter");
        expect(c.atMaximum!.allocatable.nodes).to.equal(4);
        expect(c.uncountedCharts).to.deep.equal(["karpenter"]);
    });

    it("does not check a plan without node pools (the local cluster)", () => {
        expect(capacity([deployment("api", 1, "1")])).to.include({ applicable: false });
    });
});

describe("preflight: price and quota tables", () => {
    it("cites a source and a date for every price and every default quota", () => {
        for (const [key, p] of Object.entries({ ...awsPrices, ...gcpPrices })) {
            expect(p.source, key).to.match(/^https:\/\/(aws\.amazon|cloud\.google)\.com\//);
            expect(p.date, key).to.match(/^\d{4}-\d{2}-\d{2}$/);
            expect(p.usd, key).to.be.greaterThan(0);
        }
        for (const q of [...awsQuotas, ...gcpQuotas]) {
            expect(q.source.length, q.key).to.be.greaterThan(20);
            expect(q.date, q.key).to.match(/^\d{4}-\d{2}-\d{2}$/);
        }
    });

    it("overrides exactly the quotas the table knows (bookkeep:quotas keys)", () => {
        expect(awsQuotas.map(q => q.key)).to.deep.equal(Object.keys(awsQuotasSchema.shape));
        expect(gcpQuotas.map(q => q.key)).to.deep.equal(Object.keys(gcpQuotasSchema.shape));
    });

    for (const stack of ["staging", "production", "staging-gcp", "production-gcp"]) {
        it(`prices every billable resource of ${stack} (a billable type missing from the table fails here)`, async () => {
            const r = await plan(stack);
            const cloudTypes = [...new Set(r.plan.resources.map(x => x.type).filter(t => /^(aws|gcp):/.test(t)))];
            expect(cloudTypes.filter(t => !pricedTypes.includes(t) && !(t in freeTypes))).to.deep.equal([]);
            expect(preflightOf(r).cost.unpriced).to.deep.equal([]);
        });
    }

    it("refuses to price a type it does not know: it is reported, not silently free", () => {
        expect(cost([{ type: "aws:opensearch/domain:Domain", urn: "u", name: "search", inputs: {} }], capacity([])).unpriced)
            .to.deep.equal(["aws:opensearch/domain:Domain search: no pricer in offline/preflight/cost.ts and not listed as free"]);
    });
});

describe("preflight: in the plan's outputs", () => {
    it("puts capacity, quotas, bootstrap and cost under the plan JSON's preflight key", async () => {
        const r = await plan("production");
        expect(Object.keys(preflightOf(r))).to.deep.equal(["capacity", "quotas", "bootstrap", "cost"]);
        const estimate = preflightOf(r).cost;
        expect(estimate.monthlyUsd.min).to.be.greaterThan(0);
        expect(estimate.monthlyUsd.max).to.be.at.least(estimate.monthlyUsd.min);
        expect(estimate.items.find(i => i.price === "eks:cluster")).to.deep.include({ quantity: { min: 730, max: 730 }, monthlyUsd: { min: 73, max: 73 } });
        expect(estimate.items.find(i => i.resource === "bookkeep-aws-database-postgres" && i.price === "rds:db.r5.large")!.quantity.min).to.equal(2 * 730);
    });

    it("prints the capacity verdict, the checklist and the estimate, and the summary shows headroom and cost", async () => {
        const r = await plan("production");
        const text = textSummary(r.plan, r.evaluation);
        expect(text).to.contain("at HPA minimum: CPU 11.29/9.65 vCPU, memory 27.2/36.4 GiB, pods 67/175 on 5 node(s): DOES NOT FIT");
        expect(text).to.contain("  Bootstrap checklist (before the first `pulumi up`):\n    1. Enable the opt-in region ap-south-2");
        expect(text).to.match(/Monthly cost estimate \(USD, .*\): \$[\d,]+ at HPA minimum, \$[\d,]+ at HPA maximum/);
        const md = markdownSummary(r.plan, r.evaluation);
        expect(md).to.contain("| at HPA minimum (5 nodes) | -1.65 vCPU, +9.2 GiB, +108 pods | **does not fit**: CPU requests 11.29 vCPU > 9.65 vCPU allocatable on 5 x t3.large |");
        expect(md).to.match(/- monthly cost estimate: \$[\d,]+ \(HPA minimum\) – \$[\d,]+ \(HPA maximum\), USD on-demand/);
    });

    it("says the local stack's capacity is not checked and has no cloud cost", async () => {
        const p = preflightOf(await plan("development"));
        expect(p.capacity.applicable).to.equal(false);
        expect([p.quotas, p.bootstrap, p.cost.items]).to.deep.equal([[], [], []]);
    });
});
