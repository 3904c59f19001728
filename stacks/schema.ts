/**
 * The schema of every `bookkeep:*` stack config key, after per-environment defaults are merged in.
 * `cloud` discriminates it: a stack carries its own cloud's section (`aws`, `gcp` or `local`) and
 * no other, and each cloud's section holds that cloud's sizing. Objects are strict, so a misspelt
 * key fails loudly instead of being ignored.
 *
 * Cross-field messages refer to other settings as `{{section.key}}`; the loader (load.ts) fills in
 * their values, or `[secret]` for a secret key, so no message can leak a secret it did not own.
 */
import { z } from "zod";
import { cidrsOverlap, isCidr, parseCidr, publicAddressCount } from "./cidr";
import { awsCacheNodeTypes, awsDatabaseInstanceClasses, awsNodeInstanceTypes, gcpNodeMachineTypes, gcpSharedCoreTiers, isCloudSqlTier, zonesByRegion } from "./offerings";
import { alertingSchema, pagerRequired } from "./alerting";
import { cacheRestoreIssues, cacheRestoreSchema, databaseRestoreSchema, restoreIssues } from "./restore";
import { canary, cidr, count, domain, imageRegistry, imageTag, privateCidr } from "./rules";

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
/**
 * Public IPv4 addresses the Kubernetes API may admit, all ranges together: an office and a VPN
 * fit in a /16; more is a sign of a range that admits strangers (0.0.0.0/1 + 128.0.0.0/1 is the
 * whole internet).
 */
export const maxPublicApiAddresses = 2 ** 16;

/** Nodes of the AWS managed (system) node group; Karpenter adds the rest (components/aws/cluster.ts). */
export const awsSystemNodes = 2;

export type Environment = typeof environments[number];
export type Cloud = typeof clouds[number];

const retentionDays = z.number().int().refine(d => (logRetentionDays as readonly number[]).includes(d), {
    message: `must be one of ${logRetentionDays.join(", ")}`,
});
const oneOf = (table: readonly string[], what: string, example: string) =>
    z.string().refine(v => table.includes(v), { message: `must be ${what}, such as ${example} (the table in stacks/offerings.ts)` });
const roleArn = z.string().regex(/^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
    message: "must be an IAM role ARN, such as arn:aws:iam::123456789012:role/bookkeep-deploy (not an assumed-role session ARN)",
});
const nonBlank = z.string().refine(s => s.trim().length > 0 && s.trim() === s, { message: "must be a non-blank name without surrounding spaces" });

export const awsSchema = z.strictObject({
    region: z.enum(awsIndiaRegions),
    /** Second Indian region, for backup copies (Hyderabad). */
    drRegion: z.enum(awsIndiaRegions),
    /** Exactly three AZs: subnets, nodes and Multi-AZ data stores spread over them. */
    availabilityZones: z.array(z.string()).length(3),
    /** The VPC's block; public, private and data subnets are carved from it. */
    vpcCidr: privateCidr,
    /** One NAT gateway per AZ (production) or a single shared one (staging). */
    natGateways: z.enum(["single", "perAz"]),
    flowLogRetentionDays: retentionDays,
    nodeInstanceType: oneOf(awsNodeInstanceTypes, "an EKS node instance type offered in both Indian regions", "t3.large"),
    databaseInstanceClass: oneOf(awsDatabaseInstanceClasses, "an RDS PostgreSQL class with encryption at rest", "db.r5.large"),
    cacheNodeType: oneOf(awsCacheNodeTypes, "an ElastiCache node type with encryption in transit and at rest", "cache.r6g.large"),
    /**
     * Hourly snapshots kept. ElastiCache snapshots once a day by itself, so a CronJob takes one an
     * hour and keeps this many; 0 turns it off.
     */
    cacheHourlySnapshotsKept: count(0, 336),
    /**
     * The Kubernetes service range (EKS `serviceIpv4Cidr`), set explicitly so NetworkPolicies can
     * name the `kubernetes` Service address (its first host) up front. /12 to /24, outside the VPC.
     */
    serviceCidr: privateCidr.refine(c => !isCidr(c) || (parseCidr(c)!.prefix >= 12 && parseCidr(c)!.prefix <= 24), {
        message: "must be a /12 to /24 (EKS's limits for the service range)",
    }),
    /** The role CI deploys as (`pulumi up`): the cluster's only admin access entry. */
    deployRoleArn: roleArn,
    /** Operators' roles (SSO permission sets, break-glass): admin in every namespace, no cluster-scoped writes. */
    operatorRoleArns: z.array(roleArn).max(20),
    /**
     * The Route 53 zone of the parent domain, when it lives in this account (staging under
     * bookkeep.app): the stack then writes its own delegation record there. Unset: delegate by hand.
     */
    parentZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, { message: "must be a Route 53 hosted zone id, such as Z0123456789ABCDEFGHIJ" }).optional(),
});

