/**
 * The cloud foundation contract: what every implementation (aws/, gcp/, local/) provides to the
 * rest of the program. The Kubernetes platform and the fleet see only this interface, so they run
 * unchanged on any cloud.
 */
import * as k8s from "./k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import { Cloud } from "../stacks/schema";
import { IdentityWorkload, WorkloadSubject } from "./identities";

type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type NetworkPolicyEgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

/** How in-cluster workloads reach a data store, and the NetworkPolicy peers that admit them. */
export interface DataEndpoint {
    readonly host: pulumi.Output<string>;
    readonly port: number;
    /** Full connection URL including credentials. Always a secret. */
    readonly url: pulumi.Output<string>;
    /** Egress peers for NetworkPolicies: data-subnet ipBlocks for managed stores, pod selectors in-cluster. */
    readonly networkPeers: NetworkPolicyPeer[];
    /**
     * PEM CA that signs the store's TLS certificate when clients cannot verify it against public
     * roots (Memorystore's per-instance CA). Unset where the system trust store suffices.
     */
    readonly caCert?: pulumi.Output<string>;
}

/** Object storage for documents and backups, and how a pod uploads a file to the backups bucket. */
export interface ObjectStore {
    readonly documentsBucket: pulumi.Output<string>;
    readonly backupsBucket: pulumi.Output<string>;
    /** Image that runs `uploadCommand` (aws-cli for S3 and S3-compatible stores, cloud-sdk for GCS). */
    readonly uploaderImage: string;
    /**
     * Shell command that uploads `localPath` to `key` in the backups bucket, authenticated by the
     * pod's workload identity (or the in-cluster store's generated credentials, via `uploaderEnv`).
     */
    uploadCommand(localPath: string, key: string): pulumi.Output<string>;
    /**
     * Shell command, in `uploaderImage` with `uploaderEnv`, that downloads `key` of the backups
     * bucket to `localPath` as the backup identity, which may read only the dump a restore names
     * (`database.restore`). Unset where config refuses a restore (the local cluster).
     */
    readonly downloadCommand?: (key: string, localPath: string) => pulumi.Output<string>;
    /** Extra env for the uploader container (endpoint, credentials from `uploaderSecret`). */
    readonly uploaderEnv: EnvVar[];
    /**
     * A Secret the uploader reads in its own (the app) namespace: the generated keys of an
     * in-cluster store. The Kubernetes platform creates it once that namespace exists. Clouds
     * authenticate by workload identity and leave this unset.
     */
    readonly uploaderSecret?: { readonly name: string; readonly stringData: pulumi.Input<Record<string, pulumi.Input<string>>> };
    /** Egress peers for the uploader (the cloud API over 443, or the in-cluster store). */
    readonly networkPeers: NetworkPolicyPeer[];
    readonly uploaderPorts: number[];
}

/** The cert-manager ClusterIssuer this cloud can satisfy (ACME DNS-01 on clouds, a local CA on laptops). */
export interface CertificateIssuer {
    readonly name: string;
    /** ClusterIssuer `spec`. */
    readonly spec: pulumi.Input<Record<string, unknown>>;
    /**
     * A Secret the solver reads from cert-manager's namespace (a DNS API token), created with the
     * issuer. Default none: the cloud solvers authenticate by workload identity.
     */
    readonly credentials?: { readonly name: string; readonly stringData: pulumi.Input<Record<string, pulumi.Input<string>>> };
}

/**
 * A job the cluster runs on a schedule against its cloud's API, as a workload identity of its own
 * that may do exactly this: for what a managed service does not do by itself as often as docs/requirements.md asks (Backups).
 */
export interface ScheduledCloudJob {
    /** Its ServiceAccount (bound to the cloud identity) and namespace; also names its CronJob and NetworkPolicy. */
    readonly subject: WorkloadSubject;
    readonly schedule: string;
    /** Pinned image with the cloud's CLI. */
    readonly image: string;
    /** Shell script the container runs (`sh -c`). */
    readonly script: pulumi.Output<string>;
    readonly env: EnvVar[];
    /** Annotations binding its ServiceAccount to the cloud identity. */
    readonly serviceAccountAnnotations: Record<string, pulumi.Input<string>>;
    /** What the CronJob waits for: the identity's grants (see `CloudFoundation.identityGrants`). */
    readonly identityGrants: pulumi.Resource[];
    /** Egress peers and ports for the cloud API. */
    readonly networkPeers: NetworkPolicyPeer[];
    readonly ports: number[];
}

/** Where Velero keeps this cloud's whole-cluster backups (components/k8s/velero.ts). */
export interface ClusterBackupTarget {
    /** Velero's object-store provider, the plugin's name. */
    readonly provider: "aws" | "gcp";
    /** Pinned provider plugin image (an init container copies it into Velero's plugin dir). */
    readonly pluginImage: string;
    /** The backups bucket; Velero writes under the `velero/` prefix. */
    readonly bucket: pulumi.Output<string>;
    /** BackupStorageLocation `config` (AWS: the region and the KMS key objects are encrypted with). */
    readonly config: Record<string, pulumi.Input<string>>;
    /** CSI driver of the platform's volumes, named by Velero's VolumeSnapshotClass. */
    readonly csiDriver: string;
    /** What installs the VolumeSnapshot CRDs and controller, when the cloud does not ship them. */
    readonly snapshotCrds: pulumi.Resource[];
    /** Egress peers for the object store and cloud APIs (443). */
    readonly networkPeers: NetworkPolicyPeer[];
}

