import { expect } from "chai";
import { AwsFoundation } from "../components/aws/foundation";
import { GcpFoundation } from "../components/gcp/foundation";
import { backupRetention } from "../components/gcp/database";
import { dns01Permissions } from "../components/gcp/identity";
import { defaultSinkFilter, releaseDefaultSinkScript } from "../components/gcp/logging";
import { gcsUploadScript } from "../components/gcp/upload";
import { Evaluation, RecordedResource } from "../offline/engine";
import { awsConfig, gcpConfig } from "./configs";
import { GcpStackConfig } from "../stacks/schema";
import { counts, isSecret, ofType, one, reveal, run } from "./harness";

const T = {
    provider: "pulumi:providers:gcp",
    service: "gcp:projects/service:Service",
    network: "gcp:compute/network:Network",
    subnet: "gcp:compute/subnetwork:Subnetwork",
    router: "gcp:compute/router:Router",
    nat: "gcp:compute/routerNat:RouterNat",
    firewall: "gcp:compute/firewall:Firewall",
    globalAddress: "gcp:compute/globalAddress:GlobalAddress",
    address: "gcp:compute/address:Address",
    connection: "gcp:servicenetworking/connection:Connection",
    cluster: "gcp:container/cluster:Cluster",
    nodePool: "gcp:container/nodePool:NodePool",
    account: "gcp:serviceaccount/account:Account",
    accountIam: "gcp:serviceaccount/iAMMember:IAMMember",
    projectIam: "gcp:projects/iAMMember:IAMMember",
    customRole: "gcp:projects/iAMCustomRole:IAMCustomRole",
    serviceIdentity: "gcp:projects/serviceIdentity:ServiceIdentity",
    keyRing: "gcp:kms/keyRing:KeyRing",
    cryptoKey: "gcp:kms/cryptoKey:CryptoKey",
    keyIam: "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
    sql: "gcp:sql/databaseInstance:DatabaseInstance",
    sqlDatabase: "gcp:sql/database:Database",
    sqlUser: "gcp:sql/user:User",
    redis: "gcp:redis/instance:Instance",
    bucket: "gcp:storage/bucket:Bucket",
    bucketIam: "gcp:storage/bucketIAMMember:BucketIAMMember",
    backendBucket: "gcp:compute/backendBucket:BackendBucket",
    urlMap: "gcp:compute/uRLMap:URLMap",
    certificate: "gcp:compute/managedSslCertificate:ManagedSslCertificate",
    sslPolicy: "gcp:compute/sSLPolicy:SSLPolicy",
    httpsProxy: "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
    httpProxy: "gcp:compute/targetHttpProxy:TargetHttpProxy",
    forwardingRule: "gcp:compute/globalForwardingRule:GlobalForwardingRule",
    zone: "gcp:dns/managedZone:ManagedZone",
    record: "gcp:dns/recordSet:RecordSet",
    zoneIam: "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember",
    secret: "gcp:secretmanager/secret:Secret",
    secretVersion: "gcp:secretmanager/secretVersion:SecretVersion",
    k8sProvider: "pulumi:providers:kubernetes",
    password: "random:index/randomPassword:RandomPassword",
    randomBytes: "random:index/randomBytes:RandomBytes",
    randomId: "random:index/randomId:RandomId",
    randomProvider: "pulumi:providers:random",
    signedUrlKey: "gcp:compute/backendBucketSignedUrlKey:BackendBucketSignedUrlKey",
    logBucket: "gcp:logging/projectBucketConfig:ProjectBucketConfig",
    sink: "gcp:logging/projectSink:ProjectSink",
    auditConfig: "gcp:projects/iAMAuditConfig:IAMAuditConfig",
    commandProvider: "pulumi:providers:command",
    command: "command:local:Command",
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
} as const;

const N = "bookkeep-gcp";

/** Every custom resource the foundation registers; the same on both stacks (sizes differ, not shapes). */
const expectedCounts: Record<string, number> = {
    [T.provider]: 2, [T.service]: 12,
    [T.network]: 1, [T.subnet]: 1, [T.router]: 1, [T.nat]: 1, [T.firewall]: 2, [T.globalAddress]: 2, [T.address]: 1, [T.connection]: 1,
    [T.cluster]: 1, [T.nodePool]: 1, [T.k8sProvider]: 1,
    [T.account]: 6, [T.accountIam]: 6, [T.projectIam]: 1, [T.customRole]: 1, [T.serviceIdentity]: 2,
    [T.keyRing]: 2, [T.cryptoKey]: 7, [T.keyIam]: 7,
    [T.sql]: 1, [T.sqlDatabase]: 1, [T.sqlUser]: 1, [T.redis]: 1,
    [T.bucket]: 5, [T.bucketIam]: 7,
    [T.backendBucket]: 1, [T.signedUrlKey]: 1, [T.urlMap]: 2, [T.certificate]: 1, [T.sslPolicy]: 1, [T.httpsProxy]: 1, [T.httpProxy]: 1, [T.forwardingRule]: 2,
    [T.zone]: 1, [T.record]: 3, [T.zoneIam]: 1,
    [T.secret]: 1, [T.secretVersion]: 1,
    [T.logBucket]: 1, [T.sink]: 1, [T.auditConfig]: 2,
    [T.randomProvider]: 1, [T.password]: 2, [T.randomBytes]: 1,
    [T.commandProvider]: 1, [T.command]: 2, [T.randomId]: 1, [T.storageClass]: 1,
};

/** Stateful resources: protected in production only. */
const statefulTypes = [T.sql, T.sqlDatabase, T.redis, T.bucket, T.keyRing, T.cryptoKey, T.zone, T.secret];

interface Stack {
    readonly config: GcpStackConfig;
    readonly ev: Evaluation;
    readonly foundation: GcpFoundation;
    readonly res: RecordedResource[];
}

