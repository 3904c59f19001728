/**
 * Indian data residency: every region, location and zone is Mumbai or Hyderabad (AWS) / Mumbai or
 * Delhi (GCP); copies and replicas stay in India; global services come only from a named
 * allowlist, each entry with the reason it holds no user data outside India.
 */
import { ReportViolation, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import {
    asArray, awsIndiaRegions, awsRegionOf, gcpIndiaRegions, knownEntries, ofType, Props, providerEnvironment, referenced, safe,
    stackEnvironment, whenKnown,
} from "./helpers";

/** Name fragment of the one AWS provider allowed outside India (see `globalAllowlist`). */
export const cloudFrontCertProviderMarker = "us-east-1-cloudfront-cert";

export interface GlobalException {
    readonly id: string;
    /** Why this global service is acceptable under the residency rule. */
    readonly reason: string;
    readonly types: readonly string[] | ((type: string) => boolean);
    /**
     * Narrows the entry by the resource's inputs, where one type serves unrelated purposes. Without
     * props (a caller that knows only the type) the entry applies as if none of its inputs were set.
     */
    readonly props?: (props: Props) => boolean;
}

const globalAddressType = "gcp:compute/globalAddress:GlobalAddress";
// A purpose unknown during preview reads as unset: either entry allows the address.
const isPeeringRange = (props: Props) => whenKnown(() => props.purpose) === "VPC_PEERING";

const prefixed = (...prefixes: string[]) => (type: string) => prefixes.some(p => type.startsWith(p));

/** The complete list of services that may live outside an Indian region. */
export const globalAllowlist: readonly GlobalException[] = [
    {
        id: "cloudfront-certificate",
        reason: `CloudFront only accepts ACM certificates issued in us-east-1; the provider named *${cloudFrontCertProviderMarker}* issues that one certificate (a public key, no user data) and nothing else`,
        types: ["aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation"],
    },
    {
        id: "cloudfront",
        reason: "CloudFront is a global edge service; it caches public static assets whose origin bucket stays in India",
        types: prefixed("aws:cloudfront/"),
    },
    {
        id: "route53",
        reason: "Route 53 is global DNS; it holds public DNS records only",
        types: prefixed("aws:route53/"),
    },
    {
        id: "iam",
        reason: "IAM is AWS's global control plane; it holds identities and policies, no user data",
        types: prefixed("aws:iam/"),
    },
    {
        id: "gcp-private-services-access",
        reason: "Private services access reserves an internal range (a GlobalAddress with purpose VPC_PEERING) for the VPC peering to Google's service producer network; it is address space only and holds no data, and Cloud SQL and Memorystore take their private IPs from it in India",
        types: [globalAddressType],
        props: isPeeringRange,
    },
    {
        id: "gcp-global-load-balancing",
        reason: "Global external HTTPS load balancing terminates TLS at Google's edge; its backends (the GKE ingress and the CDN bucket) stay in India",
        types: [
            globalAddressType, "gcp:compute/uRLMap:URLMap", "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
            "gcp:compute/targetHttpProxy:TargetHttpProxy", "gcp:compute/globalForwardingRule:GlobalForwardingRule",
            "gcp:compute/backendBucket:BackendBucket", "gcp:compute/backendService:BackendService",
            "gcp:compute/managedSslCertificate:ManagedSslCertificate", "gcp:compute/sslPolicy:SslPolicy",
            "gcp:compute/securityPolicy:SecurityPolicy",
        ],
        props: p => !isPeeringRange(p),
    },
    {
        id: "gcp-dns",
        reason: "Cloud DNS is global; it holds public DNS records only",
        types: prefixed("gcp:dns/"),
    },
];

/** The global-services exception that covers a resource of `type` with inputs `props`, if any. */
export function allowlisted(type: string, props: Props = {}): GlobalException | undefined {
    return globalAllowlist.find(e => (typeof e.types === "function" ? e.types(type) : e.types.includes(type)) && (e.props?.(props) ?? true));
}

const isCertProvider = (name: string | undefined) => (name ?? "").includes(cloudFrontCertProviderMarker);
const inIndiaAws = (region: unknown) => typeof region === "string" && awsIndiaRegions.includes(region);
const inIndiaGcp = (location: unknown) => typeof location === "string" && /^asia-south[12](-[a-z])?$/.test(location.toLowerCase());
const awsList = awsIndiaRegions.join(" or ");
const gcpList = gcpIndiaRegions.join(" or ");

/**
 * Every string leaf of `props` with its dotted path, for scans over nested inputs. A leaf unknown
 * during preview is skipped: the regions a program names are known, the rest of the scan still runs.
 */
function leaves(v: unknown, path: string, out: Array<[string, string, string]> = [], key = ""): Array<[string, string, string]> {
    if (typeof v === "string") {
        out.push([path, key, v]);
        return out;
    }
    const list = Array.isArray(v);
    for (const [k, x] of knownEntries(v)) {
        leaves(x, list ? `${path}[${k}]` : path ? `${path}.${k}` : k, out, list ? key : k);
    }
    return out;
}

export const awsProviderRegionIndia: ResourceValidationPolicy = {
    name: "aws-provider-region-india",
    description: "Checks whether every AWS provider targets ap-south-1 or ap-south-2 (the named CloudFront-certificate provider excepted).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "pulumi:providers:aws") {
            return;
        }
        const region = safe(() => args.props.region);
        if (isCertProvider(args.name)) {
            if (region !== "us-east-1") {
                report(`The CloudFront certificate provider must use region us-east-1 (it has ${JSON.stringify(region ?? null)}); set region: "us-east-1" or rename the provider.`);
            }
            return;
        }
        if (!inIndiaAws(region)) {
            report(`AWS provider region is ${JSON.stringify(region ?? null)}; set region to ${awsList}: BookKeep data must stay in India.`);
        }
    },
};