export const gcpSchema = z.strictObject({
    project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, { message: "must be a GCP project id (6-30 lowercase letters, digits, hyphens)" }),
    region: z.enum(gcpIndiaRegions),
    drRegion: z.enum(gcpIndiaRegions),
    zones: z.array(z.string()).length(3),
    /** The subnet's primary range (nodes). */
    subnetCidr: privateCidr,
    /** GKE pods secondary range. */
    podsCidr: privateCidr,
    /** GKE services secondary range. */
    servicesCidr: privateCidr,
    /** Private services access range (Cloud SQL and Memorystore private IPs). */
    privateServicesCidr: privateCidr,
    /** GKE private control plane: exactly a /28. */
    controlPlaneCidr: privateCidr.refine(c => parseCidr(c)?.prefix === 28 || !isCidr(c), { message: "must be a /28 (GKE's private control plane takes exactly 16 addresses)" }),
    nodeMachineType: oneOf(gcpNodeMachineTypes, "a GKE node machine type offered in both Indian regions", "e2-standard-2"),
    databaseTier: z.string().refine(isCloudSqlTier, {
        message: `must be a Cloud SQL tier: ${gcpSharedCoreTiers.join(", ")} or db-custom-<1 or even vCPUs up to 96>-<0.9-6.5 GiB per vCPU in MiB, a multiple of 256>, such as db-custom-2-13312`,
    }),
    cacheMemorySizeGb: count(1, 300),
});

export const localSchema = z.strictObject({
    /** kubeconfig context to deploy into; unset means the current context. */
    kubeconfigContext: nonBlank.optional(),
    /** StorageClass for the in-cluster data stores; unset means the cluster default. */
    storageClass: z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, { message: "must be a StorageClass name (a lowercase DNS subdomain)" }).optional(),
});

export const clusterSchema = z.strictObject({
    kubernetesVersion: z.enum(kubernetesVersions),
    nodeCount: count(1, 100),
    minNodes: count(1, 100),
    maxNodes: count(1, 100),
    /** Who may reach the Kubernetes API endpoint: IPv4 (EKS and GKE authorised networks take no IPv6), at most 40 ranges (EKS). */
    apiAllowedCidrs: z.array(cidr).min(1).max(40),
});

export const databaseSchema = z.strictObject({
    /** RDS Multi-AZ / Cloud SQL REGIONAL. */
    highAvailability: z.boolean(),
    allocatedStorageGb: count(20, 65536),
    maxAllocatedStorageGb: count(20, 65536),
    /** Automated backups with point-in-time recovery; both clouds allow 1-35 days. */
    backupRetentionDays: count(1, 35),
    deletionProtection: z.boolean(),
    /** Copy automated backups to the second Indian region (drRegion). */
    crossRegionBackups: z.boolean(),
    /** The database is a restore of another instance (restore.ts); unset: the stack's own instance. */
    restore: databaseRestoreSchema.optional(),
});