/**
 * Where Tempo keeps trace blocks (components/k8s/tempo.ts): a bucket of their own, reached through
 * the `tempo` workload identity.
 */
export interface TraceStoreTarget {
    /** Tempo's `storage.trace.backend`. */
    readonly backend: "s3" | "gcs";
    readonly bucket: pulumi.Output<string>;
    /** The rest of Tempo's `storage.trace.<backend>` block (S3: endpoint, region, the SSE-KMS key). */
    readonly config: Record<string, pulumi.Input<unknown>>;
    /** Egress peers for the object store and the identity token exchange (443). */
    readonly networkPeers: NetworkPolicyPeer[];
}

/** A DNS record another zone must carry for this foundation (a certificate's validation record). */
export interface PublishedRecord {
    readonly name: pulumi.Output<string>;
    readonly type: pulumi.Output<string>;
    readonly content: pulumi.Output<string>;
}

/**
 * What a DNS-authoritative edge in front of the stack (Cloudflare, components/edge/) publishes for
 * it: the origin, the static-asset CDN, and the records the cloud's certificates validate through.
 */
export interface PublicEndpoints {
    /** Public IPv4 addresses of the ingress load balancer, keyed by what each one serves (an AZ, the region). */
    readonly originAddresses: Readonly<Record<string, pulumi.Output<string>>>;
    /** The static-asset CDN's own target for `cdn.<domain>` (CloudFront's name, Cloud CDN's address). */
    readonly cdnTarget: { readonly type: "A" | "CNAME"; readonly content: pulumi.Output<string> };
    /** Certificate validation records (ACM's CNAME for the CDN), keyed by what they validate. */
    readonly validationRecords: Readonly<Record<string, PublishedRecord>>;
}

export interface CloudFoundation {
    readonly cloud: Cloud;
    /** Provider for every Kubernetes object of the stack. */
    readonly k8sProvider: k8s.Provider;
    readonly clusterName: pulumi.Output<string>;
    /** Cluster kubeconfig; a secret. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly postgres: DataEndpoint & { readonly database: string; readonly username: string; readonly password: pulumi.Output<string> };
    readonly redis: DataEndpoint & { readonly tls: boolean };
    /**
     * Hourly cache snapshots where the managed cache does not take them itself (ElastiCache keeps
     * one a day); unset where it does (Memorystore's hourly RDB) or where nothing is kept (laptops).
     */
    readonly cacheSnapshots?: ScheduledCloudJob;
    readonly objectStore: ObjectStore;
    /** Whole-cluster backups with Velero; unset where nothing is worth it (laptops). */
    readonly clusterBackup?: ClusterBackupTarget;
    /** Tempo's object store; unset where traces stay on a volume (laptops). */
    readonly traceStore?: TraceStoreTarget;
    /** Generated JWT signing secret for the auth service. */
    readonly jwtSecret: pulumi.Output<string>;
    readonly certificateIssuer: CertificateIssuer;
    /** StorageClass for persistent volumes (NATS JetStream, Elasticsearch, in-cluster data stores). */
    readonly storageClass: string | undefined;
    /**
     * Service type and annotations for the ingress controller's Service (the cloud's L4 load balancer).
     * Values may be outputs (AWS: the NLB's pre-allocated Elastic IP allocation ids).
     */
    readonly ingressService: { readonly type: "LoadBalancer" | "NodePort"; readonly annotations: Record<string, pulumi.Input<string>> };
    /**
     * Egress rules a pod needs to obtain its workload-identity credentials (GKE's metadata server
     * on 169.254.169.254:80); empty where the token is projected into the pod (IRSA) or absent.
     */
    readonly identityEgress: NetworkPolicyEgressRule[];
    /** Where pods reach the Kubernetes API server, for controllers' NetworkPolicy egress (port 443). */
    readonly apiServerPeers: NetworkPolicyPeer[];
    /** The public endpoints an edge puts its DNS in front of; unset where nothing is public (a laptop). */
    readonly publicEndpoints?: PublicEndpoints;
    /** Annotations that bind a Kubernetes ServiceAccount to the workload's cloud identity. */
    serviceAccountAnnotations(workload: IdentityWorkload): Record<string, pulumi.Input<string>>;
    /**
     * The grants that make the workload's identity useful (its policies, bucket and zone bindings,
     * the Workload Identity binding), for the `dependsOn` of whatever runs as it. The annotations
     * only order it after the bare account or role, so on a first `up` the pods would start, get
     * 403s and crash-loop into back-off while IAM catches up. Empty where there is no identity.
     */
    identityGrants(workload: IdentityWorkload): pulumi.Resource[];
    /** Stack outputs this foundation contributes (identical key sets on every cloud). */
    readonly outputs: FoundationOutputs;
}

export interface FoundationOutputs {
    readonly clusterName: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly postgresHost: pulumi.Output<string>;
    readonly redisHost: pulumi.Output<string>;
    readonly documentsBucket: pulumi.Output<string>;
    readonly backupsBucket: pulumi.Output<string>;
    readonly apiHostname: pulumi.Output<string>;
    readonly cdnHostname: pulumi.Output<string>;
    readonly nameServers: pulumi.Output<string[]>;
}

/** Stateful resources (databases, buckets, keys, caches) are protected from deletion in production. */
export function protectStateful(environment: string): boolean {
    return environment === "production";
}
