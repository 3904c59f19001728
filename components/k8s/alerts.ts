/**
 * The required alerting rules and "BookKeep Overview" dashboard, as data. Expressions, `for`,
 * severities and annotations are docs/requirements.md's, character for character (YAML `|` blocks keep their
 * line breaks and trailing newline).
 */
import { dataSourceUids } from "./grafanaDataSources";

export const alertGroups = [
    {
        name: "bookkeep-alerts",
        rules: [
            {
                alert: "HighErrorRate",
                expr: "sum(rate(bookkeep_requests_total{status=~\"5..\"}[5m]))\n/ sum(rate(bookkeep_requests_total[5m])) > 0.05\n",
                for: "5m",
                labels: { severity: "critical" },
                annotations: { summary: "High error rate detected", description: "Error rate is {{ $value | humanizePercentage }}" },
            },
            {
                alert: "HighLatency",
                expr: "histogram_quantile(0.99, sum(rate(bookkeep_request_duration_seconds_bucket[5m])) by (le)) > 2\n",
                for: "5m",
                labels: { severity: "warning" },
                annotations: { summary: "High latency detected", description: "P99 latency is {{ $value }}s" },
            },
            {
                alert: "PodCrashLooping",
                expr: "rate(kube_pod_container_status_restarts_total[15m]) > 0",
                for: "15m",
                labels: { severity: "critical" },
                annotations: { summary: "Pod crash looping", description: "Pod {{ $labels.pod }} is crash looping" },
            },
            {
                alert: "DatabaseConnectionPoolExhausted",
                expr: "bookkeep_db_connections_active / bookkeep_db_connections_max > 0.9",
                for: "5m",
                labels: { severity: "warning" },
                annotations: { summary: "Database connection pool nearly exhausted" },
            },
        ],
    },
];

const datasource = { type: "prometheus", uid: "prometheus" };

/**
 * A data link to Grafana Explore on one data source, for the series' service and the dashboard's
 * time range. `$service` in the query's `query` stands for the service. The pane is URL-encoded
 * with the link variables left as they are, so Grafana can fill them in (`service` is the scraped
 * Service's name, which is also each pod's `app` label and the service's OTEL_SERVICE_NAME).
 */
export function exploreLink(
    title: string,
    datasource: { type: string; uid: string },
    query: { query: string } & Record<string, unknown>,
): { title: string; url: string; targetBlank: boolean } {
    const tokens = { "@SERVICE@": "${__field.labels.service}", "@FROM@": "${__from}", "@TO@": "${__to}" };
    const pane = {
        a: {
            datasource: datasource.uid,
            queries: [{ refId: "A", datasource, ...query, query: query.query.replace("$service", "@SERVICE@") }],
            range: { from: "@FROM@", to: "@TO@" },
        },
    };
    let encoded = encodeURIComponent(JSON.stringify(pane));
    for (const [token, variable] of Object.entries(tokens)) {
        encoded = encoded.replaceAll(encodeURIComponent(token), variable);
    }
    return { title, url: `/explore?schemaVersion=1&orgId=1&panes=${encoded}`, targetBlank: true };
}

/** Each per-service panel links to that service's logs (Elasticsearch) and traces (Tempo, TraceQL) over the same time range. */
const serviceLinks = [
    exploreLink("Logs of ${__field.labels.service}", { type: "elasticsearch", uid: dataSourceUids.logs },
        { query: "kubernetes.labels.app:\"$service\"", metrics: [{ id: "1", type: "logs" }] }),
    exploreLink("Traces of ${__field.labels.service}", { type: "tempo", uid: dataSourceUids.traces },
        { queryType: "traceql", query: "{resource.service.name=\"$service\"}" }),
];

/**
 * The required dashboard as Grafana's provisioning sidecar expects it (the dashboard model itself,
 * not the HTTP API's `{"dashboard": ...}` envelope). "graph" panels became "timeseries", their
 * replacement since Grafana 7; the Error Rate thresholds move to `fieldConfig`, where current
 * Grafana reads them.
 */
export const overviewDashboard = {
    uid: "bookkeep-overview",
    title: "BookKeep Overview",
    tags: ["bookkeep"],
    timezone: "browser",
    schemaVersion: 39,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    panels: [
        {
            id: 1,
            title: "Request Rate",
            type: "timeseries",
            datasource,
            gridPos: { x: 0, y: 0, w: 12, h: 8 },
            targets: [{ refId: "A", datasource, expr: "sum(rate(bookkeep_requests_total[5m])) by (service)", legendFormat: "{{service}}" }],
            fieldConfig: { defaults: { unit: "reqps", links: serviceLinks }, overrides: [] },
        },
        {
            id: 2,
            title: "Error Rate",
            type: "stat",
            datasource,
            gridPos: { x: 12, y: 0, w: 12, h: 8 },
            targets: [{ refId: "A", datasource, expr: "sum(rate(bookkeep_requests_total{status=~\"5..\"}[5m])) / sum(rate(bookkeep_requests_total[5m])) * 100" }],
            fieldConfig: {
                defaults: {
                    unit: "percent",
                    thresholds: {
                        mode: "absolute",
                        steps: [
                            { color: "green", value: 0 },
                            { color: "yellow", value: 1 },
                            { color: "red", value: 5 },
                        ],
                    },
                },
                overrides: [],
            },
        },
        {
            id: 3,
            title: "P99 Latency",
            type: "timeseries",
            datasource,
            gridPos: { x: 0, y: 8, w: 24, h: 8 },
            targets: [{ refId: "A", datasource, expr: "histogram_quantile(0.99, sum(rate(bookkeep_request_duration_seconds_bucket[5m])) by (le, service))", legendFormat: "{{service}}" }],
            fieldConfig: { defaults: { unit: "s", links: serviceLinks }, overrides: [] },
        },
    ],
};