export const cacheSchema = z.strictObject({
    /** Replica + automatic failover (ElastiCache) / STANDARD_HA (Memorystore). */
    highAvailability: z.boolean(),
    /** Days the managed service keeps its daily automatic snapshots. */
    snapshotRetentionDays: count(1, 35),
    /** The cache is a restore of a snapshot (restore.ts; AWS only); unset: the stack's own cache. */
    restore: cacheRestoreSchema.optional(),
});

export const fleetSchema = z.strictObject({
    minReplicas: count(1, 100),
    maxReplicas: count(1, 100),
    /** Registry prefix of the migration image (rules.ts lists the allowed ones); the services' images are in releases/. */
    imageRegistry,
    /** Release of the database schema: the tag of the migration image (<registry>/migration:<tag>). */
    releaseVersion: imageTag,
    /** Per-service canaries, keyed by catalog service name. */
    canaries: z.record(z.string(), canary),
    /** Small requests/limits for a single laptop node (development). */
    compactResources: z.boolean(),
});

export const observabilitySchema = z.strictObject({
    /** Prometheus/Grafana, Elasticsearch/Fluentd and the OTel collector. */
    enabled: z.boolean(),
    logRetentionDays: retentionDays,
    alerting: alertingSchema,
});

/** Cloudflare's HTTP DDoS sensitivity levels (Rulesets API `sensitivity_level`; "default" is High, "eoff" essentially off). */
export const ddosSensitivities = ["default", "medium", "low", "eoff"] as const;
/**
 * Cloudflare zone plans the edge can run on (rate plan ids): the Cloudflare Managed and OWASP
 * rulesets and a rate limit on the host need Pro or above; Regional Services needs Enterprise.
 */
export const edgePlans = ["pro", "business", "enterprise"] as const;
/** Regional Services region keys the stack may name: India only (residency). */
export const edgeRegions = ["in"] as const;

/**
 * The Cloudflare edge in front of the origin load balancer (components/edge/). Cloud stacks only:
 * a local stack has no public origin, and the loader refuses the section there.
 */
export const edgeSchema = z.strictObject({
    enabled: z.boolean(),
    /** The Cloudflare account that owns the zone (`<domain>`, created by the stack): 32 hex digits. */
    accountId: z.string().regex(/^[0-9a-f]{32}$/, { message: "must be a Cloudflare account id (32 lowercase hex digits, dashboard > Account home > Account ID)" }),
    /**
     * The zone's plan, applied by a ZoneSubscription before any rule: a zone created through the API
     * starts on Free, which is not entitled to the rulesets the edge deploys.
     */
    plan: z.enum(edgePlans),
    /** HTTP DDoS managed ruleset sensitivity. */
    ddosSensitivity: z.enum(ddosSensitivities),
    /** Requests per minute per client IP before the edge answers 429; mirrors the API's own limit. */
    rateLimitPerMinute: count(1, 100_000),
    /**
     * Regional Services (Data Localization Suite): TLS termination and request processing for every
     * proxied hostname in `region` only. Mandatory in production; off elsewhere only for an account
     * without the entitlement (README, Edge).
     */
    regionalServices: z.boolean(),
    region: z.custom<typeof edgeRegions[number]>(v => (edgeRegions as readonly unknown[]).includes(v), {
        message: `must be ${edgeRegions.map(r => JSON.stringify(r)).join(" or ")} (India): Regional Services may process BookKeep's requests nowhere else`,
    }),
});

export const deliverySchema = z.strictObject({
    /**
     * Progressive delivery with Flagger (components/k8s/flagger.ts): a Canary per service that
     * steps traffic through the Gateway and promotes or rolls back on the alerting metrics.
     * Default on in staging and production, off in development.
     */
    progressive: z.boolean(),
});

/** A raised quota: a positive whole number (units as in offline/preflight/quotaTable.ts). */
const raisedQuota = count(1, 1_000_000).optional();

