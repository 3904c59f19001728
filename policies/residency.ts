/**
 * Indian data residency: every region, location and zone is Mumbai or Hyderabad (AWS) / Mumbai or
 * Delhi (GCP); copies and replicas stay in India; global services come only from a named
 * allowlist, each entry with the reason it holds no user data outside India.
 */
import { ReportViolation, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import {
    asArray, awsIndiaRegions, awsRegionOf, decoded, gcpIndiaRegions, knownEntries, ofType, Props, providerEnvironment, referenced, safe,
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
    /**
     * References outside India the service needs by design (a string an input holds); every other
     * region an allowlisted resource names in an ARN or endpoint is still refused.
     */
    readonly references?: (value: string) => boolean;
}

const globalAddressType = "gcp:compute/globalAddress:GlobalAddress";
// A purpose unknown during preview reads as unset: either entry allows the address.
const isPeeringRange = (props: Props) => whenKnown(() => props.purpose) === "VPC_PEERING";

const prefixed = (prefix: string) => (type: string) => type.startsWith(prefix);

/** The viewer certificate CloudFront requires from us-east-1: its validation and the distribution name it. */
const isCloudFrontCertificate = (v: string) => /^arn:aws:acm:us-east-1:\d+:certificate\//.test(v);

/** The complete list of services that may live outside an Indian region. */
export const globalAllowlist: readonly GlobalException[] = [
    {
        id: "cloudfront-certificate",
        reason: `CloudFront only accepts ACM certificates issued in us-east-1; the provider named *${cloudFrontCertProviderMarker}* issues that one certificate (a public key, no user data) and nothing else`,
        types: ["aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation"],
        references: isCloudFrontCertificate,
    },
    {
        id: "cloudfront",
        reason: "CloudFront is a global edge service; it caches public static assets whose origin bucket stays in India",
        types: prefixed("aws:cloudfront/"),
        references: isCloudFrontCertificate,
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

// Stryker disable next-line StringLiteral: any default without the marker in it reads the same
const isCertProvider = (name: string | undefined) => (name ?? "").includes(cloudFrontCertProviderMarker);
const inIndiaAws = (region: unknown) => awsIndiaRegions.includes(region as string);
const inIndiaGcp = (location: unknown) => typeof location === "string" && /^asia-south[12](-[a-z])?$/.test(location.toLowerCase());
const awsList = awsIndiaRegions.join(" or ");
const gcpList = gcpIndiaRegions.join(" or ");

/**
 * Every string leaf of `props` with its dotted path, for scans over nested inputs. A leaf unknown
 * during preview is skipped: the regions a program names are known, the rest of the scan still runs.
 */
// Stryker disable next-line StringLiteral: the key of a bare string at the top is never judged (only provider endpoints are scanned from a leaf)
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
        // An endpoint override sends the provider's calls wherever it points, whatever `region` says.
        for (const [path, , value] of leaves(decoded(safe(() => args.props.endpoints)), "endpoints")) {
            const regions = awsRegionsIn(value);
            if (regions.length === 0 || !regions.every(inIndiaAws)) {
                report(`AWS provider ${path} is ${value}, ${regions.length === 0 ? "which names no AWS region" : "outside India"}; remove the override or point it at an endpoint in ${awsList}.`);
            }
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
        // A custom endpoint sends the provider's calls wherever it points; only Google's own hosts in India are known to stay there.
        for (const [key, value] of knownEntries(args.props).filter(([k]) => k.endsWith("CustomEndpoint"))) {
            if (typeof value !== "string" || !/^https:\/\/asia-south[12]-[a-z0-9.-]+\.googleapis\.com\//.test(value)) {
                report(`GCP provider ${key} is ${JSON.stringify(value)}, not a Google endpoint in India; remove it or use https://asia-south1-<service>.googleapis.com/.`);
            }
        }
    },
};

export const globalServicesAllowlisted: ResourceValidationPolicy = {
    name: "global-services-allowlisted",
    description: "Checks whether every resource outside an Indian region is a global service on the named allowlist.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type.startsWith("aws:")) {
            // Stryker disable next-line OptionalChaining: safe() reads a missing provider as undefined either way
            const providerRegion = safe(() => args.provider?.props.region);
            if (providerRegion === undefined || inIndiaAws(providerRegion)) {
                return;
            }
            const exception = allowlisted(args.type, args.props);
            // Stryker disable next-line OptionalChaining: a resource without a provider has returned above
            const onCertProvider = isCertProvider(args.provider?.name);
            if (!exception || (exception.id === "cloudfront-certificate" && !onCertProvider)) {
                report(`${args.type} is created in ${providerRegion}, outside India, and is not on the global-services allowlist; ` +
                    `give it a provider in ${awsList}.`);
            }
            return;
        }
        const globalOnly = /^gcp:compute\/(global[A-Za-z]+|targetSslProxy|targetTcpProxy|sslCertificate):/.test(args.type);
        if (globalOnly && !allowlisted(args.type, args.props)) {
            report(`${args.type} is a global resource that is not on the global-services allowlist; use a regional equivalent in ${gcpList}.`);
        }
    },
};

