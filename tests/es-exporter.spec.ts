/**
 * The Elasticsearch exporter (issue 22 item 4): the SLM policy the setup Job installs has a failure
 * and a not-on-schedule rule whose interval comes from that policy's own schedule; every rule reads
 * metrics the exporter exports, with the labels it gives them, from collectors it runs; it reads
 * over verified TLS as a user whose role is least-privilege; its pods talk only to Elasticsearch
 * (and DNS) and are scraped only by Prometheus, and its silence pages.
 */
import { expect } from "chai";
import { GuardedSnapshotPolicy, slmRules, slmScheduleAsCron } from "../components/k8s/backupAlerts";
import { cronMaxIntervalSeconds } from "../components/k8s/cron";
import { RecordedResource } from "../offline/engine";
import { isSecret, plan, present, reveal } from "./harness";

/**
 * What elasticsearch_exporter v1.11.0 exports from the collectors the alerts read, with each
 * series' labels (collector/slm.go, collector/snapshots.go, collector/cluster_health.go; the Go
 * client's process collector, whose series carry only the scrape's target labels). Anything an
 * alert names outside this list never exists.
 */
const exported: Readonly<Record<string, { collector: string; labels: readonly string[] }>> = {
    ...Object.fromEntries(["snapshots_taken_total", "snapshots_failed_total", "snapshots_deleted_total", "snapshot_deletion_failures_total"]
        .map(m => [`elasticsearch_slm_stats_${m}`, { collector: "--collector.slm", labels: ["policy"] }])),
    ...Object.fromEntries(["total_snapshots_taken_total", "total_snapshots_failed_total", "retention_runs_total", "retention_failed_total"]
        .map(m => [`elasticsearch_slm_stats_${m}`, { collector: "--collector.slm", labels: [] }])),
    ...Object.fromEntries(["latest_snapshot_timestamp_seconds", "oldest_snapshot_timestamp", "number_of_snapshots"]
        .map(m => [`elasticsearch_snapshot_stats_${m}`, { collector: "--collector.snapshots", labels: ["repository"] }])),
    elasticsearch_cluster_health_status: { collector: "(always)", labels: ["cluster", "color"] },
    ...Object.fromEntries(["number_of_nodes", "number_of_data_nodes", "unassigned_shards"]
        .map(m => [`elasticsearch_cluster_health_${m}`, { collector: "(always)", labels: ["cluster"] }])),
    process_start_time_seconds: { collector: "(always)", labels: ["namespace", "job"] },
};

const meta = (r: RecordedResource) => (r.inputs.metadata ?? {}) as { name: string; namespace?: string; labels?: Record<string, string> };
const kind = (r: RecordedResource) => r.type.slice(r.type.lastIndexOf(":") + 1);
const named = (rs: readonly RecordedResource[], k: string, name: string) =>
    present(rs.find(r => kind(r) === k && meta(r).name === name), `${k} ${name}`);
const spec = (r: RecordedResource) => r.inputs.spec as any;

interface Rule { alert: string; expr: string; labels: Record<string, string> }
const rules = (rs: readonly RecordedResource[]): Rule[] => rs.filter(r => kind(r) === "PrometheusRule")
    .flatMap(r => (spec(r).groups as { rules: Rule[] }[]).flatMap(g => g.rules)).filter(r => r.alert !== undefined);

/** The setup Job's script (its `sh -c` argument). */
const setupScript = (rs: readonly RecordedResource[]) =>
    String(spec(present(rs.find(r => kind(r) === "Job" && meta(r).name.startsWith("elasticsearch-setup-")), "setup Job")).template.spec.containers[0].command[2]);
/** The JSON body of a `PUT <path>` in the setup script. */
function putBody(script: string, path: RegExp): { id: string; body: any }[] {
    const re = new RegExp(`/${path.source}' -d '([^']*)'`, "g");
    return [...script.matchAll(re)].map(m => ({ id: m[1]!, body: JSON.parse(m[2]!) }));
}

const guard: GuardedSnapshotPolicy = { policy: "nightly", repository: "backups", schedule: "0 30 1 * * ?", exporter: { job: "exp", namespace: "mon" } };

