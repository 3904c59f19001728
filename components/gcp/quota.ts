/**
 * The regional SSD quota (`SSD_TOTAL_GB`, pd-ssd and pd-balanced together) a GCP stack needs at
 * its largest, from the config; the preflight counts the same from the plan (tests/gcp-disks.spec.ts
 * holds them equal). New projects get 500 GB in asia-south1, some only 250 GB; Cloud SQL's disks live in
 * Google's own project and do not count.
 */
import { Environment } from "../../stacks/schema";
import { nodeBootDiskGb, upgradeMaxSurge } from "./cluster";

/** What a new project may get; a stack that needs more must ask first (the plan's quota-ssdTotalGb checklist step). */
export const defaultSsdQuotaGb = { usual: 500, lowest: 250 } as const;

/**
 * The platform's persistent volumes on the CMEK pd-ssd class: Elasticsearch (components/k8s/
 * logging.ts), Prometheus (monitoring.ts), NATS JetStream (nats.ts) and Tempo's WAL (tempo.ts),
 * replicas times size; they size production apart from every other environment. The quota test
 * reads them back from the planned charts.
 */
export function platformVolumesGb(environment: Environment): number {
    return environment === "production" ? 3 * 100 + 2 * 50 + 3 * 20 + 2 * 10 : 1 * 30 + 1 * 20 + 1 * 5 + 1 * 10;
}

export interface SsdQuotaArgs {
    readonly environment: Environment;
    /** The node pool's autoscaling maximum (`cluster.maxNodes`). */
    readonly maxNodes: number;
}

/** SSD GB at the stack's largest: every node the autoscaler and an upgrade may run, and every volume. */
export function regionalSsdGb(args: SsdQuotaArgs): number {
    return (args.maxNodes + upgradeMaxSurge) * nodeBootDiskGb + platformVolumesGb(args.environment);
}
