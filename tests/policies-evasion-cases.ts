/**
 * The evasion classes of issue 17 (7 and 9 excepted, see policies-exemptions.spec.ts), as one
 * production stack: per class, resources that each break one property in a way the pack used to
 * miss, beside compliant resources that must pass. `evasions` holds every violation expected.
 */
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appNamespace, gkeCluster, kmsKey, podSpec, providers, s3Bucket, workload } from "./policies-fixtures";

const india = "ap-south-1 or ap-south-2";
const gcpIndia = "asia-south1 or asia-south2";

export function evasionProgram(): void {
    const p = providers("production");
    const labels = { defaultLabels: { environment: "production" }, project: "bookkeep-production" };
    const tags = { defaultTags: { tags: { Environment: "production" } } };
    const key = kmsKey("evasion-key", p.mumbai);

    // 1. Residency by reference: ARNs, CDN origins and endpoint overrides.
    const source = s3Bucket("repl-source", p.mumbai, key);
    new aws.s3.BucketReplicationConfig("s3-repl-arn", {
        bucket: source.id, role: "arn:aws:iam::123456789012:role/replication",
        rules: [{ id: "dr", status: "Enabled", destination: { bucket: "arn:aws:s3:::bookkeep-elsewhere" } }],
    }, { provider: p.mumbai });
    const cdn = (name: string, domainName: string) => new aws.cloudfront.Distribution(name, {
        enabled: true,
        origins: [{ originId: "assets", domainName }],
        defaultCacheBehavior: { targetOriginId: "assets", viewerProtocolPolicy: "redirect-to-https", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"] },
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc", sslSupportMethod: "sni-only" },
    }, { provider: p.mumbai });
    cdn("cdn-us-origin", "assets.s3.us-east-1.amazonaws.com");
    cdn("cdn-india-origin", "assets.s3.ap-south-1.amazonaws.com");
    new aws.Provider("aws-endpoint-abroad", { region: "ap-south-1", endpoints: [{ s3: "https://s3.us-east-1.amazonaws.com" }], ...tags });
    new aws.Provider("aws-endpoint-local", { region: "ap-south-1", endpoints: [{ s3: "http://localhost:4566" }], ...tags });
    new aws.Provider("aws-endpoint-india", { region: "ap-south-1", endpoints: [{ s3: "https://s3.ap-south-1.amazonaws.com" }], ...tags });
    new gcp.Provider("gcp-endpoint-abroad", { region: "asia-south1", storageCustomEndpoint: "https://storage.googleapis.com/storage/v1/", ...labels });
    new gcp.Provider("gcp-endpoint-india", { region: "asia-south1", storageCustomEndpoint: "https://asia-south1-storage.googleapis.com/storage/v1/", ...labels });

    // 2. GCP locations under other keys, topics without a storage policy, sinks to unknown places.
    new gcp.pubsub.Topic("topic-any-region", {}, { provider: p.gcp });
    new gcp.pubsub.Topic("topic-us", { messageStoragePolicy: { allowedPersistenceRegions: ["us-central1"] } }, { provider: p.gcp });
    new gcp.pubsub.Topic("topic-india", { messageStoragePolicy: { allowedPersistenceRegions: ["asia-south1", "asia-south2"], enforceInTransit: true } }, { provider: p.gcp });
    const snapshots = (name: string, storageLocations: string) => new gcp.compute.ResourcePolicy(name, {
        region: "asia-south1",
        snapshotSchedulePolicy: { schedule: { dailySchedule: { daysInCycle: 1, startTime: "04:00" } }, snapshotProperties: { storageLocations } },
    }, { provider: p.gcp });
    snapshots("snapshots-us", "us");
    snapshots("snapshots-india", "asia-south1");
    const sink = (name: string, destination: string) => new gcp.logging.ProjectSink(name, { destination, filter: "severity>=INFO" }, { provider: p.gcp });
    sink("sink-elsewhere", "storage.googleapis.com/someone-elses-bucket");
    sink("sink-us-bucket", "logging.googleapis.com/projects/bookkeep-production/locations/us-central1/buckets/logs");
    sink("sink-india", "logging.googleapis.com/projects/bookkeep-production/locations/asia-south1/buckets/logs");

    // 3. Data stores of types the per-service policies did not list.
    const aurora = (name: string, over: Record<string, unknown>) => new aws.rds.Cluster(name, {
        engine: "aurora-postgresql", masterUsername: "bookkeep", masterPassword: pulumi.secret("not-a-real-password"),
        storageEncrypted: true, backupRetentionPeriod: 14, deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: `${name}-final`, ...over,
    }, { provider: p.mumbai, protect: true });
    aurora("aurora-plain", { storageEncrypted: false });
    const cluster = aurora("aurora", {});
    const writer = (name: string, publiclyAccessible: boolean) => new aws.rds.ClusterInstance(name, {
        clusterIdentifier: cluster.id, engine: "aurora-postgresql", instanceClass: "db.r6g.large", publiclyAccessible,
    }, { provider: p.mumbai });
    writer("aurora-public", true);
    writer("aurora-writer", false);
    new aws.elasticache.Cluster("cache-standalone", { engine: "redis", nodeType: "cache.t4g.small", numCacheNodes: 1 }, { provider: p.mumbai });
    new aws.elasticache.Cluster("cache-member", { replicationGroupId: "cache" }, { provider: p.mumbai });
    new aws.dynamodb.Table("dynamo", { hashKey: "id", attributes: [{ name: "id", type: "S" }], billingMode: "PAY_PER_REQUEST" }, { provider: p.mumbai, protect: true });
    new gcp.bigquery.Dataset("analytics", { datasetId: "analytics", location: "asia-south1" }, { provider: p.gcp });

    // 4. The internet in several ranges.
    const sg = (name: string, ingress: aws.types.input.ec2.SecurityGroupIngress[]) => new aws.ec2.SecurityGroup(name, { vpcId: "vpc-0123", ingress }, { provider: p.mumbai });
    sg("sg-halves", [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }]);
    sg("sg-v6-halves", [{ protocol: "tcp", fromPort: 22, toPort: 22, ipv6CidrBlocks: ["::/1", "8000::/1"] }]);
    sg("sg-slash8", [{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["1.0.0.0/8"] }]);
    sg("sg-split-rules", [
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["1.0.0.0/9"] },
        { protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["1.128.0.0/9"] },
    ]);
    sg("sg-office", [
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["203.0.113.0/24", "198.51.100.0/24"] },
        { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/8"] },
    ]);
    new gcp.compute.Firewall("fw-halves", { network: "default", sourceRanges: ["0.0.0.0/1", "128.0.0.0/1"], allows: [{ protocol: "tcp", ports: ["22"] }] }, { provider: p.gcp });
    const ring = new gcp.kms.KeyRing("evasion-ring", { location: "asia-south1" }, { provider: p.gcp, protect: true });
    const cryptoKey = new gcp.kms.CryptoKey("evasion-crypto-key", { keyRing: ring.id, rotationPeriod: "7776000s" }, { provider: p.gcp, protect: true });
    gkeCluster("gke-halves", p.gcp, cryptoKey, { masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "0.0.0.0/1" }, { cidrBlock: "128.0.0.0/1" }] } });

    // 5. Public object storage beside a block that looks right.
    const second = s3Bucket("second-pab", p.mumbai, key);
    new aws.s3.BucketPublicAccessBlock("second-pab-off", {
        bucket: second.id, blockPublicAcls: false, blockPublicPolicy: false, ignorePublicAcls: false, restrictPublicBuckets: false,
    }, { provider: p.mumbai });
    const shared = s3Bucket("shared", p.mumbai, key);
    new aws.s3.BucketAcl("acl-public", { bucket: shared.id, acl: "public-read" }, { provider: p.mumbai });
    new aws.s3.BucketAcl("acl-private", { bucket: shared.id, acl: "private" }, { provider: p.mumbai });
    const policy = (name: string, principal: unknown) => new aws.s3.BucketPolicy(name, {
        bucket: shared.id,
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Read", Effect: "Allow", Principal: principal, Action: "s3:GetObject", Resource: "arn:aws:s3:::bookkeep-shared/*" }] }),
    }, { provider: p.mumbai });
    policy("policy-star", "*");
    policy("policy-cloudfront", { Service: "cloudfront.amazonaws.com" });
    const member = (name: string, m: string) => new gcp.storage.BucketIAMMember(name, { bucket: "bookkeep-assets", role: "roles/storage.objectViewer", member: m }, { provider: p.gcp });
    member("gcs-all-users", "allUsers");
    member("gcs-cdn-fill", "serviceAccount:service-1@cloud-cdn-fill.iam.gserviceaccount.com");

    // 6. Pods around the edges: patches, custom resources, volumes, manifests the pack cannot see, other namespaces.
    const ns = appNamespace("production", p.k8s);
    const patch = (name: string, spec: Record<string, unknown>) =>
        new k8s.apps.v1.DeploymentPatch(name, { metadata: { name: "api", namespace: ns }, spec }, { provider: p.k8s });
    patch("patch-privileged", { template: { spec: { containers: [{ name: "api", securityContext: { privileged: true } }] } } });
    patch("patch-replicas", { replicas: 3 });
    const rollout = (name: string, pod: Record<string, unknown>) => new k8s.apiextensions.CustomResource(name, {
        apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name, namespace: ns },
        spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec(pod) } },
    }, { provider: p.k8s });
    rollout("rollout-hostnet", { hostNetwork: true });
    rollout("rollout", {});
    new k8s.core.v1.PersistentVolume("pv-hostpath", {
        metadata: { name: "pv-hostpath" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: "/" } },
    }, { provider: p.k8s });
    new k8s.core.v1.PersistentVolume("pv-csi", {
        metadata: { name: "pv-csi" }, spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-0123" } },
    }, { provider: p.k8s });
    new k8s.yaml.v2.ConfigGroup("manifests", { yaml: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n" }, { provider: p.k8s });
    workload("Job", "scratch-job", p.k8s, { namespace: "scratch" });

    // 8. Isolation that only looks present.
    const netpol = (name: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) => new k8s.networking.v1.NetworkPolicy(name, { metadata: { name, namespace: ns }, spec }, { provider: p.k8s });
    netpol("allow-all-ingress", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] });
    netpol("allow-world-egress", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] });
    netpol("allow-https-egress", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }] }] });
    new k8s.core.v1.Namespace("tools-namespace", { metadata: { name: "bookkeep-tools" } }, { provider: p.k8s });
    const service = (name: string, namespace: string, ports: number[]) => new k8s.core.v1.Service(name, {
        metadata: { name, namespace }, spec: { type: "LoadBalancer", ports: ports.map(port => ({ port })) },
    }, { provider: p.k8s });
    service("es-lb", "bookkeep-monitoring", [9200]);
    service("ingress-lb", "bookkeep-system", [80, 443]);
    const budget = (name: string, spec: Record<string, unknown>) => new k8s.policy.v1.PodDisruptionBudget(name, {
        metadata: { name, namespace: ns }, spec: { selector: { matchLabels: { app: "api" } }, ...spec },
    }, { provider: p.k8s });
    budget("pdb-all", { maxUnavailable: "100%" });
    budget("pdb-none-required", { minAvailable: 0 });
    budget("pdb-one", { maxUnavailable: 1 });
    const ingress = (name: string, rules: k8s.types.input.networking.v1.IngressRule[]) => new k8s.networking.v1.Ingress(name, {
        metadata: { name, namespace: ns },
        spec: { ingressClassName: "nginx", tls: [{ hosts: ["api.bookkeep.app"], secretName: "bookkeep-tls" }], rules },
    }, { provider: p.k8s });
    const http = { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] };
    ingress("ingress-catch-all", [{ host: "api.bookkeep.app", http }, { http }]);
    ingress("ingress-named", [{ host: "api.bookkeep.app", http }]);

    // SQS: a queue store like the others (encrypted, not open to everyone).
    new aws.sqs.Queue("queue-plain", {}, { provider: p.mumbai });
    const queue = new aws.sqs.Queue("queue-sse", { sqsManagedSseEnabled: true }, { provider: p.mumbai });
    const queuePolicy = (name: string, principal: unknown) => new aws.sqs.QueuePolicy(name, {
        queueUrl: queue.url,
        policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "Send", Effect: "Allow", Principal: principal, Action: "sqs:SendMessage", Resource: "*" }] }),
    }, { provider: p.mumbai });
    queuePolicy("queue-policy-open", { AWS: "*" });
    queuePolicy("queue-policy-events", { Service: "events.amazonaws.com" });
}

/** Resources beside the broken ones that must raise nothing. */
export const compliantCases: readonly string[] = [
    "cdn-india-origin", "aws-endpoint-india", "gcp-endpoint-india", "topic-india", "snapshots-india", "sink-india", "aurora", "aurora-writer",
    "cache-member", "sg-office", "shared", "acl-private", "policy-cloudfront", "gcs-cdn-fill", "patch-replicas", "rollout", "pv-csi",
    "allow-https-egress", "ingress-lb", "pdb-one", "ingress-named", "queue-sse", "queue-policy-events",
];

export const evasions: Record<string, Array<[string, string]>> = {
    "queue-plain": [["sqs-queue-encrypted", "SQS queue stores messages unencrypted; set sqsManagedSseEnabled: true or kmsMasterKeyId."]],
    "queue-policy-open": [["sqs-queue-not-public", "Queue policy allows Principal \"*\" (statement \"Send\"); name the service or roles that may send (events.amazonaws.com for EventBridge) and receive."]],
    "s3-repl-arn": [["replication-targets-in-india", "S3 replication s3-repl-arn copies to arn:aws:s3:::bookkeep-elsewhere, which this stack does not all declare, so their region cannot be checked; " +
        `replicate only to a bucket declared in this stack with a provider in ${india}.`]],
    "cdn-us-origin": [["aws-resource-region-india", `origins[0].domainName references assets.s3.us-east-1.amazonaws.com in us-east-1, outside India; copy or replicate only to and from ${india}.`]],
    "aws-endpoint-abroad": [["aws-provider-region-india", `AWS provider endpoints[0].s3 is https://s3.us-east-1.amazonaws.com, outside India; remove the override or point it at an endpoint in ${india}.`]],
    "aws-endpoint-local": [["aws-provider-region-india", `AWS provider endpoints[0].s3 is http://localhost:4566, which names no AWS region; remove the override or point it at an endpoint in ${india}.`]],
    "gcp-endpoint-abroad": [["gcp-provider-region-india", "GCP provider storageCustomEndpoint is \"https://storage.googleapis.com/storage/v1/\", not a Google endpoint in India; remove it or use https://asia-south1-<service>.googleapis.com/."]],
    "topic-any-region": [["pubsub-topic-storage-india", "Pub/Sub topic stores messages in any Google region; set messageStoragePolicy.allowedPersistenceRegions to [\"asia-south1\", \"asia-south2\"] (with enforceInTransit: true)."]],
    "topic-us": [["gcp-location-india", `messageStoragePolicy.allowedPersistenceRegions[0] is "us-central1", outside India; use ${gcpIndia} (or one of their zones).`]],
    "snapshots-us": [["gcp-location-india", `snapshotSchedulePolicy.snapshotProperties.storageLocations is "us", outside India; use ${gcpIndia} (or one of their zones).`]],
    "sink-elsewhere": [["log-sink-destination-india", "Log sink sink-elsewhere writes to \"storage.googleapis.com/someone-elses-bucket\", which names no location and is not declared in this stack; " +
        `write to logging.googleapis.com/projects/<project>/locations/asia-south1/buckets/<bucket> or to a bucket, dataset or topic this stack declares in ${gcpIndia}.`]],
    "sink-us-bucket": [
        ["log-sink-destination-india", "Log sink sink-us-bucket writes to \"logging.googleapis.com/projects/bookkeep-production/locations/us-central1/buckets/logs\", which is in us-central1; " +
            `write to logging.googleapis.com/projects/<project>/locations/asia-south1/buckets/<bucket> or to a bucket, dataset or topic this stack declares in ${gcpIndia}.`],
        ["gcp-location-india", `destination refers to logging.googleapis.com/projects/bookkeep-production/locations/us-central1/buckets/logs in us-central1, outside India; refer only to resources in ${gcpIndia}.`],
    ],
    "aurora-plain": [["rds-storage-encrypted", "RDS cluster storage is not encrypted; set storageEncrypted: true (with kmsKeyId for a customer-managed key)."]],
    "aurora-public": [["rds-not-public", "RDS cluster instance is publicly accessible; set publiclyAccessible: false and reach it from private subnets."]],
    "cache-standalone": [["elasticache-encrypted", "ElastiCache cluster stands alone, which cannot encrypt at rest or require AUTH; create an aws.elasticache.ReplicationGroup (atRestEncryptionEnabled, transitEncryptionEnabled, authToken) instead."]],
    "dynamo": [["data-store-types-covered", "aws:dynamodb/table:Table belongs to a data store service (key-value) that no policy in this pack covers; no key-value store is covered yet, " +
        "or add policies for it (encryption, exposure, backups, residency) and list it in policies/dataStores.ts first."]],
    "analytics": [["data-store-types-covered", "gcp:bigquery/dataset:Dataset belongs to a data store service (analytics) that no policy in this pack covers; no analytics store is covered yet, " +
        "or add policies for it (encryption, exposure, backups, residency) and list it in policies/dataStores.ts first."]],
    "sg-halves": [["security-group-no-public-data-ports", "Ingress from 0.0.0.0/1, 128.0.0.0/1 reaches port(s) 5432; allow only the VPC, a security group or the office/VPN ranges."]],
    "sg-v6-halves": [["security-group-no-public-data-ports", "Ingress from ::/1 reaches port(s) 22; allow only the VPC, a security group or the office/VPN ranges."]],
    "sg-slash8": [["security-group-no-public-data-ports", "Ingress from 1.0.0.0/8 reaches port(s) 6379; allow only the VPC, a security group or the office/VPN ranges."]],
    "sg-split-rules": [["security-group-no-public-data-ports", "Ingress from 1.0.0.0/9, 1.128.0.0/9 reaches port(s) 22; allow only the VPC, a security group or the office/VPN ranges."]],
    "fw-halves": [["firewall-no-public-data-ports", "Firewall admits 0.0.0.0/1, 128.0.0.0/1 on port(s) 22; restrict sourceRanges to the VPC, IAP (35.235.240.0/20) or the office/VPN ranges."]],
    "gke-halves": [["gke-master-authorized-networks", "GKE master authorized networks include 0.0.0.0/1, 128.0.0.0/1; list only the office/VPN ranges."]],
    "second-pab": [["s3-public-access-blocked", "S3 bucket second-pab may become public: its public access block second-pab-off turns protection off; " +
        "set blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true on every block (keep one)."]],
    "acl-public": [["s3-bucket-not-public", "S3 acl public-read makes objects public; use acl private (or BucketOwnershipControls BucketOwnerEnforced) and serve public files through CloudFront."]],
    "policy-star": [["s3-bucket-not-public", "Bucket policy allows Principal \"*\" (statement \"Read\"); grant named principals only (the CloudFront service with an AWS:SourceArn condition, roles of this account)."]],
    "gcs-all-users": [["gcs-bucket-not-public", "Bucket access is granted to allUsers, which makes it public; grant named service accounts and serve public files through Cloud CDN."]],
    "patch-privileged": [["container-not-privileged", "DeploymentPatch api: container \"api\" is privileged; remove securityContext.privileged (it grants full host access)."]],
    "rollout-hostnet": [["pod-no-host-namespaces", "Rollout rollout-hostnet: hostNetwork is true; remove it so the pod does not share the node's namespaces."]],
    "pv-hostpath": [["persistent-volume-no-host-path", "PersistentVolume pv-hostpath is a hostPath volume on \"/\"; use a StorageClass that provisions cloud disks (CSI)."]],
    "manifests": [["manifests-visible-to-policies", "ConfigGroup manifests creates objects the policy pack never sees before they are applied; declare them as typed resources (k8s.apps.v1.Deployment, ...) or install them as a pinned Helm chart."]],
    "scratch-job": [["namespace-default-deny", "Namespace scratch has no default-deny Ingress and Egress NetworkPolicy; add one with podSelector: {} and policyTypes [Ingress, Egress] and no rules."]],
    "allow-all-ingress": [["network-policy-not-allow-all", "NetworkPolicy allows all ingress on every port, which undoes default-deny; name the sources (podSelector, namespaceSelector or a narrow ipBlock) and the ports."]],
    "allow-world-egress": [["network-policy-not-allow-all", "NetworkPolicy allows all egress on every port, which undoes default-deny; name the destinations (podSelector, namespaceSelector or a narrow ipBlock) and the ports."]],
    "tools-namespace": [["namespace-default-deny", "Namespace bookkeep-tools has no default-deny Ingress and Egress NetworkPolicy; add one with podSelector: {} and policyTypes [Ingress, Egress] and no rules."]],
    "es-lb": [["app-services-internal", "Service is exposed as LoadBalancer on port(s) 9200; only 80 and 443 may face outside the cluster: use type ClusterIP and route through the API Gateway (an HTTPRoute)."]],
    "pdb-all": [["pdb-keeps-pods", "PodDisruptionBudget maxUnavailable: 100% lets a drain evict every pod at once; use maxUnavailable: 1."]],
    "pdb-none-required": [["pdb-keeps-pods", "PodDisruptionBudget minAvailable: 0 lets a drain evict every pod at once; use maxUnavailable: 1."]],
    "ingress-catch-all": [["ingress-tls-required", "Ingress answers requests for any host (a rule without host, or a defaultBackend), which TLS cannot cover; give every rule a host listed under spec.tls."]],
};