describe("SLM alert builders", () => {
    it("reads Elasticsearch's cron as a five-field cron, refusing what it cannot translate", () => {
        expect(slmScheduleAsCron("0 30 1 * * ?")).to.equal("30 1 * * *");
        expect(slmScheduleAsCron(" 0 0 4 ? 1-6 * * ")).to.equal("0 4 * 1-6 *");
        expect(slmScheduleAsCron("0 15 2 1 * ?")).to.equal("15 2 1 * *");
        expect(() => slmScheduleAsCron("30 1 * * *")).to.throw('SLM schedule "30 1 * * *": expected 6 or 7 fields, got 5');
        expect(() => slmScheduleAsCron("0 0 1 * * ? * *")).to.throw("expected 6 or 7 fields, got 8");
        expect(() => slmScheduleAsCron("*/10 30 1 * * ?")).to.throw('seconds "*/10" must be a single second');
        expect(() => slmScheduleAsCron("0 30 1 * * ? 2027")).to.throw('year "2027" must be *');
        expect(() => slmScheduleAsCron("0 30 1 ? * 2")).to.throw('day-of-week "2" must be ? or *');
    });

    it("pages on a failed run (a rise, or a first run that failed) and on no successful snapshot within the gap plus an hour", () => {
        const [failed, late] = slmRules(guard);
        expect(failed!.expr.split("\nor\n")).to.deep.equal([
            'increase(elasticsearch_slm_stats_snapshots_failed_total{policy="nightly"}[90000s]) > 0',
            '(elasticsearch_slm_stats_snapshots_failed_total{policy="nightly"} > 0 unless on (policy) elasticsearch_slm_stats_snapshots_taken_total{policy="nightly"} > 0)',
        ]);
        expect(late!.expr.split("\nor\n")).to.deep.equal([
            'time() - (elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds{repository="backups"} > 0) > 90000',
            '(absent(elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds{repository="backups"} > 0) and on () (time() - max(process_start_time_seconds{namespace="mon", job="exp"}) > 90000))',
        ]);
        expect([failed, late].map(r => [r!.alert, r!.for, r!.labels])).to.deep.equal([
            ["SnapshotPolicyFailed", "0m", { severity: "critical", policy: "nightly", repository: "backups" }],
            ["SnapshotPolicyNotOnSchedule", "15m", { severity: "critical", policy: "nightly", repository: "backups" }],
        ]);
        // A weekly schedule waits a week.
        expect(slmRules({ ...guard, schedule: "0 0 3 ? * *", policy: "p" })[1]!.expr).to.contain("> 90000");
        expect(slmRules({ ...guard, schedule: "0 0 3 1 * ?" })[1]!.expr).to.contain(`> ${31 * 86400 + 3600}`);
    });
});

