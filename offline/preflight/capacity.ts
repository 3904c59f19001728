/**
 * Capacity: do the plan's pods fit the plan's nodes? Requests of every workload (HPA minimum and
 * maximum; DaemonSets once per node; the cloud's own system pods) against the allocatable CPU,
 * memory and pod slots of the node pools at their starting size and at the largest size an
 * autoscaler can actually reach. Totals are a necessary condition (bin-packing can only do worse);
 * the largest pod must also fit one node.
 *
 * The model: pending pods cause nodes wherever an autoscaler runs, so both scenarios are judged
 * against the capacity the stack can actually reach; they differ in the replicas (HPA minimum or
 * maximum). A Karpenter NodePool is a pool of its smallest allowed instance type, as many as its
 * `spec.limits` (CPU and memory) admit; managed EKS groups keep their desired size (Karpenter never
 * resizes them; cluster-autoscaler would take them to maxSize); a GKE pool reaches its autoscaling
 * maximum. A fixed pool (no autoscaler) is judged at the size it has.
 */
import type { Props } from "../../policies/helpers";
import { nodeType } from "./nodeTypes";
import { allocatable, Allocatable } from "./reservations";
import { chartTypes, isObject, mebibytes, millicores, PreflightResource } from "./resources";
import { eksSystemPods, gkeSystemPods } from "./systemPods";
import { Workload } from "./workload";
import { inventory } from "./workloads";

export interface NodePool {
    readonly name: string;
    readonly cloud: "aws" | "gcp";
    readonly type: string;
    /** Nodes the first apply creates (desired size / initial count x zones). */
    readonly startNodes: number;
    readonly minNodes: number;
    readonly maxNodes: number;
    /** The most nodes anything in the plan will ever add (maxNodes only when an autoscaler exists). */
    readonly reachableNodes: number;
    readonly perNode?: Allocatable;
    readonly prefixDelegation: boolean;
    /** A Karpenter NodePool: nodes exist only while pods ask for them; its limits, not a size, bound it. */
    readonly karpenter?: { readonly cpuLimitMillicores: number; readonly memoryLimitMib: number };
}

export interface Demand {
    readonly nodes: number;
    readonly pods: number;
    readonly cpuMillicores: number;
    readonly memoryMib: number;
}

export interface Scenario {
    readonly requested: Demand;
    readonly allocatable: Demand;
    readonly headroom: { readonly cpuMillicores: number; readonly memoryMib: number; readonly pods: number };
    /** One sentence per limit that is exceeded; empty when it fits. */
    readonly shortfalls: string[];
}

export interface Capacity {
    /** False when the plan has no node pool (a local cluster): nothing to check. */
    readonly applicable: boolean;
    readonly pools: NodePool[];
    readonly autoscaler: string | null;
    readonly atMinimum?: Scenario;
    readonly atMaximum?: Scenario;
    readonly workloads: Workload[];
    readonly uncountedCharts: string[];
    readonly notes: string[];
}

const autoscalerCharts = ["karpenter", "cluster-autoscaler"];
export const karpenterNodePool = "kubernetes:karpenter.sh/v1:NodePool";
const ec2NodeClass = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";

function prefixDelegationOn(resources: readonly PreflightResource[]): boolean {
    const cni = resources.find(r => r.type === "aws:eks/addon:Addon" && r.inputs.addonName === "vpc-cni");
    try {
        const values = JSON.parse(String(cni?.inputs.configurationValues ?? "{}"));
        return String(values?.env?.ENABLE_PREFIX_DELEGATION) === "true";
    } catch {
        return false;
    }
}

function findAutoscaler(resources: readonly PreflightResource[]): string | null {
    const chart = resources.find(r => chartTypes.includes(r.type) && autoscalerCharts.includes(chartName(r)));
    if (chart) {
        return chartName(chart);
    }
    return resources.some(r => r.type === karpenterNodePool) ? "karpenter" : null;
}

