import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { LocalFoundation } from "../components/local/foundation";
import { Evaluation, RecordedResource } from "../offline/engine";
import { fakePasswordPrefix } from "../offline/mocks/random";
import { awsConfig, localConfig } from "./configs";
import { LocalStackConfig } from "../stacks/schema";
import { counts, isSecret, one, ofType, reveal, run } from "./harness";

const types = {
    provider: "pulumi:providers:kubernetes",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    chart: "kubernetes:helm.sh/v4:Chart",
    cluster: "kubernetes:postgresql.cnpg.io/v1:Cluster",
    password: "random:index/randomPassword:RandomPassword",
    string: "random:index/randomString:RandomString",
};
const appNs = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "bookkeep-development" } } };
const inData = (labels: Record<string, string>) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "bookkeep-data" } },
    podSelector: { matchLabels: labels },
});
/** The offline engine's generated passwords (prefix + resource name, cut to the requested length). */
const postgresPassword = `${fakePasswordPrefix}bookkeeplocalpostgrespass`;
const redisPassword = `${fakePasswordPrefix}bookkeeplocalredispasswor`;
const tcp = (...ports: number[]) => ports.map(port => ({ protocol: "TCP", port }));

function developmentConfig(local: Record<string, unknown> = {}): LocalStackConfig {
    return localConfig({ "bookkeep:local": local });
}

/** Evaluates the foundation alone and exposes its Output members as stack outputs. */
async function evaluateFoundation(config: LocalStackConfig): Promise<{ ev: Evaluation; foundation: LocalFoundation }> {
    let foundation: LocalFoundation | undefined;
    const ev = await run(() => {
        const f = new LocalFoundation("bookkeep-local", { config });
        foundation = f;
        return {
            postgresHost: f.postgres.host, postgresUrl: f.postgres.url, postgresPassword: f.postgres.password,
            redisHost: f.redis.host, redisUrl: f.redis.url, jwtSecret: f.jwtSecret,
            documentsBucket: f.objectStore.documentsBucket, backupsBucket: f.objectStore.backupsBucket,
            uploadCommand: f.objectStore.uploadCommand("/backup/bookkeep.sql.gz", "daily/2026-11-28.sql.gz"),
            clusterName: f.clusterName, kubeconfig: f.kubeconfig,
            foundationOutputs: { ...f.outputs },
        };
    });
    return { ev, foundation: foundation! };
}