export const gcpProviderRegionIndia: ResourceValidationPolicy = {
    name: "gcp-provider-region-india",
    description: "Checks whether every GCP provider targets asia-south1 or asia-south2 (region and zone).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "pulumi:providers:gcp") {
            return;
        }
        const region = safe(() => args.props.region);
        const zone = safe(() => args.props.zone);
        if (!inIndiaGcp(region)) {
            report(`GCP provider region is ${JSON.stringify(region ?? null)}; set region to ${gcpList}: BookKeep data must stay in India.`);
        }
        if (zone !== undefined && !inIndiaGcp(zone)) {
            report(`GCP provider zone is ${JSON.stringify(zone)}; use a zone of ${gcpList}, such as asia-south1-a.`);
        }
    },
};

export const globalServicesAllowlisted: ResourceValidationPolicy = {
    name: "global-services-allowlisted",
    description: "Checks whether every resource outside an Indian region is a global service on the named allowlist.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type.startsWith("aws:")) {
            const providerRegion = safe(() => args.provider?.props.region);
            if (providerRegion === undefined || inIndiaAws(providerRegion)) {
                return;
            }
            const exception = allowlisted(args.type, args.props);
            const onCertProvider = isCertProvider(args.provider?.name);
            if (!exception || (exception.id === "cloudfront-certificate" && !onCertProvider)) {
                report(`${args.type} is created in ${providerRegion}, outside India, and is not on the global-services allowlist; ` +
                    `give it a provider in ${awsList}.`);
            }
            return;
        }
        if (args.type.startsWith("gcp:compute/")) {
            const globalOnly = /^gcp:compute\/(global[A-Za-z]+|targetSslProxy|targetTcpProxy|sslCertificate):/.test(args.type);
            if (globalOnly && !allowlisted(args.type, args.props)) {
                report(`${args.type} is a global resource that is not on the global-services allowlist; use a regional equivalent in ${gcpList}.`);
            }
        }
    },
};

/** Keys that name an AWS region in nested inputs (DynamoDB replicas, secret replicas, copies). */
const awsRegionKeys = new Set(["region", "regionName", "destinationRegion", "sourceRegion"]);
const arnRegion = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):/;

export const awsResourceRegionIndia: ResourceValidationPolicy = {
    name: "aws-resource-region-india",
    description: "Checks whether every region an AWS resource names, and every ARN it copies to or from, is in India (replicas, backup copies, global tables).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!args.type.startsWith("aws:") || allowlisted(args.type, args.props)) {
            return;
        }
        for (const [path, key, value] of leaves(args.props, "")) {
            if (awsRegionKeys.has(key) && !inIndiaAws(value)) {
                report(`${path} is "${value}", outside India; replicas and copies may only go to ${awsList}.`);
            }
            const region = arnRegion.exec(value)?.[1];
            if (region && !inIndiaAws(region)) {
                report(`${path} references ${value} in ${region}, outside India; copy or replicate only to and from ${awsList}.`);
            }
        }
    },
};

/** Keys that name a GCP region, zone or location in nested inputs. */
const gcpLocationKeys = new Set(["region", "location", "zone", "locationId", "alternativeLocationId", "nodeLocations", "zones", "locations"]);

export const gcpLocationIndia: ResourceValidationPolicy = {
    name: "gcp-location-india",
    description: "Checks whether every region, location and zone a GCP resource names is asia-south1 or asia-south2.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!args.type.startsWith("gcp:") || allowlisted(args.type, args.props)) {
            return;
        }
        for (const [path, key, value] of leaves(args.props, "")) {
            // The bucket's own location has its stricter policy (single region), reported once there.
            if (!gcpLocationKeys.has(key) || (args.type === "gcp:storage/bucket:Bucket" && path === "location")) {
                continue;
            }
            if (!inIndiaGcp(value)) {
                report(`${path} is "${value}", outside India; use ${gcpList} (or one of their zones).`);
            }
        }
    },
};

