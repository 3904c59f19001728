/**
 * The GCP implementation of the cloud foundation (asia-south1, Mumbai): network, regional GKE
 * with Workload Identity, Cloud SQL PostgreSQL, Memorystore Redis, GCS, Cloud CDN, Cloud DNS and
 * Secret Manager, every data store private, CMEK-encrypted and in India.
 */
import * as k8s from "../k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Provider as CommandProvider } from "@pulumi/command/provider";
import { acmeDns01Issuer } from "../certificates";
import { postgresUrl, redisUrl } from "../connections";
import { generateJwtSecret } from "../jwt";
import { CertificateIssuer, CloudFoundation, ClusterBackupTarget, DataEndpoint, FoundationOutputs, ObjectStore, protectStateful, PublicEndpoints, TraceStoreTarget } from "../foundation";
import { IdentityWorkload } from "../identities";
import { kubernetesServiceCidr } from "../../stacks/cidr";
import { restoreDumpObject } from "../../stacks/restore";
import { GcpStackConfig } from "../../stacks/schema";
import { ServiceAgents } from "./agents";
import { ProjectApis } from "./apis";
import { MemorystoreRedis } from "./cache";
import { CloudCdn } from "./cdn";
import { GkeCluster, storageClassName } from "./cluster";
import { CloudSqlPostgres, databaseName, databaseUser, postgresPort } from "./database";
import { CloudDns } from "./dns";
import { WorkloadIdentities } from "./identity";
import { IngressAddress } from "./ingress";
import { KmsKeys } from "./kms";
import { ProjectLogging } from "./logging";
import { GcpNetwork } from "./network";
import { gcpProvider } from "./providers";
import { SecretStore } from "./secrets";
import { GcsBuckets } from "./storage";
import { gcsDownloadScript, gcsUploadScript } from "./upload";

/** Memorystore with in-transit encryption serves TLS on 6378 (6379 is plaintext only). */
export const memorystoreTlsPort = 6378;
/** Image of the backup uploader (pinned): the slim Cloud SDK image carries curl and sed. */
export const uploaderImage = "google/cloud-sdk:502.0.0-slim";
/** Velero's GCP plugin; v1.14.x is the line for Velero 1.18 (the velero chart 12.1.0's server). */
export const veleroGcpPlugin = "velero/velero-plugin-for-gcp:v1.14.2";

export interface GcpFoundationArgs {
    /** Validated stack config; `gcp.*`, `network.*`, `cluster.*`, `database.*` and `cache.*` are read. */
    readonly config: GcpStackConfig;
}

export class GcpFoundation extends pulumi.ComponentResource implements CloudFoundation {
    public readonly cloud = "gcp" as const;
    public readonly k8sProvider: k8s.Provider;
    public readonly clusterName: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly postgres: CloudFoundation["postgres"];
    public readonly redis: DataEndpoint & { readonly tls: boolean };
    public readonly objectStore: ObjectStore;
    public readonly jwtSecret: pulumi.Output<string>;
    public readonly certificateIssuer: CertificateIssuer;
    public readonly storageClass = storageClassName;
    public readonly ingressService: CloudFoundation["ingressService"];
    public readonly publicEndpoints: PublicEndpoints;
    public readonly identityEgress: CloudFoundation["identityEgress"];
    public readonly clusterBackup: ClusterBackupTarget;
    public readonly traceStore: TraceStoreTarget;
    public readonly apiServerPeers: CloudFoundation["apiServerPeers"];
    public readonly outputs: FoundationOutputs;
    private readonly identities: WorkloadIdentities;