/** A Prometheus alerting rule as the PrometheusRule CRD takes it. */
export interface AlertRule {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
}

/** A scrape target as Prometheus labels it: the ServiceMonitor's `job` is the Service's name. */
export interface MetricsTarget {
    readonly job: string;
    readonly namespace: string;
}

/** A CronJob whose runs someone relies on (a backup), as kube-state-metrics labels it. */
export interface GuardedCronJob {
    readonly name: string;
    readonly namespace: string;
    /** Seconds between the two furthest-apart runs of its schedule (cron.ts). */
    readonly maxIntervalSeconds: number;
}

/**
 * Past its longest gap, a schedule gets this much more before "not on schedule" fires: a run
 * starts up to `startingDeadlineSeconds` late and a dump takes a while.
 */
export const scheduleGraceSeconds = 3600;

const selector = (labels: Readonly<Record<string, string>>) => `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(", ")}}`;

/**
 * One rule per target: `absent(up == 1)` fires both when no target is discovered (a Service lost
 * its `monitoring: enabled` label or its `metrics` port) and when every target fails its scrape (a
 * wrong port, pods down), where every other alert on its metrics would stay silent.
 */
export function metricsTargetRule(target: MetricsTarget): AlertRule {
    return {
        alert: "MetricsTargetMissing",
        expr: `absent(up${selector({ namespace: target.namespace, job: target.job })} == 1)`,
        for: "10m",
        labels: { severity: "critical", namespace: target.namespace, job: target.job },
        annotations: {
            summary: `No metrics from ${target.job}`,
            description: `Prometheus has no healthy scrape target for ${target.job} in ${target.namespace}: its pods are down, its Service lost the label or port its ServiceMonitor selects, or its metrics are served elsewhere. Alerts and panels on its metrics are blind until this resolves.`,
        },
    };
}

/** A failed run, and no successful run within the schedule's longest gap (or a CronJob that is gone). */
export function backupJobRules(job: GuardedCronJob): AlertRule[] {
    const ns = { namespace: job.namespace };
    const cron = { ...ns, cronjob: job.name };
    const limit = job.maxIntervalSeconds + scheduleGraceSeconds;
    const labels = { severity: "critical", namespace: job.namespace, cronjob: job.name };
    return [
        {
            alert: "BackupJobFailed",
            // kube_job_owner ties each Job to the CronJob that made it (Job names only carry a timestamp).
            expr: `max by (namespace, owner_name) (kube_job_status_failed${selector(ns)} * on (namespace, job_name) group_left (owner_name) kube_job_owner${selector({ ...ns, owner_kind: "CronJob", owner_name: job.name })}) > 0`,
            for: "0m",
            labels,
            annotations: {
                summary: `Backup CronJob ${job.name} failed`,
                description: `A Job of ${job.namespace}/${job.name} failed. Read its logs (kubectl -n ${job.namespace} logs job/<name>), fix the cause and delete the failed Job, which resolves this alert.`,
            },
        },
        {
            alert: "BackupJobNotOnSchedule",
            expr: [
                `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time${selector(cron)}) > ${limit}`,
                `(time() - max by (namespace, cronjob) (kube_cronjob_created${selector(cron)}) > ${limit} unless on (namespace, cronjob) kube_cronjob_status_last_successful_time${selector(cron)})`,
                `absent(kube_cronjob_created${selector(cron)})`,
            ].join("\nor\n"),
            for: "15m",
            labels,
            annotations: {
                summary: `Backup CronJob ${job.name} has not succeeded on schedule`,
                description: `${job.namespace}/${job.name} has had no successful run for more than ${limit} s (its schedule's longest gap plus ${scheduleGraceSeconds} s), or the CronJob is gone.`,
            },
        },
    ];
}

/** cert-manager renews 30 days ahead (pki.ts): 21 days left means renewal has failed for 9. */
export const certificateRules: readonly AlertRule[] = [
    {
        alert: "CertificateExpiresSoon",
        expr: "certmanager_certificate_expiration_timestamp_seconds - time() < 21 * 24 * 3600",
        for: "1h",
        labels: { severity: "warning" },
        annotations: { summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in under 21 days", description: "cert-manager should have renewed it 30 days ahead: kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}." },
    },
    {
        alert: "CertificateExpiresVerySoon",
        expr: "certmanager_certificate_expiration_timestamp_seconds - time() < 7 * 24 * 3600",
        for: "1h",
        labels: { severity: "critical" },
        annotations: { summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in under 7 days", description: "Renewal has failed for over three weeks: kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}." },
    },
    {
        alert: "CertificateNotReady",
        expr: "max by (namespace, name) (certmanager_certificate_ready_status{condition!=\"True\"}) == 1",
        for: "30m",
        labels: { severity: "warning" },
        annotations: { summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready", description: "kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}." },
    },
];
