/**
 * The regional GKE cluster: control plane replicated over the region's zones, private nodes
 * reached only through Cloud NAT, the public endpoint limited to `cluster.apiAllowedCidrs`,
 * Dataplane V2 (eBPF, enforces NetworkPolicy), Workload Identity, shielded nodes and Secrets
 * encrypted at the application layer with our own KMS key.
 */
import * as gcp from "./sdk";
import * as k8s from "../k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig, Environment } from "../../stacks/schema";
import { grantKeyUse } from "./kms";
import { gkeKubeconfig } from "./kubeconfig";
import { GcpNetwork, nodeTag, secondaryRanges } from "./network";
import { gkeMaintenanceStart } from "./windows";

/** The StorageClass of the platform's volumes: GKE's premium-rwo (pd-ssd), under our key. */
export const storageClassName = "premium-rwo-cmek";
/**
 * Boot disk of a node: COS, the images of the pods it runs and their emptyDirs (the backup job's
 * dump, up to 20 GiB, is the largest). Every GB here counts against the region's SSD quota once
 * per node, up to the autoscaling maximum plus the surge node.
 */
export const nodeBootDiskGb = 50;
/**
 * The temporary default pool lives only while the cluster is created: standard disks, which the
 * region's SSD quota does not count, at the smallest size GKE's node image accepts comfortably.
 */
export const temporaryPoolDisk = { diskType: "pd-standard", diskSizeGb: 30 } as const;
/** Nodes the upgrade surge adds on top of the autoscaling maximum. */
export const upgradeMaxSurge = 1;

/** The single IAM role a GKE node service account needs (logs, metrics, metadata). */
export const nodeServiceAccountRole = "roles/container.defaultNodeServiceAccount";

export interface GkeClusterArgs {
    /** Project of the cluster: its Workload Identity pool and the node account live there. */
    readonly project: string;
    /** The regional cluster's region. */
    readonly region: string;
    /** Zones of the control plane and nodes (`gcp.zones`, three). */
    readonly zones: readonly string[];
    /** The private control plane's /28. */
    readonly controlPlaneCidr: string;
    /** Machine type of the node pool. */
    readonly nodeMachineType: string;
    /** Version, node counts and who may reach the API (`cluster.*`). */
    readonly cluster: ClusterConfig;
    /** Names the node account and labels the nodes. */
    readonly environment: Environment;
    readonly provider: gcp.Provider;
    /** Deletion protection of the cluster (production). Default false. */
    readonly protect?: boolean;
    readonly network: GcpNetwork;
    /** Key for application-layer Secrets encryption. */
    readonly secretsKey: gcp.kms.CryptoKey;
    /** IAM member of the GKE service agent, which must be able to use `secretsKey`. */
    readonly gkeAgent: pulumi.Input<string>;
    /** Key for node boot disks and persistent volumes (CMEK). */
    readonly diskKey: gcp.kms.CryptoKey;
    /** IAM member of the Compute Engine service agent, which encrypts disks with `diskKey`. */
    readonly computeAgent: pulumi.Input<string>;
}

/**
 * How the node pool spreads `cluster.nodeCount` over zones. GKE counts nodes per zone, so the pool
 * uses as many zones as it has nodes (up to all of them) and rounds up; autoscaling bounds are
 * totals over the zones (`totalMin/MaxNodeCount`), exactly the configured min and max.
 */
export function nodePlacement(cluster: ClusterConfig, zones: readonly string[]) {
    const locations = zones.slice(0, Math.min(zones.length, cluster.nodeCount));
    return {
        locations,
        perZone: Math.ceil(cluster.nodeCount / locations.length),
        totalMin: cluster.minNodes,
        totalMax: cluster.maxNodes,
    };
}

/** Identity, hardening and disk encryption every node of the cluster gets, the temporary default pool's included. */
export function defaultPoolNodeConfig(serviceAccount: pulumi.Input<string>, bootDiskKmsKey: pulumi.Input<string>) {
    return {
        serviceAccount,
        bootDiskKmsKey,
        // Access is governed by the account's IAM roles; the scope only stops being a second gate.
        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        // Pods see the GKE metadata server (Workload Identity), never the node's credentials.
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        metadata: { "disable-legacy-endpoints": "true" },
        tags: [nodeTag],
    };
}

export class GkeCluster extends pulumi.ComponentResource {
    public readonly cluster: gcp.container.Cluster;
    public readonly nodePool: gcp.container.NodePool;
    public readonly nodeServiceAccount: gcp.serviceaccount.Account;
    /** Kubeconfig using gke-gcloud-auth-plugin; a secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly k8sProvider: k8s.Provider;
    /** The CMEK StorageClass for persistent volumes. */
    public readonly storageClass: k8s.storage.v1.StorageClass;
    /**
     * Workload Identity pool (`<project>.svc.id.goog`), read from the cluster: the pool exists only
     * once the cluster does, and IAM refuses bindings to it before ("Identity Pool does not exist").
     */
    public readonly workloadPool: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:GkeCluster", name, {}, opts);
        const { project, region, environment, provider, network } = args;
        const protect = args.protect ?? false;
        const childOpts = { parent: this, provider };
        const workloadPool = `${project}.svc.id.goog`;