/**
 * Regional quotas this account has raised above a new account's defaults (the defaults, with
 * their sources, are in offline/preflight/quotaTable.ts). The plan's preflight checks the stack's
 * usage against these; a key left out keeps the default.
 */
export const awsQuotasSchema = z.strictObject({
    elasticIps: raisedQuota,
    natGatewaysPerAz: raisedQuota,
    vpcs: raisedQuota,
    onDemandStandardVcpus: raisedQuota,
    gp3StorageTib: raisedQuota,
    securityGroupRules: raisedQuota,
});

export const gcpQuotasSchema = z.strictObject({
    ssdTotalGb: raisedQuota,
    cpus: raisedQuota,
    n2Cpus: raisedQuota,
    n2dCpus: raisedQuota,
    inUseAddresses: raisedQuota,
    staticAddresses: raisedQuota,
});

/** A local cluster consumes no cloud quota: the section exists so every stack has the same keys, and it takes none. */
export const localQuotasSchema = z.strictObject({});

const common = {
    environment: z.enum(environments),
    /** Apex domain: the API is served at api.<domain>, with a wildcard certificate for *.<domain>. */
    domain,
    /** Let's Encrypt account email for cert-manager. */
    acmeEmail: z.email({ message: "must be an email address" }),
    database: databaseSchema,
    cache: cacheSchema,
    fleet: fleetSchema,
    observability: observabilitySchema,
    delivery: deliverySchema,
    /**
     * Production's resilience guarantees (resilience.ts) lowered on purpose: guarantee name to the
     * reason, which every plan prints. Empty by default.
     */
    resilienceOverrides: z.record(z.string(), z.string()),
    /**
     * The release manifest (services/release.ts), relative to the project; default
     * releases/<environment>.yaml. Set it to preview a candidate release before it is merged.
     */
    releaseManifest: z.string().regex(/^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._/-]+\.ya?ml$/, {
        message: "must be a .yaml file inside the project, as a relative path such as releases/staging.yaml",
    }).optional(),
};

export const awsStackSchema = z.strictObject({ ...common, cloud: z.literal("aws"), aws: awsSchema, cluster: clusterSchema, quotas: awsQuotasSchema, edge: edgeSchema });
export const gcpStackSchema = z.strictObject({ ...common, cloud: z.literal("gcp"), gcp: gcpSchema, cluster: clusterSchema, quotas: gcpQuotasSchema, edge: edgeSchema });
export const localStackSchema = z.strictObject({ ...common, cloud: z.literal("local"), local: localSchema, quotas: localQuotasSchema });

/** The sections each cloud's stack may carry (top-level keys under `bookkeep:`). */
export const stackSections: Readonly<Record<Cloud, readonly string[]>> = {
    aws: Object.keys(awsStackSchema.shape),
    gcp: Object.keys(gcpStackSchema.shape),
    local: Object.keys(localStackSchema.shape),
};

type Issue = (path: (string | number)[], message: string) => void;

