/**
 * The complete list of third-party workloads allowed to break a pod-hardening rule, each with the
 * reason the chart cannot meet it. A real `pulumi preview` shows the policy pack every object a
 * `helm.v4.Chart` renders; some of those pods need the host (log collection, node metrics) or a
 * writable root filesystem, and no chart value turns that off without breaking them.
 *
 * An exemption names the installation it belongs to (a vendored archive in charts/ and its
 * release) and only ever matches a workload that a Helm chart rendered (its URN has a Helm chart
 * among its ancestors) carrying that archive's chart label and that release's label, in the named
 * namespace, of the named kind, whose metadata.name matches the pattern. Our own typed workloads
 * never match, and nothing in an app namespace (`bookkeep-<environment>`) is ever exempt. The
 * tests prove every exemption matches an object the program's charts render.
 */
import { Policy, ReportViolation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { helmChartTypes, isAppNamespace, k8sName, k8sNamespace, podTemplateOf, PodTemplate, safe, Subject } from "./helpers";

export interface ChartExemption {
    readonly id: string;
    /** Why the chart's pods cannot meet the waived policies. */
    readonly reason: string;
    /** Names of the policies waived, and only those. */
    readonly policies: readonly string[];
    /** The installation it belongs to: a vendored archive (charts/), its Helm release, and the chart labels its objects carry. */
    readonly chart: ChartInstall;
    readonly namespace: string;
    readonly kind: PodTemplate["kind"];
    /** Matched against the workload's metadata.name; anchor it. */
    readonly name: RegExp;
}

export interface ChartInstall {
    /** File name in charts/ (and in `vendoredCharts`, with its digest). */
    readonly archive: string;
    readonly release: string;
    /**
     * The values of the workload's `helm.sh/chart` (or legacy `chart`) label that this archive
     * renders: `<chart>-<version>` of the chart or of the subchart that makes the workload.
     */
    readonly labels: readonly string[];
}

const system = "bookkeep-system";
const monitoring = "bookkeep-monitoring";
const nats = "bookkeep-nats";
const data = "bookkeep-data";
/** node-exporter's own privileged namespace (components/k8s/namespaces.ts). */
const nodeExporter = "bookkeep-node-exporter";

const kps = "kube-prometheus-stack-82.14.1";
const installs = {
    fluentd: { archive: "fluentd-0.5.3.tgz", release: "fluentd", labels: ["fluentd-0.5.3"] },
    nodeExporter: { archive: `${kps}.tgz`, release: "kube-prometheus-stack", labels: ["prometheus-node-exporter-4.52.2"] },
    monitoringControllers: { archive: `${kps}.tgz`, release: "kube-prometheus-stack", labels: [kps, "grafana-11.3.5", "kube-state-metrics-7.2.2"] },
    grafana: { archive: `${kps}.tgz`, release: "kube-prometheus-stack", labels: ["grafana-11.3.5"] },
    envoyGateway: { archive: "gateway-helm-v1.9.0.tgz", release: "envoy-gateway", labels: ["gateway-helm-v1.9.0"] },
    certManager: { archive: "cert-manager-v1.21.1.tgz", release: "cert-manager", labels: ["cert-manager-v1.21.1"] },
    sealedSecrets: { archive: "sealed-secrets-2.17.6.tgz", release: "sealed-secrets", labels: ["sealed-secrets-2.17.6"] },
    nats: { archive: "nats-2.12.3.tgz", release: "nats", labels: ["nats-2.12.3"] },
    eckOperator: { archive: "eck-operator-3.5.0.tgz", release: "elastic-operator", labels: ["eck-operator-3.5.0"] },
    cnpg: { archive: "cloudnative-pg-0.29.0.tgz", release: "cnpg", labels: ["cloudnative-pg-0.29.0"] },
    minio: { archive: "minio-5.4.0.tgz", release: "minio", labels: ["minio-5.4.0"] },
    flagger: { archive: "flagger-1.44.0.tgz", release: "flagger", labels: ["flagger-1.44.0"] },
    flaggerLoadtester: { archive: "loadtester-0.38.0.tgz", release: "flagger-loadtester", labels: ["loadtester-0.38.0"] },
    velero: { archive: "velero-12.1.0.tgz", release: "velero", labels: ["velero-12.1.0"] },
    elasticsearchExporter: {
        archive: "prometheus-elasticsearch-exporter-7.4.0.tgz", release: "elasticsearch-exporter", labels: ["prometheus-elasticsearch-exporter-7.4.0"],
    },
} as const satisfies Record<string, ChartInstall>;

/** What the MinIO chart 5.4.0 leaves out of its pods (see components/local/foundation.ts). */
const minioUnrestricted = [
    "pod-run-as-non-root", "pod-seccomp-profile", "container-no-privilege-escalation", "container-drop-all-capabilities",
    "container-read-only-root-filesystem",
];

const controllerToken = "pod-no-automounted-token";

export const chartExemptions: readonly ChartExemption[] = [
    {
        id: "fluentd-node-logs",
        reason: "Fluentd tails /var/log/containers from the node (hostPath), and kubelet writes those files root:root 0640, so it runs as uid 0 (with every capability dropped and no privilege escalation); see components/k8s/logging.ts",
        policies: ["pod-run-as-non-root", "pod-run-as-non-zero-uid", "pod-no-host-path", "pod-restricted-volume-types"],
        chart: installs.fluentd, namespace: system, kind: "DaemonSet", name: /^fluentd$/,
    },
    {
        id: "node-exporter-host-metrics",
        reason: "node-exporter reports the node's own CPU, memory, disk and network: it reads /proc, /sys and / from the host (read-only hostPath) in the host's network and PID namespaces, where its port is a host port",
        policies: ["pod-no-host-namespaces", "pod-no-host-path", "pod-restricted-volume-types", "container-no-host-ports"],
        chart: installs.nodeExporter, namespace: nodeExporter, kind: "DaemonSet", name: /^kube-prometheus-stack-prometheus-node-exporter$/,
    },
    {
        id: "grafana-writable-root",
        reason: "Grafana writes runtime files outside the volumes the chart mounts, so components/k8s/monitoring.ts keeps its root filesystem writable",
        policies: ["container-read-only-root-filesystem"],
        chart: installs.grafana, namespace: monitoring, kind: "Deployment", name: /^kube-prometheus-stack-grafana$/,
    },
    {
        id: "single-replica-controllers",
        reason: "Grafana (SQLite state), the Prometheus operator, and kube-state-metrics (a second replica duplicates every series) run one replica by design; they serve the operators, not the application's users",
        policies: ["workload-replicas-production"],
        chart: installs.monitoringControllers, namespace: monitoring, kind: "Deployment", name: /^kube-prometheus-stack-(grafana|operator|kube-state-metrics)$/,
    },
    {
        id: "sealed-secrets-single-replica",
        reason: "the Sealed Secrets controller holds the sealing key and runs one replica by design; kubeseal users, not the application, depend on it",
        policies: ["workload-replicas-production"],
        chart: installs.sealedSecrets, namespace: system, kind: "Deployment", name: /^sealed-secrets-controller$/,
    },
    {
        id: "envoy-gateway-uses-kube-api",
        reason: "the Envoy Gateway controller watches Gateway API and Envoy Gateway resources, Services, EndpointSlices and Secrets, and creates the Envoy proxies' Deployments and Services, through the Kubernetes API",
        policies: [controllerToken],
        chart: installs.envoyGateway, namespace: system, kind: "Deployment", name: /^envoy-gateway$/,
    },
    {
        id: "cert-manager-uses-kube-api",
        reason: "cert-manager's controller, webhook and CA injector watch and write Certificates, Secrets and webhook configurations through the Kubernetes API",
        policies: [controllerToken],
        chart: installs.certManager, namespace: system, kind: "Deployment", name: /^cert-manager(-cainjector|-webhook)?$/,
    },
    {
        id: "cert-manager-probe-endpoints",
        reason: "cert-manager v1.21.1 gives its controller only a liveness endpoint and its CA injector none, and the chart has no value to add one; both are leader-elected and receive no traffic, so readiness gates nothing (the webhook, which serves the API server, is probed)",
        policies: ["container-probes"],
        chart: installs.certManager, namespace: system, kind: "Deployment", name: /^cert-manager(-cainjector)?$/,
    },
    {
        id: "sealed-secrets-uses-kube-api",
        reason: "the Sealed Secrets controller watches SealedSecrets and writes the Secrets they unseal through the Kubernetes API",
        policies: [controllerToken],
        chart: installs.sealedSecrets, namespace: system, kind: "Deployment", name: /^sealed-secrets-controller$/,
    },
    {
        id: "fluentd-kube-metadata",
        reason: "Fluentd's kubernetes_metadata filter reads pod and namespace metadata from the API to label each log record",
        policies: [controllerToken],
        chart: installs.fluentd, namespace: system, kind: "DaemonSet", name: /^fluentd$/,
    },
    {
        id: "monitoring-controllers-use-kube-api",
        reason: "the Prometheus operator reconciles ServiceMonitors and rules, kube-state-metrics lists every object, and Grafana's sidecar loads dashboards from ConfigMaps: all read the Kubernetes API",
        policies: [controllerToken],
        chart: installs.monitoringControllers, namespace: monitoring, kind: "Deployment", name: /^kube-prometheus-stack-(operator|kube-state-metrics|grafana)$/,
    },
    {
        id: "nats-config-reloader",
        reason: "the NATS chart's config reloader only watches the config and certificate files and signals the server; it has no port to probe (the server and exporter containers are probed)",
        policies: ["container-probes"],
        chart: installs.nats, namespace: nats, kind: "StatefulSet", name: /^nats$/,
    },
    {
        id: "eck-operator-uses-kube-api",
        reason: "the ECK operator reconciles Elasticsearch and Kibana resources into StatefulSets, Services, Secrets and PDBs, and writes its webhook certificate and CA bundle, through the Kubernetes API",
        policies: [controllerToken],
        chart: installs.eckOperator, namespace: system, kind: "StatefulSet", name: /^elastic-operator$/,
    },
    {
        id: "eck-operator-no-probe-endpoint",
        reason: "ECK 3.5.0's operator chart renders no probes and has no value for them, and the operator serves no health endpoint (metrics are off); it is leader-elected and its only traffic is the webhook, whose failurePolicy is Ignore",
        policies: ["container-probes"],
        chart: installs.eckOperator, namespace: system, kind: "StatefulSet", name: /^elastic-operator$/,
    },
    {
        id: "cnpg-operator-uses-kube-api",
        reason: "the CloudNativePG operator creates and fails over the PostgreSQL pods through the Kubernetes API (development stack only)",
        policies: [controllerToken],
        chart: installs.cnpg, namespace: data, kind: "Deployment", name: /^cnpg$/,
    },
    {
        id: "minio-server-unrestricted",
        reason: "MinIO chart 5.4.0 renders only runAsUser/runAsGroup/fsGroup for its server (no runAsNonRoot, seccomp, capability drop or read-only root); the development-only data namespace enforces PSS baseline instead",
        policies: minioUnrestricted,
        chart: installs.minio, namespace: data, kind: "Deployment", name: /^minio$/,
    },
    {
        id: "minio-chart-gaps",
        reason: "MinIO chart 5.4.0's server Deployment has no probe and no automountServiceAccountToken value (the server never calls the Kubernetes API); the development-only data store, whose upstream is archived, is replaced rather than patched",
        policies: ["container-probes", controllerToken],
        chart: installs.minio, namespace: data, kind: "Deployment", name: /^minio$/,
    },
    {
        id: "flagger-uses-kube-api",
        reason: "Flagger watches Canaries and Deployments and writes the primary Deployments, HPAs, Services and HTTPRoutes through the Kubernetes API; see components/k8s/flagger.ts",
        policies: [controllerToken],
        chart: installs.flagger, namespace: system, kind: "Deployment", name: /^flagger$/,
    },
    {
        id: "flagger-loadtester-token-off-by-account",
        reason: "the loadtester chart 0.38.0 has no value for the pod's automountServiceAccountToken; it runs as the ServiceAccount components/k8s/flagger.ts creates with automountServiceAccountToken: false, so no token is mounted",
        policies: [controllerToken],
        chart: installs.flaggerLoadtester, namespace: system, kind: "Deployment", name: /^flagger-loadtester$/,
    },
    {
        id: "velero-single-replica",
        reason: "the Velero server has no leader election: a second replica would run every Schedule twice; backups, not the application's users, depend on it, and a missed run pages (VeleroBackupNotOnSchedule)",
        policies: ["workload-replicas-production"],
        chart: installs.velero, namespace: system, kind: "Deployment", name: /^velero$/,
    },
    {
        id: "velero-uses-kube-api",
        reason: "the Velero server reads every object it backs up, writes the ones it restores, and drives its own Backup, Schedule and VolumeSnapshot resources through the Kubernetes API",
        policies: [controllerToken],
        chart: installs.velero, namespace: system, kind: "Deployment", name: /^velero$/,
    },
    {
        id: "elasticsearch-exporter-token-off-by-account",
        reason: "the prometheus-elasticsearch-exporter chart 7.4.0 has no value for the pod's automountServiceAccountToken; its pod runs as the chart's own ServiceAccount, which components/k8s/esExporter.ts creates with automountServiceAccountToken: false, so no token is mounted",
        policies: [controllerToken],
        chart: installs.elasticsearchExporter, namespace: monitoring, kind: "Deployment", name: /^elasticsearch-exporter$/,
    },
    {
        id: "elasticsearch-exporter-single-replica",
        reason: "a second exporter duplicates every Elasticsearch series and doubles the reads of the cluster and the snapshot repository; alerts, not the application's users, depend on it, and its absence pages (MetricsTargetMissing)",
        policies: ["workload-replicas-production"],
        chart: installs.elasticsearchExporter, namespace: monitoring, kind: "Deployment", name: /^elasticsearch-exporter$/,
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

/** The chart label a Helm chart puts on what it renders: `helm.sh/chart`, or the older `chart`. */
export function chartLabelOf(r: Subject): string | undefined {
    const labels = safe(() => r.props.metadata?.labels);
    const value = labels?.["helm.sh/chart"] ?? labels?.chart;
    return typeof value === "string" ? value : undefined;
}

/** The Helm release a rendered object belongs to: `app.kubernetes.io/instance`, or the older `release`. */
export function releaseLabelOf(r: Subject): string | undefined {
    const labels = safe(() => r.props.metadata?.labels);
    const value = labels?.["app.kubernetes.io/instance"] ?? labels?.release;
    return typeof value === "string" ? value : undefined;
}

/**
 * The exemption that waives `policy` for this resource, if any. Besides kind, namespace and name,
 * the object must carry the chart and release labels that the exemption's vendored archive and
 * release render: a component that only borrows a Helm chart's type token is not enough.
 */
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
    const chartLabel = chartLabelOf(r);
    const release = releaseLabelOf(r);
    return exemptions.find(e => e.policies.includes(policy) && e.namespace === ns && e.kind === pod.kind && e.name.test(name)
        && chartLabel !== undefined && e.chart.labels.includes(chartLabel) && release === e.chart.release);
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