describe("local foundation (development stack)", () => {
    let ev: Evaluation;
    let foundation: LocalFoundation;
    const chartNamed = (name: string) => one(ev.resources, types.chart, `bookkeep-local-${name}`);
    const values = (name: string) => chartNamed(name).inputs.values as Record<string, any>;
    const netpol = (name: string) => one(ev.resources, types.netpol, `bookkeep-local-netpol-${name}`).inputs as Record<string, any>;
    const secretNamed = (name: string) => one(ev.resources, types.secret, `bookkeep-local-${name}`);
    /** What the foundation registers itself, without the objects its charts render (tests/charts.spec.ts). */
    const own = () => ev.resources.filter(r => !r.parent?.split("::")[2]?.endsWith("$kubernetes:helm.sh/v4:Chart"));
    const setupJob = () => one(ev.resources, "kubernetes:batch/v1:Job", "bookkeep-local-object-store-setup").inputs as Record<string, any>;

    before(async () => {
        ({ ev, foundation } = await evaluateFoundation(developmentConfig()));
    });

    it("registers exactly the local data layer and nothing else", () => {
        expect(counts(own())).to.deep.equal({
            [types.provider]: 1,
            "pulumi:providers:random": 1,
            [types.namespace]: 1,
            [types.netpol]: 7,
            [types.secret]: 4,
            [types.cluster]: 1,
            [types.password]: 5,
            [types.string]: 1,
            "kubernetes:batch/v1:Job": 1,
        });
        expect(ofType(ev.resources, types.chart).map(r => r.name).sort())
            .to.deep.equal(["bookkeep-local-cnpg", "bookkeep-local-object-store", "bookkeep-local-redis"]);
        expect(ofType(ev.resources, "bookkeep:local:Foundation").map(r => r.name)).to.deep.equal(["bookkeep-local"]);
    });

    it("creates no cloud provider and no cloud resource at all", () => {
        const cloudy = ev.resources.filter(r => /^(aws|gcp|azure|azure-native):/.test(r.type) || /^pulumi:providers:(?!(kubernetes|random)$)/.test(r.type));
        expect(cloudy.map(r => r.type)).to.deep.equal([]);
    });

    it("puts every Kubernetes object on the foundation's provider, built from the ambient kubeconfig", () => {
        const provider = one(ev.resources, types.provider, "bookkeep-local-k8s");
        expect(provider.inputs.kubeconfig).to.equal(undefined);
        expect(provider.inputs.context).to.equal(undefined);
        const k8sObjects = ev.resources.filter(r => r.type.startsWith("kubernetes:"));
        expect(own().filter(r => r.type.startsWith("kubernetes:"))).to.have.length(17);
        // Rendered chart objects too: the provider creates them with the Chart's provider.
        expect(k8sObjects.filter(r => r.provider !== provider.urn).map(r => r.name)).to.deep.equal([]);
        const component = one(ev.resources, "bookkeep:local:Foundation", "bookkeep-local");
        expect(own().filter(r => r.parent === component.urn)).to.have.length(own().length - 2);
    });

    it("creates the data namespace: baseline enforced, restricted warned and audited", () => {
        const ns = one(ev.resources, types.namespace, "bookkeep-local-data").inputs as Record<string, any>;
        expect(ns.metadata.name).to.equal("bookkeep-data");
        expect(ns.metadata.labels).to.include({
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
            "app.kubernetes.io/part-of": "bookkeep",
        });
    });

    it("denies all traffic in the data namespace by default and allows DNS", () => {
        const names = ofType(ev.resources, types.netpol).map(r => (r.inputs as any).metadata.name).sort();
        expect(names).to.deep.equal(["allow-dns", "cnpg-operator", "default-deny", "object-store", "object-store-provisioning", "postgres", "redis"]);
        for (const r of ofType(ev.resources, types.netpol)) {
            expect((r.inputs as any).metadata.namespace, r.name).to.equal("bookkeep-data");
        }
        expect(netpol("default-deny").spec).to.deep.equal({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        expect(netpol("allow-dns").spec.egress).to.deep.equal([{
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
        }]);
    });

    it("admits the app namespace to postgres 5432, redis 6379 and the object store 9000 only", () => {
        const pg = netpol("postgres").spec;
        expect(pg.podSelector).to.deep.equal({ matchLabels: { "cnpg.io/cluster": "postgres" } });
        expect(pg.ingress).to.deep.equal([
            { from: [appNs], ports: tcp(5432) },
            { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "cloudnative-pg", "app.kubernetes.io/instance": "cnpg" } } }], ports: tcp(5432, 8000) },
        ]);
        expect(pg.egress).to.deep.equal([{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: tcp(443, 6443) }]);
        const redis = netpol("redis").spec;
        expect(redis.podSelector).to.deep.equal({ matchLabels: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "valkey" } });
        expect(redis.policyTypes).to.deep.equal(["Ingress"]);
        expect(redis.ingress).to.deep.equal([{ from: [appNs], ports: tcp(6379) }]);
        const store = netpol("object-store").spec;
        expect(store.podSelector).to.deep.equal({ matchLabels: { app: "minio", release: "minio" } });
        expect(store.ingress).to.deep.equal([
            { from: [appNs], ports: tcp(9000) },
            { from: [{ podSelector: { matchLabels: { app: "minio-setup" } } }], ports: tcp(9000) },
        ]);
        expect(netpol("object-store-provisioning").spec.egress).to.deep.equal([
            { to: [{ podSelector: { matchLabels: { app: "minio", release: "minio" } } }], ports: tcp(9000) },
        ]);
        const operator = netpol("cnpg-operator").spec;
        expect(operator.ingress).to.deep.equal([{ ports: tcp(9443) }]);
        expect(operator.egress[1]).to.deep.equal({ to: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "postgres" } } }], ports: tcp(5432, 8000) });
    });

    it("keeps every generated credential in a secret Secret, never in chart values", async () => {
        const expected: Record<string, [string, string, string, string[]]> = {
            "postgres-credentials": ["postgres-app-credentials", "bookkeep-data", "kubernetes.io/basic-auth", ["password", "username"]],
            "redis-credentials": ["valkey-users", "bookkeep-data", "Opaque", ["default"]],
            "object-store-root-credentials": ["minio-root-credentials", "bookkeep-data", "Opaque", ["rootPassword", "rootUser"]],
            "object-store-backup-user": ["minio-backup-user", "bookkeep-data", "Opaque", ["secretKey"]],
        };
        for (const [id, [name, namespace, type, keys]] of Object.entries(expected)) {
            const s = secretNamed(id).inputs as Record<string, any>;
            expect([s.metadata.name, s.metadata.namespace, s.type], id).to.deep.equal([name, namespace, type]);
            expect(isSecret(s.stringData), `${id} stringData is secret`).to.equal(true);
            expect(Object.keys(reveal(s.stringData) as object).sort(), id).to.deep.equal(keys);
        }
        const reveals = (id: string) => reveal(secretNamed(id).inputs.stringData) as Record<string, string>;
        expect(reveals("postgres-credentials")).to.deep.equal({ username: "bookkeep", password: postgresPassword });
        expect(reveals("redis-credentials").default).to.equal(redisPassword);
        // The uploader's copy lives in the app namespace, created there by the Kubernetes platform.
        const uploader = foundation.objectStore.uploaderSecret!;
        expect(uploader.name).to.equal("bookkeep-object-store");
        const uploaderData = await new Promise(resolve => pulumi.output(uploader.stringData).apply(resolve));
        expect(uploaderData).to.deep.equal({
            AWS_ACCESS_KEY_ID: "bookkeep-backup", AWS_SECRET_ACCESS_KEY: reveals("object-store-backup-user").secretKey,
        });
        expect(reveals("object-store-root-credentials").rootUser).to.match(/^rnd/);
        const passwords = ofType(ev.resources, types.password);
        expect(passwords.map(p => [p.name, p.inputs.length, p.inputs.special])).to.deep.equal([
            ["bookkeep-local-postgres-password", 32, false], ["bookkeep-local-redis-password", 32, false],
            ["bookkeep-local-object-store-root-password", 40, false], ["bookkeep-local-object-store-backup-key", 40, false],
            ["bookkeep-local-jwt-secret", 64, false],
        ]);
        for (const chart of ofType(ev.resources, types.chart)) {
            expect(JSON.stringify(reveal(chart.inputs)), chart.name).not.to.contain(fakePasswordPrefix);
        }
    });

    it("generates every password and user name on the foundation's explicit random provider (default providers are disabled)", () => {
        const randomProvider = one(ev.resources, "pulumi:providers:random", "bookkeep-local-random").urn;
        const randoms = ev.resources.filter(r => r.custom && r.type.startsWith("random:"));
        expect(randoms).to.have.length(6);
        randoms.forEach(r => expect(r.provider, r.name).to.equal(randomProvider));
    });

    it("installs pinned upstream charts into bookkeep-data with fixed release names", () => {
        const pinned = ofType(ev.resources, types.chart).map(r => {
            const i = r.inputs as Record<string, any>;
            return [r.name, i.chart, i.version ?? null, i.repositoryOpts ?? null, i.name, i.namespace];
        });
        expect(pinned).to.have.deep.members([
            ["bookkeep-local-cnpg", "./charts/cloudnative-pg-0.29.0.tgz", null, null, "cnpg", "bookkeep-data"],
            ["bookkeep-local-redis", "./charts/valkey-0.11.0.tgz", null, null, "valkey", "bookkeep-data"],
            ["bookkeep-local-object-store", "./charts/minio-5.4.0.tgz", null, null, "minio", "bookkeep-data"],
        ]);
        expect(values("cnpg").resources).to.deep.equal({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
    });

    it("runs one PostgreSQL 15 instance with persistence, bootstrapped from the generated Secret", () => {
        const cluster = one(ev.resources, types.cluster, "bookkeep-local-postgres");
        const inputs = cluster.inputs as Record<string, any>;
        expect([inputs.apiVersion, inputs.kind, inputs.metadata.name, inputs.metadata.namespace])
            .to.deep.equal(["postgresql.cnpg.io/v1", "Cluster", "postgres", "bookkeep-data"]);
        expect(inputs.metadata.annotations).to.deep.equal({ "pulumi.com/waitFor": "condition=Ready" });
        expect(inputs.spec.imageName).to.match(/^ghcr\.io\/cloudnative-pg\/postgresql:15\.\d+-/);
        expect(inputs.spec).to.deep.include({
            instances: 1,
            storage: { size: "20Gi" },
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
            bootstrap: {
                initdb: {
                    database: "bookkeep", owner: "bookkeep", secret: { name: "postgres-app-credentials" },
                    postInitSQL: ["ALTER ROLE bookkeep CREATEROLE"],
                },
            },
            enableSuperuserAccess: false,
            enablePDB: false,
        });
        expect(cluster.dependsOn).to.include.members([chartNamed("cnpg").urn, secretNamed("postgres-credentials").urn]);
        expect(cluster.protect).to.equal(false);
    });

    it("runs standalone Valkey (Redis protocol) with persistence and auth from its Secret", () => {
        const v = values("redis");
        expect(v.image).to.deep.equal({ repository: "valkey/valkey", tag: "9.1.0" });
        expect(v.dataStorage).to.deep.equal({ enabled: true, requestedSize: "1Gi" });
        expect(v.auth).to.deep.equal({ enabled: true, usersExistingSecret: "valkey-users", aclUsers: { default: { permissions: "~* &* +@all" } } });
        expect(v.replica).to.equal(undefined);
        expect(v.resources).to.deep.equal({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } });
        expect(v.readinessProbe).to.deep.equal({ enabled: true });
        expect(v.securityContext).to.deep.include({ allowPrivilegeEscalation: false, runAsNonRoot: true, readOnlyRootFilesystem: true });
        expect(chartNamed("redis").dependsOn).to.include(secretNamed("redis-credentials").urn);
    });

    it("runs a standalone S3 store with generated root credentials and both buckets provisioned", () => {
        const v = values("object-store");
        expect(v.mode).to.equal("standalone");
        expect(v.existingSecret).to.equal("minio-root-credentials");
        expect([v.rootUser, v.rootPassword]).to.deep.equal([undefined, undefined]);
        expect(v.image.tag).to.match(/^RELEASE\.\d{4}-/);
        expect(v.persistence).to.deep.equal({ enabled: true, size: "10Gi" });
        expect(v.resources).to.deep.equal({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } });
        // Provisioning is the program's Job: the chart's is a hook, never run by helm.v4.Chart. No
        // `console` user either (the chart's default, whose password is public).
        expect([v.buckets, v.policies, v.users, v.svcaccts]).to.deep.equal([[], [], [], []]);
        const job = setupJob();
        expect(job.metadata).to.deep.include({ name: "minio-setup", namespace: "bookkeep-data" });
        const script: string = job.spec.template.spec.containers[0].command[2];
        expect(script.split("\n").filter(l => l.startsWith("mc mb"))).to.deep.equal([
            "mc mb --ignore-existing local/bookkeep-documents", "mc mb --ignore-existing local/bookkeep-backups",
        ]);
        expect(script).to.contain("mc admin user add local bookkeep-backup \"$BACKUP_SECRET_KEY\"");
        expect(script).to.contain("mc admin policy attach local bookkeep-backup-writer --user bookkeep-backup");
        const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
        expect(JSON.parse(env.POLICY_JSON).Statement[0]).to.deep.equal({
            Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: ["arn:aws:s3:::bookkeep-backups/*"],
        });
        expect(one(ev.resources, "kubernetes:batch/v1:Job", "bookkeep-local-object-store-setup").dependsOn).to.include(chartNamed("object-store").urn);
        expect(job.spec.template.metadata.labels).to.deep.equal({ app: "minio-setup" });
        expect(v.environment).to.deep.equal({ MINIO_SITE_REGION: "ap-south-1" });
    });

    it("exposes postgres and redis endpoints with in-cluster hosts, secret URLs and pod-selector peers", () => {
        const o = ev.outputs;
        expect(o.postgresHost).to.equal("postgres-rw.bookkeep-data.svc.cluster.local");
        expect(isSecret(o.postgresUrl)).to.equal(true);
        expect(reveal(o.postgresUrl)).to.equal(
            `postgres://bookkeep:${postgresPassword}@postgres-rw.bookkeep-data.svc.cluster.local:5432/bookkeep?sslmode=require`);
        expect(isSecret(o.postgresPassword)).to.equal(true);
        expect([foundation.postgres.port, foundation.postgres.database, foundation.postgres.username]).to.deep.equal([5432, "bookkeep", "bookkeep"]);
        expect(foundation.postgres.networkPeers).to.deep.equal([inData({ "cnpg.io/cluster": "postgres" })]);
        expect(o.redisHost).to.equal("valkey.bookkeep-data.svc.cluster.local");
        expect(isSecret(o.redisUrl)).to.equal(true);
        expect(reveal(o.redisUrl)).to.equal(`redis://:${redisPassword}@valkey.bookkeep-data.svc.cluster.local:6379`);
        expect([foundation.redis.port, foundation.redis.tls]).to.deep.equal([6379, false]);
        expect(foundation.redis.networkPeers).to.deep.equal([inData({ "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "valkey" })]);
        expect(isSecret(o.jwtSecret)).to.equal(true);
    });

    it("lets the backup job upload to the in-cluster store with Secret-held credentials", () => {
        const store = foundation.objectStore;
        expect([ev.outputs.documentsBucket, ev.outputs.backupsBucket]).to.deep.equal(["bookkeep-documents", "bookkeep-backups"]);
        expect(store.uploaderImage).to.equal("amazon/aws-cli:2.22.35");
        expect(ev.outputs.uploadCommand).to.equal(
            "aws s3 cp /backup/bookkeep.sql.gz s3://bookkeep-backups/daily/2026-11-28.sql.gz --endpoint-url http://minio.bookkeep-data.svc.cluster.local:9000");
        expect(store.uploaderEnv).to.deep.equal([
            { name: "AWS_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: "bookkeep-object-store", key: "AWS_ACCESS_KEY_ID" } } },
            { name: "AWS_SECRET_ACCESS_KEY", valueFrom: { secretKeyRef: { name: "bookkeep-object-store", key: "AWS_SECRET_ACCESS_KEY" } } },
            { name: "AWS_REGION", value: "ap-south-1" },
        ]);
        expect(store.networkPeers).to.deep.equal([inData({ app: "minio", release: "minio" })]);
        expect(store.uploaderPorts).to.deep.equal([9000]);
    });

    it("fills the rest of the contract for a laptop: self-signed issuer, LoadBalancer ingress, no cloud identity", () => {
        expect(foundation.cloud).to.equal("local");
        expect(foundation.certificateIssuer).to.deep.equal({ name: "bookkeep-local-ca", spec: { selfSigned: {} } });
        expect(foundation.ingressService).to.deep.equal({ type: "LoadBalancer", annotations: {} });
        expect(foundation.storageClass).to.equal(undefined);
        expect(foundation.serviceAccountAnnotations("backup")).to.deep.equal({});
        expect(foundation.serviceAccountAnnotations("cert-manager")).to.deep.equal({});
    });

    it("contributes the same output keys as every cloud", () => {
        const out = ev.outputs.foundationOutputs as Record<string, unknown>;
        expect(Object.keys(out).sort()).to.deep.equal([
            "apiHostname", "backupsBucket", "cdnHostname", "clusterName", "documentsBucket", "kubeconfig", "nameServers", "postgresHost", "redisHost",
        ]);
        expect(reveal(out)).to.deep.equal({
            clusterName: "local", kubeconfig: "", postgresHost: "postgres-rw.bookkeep-data.svc.cluster.local",
            redisHost: "valkey.bookkeep-data.svc.cluster.local", documentsBucket: "bookkeep-documents", backupsBucket: "bookkeep-backups",
            apiHostname: "api.bookkeep.localhost", cdnHostname: "api.bookkeep.localhost", nameServers: [],
        });
        expect(isSecret(out.kubeconfig)).to.equal(true);
    });

    it("takes only a local stack config (the type says so; no runtime guard to forget)", () => {
        // @ts-expect-error an AWS config is not a LocalStackConfig: tsc fails this file if it ever is.
        const build = () => new LocalFoundation("x", { config: awsConfig("staging") });
        expect(build).to.be.a("function");
    });
});

describe("local foundation with a named context and StorageClass", () => {
    let ev: Evaluation;
    let foundation: LocalFoundation;
    const chart = (name: string): RecordedResource => one(ev.resources, "kubernetes:helm.sh/v4:Chart", `bookkeep-local-${name}`);

    before(async () => {
        ({ ev, foundation } = await evaluateFoundation(developmentConfig({ kubeconfigContext: "kind-bookkeep", storageClass: "local-path" })));
    });

    it("targets the configured context and names the cluster after it", () => {
        expect(one(ev.resources, "pulumi:providers:kubernetes", "bookkeep-local-k8s").inputs.context).to.equal("kind-bookkeep");
        expect(ev.outputs.clusterName).to.equal("kind-bookkeep");
    });

    it("puts every data volume on the configured StorageClass", () => {
        expect(foundation.storageClass).to.equal("local-path");
        const cluster = one(ev.resources, "kubernetes:postgresql.cnpg.io/v1:Cluster", "bookkeep-local-postgres").inputs as Record<string, any>;
        expect(cluster.spec.storage).to.deep.equal({ size: "20Gi", storageClass: "local-path" });
        expect((chart("redis").inputs as any).values.dataStorage.className).to.equal("local-path");
        expect((chart("object-store").inputs as any).values.persistence.storageClass).to.equal("local-path");
    });
});
