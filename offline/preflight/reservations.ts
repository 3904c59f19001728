/**
 * What the kubelet and eviction keep back on each node: allocatable = capacity - reserved. The
 * formulas are the clouds' own; both reserve CPU by the same tiers.
 */
import { NodeType, Sourced } from "./nodeTypes";

export const reservationSources: Record<"aws" | "gcp", Sourced> = {
    aws: {
        source: "awslabs/amazon-eks-ami (AL2023 nodeadm kubelet config): kube-reserved CPU 6% of the first core, 1% of the second, 0.5% of cores 3-4, " +
            "0.25% above; memory 255 MiB + 11 MiB x max pods; eviction-hard memory.available 100Mi",
        date: "2026-12-05",
    },
    gcp: {
        source: "GKE 'Standard cluster architecture > Node allocatable resources': CPU by the same tiers (1060m on shared-core machines); memory 25% of the " +
            "first 4 GiB, 20% of the next 4, 10% of the next 8, 6% of the next 112, 2% above (255 MiB below 1 GiB); eviction 100 MiB",
        date: "2026-12-05",
    },
};

export function reservedMillicores(vcpu: number): number {
    const tiers: [number, number][] = [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]];
    let left = vcpu;
    let reserved = 0;
    for (const [cores, share] of tiers) {
        const n = Math.min(left, cores);
        reserved += n * 1000 * share;
        left -= n;
    }
    return Math.round(reserved);
}

function gkeReservedMemoryMib(memoryMib: number): number {
    if (memoryMib < 1024) {
        return 255;
    }
    const tiers: [number, number][] = [[4096, 0.25], [4096, 0.2], [8192, 0.1], [114688, 0.06], [Infinity, 0.02]];
    let left = memoryMib;
    let reserved = 0;
    for (const [mib, share] of tiers) {
        const n = Math.min(left, mib);
        reserved += n * share;
        left -= n;
    }
    return Math.round(reserved);
}

const evictionMib = 100;

export interface Allocatable {
    readonly cpuMillicores: number;
    readonly memoryMib: number;
    readonly pods: number;
}

/** One node's allocatable resources and pod limit. */
export function allocatable(cloud: "aws" | "gcp", node: NodeType, prefixDelegation = false): Allocatable {
    const pods = prefixDelegation && node.maxPodsWithPrefixDelegation !== undefined ? node.maxPodsWithPrefixDelegation : node.maxPods;
    const cpuReserved = cloud === "gcp" && node.sharedCore ? 1060 : reservedMillicores(node.vcpu);
    const memReserved = cloud === "aws" ? 255 + 11 * pods : gkeReservedMemoryMib(node.memoryMib);
    return { cpuMillicores: node.vcpu * 1000 - cpuReserved, memoryMib: node.memoryMib - memReserved - evictionMib, pods };
}
