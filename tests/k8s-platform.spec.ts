/**
 * The Kubernetes platform layer on a plain-value foundation: exact objects per namespace, pinned
 * charts and their key values, the required alerts verbatim, NetworkPolicy rules, Pod Security,
 * the migration Job and the backup CronJobs, and cloud-agnostic shape.
 */
import { GatewayOrigin } from "../components/k8s/gateway";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { parse } from "yaml";
import { KubernetesPlatform } from "../components/k8s/platform";
import { Evaluation, RecordedResource } from "../offline/engine";
import { readStackFile } from "../offline/stackFile";
import { loadCatalog } from "../services";
import { catalogEntries } from "../services/catalog";
import { parseStackConfig } from "../stacks/load";
import { appQuota } from "../components/k8s/quota";
import { fakeFoundation, fakeGcpNetwork } from "./fakeFoundation";
import { expectInputError, isSecret, one, present, reveal, run } from "./harness";

type Cloud = "aws" | "gcp" | "local";
interface Layer { readonly ev: Evaluation; readonly migrationUrn: Promise<string>; readonly readyForFleet: Promise<string[]> }

function evaluateLayer(stack: string, cloud: Cloud, overrides: Record<string, unknown> = {}, catalog = loadCatalog(), origin?: GatewayOrigin): Promise<Layer> {
    const config = parseStackConfig(readStackFile(stack, overrides).config);
    let migrationUrn: Promise<string> = Promise.resolve("");
    let readyForFleet: Promise<string[]> = Promise.resolve([]);
    return run(() => {
        const f = fakeFoundation(cloud, config.environment);
        const platform = new KubernetesPlatform("bookkeep-k8s", { config, foundation: f, catalog, ...(origin ? { origin } : {}) }, { providers: [f.k8sProvider] });
        migrationUrn = new Promise(resolve => platform.migration.urn.apply(resolve));
        readyForFleet = new Promise(resolve => pulumi.all(platform.readyForFleet.map(r => r.urn)).apply(resolve));
        return {};
    }).then(ev => ({ ev, migrationUrn, readyForFleet }));
}

const kindOf = (r: RecordedResource) => r.type.slice(r.type.lastIndexOf(":") + 1);
const meta = (r: RecordedResource) => (r.inputs.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, unknown> };
/** Objects a Helm chart rendered (the provider's children of a Chart); tests/charts.spec.ts covers them. */
const renderedByChart = (r: RecordedResource) => r.parent?.split("::")[2]?.endsWith("$kubernetes:helm.sh/v4:Chart") === true;
/** The program's own Kubernetes objects and Helm releases. */
const isK8s = (r: RecordedResource) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:") && !renderedByChart(r);

/** `Kind/name` of every Kubernetes object and Helm release, grouped by namespace ("" = cluster-scoped). */
function inventory(ev: Evaluation): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const r of ev.resources.filter(isK8s)) {
        const chart = r.type === "kubernetes:helm.sh/v4:Chart";
        const ns = String(chart ? r.inputs.namespace : meta(r).namespace ?? "");
        const name = String(chart ? r.inputs.name : meta(r).name);
        (out[ns] ??= []).push(`${kindOf(r)}/${name}`);
    }
    Object.values(out).forEach(v => v.sort());
    return out;
}

function obj(ev: Evaluation, kind: string, name: string, namespace?: string): any {
    const found = ev.resources.filter(r => isK8s(r) && kindOf(r) === kind && meta(r).name === name && (namespace === undefined || meta(r).namespace === namespace));
    expect(found.map(r => `${kind}/${meta(r).name}`), `exactly one ${kind} ${name}`).to.deep.equal([`${kind}/${name}`]);
    return found[0]!.inputs;
}

/** `Job/elasticsearch-setup-<days>d-<digest>`: the one setup Job in the monitoring namespace. */
function esSetupJob(ev: Evaluation): string {
    const jobs = ev.resources.filter(r => kindOf(r) === "Job" && String(meta(r).name).startsWith("elasticsearch-setup-"));
    expect(jobs, "one Elasticsearch setup Job").to.have.length(1);
    return `Job/${meta(jobs[0]!).name}`;
}

function chart(ev: Evaluation, release: string): any {
    const found = ev.resources.filter(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === release);
    expect(found, `exactly one chart ${release}`).to.have.length(1);
    return found[0]!.inputs;
}

function policy(ev: Evaluation, name: string, namespace: string): any {
    return obj(ev, "NetworkPolicy", name, namespace).spec;
}

const prod = "bookkeep-production";
const sys = "bookkeep-system";
const mon = "bookkeep-monitoring";
const nats = "bookkeep-nats";
const nodeExporter = "bookkeep-node-exporter";
const T_PASSWORD = "random:index/randomPassword:RandomPassword";
/** The catalog's NATS users, stated independently of the catalog code. */
const natsUsers = ["bookkeeping", "invoice", "tax", "report"];
const natsPasswordResources = natsUsers.map(u => `bookkeep-k8s-nats-${u}-password`);
const dnsRule = {
    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
    ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }],
};
const prometheusPeer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": mon } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } };
const servicesSelector = (names: string[]) => ({ matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: names }] });

/** The required alerting rules block, copied verbatim from BookKeep-DevOps.md. */
const requiredAlerts = `
groups:
  - name: bookkeep-alerts
    rules:
      - alert: HighErrorRate
        expr: |
          sum(rate(bookkeep_requests_total{status=~"5.."}[5m]))
          / sum(rate(bookkeep_requests_total[5m])) > 0.05
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: High error rate detected
          description: Error rate is {{ $value | humanizePercentage }}

      - alert: HighLatency
        expr: |
          histogram_quantile(0.99, sum(rate(bookkeep_request_duration_seconds_bucket[5m])) by (le)) > 2
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: High latency detected
          description: P99 latency is {{ $value }}s

      - alert: PodCrashLooping
        expr: rate(kube_pod_container_status_restarts_total[15m]) > 0
        for: 15m
        labels:
          severity: critical
        annotations:
          summary: Pod crash looping
          description: Pod {{ $labels.pod }} is crash looping

      - alert: DatabaseConnectionPoolExhausted
        expr: bookkeep_db_connections_active / bookkeep_db_connections_max > 0.9
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: Database connection pool nearly exhausted
`;

function expectHardenedPod(spec: any, where: string): void {
    expect(spec.automountServiceAccountToken, `${where} token`).to.equal(false);
    expect(spec.securityContext, `${where} pod securityContext`).to.include({ runAsNonRoot: true });
    expect(spec.securityContext.runAsUser, `${where} uid`).to.be.greaterThan(0);
    expect(spec.securityContext.seccompProfile).to.deep.equal({ type: "RuntimeDefault" });
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
        expect(c.securityContext, `${where}/${c.name}`).to.deep.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
        expect(Object.keys(c.resources.requests).sort(), `${where}/${c.name} requests`).to.deep.equal(["cpu", "memory"]);
        expect(Object.keys(c.resources.limits).sort(), `${where}/${c.name} limits`).to.deep.equal(["cpu", "memory"]);
        expect(c.image, `${where}/${c.name} image`).to.match(/:[0-9A-Za-z][\w.-]*$/).and.not.match(/:latest$/);
    }
}

