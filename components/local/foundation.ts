/**
 * The development foundation: an existing local cluster (minikube, kind, k3d, Docker Desktop)
 * reached through the kubeconfig, with PostgreSQL 15, Redis (Valkey) and an S3-compatible object
 * store running in-cluster from upstream Helm charts. No cloud account and no cloud provider: the
 * only provider is Kubernetes.
 */
import * as k8s from "../k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { LocalStackConfig } from "../../stacks/schema";
import { postgresUrl, redisUrl } from "../connections";
import { generateJwtSecret } from "../jwt";
import { CertificateIssuer, CloudFoundation, DataEndpoint, FoundationOutputs, ObjectStore, protectStateful } from "../foundation";
import { ChartPin, pinnedChart } from "../k8s/charts";
import { IdentityWorkload } from "../identities";
import { appLabels, namespacesFor } from "../naming";
import {
    buckets, charts, cnpgOperatorValues, database, images, minioValues, names, objectStoreRegion, podLabels,
    ports, postgresClusterSpec, releases, serviceHosts, valkeyValues,
} from "./charts";
import { dataNetworkPolicies } from "./networkPolicies";
import { objectStoreSetupJob } from "./objectStoreSetup";

type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type EnvVar = k8s.types.input.core.v1.EnvVar;

export interface LocalFoundationArgs {
    /**
     * Validated stack config. Reads `environment`, `domain`, `database.allocatedStorageGb` and
     * `local` (`kubeconfigContext`: default the kubeconfig's current context; `storageClass`:
     * default the cluster's default StorageClass).
     */
    readonly config: LocalStackConfig;
}

export class LocalFoundation extends pulumi.ComponentResource implements CloudFoundation {
    public readonly cloud = "local" as const;
    public readonly k8sProvider: k8s.Provider;
    public readonly clusterName: pulumi.Output<string>;
    /**
     * Empty (a secret, like every cloud's): the provider uses the ambient kubeconfig
     * (`KUBECONFIG` or ~/.kube/config, as kubectl does), so there is no cluster credential to hand out.
     */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly postgres: CloudFoundation["postgres"];
    public readonly redis: CloudFoundation["redis"];
    public readonly objectStore: ObjectStore;
    public readonly jwtSecret: pulumi.Output<string>;
    /** A self-signed issuer: a laptop has no public DNS for ACME to validate. */
    public readonly certificateIssuer: CertificateIssuer = { name: "bookkeep-local-ca", spec: { selfSigned: {} } };
    public readonly storageClass: string | undefined;
    /**
     * LoadBalancer, not NodePort: k3d, Docker Desktop, minikube (`minikube tunnel`) and kind
     * (cloud-provider-kind) serve it on localhost, and where nothing does, the Service still gets
     * a node port, so it degrades to exactly what NodePort would give.
     */
    public readonly ingressService = { type: "LoadBalancer" as const, annotations: {} };
    /** No cloud identity on a laptop. */
    public readonly identityEgress = [];
    /** A laptop cluster's API server address is not known ahead (kind, k3d, minikube all differ). */
    public readonly apiServerPeers = [{ ipBlock: { cidr: "0.0.0.0/0" } }];
    public readonly outputs: FoundationOutputs;

