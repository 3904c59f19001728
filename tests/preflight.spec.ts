/**
 * Preflight (issue 18) over the stacks' own plans: today's defaults fail where a first apply
 * really fails, with the figures pinned; the fixes the first-apply issues propose make them pass.
 */
import { expect } from "chai";
import { PlanResult } from "../offline/plan";
import { Preflight, preflight } from "../offline/preflight";
import { bootstrap, BootstrapStep } from "../offline/preflight/bootstrap";
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

/**
 * The shape before issues 15/16, built from today's plan: no Karpenter (its NodePool and its chart
 * with everything it rendered), the managed group at `nodes` fixed, VPC CNI prefix delegation off.
 */
function withoutKarpenter(resources: readonly PreflightResource[], nodes: number): PreflightResource[] {
    const gone = new Set(resources.filter(r => r.type === "kubernetes:karpenter.sh/v1:NodePool" || /karpenter/.test(String(r.inputs.chart ?? ""))).map(r => r.urn));
    // Parents are recorded before their children: one pass takes the chart's whole tree.
    resources.filter(r => r.parent && gone.has(r.parent)).forEach(r => gone.add(r.urn));
    return resources.filter(r => !gone.has(r.urn)).map(r => {
        if (r.type === "aws:eks/nodeGroup:NodeGroup") {
            return { ...r, inputs: { ...r.inputs, scalingConfig: { desiredSize: nodes, minSize: nodes, maxSize: nodes * 2 } } };
        }
        if (r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "vpc-cni") {
            return { ...r, inputs: { ...r.inputs, configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }) } };
        }
        return r;
    });
}

/** GKE node pools on the 100 GB boot disks they had before issue 16. */
const withBootDisks = (resources: readonly PreflightResource[], gb: number): PreflightResource[] => resources.map(r => (r.type === "gcp:container/nodePool:NodePool"
    ? { ...r, inputs: { ...r.inputs, nodeConfig: { ...r.inputs.nodeConfig, diskSizeGb: gb } } } : r));

describe("preflight: the shapes before the first-apply fixes fail where a first apply failed", () => {
    it("production on AWS as a fixed 5 x t3.large (no Karpenter): CPU requests beyond the allocatable at the HPA minimum, maxNodes unreachable", async () => {
        const c = capacity(withoutKarpenter((await plan("production")).plan.resources, 5));
        const min = c.atMinimum!;
        expect([min.requested.cpuMillicores, min.allocatable.cpuMillicores, min.requested.pods]).to.deep.equal([12455, 9650, 81]);
        expect(min.shortfalls).to.deep.equal(["CPU requests 12.46 vCPU > 9.65 vCPU allocatable on 5 x t3.large"]);
        expect(c.autoscaler).to.equal(null);
        expect(c.pools.map(x => [x.startNodes, x.maxNodes, x.reachableNodes])).to.deep.equal([[5, 10, 5]]);
    });

    it("staging on AWS as 2 x t3.medium without prefix delegation: more pods than the per-ENI slots", async () => {
        const min = capacity(withoutKarpenter((await plan("staging")).plan.resources, 2)).atMinimum!;
        expect(min.shortfalls).to.include("43 pods > 34 pod slots on 2 x t3.medium (VPC CNI per-ENI limit, no prefix delegation)");
    });

    it("production on GCP with 100 GB boot disks: 1,280 GB now (8 nodes + 480 GB of claims), 1,580 at the maximum, beyond the 500 GB of a new project", async () => {
        const p = preflight(withBootDisks((await plan("production-gcp")).plan.resources, 100));
        expect(quota(p, "ssdTotalGb")).to.include({ used: 8 * 100 + 480, usedAtMaximum: 11 * 100 + 480, limit: 500, exceeded: true, region: "asia-south1" });
    });
});