    constructor(name: string, args: GcpFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:Foundation", name, {}, opts);
        const { config } = args;
        const { project, region, drRegion, zones } = config.gcp;
        const environment = config.environment;

        // APIs are enabled through a bootstrap provider; the main provider depends on them, so
        // every resource and lookup made through it waits until its API is on.
        const bootstrap = gcpProvider(`${name}-bootstrap`, { project, region, environment }, { parent: this });
        const apis = new ProjectApis(`${name}-apis`, { provider: bootstrap }, { parent: this });
        const provider = gcpProvider(`${name}-gcp`, { project, region, environment }, { parent: this, dependsOn: [apis] });
        // Passwords, the JWT secret, the CDN key and the log bucket's suffix; explicit because
        // default providers are disabled. Likewise the delete-time commands of a teardown.
        const randomProvider = new random.Provider(`${name}-random`, {}, { parent: this });
        const commandProvider = new CommandProvider(`${name}-command`, {}, { parent: this });
        const protect = protectStateful(environment);
        const child = { parent: this };

        const agents = new ServiceAgents(`${name}-agents`, { project, provider }, child);
        const kms = new KmsKeys(`${name}-kms`, { region, drRegion, provider, protect }, child);
        const network = new GcpNetwork(`${name}-network`, { project, network: config.gcp, region, provider, commandProvider }, child);
        const gke = new GkeCluster(`${name}-gke`, {
            project, region, zones, environment, controlPlaneCidr: config.gcp.controlPlaneCidr, nodeMachineType: config.gcp.nodeMachineType,
            cluster: config.cluster, provider, protect, network,
            secretsKey: kms.keys["gke-secrets"], gkeAgent: agents.gke, diskKey: kms.keys.disks, computeAgent: agents.compute,
        }, child);
        const sql = new CloudSqlPostgres(`${name}-sql`, {
            region, tier: config.gcp.databaseTier, database: config.database, environment, provider, protect, network,
            key: kms.keys.cloudsql, sqlAgent: agents.cloudSql, randomProvider,
        }, child);
        const redis = new MemorystoreRedis(`${name}-redis`, {
            region, zones, highAvailability: config.cache.highAvailability, memorySizeGb: config.gcp.cacheMemorySizeGb, environment,
            provider, protect, network, key: kms.keys.redis, redisAgent: agents.redis,
        }, child);
        const buckets = new GcsBuckets(`${name}-buckets`, {
            project, region, environment, provider, protect, key: kms.keys.storage, storageAgent: agents.storage,
            tracesRetentionDays: config.observability.logRetentionDays,
        }, child);
        const ingress = new IngressAddress(`${name}-ingress`, { environment, region, provider }, child);
        const cdn = new CloudCdn(`${name}-cdn`, {
            hostname: `cdn.${config.domain}`, bucket: buckets.buckets.assets, cdnFillAgent: agents.cdnFill, provider, randomProvider,
        }, child);
        const dns = new CloudDns(`${name}-dns`, {
            domain: config.domain, environment, provider, protect, apiAddress: ingress.address.address, cdnAddress: cdn.address.address,
        }, child);
        new ProjectLogging(`${name}-logging`, {
            project, region, environment, retentionDays: config.observability.logRetentionDays, provider, randomProvider, commandProvider,
        }, child);
        this.identities = new WorkloadIdentities(`${name}-identity`, {
            project, environment, provider, workloadPool: gke.workloadPool, backupsBucket: buckets.buckets.backups,
            tracesBucket: buckets.buckets.traces, zone: dns.zone, restoreDump: restoreDumpObject(config.database.restore),
        }, child);

        this.k8sProvider = gke.k8sProvider;
        this.clusterName = gke.cluster.name;
        this.kubeconfig = gke.kubeconfig;

        // Private IPs on the private services access range: the only place the data stores listen.
        const dataPeers = [{ ipBlock: { cidr: config.gcp.privateServicesCidr } }];
        const password = sql.password;
        this.postgres = {
            host: sql.host,
            port: postgresPort,
            database: databaseName,
            username: databaseUser,
            password,
            url: postgresUrl({ username: databaseUser, password, host: sql.host, port: postgresPort, database: databaseName }),
            networkPeers: dataPeers,
        };
        this.redis = {
            host: redis.host,
            port: memorystoreTlsPort,
            tls: true,
            url: redisUrl({ password: redis.authString, host: redis.host, port: redis.port, tls: true }),
            networkPeers: dataPeers,
            caCert: redis.caCert,
        };

        const backupsBucket = buckets.buckets.backups.name;
        this.objectStore = {
            documentsBucket: buckets.buckets.documents.name,
            backupsBucket,
            uploaderImage,
            uploadCommand: (localPath: string, key: string) => backupsBucket.apply(bucket => gcsUploadScript(bucket, localPath, key)),
            downloadCommand: (key: string, localPath: string) => backupsBucket.apply(bucket => gcsDownloadScript(bucket, key, localPath)),
            // Workload Identity: the token comes from the GKE metadata server, no env needed.
            uploaderEnv: [],
            // Google APIs have no fixed ranges. The access token comes from the metadata server,
            // which the platform admits separately (identityEgress).
            networkPeers: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
            uploaderPorts: [443],
        };

        this.clusterBackup = {
            provider: "gcp",
            pluginImage: veleroGcpPlugin,
            // The dual-region bucket's default CMEK key encrypts Velero's objects like the dumps.
            bucket: backupsBucket,
            // Without a key file (Workload Identity) the GCS plugin refuses to start unless told the
            // account it signs URLs as; the BackupStorageLocation would stay Unavailable.
            config: { serviceAccount: this.identities.accounts.velero.email },
            csiDriver: "pd.csi.storage.gke.io",
            // GKE installs the VolumeSnapshot CRDs and controller with its PD CSI driver.
            snapshotCrds: [],
            networkPeers: this.objectStore.networkPeers,
        };

        this.traceStore = {
            backend: "gcs",
            // The bucket's default CMEK key encrypts Tempo's objects; the token comes from the metadata server.
            bucket: buckets.buckets.traces.name,
            config: {},
            networkPeers: this.objectStore.networkPeers,
        };

        this.jwtSecret = generateJwtSecret(`${name}-jwt`, { parent: this, provider: randomProvider });

        // hostedZoneName spares cert-manager a project-wide zone listing, so its zone-scoped role is enough.
        this.certificateIssuer = acmeDns01Issuer(config.acmeEmail, config.domain, {
            cloudDNS: { project: config.gcp.project, hostedZoneName: dns.zone.name },
        });

        this.ingressService = {
            type: "LoadBalancer",
            annotations: {
                // Backend-service-based external passthrough NLB (the current GKE L4 implementation).
                "cloud.google.com/l4-rbs": "enabled",
                // The reserved static IP that api.<domain> already points at.
                "networking.gke.io/load-balancer-ip-addresses": ingress.addressName,
            },
        };

        // Workload Identity tokens come from the GKE metadata server: 169.254.169.254:80, served
        // on Dataplane V2 by the node's gke-metadata-server at 169.254.169.252:988.
        this.identityEgress = [
            { to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [{ protocol: "TCP", port: 80 }] },
            { to: [{ ipBlock: { cidr: "169.254.169.252/32" } }], ports: [{ protocol: "TCP", port: 988 }] },
        ];
        // In-cluster clients dial the `kubernetes` Service address (the services range's first
        // host), which Dataplane V2 judges before DNAT too; the private endpoint behind it lives in
        // the control plane's /28.
        this.apiServerPeers = [
            { ipBlock: { cidr: kubernetesServiceCidr(config.gcp.servicesCidr) } },
            { ipBlock: { cidr: config.gcp.controlPlaneCidr } },
        ];

        new SecretStore(`${name}-secrets`, {
            region, drRegion, environment, provider, protect,
            key: kms.keys.secrets,
            drKey: kms.keys["secrets-dr"],
            secretManagerAgent: agents.secretManager,
            values: { "database-url": this.postgres.url, "redis-url": this.redis.url, "jwt-secret": this.jwtSecret },
        }, child);

        this.publicEndpoints = {
            originAddresses: { [region]: ingress.address.address },
            // Google-managed certificates validate by serving through the load balancer's own address.
            cdnTarget: { type: "A", content: cdn.address.address },
            validationRecords: {},
        };
        this.outputs = {
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            postgresHost: sql.host,
            redisHost: redis.host,
            documentsBucket: this.objectStore.documentsBucket,
            backupsBucket,
            apiHostname: pulumi.output(dns.apiHostname),
            cdnHostname: pulumi.output(dns.cdnHostname),
            nameServers: dns.nameServers,
        };
        this.registerOutputs({ ...this.outputs });
    }

    serviceAccountAnnotations(workload: IdentityWorkload): Record<string, pulumi.Input<string>> {
        return { "iam.gke.io/gcp-service-account": this.identities.accounts[workload].email };
    }

    identityGrants(workload: IdentityWorkload): pulumi.Resource[] {
        return this.identities.grants[workload];
    }
}

