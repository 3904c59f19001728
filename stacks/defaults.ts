/**
 * Per-environment defaults: the seed's environment matrix, with the nearest GCP equivalents.
 * A stack file only states what differs from these (and what has no sensible default: the GCP
 * project and who may reach the Kubernetes API).
 *
 * | env         | nodes          | GCP nodes          | database                | GCP database            | replicas |
 * |-------------|----------------|--------------------|-------------------------|-------------------------|----------|
 * | development | local cluster  | -                  | in-cluster PostgreSQL   | -                       | 1-1      |
 * | staging     | 2 x t3.medium  | 2 x e2-medium      | db.t3.small             | db-g1-small             | 1-2      |
 * | production  | 5 x t3.large   | 5 x e2-standard-2  | db.r5.large, Multi-AZ   | db-custom-2-13312, HA   | 2-10     |
 */
import { Environment, StackConfig } from "./schema";

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type StackConfigInput = DeepPartial<StackConfig>;

const common = {
    aws: { region: "ap-south-1", drRegion: "ap-south-2", availabilityZones: ["ap-south-1a", "ap-south-1b", "ap-south-1c"] },
    gcp: { region: "asia-south1", drRegion: "asia-south2", zones: ["asia-south1-a", "asia-south1-b", "asia-south1-c"] },
    local: {},
    cluster: { kubernetesVersion: "1.35" },
    fleet: { imageRegistry: "ghcr.io/bookkeep", releaseVersion: "v1.0.0", canaries: {}, compactResources: false },
} satisfies StackConfigInput;

export const environmentDefaults: Record<Environment, StackConfigInput> = {
    development: {
        cloud: "local",
        domain: "bookkeep.localhost",
        network: {
            vpcCidr: "10.30.0.0/16", podsCidr: "10.32.0.0/14", servicesCidr: "10.36.0.0/20", privateServicesCidr: "10.37.0.0/20",
            controlPlaneCidr: "172.16.0.32/28", natGateways: "single", flowLogRetentionDays: 7,
        },
        cluster: {
            nodeCount: 1, minNodes: 1, maxNodes: 1, awsInstanceType: "t3.medium", gcpMachineType: "e2-medium",
            apiAllowedCidrs: ["127.0.0.1/32"],
        },
        database: {
            awsInstanceClass: "db.t3.micro", gcpTier: "db-f1-micro", highAvailability: false, allocatedStorageGb: 20,
            maxAllocatedStorageGb: 20, backupRetentionDays: 1, deletionProtection: false, crossRegionBackups: false,
        },
        cache: { awsNodeType: "cache.t3.micro", gcpMemorySizeGb: 1, highAvailability: false, snapshotRetentionDays: 1, hourlySnapshotsKept: 0 },
        fleet: { minReplicas: 1, maxReplicas: 1, compactResources: true },
        observability: { enabled: false, logRetentionDays: 7 },
    },
    staging: {
        cloud: "aws",
        domain: "staging.bookkeep.app",
        network: {
            vpcCidr: "10.20.0.0/16", podsCidr: "10.24.0.0/14", servicesCidr: "10.28.0.0/20", privateServicesCidr: "10.29.0.0/20",
            controlPlaneCidr: "172.16.0.16/28", natGateways: "single", flowLogRetentionDays: 30,
        },
        cluster: { nodeCount: 2, minNodes: 2, maxNodes: 4, awsInstanceType: "t3.medium", gcpMachineType: "e2-medium" },
        database: {
            awsInstanceClass: "db.t3.small", gcpTier: "db-g1-small", highAvailability: false, allocatedStorageGb: 20,
            maxAllocatedStorageGb: 100, backupRetentionDays: 7, deletionProtection: false, crossRegionBackups: false,
        },
        cache: { awsNodeType: "cache.t3.small", gcpMemorySizeGb: 1, highAvailability: false, snapshotRetentionDays: 3, hourlySnapshotsKept: 24 },
        fleet: { minReplicas: 1, maxReplicas: 2 },
        observability: { enabled: true, logRetentionDays: 30 },
    },
    production: {
        cloud: "aws",
        domain: "bookkeep.app",
        network: {
            vpcCidr: "10.10.0.0/16", podsCidr: "10.100.0.0/14", servicesCidr: "10.104.0.0/20", privateServicesCidr: "10.105.0.0/20",
            controlPlaneCidr: "172.16.0.0/28", natGateways: "perAz", flowLogRetentionDays: 365,
        },
        cluster: { nodeCount: 5, minNodes: 5, maxNodes: 10, awsInstanceType: "t3.large", gcpMachineType: "e2-standard-2" },
        database: {
            awsInstanceClass: "db.r5.large", gcpTier: "db-custom-2-13312", highAvailability: true, allocatedStorageGb: 100,
            maxAllocatedStorageGb: 1000,
            // 14 days of PITR: WAL is archived continuously (RPO minutes, within the seed's 1 h).
            backupRetentionDays: 14, deletionProtection: true, crossRegionBackups: true,
        },
        cache: { awsNodeType: "cache.r6g.large", gcpMemorySizeGb: 5, highAvailability: true, snapshotRetentionDays: 7, hourlySnapshotsKept: 48 },
        fleet: { minReplicas: 2, maxReplicas: 10 },
        observability: { enabled: true, logRetentionDays: 365 },
    },
};

/** Deep-merges plain objects; arrays and scalars from `override` replace those in `base`. */
export function deepMerge<T>(base: T, override: unknown): T {
    if (!isPlainObject(base) || !isPlainObject(override)) {
        return (override === undefined ? base : override) as T;
    }
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) {
        out[k] = k in out ? deepMerge(out[k], v) : v;
    }
    return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The defaults for one environment: common values overlaid with that environment's row. */
export function defaultsFor(environment: Environment): StackConfigInput {
    return deepMerge(common as StackConfigInput, environmentDefaults[environment]);
}
