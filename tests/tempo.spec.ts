/**
 * Tempo, the trace store (issue 22 item 3): its storage on each cloud (the traces bucket, through
 * the `tempo` workload identity, no keys), the bucket itself, retention, the scalable monolithic
 * shape (rings, PDB), hardening and NetworkPolicies, and the collector's traces pipeline into it.
 */
import { expect } from "chai";
import { parse } from "yaml";
import { tempoConfig, traceStorage } from "../components/k8s/tempo";
import { RecordedResource } from "../offline/engine";
import { ofType, plan, present } from "./harness";

const mon = "bookkeep-monitoring";
const meta = (r: RecordedResource) => r.inputs.metadata as { name: string; namespace?: string; annotations?: Record<string, string> };
const named = (rs: readonly RecordedResource[], type: string, name: string, namespace = mon) =>
    present(ofType(rs, type).find(r => meta(r).name === name && meta(r).namespace === namespace), `${type} ${name}`);
/** tempo.yaml as the chart renders it into its ConfigMap. */
const config = (rs: readonly RecordedResource[]) =>
    parse(String((named(rs, "kubernetes:core/v1:ConfigMap", "tempo").inputs.data as Record<string, string>)["tempo.yaml"])) as Record<string, any>;
const pod = (rs: readonly RecordedResource[]) => (named(rs, "kubernetes:apps/v1:StatefulSet", "tempo").inputs.spec as any).template.spec;
const netpol = (rs: readonly RecordedResource[], name: string) => named(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy", name).inputs.spec as any;
const tempoPods = { "app.kubernetes.io/name": "tempo", "app.kubernetes.io/instance": "tempo" };

describe("tempo storage on AWS (production)", () => {
    let rs: readonly RecordedResource[];
    before(async () => {
        rs = (await plan("production", "aws")).evaluation.resources;
    });

    it("writes blocks to the traces bucket in ap-south-1 with its own KMS key, and no static keys", () => {
        const s3 = config(rs).storage.trace;
        const bucket = present(ofType(rs, "aws:s3/bucket:Bucket").find(b => String(b.inputs.bucket).includes("-traces-")), "traces bucket");
        expect(s3.backend).to.equal("s3");
        expect(s3.s3).to.deep.include({ bucket: bucket.inputs.bucket, endpoint: "s3.ap-south-1.amazonaws.com", region: "ap-south-1" });
        expect(s3.s3).to.not.have.any.keys("access_key", "secret_key", "session_token");
        const sse = present(ofType(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
            .find(e => e.name.includes("storage-traces")), "traces SSE");
        expect(s3.s3.sse.type).to.equal("SSE-KMS");
        expect(JSON.stringify(sse.inputs)).to.contain(s3.s3.sse.kms_key_id);
        expect(s3.wal).to.deep.equal({ path: "/var/tempo/wal" });
    });

    it("runs as an IRSA role for bookkeep-monitoring/tempo that reaches the traces bucket and its key only", () => {
        const role = present(ofType(rs, "aws:iam/role:Role").find(r => r.name === "bookkeep-aws-identity-tempo-role"), "tempo role");
        expect(String(role.inputs.assumeRolePolicy)).to.contain("system:serviceaccount:bookkeep-monitoring:tempo");
        const policy = JSON.parse(String(present(ofType(rs, "aws:iam/rolePolicy:RolePolicy").find(r => r.name === "bookkeep-aws-identity-tempo-policy"), "tempo policy").inputs.policy)) as {
            Statement: { Sid: string; Action: string | string[]; Resource: string }[];
        };
        const bySid = Object.fromEntries(policy.Statement.map(s => [s.Sid, s]));
        expect(Object.keys(bySid)).to.deep.equal(["ListTraces", "ReadWriteTraces", "EncryptTraces"]);
        expect(bySid.ListTraces!.Resource).to.match(/^arn:aws:s3:::bookkeep-production-traces-\d+$/);
        expect(bySid.ReadWriteTraces!.Resource).to.match(/^arn:aws:s3:::bookkeep-production-traces-\d+\/\*$/);
        expect(bySid.ReadWriteTraces!.Action).to.include.members(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]);
        expect(JSON.stringify(policy)).to.not.contain("-backups-");
        const sa = named(rs, "kubernetes:core/v1:ServiceAccount", "tempo");
        expect(meta(sa).annotations?.["eks.amazonaws.com/role-arn"]).to.match(/role\/bookkeep-aws-identity-tempo-role/);
        expect(sa.inputs.automountServiceAccountToken).to.equal(false);
        expect(pod(rs).serviceAccountName).to.equal("tempo");
    });

    it("keeps a dedicated, hardened traces bucket whose lifecycle backs up the compactor's retention", () => {
        const traces = (type: string) => present(ofType(rs, type).find(r => r.name.startsWith("bookkeep-aws-storage-traces")), type);
        expect(traces("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).to.deep.include({
            blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
        });
        const rules = traces("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as any[];
        // Production keeps logs, and so traces, 365 days; the bucket a week longer.
        expect(rules).to.deep.equal([{
            id: "traces", status: "Enabled", filter: {}, expiration: { days: 372 },
            noncurrentVersionExpiration: { noncurrentDays: 1 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        }]);
        expect(config(rs).compactor.compaction.block_retention).to.equal("8760h");
        // No object lock: the compactor deletes blocks all day.
        expect(ofType(rs, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").map(r => r.name).filter(n => n.includes("traces"))).to.deep.equal([]);
    });

    it("reaches DNS, its peers and the object store over 443; admits the collector, Grafana, Prometheus and its peers", () => {
        const np = netpol(rs, "tempo");
        expect(np.podSelector).to.deep.equal({ matchLabels: tempoPods });
        expect(np.ingress.map((r: any) => r.ports.map((p: any) => `${p.port}/${p.protocol}`).join(","))).to.deep.equal(["4317/TCP,4318/TCP", "3200/TCP", "9095/TCP,7946/TCP,7946/UDP"]);
        expect(np.ingress[0].from).to.deep.equal([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": mon } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "opentelemetry-collector" } } }]);
        expect(np.ingress[1].from.map((p: any) => p.podSelector.matchLabels["app.kubernetes.io/name"])).to.deep.equal(["grafana", "prometheus"]);
        expect(np.egress.map((r: any) => r.ports.map((p: any) => p.port).join(","))).to.deep.equal(["53,53", "9095,7946,7946", "443"]);
        expect(np.egress[2].to).to.deep.equal([{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.10.0.0/16"] } }]);
        expect(netpol(rs, "grafana-to-tempo")).to.deep.equal({
            podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } }, policyTypes: ["Egress"],
            egress: [{ to: [{ podSelector: { matchLabels: tempoPods } }], ports: [{ port: 3200, protocol: "TCP" }] }],
        });
    });

    it("runs two restricted replicas that form one ring (scalable monolithic), under a PDB, scraped by a ServiceMonitor", () => {
        const sts = named(rs, "kubernetes:apps/v1:StatefulSet", "tempo").inputs.spec as any;
        expect(sts.replicas).to.equal(2);
        expect(sts.serviceName).to.equal("tempo-headless");
        const headless = named(rs, "kubernetes:core/v1:Service", "tempo-headless").inputs.spec as any;
        expect(headless).to.deep.include({ clusterIP: "None", publishNotReadyAddresses: true, selector: tempoPods });
        const c = config(rs);
        expect(c.memberlist.join_members).to.deep.equal([`dns+tempo-headless.${mon}.svc.cluster.local:7946`]);
        expect(c.usage_report).to.deep.equal({ reporting_enabled: false });
        expect(Object.keys(c.distributor.receivers)).to.deep.equal(["otlp"]);
        const container = pod(rs).containers[0];
        expect(container.args).to.deep.equal(["-config.file=/conf/tempo.yaml", "-mem-ballast-size-mbs=0", "-target=scalable-single-binary"]);
        expect(container.securityContext).to.deep.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
        expect(pod(rs).securityContext).to.deep.include({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } });
        expect(pod(rs).automountServiceAccountToken).to.equal(false);
        expect(container.resources).to.deep.equal({ requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1", memory: "1024Mi" } });
        expect(container.env).to.deep.equal([{ name: "GOMEMLIMIT", value: "921MiB" }]);
        expect(container.readinessProbe.httpGet).to.deep.equal({ path: "/ready", port: 3200 });
        expect(container.livenessProbe).to.not.have.property("httpGet");
        expect(container.livenessProbe.tcpSocket).to.deep.equal({ port: 3200 });
        expect(sts.volumeClaimTemplates[0].spec.resources.requests.storage).to.equal("10Gi");
        expect(named(rs, "kubernetes:policy/v1:PodDisruptionBudget", "tempo").inputs.spec).to.deep.equal({ maxUnavailable: 1, selector: { matchLabels: tempoPods } });
        const sm = named(rs, "kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "tempo").inputs.spec as any;
        expect(sm.endpoints).to.deep.equal([{ port: "tempo-prom-metrics" }]);
        // Only OTLP among the receivers' Service ports.
        const ports = (named(rs, "kubernetes:core/v1:Service", "tempo").inputs.spec as any).ports.map((p: any) => p.name);
        expect(ports.filter((p: string) => p.includes("jaeger"))).to.deep.equal([]);
    });

    it("is rendered offline from the vendored archive, and no policy (mandatory or advisory) objects to anything of it", async () => {
        const p = (await plan("production", "aws")).plan;
        const chart = present(p.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "tempo"), "tempo chart");
        expect(chart.inputs.chart).to.equal("./charts/tempo-2.2.4.tgz");
        const rendered = p.resources.filter(r => r.parent === chart.urn).map(r => `${r.type.slice(r.type.lastIndexOf(":") + 1)}/${(r.inputs.metadata as any).name}`).sort();
        expect(rendered).to.deep.equal(["ConfigMap/tempo", "Service/tempo", "ServiceAccount/tempo", "ServiceMonitor/tempo", "StatefulSet/tempo"]);
        expect(p.policies.violations.filter(v => v.urn?.includes("bookkeep:k8s:Tempo"))).to.deep.equal([]);
    });

    it("is fed by the collector's traces pipeline over OTLP gRPC", () => {
        const collector = present(rs.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "otel-collector"), "collector chart").inputs.values as any;
        expect(collector.config.service.pipelines.traces.exporters).to.deep.equal(["otlp/tempo"]);
        expect(collector.config.exporters["otlp/tempo"].endpoint).to.equal(`tempo.${mon}.svc:4317`);
        expect(JSON.stringify(collector.config.exporters)).to.not.contain("elasticsearch");
    });
});

describe("tempo storage on GCP (production)", () => {
    let rs: readonly RecordedResource[];
    before(async () => {
        rs = (await plan("production", "gcp")).evaluation.resources;
    });

    it("writes blocks to the traces bucket as a GKE Workload Identity that holds object admin and the bucket lookup on that bucket only", () => {
        const bucket = present(ofType(rs, "gcp:storage/bucket:Bucket").find(b => String(b.inputs.name).endsWith("-traces")), "traces bucket");
        expect(config(rs).storage.trace).to.deep.equal({ backend: "gcs", gcs: { bucket_name: bucket.inputs.name }, wal: { path: "/var/tempo/wal" } });
        const gsa = present(ofType(rs, "gcp:serviceaccount/account:Account").find(a => a.inputs.accountId === "bk-production-tempo"), "tempo GSA");
        const wi = present(ofType(rs, "gcp:serviceaccount/iAMMember:IAMMember").find(m => m.name.endsWith("-tempo-wi")), "WI binding");
        expect(wi.inputs.role).to.equal("roles/iam.workloadIdentityUser");
        expect(String(wi.inputs.member)).to.match(/\.svc\.id\.goog\[bookkeep-monitoring\/tempo\]$/);
        const grants = ofType(rs, "gcp:storage/bucketIAMMember:BucketIAMMember").filter(m => String(m.inputs.member).includes("bk-production-tempo@"));
        // Objects, and the bucket lookup Tempo makes at start (storage.buckets.get), nothing more.
        expect(grants.map(g => [g.inputs.role, g.inputs.bucket])).to.deep.equal([["roles/storage.objectAdmin", bucket.inputs.name], ["roles/storage.legacyBucketReader", bucket.inputs.name]]);
        const sa = named(rs, "kubernetes:core/v1:ServiceAccount", "tempo");
        expect(meta(sa).annotations?.["iam.gke.io/gcp-service-account"]).to.equal(`${gsa.inputs.accountId}@bookkeep-production.iam.gserviceaccount.com`);
        // The token comes from GKE's metadata server.
        expect(netpol(rs, "tempo").egress.map((r: any) => r.ports.map((p: any) => p.port).join(","))).to.deep.equal(["53,53", "9095,7946,7946", "80", "988", "443"]);
    });

    it("keeps the traces bucket in asia-south1, CMEK-encrypted, public access prevented, with the retention backstop", () => {
        const bucket = present(ofType(rs, "gcp:storage/bucket:Bucket").find(b => String(b.inputs.name).endsWith("-traces")), "traces bucket");
        expect(bucket.inputs).to.deep.include({ location: "ASIA-SOUTH1", publicAccessPrevention: "enforced", uniformBucketLevelAccess: true });
        expect(bucket.inputs.encryption).to.have.property("defaultKmsKeyName");
        expect(bucket.inputs.lifecycleRules).to.deep.equal([
            { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 1 } },
            { action: { type: "Delete" }, condition: { age: 372, withState: "LIVE" } },
            { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 1, withState: "ARCHIVED" } },
        ]);
    });
});

describe("tempo on staging", () => {
    it("runs one replica, no PDB, with traces kept as long as staging's logs", async () => {
        const rs = (await plan("staging", "aws")).evaluation.resources;
        expect((named(rs, "kubernetes:apps/v1:StatefulSet", "tempo").inputs.spec as any).replicas).to.equal(1);
        expect(ofType(rs, "kubernetes:policy/v1:PodDisruptionBudget").filter(p => meta(p).name === "tempo")).to.deep.equal([]);
        expect(config(rs).compactor.compaction.block_retention).to.equal("720h");
        expect(pod(rs).containers[0].env).to.deep.equal([{ name: "GOMEMLIMIT", value: "460MiB" }]);
        // Room for Tempo on staging's nodes came from the collector, which no longer buffers for Elasticsearch.
        const collector = present(rs.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "otel-collector"), "collector chart").inputs.values as any;
        expect(collector.resources.requests).to.deep.equal({ cpu: "100m", memory: "128Mi" });
    });
});

describe("tempo without an object store (a laptop)", () => {
    it("keeps blocks and WAL on a 5 GiB volume of the cluster's default class, with DNS as its only egress", async () => {
        const rs = (await plan("development", undefined, { "bookkeep:observability": { enabled: true, logRetentionDays: 7 } })).evaluation.resources;
        expect(config(rs).storage.trace).to.deep.equal({ backend: "local", local: { path: "/var/tempo/traces" }, wal: { path: "/var/tempo/wal" } });
        expect(config(rs).compactor.compaction.block_retention).to.equal("168h");
        const sts = named(rs, "kubernetes:apps/v1:StatefulSet", "tempo").inputs.spec as any;
        expect(sts.replicas).to.equal(1);
        expect(sts.volumeClaimTemplates[0].spec.resources.requests.storage).to.equal("5Gi");
        expect(meta(named(rs, "kubernetes:core/v1:ServiceAccount", "tempo")).annotations).to.equal(undefined);
        expect(netpol(rs, "tempo").egress.map((r: any) => r.ports.map((p: any) => p.port).join(","))).to.deep.equal(["53,53", "9095,7946,7946"]);
    });

    it("keeps blocks and WAL on its volume (the storage block alone)", async () => {
        const storage = await new Promise<Record<string, unknown>>(resolve => traceStorage(undefined).apply(resolve));
        expect(storage).to.deep.equal({ backend: "local", local: { path: "/var/tempo/traces" }, wal: { path: "/var/tempo/wal" } });
        expect(JSON.parse(tempoConfig(storage, 7, "bookkeep-monitoring")).compactor).to.deep.equal({ compaction: { block_retention: "168h" } });
    });
});