/** The chart name without a vendored archive's path and version (`./charts/karpenter-1.14.1.tgz`). */
function chartName(r: PreflightResource): string {
    const m = /(?:^|\/)([a-z0-9-]+?)(?:-v?\d[\w.]*)?(?:\.tgz)?$/.exec(String(r.inputs.chart ?? ""));
    return m?.[1] ?? "";
}

/**
 * One Karpenter NodePool as a pool of its smallest allowed type (the fewest pods and the largest
 * reservations per vCPU: the conservative reading), as many as the limits admit.
 */
function karpenterPool(r: PreflightResource, resources: readonly PreflightResource[], prefix: boolean): NodePool {
    const spec = r.inputs.spec ?? {};
    const reqs: Props[] = spec.template?.spec?.requirements ?? [];
    const allowed: string[] = reqs.find(q => q?.key === "node.kubernetes.io/instance-type" && q?.operator === "In")?.values ?? [];
    const known = allowed.map(t => ({ t, n: nodeType("aws", t) })).filter((x): x is { t: string; n: NonNullable<ReturnType<typeof nodeType>> } => x.n !== undefined)
        .sort((a, b) => a.n.vcpu - b.n.vcpu || a.n.memoryMib - b.n.memoryMib);
    const cpuLimit = millicores(spec.limits?.cpu);
    const memLimit = mebibytes(spec.limits?.memory);
    const smallest = known[0];
    const nodes = smallest ? Math.floor(Math.min(cpuLimit / (smallest.n.vcpu * 1000), memLimit > 0 ? memLimit / smallest.n.memoryMib : Infinity)) : 0;
    const classRef = spec.template?.spec?.nodeClassRef?.name;
    const nodeClass = resources.find(x => x.type === ec2NodeClass && x.inputs.metadata?.name === classRef);
    const kubeletMaxPods = nodeClass?.inputs.spec?.kubelet?.maxPods;
    let node = smallest?.n;
    if (node && typeof kubeletMaxPods === "number") {
        // The node class's kubelet setting caps what the network would admit.
        const pods = Math.min(kubeletMaxPods, prefix ? node.maxPodsWithPrefixDelegation ?? node.maxPods : node.maxPods);
        node = { ...node, maxPods: pods, maxPodsWithPrefixDelegation: pods };
    }
    return {
        name: r.name, cloud: "aws", type: smallest?.t ?? (allowed.join(",") || "(any)"), startNodes: 0, minNodes: 0, maxNodes: nodes, reachableNodes: nodes,
        perNode: node && allocatable("aws", node, prefix),
        prefixDelegation: prefix, karpenter: { cpuLimitMillicores: cpuLimit, memoryLimitMib: memLimit },
    };
}

export function nodePools(resources: readonly PreflightResource[]): NodePool[] {
    const prefix = prefixDelegationOn(resources);
    // Only cluster-autoscaler resizes a managed group; Karpenter launches nodes of its own.
    const resizesGroups = findAutoscaler(resources) === "cluster-autoscaler";
    const pools: NodePool[] = [];
    for (const r of resources) {
        if (r.type === "aws:eks/nodeGroup:NodeGroup") {
            const type = String((r.inputs.instanceTypes ?? [])[0] ?? "");
            const s = r.inputs.scalingConfig ?? {};
            const node = nodeType("aws", type);
            pools.push({
                name: r.name, cloud: "aws", type, startNodes: s.desiredSize ?? s.minSize ?? 0, minNodes: s.minSize ?? 0, maxNodes: s.maxSize ?? 0,
                reachableNodes: resizesGroups ? s.maxSize ?? 0 : s.desiredSize ?? 0,
                perNode: node && allocatable("aws", node, prefix), prefixDelegation: prefix,
            });
        } else if (r.type === karpenterNodePool) {
            pools.push(karpenterPool(r, resources, prefix));
        } else if (r.type === "gcp:container/nodePool:NodePool") {
            const type = String(r.inputs.nodeConfig?.machineType ?? "e2-medium");
            const zones = Array.isArray(r.inputs.nodeLocations) ? r.inputs.nodeLocations.length : 3;
            const a = r.inputs.autoscaling ?? {};
            const start = (r.inputs.initialNodeCount ?? r.inputs.nodeCount ?? 1) * zones;
            const node = nodeType("gcp", type);
            const maxPods = r.inputs.maxPodsPerNode;
            const per = node && allocatable("gcp", typeof maxPods === "number" ? { ...node, maxPods } : node);
            const max = a.totalMaxNodeCount ?? (a.maxNodeCount !== undefined ? a.maxNodeCount * zones : start);
            pools.push({
                name: r.name, cloud: "gcp", type, startNodes: start, minNodes: a.totalMinNodeCount ?? (a.minNodeCount ?? 0) * zones, maxNodes: max,
                // GKE's cluster autoscaler is built in: a pool with bounds scales to them.
                reachableNodes: isObject(r.inputs.autoscaling) ? max : start,
                perNode: per, prefixDelegation: false,
            });
        }
    }
    return pools;
}

