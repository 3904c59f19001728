/**
 * The schema of every `bookkeep:*` stack config key, after per-environment defaults are merged in.
 * Objects are strict so a misspelt key fails loudly instead of being ignored.
 */
import { z } from "zod";
import { cidrsOverlap, isCidr } from "./cidr";

export const environments = ["development", "staging", "production"] as const;
export const clouds = ["aws", "gcp", "local"] as const;
/** India has two regions per cloud; data and its copies may live in either, nowhere else. */
export const awsIndiaRegions = ["ap-south-1", "ap-south-2"] as const;
export const gcpIndiaRegions = ["asia-south1", "asia-south2"] as const;
/**
 * Kubernetes minor versions inside standard support on both EKS and GKE (late 2026). EKS upgrades
 * a cluster itself when standard support ends, and the pinned version would then ask for a
 * downgrade: move this list (and the stacks) forward before a version's standard support ends.
 */
export const kubernetesVersions = ["1.34", "1.35", "1.36"] as const;
/** CloudWatch accepts only these retention periods; GCP log buckets take any day count. */
export const logRetentionDays = [7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export type Environment = typeof environments[number];
export type Cloud = typeof clouds[number];

const domainPattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const imageTagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

const cidr = z.string().refine(isCidr, { message: "must be an IPv4 network in CIDR form, such as 10.10.0.0/16" });
const count = (min: number, max: number) => z.number().int().min(min).max(max);
const imageTag = z.string()
    .regex(imageTagPattern, { message: "must be an image tag such as v1.0.0" })
    .refine(t => t !== "latest", { message: "must pin a version; 'latest' is not allowed" });

export const awsSchema = z.strictObject({
    region: z.enum(awsIndiaRegions),
    /** Second Indian region, for backup copies (Hyderabad). */
    drRegion: z.enum(awsIndiaRegions),
    /** Exactly three AZs: subnets, nodes and Multi-AZ data stores spread over them. */
    availabilityZones: z.array(z.string()).length(3),
});

export const gcpSchema = z.strictObject({
    project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { message: "must be a GCP project id (6-30 lowercase letters, digits, hyphens)" }),
    region: z.enum(gcpIndiaRegions),
    drRegion: z.enum(gcpIndiaRegions),
    zones: z.array(z.string()).length(3),
});

export const localSchema = z.strictObject({
    /** kubeconfig context to deploy into; unset means the current context. */
    kubeconfigContext: z.string().min(1).optional(),
    /** StorageClass for the in-cluster data stores; unset means the cluster default. */
    storageClass: z.string().min(1).optional(),
});

export const networkSchema = z.strictObject({
    /** AWS VPC block, or the GCP subnet's primary range (nodes). */
    vpcCidr: cidr,
    /** GKE pods secondary range. */
    podsCidr: cidr,
    /** GKE services secondary range. */
    servicesCidr: cidr,
    /** GCP private services access range (Cloud SQL and Memorystore private IPs). */
    privateServicesCidr: cidr,
    /** GKE private control-plane /28. */
    controlPlaneCidr: cidr,
    /** One NAT gateway per AZ (production) or a single shared one (staging). */
    natGateways: z.enum(["single", "perAz"]),
    flowLogRetentionDays: z.number().int().refine(d => (logRetentionDays as readonly number[]).includes(d), {
        message: `must be one of ${logRetentionDays.join(", ")}`,
    }),
});

export const clusterSchema = z.strictObject({
    kubernetesVersion: z.enum(kubernetesVersions),
    nodeCount: count(1, 100),
    minNodes: count(1, 100),
    maxNodes: count(1, 100),
    awsInstanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { message: "must be an EC2 instance type such as t3.large" }),
    gcpMachineType: z.string().regex(/^[a-z][a-z0-9]*-[a-z0-9-]+$/, { message: "must be a GCE machine type such as e2-standard-2" }),
    /** Who may reach the Kubernetes API endpoint. Never 0.0.0.0/0 in production (policy). */
    apiAllowedCidrs: z.array(cidr).min(1),
});

export const databaseSchema = z.strictObject({
    awsInstanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: "must be an RDS instance class such as db.r5.large" }),
    gcpTier: z.string().regex(/^db-[a-z0-9-]+$/, { message: "must be a Cloud SQL tier such as db-custom-2-13312" }),
    /** RDS Multi-AZ / Cloud SQL REGIONAL. */
    highAvailability: z.boolean(),
    allocatedStorageGb: count(20, 65536),
    maxAllocatedStorageGb: count(20, 65536),
    /** Automated backups with point-in-time recovery; both clouds allow 1-35 days. */
    backupRetentionDays: count(1, 35),
    deletionProtection: z.boolean(),
    /** Copy automated backups to the second Indian region (drRegion). */
    crossRegionBackups: z.boolean(),
});

