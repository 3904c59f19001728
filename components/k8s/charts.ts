/**
 * Every third-party chart the Kubernetes platform installs, pinned. One table so an upgrade is a
 * reviewed one-line diff, and so the tests can assert that nothing floats.
 *
 * Versions were current upstream releases when pinned; bump one by copying the new archive into
 * charts/ (with its sha256 in charts/SHA256SUMS) and a real preview, because chart values drift
 * between majors. Notes:
 * - Envoy Gateway replaces ingress-nginx (retired upstream in March 2026; issue 19). Chosen over
 *   NGINX Gateway Fabric because its chart ships the Gateway API CRDs with its own (NGF needs them
 *   installed separately, before its chart renders a GatewayClass), and because per-client-IP
 *   rate limits, request-size limits and client-certificate validation are fields of its policy
 *   resources (BackendTrafficPolicy, ClientTrafficPolicy) rather than snippets.
 * - Elasticsearch and Kibana run under Elastic's operator (ECK) as custom resources: Elastic
 *   archived its own Elasticsearch chart at 8.5.1. The CRDs are a chart of their own, so they
 *   exist (and stay) before the operator and the resources it reconciles.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";

export interface ChartPin {
    readonly chart: string;
    /** Exact release; the archive `charts/<chart>-<version>.tgz` must be that release (tests/charts.spec.ts). */
    readonly version: string;
}

/**
 * The vendored archive of a pin, relative to the project root, where both `pulumi up` (the
 * provider resolves a local chart path against the program's working directory) and the offline
 * plan read it: what is checked offline is byte for byte what is deployed, and a deploy does not
 * depend on a chart repository being up. Digests are in charts/SHA256SUMS.
 */
export function chartArchive(pin: ChartPin): string {
    return `./charts/${pin.chart}-${pin.version}.tgz`;
}

export const charts = {
    // Envoy Gateway's chart; upstream publishes it `v`-prefixed.
    envoyGateway: { chart: "gateway-helm", version: "v1.9.0" },
    // v1.21.2 is not among cert-manager's tags; v1.21.1 is its newest release.
    certManager: { chart: "cert-manager", version: "v1.21.1" },
    nats: { chart: "nats", version: "2.12.3" },
    kubePrometheusStack: { chart: "kube-prometheus-stack", version: "82.14.1" },
    fluentd: { chart: "fluentd", version: "0.5.3" },
    // 0.158.3 was never published (the series goes 0.158.2 -> 0.159.0).
    openTelemetryCollector: { chart: "opentelemetry-collector", version: "0.158.2" },
    sealedSecrets: { chart: "sealed-secrets", version: "2.17.6" },
    // AWS node autoscaling (components/aws/karpenter.ts); the CRDs are a chart of their own.
    karpenter: { chart: "karpenter", version: "1.14.1" },
    karpenterCrd: { chart: "karpenter-crd", version: "1.14.1" },
    // Progressive delivery (components/k8s/flagger.ts); the load tester is its companion chart.
    flagger: { chart: "flagger", version: "1.44.0" },
    flaggerLoadtester: { chart: "loadtester", version: "0.38.0" },
    eckOperatorCrds: { chart: "eck-operator-crds", version: "3.5.0" },
    eckOperator: { chart: "eck-operator", version: "3.5.0" },
    // Whole-cluster backup (components/k8s/velero.ts); ships Velero v1.18.1.
    velero: { chart: "velero", version: "12.1.0" },
    // Elasticsearch metrics (components/k8s/esExporter.ts), exporter v1.11.0. prometheus-community
    // publishes no archive we can reach: packaged with Helm 4.1.4 from the tag
    // prometheus-elasticsearch-exporter-7.4.0 (commit c5fa97e0f469fb4485e4560144f9da6087c35d19) of
    // github.com/prometheus-community/helm-charts, charts/prometheus-elasticsearch-exporter.
    elasticsearchExporter: { chart: "prometheus-elasticsearch-exporter", version: "7.4.0" },
    // Trace store (components/k8s/tempo.ts): Tempo 2.10.8, single binary; the chart moved to grafana-community.
    tempo: { chart: "tempo", version: "2.2.4" },
} as const satisfies Record<string, ChartPin>;

/**
 * Installs a pinned chart from its vendored archive as a `helm.v4.Chart`, so a real preview shows
 * the rendered objects to the policy pack. `release` is the Helm release name, which several
 * charts use for object names.
 */
export function pinnedChart(
    name: string,
    pin: ChartPin,
    release: string,
    namespace: pulumi.Input<string>,
    values: pulumi.Input<Record<string, unknown>>,
    opts: pulumi.ComponentResourceOptions,
): k8s.helm.v4.Chart {
    return new k8s.helm.v4.Chart(name, {
        chart: chartArchive(pin),
        name: release,
        namespace,
        values,
    }, opts);
}
