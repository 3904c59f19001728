/**
 * Capacity: do the plan's pods fit the plan's nodes? Requests of every workload (HPA minimum and
 * maximum; DaemonSets once per node; the cloud's own system pods) against the allocatable CPU,
 * memory and pod slots of the node pools at their starting size and at the largest size an
 * autoscaler can actually reach. Totals are a necessary condition (bin-packing can only do worse);
 * the largest pod must also fit one node.
 */
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
const karpenterNodePool = "kubernetes:karpenter.sh/v1:NodePool";

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
    const chart = resources.find(r => chartTypes.includes(r.type) && autoscalerCharts.includes(String(r.inputs.chart)));
    if (chart) {
        return String(chart.inputs.chart);
    }
    return resources.some(r => r.type === karpenterNodePool) ? "karpenter" : null;
}

export function nodePools(resources: readonly PreflightResource[]): NodePool[] {
    const prefix = prefixDelegationOn(resources);
    const autoscaled = findAutoscaler(resources) !== null;
    const pools: NodePool[] = [];
    for (const r of resources) {
        if (r.type === "aws:eks/nodeGroup:NodeGroup") {
            const type = String((r.inputs.instanceTypes ?? [])[0] ?? "");
            const s = r.inputs.scalingConfig ?? {};
            const node = nodeType("aws", type);
            pools.push({
                name: r.name, cloud: "aws", type, startNodes: s.desiredSize ?? s.minSize ?? 0, minNodes: s.minSize ?? 0, maxNodes: s.maxSize ?? 0,
                reachableNodes: autoscaled ? s.maxSize ?? 0 : s.desiredSize ?? 0,
                perNode: node && allocatable("aws", node, prefix), prefixDelegation: prefix,
            });
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

function scenario(workloads: readonly Workload[], pools: readonly NodePool[], nodesOf: (p: NodePool) => number, at: "min" | "max",
    extra: { cpuMillicores: number; memoryMib: number }): Scenario {
    const nodes = pools.reduce((n, p) => n + nodesOf(p), 0);
    const requested = demand(workloads, nodes, at);
    const sum = (f: (a: Allocatable) => number) => pools.reduce((n, p) => n + nodesOf(p) * (p.perNode ? f(p.perNode) : 0), 0);
    const alloc: Demand = {
        nodes, pods: sum(a => a.pods),
        cpuMillicores: sum(a => a.cpuMillicores) + extra.cpuMillicores, memoryMib: sum(a => a.memoryMib) + extra.memoryMib,
    };
    const what = pools.map(p => `${nodesOf(p)} x ${p.type}`).join(" + ") + (extra.cpuMillicores > 0 ? " + the Karpenter NodePool limits" : "");
    const shortfalls: string[] = [];
    if (requested.cpuMillicores > alloc.cpuMillicores) {
        shortfalls.push(`CPU requests ${fmtCpu(requested.cpuMillicores)} > ${fmtCpu(alloc.cpuMillicores)} allocatable on ${what}`);
    }
    if (requested.memoryMib > alloc.memoryMib) {
        shortfalls.push(`memory requests ${fmtMem(requested.memoryMib)} > ${fmtMem(alloc.memoryMib)} allocatable on ${what}`);
    }
    // Karpenter nodes add pod slots of their own; only a managed pool's limit is certain.
    if (extra.cpuMillicores === 0 && requested.pods > alloc.pods) {
        const pd = pools.some(p => p.cloud === "aws") ? (pools.every(p => p.prefixDelegation) ? " (VPC CNI prefix delegation on)" : " (VPC CNI per-ENI limit, no prefix delegation)") : "";
        shortfalls.push(`${requested.pods} pods > ${alloc.pods} pod slots on ${what}${pd}`);
    }
    const biggest = pools.map(p => p.perNode).filter((a): a is Allocatable => a !== undefined);
    const largestNode = biggest.length > 0 ? Math.max(...biggest.map(a => a.cpuMillicores)) : 0;
    const tooBig = workloads.filter(w => biggest.length > 0 && extra.cpuMillicores === 0 && w.cpuMillicores > largestNode);
    tooBig.forEach(w => shortfalls.push(`${w.id} requests ${fmtCpu(w.cpuMillicores)} per pod, more than one node allocates (${fmtCpu(largestNode)})`));
    return {
        requested, allocatable: alloc, shortfalls,
        headroom: { cpuMillicores: alloc.cpuMillicores - requested.cpuMillicores, memoryMib: alloc.memoryMib - requested.memoryMib, pods: alloc.pods - requested.pods },
    };
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
    pools.filter(p => p.cloud === "aws" && !autoscaler && p.maxNodes > p.startNodes)
        .forEach(p => notes.push(`${p.name}: maxNodes ${p.maxNodes} is unreachable: no node autoscaler (Karpenter or cluster-autoscaler) is in the plan, so the group stays at ${p.startNodes}`));
    if (inv.batch > 0) {
        notes.push(`${inv.batch} Job/CronJob objects are not counted: their pods run briefly and need headroom while they do`);
    }
    inv.uncountedCharts.forEach(c => notes.push(`chart ${c}: neither rendered objects nor a values reader, its pods are not counted`));
    const karpenter = resources.filter(r => r.type === karpenterNodePool);
    const limits = {
        cpuMillicores: karpenter.reduce((n, r) => n + millicores(r.inputs.spec?.limits?.cpu), 0),
        memoryMib: karpenter.reduce((n, r) => n + mebibytes(r.inputs.spec?.limits?.memory), 0),
    };
    return {
        applicable: true, pools, autoscaler, workloads, uncountedCharts: inv.uncountedCharts, notes,
        atMinimum: scenario(workloads, pools, p => p.startNodes, "min", { cpuMillicores: 0, memoryMib: 0 }),
        atMaximum: scenario(workloads, pools, p => p.reachableNodes, "max", limits),
    };
}