/** Keys that name an AWS region in nested inputs (DynamoDB replicas, secret replicas, copies). */
const awsRegionKeys = /^(region|regionName|destinationRegion|sourceRegion|[a-zA-Z]+Region)$/;
const arnRegion = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):/;
/** An AWS region code inside an endpoint host or URL: `s3.us-east-1.amazonaws.com`, `s3-us-west-2`, `…elb.eu-west-1…`. */
const awsRegionCode = /(?:^|[^a-z0-9])((?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d+)(?![a-z0-9])/g;

/** The AWS regions a string names: an ARN's region field, or region codes in an amazonaws.com endpoint. */
export function awsRegionsIn(value: string): string[] {
    const fromArn = arnRegion.exec(value)?.[1];
    if (fromArn) {
        return [fromArn];
    }
    // Stryker disable next-line ArrayDeclaration: the pattern's one group takes part in every match
    return /amazonaws\.com/.test(value) ? [...value.matchAll(awsRegionCode)].flatMap(m => m[1] ?? []) : [];
}

export const awsResourceRegionIndia: ResourceValidationPolicy = {
    name: "aws-resource-region-india",
    description: "Checks whether every region an AWS resource names, and every ARN or endpoint it refers to, is in India (replicas, backup copies, global tables, CDN origins), allowlisted global services included.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!args.type.startsWith("aws:")) {
            return;
        }
        const exception = allowlisted(args.type, args.props);
        for (const [path, key, value] of leaves(args.props, "")) {
            // A global service names no region of its own; what it refers to is judged like anything else's.
            if (!exception && awsRegionKeys.test(key) && !inIndiaAws(value)) {
                report(`${path} is "${value}", outside India; replicas and copies may only go to ${awsList}.`);
                continue;
            }
            if (exception?.references?.(value)) {
                continue;
            }
            for (const region of new Set(awsRegionsIn(value).filter(r => !inIndiaAws(r)))) {
                report(`${path} references ${value} in ${region}, outside India; copy or replicate only to and from ${awsList}.`);
            }
        }
    },
};

/**
 * Keys that name a GCP region, zone or location in nested inputs, under any name: `location`,
 * `nodeLocations`, `allowedPersistenceRegions`, `storageLocations`, `alternativeLocationId`, ...
 * Keys that merely mention the word hold no place and do not end in it (`locationType`,
 * `regionalDisk`, `zoneDistributionConfig`).
 */
const gcpLocationKey = /(region|location|zone)s?(Id)?$/i;
/** A location inside a resource path or URL: `projects/p/locations/us-central1/...`, `/zones/us-east1-b`. */
const gcpPathLocation = /(?:^|\/)(?:locations|regions|zones)\/([^/]+)/g;

/** The GCP locations a string names inside resource paths or URLs. */
export function gcpLocationsIn(value: string): string[] {
    // Stryker disable next-line ArrayDeclaration: the pattern's one group takes part in every match
    return [...value.matchAll(gcpPathLocation)].flatMap(m => m[1] ?? []);
}