describe("Kubernetes platform layer", function () {
    let production: Layer;
    let productionGcp: Layer;
    let staging: Layer;
    let development: Layer;

    before(async () => {
        production = await evaluateLayer("production", "aws");
        productionGcp = await evaluateLayer("production", "gcp");
        // A new release version: the migration Job must be a new Job.
        staging = await evaluateLayer("staging", "aws", { "bookkeep:fleet": { releaseVersion: "v1.2.3" } });
        development = await evaluateLayer("development", "local");
    });

    it("creates exactly these objects per namespace (production)", () => {
        // The setup Job's name ends in a digest of what it installs (tested with the logging).
        const withoutDigest = (inv: Record<string, string[]>) =>
            Object.fromEntries(Object.entries(inv).map(([ns, objs]) => [ns, objs.map(o => o.replace(/^(Job\/elasticsearch-setup-\d+d)-[0-9a-f]{8}$/, "$1-<digest>"))]));
        expect(withoutDigest(inventory(production.ev))).to.deep.equal({
            "": [
                "ClusterIssuer/bookkeep-logging-ca", "ClusterIssuer/bookkeep-logging-ca-selfsigned",
                "ClusterIssuer/letsencrypt-prod", "GatewayClass/envoy-gateway", "Namespace/bookkeep-monitoring", "Namespace/bookkeep-nats", "Namespace/bookkeep-node-exporter",
                "Namespace/bookkeep-production", "Namespace/bookkeep-system",
            ],
            // No app-namespace allowances: each service's own policy opens its flows.
            [prod]: [
                "CronJob/db-backup", "CronJob/db-backup-monthly", "CronJob/db-backup-weekly", "CronJob/redis-snapshot",
                "HTTPRoute/kibana",
                "Job/db-migration-v1-0-0",
                "LimitRange/bookkeep-limits",
                "MetricTemplate/bookkeep-error-rate", "MetricTemplate/bookkeep-latency-p99",
                "NetworkPolicy/allow-dns", "NetworkPolicy/db-backup", "NetworkPolicy/db-migration",
                "NetworkPolicy/default-deny", "NetworkPolicy/redis-snapshot",
                "ResourceQuota/bookkeep-quota",
                "Secret/bookkeeping-secrets",
                "Service/otel-collector",
                "ServiceAccount/db-backup", "ServiceAccount/db-migration", "ServiceAccount/redis-snapshot",
            ],
            [sys]: [
                "BackendTrafficPolicy/bookkeep-gateway",
                "Certificate/bookkeep-tls", "Certificate/elasticsearch-ca", "Certificate/envoy", "Certificate/envoy-gateway", "Certificate/envoy-gateway-ca",
                "Certificate/fluentd-elasticsearch-tls",
                "Chart/cert-manager", "Chart/eck-operator-crds", "Chart/elastic-operator", "Chart/envoy-gateway", "Chart/flagger", "Chart/flagger-loadtester", "Chart/fluentd", "Chart/sealed-secrets",
                "ClientTrafficPolicy/bookkeep-gateway", "EnvoyProxy/bookkeep-gateway", "Gateway/bookkeep-gateway", "HTTPRoute/bookkeep-https-redirect",
                "Issuer/envoy-gateway-ca", "Issuer/envoy-gateway-ca-selfsigned",
                "NetworkPolicy/allow-dns", "NetworkPolicy/cert-manager-controller", "NetworkPolicy/cert-manager-kube-api", "NetworkPolicy/cert-manager-webhook",
                "NetworkPolicy/default-deny", "NetworkPolicy/elastic-operator", "NetworkPolicy/envoy-gateway-controller", "NetworkPolicy/envoy-gateway-proxy",
                "NetworkPolicy/envoy-gateway-proxy-kibana", "NetworkPolicy/flagger", "NetworkPolicy/flagger-loadtester", "NetworkPolicy/fluentd",
                "NetworkPolicy/sealed-secrets-controller",
                "PodMonitor/envoy-gateway-controller", "PodMonitor/envoy-gateway-proxy",
                "Secret/fluentd-elasticsearch",
                "ServiceAccount/flagger-loadtester",
            ],
            [mon]: [
                "Certificate/elasticsearch-client-tls", "Certificate/elasticsearch-http-tls",
                "Chart/elasticsearch-exporter", "Chart/kube-prometheus-stack", "Chart/otel-collector", "Chart/tempo",
                "ConfigMap/bookkeep-overview-dashboard",
                "Elasticsearch/elasticsearch",
                "Job/elasticsearch-setup-365d-<digest>",
                "Kibana/kibana",
                "NetworkPolicy/alertmanager", "NetworkPolicy/allow-dns", "NetworkPolicy/allow-prometheus-scrape", "NetworkPolicy/default-deny",
                "NetworkPolicy/elasticsearch", "NetworkPolicy/elasticsearch-exporter", "NetworkPolicy/elasticsearch-setup", "NetworkPolicy/grafana",
                "NetworkPolicy/grafana-to-tempo", "NetworkPolicy/kibana", "NetworkPolicy/monitoring-kube-api", "NetworkPolicy/otel-collector",
                "NetworkPolicy/prometheus", "NetworkPolicy/prometheus-from-flagger", "NetworkPolicy/prometheus-operator-kube-api", "NetworkPolicy/tempo",
                "PodDisruptionBudget/tempo", "PrometheusRule/bookkeep-alerts", "PrometheusRule/bookkeep-backup-alerts", "PrometheusRule/bookkeep-elasticsearch-alerts",
                "PrometheusRule/bookkeep-signal-alerts", "ReferenceGrant/kibana-from-app-routes", "Secret/alertmanager-config", "Secret/alertmanager-receivers",
                "Secret/elasticsearch-exporter", "Secret/elasticsearch-readers", "Secret/elasticsearch-writers", "Secret/grafana-admin",
                "Service/tempo-headless",
                "ServiceAccount/elasticsearch",
                "ServiceMonitor/bookkeep-services",
            ],
            [nats]: [
                "Certificate/nats-route-ca", "Certificate/nats-route-tls", "Chart/nats", "Issuer/nats-route-ca", "Issuer/nats-route-ca-selfsigned",
                "NetworkPolicy/allow-dns", "NetworkPolicy/default-deny", "NetworkPolicy/nats-server", "Secret/nats-client-passwords",
            ],
            [nodeExporter]: ["NetworkPolicy/allow-dns", "NetworkPolicy/default-deny", "NetworkPolicy/node-exporter"],
        });
    });

    it("leaves out Prometheus, Elasticsearch/Fluentd and the collector when observability is off (development)", () => {
        const inv = inventory(development.ev);
        expect(inv[mon]).to.deep.equal(["NetworkPolicy/allow-dns", "NetworkPolicy/default-deny"]);
        expect(present(inv[sys], sys).filter(x => x.startsWith("Chart/"))).to.deep.equal(["Chart/cert-manager", "Chart/envoy-gateway", "Chart/sealed-secrets"]);
        expect(inv["bookkeep-development"]).to.not.include.members(["Service/otel-collector"]);
        expect(inv["bookkeep-development"]).to.include.members(["Job/db-migration-v1-0-0", "CronJob/db-backup", "Secret/bookkeeping-secrets"]);
        expect(inv[""]).to.not.include("Namespace/bookkeep-node-exporter");
        expect(policy(development.ev, "envoy-gateway-proxy", sys).ingress).to.deep.equal([
            { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 10080, protocol: "TCP" }, { port: 10443, protocol: "TCP" }] },
        ]);
        expect(chart(development.ev, "cert-manager").values.prometheus).to.deep.equal({ enabled: false, servicemonitor: { enabled: false } });
        // Only the app database role's and the NATS users' passwords: the layer's random provider exists on every stack.
        expect(development.ev.resources.filter(r => r.type.startsWith("random:") || r.type === "pulumi:providers:random").map(r => r.name).sort())
            .to.deep.equal(["bookkeep-k8s-random", "bookkeep-k8s-secrets-app-db-password", ...natsPasswordResources].sort());
    });

    it("installs every chart from its vendored archive, as its own release", () => {
        const pins = production.ev.resources.filter(r => r.type === "kubernetes:helm.sh/v4:Chart")
            .map(r => [r.inputs.name, r.inputs.chart, r.inputs.version ?? null, r.inputs.repositoryOpts ?? null]).sort();
        expect(pins).to.deep.equal([
            ["cert-manager", "./charts/cert-manager-v1.21.1.tgz", null, null],
            ["eck-operator-crds", "./charts/eck-operator-crds-3.5.0.tgz", null, null],
            ["elastic-operator", "./charts/eck-operator-3.5.0.tgz", null, null],
            ["elasticsearch-exporter", "./charts/prometheus-elasticsearch-exporter-7.4.0.tgz", null, null],
            ["envoy-gateway", "./charts/gateway-helm-v1.9.0.tgz", null, null],
            ["flagger", "./charts/flagger-1.44.0.tgz", null, null],
            ["flagger-loadtester", "./charts/loadtester-0.38.0.tgz", null, null],
            ["fluentd", "./charts/fluentd-0.5.3.tgz", null, null],
            ["kube-prometheus-stack", "./charts/kube-prometheus-stack-82.14.1.tgz", null, null],
            ["nats", "./charts/nats-2.12.3.tgz", null, null],
            ["otel-collector", "./charts/opentelemetry-collector-0.158.2.tgz", null, null],
            ["sealed-secrets", "./charts/sealed-secrets-2.17.6.tgz", null, null],
            ["tempo", "./charts/tempo-2.2.4.tgz", null, null],
        ]);
    });

    it("labels namespaces for Pod Security Admission (app and NATS enforce restricted)", () => {
        const psa = (ns: string) => obj(production.ev, "Namespace", ns).metadata.labels;
        for (const ns of [prod, nats, mon]) {
            expect(psa(ns), ns).to.include({ "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" });
        }
        // Fluentd (hostPath) and node-exporter (host namespaces), each alone in privileged; audit/warn still restricted.
        for (const ns of [sys, nodeExporter]) {
            expect(psa(ns), ns).to.include({ "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" });
        }
    });

    it("starts every namespace from default-deny with DNS egress only", () => {
        for (const ns of [prod, sys, mon, nats, nodeExporter]) {
            expect(policy(production.ev, "default-deny", ns), ns).to.deep.equal({ podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] });
            expect(policy(production.ev, "allow-dns", ns), ns).to.deep.equal({ podSelector: {}, policyTypes: ["Egress"], egress: [dnsRule] });
        }
    });

    it("leaves the app namespace's service flows to the services' own policies (no platform duplicates)", () => {
        const ev = production.ev;
        const appPolicies = ev.resources.filter(r => kindOf(r) === "NetworkPolicy" && meta(r).namespace === prod).map(r => meta(r).name).sort();
        expect(appPolicies).to.deep.equal(["allow-dns", "db-backup", "db-migration", "default-deny", "redis-snapshot"]);
        expect(policy(ev, "db-migration", prod)).to.deep.equal({
            podSelector: { matchLabels: { "app.kubernetes.io/name": "db-migration" } }, policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "10.10.96.0/24" } }, { ipBlock: { cidr: "10.10.97.0/24" } }, { ipBlock: { cidr: "10.10.98.0/24" } }], ports: [{ port: 5432, protocol: "TCP" }] }],
        });
        const backupEgress = [
            { to: [{ ipBlock: { cidr: "10.10.96.0/24" } }, { ipBlock: { cidr: "10.10.97.0/24" } }, { ipBlock: { cidr: "10.10.98.0/24" } }], ports: [{ port: 5432, protocol: "TCP" }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }] },
        ];
        expect(policy(ev, "db-backup", prod).egress).to.deep.equal(backupEgress);
        // Where the foundation names identity egress (GKE's metadata server), the backup pods get it too.
        expect(policy(productionGcp.ev, "db-backup", prod).egress).to.deep.equal([...backupEgress, ...fakeGcpNetwork.identityEgress]);
    });

    it("admits the shared services' own flows (the gateway, NATS, Elasticsearch, collector)", () => {
        const ev = production.ev;
        const proxy = policy(ev, "envoy-gateway-proxy", sys);
        expect(proxy.ingress).to.deep.equal([
            // Envoy Gateway maps listener ports 80/443 to 10080/10443 in the proxy container.
            { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 10080, protocol: "TCP" }, { port: 10443, protocol: "TCP" }] },
            { from: [prometheusPeer], ports: [{ port: 19001, protocol: "TCP" }] },
        ]);
        expect(proxy.egress[0]).to.deep.equal({ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": prod } } }], ports: [{ port: 3100, protocol: "TCP" }] });
        const natsServer = policy(ev, "nats-server", nats);
        // Only the services whose catalog entry uses NATS, and Prometheus.
        expect(natsServer.ingress).to.deep.equal([
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": prod } }, podSelector: servicesSelector(["bookkeeping-service", "invoice-service", "tax-service", "report-service"]) }],
                ports: [{ port: 4222, protocol: "TCP" }],
            },
            { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "nats" } } }], ports: [{ port: 6222, protocol: "TCP" }] },
            { from: [prometheusPeer], ports: [{ port: 7777, protocol: "TCP" }, { port: 8222, protocol: "TCP" }] },
        ]);
        expect(natsServer.egress).to.deep.equal([{ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "nats" } } }], ports: [{ port: 6222, protocol: "TCP" }] }]);
        expect(policy(ev, "fluentd", sys).egress[0]).to.deep.equal({
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": mon } }, podSelector: { matchLabels: { "elasticsearch.k8s.elastic.co/cluster-name": "elasticsearch" } } }], ports: [{ port: 9200, protocol: "TCP" }],
        });
        expect(policy(ev, "elasticsearch", mon).ingress[0].from[0]).to.deep.equal({
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": sys } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "fluentd" } },
        });
        expect(policy(ev, "otel-collector", mon).ingress[0]).to.deep.equal({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": prod } } }], ports: [{ port: 4318, protocol: "TCP" }, { port: 4317, protocol: "TCP" }],
        });
        const acme = [
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] },
        ];
        expect(policy(ev, "cert-manager-controller", sys).egress).to.deep.equal(acme);
        expect(policy(productionGcp.ev, "cert-manager-controller", sys).egress).to.deep.equal([...acme, ...fakeGcpNetwork.identityEgress]);
    });

    it("without a catalog NATS user, admits no client to NATS at all", async () => {
        const noNats = loadCatalog().filter(s => !s.backends.includes("nats"));
        const layer = await evaluateLayer("staging", "aws", {}, noNats);
        expect(policy(layer.ev, "nats-server", nats).ingress.map((r: any) => r.ports[0].port)).to.deep.equal([6222, 7777]);
        // Nor any NATS user, password or NATS URL.
        expect(inventory(layer.ev)[nats]).to.not.include("Secret/nats-client-passwords");
        expect(layer.ev.resources.filter(r => r.type === T_PASSWORD && r.name.includes("nats")).map(r => r.name)).to.deep.equal([]);
        const values = chart(layer.ev, "nats").values;
        expect(values.config.merge).to.equal(undefined);
        expect(values.container.env).to.deep.equal({});
        const data = reveal(obj(layer.ev, "Secret", "bookkeeping-secrets", "bookkeep-staging").stringData) as Record<string, string>;
        expect(Object.keys(data).filter(k => k.startsWith("nats"))).to.deep.equal([]);
    });

    it("opens the Kubernetes API only to the controllers that use it, at the foundation's API server peers when known", () => {
        const anyApi = { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }, { port: 6443, protocol: "TCP" }] };
        const gkeApi = { to: fakeGcpNetwork.apiServerPeers, ports: anyApi.ports };
        const holders: [string, string, (p: any) => any][] = [
            ["monitoring-kube-api", mon, p => p.egress[0]],
            ["prometheus-operator-kube-api", mon, p => p.egress[0]],
            ["envoy-gateway-controller", sys, p => p.egress[0]],
            ["cert-manager-kube-api", sys, p => p.egress[0]],
            ["sealed-secrets-controller", sys, p => p.egress[0]],
            ["fluentd", sys, p => p.egress[1]],
            ["flagger", sys, p => p.egress[0]],
            ["elastic-operator", sys, p => p.egress[0]],
        ];
        for (const [name, ns, rule] of holders) {
            expect(rule(policy(production.ev, name, ns)), `${name} on aws (no apiServerPeers)`).to.deep.equal(anyApi);
            expect(rule(policy(productionGcp.ev, name, ns)), `${name} on gcp`).to.deep.equal(gkeApi);
        }
        // Never a whole namespace.
        expect(policy(production.ev, "monitoring-kube-api", mon).podSelector).to.deep.equal({
            matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["prometheus", "kube-state-metrics", "grafana"] }],
        });
        // No admission Jobs any more (hooks never run under helm.v4.Chart): the operator alone.
        expect(policy(production.ev, "prometheus-operator-kube-api", mon).podSelector).to.deep.equal({ matchLabels: { app: "kube-prometheus-stack-operator" } });
        const apiPolicies = production.ev.resources.filter(r => kindOf(r) === "NetworkPolicy"
            && JSON.stringify(r.inputs.spec).includes("6443")).map(r => meta(r).name).sort();
        expect(apiPolicies).to.deep.equal(holders.map(h => h[0]).sort());
        for (const r of production.ev.resources.filter(x => kindOf(x) === "NetworkPolicy" && JSON.stringify(x.inputs.spec).includes("6443"))) {
            expect((r.inputs.spec as any).podSelector, meta(r).name).to.not.deep.equal({});
        }
    });

    it("sizes the app namespace quota from the catalog and forbids PVCs and load balancers there", () => {
        // 6 services x (10 max replicas + 1 surge) + migration + one backup pod per schedule (3) + the
        // hourly cache snapshot (AWS).
        expect(obj(production.ev, "ResourceQuota", "bookkeep-quota").spec.hard).to.deep.equal({
            pods: "71",
            "requests.cpu": `${66 * 250 + 100 + 3 * 150 + 50}m`,
            "requests.memory": `${66 * 256 + 128 + 3 * 384 + 128}Mi`,
            "limits.cpu": `${66 * 500 + 500 + 3 * 1500 + 500}m`,
            "limits.memory": `${66 * 512 + 256 + 3 * 1536 + 512}Mi`,
            persistentvolumeclaims: "0",
            "services.loadbalancers": "0",
            "services.nodeports": "0",
        });
        expect(obj(production.ev, "LimitRange", "bookkeep-limits").spec.limits[0]).to.deep.include({ type: "Container", max: { cpu: "2", memory: "4Gi" } });
    });

    it("budgets each service at its HPA's own maxReplicas when the catalog overrides the stack's", () => {
        const payroll = {
            name: "payroll", image: "payroll-service", port: 3200, metricsPort: 9100, routePrefix: "/v1/payroll",
            backends: ["nats"], resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
            scaling: { cpuUtilization: 60, memoryUtilization: 75, maxReplicas: 4 },
        };
        const catalog = loadCatalog([payroll]);
        const config = parseStackConfig(readStackFile("production").config);
        // 4 replicas + 1 surge, not the stack's 10 + 1.
        expect(appQuota(config.fleet, catalog, [])).to.include({ pods: "5", "requests.cpu": "500m", "limits.memory": "1280Mi" });
    });

    it("runs the Envoy Gateway controller hardened, 2 replicas with a PDB and anti-affinity in production, without its hook-only webhook", () => {
        const c = chart(production.ev, "envoy-gateway");
        expect(c.namespace).to.equal(sys);
        expect(c.values.deployment.replicas).to.equal(2);
        expect(c.values.podDisruptionBudget).to.deep.equal({ minAvailable: 1 });
        expect(c.values.topologyInjector).to.deep.equal({ enabled: false });
        expect(c.values.deployment.envoyGateway.resources).to.deep.equal({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } });
        expect(c.values.deployment.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector)
            .to.deep.equal({ matchLabels: { "control-plane": "envoy-gateway", "app.kubernetes.io/instance": "envoy-gateway" } });
        const s = chart(staging.ev, "envoy-gateway").values;
        expect([s.deployment.replicas, s.podDisruptionBudget, s.deployment.pod.affinity]).to.deep.equal([1, { minAvailable: 0 }, {}]);
    });

    it("installs cert-manager as the cert-manager identity and the foundation's ClusterIssuer", () => {
        const ev = production.ev;
        const c = chart(ev, "cert-manager");
        expect(c.values.crds).to.deep.equal({ enabled: true, keep: true });
        expect(c.values.serviceAccount).to.deep.equal({ create: true, name: "cert-manager", annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/cert-manager" } });
        expect(c.values.global).to.deep.equal({ leaderElection: { namespace: sys } });
        const issuer = one(ev.resources, "kubernetes:cert-manager.io/v1:ClusterIssuer", "bookkeep-k8s-cert-manager-issuer");
        expect(issuer.inputs.metadata).to.deep.equal({ name: "letsencrypt-prod" });
        expect(issuer.inputs.spec).to.deep.equal({ acme: { server: "https://acme-v02.api.letsencrypt.org/directory" } });
        const chartUrn = ev.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "cert-manager")!.urn;
        expect(issuer.dependsOn).to.include(chartUrn);
        // One owner for bookkeep-tls: the gateway's Certificate; the others are private PKI
        // (NATS routes, Elasticsearch, Envoy Gateway's xDS).
        expect(ev.resources.filter(r => r.type === "kubernetes:cert-manager.io/v1:Certificate" && isK8s(r)).map(r => `${meta(r).namespace}/${meta(r).name}`).sort()).to.deep.equal([
            `${mon}/elasticsearch-client-tls`, `${mon}/elasticsearch-http-tls`,
            `${nats}/nats-route-ca`, `${nats}/nats-route-tls`,
            `${sys}/bookkeep-tls`, `${sys}/elasticsearch-ca`, `${sys}/envoy`, `${sys}/envoy-gateway`, `${sys}/envoy-gateway-ca`, `${sys}/fluentd-elasticsearch-tls`,
        ]);
    });

    it("runs NATS JetStream on persistent storage: a 3-node cluster in production, 1 in staging", () => {
        const p = chart(production.ev, "nats").values;
        expect(chart(production.ev, "nats").namespace).to.equal(nats);
        expect(p.config.cluster).to.deep.equal({
            enabled: true, replicas: 3,
            tls: { enabled: true, secretName: "nats-route-tls", merge: { ca_file: "/etc/nats-certs/cluster/ca.crt", verify: true } },
        });
        expect(p.config.jetstream.fileStore).to.deep.equal({ enabled: true, dir: "/data", pvc: { enabled: true, size: "20Gi", storageClassName: "gp3-encrypted" } });
        expect(p.podDisruptionBudget).to.deep.equal({ enabled: true });
        expect(p.natsBox).to.deep.equal({ enabled: false });
        expect(p.podTemplate.merge.spec.securityContext).to.include({ runAsNonRoot: true, runAsUser: 1000 });
        expect(p.container.merge.securityContext).to.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        expect(chart(staging.ev, "nats").values.config.cluster).to.deep.equal({ enabled: false, replicas: 1 });
    });

    it("secures production's NATS routes with mutual TLS from a private CA cert-manager keeps in the NATS namespace", () => {
        const ev = production.ev;
        const cr = (kind: string, name: string) => obj(ev, kind, name, nats);
        expect(cr("Issuer", "nats-route-ca-selfsigned").spec).to.deep.equal({ selfSigned: {} });
        // The root keeps its key when renewed, so certificates issued before still verify.
        expect(cr("Certificate", "nats-route-ca").spec).to.deep.include({
            isCA: true, secretName: "nats-route-ca", issuerRef: { name: "nats-route-ca-selfsigned", kind: "Issuer" },
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" },
        });
        expect(cr("Issuer", "nats-route-ca").spec).to.deep.equal({ ca: { secretName: "nats-route-ca" } });
        const route = cr("Certificate", "nats-route-tls").spec;
        expect(route).to.deep.include({
            secretName: "nats-route-tls", usages: ["server auth", "client auth"], duration: "2160h", renewBefore: "720h",
            issuerRef: { name: "nats-route-ca", kind: "Issuer" }, privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        });
        // The chart's routes are tls://nats-<i>.nats-headless:6222: the names must match them.
        expect(route.dnsNames).to.include("*.nats-headless").and.include(`*.nats-headless.${nats}.svc.cluster.local`);
        // Ordered: cert-manager's CRDs, the self-signed issuer, the CA, its issuer, the certificate, the chart.
        const urnOf = (kind: string, name: string) => ev.resources.find(r => kindOf(r) === kind && meta(r).name === name)!.urn;
        const certManagerChart = ev.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "cert-manager")!.urn;
        const natsChart = ev.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "nats")!;
        expect(ev.resources.find(r => r.urn === urnOf("Issuer", "nats-route-ca-selfsigned"))!.dependsOn).to.include(certManagerChart);
        expect(natsChart.dependsOn).to.include(urnOf("Certificate", "nats-route-tls"));
        // A single node has no routes, so staging and laptops get no route PKI.
        for (const layer of [staging, development]) {
            expect(layer.ev.resources.filter(r => r.type.startsWith("kubernetes:cert-manager.io/v1:") && meta(r).namespace === nats)).to.deep.equal([]);
        }
    });

    it("authenticates every NATS client as its own service user, the passwords only in a Secret the container env reads", () => {
        for (const [layer, appNs] of [[production, prod], [staging, "bookkeep-staging"], [development, "bookkeep-development"]] as const) {
            const values = chart(layer.ev, "nats").values;
            const users = values.config.merge.authorization.users;
            const allowAllButSystem = { allow: [">"], deny: ["$SYS.>"] };
            expect(users).to.deep.equal(natsUsers.map(user => ({
                user, password: `<< $NATS_PASSWORD_${user.toUpperCase()} >>`, permissions: { publish: allowAllButSystem, subscribe: allowAllButSystem },
            })));
            expect(Object.keys(values.config.merge)).to.deep.equal(["authorization"]);
            expect(values.container.env).to.deep.equal(Object.fromEntries(natsUsers.map(user => [
                `NATS_PASSWORD_${user.toUpperCase()}`, { valueFrom: { secretKeyRef: { name: "nats-client-passwords", key: user } } },
            ])));
            const secret = obj(layer.ev, "Secret", "nats-client-passwords", nats);
            expect(isSecret(secret.stringData)).to.equal(true);
            const stored = reveal(secret.stringData) as Record<string, string>;
            expect(Object.keys(stored).sort()).to.deep.equal([...natsUsers].sort());
            // Quoted, so the server's config parser reads the env value as a string; the same password as the service's URL.
            const appData = reveal(obj(layer.ev, "Secret", "bookkeeping-secrets", appNs).stringData) as Record<string, string>;
            for (const user of natsUsers) {
                expect(stored[user], user).to.match(/^"Pw0fake[A-Za-z0-9]{25}"$/);
                expect(appData[`nats-url-${user}`]).to.contain(`:${stored[user]!.slice(1, -1)}@`);
                const password = one(layer.ev.resources, T_PASSWORD, `bookkeep-k8s-nats-${user}-password`);
                expect(password.inputs).to.include({ length: 32, special: false });
                expect(password.provider).to.equal(one(layer.ev.resources, "pulumi:providers:random", "bookkeep-k8s-random").urn);
            }
            // No generated password anywhere in the chart's values, revealed or not.
            expect(JSON.stringify(reveal(chart(layer.ev, "nats")))).to.not.contain("Pw0fake");
            // The chart waits for the Secret its pods read.
            const chartRecord = layer.ev.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "nats")!;
            const secretUrn = layer.ev.resources.find(r => r.type === "kubernetes:core/v1:Secret" && meta(r).name === "nats-client-passwords")!.urn;
            expect(chartRecord.dependsOn).to.include(secretUrn);
        }
        // Monitoring is untouched: the HTTP monitor port, the exporter's PodMonitor and Prometheus's way in.
        const p = chart(production.ev, "nats").values;
        expect(p.config.monitor).to.deep.equal({ enabled: true, port: 8222 });
        expect(p.promExporter).to.deep.include({ enabled: true, podMonitor: { enabled: true } });
    });

    it("gives a seventh NATS-using service its own NATS user, password and URL", async () => {
        const payroll = {
            name: "payroll", image: "payroll-service", port: 3200, metricsPort: 9100, routePrefix: "/v1/payroll",
            backends: ["nats"], resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
            scaling: { cpuUtilization: 60, memoryUtilization: 75, maxReplicas: 4 },
        };
        const layer = await evaluateLayer("staging", "aws", {}, loadCatalog([...catalogEntries, payroll]));
        const values = chart(layer.ev, "nats").values;
        expect(values.config.merge.authorization.users.map((u: any) => [u.user, u.password])).to.deep.equal(
            [...natsUsers, "payroll"].map(u => [u, `<< $NATS_PASSWORD_${u.toUpperCase()} >>`]));
        expect(values.container.env.NATS_PASSWORD_PAYROLL).to.deep.equal({ valueFrom: { secretKeyRef: { name: "nats-client-passwords", key: "payroll" } } });
        expect(Object.keys(reveal(obj(layer.ev, "Secret", "nats-client-passwords", nats).stringData) as object)).to.include("payroll");
        const data = reveal(obj(layer.ev, "Secret", "bookkeeping-secrets", "bookkeep-staging").stringData) as Record<string, string>;
        expect(data["nats-url-payroll"]).to.match(new RegExp(`^nats://payroll:Pw0fake[A-Za-z0-9]{25}@nats\\.${nats}\\.svc\\.cluster\\.local:4222$`));
        one(layer.ev.resources, T_PASSWORD, "bookkeep-k8s-nats-payroll-password");
    });

    it("provisions the required ServiceMonitor, plus the job and service labels that survive Flagger's Service names", () => {
        const sm = obj(production.ev, "ServiceMonitor", "bookkeep-services", mon);
        expect(sm.apiVersion).to.equal("monitoring.coreos.com/v1");
        expect(sm.spec).to.deep.equal({
            selector: { matchLabels: { monitoring: "enabled" } },
            namespaceSelector: { matchNames: [prod] },
            jobLabel: "app.kubernetes.io/name",
            endpoints: [{
                port: "metrics", interval: "15s", path: "/metrics",
                relabelings: [{ sourceLabels: ["__meta_kubernetes_service_label_app_kubernetes_io_name"], targetLabel: "service" }],
            }],
        });
    });

    it("provisions the required four alerts verbatim", () => {
        const rule = obj(production.ev, "PrometheusRule", "bookkeep-alerts", mon);
        expect(rule.spec).to.deep.equal(parse(requiredAlerts));
        expect(rule.spec.groups[0].rules.map((r: { alert: string }) => r.alert)).to.deep.equal(["HighErrorRate", "HighLatency", "PodCrashLooping", "DatabaseConnectionPoolExhausted"]);
    });

    it("provisions the BookKeep Overview dashboard for Grafana's sidecar", () => {
        const cm = obj(production.ev, "ConfigMap", "bookkeep-overview-dashboard", mon);
        expect(cm.metadata.labels).to.deep.equal({ grafana_dashboard: "1" });
        const dash = JSON.parse(cm.data["bookkeep-overview.json"]);
        expect(dash.title).to.equal("BookKeep Overview");
        expect(dash.panels.map((p: any) => [p.title, p.targets[0].expr])).to.deep.equal([
            ["Request Rate", "sum(rate(bookkeep_requests_total[5m])) by (service)"],
            ["Error Rate", "sum(rate(bookkeep_requests_total{status=~\"5..\"}[5m])) / sum(rate(bookkeep_requests_total[5m])) * 100"],
            ["P99 Latency", "histogram_quantile(0.99, sum(rate(bookkeep_request_duration_seconds_bucket[5m])) by (le, service))"],
        ]);
        expect(dash.panels[1].fieldConfig.defaults.thresholds).to.deep.equal({
            mode: "absolute", steps: [{ color: "green", value: 0 }, { color: "yellow", value: 1 }, { color: "red", value: 5 }],
        });
        const grafana = chart(production.ev, "kube-prometheus-stack").values.grafana;
        expect(grafana.sidecar.dashboards).to.include({ enabled: true, label: "grafana_dashboard", labelValue: "1" });
        expect(grafana.admin).to.deep.equal({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        const admin = obj(production.ev, "Secret", "grafana-admin", mon);
        expect(isSecret(admin.stringData)).to.equal(true);
        expect((reveal(admin.stringData) as Record<string, string>)["admin-password"]).to.have.length(32);
    });

    it("configures Prometheus retention, storage and rule selection", () => {
        const spec = chart(production.ev, "kube-prometheus-stack").values.prometheus.prometheusSpec;
        expect(spec).to.include({ replicas: 2, retention: "30d", serviceMonitorSelectorNilUsesHelmValues: false, ruleSelectorNilUsesHelmValues: false });
        expect(spec.storageSpec.volumeClaimTemplate.spec).to.deep.include({ storageClassName: "gp3-encrypted", resources: { requests: { storage: "50Gi" } } });
    });

    it("ships bookkeep logs with Fluentd to Elasticsearch (logstash format, prefix bookkeep) with index retention", () => {
        const f = chart(production.ev, "fluentd");
        expect(f.namespace).to.equal(sys);
        expect(f.values.kind).to.equal("DaemonSet");
        const conf = Object.values(f.values.fileConfigs as Record<string, string>).join("\n");
        for (const line of [
            "@type tail", "path /var/log/containers/*_bookkeep-*_*.log", "pos_file /var/log/fluentd-containers.log.pos", "tag kubernetes.*", "@type json",
            "<match kubernetes.**>", "@type elasticsearch", `host elasticsearch-es-http.${mon}.svc`, "port 9200", "logstash_format true", "logstash_prefix bookkeep",
            "scheme https", "ssl_verify true", "ca_file /etc/elasticsearch-ca/ca.crt", "user fluentd", `password "#{ENV['ELASTICSEARCH_PASSWORD']}"`,
        ]) {
            expect(conf).to.contain(line);
        }
        const es = obj(production.ev, "Elasticsearch", "elasticsearch", mon).spec;
        expect(es.nodeSets.map((n: any) => [n.name, n.count, n.config])).to.deep.equal([["default", 3, { "node.store.allow_mmap": false }]]);
        expect(obj(staging.ev, "Elasticsearch", "elasticsearch", mon).spec.nodeSets[0].count).to.equal(1);
        const job = obj(production.ev, "Job", esSetupJob(production.ev).slice(4), mon);
        const script = job.spec.template.spec.containers[0].command[2];
        expect(script).to.contain(`"delete":{"min_age":"365d","actions":{"delete":{}}}`).and.to.contain(`"index_patterns":["bookkeep-*"]`);
        expectHardenedPod(job.spec.template.spec, "elasticsearch-setup");
        // The name carries the retention and a digest of what the Job installs: a change runs it again.
        expect(esSetupJob(production.ev)).to.match(/^Job\/elasticsearch-setup-365d-[0-9a-f]{8}$/);
        expect(esSetupJob(staging.ev)).to.match(/^Job\/elasticsearch-setup-30d-[0-9a-f]{8}$/);
        // One node cannot hold a replica: staging's indices get none, so its health is green.
        const template = (layer: typeof production) => /_index_template\/\S+' -d '([^']*)'/.exec(
            obj(layer.ev, "Job", esSetupJob(layer.ev).slice(4), mon).spec.template.spec.containers[0].command[2])?.[1];
        expect(JSON.parse(template(production) ?? "{}").template.settings).to.deep.equal({ "index.lifecycle.name": "bookkeep-logs", "index.number_of_replicas": 1 });
        expect(JSON.parse(template(staging) ?? "{}").template.settings).to.deep.equal({ "index.lifecycle.name": "bookkeep-logs", "index.number_of_replicas": 0 });
        // ECK's readiness port opens once the node has joined a cluster with a master; 9200 opens at start.
        const container = es.nodeSets[0].podTemplate.spec.containers[0];
        expect([container.readinessProbe.tcpSocket.port, container.livenessProbe.tcpSocket.port]).to.deep.equal([8080, 9200]);
    });

    it("waits for the Elasticsearch setup Job longer than Pulumi's default 10 minutes: a first run forms the cluster first", () => {
        const recorded = production.ev.resources.find(r => r.type === "kubernetes:batch/v1:Job" && String(meta(r).name).startsWith("elasticsearch-setup-"))!;
        expect(recorded.customTimeouts).to.include({ create: "30m", update: "30m" });
    });

    it("runs the OTel collector with OTLP HTTP 4318, reachable as otel-collector:4318 from the app namespace", () => {
        const c = chart(production.ev, "otel-collector");
        expect(c.namespace).to.equal(mon);
        expect(c.values).to.include({ mode: "deployment", fullnameOverride: "otel-collector" });
        expect(c.values.config.receivers.otlp.protocols.http).to.deep.equal({ endpoint: "${env:MY_POD_IP}:4318" });
        expect(c.values.config.service.pipelines.traces.exporters).to.deep.equal(["otlp/tempo"]);
        expect(obj(production.ev, "Service", "otel-collector", prod).spec).to.deep.equal({
            type: "ExternalName", externalName: `otel-collector.${mon}.svc.cluster.local`, ports: [{ name: "otlp-http", port: 4318, protocol: "TCP" }],
        });
    });

    it("creates bookkeeping-secrets from the foundation with every value secret; services get the app role, not the owner", () => {
        for (const [layer, ns] of [[production, prod], [development, "bookkeep-development"]] as const) {
            const s = obj(layer.ev, "Secret", "bookkeeping-secrets", ns);
            expect(isSecret(s.stringData), ns).to.equal(true);
            const data = reveal(s.stringData) as Record<string, string>;
            // One NATS URL per NATS user (bookkeeping, invoice, tax, report), none for auth or customer.
            expect(Object.keys(data).sort(), ns).to.deep.equal([
                "database-app-password", "database-owner-url", "database-url", "jwt-secret",
                "nats-url-bookkeeping", "nats-url-invoice", "nats-url-report", "nats-url-tax", "redis-url",
            ]);
            const password = one(layer.ev.resources, "random:index/randomPassword:RandomPassword", "bookkeep-k8s-secrets-app-db-password");
            expect(password.inputs).to.include({ length: 32, special: false });
            expect(password.provider).to.equal(one(layer.ev.resources, "pulumi:providers:random", "bookkeep-k8s-random").urn);
            const generated = data["database-app-password"];
            expect(generated, ns).to.match(/^[A-Za-z0-9]{32}$/);
            const natsUrls = Object.fromEntries(natsUsers.map(user => {
                const natsPassword = data[`nats-url-${user}`]?.match(/^nats:\/\/[a-z]+:([^@]*)@/)?.[1] ?? "";
                expect(natsPassword, `${ns} ${user}`).to.match(/^[A-Za-z0-9]{32}$/).and.not.equal(generated);
                return [`nats-url-${user}`, `nats://${user}:${natsPassword}@nats.${nats}.svc.cluster.local:4222`];
            }));
            // Every service its own password.
            expect(new Set(Object.values(natsUrls)).size).to.equal(natsUsers.length);
            expect(data, ns).to.deep.equal({
                ...natsUrls,
                // Same host, port, database and sslmode as the owner's URL; only the credentials differ.
                "database-url": `postgres://bookkeep_app:${generated}@db.internal:5432/bookkeep?sslmode=require`,
                "database-owner-url": "postgres://bookkeep:pw@db.internal:5432/bookkeep?sslmode=require",
                "database-app-password": generated,
                "redis-url": "rediss://:token@cache.internal:6379",
                "jwt-secret": "jwt",
            });
            expect(new URL(present(data["database-url"], "database-url")).search).to.equal(new URL(present(data["database-owner-url"], "database-owner-url")).search);
            expect(JSON.stringify(s)).to.not.contain("pw@db.internal").and.not.contain(generated);
        }
    });

    it("runs the migration Job named for the release, hardened, and exposes it for the fleet to wait on", async () => {
        const job = obj(production.ev, "Job", "db-migration-v1-0-0", prod);
        expect(job.spec).to.include({ backoffLimit: 3 });
        expect(job.spec.ttlSecondsAfterFinished).to.be.a("number");
        const pod = job.spec.template.spec;
        expect(pod.restartPolicy).to.equal("Never");
        expect(pod.serviceAccountName).to.equal("db-migration");
        expect(pod.containers[0]).to.deep.include({
            image: "ghcr.io/bookkeep/migration:v1.0.0",
            command: ["./migrate", "up"],
            // The owner: the migration creates the tables.
            env: [{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "bookkeeping-secrets", key: "database-owner-url" } } }],
        });
        expectHardenedPod(pod, "db-migration");
        expect(obj(production.ev, "ServiceAccount", "db-migration", prod).automountServiceAccountToken).to.equal(false);
        const recorded = production.ev.resources.find(r => r.type === "kubernetes:batch/v1:Job" && meta(r).name === "db-migration-v1-0-0")!;
        expect(recorded.deleteBeforeReplace).to.equal(true);
        const secretUrn = production.ev.resources.find(r => r.type === "kubernetes:core/v1:Secret" && meta(r).name === "bookkeeping-secrets")!.urn;
        expect(recorded.dependsOn).to.include(secretUrn);
        expect(await production.migrationUrn).to.equal(recorded.urn);
        // A new release is a new Job, so it runs again.
        const next = obj(staging.ev, "Job", "db-migration-v1-2-3", "bookkeep-staging");
        expect(next.spec.template.spec.containers[0].image).to.equal("ghcr.io/bookkeep/migration:v1.2.3");
    });

    it("first creates the least-privilege app role as the owner, its password from the Secret via env, hardened", () => {
        for (const [layer, ns] of [[production, prod], [development, "bookkeep-development"]] as const) {
            const pod = obj(layer.ev, "Job", "db-migration-v1-0-0", ns).spec.template.spec;
            expect(pod.initContainers.map((c: any) => c.name), ns).to.deep.equal(["app-role"]);
            const init = pod.initContainers[0];
            expect(init.image).to.equal("postgres:15.10-alpine");
            expect(init.env).to.deep.equal([
                { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "bookkeeping-secrets", key: "database-owner-url" } } },
                { name: "APP_DB_PASSWORD", valueFrom: { secretKeyRef: { name: "bookkeeping-secrets", key: "database-app-password" } } },
            ]);
            expect(init.command.slice(0, 2)).to.deep.equal(["/bin/sh", "-c"]);
            const script: string = init.command[2];
            expect(script).to.match(/^set -eu\ntest -n "\$APP_DB_PASSWORD"\npsql "\$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 <<'SQL'\n/);
            expect(script.endsWith("\nSQL")).to.equal(true);
            // The password comes from the environment into a psql variable, quoted by psql.
            expect(script).to.contain("\\getenv app_password APP_DB_PASSWORD\n");
            expect(script).to.contain("ALTER ROLE bookkeep_app WITH LOGIN PASSWORD :'app_password';");
            expect(script).to.match(/IF NOT EXISTS \(SELECT FROM pg_catalog\.pg_roles WHERE rolname = 'bookkeep_app'\) THEN\s+CREATE ROLE bookkeep_app LOGIN;/);
            for (const grant of [
                `GRANT CONNECT ON DATABASE :"DBNAME" TO bookkeep_app;`,
                "GRANT USAGE ON SCHEMA public TO bookkeep_app;",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO bookkeep_app;",
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO bookkeep_app;",
                `ALTER DEFAULT PRIVILEGES FOR ROLE :"USER" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bookkeep_app;`,
                `ALTER DEFAULT PRIVILEGES FOR ROLE :"USER" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO bookkeep_app;`,
            ]) {
                expect(script, grant).to.contain(grant);
            }
            // Nothing beyond DML: no DDL, superuser or role-management powers for the services.
            expect(script).to.not.match(/GRANT (ALL|CREATE)|SUPERUSER|CREATEROLE|CREATEDB|TO PUBLIC/);
            expect(JSON.stringify(pod)).to.not.contain("Pw0fake").and.not.contain("pw@db.internal");
            expect(init.resources).to.deep.equal({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } });
            expect(init.volumeMounts).to.deep.equal([{ name: "tmp", mountPath: "/tmp" }]);
            expectHardenedPod(pod, `${ns}/db-migration`);
        }
    });

    it("backs the database up daily at 02:00 (plus weekly and monthly) as the backup identity, hardened", () => {
        const ev = production.ev;
        const daily = obj(ev, "CronJob", "db-backup", prod);
        expect(daily.spec).to.include({ schedule: "0 2 * * *", concurrencyPolicy: "Forbid", successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3, startingDeadlineSeconds: 3600 });
        expect(obj(ev, "CronJob", "db-backup-weekly", prod).spec.schedule).to.equal("0 3 * * 0");
        expect(obj(ev, "CronJob", "db-backup-monthly", prod).spec.schedule).to.equal("0 4 1 * *");
        const pod = daily.spec.jobTemplate.spec.template.spec;
        expect(pod.serviceAccountName).to.equal("db-backup");
        expectHardenedPod(pod, "db-backup");
        expect(pod.initContainers[0].image).to.match(/^postgres:15\.\d+-alpine$/);
        // The date is taken once, in IST, before the dump; the file name is fixed, so an upload after
        // midnight still finds it and keys it by the day the dump started.
        expect(pod.initContainers[0].command[2]).to.equal(`set -eu -o pipefail\ndate +%Y%m%d > /backup/date\npg_dump --no-owner --no-privileges "$DATABASE_URL" | gzip > /backup/bookkeep.sql.gz`);
        expect(pod.initContainers[0].env).to.deep.equal([
            { name: "TZ", value: "Asia/Kolkata" },
            { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "bookkeeping-secrets", key: "database-owner-url" } } },
        ]);
        expect(pod.containers[0].image).to.equal("amazon/aws-cli:2.22.35");
        expect(pod.containers[0].command[2]).to.equal("set -eu\naws s3 cp /backup/bookkeep.sql.gz s3://bookkeep-test-backups/daily/bookkeep-$(cat /backup/date).sql.gz");
        expect(pod.containers[0].env).to.deep.include({ name: "TZ", value: "Asia/Kolkata" });
        expect(daily.spec.timeZone).to.equal("Asia/Kolkata");
        const weekly = obj(ev, "CronJob", "db-backup-weekly", prod).spec.jobTemplate.spec.template.spec;
        expect(weekly.containers[0].command[2]).to.contain("s3://bookkeep-test-backups/weekly/bookkeep-$(cat /backup/date).sql.gz");
        expect(pod.containers[0].env).to.deep.include({ name: "AWS_REGION", value: "ap-south-1" });
        expect(pod.volumes).to.deep.equal([{ name: "backup", emptyDir: { sizeLimit: "20Gi" } }, { name: "tmp", emptyDir: { sizeLimit: "1Gi" } }]);
        const sa = obj(ev, "ServiceAccount", "db-backup", prod);
        expect(sa.metadata.annotations).to.deep.equal({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/backup" });
        expect(sa.automountServiceAccountToken).to.equal(false);
    });

    it("runs the foundation's hourly cache snapshot job as its own identity, hardened, with egress to the cloud API only", () => {
        const ev = production.ev;
        const cron = obj(ev, "CronJob", "redis-snapshot", prod);
        expect(cron.spec).to.include({ schedule: "0 * * * *", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid", startingDeadlineSeconds: 600 });
        const pod = cron.spec.jobTemplate.spec.template.spec;
        expect(pod.serviceAccountName).to.equal("redis-snapshot");
        expectHardenedPod(pod, "redis-snapshot");
        expect(pod.containers[0].image).to.equal("amazon/aws-cli:2.22.35");
        expect(pod.containers[0].command).to.deep.equal(["/bin/sh", "-c", "aws elasticache create-snapshot --cache-cluster-id \"$SOURCE\" --snapshot-name hourly"]);
        expect(pod.containers[0].env).to.deep.equal([{ name: "HOME", value: "/tmp" }, { name: "SOURCE", value: "bookkeep-test-redis-002" }]);
        const sa = obj(ev, "ServiceAccount", "redis-snapshot", prod);
        expect(sa.metadata.annotations).to.deep.equal({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/redis-snapshot" });
        expect(sa.automountServiceAccountToken).to.equal(false);
        expect(policy(ev, "redis-snapshot", prod)).to.deep.equal({
            podSelector: { matchLabels: { "app.kubernetes.io/name": "redis-snapshot" } },
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.10.0.0/16"] } }], ports: [{ port: 443, protocol: "TCP" }] }],
        });
        // GCP's Memorystore snapshots itself: no such job there.
        expect(productionGcp.ev.resources.filter(r => r.type === "kubernetes:batch/v1:CronJob").map(r => meta(r).name)).to.have.members(["db-backup", "db-backup-weekly", "db-backup-monthly"]);
    });

    it("runs Elasticsearch under ECK with security: HTTP TLS from the private CA, transport TLS from the operator's, and writers that may only add to bookkeep-*", () => {
        const ev = production.ev;
        const es = obj(ev, "Elasticsearch", "elasticsearch", mon);
        expect(es.apiVersion).to.equal("elasticsearch.k8s.elastic.co/v1");
        expect(es.spec.version).to.match(/^8\.\d+\.\d+$/).and.not.equal("8.5.1");
        expect(es.spec.http).to.deep.equal({ tls: { certificate: { secretName: "elasticsearch-http-tls" } } });
        const [set] = es.spec.nodeSets;
        const pod = set.podTemplate.spec;
        expect(pod).to.deep.include({ serviceAccountName: "elasticsearch", automountServiceAccountToken: false });
        expectHardenedPod(pod, "elasticsearch");
        expect(pod.containers[0].image).to.equal(`docker.elastic.co/elasticsearch/elasticsearch:${es.spec.version}`);
        expect(set.volumeClaimTemplates).to.deep.equal([{
            metadata: { name: "elasticsearch-data" }, spec: { storageClassName: "gp3-encrypted", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "100Gi" } } },
        }]);
        // The operator and its CRDs come first.
        const eckUrns = production.ev.resources.filter(r => r.type === "kubernetes:helm.sh/v4:Chart" && ["eck-operator-crds", "elastic-operator"].includes(String(r.inputs.name))).map(r => r.urn);
        expect(eckUrns).to.have.length(2);
        const esRes = production.ev.resources.find(r => r.type === "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch")!;
        expect(esRes.dependsOn).to.include.members(eckUrns);
        // HTTP: a ClusterIssuer (its key in cert-manager's namespace), whose certificates in the
        // client namespaces are server-only and carry nothing but the CA certificate to the clients.
        expect(obj(ev, "ClusterIssuer", "bookkeep-logging-ca").spec).to.deep.equal({ ca: { secretName: "elasticsearch-ca" } });
        expect(obj(ev, "Certificate", "elasticsearch-ca", sys).spec).to.deep.include({ isCA: true, issuerRef: { name: "bookkeep-logging-ca-selfsigned", kind: "ClusterIssuer" } });
        const http = obj(ev, "Certificate", "elasticsearch-http-tls", mon).spec;
        expect(http).to.deep.include({ usages: ["server auth"], issuerRef: { name: "bookkeep-logging-ca", kind: "ClusterIssuer" } });
        expect(http.dnsNames).to.include(`elasticsearch-es-http.${mon}.svc`).and.include(`elasticsearch-es-http.${mon}.svc.cluster.local`);
        for (const [name, ns] of [["elasticsearch-client-tls", mon], ["fluentd-elasticsearch-tls", sys]] as const) {
            expect(obj(ev, "Certificate", name, ns).spec, name).to.deep.include({ usages: ["server auth"], issuerRef: { name: "bookkeep-logging-ca", kind: "ClusterIssuer" } });
        }
        // Transport: the operator's own per-cluster CA; no Issuer of ours signs transport certificates.
        expect(ev.resources.filter(r => kindOf(r) === "Issuer" && String(meta(r).name).startsWith("elasticsearch"))).to.deep.equal([]);
        // Clients mount only the ca.crt of their namespace's Secret, and log in as their own user.
        const caOnly = (secretName: string) => ({ name: "elasticsearch-ca", secret: { secretName, items: [{ key: "ca.crt", path: "ca.crt" }] } });
        const f = chart(ev, "fluentd").values;
        expect(f.volumes).to.deep.include(caOnly("fluentd-elasticsearch-tls"));
        expect(f.env).to.deep.equal([{ name: "ELASTICSEARCH_PASSWORD", valueFrom: { secretKeyRef: { name: "fluentd-elasticsearch", key: "password" } } }]);
        expect(f.fileConfigs["04_outputs.conf"]).to.contain("write_operation create");
        // The setup Job, as the superuser, creates the writer role and users. No password on a
        // command line: the superuser's goes to a curl config on a private in-memory /tmp.
        const job = obj(ev, "Job", esSetupJob(ev).slice(4), mon).spec.template.spec;
        const script: string = job.containers[0].command[2];
        expect(script).to.contain(`/_security/role/bookkeep-writer' -d '${JSON.stringify({
            cluster: ["monitor"], indices: [{ names: ["bookkeep-*"], privileges: ["create_index", "create_doc", "auto_configure", "view_index_metadata"] }],
        })}'`);
        expect(script).to.contain(`printf '{"password":"%s","roles":["bookkeep-writer"]}' "$FLUENTD_PASSWORD" | curl`);
        expect(script).to.contain(`printf 'user = "elastic:%s"\\n' "$ELASTIC_PASSWORD" > /tmp/elastic.curlrc`).and.contain("-K /tmp/elastic.curlrc");
        expect(script).to.contain("--cacert /etc/elasticsearch-ca/ca.crt").and.not.contain("-k ").and.not.contain("http://").and.not.contain("-u ");
        expect(job.containers[0].env).to.deep.equal([
            { name: "ELASTIC_PASSWORD", valueFrom: { secretKeyRef: { name: "elasticsearch-es-elastic-user", key: "elastic" } } },
            { name: "FLUENTD_PASSWORD", valueFrom: { secretKeyRef: { name: "elasticsearch-writers", key: "fluentd" } } },
            { name: "COLLECTOR_PASSWORD", valueFrom: { secretKeyRef: { name: "elasticsearch-writers", key: "otel-collector" } } },
            { name: "GRAFANA_PASSWORD", valueFrom: { secretKeyRef: { name: "elasticsearch-readers", key: "grafana" } } },
            { name: "MONITOR_PASSWORD", valueFrom: { secretKeyRef: { name: "elasticsearch-exporter", key: "password" } } },
        ]);
        expect(job.volumes).to.deep.equal([caOnly("elasticsearch-client-tls"), { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }]);
        // Every password is generated, secret, the same in both namespaces' Secrets, and in no chart's values.
        const writers = reveal(obj(ev, "Secret", "elasticsearch-writers", mon).stringData) as Record<string, string>;
        const fluentd = reveal(obj(ev, "Secret", "fluentd-elasticsearch", sys).stringData) as Record<string, string>;
        expect(writers.fluentd).to.match(/^[A-Za-z0-9]{32}$/).and.equal(fluentd.password).and.not.equal(writers["otel-collector"]);
        expect(isSecret(obj(ev, "Secret", "elasticsearch-writers", mon).stringData)).to.equal(true);
        const values = JSON.stringify(["fluentd", "otel-collector"].map(release => chart(ev, release).values));
        for (const password of [writers.fluentd, writers["otel-collector"]]) {
            expect(values).to.not.contain(password);
        }
    });

    it("snapshots Elasticsearch nightly into the backups bucket as its workload identity (s3 with IRSA on AWS, gcs on GCP)", () => {
        const script = (ev: typeof production.ev) => obj(ev, "Job", esSetupJob(ev).slice(4), mon).spec.template.spec.containers[0].command[2] as string;
        const repo = (type: string) => `/_snapshot/backups' -d '${JSON.stringify({ type, settings: { bucket: "bookkeep-test-backups", base_path: "elasticsearch" } })}'`;
        expect(script(production.ev)).to.contain(repo("s3")).and.contain(`/_slm/policy/nightly' -d '${JSON.stringify({
            schedule: "0 30 1 * * ?", name: "<nightly-{now/d}>", repository: "backups",
            config: { indices: ["bookkeep-*"], include_global_state: false }, retention: { expire_after: "30d", min_count: 3, max_count: 60 },
        })}'`);
        expect(script(productionGcp.ev)).to.contain("\"type\":\"gcs\"").and.contain("/_slm/policy/nightly");
        const sa = (ev: typeof production.ev) => obj(ev, "ServiceAccount", "elasticsearch", mon);
        expect(sa(production.ev).metadata.annotations).to.have.all.keys("eks.amazonaws.com/role-arn");
        // ES reads the web identity token only from its config directory: AWS only.
        const pod = (ev: typeof production.ev) => obj(ev, "Elasticsearch", "elasticsearch", mon).spec.nodeSets[0].podTemplate.spec;
        expect(pod(production.ev).containers[0].volumeMounts).to.deep.equal([
            { name: "aws-web-identity-token", mountPath: "/usr/share/elasticsearch/config/repository-s3", readOnly: true },
        ]);
        expect(pod(production.ev).volumes[0].projected.sources[0].serviceAccountToken).to.deep.equal({ audience: "sts.amazonaws.com", expirationSeconds: 86400, path: "aws-web-identity-token-file" });
        expect(pod(productionGcp.ev).volumes).to.equal(undefined);
        // Egress to the object store over HTTPS (and the metadata server on GKE).
        const egress = (ev: typeof production.ev) => policy(ev, "elasticsearch", mon).egress;
        expect(egress(production.ev)).to.deep.include({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }] });
        expect(egress(productionGcp.ev).length).to.be.greaterThan(egress(production.ev).length);
    });

    it("runs Kibana from the same operator at kibana.<domain> through the gateway's wildcard listener, reachable only from the proxies", () => {
        const kb = obj(production.ev, "Kibana", "kibana", mon).spec;
        expect(kb).to.deep.include({ count: 2, elasticsearchRef: { name: "elasticsearch" }, http: { tls: { selfSignedCertificate: { disabled: true } } } });
        expectHardenedPod(kb.podTemplate.spec, "kibana");
        const route = obj(production.ev, "HTTPRoute", "kibana", prod).spec;
        expect(route.parentRefs[0]).to.include({ name: "bookkeep-gateway", namespace: sys, sectionName: "https-wildcard" });
        expect(route.hostnames).to.deep.equal([`kibana.${kb.config["server.publicBaseUrl"].replace("https://kibana.", "")}`]);
        expect(route.rules).to.deep.equal([{ backendRefs: [{ name: "kibana-kb-http", namespace: mon, port: 5601 }] }]);
        expect(obj(production.ev, "ReferenceGrant", "kibana-from-app-routes", mon).spec).to.deep.equal({
            from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: prod }], to: [{ group: "", kind: "Service", name: "kibana-kb-http" }],
        });
        const ingress = policy(production.ev, "kibana", mon).ingress;
        expect(ingress).to.have.length(1);
        expect(ingress[0].ports).to.deep.equal([{ port: 5601, protocol: "TCP" }]);
        expect(ingress[0].from[0].podSelector.matchLabels).to.include({ "app.kubernetes.io/component": "proxy" });
    });

    it("generates every password and keeps the layer's random resources on one provider", () => {
        // One explicit random provider for the whole layer; every random resource uses it.
        const providers = production.ev.resources.filter(r => r.type === "pulumi:providers:random");
        expect(providers.map(r => r.name)).to.deep.equal(["bookkeep-k8s-random"]);
        const randoms = production.ev.resources.filter(r => r.type.startsWith("random:"));
        expect(randoms.map(r => r.name).sort()).to.deep.equal([
            "bookkeep-k8s-logging-collector-password", "bookkeep-k8s-logging-fluentd-password",
            "bookkeep-k8s-logging-grafana-password", "bookkeep-k8s-logging-monitor-password",
            "bookkeep-k8s-monitoring-grafana-admin", ...natsPasswordResources, "bookkeep-k8s-secrets-app-db-password",
        ].sort());
        for (const r of randoms) {
            expect(r.provider, r.name).to.equal(providers[0]!.urn);
        }
    });

    it("lets the Fluentd chart mount /var/log itself, uses the ES8 client image and drops its own logs first", () => {
        const f = chart(production.ev, "fluentd").values;
        expect(f).to.deep.include({
            mountVarLogDirectory: true, mountDockerContainersDirectory: false, configMapConfigs: [],
            volumes: [{ name: "tmp", emptyDir: {} }, { name: "elasticsearch-ca", secret: { secretName: "fluentd-elasticsearch-tls", items: [{ key: "ca.crt", path: "ca.crt" }] } }],
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, { name: "elasticsearch-ca", mountPath: "/etc/elasticsearch-ca", readOnly: true }],
        });
        expect(f.image.tag).to.match(/^v1\.\d+\.\d+-debian-elasticsearch8-/);
        const filters: string = f.fileConfigs["02_filters.conf"];
        expect(filters.indexOf("<match kubernetes.var.log.containers.fluentd-**>\n  @type null\n</match>")).to.equal(0);
        expect(filters).to.contain("@type kubernetes_metadata");
        // Exactly one metrics source on 24231.
        expect(Object.values(f.fileConfigs as Record<string, string>).join("\n").match(/@type prometheus\n/g)).to.have.length(1);
    });

    it("exports traces to Tempo over OTLP gRPC, and reaches nothing else (no Elasticsearch user, CA or egress)", () => {
        const c = chart(production.ev, "otel-collector").values;
        expect(c.config.exporters).to.deep.equal({
            "otlp/tempo": { endpoint: `tempo.${mon}.svc:4317`, tls: { insecure: true }, sending_queue: { enabled: true }, retry_on_failure: { enabled: true } },
            debug: {},
        });
        expect(c).to.not.have.any.keys("extraEnvs", "extraVolumes", "extraVolumeMounts");
        expect(policy(production.ev, "otel-collector", mon).egress).to.deep.equal([
            { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "tempo", "app.kubernetes.io/instance": "tempo" } } }], ports: [{ port: 4317, protocol: "TCP" }] },
        ]);
    });

    it("scrapes no control-plane component a managed cluster hides, and runs node-exporter in its own namespace", () => {
        const v = chart(production.ev, "kube-prometheus-stack").values;
        for (const key of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) {
            expect(v[key], key).to.deep.equal({ enabled: false });
        }
        expect(v["prometheus-node-exporter"].namespaceOverride).to.equal(nodeExporter);
        expect(policy(production.ev, "node-exporter", nodeExporter).ingress).to.deep.equal([{ from: [prometheusPeer], ports: [{ port: 9100, protocol: "TCP" }] }]);
    });

    it("installs every chart that renders a ServiceMonitor/PodMonitor after kube-prometheus-stack (its CRDs)", () => {
        const urnOf = (ev: Evaluation, release: string) => ev.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === release)!;
        const kps = urnOf(production.ev, "kube-prometheus-stack").urn;
        for (const release of ["cert-manager", "nats", "sealed-secrets", "fluentd"]) {
            expect(urnOf(production.ev, release).dependsOn, release).to.include(kps);
        }
        for (const release of ["cert-manager", "nats", "sealed-secrets"]) {
            expect(urnOf(development.ev, release).dependsOn.filter(u => u.includes("helm.sh")), `${release} without observability`).to.deep.equal([]);
        }
        // Envoy Gateway renders no monitor, but its xDS certificates come from cert-manager: it waits for their Certificates.
        expect(urnOf(production.ev, "envoy-gateway").dependsOn.filter(u => u.includes("helm.sh"))).to.deep.equal([]);
        expect(urnOf(production.ev, "envoy-gateway").dependsOn.filter(u => u.includes("cert-manager.io/v1:Certificate")).map(u => u.split("::").pop()))
            .to.deep.equal(["bookkeep-k8s-gateway-xds-controller-cert", "bookkeep-k8s-gateway-xds-proxy-cert"]);
    });

    it("gives the fleet the migration Job, the gateway's chart (the HTTPRoute CRD) and Flagger's CRDs and MetricTemplates to wait for", async () => {
        const job = production.ev.resources.find(r => r.type === "kubernetes:batch/v1:Job" && meta(r).name === "db-migration-v1-0-0")!;
        const gateway = production.ev.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "envoy-gateway")!;
        const flagger = production.ev.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "flagger")!;
        const templates = production.ev.resources.filter(r => r.type === "kubernetes:flagger.app/v1beta1:MetricTemplate").map(r => r.urn);
        expect(templates).to.have.length(2);
        expect(await production.readyForFleet).to.deep.equal([job.urn, gateway.urn, flagger.urn, ...templates]);
    });

    it("lets the migration run to its own deadline and replaces a Job that never became ready", () => {
        const recorded = production.ev.resources.find(r => r.type === "kubernetes:batch/v1:Job" && meta(r).name === "db-migration-v1-0-0")!;
        expect(recorded.customTimeouts).to.include({ create: "35m", update: "35m" });
        expect((recorded.inputs.spec as any).activeDeadlineSeconds).to.equal(30 * 60);
        expect(meta(recorded).annotations).to.deep.equal({ "pulumi.com/replaceUnready": "true" });
    });

    it("is identical in shape on AWS and GCP foundations, but for the scheduled cloud job only AWS has and the snapshot repository's type", () => {
        const snapshotJob = (r: RecordedResource) => r.name.startsWith("bookkeep-k8s-cache-snapshots");
        const shape = (ev: Evaluation) => ev.resources.filter(r => !snapshotJob(r)).map(r => `${r.type} ${r.name}`).sort();
        expect(shape(productionGcp.ev)).to.deep.equal(shape(production.ev));
        expect(production.ev.resources.filter(snapshotJob)).to.have.length(4);
        const aws = inventory(production.ev);
        aws[prod] = present(aws[prod], prod).filter(x => !x.endsWith("/redis-snapshot"));
        // The setup Job's digest covers its snapshot repository (s3 or gcs).
        const withoutDigest = (inv: Record<string, string[]>) =>
            Object.fromEntries(Object.entries(inv).map(([ns, objs]) => [ns, objs.map(o => o.replace(/^(Job\/elasticsearch-setup-\d+d)-[0-9a-f]{8}$/, "$1"))]));
        expect(withoutDigest(inventory(productionGcp.ev))).to.deep.equal(withoutDigest(aws));
    });

    it("hands the edge's origin to the gateway: source ranges on its load balancer, client certificates on its listeners", async () => {
        const layer = await evaluateLayer("staging", "aws", {}, loadCatalog(), { sourceRanges: ["173.245.48.0/20"], clientCaPem: "PEM" });
        const proxy = obj(layer.ev, "EnvoyProxy", "bookkeep-gateway", sys) as any;
        expect(proxy.spec.provider.kubernetes.envoyService.loadBalancerSourceRanges).to.deep.equal(["173.245.48.0/20"]);
        expect((obj(layer.ev, "ClientTrafficPolicy", "bookkeep-gateway", sys) as any).spec.tls.clientValidation)
            .to.deep.equal({ caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "origin-client-ca" }] });
        expect((obj(staging.ev, "ClientTrafficPolicy", "bookkeep-gateway", sys) as any).spec.tls).to.deep.equal({ minVersion: "1.2" });
    });

    it("rejects an empty catalog before registering anything", async () => {
        await expectInputError(() => evaluateLayer("staging", "aws", {}, []), "catalog", "at least one service");
    });
});
