/**
 * Grafana's data sources besides kube-prometheus-stack's own Prometheus and Alertmanager: the logs
 * in Elasticsearch, read as the `grafana` user (logging.ts) over TLS verified against the logging
 * CA, and the traces in Tempo (tempo.ts), whose spans link to the same service's logs. Grafana
 * expands `$VAR` in provisioning files from its environment, which takes the password and the CA
 * certificate from their Secrets: neither is in the chart's values.
 */
import { elasticsearchCaSecrets, elasticsearchReaders, elasticsearchService } from "./logging";
import { tempoUrl } from "./tempo";

/** UIDs the dashboard's data links point at. */
export const dataSourceUids = { logs: "bookkeep-logs", traces: "bookkeep-tempo" } as const;

/**
 * Data sources earlier releases provisioned, which Grafana keeps until told to delete them: the
 * trace spans as Elasticsearch documents, which the collector no longer writes.
 */
export const deletedDataSources = [{ name: "Trace spans", orgId: 1 }];

const env = { password: "BOOKKEEP_ES_PASSWORD", ca: "BOOKKEEP_ES_CA" } as const;

/** `grafana.envValueFrom`: the reader's password and the CA certificate. */
export const grafanaEnvValueFrom = {
    [env.password]: { secretKeyRef: { name: elasticsearchReaders.secret, key: elasticsearchReaders.grafana } },
    [env.ca]: { secretKeyRef: { name: elasticsearchCaSecrets.monitoring, key: "ca.crt" } },
};

/** The log field Fluentd fills from the pod's `app` label, which is also the service's OTEL_SERVICE_NAME. */
const logServiceField = "kubernetes.labels.app";

/** Fluentd's daily `bookkeep-YYYY.MM.DD` indices. */
function logs(monitoringNamespace: string): Record<string, unknown> {
    return {
        name: "Logs",
        uid: dataSourceUids.logs,
        type: "elasticsearch",
        access: "proxy",
        url: `https://${elasticsearchService}.${monitoringNamespace}.svc:9200`,
        basicAuth: true,
        basicAuthUser: elasticsearchReaders.grafana,
        jsonData: { index: "bookkeep-2*", timeField: "@timestamp", tlsAuthWithCACert: true, logMessageField: "message", logLevelField: "level" },
        secureJsonData: { basicAuthPassword: `$${env.password}`, tlsCACert: `$${env.ca}` },
        editable: false,
    };
}

/**
 * Tempo over plain HTTP inside bookkeep-monitoring (its NetworkPolicy admits Grafana alone on 3200).
 * A span links to its service's logs from a minute before it started to a minute after it ended.
 */
function traces(monitoringNamespace: string): Record<string, unknown> {
    return {
        name: "Traces",
        uid: dataSourceUids.traces,
        type: "tempo",
        access: "proxy",
        url: tempoUrl(monitoringNamespace),
        jsonData: {
            tracesToLogsV2: {
                datasourceUid: dataSourceUids.logs,
                spanStartTimeShift: "-1m",
                spanEndTimeShift: "1m",
                tags: [{ key: "service.name", value: logServiceField }],
                filterByTraceID: false,
                filterBySpanID: false,
            },
            search: { hide: false },
            nodeGraph: { enabled: true },
            // Streamed results are gRPC over Tempo's HTTP port, which Tempo serves only with
            // stream_over_http_enabled: off explicitly, so a Grafana whose default turns it on
            // keeps answering queries.
            streamingEnabled: { search: false, metrics: false },
        },
        editable: false,
    };
}

export function grafanaDataSources(monitoringNamespace: string): Record<string, unknown>[] {
    return [logs(monitoringNamespace), traces(monitoringNamespace)];
}