export const gcpLocationIndia: ResourceValidationPolicy = {
    name: "gcp-location-india",
    description: "Checks whether every region, location and zone a GCP resource names, under any key or inside a resource path, is asia-south1 or asia-south2.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!args.type.startsWith("gcp:")) {
            return;
        }
        const exception = allowlisted(args.type, args.props);
        for (const [path, key, value] of leaves(args.props, "")) {
            // The bucket's own location has its stricter policy (single region), reported once there.
            const judgedKey = !exception && gcpLocationKey.test(key) && !(args.type === "gcp:storage/bucket:Bucket" && path === "location");
            if (judgedKey && !inIndiaGcp(value)) {
                report(`${path} is "${value}", outside India; use ${gcpList} (or one of their zones).`);
                continue;
            }
            for (const location of new Set(gcpLocationsIn(value).filter(l => !inIndiaGcp(l)))) {
                report(`${path} refers to ${value} in ${location}, outside India; refer only to resources in ${gcpList}.`);
            }
        }
    },
};

/** The one dual-region whose data stays in India: a custom dual-region (continent code ASIA) of its two regions. */
export const gcsIndiaDualRegion = { location: "ASIA", dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTH2"] } as const;

export const gcsBucketSingleRegionIndia: ResourceValidationPolicy = {
    name: "gcs-bucket-single-region-india",
    description: "Checks whether every Cloud Storage bucket is single-region in ASIA-SOUTH1 or ASIA-SOUTH2, or the India-only custom dual-region ASIA-SOUTH1 + ASIA-SOUTH2 (never ASIA as a multi-region, nor any other dual-region).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type !== "gcp:storage/bucket:Bucket") {
            return;
        }
        // Stryker disable next-line StringLiteral: any default that is no location is refused alike (the message reads the input itself)
        const location = String(safe(() => args.props.location) ?? "").toUpperCase();
        const placement = safe(() => args.props.customPlacementConfig) as { dataLocations?: unknown } | undefined;
        const india = `set location to ASIA-SOUTH1 or ASIA-SOUTH2, or to ${gcsIndiaDualRegion.location} with customPlacementConfig.dataLocations [${gcsIndiaDualRegion.dataLocations.join(", ")}]`;
        if (location === gcsIndiaDualRegion.location && placement !== undefined) {
            const dataLocations = asArray(placement.dataLocations).map(l => String(l).toUpperCase());
            const exact = dataLocations.length === 2 && gcsIndiaDualRegion.dataLocations.every(l => dataLocations.includes(l));
            if (!exact) {
                report(`Bucket is a dual-region of [${dataLocations.join(", ")}]; the only dual-region inside India is [${gcsIndiaDualRegion.dataLocations.join(", ")}]: use it or a single Indian region.`);
            }
            return;
        }
        if (!["ASIA-SOUTH1", "ASIA-SOUTH2"].includes(location)) {
            report(`Bucket location is "${String(safe(() => args.props.location) ?? "")}"; ${india}: other multi- and dual-region buckets copy data outside India.`);
        } else if (placement !== undefined) {
            report("Bucket sets customPlacementConfig on a single region; remove it (the India-only dual-region is location ASIA with both Indian regions).");
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
            const declared = referenced(config, "rules").filter(b => b.type.startsWith("aws:s3/bucket") && !sources.has(b.urn));
            for (const dest of declared) {
                const region = awsRegionOf(dest);
                if (region !== undefined && !inIndiaAws(region)) {
                    report(`S3 replication ${config.name} copies to bucket ${dest.name} in ${region}, outside India; replicate only to a bucket in ${awsList}.`, config.urn);
                }
            }
            // An S3 ARN carries no region: a destination this stack does not declare cannot be shown to be in India.
            const destinations = new Set(asArray(safe(() => config.props.rules)).map(r => r?.destination?.bucket).filter(b => b !== undefined));
            if (destinations.size > new Set(declared.map(d => d.urn)).size) {
                report(`S3 replication ${config.name} copies to ${[...destinations].join(", ")}, which this stack does not all declare, so their region cannot be checked; ` +
                    `replicate only to a bucket declared in this stack with a provider in ${awsList}.`, config.urn);
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
