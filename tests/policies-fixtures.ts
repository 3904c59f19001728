/**
 * Compliant resource fixtures for the policy-pack specs, built with the real SDKs. Each builder
 * takes overrides (deep-merged; arrays and scalars replace) so a spec breaks exactly one property.
 * Must be called inside a `run()` program.
 */
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export type Over = Record<string, any>;

/** Deep-merges plain objects; arrays, scalars and `undefined` in `over` replace what is in `base`. */
export function merge<T>(base: T, over: Over = {}): T {
    const out: Record<string, any> = { ...(base as any) };
    for (const [k, v] of Object.entries(over)) {
        const b = out[k];
        out[k] = isPlain(v) && isPlain(b) ? merge(b, v) : v;
    }
    return out as T;
}

function isPlain(v: unknown): v is Record<string, any> {
    return typeof v === "object" && v !== null && !Array.isArray(v) && !pulumi.Output.isInstance(v) && !pulumi.Resource.isInstance(v);
}

export type Env = "development" | "staging" | "production";

export interface Providers {
    readonly mumbai: aws.Provider;
    readonly hyderabad: aws.Provider;
    readonly gcp: gcp.Provider;
    readonly k8s: k8s.Provider;
}

export function providers(env: Env): Providers {
    const defaultTags = { tags: { Environment: env, Project: "bookkeep" } };
    return {
        mumbai: new aws.Provider("aws-mumbai", { region: "ap-south-1", defaultTags }),
        hyderabad: new aws.Provider("aws-hyderabad", { region: "ap-south-2", defaultTags }),
        gcp: new gcp.Provider("gcp-mumbai", { project: `bookkeep-${env}`, region: "asia-south1", defaultLabels: { environment: env } }),
        k8s: new k8s.Provider("k8s", { kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n") }),
    };
}

const protect = true;

// ---- AWS ---------------------------------------------------------------------------------------

export function rdsParameterGroup(name: string, provider: aws.Provider): aws.rds.ParameterGroup {
    return new aws.rds.ParameterGroup(name, { name, family: "postgres16", parameters: [{ name: "rds.force_ssl", value: "1" }] }, { provider });
}

export function rdsInstance(name: string, provider: aws.Provider, group: aws.rds.ParameterGroup, over?: Over, opts: pulumi.CustomResourceOptions = { protect }) {
    return new aws.rds.Instance(name, merge<aws.rds.InstanceArgs>({
        engine: "postgres", engineVersion: "16.4", instanceClass: "db.r5.large", allocatedStorage: 100,
        storageEncrypted: true, multiAz: true, deletionProtection: true, backupRetentionPeriod: 14,
        publiclyAccessible: false, skipFinalSnapshot: false, finalSnapshotIdentifier: `${name}-final`,
        parameterGroupName: group.name, username: "bookkeep", password: pulumi.secret("not-a-real-password"),
    }, over), { provider, ...opts });
}

export function replicationGroup(name: string, provider: aws.Provider, over?: Over, opts: pulumi.CustomResourceOptions = { protect }) {
    return new aws.elasticache.ReplicationGroup(name, merge<aws.elasticache.ReplicationGroupArgs>({
        description: "BookKeep cache", engine: "redis", nodeType: "cache.r6g.large", numCacheClusters: 2,
        automaticFailoverEnabled: true, multiAzEnabled: true, atRestEncryptionEnabled: true, transitEncryptionEnabled: true,
        authToken: pulumi.secret("0123456789abcdef0123"), snapshotRetentionLimit: 7,
    }, over), { provider, ...opts });
}

/** A bucket with its encryption, public access block and TLS-only policy. */
export function s3Bucket(name: string, provider: aws.Provider, key: aws.kms.Key) {
    const bucket = new aws.s3.Bucket(name, { bucket: `bookkeep-${name}` }, { provider, protect });
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-sse`, {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
    }, { provider });
    new aws.s3.BucketPublicAccessBlock(`${name}-pab`, {
        bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    }, { provider });
    new aws.s3.BucketPolicy(`${name}-tls`, {
        bucket: bucket.id,
        policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [{
                Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
                Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            }],
        }),
    }, { provider });
    return bucket;
}

export function kmsKey(name: string, provider: aws.Provider, over?: Over, opts: pulumi.CustomResourceOptions = { protect }) {
    return new aws.kms.Key(name, merge<aws.kms.KeyArgs>({ description: "BookKeep data key", enableKeyRotation: true }, over), { provider, ...opts });
}

export function eksCluster(name: string, provider: aws.Provider, key: aws.kms.Key, over?: Over) {
    return new aws.eks.Cluster(name, merge<aws.eks.ClusterArgs>({
        roleArn: "arn:aws:iam::123456789012:role/eks-cluster",
        vpcConfig: { subnetIds: ["subnet-a", "subnet-b"], endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] },
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: key.arn } },
        enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    }, over), { provider });
}

/** The VPC CNI add-on with its network policy agent on (NetworkPolicies enforced). */
export function vpcCni(name: string, provider: aws.Provider, cluster: aws.eks.Cluster, over?: Over) {
    return new aws.eks.Addon(name, merge<aws.eks.AddonArgs>({
        clusterName: cluster.name, addonName: "vpc-cni", configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
    }, over), { provider });
}

/** A private subnet (no public IPs) with its own route table; `routes` are added to that table. */
export function subnet(name: string, provider: aws.Provider, vpc: aws.ec2.Vpc, routes: Array<Omit<aws.ec2.RouteArgs, "routeTableId">> = [], over?: Over) {
    const s = new aws.ec2.Subnet(name, merge<aws.ec2.SubnetArgs>({
        vpcId: vpc.id, cidrBlock: "10.10.0.0/20", availabilityZone: "ap-south-1a", mapPublicIpOnLaunch: false,
    }, over), { provider });
    const table = new aws.ec2.RouteTable(`${name}-rt`, { vpcId: vpc.id }, { provider });
    routes.forEach((r, i) => new aws.ec2.Route(`${name}-route-${i}`, { ...r, routeTableId: table.id }, { provider }));
    new aws.ec2.RouteTableAssociation(`${name}-rta`, { subnetId: s.id, routeTableId: table.id }, { provider });
    return s;
}

export function eksNodeGroup(name: string, provider: aws.Provider, cluster: aws.eks.Cluster, subnets: aws.ec2.Subnet[], over?: Over) {
    return new aws.eks.NodeGroup(name, merge<aws.eks.NodeGroupArgs>({
        clusterName: cluster.name, nodeRoleArn: "arn:aws:iam::123456789012:role/eks-nodes", subnetIds: subnets.map(s => s.id),
        instanceTypes: ["m6i.large"], scalingConfig: { minSize: 2, maxSize: 4, desiredSize: 2 },
    }, over), { provider });
}

// ---- GCP ---------------------------------------------------------------------------------------

export function cloudSql(name: string, provider: gcp.Provider, network: gcp.compute.Network, over?: Over, opts: pulumi.CustomResourceOptions = { protect }) {
    return new gcp.sql.DatabaseInstance(name, merge<gcp.sql.DatabaseInstanceArgs>({
        databaseVersion: "POSTGRES_16", region: "asia-south1", deletionProtection: true,
        settings: {
            tier: "db-custom-2-13312", availabilityType: "REGIONAL", deletionProtectionEnabled: true,
            ipConfiguration: { ipv4Enabled: false, privateNetwork: network.id, sslMode: "ENCRYPTED_ONLY" },
            backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true, location: "asia-south2" },
            finalBackupConfig: { enabled: true, retentionDays: 30 },
        },
    }, over), { provider, ...opts });
}

export function memorystore(name: string, provider: gcp.Provider, over?: Over, opts: pulumi.CustomResourceOptions = { protect }) {
    return new gcp.redis.Instance(name, merge<gcp.redis.InstanceArgs>({
        memorySizeGb: 5, region: "asia-south1", locationId: "asia-south1-a", alternativeLocationId: "asia-south1-b",
        tier: "STANDARD_HA", authEnabled: true, transitEncryptionMode: "SERVER_AUTHENTICATION",
        persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" },
    }, over), { provider, ...opts });
}

export function gcsBucket(name: string, provider: gcp.Provider, key: gcp.kms.CryptoKey, over?: Over) {
    return new gcp.storage.Bucket(name, merge<gcp.storage.BucketArgs>({
        name: `bookkeep-${name}`, location: "ASIA-SOUTH1", publicAccessPrevention: "enforced", uniformBucketLevelAccess: true,
        encryption: { defaultKmsKeyName: key.id },
    }, over), { provider, protect });
}

export function gkeCluster(name: string, provider: gcp.Provider, key: gcp.kms.CryptoKey, over?: Over) {
    return new gcp.container.Cluster(name, merge<gcp.container.ClusterArgs>({
        location: "asia-south1", nodeLocations: ["asia-south1-a", "asia-south1-b", "asia-south1-c"],
        removeDefaultNodePool: true, initialNodeCount: 1,
        privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: "172.16.0.0/28" },
        masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "203.0.113.0/24", displayName: "office" }] },
        workloadIdentityConfig: { workloadPool: "bookkeep-production.svc.id.goog" },
        datapathProvider: "ADVANCED_DATAPATH",
        databaseEncryption: { state: "ENCRYPTED", keyName: key.id },
        enableShieldedNodes: true,
        loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "WORKLOADS"] },
    }, over), { provider });
}

export function gkeNodePool(name: string, provider: gcp.Provider, cluster: gcp.container.Cluster, over?: Over) {
    return new gcp.container.NodePool(name, merge<gcp.container.NodePoolArgs>({
        cluster: cluster.name, location: "asia-south1", nodeCount: 1,
        nodeConfig: {
            machineType: "e2-standard-2", serviceAccount: "nodes@bookkeep-production.iam.gserviceaccount.com",
            workloadMetadataConfig: { mode: "GKE_METADATA" }, shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        },
    }, over), { provider });
}

// ---- Kubernetes --------------------------------------------------------------------------------

export function container(over?: Over): Over {
    return merge({
        name: "api",
        image: "ghcr.io/bookkeep/api:v1.0.0",
        ports: [{ containerPort: 8080 }],
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
        readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    }, over);
}

/** A PSS-restricted pod spec; `over` merges into the spec, `containerOver` into its one container. */
export function podSpec(over?: Over, containerOver?: Over): Over {
    return merge({
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } },
        containers: [container(containerOver)],
        volumes: [{ name: "tmp", emptyDir: {} }],
    }, over);
}

const jobPod = (over?: Over, containerOver?: Over) =>
    podSpec({ restartPolicy: "Never", ...over }, { livenessProbe: undefined, readinessProbe: undefined, ...containerOver });

export interface WorkloadOptions {
    readonly namespace: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
    readonly replicas?: number;
    readonly pod?: Over;
    readonly container?: Over;
}

export type WorkloadKind = "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" | "Pod";

/** One workload of any kind, named `name` (also its metadata.name), with a compliant pod. */
export function workload(kind: WorkloadKind, name: string, provider: k8s.Provider, o: WorkloadOptions): pulumi.CustomResource {
    const labels = { app: name, ...o.labels };
    const metadata = { name, namespace: o.namespace, labels };
    const template = (spec: Over): k8s.types.input.core.v1.PodTemplateSpec => ({ metadata: { labels, annotations: o.annotations }, spec: spec as k8s.types.input.core.v1.PodSpec });
    const selector = { matchLabels: labels };
    const opts = { provider };
    switch (kind) {
        case "Deployment":
            return new k8s.apps.v1.Deployment(name, { metadata, spec: { replicas: o.replicas, selector, template: template(podSpec(o.pod, o.container)) } }, opts);
        case "StatefulSet":
            return new k8s.apps.v1.StatefulSet(name, { metadata, spec: { replicas: o.replicas, serviceName: name, selector, template: template(podSpec(o.pod, o.container)) } }, opts);
        case "DaemonSet":
            return new k8s.apps.v1.DaemonSet(name, { metadata, spec: { selector, template: template(podSpec(o.pod, o.container)) } }, opts);
        case "ReplicaSet":
            return new k8s.apps.v1.ReplicaSet(name, { metadata, spec: { replicas: o.replicas ?? 2, selector, template: template(podSpec(o.pod, o.container)) } }, opts);
        case "Job":
            return new k8s.batch.v1.Job(name, { metadata, spec: { backoffLimit: 2, template: template(jobPod(o.pod, o.container)) } }, opts);
        case "CronJob":
            return new k8s.batch.v1.CronJob(name, {
                metadata, spec: { schedule: "0 2 * * *", jobTemplate: { spec: { template: template(jobPod({ restartPolicy: "OnFailure", ...o.pod }, o.container)) } } },
            }, opts);
        case "Pod":
            return new k8s.core.v1.Pod(name, { metadata: { ...metadata, annotations: o.annotations }, spec: podSpec(o.pod, o.container) as k8s.types.input.core.v1.PodSpec }, opts);
        default: {
            const exhaustive: never = kind;
            throw new Error(`unknown kind ${exhaustive}`);
        }
    }
}

/** The namespaces the program's platform charts run in (components/k8s/namespaces.ts), each isolated by default. */
export const platformNamespaces: readonly string[] = ["bookkeep-system", "bookkeep-monitoring", "bookkeep-nats", "bookkeep-node-exporter"];

/**
 * The app namespace with its default-deny NetworkPolicy (omit the policy with `defaultDeny: false`),
 * and the default-deny of the platform namespaces, as the program's Namespaces component creates them.
 */
export function appNamespace(env: Env, provider: k8s.Provider, defaultDeny = true): string {
    const name = `bookkeep-${env}`;
    new k8s.core.v1.Namespace("app-namespace", { metadata: { name } }, { provider });
    const deny = (id: string, namespace: string) => new k8s.networking.v1.NetworkPolicy(id, {
        metadata: { name: "default-deny", namespace },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    }, { provider });
    if (defaultDeny) {
        deny("default-deny", name);
    }
    platformNamespaces.forEach(ns => deny(`${ns}-default-deny`, ns));
    return name;
}

export function pdb(name: string, namespace: string, matchLabels: Record<string, string>, provider: k8s.Provider) {
    return new k8s.policy.v1.PodDisruptionBudget(name, { metadata: { name, namespace }, spec: { maxUnavailable: 1, selector: { matchLabels } } }, { provider });
}

export function hpa(name: string, namespace: string, target: string, minReplicas: number, provider: k8s.Provider) {
    return new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, {
        metadata: { name, namespace },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target }, minReplicas, maxReplicas: 10 },
    }, { provider });
}

export function chart(name: string, provider: k8s.Provider, over?: Over) {
    return new k8s.helm.v4.Chart(name, merge<k8s.helm.v4.ChartArgs>({
        chart: "ingress-nginx", version: "4.12.1", namespace: "bookkeep-system",
        repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" },
        values: { controller: { image: { tag: "v1.12.1" }, replicaCount: 2 } },
    }, over), { provider });
}

/** A Helm v3 Release: a custom resource, so the engine shows the chart policies its inputs. */
export function release(name: string, provider: k8s.Provider, over?: Over) {
    return new k8s.helm.v3.Release(name, merge<k8s.helm.v3.ReleaseArgs>({
        chart: "./charts/gateway-helm-v1.9.0.tgz", namespace: "bookkeep-system",
        values: { controller: { image: { tag: "v1.14.1" }, replicaCount: 2 } },
    }, over), { provider });
}
