/**
 * Every third-party chart the Kubernetes platform installs, pinned. One table so an upgrade is a
 * reviewed one-line diff, and so the tests can assert that nothing floats.
 *
 * Versions were current upstream releases when pinned; bump them together with a real preview,
 * because chart values drift between majors. Notes:
 * - ingress-nginx is in retirement upstream (best-effort maintenance ended March 2026); 4.14.x is
 *   its last line. Moving to a Gateway API controller is the follow-up, not a value change here.
 * - elastic/elasticsearch 8.5.1 is the last release of Elastic's own chart (they moved to ECK);
 *   it still installs a working single cluster, which is all the log store needs.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";

export interface ChartPin {
    readonly chart: string;
    readonly repo: string;
    readonly version: string;
}

export const charts = {
    ingressNginx: { chart: "ingress-nginx", repo: "https://kubernetes.github.io/ingress-nginx", version: "4.14.1" },
    certManager: { chart: "cert-manager", repo: "https://charts.jetstack.io", version: "v1.21.2" },
    nats: { chart: "nats", repo: "https://nats-io.github.io/k8s/helm/charts/", version: "2.12.3" },
    kubePrometheusStack: { chart: "kube-prometheus-stack", repo: "https://prometheus-community.github.io/helm-charts", version: "82.14.1" },
    elasticsearch: { chart: "elasticsearch", repo: "https://helm.elastic.co", version: "8.5.1" },
    fluentd: { chart: "fluentd", repo: "https://fluent.github.io/helm-charts", version: "0.5.3" },
    openTelemetryCollector: { chart: "opentelemetry-collector", repo: "https://open-telemetry.github.io/opentelemetry-helm-charts", version: "0.158.3" },
    sealedSecrets: { chart: "sealed-secrets", repo: "https://bitnami-labs.github.io/sealed-secrets", version: "2.17.6" },
} as const satisfies Record<string, ChartPin>;

/**
 * Installs a pinned chart as a `helm.v4.Chart`, so a real preview shows the rendered objects to the
 * policy pack. `release` is the Helm release name, which several charts use for object names.
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
        chart: pin.chart,
        version: pin.version,
        repositoryOpts: { repo: pin.repo },
        name: release,
        namespace,
        values,
    }, opts);
}