for (const [stack, cloud] of [["production", "aws"], ["production", "gcp"], ["staging", "aws"]] as const) {
    describe(`elasticsearch exporter in the ${stack} plan on ${cloud}`, () => {
        let rs: readonly RecordedResource[] = [];
        before(async () => {
            rs = (await plan(stack, cloud)).evaluation.resources;
        });
        const deployment = () => named(rs, "Deployment", "elasticsearch-exporter");
        const pod = () => spec(deployment()).template.spec;

        it("every SLM policy the setup Job installs has a failure and a not-on-schedule rule for its own schedule", () => {
            const policies = putBody(setupScript(rs), /_slm\/policy\/([a-z0-9-]+)/);
            expect(policies.map(p => p.id), "SLM policies installed").to.deep.equal(["nightly"]);
            const all = rules(rs);
            for (const { id, body } of policies) {
                const mine = all.filter(r => r.labels.policy === id);
                expect(mine.map(r => r.alert).sort()).to.deep.equal(["SnapshotPolicyFailed", "SnapshotPolicyNotOnSchedule"]);
                expect(mine.every(r => r.labels.repository === body.repository && r.labels.severity === "critical")).to.equal(true);
                const limit = cronMaxIntervalSeconds(slmScheduleAsCron(body.schedule)) + 3600;
                expect(mine.find(r => r.alert === "SnapshotPolicyNotOnSchedule")!.expr).to.contain(`{repository="${body.repository}"} > 0) > ${limit}\n`);
                expect(mine.find(r => r.alert === "SnapshotPolicyFailed")!.expr).to.contain(`{policy="${id}"}[${limit}s]`);
            }
        });

        it("alerts only on metrics the exporter exports, with their labels, from collectors it runs", () => {
            const command: string[] = pod().containers[0].command;
            const exprs = rules(rs).map(r => r.expr).filter(e => /elasticsearch_/.test(e));
            expect(exprs.length, "rules on exporter metrics").to.equal(4);
            for (const expr of exprs) {
                for (const [, metric, selector] of expr.matchAll(/\b((?:elasticsearch|process)_[a-z_]+)(\{[^}]*\})?/g)) {
                    const known = present(exported[metric!], `${metric} is not exported by elasticsearch_exporter v1.11.0`);
                    if (known.collector !== "(always)") {
                        expect(command, metric).to.include(known.collector);
                    }
                    for (const [, label] of (selector ?? "").matchAll(/([a-z_]+)=/g)) {
                        expect(known.labels, `${metric} label ${label}`).to.include(label);
                    }
                }
            }
            const health = rules(rs).filter(r => r.alert.startsWith("ElasticsearchCluster")).map(r => `${r.alert}:${r.labels.severity}`);
            expect(health).to.deep.equal(["ElasticsearchClusterRed:critical", "ElasticsearchClusterYellow:warning"]);
        });

        it("reads over TLS verified against the logging CA, as elasticsearch-exporter with a generated secret password", () => {
            const c = pod().containers[0];
            expect(c.image).to.equal("quay.io/prometheuscommunity/elasticsearch-exporter:v1.11.0");
            expect(c.command).to.include("--es.uri=https://elasticsearch-es-http.bookkeep-monitoring.svc:9200")
                .and.include("--es.ca=/etc/elasticsearch-ca/ca.crt");
            expect(c.command.join(" ")).to.not.match(/ssl-skip-verify|client-cert|@/);
            expect(pod().volumes).to.deep.equal([{ name: "elasticsearch-ca", secret: { secretName: "elasticsearch-client-tls", items: [{ key: "ca.crt", path: "ca.crt" }] } }]);
            expect(c.volumeMounts).to.deep.equal([{ name: "elasticsearch-ca", mountPath: "/etc/elasticsearch-ca", readOnly: true }]);
            expect(c.env).to.deep.equal([
                { name: "ES_PASSWORD", valueFrom: { secretKeyRef: { name: "elasticsearch-exporter", key: "password" } } },
                { name: "ES_USERNAME", value: "elasticsearch-exporter" },
            ]);
            const secret = named(rs, "Secret", "elasticsearch-exporter");
            expect(meta(secret).namespace).to.equal("bookkeep-monitoring");
            expect(isSecret(secret.inputs.stringData)).to.equal(true);
            const password = (reveal(secret.inputs.stringData) as Record<string, string>).password!;
            expect(password).to.match(/^[A-Za-z0-9]{32}$/);
            // The setup Job creates the user from the same Secret, on stdin, never on the command line.
            const job = spec(present(rs.find(r => kind(r) === "Job" && meta(r).name.startsWith("elasticsearch-setup-")), "setup Job")).template.spec.containers[0];
            expect(job.env).to.deep.include({ name: "MONITOR_PASSWORD", valueFrom: { secretKeyRef: { name: "elasticsearch-exporter", key: "password" } } });
            expect(setupScript(rs)).to.contain(`printf '{"password":"%s","roles":["bookkeep-monitor"]}' "$MONITOR_PASSWORD" | curl`)
                .and.contain("/_security/user/elasticsearch-exporter' -d @-").and.not.contain(password);
        });

        it("gives that user a least-privilege role: cluster monitoring, SLM status and stats, snapshot listing; no index", () => {
            const roles = putBody(setupScript(rs), /_security\/role\/([a-z-]+)/);
            expect(roles.find(r => r.id === "bookkeep-monitor")?.body).to.deep.equal({
                cluster: ["monitor", "read_slm", "cluster:admin/slm/stats", "monitor_snapshot"], indices: [],
            });
            // Only privileges that read: no manage*, create_snapshot, all, or write action.
            for (const privilege of roles.find(r => r.id === "bookkeep-monitor")!.body.cluster as string[]) {
                expect(privilege).to.not.match(/manage|create|all|put|delete|write/);
            }
        });

        it("runs restricted, with no API token, one small pod", () => {
            const p = pod();
            expect(p.serviceAccountName).to.equal("elasticsearch-exporter");
            expect(named(rs, "ServiceAccount", "elasticsearch-exporter").inputs.automountServiceAccountToken).to.equal(false);
            expect(p.securityContext).to.deep.include({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
            expect(p.containers[0].securityContext).to.deep.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
            expect(p.containers[0].resources).to.deep.equal({ requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "96Mi" } });
            expect(p.containers[0].readinessProbe.httpGet.path).to.equal("/healthz");
            expect(spec(deployment()).replicas).to.equal(1);
        });

        it("talks only to Elasticsearch on 9200 and DNS, is scraped only by Prometheus, and Elasticsearch admits it", () => {
            const np = spec(named(rs, "NetworkPolicy", "elasticsearch-exporter"));
            expect(np.podSelector).to.deep.equal({ matchLabels: spec(deployment()).selector.matchLabels });
            expect(np.egress.map((e: any) => e.ports.map((p: any) => `${p.port}/${p.protocol}`).join(","))).to.deep.equal(["53/UDP,53/TCP", "9200/TCP"]);
            expect(np.egress[1].to).to.deep.equal([{ podSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "elasticsearch" } } }]);
            expect(np.ingress).to.have.length(1);
            expect(np.ingress[0].ports).to.deep.equal([{ port: 9108, protocol: "TCP" }]);
            expect(np.ingress[0].from[0].podSelector.matchLabels).to.deep.equal({ "app.kubernetes.io/name": "prometheus" });
            const es = spec(named(rs, "NetworkPolicy", "elasticsearch"));
            const https = es.ingress.find((i: any) => i.ports[0].port === 9200);
            expect(https.from).to.deep.include({ podSelector: { matchLabels: spec(deployment()).selector.matchLabels } });
        });

        it("is scraped as job elasticsearch-exporter, whose absence pages", () => {
            const monitor = spec(named(rs, "ServiceMonitor", "elasticsearch-exporter"));
            const service = named(rs, "Service", "elasticsearch-exporter");
            // As the Prometheus Operator names the job: the jobLabel's value on the Service.
            const job = meta(service).labels?.[monitor.jobLabel];
            expect(job).to.equal("elasticsearch-exporter");
            expect(monitor.endpoints[0]).to.deep.include({ port: "http", interval: "60s", scrapeTimeout: "30s" });
            const absent = rules(rs).filter(r => r.alert === "MetricsTargetMissing" && r.labels.job === job);
            expect(absent.map(r => [r.expr, r.labels.severity])).to.deep.equal([[`absent(up{namespace="bookkeep-monitoring", job="${job}"} == 1)`, "critical"]]);
            // The not-on-schedule rule's "exporter up long enough" reads the same job.
            expect(rules(rs).find(r => r.alert === "SnapshotPolicyNotOnSchedule")!.expr).to.contain(`process_start_time_seconds{namespace="bookkeep-monitoring", job="${job}"}`);
        });
    });
}

describe("elasticsearch exporter elsewhere", () => {
    it("development (observability off) has no exporter and no SLM rule", async () => {
        const rs = (await plan("development")).evaluation.resources;
        expect(rs.filter(r => meta(r).name === "elasticsearch-exporter")).to.deep.equal([]);
        expect(rules(rs).filter(r => r.alert.startsWith("SnapshotPolicy") || r.alert.startsWith("ElasticsearchCluster"))).to.deep.equal([]);
    });

    it("a laptop with observability on runs the exporter but keeps no snapshots, so has no SLM rule", async () => {
        const rs = (await plan("development", undefined, { "bookkeep:observability": { enabled: true, logRetentionDays: 7 } })).evaluation.resources;
        expect(rs.filter(r => kind(r) === "Deployment" && meta(r).name === "elasticsearch-exporter")).to.have.length(1);
        expect(setupScript(rs)).to.not.contain("_slm/policy");
        expect(rules(rs).filter(r => r.alert.startsWith("SnapshotPolicy"))).to.deep.equal([]);
        expect(rules(rs).filter(r => r.alert.startsWith("ElasticsearchCluster"))).to.have.length(2);
    });
});