export const stackConfigSchema = z.discriminatedUnion("cloud", [awsStackSchema, gcpStackSchema, localStackSchema]).superRefine((c, ctx) => {
    const issue: Issue = (path, message) => ctx.addIssue({ code: "custom", path, message });
    if (c.fleet.minReplicas > c.fleet.maxReplicas) {
        issue(["fleet", "minReplicas"], "must not exceed {{fleet.maxReplicas}}");
    }
    if (c.environment === "production" && c.observability.enabled && c.observability.alerting.pager === undefined) {
        issue(["observability", "alerting", "pager"], pagerRequired);
    }
    if (c.database.maxAllocatedStorageGb < c.database.allocatedStorageGb) {
        issue(["database", "maxAllocatedStorageGb"], "must be at least {{database.allocatedStorageGb}}");
    }
    if (c.database.restore) {
        restoreIssues(c.cloud, c.database.restore).forEach(i => issue(["database", "restore", ...i.path], i.message));
    }
    if (c.cache.restore) {
        cacheRestoreIssues(c.cloud).forEach(i => issue(["cache", "restore", ...i.path], i.message));
    }
    if (c.cloud !== "local") {
        checkEdge(c, issue);
    }
    checkDelivery(c, issue);
    switch (c.cloud) {
        case "aws":
            checkCluster(c.cluster, issue);
            checkZones("aws", c.aws.region, c.aws.availabilityZones, "availabilityZones", issue);
            checkDrRegion("aws", c.aws.region, c.aws.drRegion, issue);
            checkAwsAccess(c.aws, issue);
            if (c.aws.parentZoneId !== undefined && c.domain.split(".").length <= 2) {
                issue(["aws", "parentZoneId"], "is set, but {{domain}} is a registered domain whose parent is a top-level domain; its registrar delegates it, so remove parentZoneId");
            }
            if (c.cluster.maxNodes <= awsSystemNodes) {
                issue(["cluster", "maxNodes"], `must exceed the ${awsSystemNodes} nodes of the system node group on AWS, or Karpenter can add none`);
            }
            break;
        case "gcp": {
            checkCluster(c.cluster, issue);
            checkZones("gcp", c.gcp.region, c.gcp.zones, "zones", issue);
            checkDrRegion("gcp", c.gcp.region, c.gcp.drRegion, issue);
            const ranges = ["subnetCidr", "podsCidr", "servicesCidr", "privateServicesCidr", "controlPlaneCidr"] as const;
            ranges.forEach((a, i) => ranges.slice(i + 1).forEach(b => {
                if (isCidr(c.gcp[a]) && isCidr(c.gcp[b]) && cidrsOverlap(c.gcp[a], c.gcp[b])) {
                    issue(["gcp", b], `overlaps {{gcp.${a}}}; the ranges must be disjoint`);
                }
            }));
            if (c.environment === "production" && gcpSharedCoreTiers.includes(c.gcp.databaseTier)) {
                issue(["gcp", "databaseTier"], "must be a db-custom tier in production: shared-core tiers have no SLA");
            }
            break;
        }
        case "local":
            if (c.environment !== "development") {
                issue(["cloud"], "must be aws or gcp for {{environment}}: 'local' is only for the development environment");
            }
            break;
        default: {
            const exhaustive: never = c;
            throw new Error(`unknown cloud ${JSON.stringify(exhaustive)}`);
        }
    }
});

function checkEdge(c: { environment: Environment; edge: z.infer<typeof edgeSchema>; aws?: { parentZoneId?: string } }, issue: Issue): void {
    if (!c.edge.enabled) {
        if (c.environment === "production") {
            issue(["edge", "enabled"], "must be true in production: the WAF, DDoS protection and the India-only edge are production's front door");
        }
        return;
    }
    if (c.environment === "production" && !c.edge.regionalServices) {
        issue(["edge", "regionalServices"], "must be true in production: TLS termination and request processing must stay in India (Regional Services)");
    }
    if (c.edge.regionalServices && c.edge.plan !== "enterprise") {
        issue(["edge", "plan"], `is ${JSON.stringify(c.edge.plan)}, but Regional Services (regionalServices) is part of the Data Localization Suite, on the Enterprise plan only: set plan "enterprise" or regionalServices false`);
    }
    if (c.aws?.parentZoneId !== undefined) {
        issue(["aws", "parentZoneId"], "is set, but with {{edge.enabled}} Cloudflare is authoritative for {{domain}}; remove parentZoneId and delegate the domain to the Cloudflare zone's name servers (bootstrap step)");
    }
}

