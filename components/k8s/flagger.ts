/**
 * Flagger and its load tester in bookkeep-system, for progressive delivery
 * (`bookkeep:delivery.progressive`): Flagger drives each service's Canary through the Gateway API
 * routes (its `gatewayapi:v1` provider) and judges it on the cluster's Prometheus; the load tester
 * runs the Canary's webhooks (acceptance test, load). The MetricTemplates the Canaries reference
 * live in the app namespace, derived from the alert rules (canaryChecks.ts).
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../../services/schema";
import { Environment } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { platformPeers } from "../naming";
import { canaryChecks } from "./canaryChecks";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { catalogPorts, inNamespace, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

export interface FlaggerArgs {
    /** Names the cluster in Flagger's events and restricts it to this environment's app namespace. */
    readonly environment: Environment;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The service catalog: the ports the load tester may call. */
    readonly catalog: readonly ServiceSpec[];
    /** What Flagger needs before it starts: the Gateway API CRDs (the gateway chart) and Prometheus. Default none. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * kube-prometheus-stack's Prometheus Service (release `kube-prometheus-stack`, components/k8s/monitoring.ts);
 * tests/delivery-plan.spec.ts checks the chart renders a Service of this name.
 */
export const prometheusService = "kube-prometheus-stack-prometheus";
export const prometheusPort = 9090;
/** The load tester's Service (release name; the chart names objects after it), port 80 to the pod's 8080. */
export const loadtesterService = "flagger-loadtester";
const loadtesterPort = 8080;
/** Pod labels the charts set (`app.kubernetes.io/name` is the chart's name). */
export const flaggerPods = { "app.kubernetes.io/name": "flagger" };
export const loadtesterPods = { "app.kubernetes.io/name": "loadtester" };

/** The loader's URL in a Canary webhook. */
export function loadtesterUrl(systemNamespace: string): string {
    return `http://${loadtesterService}.${systemNamespace}/`;
}

export class Flagger extends pulumi.ComponentResource {
    /** Flagger's chart: its CRDs (Canary, MetricTemplate, AlertProvider) must exist before any Canary. */
    public readonly chart: k8s.helm.v4.Chart;
    /** The MetricTemplates the Canaries reference, keyed by template name. */
    public readonly metricTemplates: Record<string, k8s.apiextensions.CustomResource>;

    constructor(name: string, args: FlaggerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Flagger", name, {}, opts);
        const { environment, foundation, namespaces } = args;
        const system = namespaces.system;
        const names = namespaces.names;
        const peers = platformPeers(environment);
        const production = environment === "production";

        this.chart = pinnedChart(`${name}-chart`, charts.flagger, "flagger", system, {
            meshProvider: "gatewayapi:v1",
            metricsServer: `http://${prometheusService}.${names.monitoring}:${prometheusPort}`,
            // Only the app namespace holds Canaries; Flagger then watches nothing else.
            namespace: names.app,
            clusterName: `bookkeep-${environment}`,
            // The chart has no pod-level securityContext value: the restricted settings go on the container.
            securityContext: { enabled: true, context: { ...restrictedContainer(), runAsUser: 10001, runAsGroup: 10001 } },
            // Requests near what each idles at: staging's two nodes have little memory to spare.
            resources: resources({ cpu: "20m", memory: production ? "32Mi" : "16Mi" }, { cpu: "500m", memory: "256Mi" }),
            // Two replicas behind a leader lease in production, so a drain never stalls a release.
            leaderElection: { enabled: production, replicaCount: production ? 2 : 1 },
            podDisruptionBudget: { enabled: production, minAvailable: 1 },
            // Service-mesh injection hints are meaningless here (no mesh).
            podAnnotations: { "linkerd.io/inject": null, "appmesh.k8s.aws/sidecarInjectorWebhook": null },
        }, { parent: this, dependsOn: args.dependsOn ?? [] });

        // Its own account without an API token: the load tester only runs HTTP checks.
        const loadtesterAccount = new k8s.core.v1.ServiceAccount(`${name}-loadtester-sa`, {
            metadata: { name: loadtesterService, namespace: system, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            automountServiceAccountToken: false,
        }, { parent: this });
        pinnedChart(`${name}-loadtester`, charts.flaggerLoadtester, loadtesterService, system, {
            serviceAccountName: loadtesterAccount.metadata.name,
            cmd: { timeout: "1h", namespaceRegexp: `^${names.app}$` },
            securityContext: { enabled: true, context: { ...restrictedContainer(), runAsUser: 100, runAsGroup: 101 } },
            podSecurityContext: { enabled: true, context: { ...restrictedPod(100), runAsGroup: 101, fsGroup: 101 } },
            resources: resources({ cpu: "10m", memory: production ? "32Mi" : "16Mi" }, { cpu: "500m", memory: "256Mi" }),
            // hey and curl write nothing but scratch files; the root filesystem stays read-only.
            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            podAnnotations: { "prometheus.io/scrape": null, "prometheus.io/port": null },
            replicaCount: production ? 2 : 1,
            podDisruptionBudget: { enabled: production, minAvailable: 1 },
        }, { parent: this });

        this.metricTemplates = {};
        for (const check of canaryChecks()) {
            this.metricTemplates[check.template] = new k8s.apiextensions.CustomResource(`${name}-${check.template}`, {
                apiVersion: "flagger.app/v1beta1",
                kind: "MetricTemplate",
                metadata: {
                    name: check.template,
                    namespace: names.app,
                    labels: { "app.kubernetes.io/part-of": "bookkeep" },
                    // The policy pack compares the Canaries' thresholds with this alert's (policies/delivery.ts).
                    annotations: { "bookkeep.app/alert": check.alert },
                },
                spec: {
                    provider: { type: "prometheus", address: `http://${prometheusService}.${names.monitoring}:${prometheusPort}` },
                    query: check.query,
                },
            }, { parent: this, dependsOn: [this.chart] });
        }

        const child = { parent: this };
        const loadtester = inNamespace(names.system, loadtesterPods);
        networkPolicy(`${name}-netpol`, "flagger", system, {
            podSelector: { matchLabels: flaggerPods },
            ingress: [],
            egress: [
                kubeApiEgress(foundation),
                { to: [peers.prometheus], ports: tcp(prometheusPort) },
                { to: [loadtester], ports: tcp(loadtesterPort) },
            ],
        }, child);
        networkPolicy(`${name}-loadtester-netpol`, "flagger-loadtester", system, {
            podSelector: { matchLabels: loadtesterPods },
            ingress: [{ from: [inNamespace(names.system, flaggerPods)], ports: tcp(loadtesterPort) }],
            // The webhooks call the services' canary Services; each service admits the load tester on its own port.
            egress: [{ to: [inNamespace(names.app)], ports: tcp(...catalogPorts(args.catalog, "port")) }],
        }, child);
        // Prometheus' side of Flagger's queries (Prometheus' own policy admits Grafana alone).
        networkPolicy(`${name}-prometheus-netpol`, "prometheus-from-flagger", namespaces.monitoring, {
            podSelector: { matchLabels: peers.prometheus.podSelector.matchLabels },
            ingress: [{ from: [inNamespace(names.system, flaggerPods)], ports: tcp(prometheusPort) }],
        }, child);
        this.registerOutputs({});
    }
}
