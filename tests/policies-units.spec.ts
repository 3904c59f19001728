/**
 * The rules behind the evasion classes, called directly as the analyzer calls them: each case
 * varies one property of a resource and names the exact message, or none. Cheap enough that the
 * mutation run can afford them on every mutant of policies/.
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { expect } from "chai";
import { dataStoreFamily, dataStoreTypesCovered } from "../policies/dataStores";
import { containerImagePinned, hardeningPolicies, manifestsVisibleToPolicies, persistentVolumeNoHostPath, podRunAsNonRoot } from "../policies/hardening";
import { appServicesInternal, ingressTlsRequired, namespaceDefaultDeny, networkPolicyNotAllowAll, pdbKeepsPods } from "../policies/network";
import { gcsBucketNotPublic, s3BucketNotPublic } from "../policies/publicAccess";
import { awsProviderRegionIndia, awsResourceRegionIndia, gcpLocationIndia, gcpProviderRegionIndia } from "../policies/residency";
import { logSinkDestinationIndia, pubsubTopicStorageIndia } from "../policies/residencyDestinations";
import { check, checkStack, fake } from "./policies-units-harness";

describe("policy units: data-store families", () => {
    const uncovered = (type: string, family: string, alternative: string) => [`${type} belongs to a data store service (${family}) that no policy in this pack covers; ${alternative}, ` +
        "or add policies for it (encryption, exposure, backups, residency) and list it in policies/dataStores.ts first."];

    it("points an uncovered store at the covered ones of its family, on both clouds", () => {
        expect(check(dataStoreTypesCovered, "aws:memorydb/cluster:Cluster", {})).to.deep.equal(uncovered("aws:memorydb/cluster:Cluster", "cache",
            "use a covered cache store (aws:elasticache/replicationGroup:ReplicationGroup, aws:elasticache/cluster:Cluster, gcp:redis/instance:Instance)"));
        expect(check(dataStoreTypesCovered, "gcp:alloydb/cluster:Cluster", {})).to.deep.equal(uncovered("gcp:alloydb/cluster:Cluster", "relational",
            "use a covered relational store (aws:rds/instance:Instance, aws:rds/cluster:Cluster, aws:rds/clusterInstance:ClusterInstance, gcp:sql/databaseInstance:DatabaseInstance)"));
        expect(check(dataStoreTypesCovered, "aws:s3/bucketNotification:BucketNotification", {})).to.deep.equal(uncovered("aws:s3/bucketNotification:BucketNotification", "object",
            "use a covered object store (aws:s3/bucket:Bucket, aws:s3/bucketV2:BucketV2, gcp:storage/bucket:Bucket)"));
        expect(check(dataStoreTypesCovered, "aws:efs/fileSystem:FileSystem", {})).to.deep.equal(uncovered("aws:efs/fileSystem:FileSystem", "file", "no file store is covered yet"));
    });

    it("passes covered stores, their named configuration, and types of other services", () => {
        for (const type of ["aws:rds/cluster:Cluster", "gcp:pubsub/topic:Topic", "aws:rds/subnetGroup:SubnetGroup", "gcp:sql/user:User",
            "gcp:pubsub/subscription:Subscription", "aws:kms/key:Key", "gcp:compute/network:Network", "kubernetes:core/v1:Secret"]) {
            expect(check(dataStoreTypesCovered, type, {}), type).to.deep.equal([]);
        }
        expect([dataStoreFamily("aws:sqs/queue:Queue"), dataStoreFamily("gcp:bigtable/instance:Instance"), dataStoreFamily("aws:s3x/y:Z")]).to.deep.equal(["queue", "key-value", undefined]);
    });
});

describe("policy units: public object storage", () => {
    const s3Acl = (what: string) => [`S3 ${what} makes objects public; use acl private (or BucketOwnershipControls BucketOwnerEnforced) and serve public files through CloudFront.`];
    const star = (statements: string) => [`Bucket policy allows Principal "*" (statement ${statements}); grant named principals only (the CloudFront service with an AWS:SourceArn condition, roles of this account).`];
    const policy = (...Statement: unknown[]) => ({ policy: JSON.stringify({ Statement }) });

    it("refuses every public canned ACL and grants to everyone, on a bucket, its ACL or an object", () => {
        expect(check(s3BucketNotPublic, "aws:s3/bucketAcl:BucketAcl", { acl: "public-read-write" })).to.deep.equal(s3Acl("acl public-read-write"));
        expect(check(s3BucketNotPublic, "aws:s3/bucketObjectv2:BucketObjectv2", { acl: "authenticated-read" })).to.deep.equal(s3Acl("acl authenticated-read"));
        expect(check(s3BucketNotPublic, "aws:s3/bucketAcl:BucketAcl", {
            accessControlPolicy: { grants: [{ grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" }, permission: "READ" }] },
        })).to.deep.equal(s3Acl("a grant to AllUsers"));
        expect(check(s3BucketNotPublic, "aws:s3/bucket:Bucket", { acl: "public-read", grants: [{ uri: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers" }] }))
            .to.deep.equal(s3Acl("acl public-read and a grant to AuthenticatedUsers"));
        for (const props of [{ acl: "private" }, { acl: "bucket-owner-full-control" }, { grants: [{ uri: "http://acs.amazonaws.com/groups/s3/LogDelivery" }] }, {}]) {
            expect(check(s3BucketNotPublic, "aws:s3/bucketAcl:BucketAcl", props), JSON.stringify(props)).to.deep.equal([]);
        }
    });

    it("refuses a bucket policy allowing everyone, however the principal is written", () => {
        expect(check(s3BucketNotPublic, "aws:s3/bucketPolicy:BucketPolicy", policy({ Sid: "A", Effect: "Allow", Principal: { AWS: "*" } }))).to.deep.equal(star("\"A\""));
        expect(check(s3BucketNotPublic, "aws:s3/bucketPolicy:BucketPolicy", policy(
            { Effect: "Deny", Principal: "*" }, { Effect: "Allow", Principal: { AWS: ["arn:aws:iam::1:root", "*"] } },
        ))).to.deep.equal(star("1"));
        for (const st of [{ Effect: "Deny", Principal: "*" }, { Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" } }, { Effect: "Allow", Principal: { Service: "*" } }]) {
            expect(check(s3BucketNotPublic, "aws:s3/bucketPolicy:BucketPolicy", policy(st)), JSON.stringify(st)).to.deep.equal([]);
        }
    });

    it("refuses allUsers and allAuthenticatedUsers in GCS IAM and ACLs", () => {
        const open = (who: string) => [`Bucket access is granted to ${who}, which makes it public; grant named service accounts and serve public files through Cloud CDN.`];
        expect(check(gcsBucketNotPublic, "gcp:storage/bucketIAMBinding:BucketIAMBinding", { members: ["user:a@b.c", "allAuthenticatedUsers"] })).to.deep.equal(open("allAuthenticatedUsers"));
        expect(check(gcsBucketNotPublic, "gcp:storage/bucketIAMPolicy:BucketIAMPolicy", { policyData: JSON.stringify({ bindings: [{ role: "r", members: ["allUsers"] }] }) }))
            .to.deep.equal(open("allUsers"));
        expect(check(gcsBucketNotPublic, "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl", { entity: "allUsers" })).to.deep.equal(open("allUsers"));
        expect(check(gcsBucketNotPublic, "gcp:storage/bucketAccessControl:BucketAccessControl", { entity: "user-a@b.c" })).to.deep.equal([]);
        expect(check(gcsBucketNotPublic, "gcp:storage/bucketIAMMember:BucketIAMMember", { member: "group:allUsers@b.c" })).to.deep.equal([]);
    });
});

describe("policy units: residency by reference", () => {
    it("judges every endpoint override of an AWS provider", () => {
        expect(check(awsProviderRegionIndia, "pulumi:providers:aws", { region: "ap-south-1", endpoints: JSON.stringify([{ s3: "https://s3.ap-south-1.amazonaws.com", sts: "https://sts.eu-west-1.amazonaws.com" }]) }))
            .to.deep.equal(["AWS provider endpoints[0].sts is https://sts.eu-west-1.amazonaws.com, outside India; remove the override or point it at an endpoint in ap-south-1 or ap-south-2."]);
        expect(check(awsProviderRegionIndia, "pulumi:providers:aws", { region: "ap-south-2" })).to.deep.equal([]);
    });

    it("accepts only Google's own endpoints in India as GCP custom endpoints", () => {
        const bad = (key: string, value: string) => [`GCP provider ${key} is ${JSON.stringify(value)}, not a Google endpoint in India; remove it or use https://asia-south1-<service>.googleapis.com/.`];
        expect(check(gcpProviderRegionIndia, "pulumi:providers:gcp", { region: "asia-south1", pubsubCustomEndpoint: "https://asia-south1-pubsub.evil.com/" }))
            .to.deep.equal(bad("pubsubCustomEndpoint", "https://asia-south1-pubsub.evil.com/"));
        expect(check(gcpProviderRegionIndia, "pulumi:providers:gcp", { region: "asia-south1", sqlCustomEndpoint: "http://asia-south1-sql.googleapis.com/" }))
            .to.deep.equal(bad("sqlCustomEndpoint", "http://asia-south1-sql.googleapis.com/"));
        expect(check(gcpProviderRegionIndia, "pulumi:providers:gcp", { region: "asia-south2", sqlCustomEndpoint: "https://asia-south2-sqladmin.googleapis.com/", project: "p" })).to.deep.equal([]);
    });

    it("reads AWS regions under any *Region key, and ARNs of allowlisted services except the exceptions they need", () => {
        expect(check(awsResourceRegionIndia, "aws:backup/plan:Plan", { rule: { copyAction: { destinationRegion: "ap-south-2" }, targetRegion: "eu-west-1" } }))
            .to.deep.equal(["rule.targetRegion is \"eu-west-1\", outside India; replicas and copies may only go to ap-south-1 or ap-south-2."]);
        expect(check(awsResourceRegionIndia, "aws:iam/rolePolicy:RolePolicy", { region: "us-east-1", policy: "arn:aws:kms:eu-west-1:1:key/k" }))
            .to.deep.equal(["policy references arn:aws:kms:eu-west-1:1:key/k in eu-west-1, outside India; copy or replicate only to and from ap-south-1 or ap-south-2."]);
        expect(check(awsResourceRegionIndia, "aws:acm/certificateValidation:CertificateValidation", { certificateArn: "arn:aws:acm:us-east-1:1:certificate/c" })).to.deep.equal([]);
        expect(check(awsResourceRegionIndia, "aws:route53/record:Record", { records: ["arn:aws:acm:us-east-1:1:certificate/c"] }))
            .to.deep.equal(["records[0] references arn:aws:acm:us-east-1:1:certificate/c in us-east-1, outside India; copy or replicate only to and from ap-south-1 or ap-south-2."]);
        expect(check(awsResourceRegionIndia, "gcp:storage/bucket:Bucket", { region: "us-east-1" })).to.deep.equal([]);
    });

    it("reads GCP locations under any key and inside paths, not in keys that hold no place", () => {
        expect(check(gcpLocationIndia, "gcp:compute/disk:Disk", { zone: "asia-south1-a", snapshot: "projects/p/zones/europe-west1-b/snapshots/s" }))
            .to.deep.equal(["snapshot refers to projects/p/zones/europe-west1-b/snapshots/s in europe-west1-b, outside India; refer only to resources in asia-south1 or asia-south2."]);
        expect(check(gcpLocationIndia, "gcp:storage/bucket:Bucket", { location: "US", locationType: "multi-region", dnsName: "x.", customPlacementConfig: { dataLocations: ["US-EAST1"] } }))
            .to.deep.equal(["customPlacementConfig.dataLocations[0] is \"US-EAST1\", outside India; use asia-south1 or asia-south2 (or one of their zones)."]);
        expect(check(gcpLocationIndia, "gcp:compute/uRLMap:URLMap", { defaultService: "projects/p/regions/us-east1/backendServices/b" }))
            .to.deep.equal(["defaultService refers to projects/p/regions/us-east1/backendServices/b in us-east1, outside India; refer only to resources in asia-south1 or asia-south2."]);
        expect(check(gcpLocationIndia, "gcp:compute/uRLMap:URLMap", { region: "us-east1" })).to.deep.equal([]);
        expect(check(gcpLocationIndia, "aws:s3/bucket:Bucket", { region: "us-east1" })).to.deep.equal([]);
    });

    it("holds Pub/Sub topics and log sinks to India", () => {
        expect(check(pubsubTopicStorageIndia, "gcp:pubsub/topic:Topic", { messageStoragePolicy: { allowedPersistenceRegions: ["asia-south2"] } })).to.deep.equal([]);
        expect(check(pubsubTopicStorageIndia, "gcp:pubsub/subscription:Subscription", {})).to.deep.equal([]);
        const declared = fake("gcp:bigquery/dataset:Dataset", "d", {});
        expect(checkStack(logSinkDestinationIndia,
            fake("gcp:logging/folderSink:FolderSink", "to-declared", { destination: "bigquery.googleapis.com/projects/p/datasets/d" }, { destination: [declared] }),
            fake("gcp:logging/organizationSink:OrganizationSink", "to-mixed", { destination: "logging.googleapis.com/projects/p/locations/asia-south1/locations/us/buckets/b" }),
            fake("gcp:logging/billingAccountSink:BillingAccountSink", "to-india", { destination: "logging.googleapis.com/projects/p/locations/ASIA-SOUTH2/buckets/b" }),
            fake("gcp:logging/projectSink:ProjectSink", "to-nothing", {}),
        )).to.deep.equal([
            "to-mixed: Log sink to-mixed writes to \"logging.googleapis.com/projects/p/locations/asia-south1/locations/us/buckets/b\", which is in asia-south1, us; " +
            "write to logging.googleapis.com/projects/<project>/locations/asia-south1/buckets/<bucket> or to a bucket, dataset or topic this stack declares in asia-south1 or asia-south2.",
            "to-nothing: Log sink to-nothing writes to \"\", which names no location and is not declared in this stack; " +
            "write to logging.googleapis.com/projects/<project>/locations/asia-south1/buckets/<bucket> or to a bucket, dataset or topic this stack declares in asia-south1 or asia-south2.",
        ]);
    });
});

describe("policy units: Kubernetes edges", () => {
    const patch = "kubernetes:apps/v1:DeploymentPatch";
    const patched = (container: Record<string, unknown>, pod: Record<string, unknown> = {}) =>
        ({ metadata: { name: "api" }, spec: { template: { spec: { containers: [{ name: "api", ...container }], ...pod } } } });

    it("judges what a patch sets and leaves what it does not set to the object", () => {
        for (const policy of hardeningPolicies.filter((p): p is ResourceValidationPolicy => "validateResource" in p)) {
            expect(check(policy, patch, patched({})), policy.name).to.deep.equal([]);
        }
        expect(check(containerImagePinned, patch, patched({ image: "ghcr.io/bookkeep/api:latest" }))).to.deep.equal([
            "DeploymentPatch api: container \"api\" image ghcr.io/bookkeep/api:latest is tagged latest; pin a version tag such as :v1.0.0 or a digest.",
        ]);
        expect(check(podRunAsNonRoot, patch, patched({ securityContext: { runAsNonRoot: false } }))).to.deep.equal([
            "DeploymentPatch api: container \"api\" may run as root; set securityContext.runAsNonRoot: true on the pod or the container.",
        ]);
        expect(check(podRunAsNonRoot, "kubernetes:apps/v1:Deployment", patched({}))).to.deep.equal([
            "Deployment api: container \"api\" may run as root; set securityContext.runAsNonRoot: true on the pod or the container.",
        ]);
    });

    it("finds pod templates a custom resource embeds at any depth, with the metadata beside them", () => {
        const props = { metadata: { name: "es" }, spec: { nodeSets: [{ podTemplate: { metadata: { annotations: {} }, spec: { containers: [{ name: "es", image: "es:latest" }] } } }] } };
        expect(check(containerImagePinned, "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", props)).to.deep.equal([
            "Elasticsearch es: container \"es\" image es:latest is tagged latest; pin a version tag such as :v1.0.0 or a digest.",
        ]);
        expect(check(containerImagePinned, "kubernetes:batch/v1:JobTemplate", props)).to.deep.equal([]);
    });

    it("refuses local and hostPath PersistentVolumes, patches included", () => {
        expect(check(persistentVolumeNoHostPath, "kubernetes:core/v1:PersistentVolumePatch", { metadata: { name: "pv" }, spec: { local: { path: "/mnt/disks/a" } } }))
            .to.deep.equal(["PersistentVolume pv is a local volume on \"/mnt/disks/a\"; use a StorageClass that provisions cloud disks (CSI)."]);
        expect(check(persistentVolumeNoHostPath, "kubernetes:core/v1:PersistentVolume", { spec: { hostPath: {} } }, "by-name"))
            .to.deep.equal(["PersistentVolume by-name is a hostPath volume on null; use a StorageClass that provisions cloud disks (CSI)."]);
        expect(check(persistentVolumeNoHostPath, "kubernetes:core/v1:PersistentVolumeClaim", { spec: { hostPath: { path: "/" } } })).to.deep.equal([]);
    });

    it("refuses every component that renders manifests out of the pack's sight", () => {
        expect(check(manifestsVisibleToPolicies, "kubernetes:kustomize/v2:Directory", {}, "kz")).to.deep.equal([
            "Directory kz creates objects the policy pack never sees before they are applied; declare them as typed resources (k8s.apps.v1.Deployment, ...) or install them as a pinned Helm chart.",
        ]);
        expect(check(manifestsVisibleToPolicies, "kubernetes:yaml/v2:ConfigFile", {}, "f")).to.have.length(1);
        expect(check(manifestsVisibleToPolicies, "kubernetes:yaml:ConfigFile", {}, "v1")).to.deep.equal([]);
    });

    it("refuses allow-all rules only: every peer on every port", () => {
        const ingressAll = "NetworkPolicy allows all ingress on every port, which undoes default-deny; name the sources (podSelector, namespaceSelector or a narrow ipBlock) and the ports.";
        const np = (spec: Record<string, unknown>) => check(networkPolicyNotAllowAll, "kubernetes:networking.k8s.io/v1:NetworkPolicy", { spec });
        expect(np({ ingress: [{ from: [] }] })).to.deep.equal([ingressAll]);
        expect(np({ ingress: [{ from: [{ podSelector: {} }, { ipBlock: { cidr: "::/0" } }] }] })).to.deep.equal([ingressAll]);
        expect(np({ ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443 }] }] })).to.deep.equal([]);
        expect(np({ ingress: [{ from: [{ namespaceSelector: {} }] }], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }] })).to.deep.equal([]);
        expect(np({ ingress: ["x"], egress: [] })).to.deep.equal([]);
    });

    it("lets only HTTP and HTTPS face outside the cluster, never from the app namespace", () => {
        const svc = (namespace: string, type: string, ports?: unknown[]) => check(appServicesInternal, "kubernetes:core/v1:Service", { metadata: { namespace }, spec: { type, ports } });
        expect(svc("bookkeep-system", "NodePort", [{ port: 443 }, { port: 22 }])).to.deep.equal([
            "Service is exposed as NodePort on port(s) 22; only 80 and 443 may face outside the cluster: use type ClusterIP and route through the API Gateway (an HTTPRoute).",
        ]);
        expect(svc("bookkeep-system", "LoadBalancer")).to.deep.equal([
            "Service is exposed as LoadBalancer on port(s) unknown; only 80 and 443 may face outside the cluster: use type ClusterIP and route through the API Gateway (an HTTPRoute).",
        ]);
        expect(svc("bookkeep-staging", "LoadBalancer", [{ port: 443 }])).to.deep.equal(["Service is exposed as LoadBalancer; use type ClusterIP and route through the API Gateway (an HTTPRoute)."]);
        expect(svc("bookkeep-system", "NodePort", [{ port: 80 }])).to.deep.equal([]);
        expect(svc("bookkeep-staging", "ExternalName", [{ port: 9200 }])).to.deep.equal([]);
    });

    it("keeps a pod through a drain: no 100% unavailable, no zero available", () => {
        const pdb = (spec: Record<string, unknown>) => check(pdbKeepsPods, "kubernetes:policy/v1:PodDisruptionBudget", { spec });
        expect(pdb({ minAvailable: "0%" })).to.deep.equal(["PodDisruptionBudget minAvailable: 0% lets a drain evict every pod at once; use maxUnavailable: 1."]);
        for (const spec of [{ maxUnavailable: "50%" }, { minAvailable: 1 }, { minAvailable: "10%" }, { maxUnavailable: 0 }, {}]) {
            expect(pdb(spec), JSON.stringify(spec)).to.deep.equal([]);
        }
    });

    it("refuses an Ingress that answers any host", () => {
        const catchAll = "Ingress answers requests for any host (a rule without host, or a defaultBackend), which TLS cannot cover; give every rule a host listed under spec.tls.";
        const ing = (spec: Record<string, unknown>) => check(ingressTlsRequired, "kubernetes:networking.k8s.io/v1:Ingress", { spec: { tls: [{ hosts: ["a.b"] }], ...spec } });
        expect(ing({ rules: [{ host: "a.b" }], defaultBackend: { service: { name: "x" } } })).to.deep.equal([catchAll]);
        expect(ing({ rules: [{ host: "" }] })).to.deep.equal([catchAll]);
        expect(ing({ rules: [{ host: "a.b" }] })).to.deep.equal([]);
    });

    it("requires default-deny in every namespace the stack declares or runs pods in, the cloud's system namespaces excepted", () => {
        const deny = fake("kubernetes:networking.k8s.io/v1:NetworkPolicy", "deny", { metadata: { namespace: "tools" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } });
        expect(checkStack(namespaceDefaultDeny,
            fake("kubernetes:core/v1:Namespace", "tools", { metadata: { name: "tools" } }), deny,
            fake("kubernetes:apps/v1:DaemonSet", "agent", { metadata: { namespace: "kube-system" } }),
            fake("kubernetes:core/v1:Namespace", "lease", { metadata: { name: "kube-node-lease" } }),
            fake("kubernetes:core/v1:Pod", "stray", {}),
            fake("kubernetes:batch/v1:CronJob", "stray-job", {}),
            fake("kubernetes:core/v1:ConfigMap", "config", { metadata: { namespace: "elsewhere" } }),
            fake("kubernetes:apps/v1:DeploymentPatch", "patch", { metadata: { namespace: "patched" } }),
        )).to.deep.equal([
            "stray: Namespace default has no default-deny Ingress and Egress NetworkPolicy; add one with podSelector: {} and policyTypes [Ingress, Egress] and no rules.",
        ]);
    });
});
