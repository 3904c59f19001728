/**
 * The complete list of third-party workloads allowed to break a pod-hardening rule, each with the
 * reason the chart cannot meet it. A real `pulumi preview` shows the policy pack every object a
 * `helm.v4.Chart` renders; some of those pods need the host (log collection, node metrics) or a
 * writable root filesystem, and no chart value turns that off without breaking them.
 *
 * An exemption only ever matches a workload that a Helm chart rendered (its URN has a Helm chart
 * among its ancestors), in the named namespace, of the named kind, whose metadata.name matches the
 * pattern. Our own typed workloads never match, and nothing in an app namespace
 * (`bookkeep-<environment>`) is ever exempt.
 */
import { Policy, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { helmChartTypes, isAppNamespace, k8sName, k8sNamespace, podTemplateOf, PodTemplate, Subject } from "./helpers";

export interface ChartExemption {
    readonly id: string;
    /** Why the chart's pods cannot meet the waived policies. */
    readonly reason: string;
    /** Names of the policies waived, and only those. */
    readonly policies: readonly string[];
    readonly namespace: string;
    readonly kind: PodTemplate["kind"];
    /** Matched against the workload's metadata.name; anchor it. */
    readonly name: RegExp;
}

const system = "bookkeep-system";
const monitoring = "bookkeep-monitoring";
const data = "bookkeep-data";
/** node-exporter's own privileged namespace (components/k8s/namespaces.ts). */
const nodeExporter = "bookkeep-node-exporter";

/** What the MinIO chart 5.4.0 leaves out of its pods (see components/local/foundation.ts). */
const minioUnrestricted = [
    "pod-run-as-non-root", "pod-seccomp-profile", "container-no-privilege-escalation", "container-drop-all-capabilities",
    "container-read-only-root-filesystem",
];

export const chartExemptions: readonly ChartExemption[] = [
    {
        id: "fluentd-node-logs",
        reason: "Fluentd tails /var/log/containers from the node (hostPath), and kubelet writes those files root:root 0640, so it runs as uid 0 (with every capability dropped and no privilege escalation); see components/k8s/logging.ts",
        policies: ["pod-run-as-non-root", "pod-run-as-non-zero-uid", "pod-no-host-path", "pod-restricted-volume-types"],
        namespace: system,
        kind: "DaemonSet",
        name: /^fluentd$/,
    },
    {
        id: "node-exporter-host-metrics",
        reason: "node-exporter reports the node's own CPU, memory, disk and network: it reads /proc, /sys and / from the host (read-only hostPath) in the host's network and PID namespaces, where its port is a host port",
        policies: ["pod-no-host-namespaces", "pod-no-host-path", "pod-restricted-volume-types", "container-no-host-ports"],
        namespace: nodeExporter,
        kind: "DaemonSet",
        name: /^kube-prometheus-stack-prometheus-node-exporter$/,
    },
    {
        id: "ingress-nginx-writable-root",
        reason: "the ingress-nginx controller rewrites /etc/nginx and its temp paths on every reload; see components/k8s/ingress.ts",
        policies: ["container-read-only-root-filesystem"],
        namespace: system,
        kind: "Deployment",
        name: /^ingress-nginx-controller$/,
    },
    {
        id: "elasticsearch-writable-root",
        reason: "Elasticsearch writes its keystore and temp files under its install directory; see components/k8s/logging.ts",
        policies: ["container-read-only-root-filesystem"],
        namespace: monitoring,
        kind: "StatefulSet",
        name: /^elasticsearch$/,
    },
    {
        id: "grafana-writable-root",
        reason: "Grafana writes runtime files outside the volumes the chart mounts, so components/k8s/monitoring.ts keeps its root filesystem writable",
        policies: ["container-read-only-root-filesystem"],
        namespace: monitoring,
        kind: "Deployment",
        name: /^kube-prometheus-stack-grafana$/,
    },
    {
        id: "single-replica-controllers",
        reason: "Grafana (SQLite state), the Prometheus operator, and kube-state-metrics (a second replica duplicates every series) run one replica by design; they serve the operators, not the application's users",
        policies: ["workload-replicas-production"],
        namespace: monitoring,
        kind: "Deployment",
        name: /^kube-prometheus-stack-(grafana|operator|kube-state-metrics)$/,
    },
    {
        id: "sealed-secrets-single-replica",
        reason: "the Sealed Secrets controller holds the sealing key and runs one replica by design; kubeseal users, not the application, depend on it",
        policies: ["workload-replicas-production"],
        namespace: system,
        kind: "Deployment",
        name: /^sealed-secrets-controller$/,
    },
    {
        id: "system-controllers-use-kube-api",
        reason: "these controllers exist to watch and write Kubernetes objects (Ingresses, Certificates, SealedSecrets, pod metadata for log records), so their pods need their service-account token; their RBAC comes from the charts",
        policies: ["pod-no-automounted-token"],
        namespace: system,
        kind: "Deployment",
        name: /^(ingress-nginx-controller|cert-manager|cert-manager-cainjector|cert-manager-webhook|sealed-secrets-controller)$/,
    },
    {
        id: "fluentd-kube-metadata",
        reason: "Fluentd's kubernetes_metadata filter reads pod and namespace metadata from the API to label each log record",
        policies: ["pod-no-automounted-token"],
        namespace: system,
        kind: "DaemonSet",
        name: /^fluentd$/,
    },
    {
        id: "monitoring-controllers-use-kube-api",
        reason: "the Prometheus operator reconciles ServiceMonitors and rules, kube-state-metrics lists every object, and Grafana's sidecar loads dashboards from ConfigMaps: all read the Kubernetes API",
        policies: ["pod-no-automounted-token"],
        namespace: monitoring,
        kind: "Deployment",
        name: /^kube-prometheus-stack-(operator|kube-state-metrics|grafana)$/,
    },
    {
        id: "prometheus-discovery-and-reloader",
        reason: "Prometheus and Alertmanager discover targets through the Kubernetes API, and the operator's config-reloader sidecar has no probe endpoint (the main containers are probed)",
        policies: ["pod-no-automounted-token", "container-probes"],
        namespace: monitoring,
        kind: "StatefulSet",
        name: /^(prometheus-kube-prometheus-stack-prometheus|alertmanager-kube-prometheus-stack-alertmanager)$/,
    },
    {
        id: "cnpg-operator-uses-kube-api",
        reason: "the CloudNativePG operator creates and fails over the PostgreSQL pods through the Kubernetes API (development stack only)",
        policies: ["pod-no-automounted-token"],
        namespace: data,
        kind: "Deployment",
        name: /^cnpg-cloudnative-pg$/,
    },
    {
        id: "minio-server-unrestricted",
        reason: "MinIO chart 5.4.0 renders only runAsUser/runAsGroup/fsGroup for its server (no runAsNonRoot, seccomp, capability drop or read-only root); the development-only data namespace enforces PSS baseline instead",
        policies: minioUnrestricted,
        namespace: data,
        kind: "Deployment",
        name: /^minio$/,
    },
    {
        id: "minio-provisioning-job-unrestricted",
        reason: "MinIO chart 5.4.0's post-install Job (buckets, policy, backup user) renders the same partial securityContext as its server",
        policies: minioUnrestricted,
        namespace: data,
        kind: "Job",
        name: /^minio-post-job$/,
    },
];

/**
 * Whether a Helm chart rendered this object: a URN's type segment lists its ancestors' types,
 * `$`-separated, ending with its own (`...$kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:DaemonSet`).
 */
export function isChartRendered(urn: string): boolean {
    const chain = urn.split("::")[2]?.split("$") ?? [];
    return chain.slice(0, -1).some(t => helmChartTypes.includes(t));
}

/** The exemption that waives `policy` for this resource, if any. */
export function exemptionFor(policy: string, r: Subject, exemptions: readonly ChartExemption[] = chartExemptions): ChartExemption | undefined {
    // Only chart-rendered workloads outside the app namespace are ever exempt: the cheap tests first.
    const pod = podTemplateOf(r.type, r.props, r.name);
    if (!pod || !isChartRendered(r.urn)) {
        return undefined;
    }
    const ns = k8sNamespace(r);
    if (isAppNamespace(ns)) {
        return undefined;
    }
    const name = k8sName(r);
    return exemptions.find(e => e.policies.includes(policy) && e.namespace === ns && e.kind === pod.kind && e.name.test(name));
}

/**
 * The policy with `chartExemptions` applied: an exempt workload is not validated by a resource
 * policy, and a stack policy's findings on an exempt workload are dropped.
 */
export function withChartExemptions<P extends Policy>(policy: P, exemptions: readonly ChartExemption[] = chartExemptions): P {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a policy is rewrapped whichever kind it is (resource or stack validation)
    const p = policy as Policy & Record<string, any>;
    if (typeof p.validateResource === "function") {
        const validate = p.validateResource;
        return {
            ...policy,
            validateResource: (args: ResourceValidationArgs, report: ReportViolation) =>
                exemptionFor(p.name, args, exemptions) ? undefined : validate(args, report),
        };
    }
    if (typeof p.validateStack === "function") {
        const validate = p.validateStack;
        return {
            ...policy,
            validateStack: (args: StackValidationArgs, report: ReportViolation) => {
                const byUrn = new Map(args.resources.map(r => [r.urn, r]));
                return validate(args, (message: string, urn?: string) => {
                    const r = urn ? byUrn.get(urn) : undefined;
                    if (!r || !exemptionFor(p.name, r, exemptions)) {
                        report(message, urn);
                    }
                });
            },
        };
    }
    return policy;
}
