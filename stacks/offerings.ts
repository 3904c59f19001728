/**
 * What exists in India's regions and does what the program needs of it: zones, node types,
 * database classes and cache node types. Config is checked against these tables, so a typo or a
 * type that cannot be encrypted fails in the loader instead of halfway through `pulumi up`.
 *
 * Sources (as of 2026-11): AWS "Regions and Zones" (ap-south-1: a, b, c; ap-south-2: a, b, c),
 * the EC2 instance-type offerings and the RDS/ElastiCache "supported node types" pages; GCP
 * "Regions and zones" (asia-south1: a, b, c; asia-south2: a, b, c), Compute Engine machine families
 * and Cloud SQL machine types. Only types offered in BOTH Indian regions of a cloud are listed, so
 * a stack can be rebuilt in the other region (docs/requirements.md, "Disaster recovery").
 * Add a type here, with its source, when a stack needs it.
 */

/** Zone letters per region. */
export const zonesByRegion: Readonly<Record<string, readonly string[]>> = {
    "ap-south-1": ["ap-south-1a", "ap-south-1b", "ap-south-1c"],
    "ap-south-2": ["ap-south-2a", "ap-south-2b", "ap-south-2c"],
    "asia-south1": ["asia-south1-a", "asia-south1-b", "asia-south1-c"],
    "asia-south2": ["asia-south2-a", "asia-south2-b", "asia-south2-c"],
};

const sizes = (families: readonly string[], suffixes: readonly string[]) => families.flatMap(f => suffixes.map(s => `${f}.${s}`));

/**
 * EKS node instance types: Nitro generations (EBS encryption, IMDSv2, ENI prefix delegation), big
 * enough for the platform's DaemonSets (`medium` and up). Graviton types pick the ARM AMI.
 */
export const awsNodeInstanceTypes: readonly string[] = [
    ...sizes(["t3", "t3a"], ["medium", "large", "xlarge", "2xlarge"]),
    ...sizes(["m5", "m6i", "c5", "c6i", "r5", "r6i"], ["large", "xlarge", "2xlarge", "4xlarge"]),
    ...sizes(["t4g"], ["medium", "large", "xlarge", "2xlarge"]),
    ...sizes(["m6g", "c6g", "r6g"], ["large", "xlarge", "2xlarge", "4xlarge"]),
];

/**
 * RDS for PostgreSQL 15 instance classes with storage encryption and Performance Insights
 * (db.t3.micro/small lack neither; db.t2 and db.m4 are previous generations RDS is retiring).
 */
export const awsDatabaseInstanceClasses: readonly string[] = [
    ...sizes(["db.t3", "db.t4g"], ["micro", "small", "medium", "large", "xlarge", "2xlarge"]),
    ...sizes(["db.m5", "db.m6i", "db.m6g", "db.r5", "db.r6i", "db.r6g"], ["large", "xlarge", "2xlarge", "4xlarge"]),
];

/**
 * ElastiCache Redis node types that support encryption in transit and at rest and AUTH
 * (current generations; cache.t1/t2/m1/m3 do not support in-transit encryption).
 */
export const awsCacheNodeTypes: readonly string[] = [
    ...sizes(["cache.t3", "cache.t4g"], ["micro", "small", "medium"]),
    ...sizes(["cache.m5", "cache.m6g", "cache.r5", "cache.r6g"], ["large", "xlarge", "2xlarge", "4xlarge"]),
];

/** GKE node machine types (Shielded VM and CMEK boot disks; `e2-medium` is the smallest that fits the DaemonSets). */
export const gcpNodeMachineTypes: readonly string[] = [
    "e2-medium",
    ...["e2", "n2", "n2d"].flatMap(f => ["standard-2", "standard-4", "standard-8", "standard-16"].map(s => `${f}-${s}`)),
    ...["e2", "n2", "n2d"].flatMap(f => ["highmem-2", "highmem-4", "highmem-8"].map(s => `${f}-${s}`)),
];

/** Shared-core Cloud SQL tiers (no SLA: development and staging only, which the loader enforces). */
export const gcpSharedCoreTiers: readonly string[] = ["db-f1-micro", "db-g1-small"];

/**
 * Whether `tier` is a Cloud SQL tier: a shared-core tier, or `db-custom-<vCPUs>-<MiB>` with
 * 1 or an even number of vCPUs up to 96 and 0.9-6.5 GiB per vCPU in multiples of 256 MiB
 * (Cloud SQL "Machine types", Enterprise edition).
 */
export function isCloudSqlTier(tier: string): boolean {
    if (gcpSharedCoreTiers.includes(tier)) {
        return true;
    }
    const m = /^db-custom-(\d{1,2})-(\d{3,6})$/.exec(tier);
    if (!m) {
        return false;
    }
    const cpus = Number(m[1]);
    const mib = Number(m[2]);
    const cpusOk = cpus === 1 || (cpus % 2 === 0 && cpus >= 2 && cpus <= 96);
    return cpusOk && mib % 256 === 0 && mib >= 0.9 * 1024 * cpus && mib <= 6.5 * 1024 * cpus;
}
