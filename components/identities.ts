/**
 * The in-cluster service accounts that get a cloud identity (IRSA / GKE Workload Identity): the
 * foundation binds them, the Kubernetes layer runs as them.
 */
import { Environment } from "../stacks/schema";
import { namespacesFor } from "./naming";

/** Workloads that act on cloud APIs through a workload identity, never static keys. */
export type IdentityWorkload = "backup" | "cert-manager" | "elasticsearch" | "tempo" | "velero";

/** Where in the backups bucket Elasticsearch keeps its snapshots; its identity reaches nothing else there. */
export const elasticsearchSnapshotPrefix = "elasticsearch";

export interface WorkloadSubject {
    readonly namespace: string;
    readonly serviceAccount: string;
}

/** The Kubernetes service account each identity-bearing workload runs as. */
export function workloadSubject(workload: IdentityWorkload, environment: Environment): WorkloadSubject {
    const ns = namespacesFor(environment);
    switch (workload) {
        case "backup":
            return { namespace: ns.app, serviceAccount: "db-backup" };
        case "cert-manager":
            return { namespace: ns.system, serviceAccount: "cert-manager" };
        case "elasticsearch":
            return { namespace: ns.monitoring, serviceAccount: "elasticsearch" };
        case "tempo":
            return { namespace: ns.monitoring, serviceAccount: "tempo" };
        case "velero":
            return { namespace: ns.system, serviceAccount: "velero" };
        default: {
            const exhaustive: never = workload;
            throw new Error(`unknown workload ${exhaustive}`);
        }
    }
}

/**
 * The hourly cache snapshot job's service account (AWS only: ElastiCache snapshots once a day by
 * itself; Memorystore snapshots hourly on its own, laptops keep none).
 */
export function cacheSnapshotSubject(environment: Environment): WorkloadSubject {
    return { namespace: namespacesFor(environment).app, serviceAccount: "redis-snapshot" };
}