async function evaluateStack(stack: string): Promise<Stack> {
    const config = gcpConfig(stack);
    let foundation: GcpFoundation | undefined;
    const ev = await run(() => {
        const f = new GcpFoundation(N, { config });
        foundation = f;
        return {
            foundationOutputs: f.outputs,
            postgresUrl: f.postgres.url,
            postgresPassword: f.postgres.password,
            redisUrl: f.redis.url,
            redisCaCert: f.redis.caCert,
            jwtSecret: f.jwtSecret,
            kubeconfig: f.kubeconfig,
            issuer: f.certificateIssuer.spec,
            upload: f.objectStore.uploadCommand("/backup/bookkeep.sql.gz", "daily/bookkeep.sql.gz"),
            backupAnnotations: f.serviceAccountAnnotations("backup"),
            certManagerAnnotations: f.serviceAccountAnnotations("cert-manager"),
        };
    });
    return { config, ev, foundation: foundation!, res: ev.resources };
}

/** Every value under a key that names a place, anywhere in a resource's inputs. */
function placeValues(value: unknown, out: string[] = []): string[] {
    if (Array.isArray(value)) {
        value.forEach(v => placeValues(v, out));
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            if (/^(region|location|locationId|alternativeLocationId|nodeLocations|zone|zones|drRegion)$/.test(k)) {
                (Array.isArray(v) ? v : [v]).forEach(x => out.push(String(x)));
            } else {
                placeValues(v, out);
            }
        }
    }
    return out;
}

