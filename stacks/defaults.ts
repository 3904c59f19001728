/**
 * Per-environment defaults: the environment matrix of docs/requirements.md ("Environments"), with
 * the nearest GCP equivalents. A stack file states only its cloud, what differs from these, and
 * what has no sensible default (the GCP project, who may reach the Kubernetes API).
 *
 * | env         | AWS nodes      | GCP nodes                  | AWS database          | GCP database          | replicas |
 * |-------------|----------------|----------------------------|-----------------------|-----------------------|----------|
 * | development | local cluster  | -                          | in-cluster PostgreSQL | -                     | 1-1      |
 * | staging     | 2 x t3.medium  | 2 x e2-standard-2          | db.t3.small           | db-g1-small           | 1-2      |
 * | production  | 5 x t3.large   | 2 per zone x e2-standard-2 | db.r5.large, Multi-AZ | db-custom-2-13312, HA | 2-10     |
 */
import { AwsConfig, Cloud, EdgeConfig, Environment, GcpConfig, StackConfig } from "./schema";

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
/** Any stack config section, partially filled (what a stack file or a default holds). */
export type StackConfigInput = DeepPartial<Omit<StackConfig, "cloud" | "aws" | "gcp" | "local" | "cluster" | "edge">> & {
    edge?: DeepPartial<EdgeConfig>;
    cloud?: Cloud;
    aws?: DeepPartial<AwsConfig>;
    gcp?: DeepPartial<GcpConfig>;
    local?: Record<string, unknown>;
    cluster?: DeepPartial<Extract<StackConfig, { cloud: "aws" }>["cluster"]>;
};
type CloudEnvironment = Exclude<Environment, "development">;

/** Settings every cloud shares, per environment. */
const shared: Record<Environment, StackConfigInput> = {
    development: {
        domain: "bookkeep.localhost",
        database: {
            highAvailability: false, allocatedStorageGb: 20, maxAllocatedStorageGb: 20, backupRetentionDays: 1,
            deletionProtection: false, crossRegionBackups: false,
        },
        cache: { highAvailability: false, snapshotRetentionDays: 1 },
        fleet: { minReplicas: 1, maxReplicas: 1, compactResources: true },
        observability: { enabled: false, logRetentionDays: 7, alerting: {} },
        delivery: { progressive: false },
    },
    staging: {
        domain: "staging.bookkeep.app",
        database: {
            highAvailability: false, allocatedStorageGb: 20, maxAllocatedStorageGb: 100, backupRetentionDays: 7,
            deletionProtection: false, crossRegionBackups: false,
        },
        cache: { highAvailability: false, snapshotRetentionDays: 3 },
        fleet: { minReplicas: 1, maxReplicas: 2 },
        observability: { enabled: true, logRetentionDays: 30, alerting: {} },
        delivery: { progressive: true },
    },
    production: {
        domain: "bookkeep.app",
        database: {
            highAvailability: true, allocatedStorageGb: 100, maxAllocatedStorageGb: 1000,
            // 14 days of PITR: WAL is archived continuously (RPO minutes, within the required 1 h).
            backupRetentionDays: 14, deletionProtection: true, crossRegionBackups: true,
        },
        cache: { highAvailability: true, snapshotRetentionDays: 7 },
        fleet: { minReplicas: 2, maxReplicas: 10 },
        observability: { enabled: true, logRetentionDays: 365, alerting: {} },
        delivery: { progressive: true },
    },
};

const everywhere: StackConfigInput = {
    fleet: { imageRegistry: "ghcr.io/bookkeep", releaseVersion: "v1.0.0", canaries: {}, compactResources: false },
    resilienceOverrides: {},
    // No raised quotas: the preflight checks against a new account's defaults.
    quotas: {},
};

const cluster: Record<CloudEnvironment, StackConfigInput["cluster"]> = {
    staging: { kubernetesVersion: "1.35", nodeCount: 2, minNodes: 2, maxNodes: 5 },
    production: { kubernetesVersion: "1.35", nodeCount: 5, minNodes: 5, maxNodes: 10 },
};