export const cacheSchema = z.strictObject({
    awsNodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, { message: "must be an ElastiCache node type such as cache.r6g.large" }),
    gcpMemorySizeGb: count(1, 300),
    /** Replica + automatic failover (ElastiCache) / STANDARD_HA (Memorystore). */
    highAvailability: z.boolean(),
    /** Days the managed service keeps its daily automatic snapshots. */
    snapshotRetentionDays: count(1, 35),
    /**
     * Hourly snapshots kept (the seed's hourly RDB snapshots). ElastiCache snapshots once a day by
     * itself, so on AWS a CronJob takes one an hour and keeps this many; 0 turns it off.
     * Memorystore writes an RDB snapshot hourly itself; laptops take none.
     */
    hourlySnapshotsKept: count(0, 336),
});

export const canarySchema = z.strictObject({
    tag: imageTag,
    /** Share of traffic, in percent, that ingress-nginx sends to the canary. */
    weight: count(1, 50),
});

export const fleetSchema = z.strictObject({
    minReplicas: count(1, 100),
    maxReplicas: count(1, 100),
    /** Registry prefix for the service images, such as ghcr.io/bookkeep. */
    imageRegistry: z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*$/, { message: "must be a registry path such as ghcr.io/bookkeep" }),
    /** Release of the database schema: the tag of the migration image (bookkeep/migration:<tag>). */
    releaseVersion: imageTag,
    /** Per-service canaries, keyed by catalog service name. */
    canaries: z.record(z.string(), canarySchema),
    /** Small requests/limits for a single laptop node (development). */
    compactResources: z.boolean(),
});

export const observabilitySchema = z.strictObject({
    /** Prometheus/Grafana, Elasticsearch/Fluentd and the OTel collector. */
    enabled: z.boolean(),
    logRetentionDays: z.number().int().refine(d => (logRetentionDays as readonly number[]).includes(d), {
        message: `must be one of ${logRetentionDays.join(", ")}`,
    }),
});

export const stackConfigSchema = z.strictObject({
    environment: z.enum(environments),
    cloud: z.enum(clouds),
    /** Apex domain: the API is served at api.<domain>, with a wildcard certificate for *.<domain>. */
    domain: z.string().regex(domainPattern, { message: "must be a lowercase DNS domain such as bookkeep.app" }),
    /** Let's Encrypt account email for cert-manager. */
    acmeEmail: z.email({ message: "must be an email address" }),
    aws: awsSchema,
    gcp: gcpSchema,
    local: localSchema,
    network: networkSchema,
    cluster: clusterSchema,
    database: databaseSchema,
    cache: cacheSchema,
    fleet: fleetSchema,
    observability: observabilitySchema,
}).superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (c.cluster.minNodes > c.cluster.nodeCount || c.cluster.nodeCount > c.cluster.maxNodes) {
        issue(["cluster", "nodeCount"], `must lie within minNodes..maxNodes (${c.cluster.minNodes}..${c.cluster.maxNodes})`);
    }
    if (c.fleet.minReplicas > c.fleet.maxReplicas) {
        issue(["fleet", "minReplicas"], `must not exceed fleet.maxReplicas (${c.fleet.maxReplicas})`);
    }
    if (c.database.maxAllocatedStorageGb < c.database.allocatedStorageGb) {
        issue(["database", "maxAllocatedStorageGb"], `must be at least database.allocatedStorageGb (${c.database.allocatedStorageGb})`);
    }
    c.aws.availabilityZones.forEach((az, i) => {
        if (!new RegExp(`^${c.aws.region}[a-z]$`).test(az)) {
            issue(["aws", "availabilityZones", i], `must be an availability zone of ${c.aws.region}, such as ${c.aws.region}a`);
        }
    });
    c.gcp.zones.forEach((zone, i) => {
        if (!new RegExp(`^${c.gcp.region}-[a-z]$`).test(zone)) {
            issue(["gcp", "zones", i], `must be a zone of ${c.gcp.region}, such as ${c.gcp.region}-a`);
        }
    });
    if (new Set(c.aws.availabilityZones).size !== c.aws.availabilityZones.length) {
        issue(["aws", "availabilityZones"], "must name three different zones");
    }
    if (new Set(c.gcp.zones).size !== c.gcp.zones.length) {
        issue(["gcp", "zones"], "must name three different zones");
    }
    if (c.aws.drRegion === c.aws.region) {
        issue(["aws", "drRegion"], `must be the other Indian region than aws.region (${c.aws.region})`);
    }
    if (c.gcp.drRegion === c.gcp.region) {
        issue(["gcp", "drRegion"], `must be the other Indian region than gcp.region (${c.gcp.region})`);
    }
    const ranges = ["vpcCidr", "podsCidr", "servicesCidr", "privateServicesCidr", "controlPlaneCidr"] as const;
    ranges.forEach((a, i) => ranges.slice(i + 1).forEach(b => {
        if (isCidr(c.network[a]) && isCidr(c.network[b]) && cidrsOverlap(c.network[a], c.network[b])) {
            issue(["network", b], `${c.network[b]} overlaps network.${a} (${c.network[a]}); the ranges must be disjoint`);
        }
    }));
    if (c.cloud === "local" && c.environment !== "development") {
        issue(["cloud"], `'local' is only for the development environment; ${c.environment} runs on aws or gcp`);
    }
});

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type AwsConfig = StackConfig["aws"];
export type GcpConfig = StackConfig["gcp"];
export type NetworkConfig = StackConfig["network"];