for (const stackName of ["staging", "production"] as const) {
    const production = stackName === "production";

    describe(`gcp foundation (${stackName})`, () => {
        let s: Stack;
        const find = (type: string, name: string) => one(s.res, type, name);
        const inputs = (type: string, name: string) => find(type, name).inputs as Record<string, any>;

        before(async () => {
            s = await evaluateStack(stackName);
        });

        it("registers exactly the expected resources", () => {
            expect(counts(s.res)).to.deep.equal(expectedCounts);
        });

        it("builds its providers from config and enables the APIs before anything else is created", () => {
            const main = find(T.provider, `${N}-gcp`);
            const bootstrap = find(T.provider, `${N}-bootstrap`);
            for (const p of [main, bootstrap]) {
                expect(p.inputs).to.include({ project: s.config.gcp.project, region: "asia-south1" });
            }
            const services = ofType(s.res, T.service);
            expect(services.map(r => r.inputs.service).sort()).to.deep.equal([
                "cloudkms.googleapis.com", "cloudresourcemanager.googleapis.com", "compute.googleapis.com", "container.googleapis.com",
                "dns.googleapis.com", "iam.googleapis.com", "iamcredentials.googleapis.com", "redis.googleapis.com", "secretmanager.googleapis.com",
                "servicenetworking.googleapis.com", "sqladmin.googleapis.com", "sts.googleapis.com",
            ]);
            services.forEach(svc => {
                expect(svc.provider).to.equal(bootstrap.urn);
                expect(svc.inputs.disableOnDestroy).to.equal(false);
                expect(main.dependsOn).to.include(svc.urn);
            });
            const others = s.res.filter(r => r.type.startsWith("gcp:") && r.type !== T.service);
            const gcpCount = Object.entries(expectedCounts).filter(([t]) => t.startsWith("gcp:") && t !== T.service).reduce((n, [, c]) => n + c, 0);
            expect(others.length).to.equal(gcpCount);
            others.forEach(r => expect(r.provider, `${r.type} ${r.name}`).to.equal(main.urn));
        });

        it("keeps every region, location and zone in India, and every bucket single-region ASIA-SOUTH1", () => {
            const places = s.res.filter(r => r.type.startsWith("gcp:") || r.type === T.provider).flatMap(r => placeValues(r.inputs));
            expect(places.length).to.be.greaterThan(15);
            places.forEach(p => expect(p).to.match(/^(asia-south1(-[abc])?|asia-south2|ASIA-SOUTH1|ASIA-SOUTH2|ASIA)$/));
            // The backups live in the India-only dual-region (tests/dr-residency.spec.ts); every other bucket in ASIA-SOUTH1.
            ofType(s.res, T.bucket).forEach(b => expect(b.inputs.location).to.equal(b.name.endsWith("-backups-in") ? "ASIA" : "ASIA-SOUTH1"));
            expect(ofType(s.res, T.keyRing).map(r => r.inputs.location).sort()).to.deep.equal(["asia-south1", "asia-south2"]);
        });

        it("lays out a custom-mode VPC with the configured subnet, secondary ranges, flow logs and private Google access", () => {
            const vpc = find(T.network, `${N}-network-vpc`);
            expect(vpc.inputs.autoCreateSubnetworks).to.equal(false);
            const subnet = inputs(T.subnet, `${N}-network-nodes`);
            expect(subnet.network).to.equal(`projects/fake-project/global/networks/${N}-network-vpc`);
            expect(subnet).to.include({ region: "asia-south1", ipCidrRange: s.config.gcp.subnetCidr, privateIpGoogleAccess: true });
            expect(subnet.secondaryIpRanges).to.deep.equal([
                { rangeName: "pods", ipCidrRange: s.config.gcp.podsCidr },
                { rangeName: "services", ipCidrRange: s.config.gcp.servicesCidr },
            ]);
            expect(subnet.logConfig).to.deep.equal({ aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" });
            expect(inputs(T.firewall, `${N}-network-deny-ingress`)).to.deep.equal({
                network: vpc.inputs.id ?? subnet.network, direction: "INGRESS", priority: 65534, denies: [{ protocol: "all" }],
                sourceRanges: ["0.0.0.0/0"], logConfig: { metadata: "INCLUDE_ALL_METADATA" },
            });
        });

        it("lets only the private control plane reach the Sealed Secrets proxy port (8080) and ECK's webhook (9443); no ingress-nginx webhook (8443) remains", () => {
            const fw = inputs(T.firewall, `${N}-network-control-plane-webhooks`);
            expect(fw).to.deep.include({
                direction: "INGRESS", priority: 1000, sourceRanges: [s.config.gcp.controlPlaneCidr],
                targetTags: ["bookkeep-gke-node"], allows: [{ protocol: "tcp", ports: ["8080", "9443"] }],
            });
            expect(inputs(T.nodePool, `${N}-gke-default`).nodeConfig.tags).to.deep.equal(["bookkeep-gke-node"]);
        });

        it("gives private nodes egress through one regional Cloud NAT on a Cloud Router", () => {
            const router = inputs(T.router, `${N}-network-router`);
            expect(router.region).to.equal("asia-south1");
            const nat = inputs(T.nat, `${N}-network-nat`);
            expect(nat).to.include({
                router: `${N}-network-router`, region: "asia-south1", natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
            });
            expect(nat.logConfig).to.deep.equal({ enable: true, filter: "ERRORS_ONLY" });
        });

        it("reserves the configured private services access range and peers it with service networking", () => {
            const [base, prefix] = s.config.gcp.privateServicesCidr.split("/");
            const range = inputs(T.globalAddress, `${N}-network-psa`);
            expect(range).to.include({ purpose: "VPC_PEERING", addressType: "INTERNAL", address: base, prefixLength: Number(prefix) });
            const conn = inputs(T.connection, `${N}-network-psa`);
            expect(conn).to.include({ service: "servicenetworking.googleapis.com", deletionPolicy: "ABANDON" });
            expect(conn.reservedPeeringRanges).to.deep.equal([`${N}-network-psa`]);
        });

        it("runs a regional, private GKE cluster with Dataplane V2, Workload Identity, shielded nodes and KMS-encrypted Secrets", () => {
            const c = inputs(T.cluster, `${N}-gke`);
            expect(c).to.include({
                location: "asia-south1", networkingMode: "VPC_NATIVE", datapathProvider: "ADVANCED_DATAPATH", enableShieldedNodes: true,
                enableLegacyAbac: false, minMasterVersion: s.config.cluster.kubernetesVersion, removeDefaultNodePool: true, deletionProtection: production,
            });
            expect(c.networkPolicy).to.equal(undefined);
            expect(c.nodeLocations).to.deep.equal(["asia-south1-a", "asia-south1-b", "asia-south1-c"]);
            expect(c.subnetwork).to.equal(`projects/fake-project/regions/asia-south1/subnetworks/${N}-network-nodes`);
            expect(c.ipAllocationPolicy).to.deep.equal({ clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" });
            expect(c.privateClusterConfig).to.deep.equal({
                enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: s.config.gcp.controlPlaneCidr,
            });
            expect(c.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled).to.equal(false);
            expect(c.masterAuthorizedNetworksConfig.cidrBlocks.map((b: any) => b.cidrBlock)).to.deep.equal(s.config.cluster.apiAllowedCidrs);
            expect(c.masterAuth).to.deep.equal({ clientCertificateConfig: { issueClientCertificate: false } });
            expect(c.workloadIdentityConfig).to.deep.equal({ workloadPool: `${s.config.gcp.project}.svc.id.goog` });
            expect(c.releaseChannel).to.deep.equal({ channel: "REGULAR" });
            const key = inputs(T.cryptoKey, `${N}-kms-gke-secrets`);
            expect(c.databaseEncryption).to.deep.equal({ state: "ENCRYPTED", keyName: `${key.keyRing}/cryptoKeys/${N}-kms-gke-secrets` });
            expect(inputs(T.keyIam, `${N}-gke-secrets-key`)).to.include({
                role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: "serviceAccount:service-123456789012@container-engine-robot.iam.gserviceaccount.com",
            });
            expect(find(T.cluster, `${N}-gke`).dependsOn).to.include(find(T.keyIam, `${N}-gke-secrets-key`).urn);
            expect(c.loggingConfig).to.deep.equal({ enableComponents: ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"] });
        });

        it("sizes the node pool per environment, spread over zones, on a least-privilege node account", () => {
            const pool = inputs(T.nodePool, `${N}-gke-default`);
            const expected = production
                ? { machineType: "e2-standard-2", zones: ["asia-south1-a", "asia-south1-b", "asia-south1-c"], perZone: 2, min: 5, max: 10 }
                : { machineType: "e2-standard-2", zones: ["asia-south1-a", "asia-south1-b"], perZone: 1, min: 2, max: 5 };
            expect(pool.nodeLocations).to.deep.equal(expected.zones);
            expect(pool.initialNodeCount).to.equal(expected.perZone);
            expect(pool.initialNodeCount * pool.nodeLocations.length).to.be.at.least(s.config.cluster.nodeCount);
            expect(pool.autoscaling).to.deep.equal({ totalMinNodeCount: expected.min, totalMaxNodeCount: expected.max, locationPolicy: "BALANCED" });
            expect(pool.management).to.deep.equal({ autoRepair: true, autoUpgrade: true });
            const nodeSa = `bk-${stackName}-gke-nodes@${s.config.gcp.project}.iam.gserviceaccount.com`;
            expect(pool.nodeConfig).to.include({ machineType: expected.machineType, imageType: "COS_CONTAINERD", serviceAccount: nodeSa });
            expect(pool.nodeConfig.shieldedInstanceConfig).to.deep.equal({ enableSecureBoot: true, enableIntegrityMonitoring: true });
            expect(pool.nodeConfig.workloadMetadataConfig).to.deep.equal({ mode: "GKE_METADATA" });
            expect(ofType(s.res, T.projectIam).map(r => r.inputs)).to.deep.equal([{
                project: s.config.gcp.project, role: "roles/container.defaultNodeServiceAccount", member: `serviceAccount:${nodeSa}`,
            }]);
        });

        it("boots the temporary default pool on the node account too, hardened, once that account holds its role", () => {
            const cluster = find(T.cluster, `${N}-gke`);
            const nodeSa = `bk-${stackName}-gke-nodes@${s.config.gcp.project}.iam.gserviceaccount.com`;
            const nc = (cluster.inputs as Record<string, any>).nodeConfig;
            expect(nc).to.deep.include({
                serviceAccount: nodeSa, oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                workloadMetadataConfig: { mode: "GKE_METADATA" }, metadata: { "disable-legacy-endpoints": "true" },
            });
            expect(cluster.dependsOn).to.include(find(T.projectIam, `${N}-gke-nodes-role`).urn);
            expect(cluster.ignoreChanges).to.deep.equal(["nodeConfig"]);
        });

        it("exposes a Kubernetes provider whose kubeconfig is a secret using gke-gcloud-auth-plugin", () => {
            const k8s = find(T.k8sProvider, `${N}-gke-k8s`);
            expect(isSecret(k8s.inputs.kubeconfig)).to.equal(true);
            const kubeconfig = JSON.parse(String(reveal(k8s.inputs.kubeconfig)));
            expect(kubeconfig.clusters[0].cluster.server).to.equal("https://34.93.200.10");
            expect(kubeconfig.users[0].user.exec.command).to.equal("gke-gcloud-auth-plugin");
            expect(kubeconfig.users[0].user).to.not.have.any.keys("token", "client-key-data", "password");
            expect(k8s.dependsOn).to.include(find(T.nodePool, `${N}-gke-default`).urn);
            expect(isSecret(s.ev.outputs.kubeconfig)).to.equal(true);
        });

        it("runs Cloud SQL PostgreSQL 15 on a private IP only, TLS required, sized and made HA per environment", () => {
            const db = find(T.sql, `${N}-sql`);
            const i = db.inputs as Record<string, any>;
            expect(i).to.include({ databaseVersion: "POSTGRES_15", region: "asia-south1", deletionProtection: production });
            expect(i.settings).to.include({
                edition: "ENTERPRISE", tier: production ? "db-custom-2-13312" : "db-g1-small",
                availabilityType: production ? "REGIONAL" : "ZONAL", deletionProtectionEnabled: production,
                diskAutoresize: true, diskSize: s.config.database.allocatedStorageGb, diskAutoresizeLimit: s.config.database.maxAllocatedStorageGb,
                retainBackupsOnDelete: production,
            });
            expect(i.settings.finalBackupConfig).to.deep.equal({ enabled: true, retentionDays: 365 });
            expect(i.settings.ipConfiguration).to.deep.equal({
                ipv4Enabled: false, privateNetwork: `projects/fake-project/global/networks/${N}-network-vpc`,
                allocatedIpRange: `${N}-network-psa`, sslMode: "ENCRYPTED_ONLY", enablePrivatePathForGoogleCloudServices: false,
            });
            expect(db.dependsOn).to.include(find(T.connection, `${N}-network-psa`).urn);
        });

        it("backs Cloud SQL up daily with point-in-time recovery, kept in India", () => {
            const backup = inputs(T.sql, `${N}-sql`).settings.backupConfiguration;
            // Cloud SQL rejects a log retention not below the retained backups (staging keeps 7 of each).
            expect(backup).to.deep.equal({
                enabled: true, startTime: "16:00", pointInTimeRecoveryEnabled: true,
                // In the instance's region even with crossRegionBackups (CMEK keys are regional).
                location: "asia-south1",
                transactionLogRetentionDays: production ? 7 : 6,
                backupRetentionSettings: { retainedBackups: production ? 14 : 7, retentionUnit: "COUNT" },
            });
            expect(backup.backupRetentionSettings.retainedBackups).to.be.greaterThan(backup.transactionLogRetentionDays);
        });

        it("encrypts Cloud SQL with its own KMS key, usable by the Cloud SQL service agent", () => {
            const db = find(T.sql, `${N}-sql`);
            expect(db.inputs.encryptionKeyName).to.match(new RegExp(`/cryptoKeys/${N}-kms-cloudsql$`));
            const grant = find(T.keyIam, `${N}-sql-key`);
            expect(grant.inputs).to.include({
                cryptoKeyId: db.inputs.encryptionKeyName, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: "serviceAccount:service-123456789012@gcp-sa-cloud-sql.iam.gserviceaccount.com",
            });
            expect(db.dependsOn).to.include(grant.urn);
            expect(inputs(T.serviceIdentity, `${N}-agents-sqladmin`)).to.include({ project: s.config.gcp.project, service: "sqladmin.googleapis.com" });
        });

        it("creates the bookkeep database and user with a generated secret password, abandoned (not dropped) on delete", () => {
            expect(inputs(T.sqlDatabase, `${N}-sql-db`)).to.include({ name: "bookkeep", instance: `${N}-sql`, deletionPolicy: "ABANDON" });
            expect(find(T.sqlDatabase, `${N}-sql-db`).protect).to.equal(production);
            const user = inputs(T.sqlUser, `${N}-sql-user`);
            expect(user).to.include({ name: "bookkeep", deletionPolicy: "ABANDON" });
            expect(isSecret(user.password)).to.equal(true);
            expect(inputs(T.password, `${N}-sql-password`)).to.include({ length: 32, special: false });
            expect(isSecret(s.ev.outputs.postgresPassword)).to.equal(true);
        });

        it("runs Memorystore Redis privately with AUTH, TLS, hourly RDB and HA per environment", () => {
            const r = find(T.redis, `${N}-redis`);
            const i = r.inputs as Record<string, any>;
            expect(i).to.include({
                region: "asia-south1", locationId: "asia-south1-a", tier: production ? "STANDARD_HA" : "BASIC",
                memorySizeGb: production ? 5 : 1, authEnabled: true, transitEncryptionMode: "SERVER_AUTHENTICATION",
                connectMode: "PRIVATE_SERVICE_ACCESS", authorizedNetwork: `projects/fake-project/global/networks/${N}-network-vpc`,
                reservedIpRange: `${N}-network-psa`, redisVersion: "REDIS_7_2", deletionProtection: production,
            });
            expect(i.alternativeLocationId).to.equal(production ? "asia-south1-b" : undefined);
            expect(i.persistenceConfig).to.deep.equal({ persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" });
            expect(r.additionalSecretOutputs).to.include("authString");
            expect(r.dependsOn).to.include(find(T.connection, `${N}-network-psa`).urn);
        });

        it("encrypts Memorystore with its own regional CMEK key, usable by the Memorystore agent, and exports its server CA", () => {
            const r = find(T.redis, `${N}-redis`);
            const key = inputs(T.cryptoKey, `${N}-kms-redis`);
            expect(r.inputs.customerManagedKey).to.equal(`${key.keyRing}/cryptoKeys/${N}-kms-redis`);
            expect(key.keyRing).to.match(/\/locations\/asia-south1\//);
            const grant = find(T.keyIam, `${N}-redis-key`);
            expect(grant.inputs).to.include({
                cryptoKeyId: r.inputs.customerManagedKey, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: "serviceAccount:service-123456789012@cloud-redis.iam.gserviceaccount.com",
            });
            expect(r.dependsOn).to.include(grant.urn);
            expect(reveal(s.ev.outputs.redisCaCert)).to.equal("-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n");
            expect(isSecret(s.ev.outputs.redisCaCert)).to.equal(false);
        });

        it("creates CMEK-encrypted, versioned, non-public ASIA-SOUTH1 buckets", () => {
            const key = inputs(T.cryptoKey, `${N}-kms-storage`);
            const keyId = `${key.keyRing}/cryptoKeys/${N}-kms-storage`;
            for (const role of ["documents", "backups", "assets"]) {
                const b = find(T.bucket, `${N}-buckets-${role}`);
                expect(b.inputs).to.include({
                    name: `${s.config.gcp.project}-${role}`, location: "ASIA-SOUTH1", storageClass: "STANDARD",
                    uniformBucketLevelAccess: true, publicAccessPrevention: "enforced", forceDestroy: false,
                });
                expect(b.inputs.versioning).to.deep.equal({ enabled: true });
                expect(b.inputs.encryption).to.deep.equal({ defaultKmsKeyName: keyId });
                expect(b.dependsOn).to.include(find(T.keyIam, `${N}-buckets-key`).urn);
            }
            expect(inputs(T.keyIam, `${N}-buckets-key`).member).to.equal("serviceAccount:service-123456789012@gs-project-accounts.iam.gserviceaccount.com");
        });

        it("keeps deleted backups restorable for 90 days (soft delete) with no retention policy, other buckets on GCS defaults", () => {
            const b = (role: string) => inputs(T.bucket, `${N}-buckets-${role}`);
            expect(b("backups").softDeletePolicy).to.deep.equal({ retentionDurationSeconds: 7776000 });
            expect(b("backups").versioning).to.deep.equal({ enabled: true });
            for (const role of ["documents", "backups", "assets"]) {
                expect(b(role)).not.to.have.any.keys("retentionPolicy", "enableObjectRetention");
            }
            expect(b("documents")).not.to.have.property("softDeletePolicy");
            expect(b("assets")).not.to.have.property("softDeletePolicy");
        });

        it("tiers backups like the AWS side: daily expire, weekly to COLDLINE, monthly to ARCHIVE", () => {
            const rules = (role: string) => inputs(T.bucket, `${N}-buckets-${role}`).lifecycleRules;
            const abort = { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 7 } };
            expect(rules("documents")).to.deep.equal([abort]);
            expect(rules("assets")).to.deep.equal([abort]);
            const del = (prefix: string, age: number) => ({ action: { type: "Delete" }, condition: { age, matchesPrefixes: [prefix], withState: "LIVE" } });
            const cool = (prefix: string, storageClass: string) =>
                ({ action: { type: "SetStorageClass", storageClass }, condition: { age: 30, matchesPrefixes: [prefix], withState: "LIVE" } });
            expect(rules("backups")).to.deep.equal([
                abort,
                { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
                del("daily/", 35), cool("weekly/", "COLDLINE"), del("weekly/", 365), cool("monthly/", "ARCHIVE"), del("monthly/", 2922),
            ]);
        });

        it("serves assets through Cloud CDN over HTTPS only, with a managed certificate and a MODERN TLS 1.2 policy", () => {
            const backend = inputs(T.backendBucket, `${N}-cdn-assets`);
            expect(backend).to.include({ bucketName: `${s.config.gcp.project}-assets`, enableCdn: true });
            expect(inputs(T.certificate, `${N}-cdn-cert`).managed).to.deep.equal({ domains: [`cdn.${s.config.domain}`] });
            expect(inputs(T.sslPolicy, `${N}-cdn-tls`)).to.include({ profile: "MODERN", minTlsVersion: "TLS_1_2" });
            const proxy = inputs(T.httpsProxy, `${N}-cdn-https`);
            expect(proxy.sslPolicy).to.match(/sslPolicies\/bookkeep-gcp-cdn-tls$/);
            expect(proxy.urlMap).to.match(/urlMaps\/bookkeep-gcp-cdn-https$/);
            expect(inputs(T.forwardingRule, `${N}-cdn-https`)).to.include({ portRange: "443", loadBalancingScheme: "EXTERNAL_MANAGED", ipAddress: "34.120.10.20" });
            expect(inputs(T.urlMap, `${N}-cdn-http`).defaultUrlRedirect).to.include({ httpsRedirect: true });
            // Public access stays prevented: only the CDN's cache-fill agent may read the assets.
            expect(inputs(T.bucketIam, `${N}-cdn-fill`)).to.deep.equal({
                bucket: `${s.config.gcp.project}-assets`, role: "roles/storage.objectViewer",
                member: "serviceAccount:service-123456789012@cloud-cdn-fill.iam.gserviceaccount.com",
            });
            expect(find(T.bucket, `${N}-buckets-assets`).inputs.publicAccessPrevention).to.equal("enforced");
            const members = s.res.flatMap(r => [r.inputs.member].filter(m => m !== undefined)).map(String);
            expect(members.filter(m => m === "allUsers" || m === "allAuthenticatedUsers")).to.deep.equal([]);
        });

        it("adds a signed URL key to the backend before granting the cache-fill agent (which only then exists)", () => {
            const backend = find(T.backendBucket, `${N}-cdn-assets`);
            expect(backend.dependsOn).not.to.include(find(T.bucketIam, `${N}-cdn-fill`).urn);
            const key = find(T.signedUrlKey, `${N}-cdn-signing-key`);
            expect(key.inputs.backendBucket).to.equal(`${N}-cdn-assets`);
            expect(key.propertyDependencies.backendBucket).to.deep.equal([backend.urn]);
            const bytes = find(T.randomBytes, `${N}-cdn-signing-key`);
            expect(bytes.inputs).to.deep.equal({ length: 16 });
            expect(bytes.provider).to.equal(find(T.randomProvider, `${N}-random`).urn);
            // 16 bytes, base64url (RFC 4648 section 5): the fake bytes encode to + and / in plain base64.
            expect(isSecret(key.inputs.keyValue)).to.equal(true);
            expect(reveal(key.inputs.keyValue)).to.equal("-_v7-_v7-_v7-_v7-_v7-w==");
            expect(key.additionalSecretOutputs).to.include("keyValue");
            expect(find(T.bucketIam, `${N}-cdn-fill`).dependsOn).to.include(key.urn);
        });

        it("generates every random value on the foundation's explicit random provider", () => {
            const provider = find(T.randomProvider, `${N}-random`).urn;
            const randoms = s.res.filter(r => r.custom && r.type.startsWith("random:"));
            expect(randoms.map(r => r.name).sort()).to.deep.equal([`${N}-cdn-signing-key`, `${N}-jwt`, `${N}-logging-bucket-suffix`, `${N}-sql-password`]);
            randoms.forEach(r => expect(r.provider, r.name).to.equal(provider));
        });

        it("keeps every log in a log bucket in India with the configured retention, via the _Default sink", () => {
            const bucket = inputs(T.logBucket, `${N}-logging-bucket`);
            expect(bucket).to.include({
                project: s.config.gcp.project, location: "asia-south1", bucketId: `bookkeep-${stackName}-logs-0a1b2c3d`,
                retentionDays: s.config.observability.logRetentionDays,
            });
            const sink = inputs(T.sink, `${N}-logging-default-sink`);
            expect(sink).to.include({
                project: s.config.gcp.project, name: "_Default", filter: defaultSinkFilter, disabled: false,
                destination: `logging.googleapis.com/projects/${s.config.gcp.project}/locations/asia-south1/buckets/bookkeep-${stackName}-logs-0a1b2c3d`,
            });
            expect(defaultSinkFilter).to.contain("NOT LOG_ID(\"cloudaudit.googleapis.com/activity\")").and.contain("NOT LOG_ID(\"cloudaudit.googleapis.com/system_event\")");
            expect(find(T.sink, `${N}-logging-default-sink`).propertyDependencies.destination).to.deep.equal([find(T.logBucket, `${N}-logging-bucket`).urn]);
            // Destroy: the sink, then its release (disabled, so nothing routes to a bucket pending deletion), then the bucket.
            const release = find(T.command, `${N}-logging-default-sink-release`);
            expect(reveal(release.inputs)).to.deep.equal({ delete: releaseDefaultSinkScript, environment: { PROJECT: s.config.gcp.project } });
            expect(release.dependsOn).to.include(find(T.logBucket, `${N}-logging-bucket`).urn);
            expect(find(T.sink, `${N}-logging-default-sink`).dependsOn).to.include(release.urn);
        });

        it("turns on Data Access audit logs for Cloud KMS and Secret Manager", () => {
            expect(ofType(s.res, T.auditConfig).map(r => r.inputs).sort((a, b) => String(a.service).localeCompare(String(b.service)))).to.deep.equal(
                ["cloudkms.googleapis.com", "secretmanager.googleapis.com"].map(service => ({
                    project: s.config.gcp.project, service, auditLogConfigs: [{ logType: "DATA_READ" }, { logType: "DATA_WRITE" }],
                })));
        });

        it("lets only Let's Encrypt and Google Trust Services issue certificates for the domain", () => {
            expect(inputs(T.record, `${N}-dns-caa`)).to.deep.include({
                managedZone: `${N}-dns-zone`, name: `${s.config.domain}.`, type: "CAA", ttl: 300,
                rrdatas: ["0 issue \"letsencrypt.org\"", "0 issue \"pki.goog\"", "0 issuewild \"letsencrypt.org\"", "0 issuewild \"pki.goog\""],
            });
        });

        it("hosts a DNSSEC-signed public zone with the api and cdn records", () => {
            const zone = inputs(T.zone, `${N}-dns-zone`);
            expect(zone).to.include({ dnsName: `${s.config.domain}.`, visibility: "public" });
            expect(zone.dnssecConfig).to.deep.equal({ state: "on" });
            expect(inputs(T.record, `${N}-dns-api`)).to.deep.include({
                managedZone: `${N}-dns-zone`, name: `api.${s.config.domain}.`, type: "A", ttl: 300, rrdatas: ["34.93.10.20"],
            });
            expect(inputs(T.record, `${N}-dns-cdn`)).to.deep.include({
                managedZone: `${N}-dns-zone`, name: `cdn.${s.config.domain}.`, type: "A", ttl: 300, rrdatas: ["34.120.10.20"],
            });
            expect(inputs(T.address, `${N}-ingress-ip`)).to.include({
                name: `bookkeep-${stackName}-ingress`, region: "asia-south1", addressType: "EXTERNAL",
            });
        });

        it("stores bookkeeping-secrets in Secret Manager, replicated only to the two Indian regions under CMEK", () => {
            const secret = inputs(T.secret, `${N}-secrets-app`);
            expect(secret.secretId).to.equal("bookkeeping-secrets");
            expect(secret.replication).to.have.all.keys("userManaged");
            const replicas = secret.replication.userManaged.replicas;
            expect(replicas.map((r: any) => r.location)).to.deep.equal(["asia-south1", "asia-south2"]);
            expect(replicas[0].customerManagedEncryption.kmsKeyName).to.match(new RegExp(`/cryptoKeys/${N}-kms-secrets$`));
            expect(replicas[1].customerManagedEncryption.kmsKeyName).to.match(new RegExp(`/cryptoKeys/${N}-kms-secrets-dr$`));
            expect(inputs(T.keyRing, `${N}-kms-dr-ring`).location).to.equal("asia-south2");
            for (const grant of [`${N}-secrets-key`, `${N}-secrets-dr-key`]) {
                expect(inputs(T.keyIam, grant).member).to.equal("serviceAccount:service-123456789012@gcp-sa-secretmanager.iam.gserviceaccount.com");
            }
            const version = inputs(T.secretVersion, `${N}-secrets-app`);
            expect(isSecret(version.secretData)).to.equal(true);
            const data = JSON.parse(String(reveal(version.secretData)));
            expect(Object.keys(data)).to.deep.equal(["database-url", "redis-url", "jwt-secret"]);
            expect(data["database-url"]).to.equal(reveal(s.ev.outputs.postgresUrl));
            expect(JSON.stringify(version)).to.not.contain("fake-redis-auth");
        });

        it("hands out secret connection URLs for the private endpoints, with TLS on both", () => {
            const out = s.ev.outputs;
            for (const key of ["postgresUrl", "redisUrl", "jwtSecret"]) {
                expect(isSecret(out[key]), key).to.equal(true);
            }
            const password = String(reveal(out.postgresPassword));
            expect(password).to.have.length(32);
            expect(reveal(out.postgresUrl)).to.equal(`postgres://bookkeep:${password}@10.29.0.3:5432/bookkeep?sslmode=require`);
            expect(reveal(out.redisUrl)).to.equal("rediss://:fake-redis-auth-0000@10.29.1.4:6378");
            expect(s.foundation.postgres.port).to.equal(5432);
            expect(s.foundation.redis).to.include({ port: 6378, tls: true });
            const peers = [{ ipBlock: { cidr: s.config.gcp.privateServicesCidr } }];
            expect(s.foundation.postgres.networkPeers).to.deep.equal(peers);
            expect(s.foundation.redis.networkPeers).to.deep.equal(peers);
        });

        it("binds Workload Identity exactly: backup writes the backups bucket, cert-manager edits only its zone", () => {
            const project = s.config.gcp.project;
            const pool = `${project}.svc.id.goog`;
            const wi = ofType(s.res, T.accountIam).map(r => r.inputs).sort((a, b) => String(a.member).localeCompare(String(b.member)));
            expect(wi).to.deep.equal([
                {
                    serviceAccountId: `projects/${project}/serviceAccounts/bk-${stackName}-velero@${project}.iam.gserviceaccount.com`,
                    role: "roles/iam.serviceAccountTokenCreator", member: `serviceAccount:bk-${stackName}-velero@${project}.iam.gserviceaccount.com`,
                },
                {
                    serviceAccountId: `projects/${project}/serviceAccounts/bk-${stackName}-elasticsearch@${project}.iam.gserviceaccount.com`,
                    role: "roles/iam.workloadIdentityUser", member: `serviceAccount:${pool}[bookkeep-monitoring/elasticsearch]`,
                },
                {
                    serviceAccountId: `projects/${project}/serviceAccounts/bk-${stackName}-tempo@${project}.iam.gserviceaccount.com`,
                    role: "roles/iam.workloadIdentityUser", member: `serviceAccount:${pool}[bookkeep-monitoring/tempo]`,
                },
                {
                    serviceAccountId: `projects/${project}/serviceAccounts/bk-${stackName}-backup@${project}.iam.gserviceaccount.com`,
                    role: "roles/iam.workloadIdentityUser", member: `serviceAccount:${pool}[bookkeep-${stackName}/db-backup]`,
                },
                {
                    serviceAccountId: `projects/${project}/serviceAccounts/bk-${stackName}-cert-manager@${project}.iam.gserviceaccount.com`,
                    role: "roles/iam.workloadIdentityUser", member: `serviceAccount:${pool}[bookkeep-system/cert-manager]`,
                },
                {
                    serviceAccountId: `projects/${project}/serviceAccounts/bk-${stackName}-velero@${project}.iam.gserviceaccount.com`,
                    role: "roles/iam.workloadIdentityUser", member: `serviceAccount:${pool}[bookkeep-system/velero]`,
                },
            ]);
            // Elasticsearch's snapshots: objects under elasticsearch/ of the backups bucket only, and the bucket lookup.
            const es = `serviceAccount:bk-${stackName}-elasticsearch@${project}.iam.gserviceaccount.com`;
            expect(inputs(T.bucketIam, `${N}-identity-elasticsearch-snapshots`)).to.deep.equal({
                bucket: `${project}-backups-in`, role: "roles/storage.objectAdmin", member: es,
                condition: {
                    title: "elasticsearch-snapshots-only",
                    expression: `resource.name.startsWith("projects/_/buckets/${project}-backups-in/objects/elasticsearch/")`,
                },
            });
            expect(inputs(T.bucketIam, `${N}-identity-elasticsearch-bucket`)).to.deep.equal({ bucket: `${project}-backups-in`, role: "roles/storage.legacyBucketReader", member: es });
            // The pool comes from the cluster's output: IAM refuses the binding until the cluster exists.
            const cluster = find(T.cluster, `${N}-gke`);
            ofType(s.res, T.accountIam).filter(r => r.inputs.role === "roles/iam.workloadIdentityUser")
                .forEach(r => expect(r.propertyDependencies.member, r.name).to.include(cluster.urn));
            expect(inputs(T.bucketIam, `${N}-identity-backup-writer`)).to.deep.equal({
                bucket: `${project}-backups-in`, role: "roles/storage.objectCreator",
                member: `serviceAccount:bk-${stackName}-backup@${project}.iam.gserviceaccount.com`,
            });
            expect(inputs(T.bucketIam, `${N}-identity-tempo-objects`)).to.deep.equal({
                bucket: `${project}-traces`, role: "roles/storage.objectAdmin",
                member: `serviceAccount:bk-${stackName}-tempo@${project}.iam.gserviceaccount.com`,
            });
            expect(inputs(T.bucketIam, `${N}-identity-tempo-bucket`)).to.deep.equal({
                bucket: `${project}-traces`, role: "roles/storage.legacyBucketReader",
                member: `serviceAccount:bk-${stackName}-tempo@${project}.iam.gserviceaccount.com`,
            });
            expect(inputs(T.bucketIam, `${N}-identity-velero-objects`)).to.deep.equal({
                bucket: `${project}-backups-in`, role: "roles/storage.objectAdmin",
                member: `serviceAccount:bk-${stackName}-velero@${project}.iam.gserviceaccount.com`,
            });
            const role = inputs(T.customRole, `${N}-identity-dns01`);
            expect(role.permissions).to.deep.equal([...dns01Permissions]);
            expect(role.permissions.filter((p: string) => p.startsWith("dns.managedZones.") && p !== "dns.managedZones.get")).to.deep.equal([]);
            expect(inputs(T.zoneIam, `${N}-identity-cert-manager-dns`)).to.deep.equal({
                managedZone: `${N}-dns-zone`, role: `projects/${project}/roles/bookkeep_${stackName}_dns01_solver`,
                member: `serviceAccount:bk-${stackName}-cert-manager@${project}.iam.gserviceaccount.com`,
            });
            expect(s.ev.outputs.backupAnnotations).to.deep.equal({ "iam.gke.io/gcp-service-account": `bk-${stackName}-backup@${project}.iam.gserviceaccount.com` });
            expect(s.ev.outputs.certManagerAnnotations).to.deep.equal({ "iam.gke.io/gcp-service-account": `bk-${stackName}-cert-manager@${project}.iam.gserviceaccount.com` });
        });

        it("issues certificates from Let's Encrypt production via Cloud DNS DNS-01", () => {
            expect(s.foundation.certificateIssuer.name).to.equal("letsencrypt-prod");
            expect(reveal(s.ev.outputs.issuer)).to.deep.equal({
                acme: {
                    server: "https://acme-v02.api.letsencrypt.org/directory",
                    email: s.config.acmeEmail,
                    privateKeySecretRef: { name: "letsencrypt-prod-account-key" },
                    solvers: [{
                        selector: { dnsZones: [s.config.domain] },
                        dns01: { cloudDNS: { project: s.config.gcp.project, hostedZoneName: `${N}-dns-zone` } },
                    }],
                },
            });
        });

        it("lets the backup job upload with the create-only script over HTTPS, and fills the rest of the contract", () => {
            const store = s.foundation.objectStore;
            expect(reveal(s.ev.outputs.upload)).to.equal(gcsUploadScript(`${s.config.gcp.project}-backups-in`, "/backup/bookkeep.sql.gz", "daily/bookkeep.sql.gz"));
            expect(store.uploaderImage).to.match(/^google\/cloud-sdk:\d+\.\d+\.\d+-slim$/);
            expect(store.uploaderEnv).to.deep.equal([]);
            expect(store.networkPeers).to.deep.equal([{ ipBlock: { cidr: "0.0.0.0/0" } }]);
            expect(store.uploaderPorts).to.deep.equal([443]);
            expect(s.foundation.identityEgress.map(r => r.to)).to.deep.equal([[{ ipBlock: { cidr: "169.254.169.254/32" } }], [{ ipBlock: { cidr: "169.254.169.252/32" } }]]);
            expect(s.foundation.cloud).to.equal("gcp");
            expect(s.foundation.storageClass).to.equal("premium-rwo-cmek");
            expect(s.foundation.ingressService).to.deep.equal({
                type: "LoadBalancer",
                annotations: { "cloud.google.com/l4-rbs": "enabled", "networking.gke.io/load-balancer-ip-addresses": `bookkeep-${stackName}-ingress` },
            });
            expect(reveal(s.ev.outputs.foundationOutputs)).to.deep.equal({
                clusterName: `${N}-gke`, kubeconfig: reveal(s.ev.outputs.kubeconfig), postgresHost: "10.29.0.3", redisHost: "10.29.1.4",
                documentsBucket: `${s.config.gcp.project}-documents`, backupsBucket: `${s.config.gcp.project}-backups-in`,
                apiHostname: `api.${s.config.domain}`, cdnHostname: `cdn.${s.config.domain}`,
                nameServers: ["ns-cloud-a1.googledomains.com.", "ns-cloud-a2.googledomains.com.", "ns-cloud-a3.googledomains.com.", "ns-cloud-a4.googledomains.com."],
            });
            expect(isSecret((s.ev.outputs.foundationOutputs as Record<string, unknown>).kubeconfig)).to.equal(true);
        });

        it(`protects every stateful resource ${production ? "" : "only in production, not "}in ${stackName}`, () => {
            const stateful = s.res.filter(r => (statefulTypes as readonly string[]).includes(r.type));
            expect(stateful.length).to.equal(1 + 1 + 1 + 5 + 2 + 7 + 1 + 1);
            stateful.forEach(r => expect(r.protect, `${r.type} ${r.name}`).to.equal(production));
            s.res.filter(r => r.custom && !(statefulTypes as readonly string[]).includes(r.type))
                .forEach(r => expect(r.protect, `${r.type} ${r.name}`).to.equal(false));
        });
    });
}

describe("gcp Cloud SQL backup retention", () => {
    it("keeps the PITR window below the retained backups, at most 7 days", () => {
        expect(backupRetention(7)).to.deep.equal({ retainedBackups: 7, transactionLogRetentionDays: 6 });
        expect(backupRetention(14)).to.deep.equal({ retainedBackups: 14, transactionLogRetentionDays: 7 });
        expect(backupRetention(8)).to.deep.equal({ retainedBackups: 8, transactionLogRetentionDays: 7 });
        expect(backupRetention(2)).to.deep.equal({ retainedBackups: 2, transactionLogRetentionDays: 1 });
        expect(backupRetention(1)).to.deep.equal({ retainedBackups: 2, transactionLogRetentionDays: 1 });
        for (let days = 1; days <= 35; days++) {
            const r = backupRetention(days);
            expect(r.retainedBackups, `${days}`).to.be.greaterThan(r.transactionLogRetentionDays);
            expect(r.retainedBackups).to.be.at.least(days);
        }
    });
});

describe("gcp foundation input validation", () => {
    it("takes only a GCP stack config (the type says so; no runtime guard to forget)", () => {
        // @ts-expect-error an AWS config is not a GcpStackConfig: tsc fails this file if it ever is.
        const build = () => new GcpFoundation("x", { config: awsConfig("staging") });
        expect(build).to.be.a("function");
    });
});

describe("foundation contract across clouds", () => {
    it("AWS and GCP expose the same foundation output keys", async () => {
        let aws: AwsFoundation | undefined;
        let gcp: GcpFoundation | undefined;
        await run(() => {
            aws = new AwsFoundation("contract-aws", { config: awsConfig("production") });
            return {};
        });
        await run(() => {
            gcp = new GcpFoundation("contract-gcp", { config: gcpConfig("production") });
            return {};
        });
        const keys = (o: object) => Object.keys(o).sort();
        expect(keys(gcp!.outputs)).to.deep.equal(keys(aws!.outputs));
        expect(keys(gcp!.outputs)).to.deep.equal([
            "apiHostname", "backupsBucket", "cdnHostname", "clusterName", "documentsBucket", "kubeconfig", "nameServers", "postgresHost", "redisHost",
        ]);
    });
});
