/**
 * The pods a Helm chart will run, read from the values the plan passes it, for charts whose
 * rendered objects are not in the plan (a v4 Chart is rendered by the provider at deploy time).
 * Once the engine renders charts offline, their Deployments/StatefulSets/DaemonSets are plan
 * objects and these estimates are no longer used (capacity.ts prefers rendered children).
 *
 * Each reader follows the chart's templates at the vendored version (../shared/charts); a value the
 * program leaves unset falls back to the chart's own default. Checked against `helm template` of
 * the vendored archives with the values of production and staging on AWS and of production on GCP
 * (2026-12-05): the same workloads, replicas and requests. Not counted by either: the sidecars the
 * Prometheus operator adds to the pods it creates (config reloader).
 */
import type { Props } from "../../policies/helpers";
import { isObject, mebibytes, millicores } from "./resources";
import { Workload } from "./workload";

type Values = Props;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a chart's values: untyped JSON the caller reads further
function at(values: Values, path: string): any {
    return path.split(".").reduce<unknown>((v, k) => (isObject(v) ? v[k] : undefined), values);
}

function pods(chart: string, name: string, kind: Workload["kind"], replicas: unknown, resources: unknown, volumes?: Workload["volumes"]): Workload {
    const requests = isObject(resources) && isObject(resources.requests) ? resources.requests : {};
    const n = typeof replicas === "number" ? replicas : 1;
    return {
        id: `${kind} ${chart}/${name}`, kind, origin: "chart values", minReplicas: n, maxReplicas: n,
        cpuMillicores: millicores(requests.cpu), memoryMib: mebibytes(requests.memory), ...(volumes ? { volumes } : {}),
    };
}

function claim(storageClass: unknown, size: unknown): Workload["volumes"] {
    return [{ storageClass: typeof storageClass === "string" ? storageClass : "(default)", gib: mebibytes(size) / 1024 }];
}

/** Sums containers that run side by side in one pod. */
function sumResources(...rs: unknown[]): { requests: { cpu: string; memory: string } } {
    const cpu = rs.reduce<number>((n, r) => n + millicores(at(r as Values, "requests.cpu")), 0);
    const mem = rs.reduce<number>((n, r) => n + mebibytes(at(r as Values, "requests.memory")), 0);
    return { requests: { cpu: `${cpu}m`, memory: `${mem}Mi` } };
}

const readers: Record<string, (v: Values) => Workload[]> = {
    "kube-prometheus-stack": v => {
        const promStorage = at(v, "prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec");
        return [
            pods("kube-prometheus-stack", "prometheus", "StatefulSet", at(v, "prometheus.prometheusSpec.replicas") ?? 1, at(v, "prometheus.prometheusSpec.resources"),
                promStorage ? claim(promStorage.storageClassName, at(promStorage, "resources.requests.storage")) : undefined),
            pods("kube-prometheus-stack", "alertmanager", "StatefulSet", at(v, "alertmanager.alertmanagerSpec.replicas") ?? 1, at(v, "alertmanager.alertmanagerSpec.resources")),
            pods("kube-prometheus-stack", "grafana", "Deployment", at(v, "grafana.replicas") ?? 1, at(v, "grafana.resources")),
            pods("kube-prometheus-stack", "operator", "Deployment", 1, at(v, "prometheusOperator.resources")),
            pods("kube-prometheus-stack", "kube-state-metrics", "Deployment", at(v, "kube-state-metrics.replicas") ?? 1, at(v, "kube-state-metrics.resources")),
            pods("kube-prometheus-stack", "node-exporter", "DaemonSet", 1, at(v, "prometheus-node-exporter.resources")),
        ];
    },
    "sealed-secrets": v => [pods("sealed-secrets", "controller", "Deployment", 1, v.resources)],
    "cert-manager": v => [
        pods("cert-manager", "controller", "Deployment", v.replicaCount ?? 1, v.resources),
        pods("cert-manager", "webhook", "Deployment", at(v, "webhook.replicaCount") ?? 1, at(v, "webhook.resources")),
        pods("cert-manager", "cainjector", "Deployment", at(v, "cainjector.replicaCount") ?? 1, at(v, "cainjector.resources")),
    ],
    nats: v => {
        const clustered = at(v, "config.cluster.enabled") === true;
        const store = at(v, "config.jetstream.fileStore");
        const volumes = at(v, "config.jetstream.enabled") === true && store?.enabled !== false && store?.pvc?.enabled !== false
            ? claim(store?.pvc?.storageClassName, store?.pvc?.size ?? "10Gi") : undefined;
        const containers = [at(v, "container.merge.resources"), at(v, "reloader.enabled") !== false ? at(v, "reloader.merge.resources") : undefined,
            at(v, "promExporter.enabled") === true ? at(v, "promExporter.merge.resources") : undefined].filter(Boolean);
        return [pods("nats", "nats", "StatefulSet", clustered ? at(v, "config.cluster.replicas") ?? 3 : 1, sumResources(...containers), volumes)];
    },
    fluentd: v => [pods("fluentd", "fluentd", v.kind === "Deployment" ? "Deployment" : "DaemonSet", v.replicaCount ?? 1, v.resources)],
    "opentelemetry-collector": v => [pods("opentelemetry-collector", "collector", v.mode === "daemonset" ? "DaemonSet" : v.mode === "statefulset" ? "StatefulSet" : "Deployment",
        v.replicaCount ?? 1, v.resources)],
};

/** The chart's pods from its values; undefined for a chart this table does not know. */
export function chartWorkloads(chart: string, values: unknown): Workload[] | undefined {
    const read = readers[chart];
    return read ? read(isObject(values) ? values : {}) : undefined;
}
