/**
 * Node sizes and per-node limits: what one node of a type offers before reservations, and how many
 * pods its network allows. Pinned; every figure names its source and when it was read.
 */

export interface Sourced {
    /** Where the figure comes from (a document or file), and when it was read. */
    readonly source: string;
    readonly date: string;
}

export interface NodeType {
    readonly vcpu: number;
    readonly memoryMib: number;
    /** Pods one node admits (AWS: the VPC CNI's per-ENI limit; GKE: max pods per node). */
    readonly maxPods: number;
    /** With VPC CNI prefix delegation (AWS only). */
    readonly maxPodsWithPrefixDelegation?: number;
    /** GKE shared-core machines reserve a fixed amount of CPU. */
    readonly sharedCore?: boolean;
}

export const awsNodeSource: Sourced = {
    source: "EC2 User Guide, 'Maximum IP addresses per network interface' (ENIs, IPv4 per ENI); vCPU/memory from the EC2 instance type pages; " +
        "max pods = ENIs x (IPv4 per ENI - 1) + 2 as in awslabs/amazon-eks-ami templates/shared/runtime/eni-max-pods.txt; with prefix delegation " +
        "ENIs x (IPv4 per ENI - 1) x 16 + 2, capped at 110 below 30 vCPU (amazon-eks-ami max-pods-calculator.sh)",
    date: "2026-12-05",
};

export const gcpNodeSource: Sourced = {
    source: "Compute Engine machine types (E2, N2, N2D: vCPU, memory); GKE 'Configure maximum Pods per node' (110 by default on Standard clusters)",
    date: "2026-12-05",
};

/** [ENIs, IPv4 addresses per ENI] by size, per family group (EC2 network interface table). */
const burstableEnis: Record<string, [number, number]> = { medium: [3, 6], large: [3, 12], xlarge: [4, 15], "2xlarge": [4, 15] };
const standardEnis: Record<string, [number, number]> = { large: [3, 10], xlarge: [4, 15], "2xlarge": [4, 15], "4xlarge": [8, 30] };
const vcpuBySize: Record<string, number> = { medium: 2, large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16 };
/** GiB of memory per vCPU by family letter (t: 4 GiB on medium, then 4 per vCPU from large up). */
const gibPerVcpu: Record<string, number> = { m: 4, c: 2, r: 8 };

function awsNodeType(name: string): NodeType | undefined {
    const m = /^([a-z]+)(\d+)([a-z]*)\.(\w+)$/.exec(name);
    if (!m) {
        return undefined;
    }
    const [, family, , , size] = m;
    if (family === undefined || size === undefined) {
        return undefined;
    }
    const burstable = family === "t";
    const enis = (burstable ? burstableEnis : standardEnis)[size];
    const vcpu = vcpuBySize[size];
    if (!enis || !vcpu) {
        return undefined;
    }
    const memoryGib = burstable ? (size === "medium" ? 4 : vcpu * 4) : vcpu * (gibPerVcpu[family] ?? 0);
    if (memoryGib === 0) {
        return undefined;
    }
    const [n, ips] = enis;
    return {
        vcpu,
        memoryMib: memoryGib * 1024,
        maxPods: n * (ips - 1) + 2,
        maxPodsWithPrefixDelegation: vcpu < 30 ? Math.min(110, n * (ips - 1) * 16 + 2) : 250,
    };
}

function gcpNodeType(name: string): NodeType | undefined {
    if (name === "e2-medium") {
        return { vcpu: 2, memoryMib: 4 * 1024, maxPods: 110, sharedCore: true };
    }
    const m = /^(e2|n2|n2d)-(standard|highmem)-(\d+)$/.exec(name);
    if (!m) {
        return undefined;
    }
    const vcpu = Number(m[3]);
    return { vcpu, memoryMib: vcpu * (m[2] === "standard" ? 4 : 8) * 1024, maxPods: 110 };
}

/** The node type, or undefined for a type not in the tables (the capacity check then says so). */
export function nodeType(cloud: "aws" | "gcp", name: string): NodeType | undefined {
    return cloud === "aws" ? awsNodeType(name) : gcpNodeType(name);
}