export const gcsBucketSingleRegionIndia: ResourceValidationPolicy = {
    name: "gcs-bucket-single-region-india",
    description: "Checks whether every Cloud Storage bucket is single-region in ASIA-SOUTH1 or ASIA-SOUTH2 (never ASIA, dual- or multi-region).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "gcp:storage/bucket:Bucket") {
            return;
        }
        const location = String(safe(() => args.props.location) ?? "");
        if (!["ASIA-SOUTH1", "ASIA-SOUTH2"].includes(location.toUpperCase())) {
            report(`Bucket location is "${location}"; set location to ASIA-SOUTH1 or ASIA-SOUTH2: multi- and dual-region buckets copy data outside India.`);
        }
        if (safe(() => args.props.customPlacementConfig) !== undefined) {
            report("Bucket sets customPlacementConfig (a dual-region bucket); remove it and use a single Indian region.");
        }
    },
};

export const secretManagerReplicasIndia: ResourceValidationPolicy = {
    name: "secret-manager-replicas-india",
    description: "Checks whether every Secret Manager secret uses user-managed replication with replicas only in India (never automatic).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "gcp:secretmanager/secret:Secret") {
            return;
        }
        const replication: Props = safe(() => args.props.replication) ?? {};
        if (replication.auto !== undefined || replication.userManaged === undefined) {
            report(`Secret uses automatic replication, which copies it to any Google region; set replication.userManaged.replicas with locations ${gcpList}.`);
            return;
        }
        const replicas = asArray(replication.userManaged.replicas);
        for (const r of replicas) {
            if (!inIndiaGcp(r?.location)) {
                report(`Secret replica location "${r?.location}" is outside India; use ${gcpList}.`);
            }
        }
        if (replicas.length === 0) {
            report(`Secret has no user-managed replicas; add replicas in ${gcpList}.`);
        }
    },
};

export const replicationTargetsInIndia: StackValidationPolicy = {
    name: "replication-targets-in-india",
    description: "Checks whether S3 replication destinations and ElastiCache global datastore members are in India.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        for (const config of ofType(args, "aws:s3/bucketReplicationConfig:BucketReplicationConfig")) {
            const sources = new Set(referenced(config, "bucket").map(b => b.urn));
            for (const dest of referenced(config, "rules").filter(b => b.type.startsWith("aws:s3/bucket") && !sources.has(b.urn))) {
                const region = awsRegionOf(dest);
                if (region !== undefined && !inIndiaAws(region)) {
                    report(`S3 replication ${config.name} copies to bucket ${dest.name} in ${region}, outside India; replicate only to a bucket in ${awsList}.`, config.urn);
                }
            }
        }
        const globals = ofType(args, "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup");
        for (const g of globals) {
            const members = [
                ...referenced(g, "primaryReplicationGroupId"),
                ...ofType(args, "aws:elasticache/replicationGroup:ReplicationGroup")
                    .filter(rg => referenced(rg, "globalReplicationGroupId").some(x => x.urn === g.urn)),
            ];
            for (const m of members) {
                const region = awsRegionOf(m);
                if (region !== undefined && !inIndiaAws(region)) {
                    report(`ElastiCache global datastore ${g.name} has member ${m.name} in ${region}, outside India; keep every member in ${awsList}.`, g.urn);
                }
            }
        }
    },
};

export const providersTaggedWithEnvironment: StackValidationPolicy = {
    name: "providers-tagged-with-environment",
    description: "Checks whether every AWS and GCP provider stamps the stack's environment on its resources (defaultTags Environment / defaultLabels environment).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const env = stackEnvironment(args);
        if (!env) {
            return;
        }
        for (const p of ofType(args, "pulumi:providers:aws", "pulumi:providers:gcp")) {
            const tagged = providerEnvironment(p.props, safe);
            if (tagged !== env) {
                const fix = p.type === "pulumi:providers:aws" ? `defaultTags: { tags: { Environment: "${env}" } }` : `defaultLabels: { environment: "${env}" }`;
                report(`Provider ${p.name} is tagged ${JSON.stringify(tagged ?? null)} in the ${env} stack; set ${fix} so environment guardrails and cost reports see it.`, p.urn);
            }
        }
    },
};

export const residencyPolicies = [
    awsProviderRegionIndia, gcpProviderRegionIndia, globalServicesAllowlisted, awsResourceRegionIndia, gcpLocationIndia,
    gcsBucketSingleRegionIndia, secretManagerReplicasIndia, replicationTargetsInIndia, providersTaggedWithEnvironment,
];