    constructor(name: string, args: LocalFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:local:Foundation", name, {}, opts);
        const { config } = args;
        const ns = namespacesFor(config.environment);
        const hosts = serviceHosts(ns);
        const protect = protectStateful(config.environment);
        this.storageClass = config.local.storageClass;

        // Neither kubeconfig nor context when unset: the provider then behaves like kubectl.
        this.k8sProvider = new k8s.Provider(`${name}-k8s`, { context: config.local.kubeconfigContext }, { parent: this });
        const k8sOpts = { parent: this, provider: this.k8sProvider };

        const dataNamespace = new k8s.core.v1.Namespace(`${name}-data`, {
            metadata: {
                name: ns.data,
                labels: {
                    ...appLabels("bookkeep-data", "data"),
                    // Enforce baseline, warn and audit restricted: the CNPG and Valkey pods pass
                    // restricted, but MinIO chart 5.4.0 renders no seccompProfile or capability drop
                    // for its server and post-install job, so enforcing restricted would reject them.
                    "pod-security.kubernetes.io/enforce": "baseline",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                    "pod-security.kubernetes.io/warn": "restricted",
                    "pod-security.kubernetes.io/warn-version": "latest",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/audit-version": "latest",
                },
            },
        }, k8sOpts);
        const dataNs = dataNamespace.metadata.name;

        for (const [policy, spec] of Object.entries(dataNetworkPolicies(config.environment, ns))) {
            new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${policy}`, {
                metadata: { name: policy, namespace: dataNs, labels: appLabels(policy, "data") },
                spec,
            }, k8sOpts);
        }

        // URL-safe alphabets: these passwords are embedded in connection URLs. Marked secret here
        // too, so they stay secret wherever additionalSecretOutputs is not honoured.
        // Explicit even here: the stack files disable default providers for every package.
        const randomOpts = { parent: this, provider: new random.Provider(`${name}-random`, {}, { parent: this }) };
        const password = (id: string, length: number) =>
            pulumi.secret(new random.RandomPassword(`${name}-${id}`, { length, special: false }, randomOpts).result);
        const postgresPassword = password("postgres-password", 32);
        const redisPassword = password("redis-password", 32);
        const minioRootPassword = password("object-store-root-password", 40);
        const backupSecretKey = password("object-store-backup-key", 40);
        this.jwtSecret = generateJwtSecret(`${name}-jwt-secret`, randomOpts);
        const minioRootUser = new random.RandomString(`${name}-object-store-root-user`, {
            length: 20, special: false, upper: false,
        }, randomOpts).result;

        const secret = (id: string, namespace: pulumi.Input<string>, secretName: string, stringData: Record<string, pulumi.Input<string>>, type = "Opaque") =>
            new k8s.core.v1.Secret(`${name}-${id}`, {
                metadata: { name: secretName, namespace, labels: appLabels(secretName, "data") },
                type,
                stringData: pulumi.secret(stringData),
            }, k8sOpts);
        // CNPG bootstraps the owner role from a basic-auth Secret, so the password never enters chart values or the Cluster spec.
        const postgresSecret = secret("postgres-credentials", dataNs, names.postgresSecret,
            { username: database.owner, password: postgresPassword }, "kubernetes.io/basic-auth");
        const valkeySecret = secret("redis-credentials", dataNs, names.valkeySecret, { default: redisPassword });
        const minioRootSecret = secret("object-store-root-credentials", dataNs, names.minioRootSecret,
            { rootUser: minioRootUser, rootPassword: minioRootPassword });
        const backupUserSecret = secret("object-store-backup-user", dataNs, names.minioBackupUserSecret, { secretKey: backupSecretKey });

        const chart = (id: string, pinned: ChartPin, release: string, values: Record<string, unknown>, extra: pulumi.ComponentResourceOptions = {}) =>
            pinnedChart(`${name}-${id}`, pinned, release, dataNs, values, { ...k8sOpts, ...extra });

        const cnpgOperator = chart("cnpg", charts.cnpg, releases.cnpg, cnpgOperatorValues());
        // The Cluster is the operator's input, as chart values are a chart's: the operator runs it.
        const postgresCluster = new k8s.apiextensions.CustomResource(`${name}-postgres`, {
            apiVersion: "postgresql.cnpg.io/v1",
            kind: "Cluster",
            metadata: {
                name: names.postgresCluster,
                namespace: dataNs,
                labels: appLabels(names.postgresCluster, "database"),
                // Everything that reads the endpoint (the migration Job first) waits for a ready primary.
                annotations: { "pulumi.com/waitFor": "condition=Ready" },
            },
            spec: postgresClusterSpec({ storageGb: config.database.allocatedStorageGb, storageClass: this.storageClass }),
        }, { ...k8sOpts, protect, dependsOn: [cnpgOperator, postgresSecret] });
        const valkey = chart("redis", charts.valkey, releases.valkey, valkeyValues(this.storageClass), { protect, dependsOn: [valkeySecret] });
        const minioChart = chart("object-store", charts.minio, releases.minio, minioValues(this.storageClass),
            { protect, dependsOn: [minioRootSecret, backupUserSecret] });
        // Readers of the object store wait for its buckets and backup user, not only the server.
        const minio = objectStoreSetupJob(`${name}-object-store-setup`, { namespace: dataNs }, { ...k8sOpts, dependsOn: [minioChart] });

        // Hosts are fixed names, derived from the resources that serve them so readers wait for those.
        const postgresHost = postgresCluster.metadata.apply(() => hosts.postgres);
        const redisHost = pulumi.output(valkey.resources).apply(() => hosts.redis);
        const objectStoreHost = minio.urn.apply(() => hosts.objectStore);
        const inData = (labels: Record<string, string>): NetworkPolicyPeer[] => [{
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns.data } },
            podSelector: { matchLabels: labels },
        }];

        this.postgres = {
            host: postgresHost,
            port: ports.postgres,
            database: database.name,
            username: database.owner,
            password: postgresPassword,
            // CNPG serves TLS with its own CA; `require` encrypts without shipping that CA to every pod.
            url: postgresUrl({ username: database.owner, password: postgresPassword, host: postgresHost, port: ports.postgres, database: database.name }),
            networkPeers: inData(podLabels.postgres),
        } satisfies DataEndpoint & { database: string; username: string; password: pulumi.Output<string> };
        // No TLS on the in-cluster cache: traffic never leaves the node and the NetworkPolicy admits only the app namespace.
        this.redis = {
            host: redisHost,
            port: ports.redis,
            tls: false,
            url: redisUrl({ password: redisPassword, host: redisHost, port: ports.redis, tls: false }),
            networkPeers: inData(podLabels.valkey),
        };
        const uploaderEnv: EnvVar[] = [
            ...(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const).map(key => ({
                name: key, valueFrom: { secretKeyRef: { name: names.uploaderSecret, key } },
            })),
            { name: "AWS_REGION", value: objectStoreRegion },
        ];
        this.objectStore = {
            documentsBucket: minio.urn.apply(() => buckets.documents),
            backupsBucket: minio.urn.apply(() => buckets.backups),
            uploaderImage: images.awsCli,
            uploadCommand: (localPath: string, key: string) =>
                pulumi.interpolate`aws s3 cp ${localPath} s3://${buckets.backups}/${key} --endpoint-url http://${objectStoreHost}:${ports.objectStore}`,
            uploaderEnv,
            // The backup CronJob runs in the app namespace and a pod reads only its own namespace's
            // Secrets, so the platform creates this one there, after the namespace.
            uploaderSecret: {
                name: names.uploaderSecret,
                stringData: pulumi.secret({ AWS_ACCESS_KEY_ID: names.backupUser, AWS_SECRET_ACCESS_KEY: backupSecretKey }),
            },
            networkPeers: inData(podLabels.minio),
            uploaderPorts: [ports.objectStore],
        };

        this.clusterName = pulumi.output(config.local.kubeconfigContext ?? "local");
        this.kubeconfig = pulumi.secret("");
        const apiHostname = pulumi.output(`api.${config.domain}`);
        this.outputs = {
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            postgresHost,
            redisHost,
            documentsBucket: this.objectStore.documentsBucket,
            backupsBucket: this.objectStore.backupsBucket,
            apiHostname,
            // No CDN on a laptop: static assets are served through the ingress host itself.
            cdnHostname: apiHostname,
            nameServers: pulumi.output([]),
        };
        this.registerOutputs({ ...this.outputs });
    }

    /** No cloud identity locally: the only credentials are the generated ones in Secrets. */
    serviceAccountAnnotations(_workload: IdentityWorkload): Record<string, pulumi.Input<string>> {
        return {};
    }

    identityGrants(_workload: IdentityWorkload): pulumi.Resource[] {
        return [];
    }
}