/** The Cloudflare edge: on wherever there is a public origin; the account id comes from the stack file. */
const edge: StackConfigInput["edge"] = { enabled: true, plan: "enterprise", ddosSensitivity: "default", rateLimitPerMinute: 100, regionalServices: true, region: "in" };

const aws: Record<CloudEnvironment, DeepPartial<AwsConfig>> = {
    staging: {
        vpcCidr: "10.20.0.0/16", natGateways: "single", flowLogRetentionDays: 30,
        nodeInstanceType: "t3.medium", databaseInstanceClass: "db.t3.small", cacheNodeType: "cache.t3.small", cacheHourlySnapshotsKept: 24,
        serviceCidr: "172.20.0.0/16", operatorRoleArns: [],
    },
    production: {
        vpcCidr: "10.10.0.0/16", natGateways: "perAz", flowLogRetentionDays: 365,
        nodeInstanceType: "t3.large", databaseInstanceClass: "db.r5.large", cacheNodeType: "cache.r6g.large", cacheHourlySnapshotsKept: 48,
        serviceCidr: "172.20.0.0/16", operatorRoleArns: [],
    },
};

const gcp: Record<CloudEnvironment, DeepPartial<GcpConfig>> = {
    staging: {
        subnetCidr: "10.20.0.0/16", podsCidr: "10.24.0.0/14", servicesCidr: "10.28.0.0/20", privateServicesCidr: "10.29.0.0/20",
        controlPlaneCidr: "172.16.0.16/28", nodeMachineType: "e2-standard-2", databaseTier: "db-g1-small", cacheMemorySizeGb: 1,
    },
    production: {
        subnetCidr: "10.10.0.0/16", podsCidr: "10.100.0.0/14", servicesCidr: "10.104.0.0/20", privateServicesCidr: "10.105.0.0/20",
        controlPlaneCidr: "172.16.0.0/28", nodeMachineType: "e2-standard-2", databaseTier: "db-custom-2-13312", cacheMemorySizeGb: 5,
    },
};

/** Where each cloud's section puts its region, zones and DR region when the stack names none. */
const placement = {
    aws: (region: string): DeepPartial<AwsConfig> => ({ region: region as AwsConfig["region"], drRegion: otherOf(region, "ap-south-1", "ap-south-2") as AwsConfig["region"], availabilityZones: ["a", "b", "c"].map(z => `${region}${z}`) }),
    gcp: (region: string): DeepPartial<GcpConfig> => ({ region: region as GcpConfig["region"], drRegion: otherOf(region, "asia-south1", "asia-south2") as GcpConfig["region"], zones: ["a", "b", "c"].map(z => `${region}-${z}`) }),
};

function otherOf(region: string, a: string, b: string): string {
    return region === b ? a : b;
}

/** Deep-merges plain objects; arrays and scalars from `override` replace those in `base`. */
export function deepMerge<T>(base: T, override: unknown): T {
    if (!isPlainObject(base) || !isPlainObject(override)) {
        return (override === undefined ? base : override) as T;
    }
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(override)) {
        out[k] = Object.prototype.hasOwnProperty.call(out, k) ? deepMerge(out[k], v) : v;
    }
    return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The defaults for one environment on one cloud: only that cloud's section. `region` is the
 * region the stack file chose (the placement defaults follow it), or the primary one.
 */
export function defaultsFor(environment: Environment, cloud: Cloud, region?: string): StackConfigInput {
    const base = deepMerge(everywhere, shared[environment]);
    if (cloud === "local") {
        return { ...base, local: {} };
    }
    if (environment === "development") {
        // A development stack on a cloud is allowed by nothing but the schema's own message.
        return base;
    }
    switch (cloud) {
        case "aws":
            return { ...base, cluster: cluster[environment], edge, aws: { ...placement.aws(region ?? "ap-south-1"), ...aws[environment] } };
        case "gcp":
            return { ...base, cluster: cluster[environment], edge, gcp: { ...placement.gcp(region ?? "asia-south1"), ...gcp[environment] } };
        default: {
            const exhaustive: never = cloud;
            throw new Error(`unknown cloud ${String(exhaustive)}`);
        }
    }
}