        // Nodes run as a dedicated account with only the node role, not the Compute Engine default
        // account (Editor on the whole project).
        this.nodeServiceAccount = new gcp.serviceaccount.Account(`${name}-nodes`, {
            project,
            accountId: `bk-${environment}-gke-nodes`,
            displayName: `BookKeep ${environment} GKE nodes`,
        }, childOpts);
        const nodeRole = new gcp.projects.IAMMember(`${name}-nodes-role`, {
            project,
            role: nodeServiceAccountRole,
            member: this.nodeServiceAccount.member,
        }, childOpts);
        const keyGrant = grantKeyUse(`${name}-secrets-key`, args.secretsKey, args.gkeAgent, childOpts);
        // Boot disks and CSI volumes are created by the Compute Engine service agent.
        const diskGrant = grantKeyUse(`${name}-disk-key`, args.diskKey, args.computeAgent, childOpts);

        this.cluster = new gcp.container.Cluster(`${name}`, {
            location: region,
            nodeLocations: [...args.zones],
            network: network.vpc.id,
            subnetwork: network.subnet.id,
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: {
                clusterSecondaryRangeName: secondaryRanges.pods,
                servicesSecondaryRangeName: secondaryRanges.services,
            },
            privateClusterConfig: {
                enablePrivateNodes: true,
                // The endpoint stays reachable for CI and operators, but only from apiAllowedCidrs.
                enablePrivateEndpoint: false,
                masterIpv4CidrBlock: args.controlPlaneCidr,
            },
            masterAuthorizedNetworksConfig: {
                cidrBlocks: args.cluster.apiAllowedCidrs.map(cidr => ({ cidrBlock: cidr, displayName: `allowed ${cidr}` })),
                gcpPublicCidrsAccessEnabled: false,
            },
            masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
            // Dataplane V2 enforces NetworkPolicy itself; the legacy Calico networkPolicy must stay unset.
            datapathProvider: "ADVANCED_DATAPATH",
            workloadIdentityConfig: { workloadPool },
            enableShieldedNodes: true,
            enableLegacyAbac: false,
            releaseChannel: { channel: "REGULAR" },
            minMasterVersion: args.cluster.kubernetesVersion,
            databaseEncryption: { state: "ENCRYPTED", keyName: args.secretsKey.id },
            securityPostureConfig: { mode: "BASIC" },
            addonsConfig: {
                gcePersistentDiskCsiDriverConfig: { enabled: true },
                horizontalPodAutoscaling: { disabled: false },
                httpLoadBalancing: { disabled: false },
            },
            // Control-plane logs (API server audit trail, controller manager, scheduler) as well.
            loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"] },
            // The platform runs its own Prometheus; Cloud Monitoring keeps the system metrics.
            monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: false } },
            // Clear of the database dumps (windows.ts).
            maintenancePolicy: { dailyMaintenanceWindow: { startTime: gkeMaintenanceStart } },
            // GKE cannot create a cluster without a pool, so it boots a temporary default pool
            // (deleted right after, replaced by ours). Left unset, that pool runs as the Compute
            // Engine default account (Editor on the project) with legacy metadata, so it gets the
            // same least-privilege, shielded, Workload-Identity-only configuration as ours.
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            nodeConfig: { ...defaultPoolNodeConfig(this.nodeServiceAccount.email, args.diskKey.id), ...temporaryPoolDisk },
            deletionProtection: protect,
        }, {
            ...childOpts,
            // The node account must hold its role before the temporary pool's nodes register.
            dependsOn: [keyGrant, diskGrant, network.nat, nodeRole],
            // nodeConfig describes only the deleted default pool: a change to it must never
            // replace the cluster.
            ignoreChanges: ["nodeConfig"],
        });

        this.workloadPool = this.cluster.workloadIdentityConfig.apply(c => c?.workloadPool ?? workloadPool);

        const placement = nodePlacement(args.cluster, args.zones);
        this.nodePool = new gcp.container.NodePool(`${name}-default`, {
            cluster: this.cluster.id,
            location: region,
            nodeLocations: placement.locations,
            initialNodeCount: placement.perZone,
            autoscaling: {
                totalMinNodeCount: placement.totalMin,
                totalMaxNodeCount: placement.totalMax,
                locationPolicy: "BALANCED",
            },
            management: { autoRepair: true, autoUpgrade: true },
            upgradeSettings: { strategy: "SURGE", maxSurge: upgradeMaxSurge, maxUnavailable: 0 },
            nodeConfig: {
                ...defaultPoolNodeConfig(this.nodeServiceAccount.email, args.diskKey.id),
                machineType: args.nodeMachineType,
                imageType: "COS_CONTAINERD",
                diskType: "pd-balanced",
                diskSizeGb: nodeBootDiskGb,
                labels: { environment },
            },
        }, {
            ...childOpts,
            dependsOn: [nodeRole, diskGrant],
            // The autoscaler owns the node count after creation.
            ignoreChanges: ["initialNodeCount"],
        });

        this.kubeconfig = pulumi.secret(pulumi.all([this.cluster.name, this.cluster.endpoint, this.cluster.masterAuth])
            .apply(([clusterName, endpoint, auth]) => gkeKubeconfig({
                name: `gke_${project}_${region}_${clusterName}`,
                endpoint,
                caCertificate: auth.clusterCaCertificate ?? "",
            })));
        this.k8sProvider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, { parent: this, dependsOn: [this.nodePool] });

        this.storageClass = new k8s.storage.v1.StorageClass(`${name}-${storageClassName}`, {
            metadata: { name: storageClassName },
            provisioner: "pd.csi.storage.gke.io",
            parameters: { type: "pd-ssd", "disk-encryption-kms-key": args.diskKey.id },
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            // Production volumes (NATS JetStream, Elasticsearch) outlive an accidental PVC delete.
            reclaimPolicy: protect ? "Retain" : "Delete",
        }, { parent: this, provider: this.k8sProvider, dependsOn: [diskGrant] });

        this.registerOutputs({ clusterName: this.cluster.name, kubeconfig: this.kubeconfig });
    }
}
