/**
 * Grafana's data sources besides kube-prometheus-stack's own Prometheus and Alertmanager: the logs
 * and the trace spans in Elasticsearch, read as the `grafana` user (logging.ts), over TLS verified
 * against the logging CA. Grafana expands `$VAR` in provisioning files from its environment, which
 * takes the password and the CA certificate from their Secrets: neither is in the chart's values.
 */
import { elasticsearchCaSecrets, elasticsearchReaders, elasticsearchService } from "./logging";

/** UIDs the dashboard's data links point at. */
export const dataSourceUids = { logs: "bookkeep-logs", traces: "bookkeep-traces" } as const;

const env = { password: "BOOKKEEP_ES_PASSWORD", ca: "BOOKKEEP_ES_CA" } as const;

/** `grafana.envValueFrom`: the reader's password and the CA certificate. */
export const grafanaEnvValueFrom = {
    [env.password]: { secretKeyRef: { name: elasticsearchReaders.secret, key: elasticsearchReaders.grafana } },
    [env.ca]: { secretKeyRef: { name: elasticsearchCaSecrets.monitoring, key: "ca.crt" } },
};

function elasticsearch(name: string, uid: string, index: string, extra: Record<string, unknown>, monitoringNamespace: string): Record<string, unknown> {
    return {
        name,
        uid,
        type: "elasticsearch",
        access: "proxy",
        url: `https://${elasticsearchService}.${monitoringNamespace}.svc:9200`,
        basicAuth: true,
        basicAuthUser: elasticsearchReaders.grafana,
        jsonData: { index, timeField: "@timestamp", tlsAuthWithCACert: true, ...extra },
        secureJsonData: { basicAuthPassword: `$${env.password}`, tlsCACert: `$${env.ca}` },
        editable: false,
    };
}

/**
 * Logs are Fluentd's `bookkeep-YYYY.MM.DD` indices (`bookkeep-2*` leaves the collector's
 * `bookkeep-traces-*` out); trace spans are the collector's, one document per span.
 */
export function grafanaDataSources(monitoringNamespace: string): Record<string, unknown>[] {
    return [
        elasticsearch("Logs", dataSourceUids.logs, "bookkeep-2*", { logMessageField: "message", logLevelField: "level" }, monitoringNamespace),
        elasticsearch("Trace spans", dataSourceUids.traces, "bookkeep-traces-*", {}, monitoringNamespace),
    ];
}
