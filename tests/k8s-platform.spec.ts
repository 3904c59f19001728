/**
 * The Kubernetes platform layer on a plain-value foundation: exact objects per namespace, pinned
 * charts and their key values, the seed's alerts verbatim, NetworkPolicy rules, Pod Security,
 * the migration Job and the backup CronJobs, and cloud-agnostic shape.
 */
import { expect } from "chai";
import { parse } from "yaml";
import { KubernetesPlatform } from "../components/k8s/platform";
import { Evaluation, RecordedResource } from "../offline/engine";
import { readStackFile } from "../offline/stackFile";
import { loadCatalog } from "../services";
import { parseStackConfig } from "../stacks/load";
import { fakeFoundation } from "./fakeFoundation";
import { expectInputError, isSecret, one, reveal, run } from "./harness";

type Cloud = "aws" | "gcp" | "local";
interface Layer { readonly ev: Evaluation; readonly migrationUrn: Promise<string> }

function evaluateLayer(stack: string, cloud: Cloud, overrides: Record<string, unknown> = {}, catalog = loadCatalog()): Promise<Layer> {
    const config = parseStackConfig(readStackFile(stack, overrides).config);
    let migrationUrn: Promise<string> = Promise.resolve("");
    return run(() => {
        const f = fakeFoundation(cloud);
        const platform = new KubernetesPlatform("bookkeep-k8s", { config, foundation: f, catalog }, { providers: [f.k8sProvider] });
        migrationUrn = new Promise(resolve => platform.migration.urn.apply(resolve));
        return {};
    }).then(ev => ({ ev, migrationUrn }));
}

const kindOf = (r: RecordedResource) => r.type.slice(r.type.lastIndexOf(":") + 1);
const meta = (r: RecordedResource) => (r.inputs.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, unknown> };
const isK8s = (r: RecordedResource) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:");

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
    return found[0].inputs;
}

function chart(ev: Evaluation, release: string): any {
    const found = ev.resources.filter(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === release);
    expect(found, `exactly one chart ${release}`).to.have.length(1);
    return found[0].inputs;
}

function policy(ev: Evaluation, name: string, namespace: string): any {
    return obj(ev, "NetworkPolicy", name, namespace).spec;
}

const prod = "bookkeep-production";
const sys = "bookkeep-system";
const mon = "bookkeep-monitoring";
const nats = "bookkeep-nats";
const dnsRule = {
    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
    ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }],
};
const prometheusPeer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": mon } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } };
const allServices = ["auth-service", "bookkeeping-service", "invoice-service", "tax-service", "customer-service", "report-service"];
const servicesSelector = (names: string[]) => ({ matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: names }] });

