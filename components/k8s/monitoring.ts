/**
 * kube-prometheus-stack in bookkeep-monitoring, plus the monitoring objects docs/requirements.md asks for as typed
 * resources: the bookkeep-services ServiceMonitor, the bookkeep-alerts PrometheusRule and the
 * "BookKeep Overview" dashboard (provisioned by Grafana's sidecar from a labelled ConfigMap).
 *
 * Alertmanager delivers to the receivers the stack config names (alertReceivers.ts).
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Environment } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { Namespaces, platformPeers } from "../naming";
import { ServiceSpec } from "../../services/schema";
import { AlertingConfig } from "../../stacks/alerting";
import { AlertReceivers, configSecret, receiversSecret } from "./alertReceivers";
import { alertGroups, certificateRules, MetricsTarget, metricsTargetRule, overviewDashboard } from "./alerts";
import { charts, pinnedChart } from "./charts";
import { deletedDataSources, grafanaDataSources, grafanaEnvValueFrom } from "./grafanaDataSources";
import { elasticsearchPods } from "./logging";
import { nodeExporterNamespace, PlatformNamespaces } from "./namespaces";
import { anywhere, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

export interface MonitoringArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The platform's explicit @pulumi/random provider (default providers are disabled). */
    readonly randomProvider: random.Provider;
    /** Every scrape target whose silence must page: the services', and what other alerts read (cert-manager's). */
    readonly metricsTargets: readonly MetricsTarget[];
    /** Where alerts go (`bookkeep:observability.alerting`). */
    readonly alerting: AlertingConfig;
}

/** Grafana's k8s-sidecar containers answer /healthz on the port in their HEALTH_PORT variable. */
const sidecarProbe = {
    exec: { command: ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['HEALTH_PORT'] + '/healthz', timeout=3)"] },
    periodSeconds: 30,
    timeoutSeconds: 5,
};

/**
 * The targets whose silence pages: each catalog service (the fleet names its Service
 * `app.kubernetes.io/name: <name>-service`, which the bookkeep-services ServiceMonitor makes the `job`), and cert-manager,
 * without whose metrics the certificate-expiry rules could never fire.
 */
export function metricsTargets(namespaces: Namespaces, catalog: readonly ServiceSpec[]): MetricsTarget[] {
    return [
        ...catalog.map(spec => ({ job: `${spec.name}-service`, namespace: namespaces.app })),
        { job: "cert-manager", namespace: namespaces.system },
    ];
}