describe("preflight: today's stacks, with the first-apply fixes", () => {
    it("production on AWS fits at the HPA minimum: 2 system nodes + Karpenter up to its limits (8 x t3.large), 6 of them launched", async () => {
        const c = preflightOf(await plan("production")).capacity;
        expect(c.autoscaler).to.equal("karpenter");
        expect(c.pools.map(x => [x.name, x.type, x.startNodes, x.reachableNodes, x.perNode!.pods])).to.deep.equal([
            ["bookkeep-aws-cluster-nodes", "t3.large", 2, 2, 110], ["bookkeep-aws-karpenter-general", "t3.large", 6, 8, 110],
        ]);
        expect(c.atMinimum!.shortfalls).to.deep.equal([]);
        expect([c.atMinimum!.requested.cpuMillicores, c.atMinimum!.allocatable.cpuMillicores]).to.deep.equal([14830, 10 * 1930]);
    });

    it("counts the Envoy proxies Envoy Gateway creates from the EnvoyProxy (shutdown-manager sidecar included), which no plan Deployment shows", async () => {
        const proxies = async (stack: string) => preflightOf(await plan(stack)).capacity.workloads.filter(w => w.id === "Deployment bookkeep-system/envoy proxies of bookkeep-gateway");
        expect(await proxies("production")).to.deep.equal([{
            id: "Deployment bookkeep-system/envoy proxies of bookkeep-gateway", kind: "Deployment", origin: "plan", minReplicas: 2, maxReplicas: 2, cpuMillicores: 110, memoryMib: 160,
        }]);
        expect((await proxies("staging")).map(w => [w.minReplicas, w.cpuMillicores, w.memoryMib])).to.deep.equal([[1, 60, 96]]);
    });

    it("staging on AWS has the pod slots with prefix delegation (110 per node) and fits at the HPA minimum", async () => {
        const min = preflightOf(await plan("staging")).capacity.atMinimum!;
        expect(min.shortfalls).to.deep.equal([]);
        expect([min.requested.pods, min.allocatable.pods]).to.deep.equal([60, 5 * 110]);
    });

    it("production on AWS: 6 Elastic IPs (3 NAT + 3 ingress) on a quota of 5, and the one step to raise it", async () => {
        const p = preflightOf(await plan("production"));
        expect(quota(p, "elasticIps")).to.include({ used: 6, limit: 5, exceeded: true, region: "ap-south-1", limitFrom: "default" });
        expect(p.bootstrap.map(s => s.id)).to.deep.equal(["opt-in-ap-south-2", "quota-elasticIps", "deploy-role", "cloudflare-account", "delegate-bookkeep.app", "cluster-api-path"]);
    });

    it("a raised bookkeep:quotas.elasticIps clears the quota and its bootstrap step", async () => {
        const p = preflightOf(await plan("production", undefined, { "bookkeep:quotas": { elasticIps: 10 } }));
        expect(quota(p, "elasticIps")).to.include({ used: 6, limit: 10, exceeded: false, limitFrom: "bookkeep:quotas" });
        expect(p.bootstrap.map(s => s.id)).to.not.include("quota-elasticIps");
    });

    it("production on GCP with 50 GB disks: 1,030 GB of SSD at the maximum (11 x 50 + 480), still above 500, so the quota step stays", async () => {
        const p = preflightOf(await plan("production-gcp"));
        expect(quota(p, "ssdTotalGb")).to.include({ used: 8 * 50 + 480, usedAtMaximum: 11 * 50 + 480, limit: 500, exceeded: true });
        expect(p.bootstrap.filter(s => s.id === "quota-ssdTotalGb")).to.have.length(1);
        expect(p.capacity.atMinimum!.shortfalls).to.deep.equal([]);
    });

    it("staging on AWS and GCP are within every quota", async () => {
        expect(preflightOf(await plan("staging")).quotas.filter(q => q.exceeded)).to.deep.equal([]);
        expect(preflightOf(await plan("staging-gcp")).quotas.filter(q => q.exceeded)).to.deep.equal([]);
    });

    it("prints no step twice: every stack's checklist has unique ids", async () => {
        for (const stack of ["production", "staging", "production-gcp", "staging-gcp"]) {
            const ids = preflightOf(await plan(stack)).bootstrap.map(s => s.id);
            expect(new Set(ids).size, stack).to.equal(ids.length);
        }
        const step: BootstrapStep = { id: "cluster-api-path", text: "again", when: "before-up" };
        const resources = (await plan("staging")).plan.resources;
        expect(() => bootstrap(resources, [], [step]))
            .to.throw("bootstrap step(s) cluster-api-path listed twice: each step has one source (the plan or the cloud's step function)");
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

    it("reaches a managed group's maxNodes only with cluster-autoscaler: Karpenter never resizes the group", () => {
        const chart = (name: string): PreflightResource => ({ type: "kubernetes:helm.sh/v4:Chart", urn: name, name, inputs: { chart: `./charts/${name}-1.14.1.tgz`, values: {} } });
        const ca = capacity(eks("m6i.large", 2, [chart("cluster-autoscaler")]));
        expect([ca.autoscaler, ca.atMaximum!.allocatable.nodes]).to.deep.equal(["cluster-autoscaler", 4]);
        const k = capacity(eks("m6i.large", 2, [chart("karpenter")]));
        expect([k.autoscaler, k.atMaximum!.allocatable.nodes]).to.deep.equal(["karpenter", 2]);
        expect(k.notes).to.include("ng: maxNodes 4 is headroom for upgrades only: Karpenter launches nodes of its own and never resizes the group (2)");
    });

    /** A NodePool allowing three types, limited to `cpu`, on a node class whose kubelet admits 110 pods. */
    const karpenter = (cpu: string): PreflightResource[] => [
        { type: "kubernetes:karpenter.sh/v1:NodePool", urn: "np", name: "np", inputs: { spec: {
            template: { spec: { nodeClassRef: { name: "nc" }, requirements: [{ key: "node.kubernetes.io/instance-type", operator: "In", values: ["m5.xlarge", "t3.large", "c5.xlarge"] }] } },
            limits: { cpu, memory: "64Gi" } } } },
        { type: "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", urn: "nc", name: "nc", inputs: { metadata: { name: "nc" }, spec: { kubelet: { maxPods: 110 } } } },
    ];

    it("counts a Karpenter NodePool as its smallest type up to its limits, launches the floor the HPA minimum needs, and judges the minimum against the limits", () => {
        const c = capacity(eks("t3.medium", 2, [...karpenter("8"), deployment("api", 10, "500m")], { env: { ENABLE_PREFIX_DELEGATION: "true" } }));
        expect(c.pools.map(p => [p.name, p.type, p.startNodes, p.reachableNodes, p.perNode!.pods])).to.deep.equal([["ng", "t3.medium", 2, 2, 110], ["np", "t3.large", 2, 4, 110]]);
        expect(c.atMinimum!.allocatable.nodes).to.equal(6);
        expect(c.atMinimum!.shortfalls).to.deep.equal([]);
    });

    it("says so when the NodePool's limits are too low for the HPA minimum", () => {
        const c = capacity(eks("t3.medium", 2, [...karpenter("2"), deployment("api", 10, "500m")], { env: { ENABLE_PREFIX_DELEGATION: "true" } }));
        expect(c.atMinimum!.shortfalls).to.deep.equal(["CPU requests 5.99 vCPU > 5.79 vCPU allocatable on 2 x t3.medium + 1 x t3.large (Karpenter NodePool np: limits 2.00 vCPU, 64.0 GiB)"]);
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
        expect(text).to.contain("at HPA minimum: CPU 14.83/19.30 vCPU, memory 34.4/64.7 GiB, pods 108/1100 on 10 node(s): fits");
        expect(text).to.contain("  Bootstrap checklist (before the first `pulumi up` unless marked):\n    1. Enable the opt-in region ap-south-2");
        expect(text).to.contain("\n       $ aws service-quotas request-service-quota-increase --region ap-south-1 --service-code ec2 --quota-code L-0263D0A3 --desired-value 6\n");
        expect(text).to.match(/Monthly cost estimate \(USD, .*\): \$[\d,]+ at HPA minimum, \$[\d,]+ at HPA maximum/);
        const md = markdownSummary(r.plan, r.evaluation);
        expect(md).to.contain("| at HPA minimum (10 nodes) | +4.47 vCPU, +30.4 GiB, +992 pods | fits |");
        expect(md).to.contain("| at HPA maximum (10 nodes) | -7.53 vCPU, +18.4 GiB, +944 pods | **does not fit**: CPU requests 26.83 vCPU > 19.30 vCPU allocatable on " +
            "2 x t3.large + 8 x t3.large (Karpenter NodePool bookkeep-aws-karpenter-general: limits 16.00 vCPU, 64.0 GiB) |");
        expect(md).to.match(/- monthly cost estimate: \$[\d,]+ \(HPA minimum\) – \$[\d,]+ \(HPA maximum\), USD on-demand/);
    });

    it("says the local stack's capacity is not checked and has no cloud cost", async () => {
        const p = preflightOf(await plan("development"));
        expect(p.capacity.applicable).to.equal(false);
        expect([p.quotas, p.bootstrap, p.cost.items]).to.deep.equal([[], [], []]);
    });
});