/** The seed's alerting rules block, copied verbatim from BookKeep-DevOps.md. */
const seedAlerts = `
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
        expect(inventory(production.ev)).to.deep.equal({
            "": ["ClusterIssuer/letsencrypt-prod", "Namespace/bookkeep-monitoring", "Namespace/bookkeep-nats", "Namespace/bookkeep-production", "Namespace/bookkeep-system"],
            [prod]: [
                "Certificate/bookkeep-tls",
                "CronJob/db-backup", "CronJob/db-backup-monthly", "CronJob/db-backup-weekly",
                "Job/db-migration-v1-0-0",
                "LimitRange/bookkeep-limits",
                "NetworkPolicy/allow-dns", "NetworkPolicy/allow-from-ingress-controller", "NetworkPolicy/allow-prometheus-scrape",
                "NetworkPolicy/allow-to-nats", "NetworkPolicy/allow-to-otel-collector", "NetworkPolicy/db-backup", "NetworkPolicy/db-migration",
                "NetworkPolicy/default-deny",
                "ResourceQuota/bookkeep-quota",
                "Secret/bookkeeping-secrets",
                "Service/otel-collector",
                "ServiceAccount/db-backup", "ServiceAccount/db-migration",
            ],
            [sys]: [
                "Chart/cert-manager", "Chart/fluentd", "Chart/ingress-nginx", "Chart/sealed-secrets",
                "NetworkPolicy/allow-dns", "NetworkPolicy/cert-manager-controller", "NetworkPolicy/cert-manager-kube-api", "NetworkPolicy/cert-manager-webhook",
                "NetworkPolicy/default-deny", "NetworkPolicy/fluentd", "NetworkPolicy/ingress-nginx-admission-jobs", "NetworkPolicy/ingress-nginx-controller",
                "NetworkPolicy/sealed-secrets-controller",
            ],
            [mon]: [
                "Chart/elasticsearch", "Chart/kube-prometheus-stack", "Chart/otel-collector",
                "ConfigMap/bookkeep-overview-dashboard",
                "Job/elasticsearch-retention-365d",
                "NetworkPolicy/alertmanager", "NetworkPolicy/allow-dns", "NetworkPolicy/allow-prometheus-scrape", "NetworkPolicy/default-deny",
                "NetworkPolicy/elasticsearch", "NetworkPolicy/elasticsearch-retention", "NetworkPolicy/grafana", "NetworkPolicy/monitoring-kube-api",
                "NetworkPolicy/otel-collector", "NetworkPolicy/prometheus", "NetworkPolicy/prometheus-operator-webhook",
                "PrometheusRule/bookkeep-alerts",
                "Secret/grafana-admin",
                "ServiceMonitor/bookkeep-services",
            ],
            [nats]: ["Chart/nats", "NetworkPolicy/allow-dns", "NetworkPolicy/default-deny", "NetworkPolicy/nats-server"],
        });
    });

    it("leaves out Prometheus, Elasticsearch/Fluentd and the collector when observability is off (development)", () => {
        const inv = inventory(development.ev);
        expect(inv[mon]).to.deep.equal(["NetworkPolicy/allow-dns", "NetworkPolicy/default-deny"]);
        expect(inv[sys].filter(x => x.startsWith("Chart/"))).to.deep.equal(["Chart/cert-manager", "Chart/ingress-nginx", "Chart/sealed-secrets"]);
        expect(inv["bookkeep-development"]).to.not.include.members(["Service/otel-collector", "NetworkPolicy/allow-prometheus-scrape", "NetworkPolicy/allow-to-otel-collector"]);
        expect(inv["bookkeep-development"]).to.include.members(["Job/db-migration-v1-0-0", "CronJob/db-backup", "Secret/bookkeeping-secrets", "Certificate/bookkeep-tls"]);
        expect(chart(development.ev, "ingress-nginx").values.controller.metrics).to.deep.equal({ enabled: false, serviceMonitor: { enabled: false } });
        expect(chart(development.ev, "cert-manager").values.prometheus).to.deep.equal({ enabled: false, servicemonitor: { enabled: false } });
        expect(development.ev.resources.filter(r => r.type.startsWith("random:") || r.type === "pulumi:providers:random")).to.have.length(0);
    });

    it("pins every chart to an exact upstream version over HTTPS", () => {
        const pins = production.ev.resources.filter(r => r.type === "kubernetes:helm.sh/v4:Chart")
            .map(r => [r.inputs.name, r.inputs.chart, r.inputs.version, (r.inputs.repositoryOpts as { repo: string }).repo]).sort();
        expect(pins).to.deep.equal([
            ["cert-manager", "cert-manager", "v1.21.2", "https://charts.jetstack.io"],
            ["elasticsearch", "elasticsearch", "8.5.1", "https://helm.elastic.co"],
            ["fluentd", "fluentd", "0.5.3", "https://fluent.github.io/helm-charts"],
            ["ingress-nginx", "ingress-nginx", "4.14.1", "https://kubernetes.github.io/ingress-nginx"],
            ["kube-prometheus-stack", "kube-prometheus-stack", "82.14.1", "https://prometheus-community.github.io/helm-charts"],
            ["nats", "nats", "2.12.3", "https://nats-io.github.io/k8s/helm/charts/"],
            ["otel-collector", "opentelemetry-collector", "0.158.3", "https://open-telemetry.github.io/opentelemetry-helm-charts"],
            ["sealed-secrets", "sealed-secrets", "2.17.6", "https://bitnami-labs.github.io/sealed-secrets"],
        ]);
    });

    it("labels namespaces for Pod Security Admission (app and NATS enforce restricted)", () => {
        const psa = (ns: string) => obj(production.ev, "Namespace", ns).metadata.labels;
        for (const ns of [prod, nats]) {
            expect(psa(ns), ns).to.include({ "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" });
        }
        // Fluentd (hostPath) and node-exporter (host namespaces) need privileged; audit/warn still restricted.
        for (const ns of [sys, mon]) {
            expect(psa(ns), ns).to.include({ "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" });
        }
    });

    it("starts every namespace from default-deny with DNS egress only", () => {
        for (const ns of [prod, sys, mon, nats]) {
            expect(policy(production.ev, "default-deny", ns), ns).to.deep.equal({ podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] });
            expect(policy(production.ev, "allow-dns", ns), ns).to.deep.equal({ podSelector: {}, policyTypes: ["Egress"], egress: [dnsRule] });
        }
    });

    it("admits exactly the platform flows into and out of the app namespace", () => {
        const ev = production.ev;
        expect(policy(ev, "allow-from-ingress-controller", prod)).to.deep.equal({
            podSelector: servicesSelector(allServices), policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": sys } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller" } } }], ports: [{ port: 3100, protocol: "TCP" }] }],
        });
        expect(policy(ev, "allow-prometheus-scrape", prod)).to.deep.equal({
            podSelector: servicesSelector(allServices), policyTypes: ["Ingress"], ingress: [{ from: [prometheusPeer], ports: [{ port: 9090, protocol: "TCP" }] }],
        });
        expect(policy(ev, "allow-to-nats", prod)).to.deep.equal({
            podSelector: servicesSelector(["bookkeeping-service", "invoice-service", "tax-service", "report-service"]), policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": nats } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "nats" } } }], ports: [{ port: 4222, protocol: "TCP" }] }],
        });
        expect(policy(ev, "allow-to-otel-collector", prod)).to.deep.equal({
            podSelector: servicesSelector(allServices), policyTypes: ["Egress"],
            egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": mon } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "opentelemetry-collector" } } }], ports: [{ port: 4318, protocol: "TCP" }] }],
        });
        expect(policy(ev, "db-migration", prod)).to.deep.equal({
            podSelector: { matchLabels: { "app.kubernetes.io/name": "db-migration" } }, policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "10.10.96.0/24" } }, { ipBlock: { cidr: "10.10.97.0/24" } }, { ipBlock: { cidr: "10.10.98.0/24" } }], ports: [{ port: 5432, protocol: "TCP" }] }],
        });
        expect(policy(ev, "db-backup", prod).egress).to.deep.equal([
            { to: [{ ipBlock: { cidr: "10.10.96.0/24" } }, { ipBlock: { cidr: "10.10.97.0/24" } }, { ipBlock: { cidr: "10.10.98.0/24" } }], ports: [{ port: 5432, protocol: "TCP" }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }] },
        ]);
    });

    it("admits the shared services' own flows (ingress, NATS, Elasticsearch, collector)", () => {
        const ev = production.ev;
        const controller = policy(ev, "ingress-nginx-controller", sys);
        expect(controller.ingress).to.deep.equal([
            { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 80, protocol: "TCP" }, { port: 443, protocol: "TCP" }] },
            { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 8443, protocol: "TCP" }] },
            { from: [prometheusPeer], ports: [{ port: 10254, protocol: "TCP" }] },
        ]);
        expect(controller.egress[0]).to.deep.equal({ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": prod } } }], ports: [{ port: 3100, protocol: "TCP" }] });
        expect(controller.egress[1]).to.deep.equal({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }, { port: 6443, protocol: "TCP" }] });
        const natsServer = policy(ev, "nats-server", nats);
        expect(natsServer.ingress[0]).to.deep.equal({ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": prod } } }], ports: [{ port: 4222, protocol: "TCP" }] });
        expect(natsServer.egress).to.deep.equal([{ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "nats" } } }], ports: [{ port: 6222, protocol: "TCP" }] }]);
        expect(policy(ev, "fluentd", sys).egress[0]).to.deep.equal({
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": mon } }, podSelector: { matchLabels: { app: "elasticsearch" } } }], ports: [{ port: 9200, protocol: "TCP" }],
        });
        expect(policy(ev, "elasticsearch", mon).ingress[0].from[0]).to.deep.equal({
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": sys } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "fluentd" } },
        });
        expect(policy(ev, "otel-collector", mon).ingress[0]).to.deep.equal({
            from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": prod } } }], ports: [{ port: 4318, protocol: "TCP" }, { port: 4317, protocol: "TCP" }],
        });
        expect(policy(ev, "cert-manager-controller", sys).egress).to.deep.equal([
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }] },
            { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] },
        ]);
    });

    it("sizes the app namespace quota from the catalog and forbids PVCs and load balancers there", () => {
        // 6 services x (10 max replicas + 1 surge) + migration + backup.
        expect(obj(production.ev, "ResourceQuota", "bookkeep-quota").spec.hard).to.deep.equal({
            pods: "68",
            "requests.cpu": `${66 * 250 + 100 + 150}m`,
            "requests.memory": `${66 * 256 + 128 + 384}Mi`,
            "limits.cpu": `${66 * 500 + 500 + 1500}m`,
            "limits.memory": `${66 * 512 + 256 + 1536}Mi`,
            persistentvolumeclaims: "0",
            "services.loadbalancers": "0",
            "services.nodeports": "0",
        });
        expect(obj(production.ev, "LimitRange", "bookkeep-limits").spec.limits[0]).to.deep.include({ type: "Container", max: { cpu: "2", memory: "4Gi" } });
    });

    it("runs ingress-nginx behind the foundation's load balancer, hardened, 2 replicas in production", () => {
        const c = chart(production.ev, "ingress-nginx");
        expect(c.namespace).to.equal(sys);
        expect(c.values.controller).to.deep.include({
            replicaCount: 2, minAvailable: 1, allowSnippetAnnotations: false,
            service: { type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" } },
            metrics: { enabled: true, serviceMonitor: { enabled: true } },
            extraArgs: { "default-ssl-certificate": `${prod}/bookkeep-tls` },
        });
        expect(c.values.controller.image).to.include({ runAsNonRoot: true, runAsUser: 101, allowPrivilegeEscalation: false });
        expect(c.values.controller.resources).to.have.keys("requests", "limits");
        expect(chart(staging.ev, "ingress-nginx").values.controller.replicaCount).to.equal(1);
    });

    it("installs cert-manager as the cert-manager identity, the foundation's ClusterIssuer and the wildcard certificate", () => {
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
        expect(obj(ev, "Certificate", "bookkeep-tls", prod).spec).to.deep.include({
            secretName: "bookkeep-tls", dnsNames: ["api.bookkeep.app", "*.bookkeep.app"],
            issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-prod" },
        });
        expect(obj(staging.ev, "Certificate", "bookkeep-tls", "bookkeep-staging").spec.dnsNames).to.deep.equal(["api.staging.bookkeep.app", "*.staging.bookkeep.app"]);
    });

    it("runs NATS JetStream on persistent storage: a 3-node cluster in production, 1 in staging", () => {
        const p = chart(production.ev, "nats").values;
        expect(chart(production.ev, "nats").namespace).to.equal(nats);
        expect(p.config.cluster).to.deep.equal({ enabled: true, replicas: 3 });
        expect(p.config.jetstream.fileStore).to.deep.equal({ enabled: true, dir: "/data", pvc: { enabled: true, size: "20Gi", storageClassName: "gp3-encrypted" } });
        expect(p.podDisruptionBudget).to.deep.equal({ enabled: true });
        expect(p.natsBox).to.deep.equal({ enabled: false });
        expect(p.podTemplate.merge.spec.securityContext).to.include({ runAsNonRoot: true, runAsUser: 1000 });
        expect(p.container.merge.securityContext).to.include({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
        expect(chart(staging.ev, "nats").values.config.cluster).to.deep.equal({ enabled: false, replicas: 1 });
    });

    it("provisions the seed's ServiceMonitor exactly", () => {
        const sm = obj(production.ev, "ServiceMonitor", "bookkeep-services", mon);
        expect(sm.apiVersion).to.equal("monitoring.coreos.com/v1");
        expect(sm.spec).to.deep.equal({
            selector: { matchLabels: { monitoring: "enabled" } },
            namespaceSelector: { matchNames: [prod] },
            endpoints: [{ port: "metrics", interval: "15s", path: "/metrics" }],
        });
    });

    it("provisions the seed's four alerts verbatim", () => {
        const rule = obj(production.ev, "PrometheusRule", "bookkeep-alerts", mon);
        expect(rule.spec).to.deep.equal(parse(seedAlerts));
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
            "<match kubernetes.**>", "@type elasticsearch", `host elasticsearch.${mon}.svc`, "port 9200", "logstash_format true", "logstash_prefix bookkeep",
        ]) {
            expect(conf).to.contain(line);
        }
        const es = chart(production.ev, "elasticsearch");
        expect(es.namespace).to.equal(mon);
        expect(es.values).to.include({ fullnameOverride: "elasticsearch", replicas: 3 });
        expect(es.values.sysctlInitContainer).to.deep.equal({ enabled: false });
        const job = obj(production.ev, "Job", "elasticsearch-retention-365d", mon);
        const script = job.spec.template.spec.containers[0].command[2];
        expect(script).to.contain(`"delete":{"min_age":"365d","actions":{"delete":{}}}`).and.to.contain(`"index_patterns":["bookkeep-*"]`);
        expectHardenedPod(job.spec.template.spec, "elasticsearch-retention");
        expect(obj(staging.ev, "Job", "elasticsearch-retention-30d", mon).metadata.name).to.equal("elasticsearch-retention-30d");
    });

    it("runs the OTel collector with OTLP HTTP 4318, reachable as otel-collector:4318 from the app namespace", () => {
        const c = chart(production.ev, "otel-collector");
        expect(c.namespace).to.equal(mon);
        expect(c.values).to.include({ mode: "deployment", fullnameOverride: "otel-collector" });
        expect(c.values.config.receivers.otlp.protocols.http).to.deep.equal({ endpoint: "${env:MY_POD_IP}:4318" });
        expect(c.values.config.service.pipelines.traces.exporters).to.deep.equal(["elasticsearch"]);
        expect(obj(production.ev, "Service", "otel-collector", prod).spec).to.deep.equal({
            type: "ExternalName", externalName: `otel-collector.${mon}.svc.cluster.local`, ports: [{ name: "otlp-http", port: 4318, protocol: "TCP" }],
        });
    });

    it("creates bookkeeping-secrets from the foundation with every value secret", () => {
        const s = obj(production.ev, "Secret", "bookkeeping-secrets", prod);
        expect(isSecret(s.stringData)).to.equal(true);
        expect(reveal(s.stringData)).to.deep.equal({
            "database-url": "postgres://bookkeep:pw@db.internal:5432/bookkeep?sslmode=require",
            "redis-url": "rediss://:token@cache.internal:6379",
            "jwt-secret": "jwt",
            "nats-url": `nats://nats.${nats}.svc.cluster.local:4222`,
        });
        expect(JSON.stringify(s)).to.not.contain("pw@db.internal");
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
            env: [{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "bookkeeping-secrets", key: "database-url" } } }],
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
        expect(pod.initContainers[0].command[2]).to.contain(`pg_dump "$DATABASE_URL" | gzip > /backup/bookkeep-$(date +%Y%m%d).sql.gz`);
        expect(pod.containers[0].image).to.equal("amazon/aws-cli:2.22.35");
        expect(pod.containers[0].command[2]).to.contain("aws s3 cp /backup/bookkeep-$(date +%Y%m%d).sql.gz s3://bookkeep-test-backups/daily/bookkeep-$(date +%Y%m%d).sql.gz");
        expect(pod.containers[0].env).to.deep.include({ name: "AWS_REGION", value: "ap-south-1" });
        expect(pod.volumes).to.deep.equal([{ name: "backup", emptyDir: { sizeLimit: "20Gi" } }, { name: "tmp", emptyDir: { sizeLimit: "1Gi" } }]);
        const sa = obj(ev, "ServiceAccount", "db-backup", prod);
        expect(sa.metadata.annotations).to.deep.equal({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/backup" });
        expect(sa.automountServiceAccountToken).to.equal(false);
    });

    it("is identical in shape on AWS and GCP foundations", () => {
        const shape = (ev: Evaluation) => ev.resources.map(r => `${r.type} ${r.name}`).sort();
        expect(shape(productionGcp.ev)).to.deep.equal(shape(production.ev));
        expect(inventory(productionGcp.ev)).to.deep.equal(inventory(production.ev));
    });

    it("rejects an empty catalog before registering anything", async () => {
        await expectInputError(() => evaluateLayer("staging", "aws", {}, []), "catalog", "at least one service");
    });
});
