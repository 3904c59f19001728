/**
 * Quotas: what the plan consumes of each regional quota that stops applies in practice, at the
 * first apply (starting node counts) and at the most nodes the autoscaler can reach, against the
 * defaults of a new account/project or the values the stack sets in `bookkeep:quotas`.
 */
import type { Props } from "../../policies/helpers";
import { Capacity } from "./capacity";
import { envoyProxyType } from "./envoyProxies";
import { nodeType } from "./nodeTypes";
import { awsQuotas, gcpQuotas, QuotaDefault } from "./quotaTable";
import { PreflightResource, regionOf } from "./resources";

export interface QuotaRow {
    readonly key: string;
    readonly quota: string;
    readonly unit: string;
    readonly region: string;
    readonly limit: number;
    /** "default" (the table, with its source) or "bookkeep:quotas" (the stack raised it). */
    readonly limitFrom: string;
    readonly used: number;
    readonly usedAtMaximum: number;
    readonly exceeded: boolean;
    /** How the usage was counted. */
    readonly basis: string;
    readonly request?: QuotaDefault["request"];
}

export type QuotaOverrides = Readonly<Record<string, number | undefined>>;

interface Usage {
    readonly used: number;
    readonly usedAtMaximum: number;
    readonly basis: string;
}

const count = (resources: readonly PreflightResource[], type: string, where: (r: PreflightResource) => boolean = () => true) =>
    resources.filter(r => r.type === type && where(r)).length;

/** Persistent volume GiB per StorageClass at the workloads' maximum replicas (StatefulSets keep their claims). */
function claimedGib(cap: Capacity, isClass: (storageClass: string) => boolean): { min: number; max: number } {
    let min = 0;
    let max = 0;
    for (const w of cap.workloads) {
        for (const v of w.volumes ?? []) {
            if (isClass(v.storageClass)) {
                min += v.gib * w.minReplicas;
                max += v.gib * w.maxReplicas;
            }
        }
    }
    return { min, max };
}

/**
 * Inbound rules the AWS cloud controller writes on the nodes' security group for a load-balancer
 * Service (an in-tree NLB): a client rule per source range and port, an ICMP path-MTU rule per
 * source range, and a health-check rule per port from the VPC. The group's own rules come on top.
 * IPv4 only: IPv6 rules count against a quota of their own.
 */
