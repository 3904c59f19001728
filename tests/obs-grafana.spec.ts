/**
 * Signals people can read (issue 22): Grafana's logs data source on Elasticsearch, read as a user
 * that may only search `bookkeep-*`, its traces data source on Tempo with spans linked to the logs,
 * and the Overview panels' links to the logs and traces of the same service over the same time range.
 */
import { expect } from "chai";
import { overviewDashboard } from "../components/k8s/alerts";
import { PlanJson } from "../offline/report";
import { isSecret, plan } from "./harness";

type Resource = PlanJson["resources"][number];
const mon = "bookkeep-monitoring";

describe("Grafana: logs and traces", () => {
    let resources: readonly Resource[] = [];
    const find = (kind: string, name: string) => {
        const found = resources.filter(r => r.type.endsWith(`:${kind}`) && (r.inputs.metadata as any)?.name === name && (r.inputs.metadata as any)?.namespace === mon);
        expect(found, `${kind} ${name}`).to.have.length(1);
        return found[0]!.inputs as any;
    };
    before(async () => {
        resources = (await plan("production")).plan.resources;
    });

    it("has the Elasticsearch logs data source over verified TLS, credentials only from Secrets, and the Tempo traces data source linked to it", () => {
        const grafana = (resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "kube-prometheus-stack")!.inputs.values as any).grafana;
        expect(grafana.additionalDataSources).to.deep.equal([
            {
                name: "Logs", uid: "bookkeep-logs", type: "elasticsearch", access: "proxy", url: `https://elasticsearch-es-http.${mon}.svc:9200`, basicAuth: true, basicAuthUser: "grafana",
                jsonData: { index: "bookkeep-2*", timeField: "@timestamp", tlsAuthWithCACert: true, logMessageField: "message", logLevelField: "level" },
                secureJsonData: { basicAuthPassword: "$BOOKKEEP_ES_PASSWORD", tlsCACert: "$BOOKKEEP_ES_CA" }, editable: false,
            },
            {
                name: "Traces", uid: "bookkeep-tempo", type: "tempo", access: "proxy", url: `http://tempo.${mon}.svc:3200`,
                jsonData: {
                    // A span opens its service's logs around its own time.
                    tracesToLogsV2: {
                        datasourceUid: "bookkeep-logs", spanStartTimeShift: "-1m", spanEndTimeShift: "1m",
                        tags: [{ key: "service.name", value: "kubernetes.labels.app" }], filterByTraceID: false, filterBySpanID: false,
                    },
                    search: { hide: false }, nodeGraph: { enabled: true }, streamingEnabled: { search: false, metrics: false },
                },
                editable: false,
            },
        ]);
        // The spans-as-documents data source of earlier releases is removed from Grafana, not left stale.
        expect(grafana.deleteDatasources).to.deep.equal([{ name: "Trace spans", orgId: 1 }]);
        expect(grafana.envValueFrom).to.deep.equal({
            BOOKKEEP_ES_PASSWORD: { secretKeyRef: { name: "elasticsearch-readers", key: "grafana" } },
            BOOKKEEP_ES_CA: { secretKeyRef: { name: "elasticsearch-client-tls", key: "ca.crt" } },
        });
        // The chart renders the data sources into a ConfigMap: no password may be in it.
        const rendered = resources.filter(r => r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs.metadata as any).labels?.grafana_datasource === "1");
        expect(rendered, "the rendered data-source ConfigMap").to.have.length(1);
        expect(JSON.stringify(rendered[0]!.inputs)).to.contain("uid: bookkeep-logs").and.contain("basicAuthPassword: $BOOKKEEP_ES_PASSWORD");
    });

    it("reads as a user whose role may only search bookkeep-*, created by the setup Job", () => {
        const job = resources.find(r => r.type === "kubernetes:batch/v1:Job" && String((r.inputs.metadata as any).name).startsWith("elasticsearch-setup-"))!;
        const container = (job.inputs as any).spec.template.spec.containers[0];
        const script: string = container.command[2];
        expect(script).to.contain(`/_security/role/bookkeep-reader' -d '{"indices":[{"names":["bookkeep-*"],"privileges":["read","view_index_metadata"]}]}'`);
        expect(script).to.contain(`printf '{"password":"%s","roles":["bookkeep-reader"]}' "$GRAFANA_PASSWORD"`);
        expect(container.env).to.deep.include({ name: "GRAFANA_PASSWORD", valueFrom: { secretKeyRef: { name: "elasticsearch-readers", key: "grafana" } } });
        expect(isSecret(find("Secret", "elasticsearch-readers").stringData)).to.equal(true);
    });

    it("lets Grafana, and only the known clients, reach Elasticsearch", () => {
        const es = find("NetworkPolicy", "elasticsearch").spec;
        expect(es.ingress[0].from).to.deep.include({ podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } } });
        // Fluentd, the setup Job, the collector, Grafana, Kibana, the metrics exporter and the ECK operator.
        expect(es.ingress[0].from).to.have.length(7);
        expect(find("NetworkPolicy", "grafana").spec.egress).to.deep.include({
            to: [{ podSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "elasticsearch" } } }], ports: [{ port: 9200, protocol: "TCP" }],
        });
    });

    it("lets Grafana reach Tempo's query port, and Tempo admit it", () => {
        const tempoPods = { "app.kubernetes.io/name": "tempo", "app.kubernetes.io/instance": "tempo" };
        expect(find("NetworkPolicy", "grafana-to-tempo").spec.egress).to.deep.equal([{ to: [{ podSelector: { matchLabels: tempoPods } }], ports: [{ port: 3200, protocol: "TCP" }] }]);
        expect(find("NetworkPolicy", "tempo").spec.ingress).to.deep.include({
            from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } } }, { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": mon } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
            ports: [{ port: 3200, protocol: "TCP" }],
        });
    });

    it("links the per-service Overview panels to that service's logs and traces over the dashboard's time range", () => {
        const panes = (url: string) => JSON.parse(decodeURIComponent(url.slice(url.indexOf("panes=") + "panes=".length)));
        const perService = overviewDashboard.panels.filter(p => p.targets[0]!.expr.includes("service"));
        expect(perService.map(p => p.title)).to.deep.equal(["Request Rate", "P99 Latency"]);
        for (const panel of perService) {
            const links = (panel.fieldConfig.defaults as { links?: { title: string; url: string }[] }).links ?? [];
            expect(links.map(l => l.title), panel.title).to.deep.equal(["Logs of ${__field.labels.service}", "Traces of ${__field.labels.service}"]);
            const [logs, traces] = links.map(l => panes(l.url).a);
            expect(logs).to.deep.equal({
                datasource: "bookkeep-logs",
                queries: [{ refId: "A", datasource: { type: "elasticsearch", uid: "bookkeep-logs" }, query: "kubernetes.labels.app:\"${__field.labels.service}\"", metrics: [{ id: "1", type: "logs" }] }],
                range: { from: "${__from}", to: "${__to}" },
            });
            expect(traces).to.deep.equal({
                datasource: "bookkeep-tempo",
                queries: [{ refId: "A", datasource: { type: "tempo", uid: "bookkeep-tempo" }, queryType: "traceql", query: "{resource.service.name=\"${__field.labels.service}\"}" }],
                range: { from: "${__from}", to: "${__to}" },
            });
            // Grafana fills the variables in the raw URL: they must not be percent-encoded.
            expect(links[0]!.url).to.contain("${__from}").and.contain("${__field.labels.service}");
        }
    });
});