/** Flagger judges canaries on Prometheus' metrics, and one mechanism owns a service's traffic split. */
function checkDelivery(c: Pick<z.infer<typeof awsStackSchema>, "delivery" | "environment" | "observability" | "fleet">, issue: Issue): void {
    if (!c.delivery.progressive) {
        return;
    }
    if (c.environment === "development") {
        issue(["delivery", "progressive"], "must be false in development: the local stack runs one replica of each service and no Prometheus to judge a canary on");
    } else if (!c.observability.enabled) {
        issue(["delivery", "progressive"], "needs {{observability.enabled}} to be true: Flagger promotes or rolls back on Prometheus' request metrics, which only the monitoring stack collects");
    }
    for (const service of Object.keys(c.fleet.canaries)) {
        issue(["fleet", "canaries", service],
            "must be empty while delivery.progressive is true: Flagger owns each service's traffic split and route, and a second, manual canary would fight it over the weights; set delivery.progressive to false to use manual canaries");
    }
}

function checkCluster(cluster: z.infer<typeof clusterSchema>, issue: Issue): void {
    if (cluster.minNodes > cluster.nodeCount || cluster.nodeCount > cluster.maxNodes) {
        issue(["cluster", "nodeCount"], "must lie within {{cluster.minNodes}}..{{cluster.maxNodes}}");
    }
    if (publicAddressCount(cluster.apiAllowedCidrs) > maxPublicApiAddresses) {
        issue(["cluster", "apiAllowedCidrs"],
            `must admit at most ${maxPublicApiAddresses} public addresses all together (a /16); list the office and VPN egress ranges, not the internet`);
    }
}

function checkAwsAccess(aws: z.infer<typeof awsSchema>, issue: Issue): void {
    if (isCidr(aws.serviceCidr) && isCidr(aws.vpcCidr) && cidrsOverlap(aws.serviceCidr, aws.vpcCidr)) {
        issue(["aws", "serviceCidr"], "overlaps {{aws.vpcCidr}}; the Kubernetes service range must lie outside the VPC");
    }
    aws.operatorRoleArns.forEach((arn, i) => {
        if (arn === aws.deployRoleArn) {
            issue(["aws", "operatorRoleArns", i], "repeats {{aws.deployRoleArn}}; a role has one access entry, so list it once");
        } else if (aws.operatorRoleArns.indexOf(arn) !== i) {
            issue(["aws", "operatorRoleArns", i], "repeats an earlier entry; list each role once");
        }
    });
}

function checkZones(cloud: "aws" | "gcp", region: string, zones: readonly string[], key: string, issue: Issue): void {
    const known = zonesByRegion[region] ?? [];
    zones.forEach((zone, i) => {
        if (!known.includes(zone)) {
            issue([cloud, key, i], `must be a zone of {{${cloud}.region}}: one of ${known.join(", ")}`);
        }
    });
    if (new Set(zones).size !== zones.length) {
        issue([cloud, key], "must name three different zones");
    }
}

function checkDrRegion(cloud: "aws" | "gcp", region: string, drRegion: string, issue: Issue): void {
    if (drRegion === region) {
        issue([cloud, "drRegion"], `must be the other Indian region than {{${cloud}.region}}`);
    }
}

export type StackConfig = z.infer<typeof stackConfigSchema>;
export type AwsStackConfig = Extract<StackConfig, { cloud: "aws" }>;
export type GcpStackConfig = Extract<StackConfig, { cloud: "gcp" }>;
export type LocalStackConfig = Extract<StackConfig, { cloud: "local" }>;
export type AwsConfig = AwsStackConfig["aws"];
export type GcpConfig = GcpStackConfig["gcp"];
export type ClusterConfig = AwsStackConfig["cluster"];
export type DatabaseConfig = StackConfig["database"];
export type CacheConfig = StackConfig["cache"];
export type FleetConfig = StackConfig["fleet"];
export type ObservabilityConfig = StackConfig["observability"];
export type EdgeConfig = z.infer<typeof edgeSchema>;
export type DeliveryConfig = StackConfig["delivery"];