function loadBalancerRules(resources: readonly PreflightResource[]): number {
    const rules = (spec: Props, ports: number) => {
        const ranges = ((spec.loadBalancerSourceRanges ?? ["0.0.0.0/0"]) as string[]).filter(c => !c.includes(":")).length;
        return ranges * (ports + 1) + ports;
    };
    const services = resources.filter(r => r.type === "kubernetes:core/v1:Service" && r.inputs.spec?.type === "LoadBalancer")
        .reduce((n, r) => n + rules(r.inputs.spec, (r.inputs.spec?.ports ?? []).length), 0);
    // Envoy Gateway gives the proxies' Service one port per distinct listener port of the Gateways.
    const listenerPorts = new Set(resources.filter(r => r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway")
        .flatMap(r => (r.inputs.spec?.listeners ?? []).map((l: Props) => Number(l?.port)))).size;
    const proxies = resources.filter(r => r.type === envoyProxyType && r.inputs.spec?.provider?.kubernetes?.envoyService?.type === "LoadBalancer")
        .reduce((n, r) => n + rules(r.inputs.spec.provider.kubernetes.envoyService, listenerPorts), 0);
    return services + proxies;
}

function awsUsage(resources: readonly PreflightResource[], cap: Capacity, inRegion: (r: PreflightResource) => boolean): Record<string, Usage> {
    const eips = count(resources, "aws:ec2/eip:Eip", inRegion);
    const nats = count(resources, "aws:ec2/natGateway:NatGateway", inRegion);
    const azs = new Set(resources.filter(r => r.type === "aws:ec2/subnet:Subnet" && inRegion(r)).map(r => String(r.inputs.availabilityZone))).size || 1;
    const pools = cap.pools.filter(p => p.cloud === "aws");
    const vcpu = (nodes: (p: typeof pools[number]) => number) => pools.reduce((n, p) => n + nodes(p) * (nodeType("aws", p.type)?.vcpu ?? 0), 0);
    // A NodePool's CPU limit bounds what Karpenter launches, whatever the mix of types.
    const karpenterCpu = pools.reduce((n, p) => n + (p.karpenter ? p.karpenter.cpuLimitMillicores / 1000 : 0), 0);
    const rootGib = resources.filter(r => r.type === "aws:ec2/launchTemplate:LaunchTemplate")
        .flatMap(r => (r.inputs.blockDeviceMappings ?? []).map((b: Props) => (b?.ebs?.volumeType === "gp3" ? Number(b.ebs.volumeSize ?? 0) : 0)))
        .reduce((a: number, b: number) => a + b, 0);
    const gp3Classes = new Set(resources.filter(r => r.type === "kubernetes:storage.k8s.io/v1:StorageClass" && r.inputs.parameters?.type === "gp3")
        .map(r => String(r.inputs.metadata?.name)));
    const claims = claimedGib(cap, c => gp3Classes.has(c));
    const tib = (gib: number) => Math.round((gib / 1024) * 100) / 100;
    return {
        elasticIps: { used: eips, usedAtMaximum: eips, basis: "aws:ec2/eip:Eip resources (NAT gateways and the ingress load balancer)" },
        natGatewaysPerAz: { used: Math.ceil(nats / azs), usedAtMaximum: Math.ceil(nats / azs), basis: `${nats} NAT gateway(s) over ${azs} AZ(s)` },
        vpcs: { used: count(resources, "aws:ec2/vpc:Vpc", inRegion), usedAtMaximum: count(resources, "aws:ec2/vpc:Vpc", inRegion), basis: "aws:ec2/vpc:Vpc resources" },
        onDemandStandardVcpus: {
            used: vcpu(p => p.startNodes), usedAtMaximum: vcpu(p => (p.karpenter ? 0 : p.reachableNodes)) + karpenterCpu,
            basis: "node vCPU at the first apply (Karpenter's floor included) and at the reachable maximum (managed groups plus the Karpenter NodePool CPU limits)",
        },
        gp3StorageTib: {
            used: tib(rootGib * pools.reduce((n, p) => n + p.startNodes, 0) + claims.min),
            usedAtMaximum: tib(rootGib * pools.reduce((n, p) => n + p.reachableNodes, 0) + claims.max),
            basis: "node root volumes plus persistent volume claims on gp3 StorageClasses",
        },
        securityGroupRules: {
            used: loadBalancerRules(resources), usedAtMaximum: loadBalancerRules(resources),
            basis: "inbound IPv4 rules the cloud controller writes on the nodes' security group for load-balancer Services (per source range: one per port " +
                "and one path-MTU rule; one health-check rule per port); the group's own rules come on top",
        },
    };
}

/** GKE's built-in StorageClasses; others are looked up in the plan. */
const gkeClassDisk: Record<string, string> = { "premium-rwo": "pd-ssd", "standard-rwo": "pd-balanced", standard: "pd-standard" };
const ssdDisks = ["pd-ssd", "pd-balanced"];

function gcpUsage(resources: readonly PreflightResource[], cap: Capacity, inRegion: (r: PreflightResource) => boolean): Record<string, Usage> {
    const classDisk = new Map(Object.entries(gkeClassDisk));
    resources.filter(r => r.type === "kubernetes:storage.k8s.io/v1:StorageClass")
        .forEach(r => classDisk.set(String(r.inputs.metadata?.name), String(r.inputs.parameters?.type ?? "pd-balanced")));
    const claims = claimedGib(cap, c => ssdDisks.includes(classDisk.get(c) ?? (c === "(default)" ? "pd-balanced" : "")));
    const poolRes = resources.filter(r => r.type === "gcp:container/nodePool:NodePool");
    const diskOf = (name: string) => {
        const r = poolRes.find(x => x.name === name);
        const type = String(r?.inputs.nodeConfig?.diskType ?? "pd-balanced");
        return ssdDisks.includes(type) ? Number(r?.inputs.nodeConfig?.diskSizeGb ?? 100) : 0;
    };
    const pools = cap.pools.filter(p => p.cloud === "gcp");
    // An upgrade adds maxSurge nodes per pool on top of the autoscaler's maximum, each with its boot disk.
    const surgeOf = (name: string) => Number(poolRes.find(x => x.name === name)?.inputs.upgradeSettings?.maxSurge ?? 1);
    const bootGb = (nodes: (p: typeof pools[number]) => number) => pools.reduce((n, p) => n + nodes(p) * diskOf(p.name), 0);
    const surgeGb = pools.reduce((n, p) => n + surgeOf(p.name) * diskOf(p.name), 0);
    const cpuOf = (family: string, nodes: (p: typeof pools[number]) => number) =>
        pools.filter(p => p.type.split("-")[0] === family).reduce((n, p) => n + nodes(p) * (nodeType("gcp", p.type)?.vcpu ?? 0), 0);
    const cpus = (family: string): Usage => ({ used: cpuOf(family, p => p.startNodes), usedAtMaximum: cpuOf(family, p => p.reachableNodes), basis: `${family} node vCPU` });
    const external = count(resources, "gcp:compute/address:Address", r => inRegion(r) && r.inputs.addressType !== "INTERNAL");
    const nats = count(resources, "gcp:compute/routerNat:RouterNat", inRegion);
    return {
        // Persistent Disk counts in GB of 2^30 bytes, as PVCs ask in GiB: the same number.
        ssdTotalGb: {
            used: bootGb(p => p.startNodes) + Math.round(claims.min), usedAtMaximum: bootGb(p => p.reachableNodes) + surgeGb + Math.round(claims.max),
            basis: "SSD-backed node boot disks (pd-balanced/pd-ssd; at the maximum plus the upgrade surge) plus persistent volume claims on SSD StorageClasses",
        },
        cpus: cpus("e2"),
        n2Cpus: cpus("n2"),
        n2dCpus: cpus("n2d"),
        inUseAddresses: { used: external + nats, usedAtMaximum: external + nats, basis: "regional external addresses plus at least one auto-allocated address per Cloud NAT" },
        staticAddresses: { used: external, usedAtMaximum: external, basis: "reserved regional external addresses" },
    };
}

export function quotas(resources: readonly PreflightResource[], cap: Capacity, overrides: QuotaOverrides = {}): QuotaRow[] {
    const byUrn = new Map(resources.map(r => [r.urn, r]));
    const cloud = cap.pools[0]?.cloud ?? (resources.some(r => r.type === "pulumi:providers:aws") ? "aws" : resources.some(r => r.type === "pulumi:providers:gcp") ? "gcp" : undefined);
    if (!cloud) {
        return [];
    }
    const anchor = resources.find(r => r.type === (cloud === "aws" ? "aws:eks/cluster:Cluster" : "gcp:container/cluster:Cluster"));
    const region = (anchor && regionOf(anchor, byUrn)) ?? "";
    const inRegion = (r: PreflightResource) => regionOf(r, byUrn) === region;
    const usage = cloud === "aws" ? awsUsage(resources, cap, inRegion) : gcpUsage(resources, cap, inRegion);
    const table: readonly QuotaDefault[] = cloud === "aws" ? awsQuotas : gcpQuotas;
    return table.flatMap(q => {
        const u = usage[q.key];
        if (!u || !(u.usedAtMaximum > 0 || overrides[q.key] !== undefined)) {
            return [];
        }
        const raised = overrides[q.key];
        const limit = raised ?? q.limit;
        return [{
            key: q.key, quota: q.quota, unit: q.unit, region, limit, limitFrom: raised !== undefined ? "bookkeep:quotas" : "default",
            used: u.used, usedAtMaximum: u.usedAtMaximum, exceeded: u.used > limit || u.usedAtMaximum > limit, basis: u.basis,
            ...(q.request ? { request: q.request } : {}),
        }];
    });
}