function demand(workloads: readonly Workload[], nodes: number, at: "min" | "max"): Demand {
    let pods = 0;
    let cpu = 0;
    let mem = 0;
    for (const w of workloads) {
        const n = w.kind === "DaemonSet" ? nodes : at === "min" ? w.minReplicas : w.maxReplicas;
        pods += n;
        cpu += n * w.cpuMillicores;
        mem += n * w.memoryMib;
    }
    return { nodes, pods, cpuMillicores: Math.round(cpu), memoryMib: Math.round(mem) };
}

const fmtCpu = (m: number) => `${(m / 1000).toFixed(2)} vCPU`;
const fmtMem = (mib: number) => `${(mib / 1024).toFixed(1)} GiB`;

function describe(p: NodePool, n: number): string {
    return p.karpenter
        ? `${n} x ${p.type} (Karpenter NodePool ${p.name}: limits ${fmtCpu(p.karpenter.cpuLimitMillicores)}, ${fmtMem(p.karpenter.memoryLimitMib)})`
        : `${n} x ${p.type}`;
}

function scenario(workloads: readonly Workload[], pools: readonly NodePool[], nodesOf: (p: NodePool) => number, at: "min" | "max"): Scenario {
    const nodes = pools.reduce((n, p) => n + nodesOf(p), 0);
    const requested = demand(workloads, nodes, at);
    const sum = (f: (a: Allocatable) => number) => pools.reduce((n, p) => n + nodesOf(p) * (p.perNode ? f(p.perNode) : 0), 0);
    const alloc: Demand = { nodes, pods: sum(a => a.pods), cpuMillicores: sum(a => a.cpuMillicores), memoryMib: sum(a => a.memoryMib) };
    const what = pools.filter(p => nodesOf(p) > 0 || !p.karpenter).map(p => describe(p, nodesOf(p))).join(" + ");
    const shortfalls: string[] = [];
    if (requested.cpuMillicores > alloc.cpuMillicores) {
        shortfalls.push(`CPU requests ${fmtCpu(requested.cpuMillicores)} > ${fmtCpu(alloc.cpuMillicores)} allocatable on ${what}`);
    }
    if (requested.memoryMib > alloc.memoryMib) {
        shortfalls.push(`memory requests ${fmtMem(requested.memoryMib)} > ${fmtMem(alloc.memoryMib)} allocatable on ${what}`);
    }
    if (requested.pods > alloc.pods) {
        const pd = pools.some(p => p.cloud === "aws") ? (pools.every(p => p.prefixDelegation) ? " (VPC CNI prefix delegation on)" : " (VPC CNI per-ENI limit, no prefix delegation)") : "";
        shortfalls.push(`${requested.pods} pods > ${alloc.pods} pod slots on ${what}${pd}`);
    }
    const biggest = pools.filter(p => nodesOf(p) > 0).map(p => p.perNode).filter((a): a is Allocatable => a !== undefined);
    const largestNode = biggest.length > 0 ? Math.max(...biggest.map(a => a.cpuMillicores)) : 0;
    const tooBig = workloads.filter(w => biggest.length > 0 && w.cpuMillicores > largestNode);
    tooBig.forEach(w => shortfalls.push(`${w.id} requests ${fmtCpu(w.cpuMillicores)} per pod, more than one node allocates (${fmtCpu(largestNode)})`));
    return {
        requested, allocatable: alloc, shortfalls,
        headroom: { cpuMillicores: alloc.cpuMillicores - requested.cpuMillicores, memoryMib: alloc.memoryMib - requested.memoryMib, pods: alloc.pods - requested.pods },
    };
}

