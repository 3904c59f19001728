/**
 * The GCP implementation of the cloud foundation (asia-south1, Mumbai): network, regional GKE
 * with Workload Identity, Cloud SQL PostgreSQL, Memorystore Redis, GCS, Cloud CDN, Cloud DNS and
 * Secret Manager, every data store private, CMEK-encrypted and in India.
 */
import * as k8s from "../k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Provider as CommandProvider } from "@pulumi/command/provider";
import { acmeDns01Issuer, generateJwtSecret, postgresUrl, redisUrl } from "../endpoints";
import { CertificateIssuer, CloudFoundation, DataEndpoint, FoundationOutputs, ObjectStore, protectStateful } from "../foundation";
import { IdentityWorkload } from "../naming";
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
import { gcsUploadScript } from "./upload";

/** Memorystore with in-transit encryption serves TLS on 6378 (6379 is plaintext only). */
export const memorystoreTlsPort = 6378;
/** Image of the backup uploader (pinned): the slim Cloud SDK image carries curl and sed. */
export const uploaderImage = "google/cloud-sdk:502.0.0-slim";

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
    public readonly identityEgress: CloudFoundation["identityEgress"];
    public readonly apiServerPeers: CloudFoundation["apiServerPeers"];
    public readonly outputs: FoundationOutputs;
    private readonly identities: WorkloadIdentities;

    constructor(name: string, args: GcpFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:Foundation", name, {}, opts);
        const { config } = args;

        // APIs are enabled through a bootstrap provider; the main provider depends on them, so
        // every resource and lookup made through it waits until its API is on.
        const bootstrap = gcpProvider(`${name}-bootstrap`, config, { parent: this });
        const apis = new ProjectApis(`${name}-apis`, { provider: bootstrap }, { parent: this });
        const provider = gcpProvider(`${name}-gcp`, config, { parent: this, dependsOn: [apis] });
        // Passwords, the JWT secret and the CDN key; explicit because default providers are disabled.
        const randomProvider = new random.Provider(`${name}-random`, {}, { parent: this });
        const protect = protectStateful(config.environment);
        const common = { config, provider, protect };
        const child = { parent: this };

        const agents = new ServiceAgents(`${name}-agents`, common, child);
        const kms = new KmsKeys(`${name}-kms`, common, child);
        const commandProvider = new CommandProvider(`${name}-command`, {}, { parent: this });
        const network = new GcpNetwork(`${name}-network`, {
            project: config.gcp.project, network: config.gcp, region: config.gcp.region, provider, commandProvider,
        }, child);
        const gke = new GkeCluster(`${name}-gke`, {
            ...common, network, secretsKey: kms.keys["gke-secrets"], gkeAgent: agents.gke, diskKey: kms.keys.disks, computeAgent: agents.compute,
        }, child);
        const sql = new CloudSqlPostgres(`${name}-sql`, {
            ...common, network, key: kms.keys.cloudsql, sqlAgent: agents.cloudSql, randomProvider,
        }, child);
        const redis = new MemorystoreRedis(`${name}-redis`, { ...common, network, key: kms.keys.redis, redisAgent: agents.redis }, child);
        const buckets = new GcsBuckets(`${name}-buckets`, { ...common, key: kms.keys.storage, storageAgent: agents.storage }, child);
        const ingress = new IngressAddress(`${name}-ingress`, common, child);
        const cdn = new CloudCdn(`${name}-cdn`, {
            hostname: `cdn.${config.domain}`, bucket: buckets.buckets.assets, cdnFillAgent: agents.cdnFill, provider, randomProvider,
        }, child);
        const dns = new CloudDns(`${name}-dns`, {
            ...common, apiAddress: ingress.address.address, cdnAddress: cdn.address.address,
        }, child);
        new ProjectLogging(`${name}-logging`, { ...common, randomProvider, commandProvider }, child);
        this.identities = new WorkloadIdentities(`${name}-identity`, {
            ...common, workloadPool: gke.workloadPool, backupsBucket: buckets.buckets.backups, zone: dns.zone,
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
            // Workload Identity: the token comes from the GKE metadata server, no env needed.
            uploaderEnv: [],
            // Google APIs have no fixed ranges. The access token comes from the metadata server,
            // which the platform admits separately (identityEgress).
            networkPeers: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
            uploaderPorts: [443],
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
        // The private endpoint lives in the control plane's /28.
        this.apiServerPeers = [{ ipBlock: { cidr: config.gcp.controlPlaneCidr } }];

        new SecretStore(`${name}-secrets`, {
            ...common,
            key: kms.keys.secrets,
            drKey: kms.keys["secrets-dr"],
            secretManagerAgent: agents.secretManager,
            values: { "database-url": this.postgres.url, "redis-url": this.redis.url, "jwt-secret": this.jwtSecret },
        }, child);

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
}