export class Monitoring extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;
    public readonly serviceMonitor: k8s.apiextensions.CustomResource;
    public readonly rules: k8s.apiextensions.CustomResource;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Monitoring", name, {}, opts);
        const { environment, foundation, namespaces } = args;
        const production = environment === "production";
        const peers = platformPeers(environment);
        const storageClass = foundation.storageClass ? { storageClassName: foundation.storageClass } : {};

        const grafanaPassword = new random.RandomPassword(`${name}-grafana-admin`, { length: 32, special: false }, { parent: this, provider: args.randomProvider });
        // The Grafana chart's own default admin password is a well-known string.
        const grafanaAdmin = new k8s.core.v1.Secret(`${name}-grafana-admin`, {
            metadata: { name: "grafana-admin", namespace: namespaces.monitoring },
            type: "Opaque",
            stringData: { "admin-user": "admin", "admin-password": grafanaPassword.result },
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });

        const receivers = new AlertReceivers(`${name}-receivers`, { namespace: namespaces.monitoring, alerting: args.alerting }, { parent: this });

        this.chart = pinnedChart(`${name}-chart`, charts.kubePrometheusStack, "kube-prometheus-stack", namespaces.monitoring, {
            crds: { enabled: true },
            prometheus: {
                prometheusSpec: {
                    replicas: production ? 2 : 1,
                    retention: production ? "30d" : "10d",
                    retentionSize: production ? "45GB" : "18GB",
                    // Select every ServiceMonitor/PodMonitor/PrometheusRule, not only the chart's
                    // own: the fleet's and ours carry no Helm release label.
                    serviceMonitorSelectorNilUsesHelmValues: false,
                    podMonitorSelectorNilUsesHelmValues: false,
                    ruleSelectorNilUsesHelmValues: false,
                    resources: production
                        ? resources({ cpu: "500m", memory: "2Gi" }, { cpu: "2", memory: "4Gi" })
                        : resources({ cpu: "200m", memory: "1Gi" }, { cpu: "1", memory: "2Gi" }),
                    securityContext: restrictedPod(1000),
                    storageSpec: {
                        volumeClaimTemplate: {
                            spec: { ...storageClass, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: production ? "50Gi" : "20Gi" } } },
                        },
                    },
                },
            },
            alertmanager: {
                alertmanagerSpec: {
                    replicas: production ? 2 : 1,
                    resources: resources({ cpu: "20m", memory: "64Mi" }, { cpu: "200m", memory: "256Mi" }),
                    securityContext: restrictedPod(1000),
                    useExistingSecret: true,
                    configSecret,
                    secrets: [receiversSecret],
                },
            },
            // The control plane of EKS and GKE is not scrapeable from the cluster, and GKE Dataplane
            // V2 runs no kube-proxy: their targets would only ever raise TargetDown.
            kubeControllerManager: { enabled: false },
            kubeScheduler: { enabled: false },
            kubeEtcd: { enabled: false },
            kubeProxy: { enabled: false },
            grafana: {
                admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
                defaultDashboardsTimezone: "Asia/Kolkata",
                additionalDataSources: grafanaDataSources(namespaces.names.monitoring),
                deleteDatasources: deletedDataSources,
                envValueFrom: grafanaEnvValueFrom,
                sidecar: {
                    dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: namespaces.names.monitoring },
                    resources: resources({ cpu: "10m", memory: "64Mi" }, { cpu: "100m", memory: "128Mi" }),
                    // Every sidecar (dashboards, datasources) serves /healthz on its own HEALTH_PORT,
                    // and the chart gives them one shared probe: so the probe reads the port from
                    // the container's environment (k8s-sidecar is a Python image).
                    livenessProbe: sidecarProbe,
                    readinessProbe: sidecarProbe,
                },
                resources: resources({ cpu: "100m", memory: "256Mi" }, { cpu: "500m", memory: "512Mi" }),
                securityContext: restrictedPod(472),
                containerSecurityContext: { ...restrictedContainer(), readOnlyRootFilesystem: false },
            },
            prometheusOperator: {
                resources: resources({ cpu: "50m", memory: "128Mi" }, { cpu: "500m", memory: "512Mi" }),
                securityContext: restrictedPod(65534),
                containerSecurityContext: restrictedContainer(),
                // The admission webhook (PrometheusRule syntax checks) and the operator's own TLS
                // take their certificate from hook Jobs, which helm.v4.Chart never runs; a
                // cert-manager certificate instead would need cert-manager's CRDs before this
                // chart, whose ServiceMonitor CRD cert-manager itself waits for. Rules are
                // checked by the tests instead, and the operator serves plain HTTP metrics.
                admissionWebhooks: { enabled: false },
                tls: { enabled: false },
            },
            "kube-state-metrics": { resources: resources({ cpu: "20m", memory: "64Mi" }, { cpu: "200m", memory: "256Mi" }) },
            // In its own privileged namespace, so bookkeep-monitoring can enforce `restricted`.
            "prometheus-node-exporter": {
                namespaceOverride: nodeExporterNamespace,
                resources: resources({ cpu: "20m", memory: "32Mi" }, { cpu: "200m", memory: "128Mi" }),
                // Host namespaces and read-only host paths are what it is for (an exemption);
                // nothing else: non-root, no privilege escalation, no capabilities, seccomp.
                securityContext: restrictedPod(65534),
                containerSecurityContext: restrictedContainer(),
            },
        }, { parent: this, dependsOn: [grafanaAdmin, receivers.secret, receivers.config] });

        this.serviceMonitor = new k8s.apiextensions.CustomResource(`${name}-services`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "ServiceMonitor",
            metadata: { name: "bookkeep-services", namespace: namespaces.monitoring },
            spec: {
                selector: { matchLabels: { monitoring: "enabled" } },
                // A ServiceMonitor only looks in its own namespace unless told otherwise.
                namespaceSelector: { matchNames: [namespaces.names.app] },
                // The job is the service's name label, not the scraped Service's name: under a
                // Flagger Canary that Service is `<name>-service-metrics`, and the alert rules, the
                // dashboards and the absent-metrics rules all say job="<name>-service".
                jobLabel: "app.kubernetes.io/name",
                endpoints: [{
                    port: "metrics", interval: "15s", path: "/metrics",
                    // The same for the `service` label the Overview panels group by (the operator
                    // sets it to the Service's name; user relabelings run after its own).
                    relabelings: [{ sourceLabels: ["__meta_kubernetes_service_label_app_kubernetes_io_name"], targetLabel: "service" }],
                }],
            },
        }, { parent: this, dependsOn: [this.chart] });

        this.rules = new k8s.apiextensions.CustomResource(`${name}-alerts`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "bookkeep-alerts", namespace: namespaces.monitoring },
            spec: { groups: alertGroups },
        }, { parent: this, dependsOn: [this.chart] });

        // Apart from bookkeep-alerts, which is the required rules verbatim.
        new k8s.apiextensions.CustomResource(`${name}-signal-alerts`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "bookkeep-signal-alerts", namespace: namespaces.monitoring },
            spec: {
                groups: [
                    { name: "bookkeep-metrics-targets", rules: args.metricsTargets.map(metricsTargetRule) },
                    { name: "bookkeep-certificates", rules: certificateRules },
                ],
            },
        }, { parent: this, dependsOn: [this.chart] });

        new k8s.core.v1.ConfigMap(`${name}-dashboard`, {
            metadata: { name: "bookkeep-overview-dashboard", namespace: namespaces.monitoring, labels: { grafana_dashboard: "1" } },
            data: { "bookkeep-overview.json": JSON.stringify(overviewDashboard, null, 2) },
        }, { parent: this });

        const monitoringNs = namespaces.monitoring;
        const prometheus = { matchLabels: peers.prometheus.podSelector.matchLabels };
        // Only the pods that watch the API: Prometheus' discovery, kube-state-metrics, Grafana's
        // sidecars; and the operator (labelled by `app`).
        networkPolicy(`${name}-kube-api-netpol`, "monitoring-kube-api", monitoringNs, {
            podSelector: { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["prometheus", "kube-state-metrics", "grafana"] }] },
            egress: [kubeApiEgress(foundation)],
        }, { parent: this });
        networkPolicy(`${name}-operator-kube-api-netpol`, "prometheus-operator-kube-api", monitoringNs, {
            podSelector: { matchLabels: { app: "kube-prometheus-stack-operator" } },
            egress: [kubeApiEgress(foundation)],
        }, { parent: this });
        // node-exporter runs on the host network, where most CNIs do not apply NetworkPolicies;
        // this admits the scrape where one does.
        networkPolicy(`${name}-node-exporter-netpol`, "node-exporter", namespaces.nodeExporter, {
            podSelector: {},
            ingress: [{ from: [peers.prometheus], ports: tcp(9100) }],
        }, { parent: this });
        networkPolicy(`${name}-scrape-netpol`, "allow-prometheus-scrape", monitoringNs, {
            podSelector: {},
            ingress: [{ from: [peers.prometheus] }],
        }, { parent: this });
        networkPolicy(`${name}-prometheus-netpol`, "prometheus", monitoringNs, {
            podSelector: prometheus,
            ingress: [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } } }], ports: tcp(9090) }],
            egress: [
                // Scrape targets live in every namespace, on ports their owners choose.
                { to: [{ namespaceSelector: {} }] },
                // Kubelet/cAdvisor and node-exporter listen on node addresses.
                { to: anywhere, ports: tcp(10250, 9100) },
            ],
        }, { parent: this });
        networkPolicy(`${name}-grafana-netpol`, "grafana", monitoringNs, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
            egress: [
                { to: [{ podSelector: prometheus }], ports: tcp(9090) },
                { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } } }], ports: tcp(9093) },
                { to: [{ podSelector: { matchLabels: elasticsearchPods } }], ports: tcp(9200) },
            ],
        }, { parent: this });
        networkPolicy(`${name}-alertmanager-netpol`, "alertmanager", monitoringNs, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } },
            ingress: [
                { from: [{ podSelector: prometheus }, { podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } } }], ports: tcp(9093) },
                { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } } }], ports: [{ port: 9094, protocol: "TCP" }, { port: 9094, protocol: "UDP" }] },
            ],
            egress: [
                // Notification receivers (chat, paging) are HTTPS endpoints outside the cluster.
                { to: anywhere, ports: tcp(443) },
                { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } } }], ports: [{ port: 9094, protocol: "TCP" }, { port: 9094, protocol: "UDP" }] },
            ],
        }, { parent: this });
        this.registerOutputs({ serviceMonitor: this.serviceMonitor, rules: this.rules });
    }
}
