/**
 * The required alerting rules and "BookKeep Overview" dashboard, as data. Expressions, `for`,
 * severities and annotations are docs/requirements.md's, character for character (YAML `|` blocks keep their
 * line breaks and trailing newline).
 */
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
            fieldConfig: { defaults: { unit: "reqps" }, overrides: [] },
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
            fieldConfig: { defaults: { unit: "s" }, overrides: [] },
        },
    ],
};