/**
 * The autoscalers' floor: for each pool an autoscaler grows (Karpenter, GKE's, cluster-autoscaler),
 * the fewest nodes from its starting size (filled in pool order) that fit the HPA minimum, capped
 * at its reach. This is what runs once the first apply's pods are scheduled, so the cost and quota
 * "now" figures count it.
 */
function withAutoscalerFloor(workloads: readonly Workload[], pools: readonly NodePool[]): NodePool[] {
    let out = [...pools];
    // Earlier iterations replace only earlier entries, so `pools[i]` is still `out[i]` here.
    for (const [i, p] of pools.entries()) {
        if (p.reachableNodes <= p.startNodes) {
            continue;
        }
        let n = p.startNodes;
        const at = (k: number) => out.map((q, j) => (j === i ? { ...q, startNodes: k } : q));
        while (n < p.reachableNodes && scenario(workloads, at(n), q => q.startNodes, "min").shortfalls.length > 0) {
            n++;
        }
        out = at(n);
    }
    return out;
}

export function capacity(resources: readonly PreflightResource[]): Capacity {
    const pools = nodePools(resources);
    const inv = inventory(resources);
    const autoscaler = findAutoscaler(resources);
    const notes: string[] = [];
    if (pools.length === 0) {
        return { applicable: false, pools, autoscaler, workloads: inv.workloads, uncountedCharts: inv.uncountedCharts, notes: ["no node pool in the plan (an existing cluster): capacity is not checked"] };
    }
    const system = pools.some(p => p.cloud === "aws") ? eksSystemPods : gkeSystemPods;
    const workloads = [...system, ...inv.workloads];
    pools.filter(p => !p.perNode).forEach(p => notes.push(`node type ${p.type} of ${p.name} is not in offline/preflight/nodeTypes.ts: its capacity counts as 0`));
    pools.filter(p => p.cloud === "aws" && !p.karpenter && autoscaler !== "cluster-autoscaler" && p.maxNodes > p.startNodes)
        .forEach(p => notes.push(autoscaler === "karpenter"
            ? `${p.name}: maxNodes ${p.maxNodes} is headroom for upgrades only: Karpenter launches nodes of its own and never resizes the group (${p.startNodes})`
            : `${p.name}: maxNodes ${p.maxNodes} is unreachable: no node autoscaler (Karpenter or cluster-autoscaler) is in the plan, so the group stays at ${p.startNodes}`));
    pools.filter(p => p.karpenter && p.maxNodes === 0).forEach(p => notes.push(`${p.name}: the Karpenter NodePool's limits or instance types admit no node type in offline/preflight/nodeTypes.ts: its capacity counts as 0`));
    if (inv.batch > 0) {
        notes.push(`${inv.batch} Job/CronJob objects are not counted: their pods run briefly and need headroom while they do`);
    }
    inv.uncountedCharts.forEach(c => notes.push(`chart ${c}: neither rendered objects nor a values reader, its pods are not counted`));
    const sized = withAutoscalerFloor(workloads, pools);
    const gke = pools.some(p => p.cloud === "gcp" && p.reachableNodes > p.startNodes) ? "GKE cluster autoscaler" : null;
    return {
        applicable: true, pools: sized, autoscaler: autoscaler ?? gke, workloads, uncountedCharts: inv.uncountedCharts, notes,
        // Pending pods cause nodes wherever an autoscaler runs: the minimum is judged against what it can reach (Karpenter's
        // limits, a pool's autoscaling maximum) plus the fixed groups, not against what runs before the pods exist.
        atMinimum: scenario(workloads, sized, p => p.reachableNodes, "min"),
        atMaximum: scenario(workloads, sized, p => p.reachableNodes, "max"),
    };
}
