/**
 * Writes every Kubernetes object a plan would apply as YAML, one file per object, in an order
 * `kubectl apply -f DIR` can take (namespaces and CRD-backed issuers first). What each Helm chart
 * renders (as helm.v4.Chart deploys it: hooks left out) goes to `charts/<release>/`, next to the
 * release's values in `charts/<release>.values.yaml` with the `helm template` command that
 * reproduces it. Secret values are written as "[secret]", never in plain text.
 */
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { helmChartTypes } from "../policies/helpers";
import { RecordedResource, SecretValue } from "./engine";


/** Apply order: what others depend on first. */
const kindOrder = [
    "Namespace", "CustomResourceDefinition", "StorageClass", "PriorityClass", "ServiceAccount", "Secret", "ConfigMap",
    "ResourceQuota", "LimitRange", "NetworkPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
    "ClusterIssuer", "Issuer", "Certificate", "Service", "Job", "Deployment", "StatefulSet", "DaemonSet", "CronJob",
    "HorizontalPodAutoscaler", "PodDisruptionBudget", "EnvoyProxy", "GatewayClass", "Gateway", "HTTPRoute",
    "ClientTrafficPolicy", "BackendTrafficPolicy", "ServiceMonitor", "PrometheusRule",
];

export interface Manifest {
    readonly file: string;
    readonly object: Record<string, unknown>;
}

/** True for a Kubernetes object resource (not a provider, component or Helm chart). */
export function isKubernetesObject(r: RecordedResource): boolean {
    return r.custom && r.type.startsWith("kubernetes:") && !helmChartTypes.includes(r.type);
}

/** apiVersion and kind from a type token such as `kubernetes:apps/v1:Deployment` or `kubernetes:core/v1:Service`. */
export function apiVersionKind(type: string): { apiVersion: string; kind: string } {
    const [, groupVersion, kind] = type.split(":");
    if (groupVersion === undefined || kind === undefined) throw new Error(`not a Kubernetes type token: ${type}`);
    return { apiVersion: groupVersion.startsWith("core/") ? groupVersion.slice("core/".length) : groupVersion, kind };
}

/** The object as kubectl would receive it: secrets redacted, the Pulumi name as fallback metadata.name. */
export function toManifestObject(r: RecordedResource): Record<string, unknown> {
    const inputs = redacted(r.inputs) as Record<string, unknown>;
    const { apiVersion, kind } = apiVersionKind(r.type);
    const metadata = { ...(inputs.metadata as Record<string, unknown> | undefined) };
    // Pulumi auto-names objects without metadata.name (name plus a random suffix); the resource name is the stable stand-in.
    metadata.name ??= r.name;
    const rest = Object.fromEntries(Object.entries(inputs).filter(([k]) => !["apiVersion", "kind", "metadata"].includes(k)));
    return { apiVersion: inputs.apiVersion ?? apiVersion, kind: inputs.kind ?? kind, metadata, ...rest };
}

/**
 * Plain JSON with every secret replaced by "[secret]"; a secret map (a Secret's `stringData`)
 * keeps its keys, so the manifest stays a valid object of the right shape.
 */
function redacted(v: unknown): unknown {
    if (v instanceof SecretValue) {
        const inner = v.value;
        return inner !== null && typeof inner === "object" && !Array.isArray(inner)
            ? Object.fromEntries(Object.keys(inner).map(k => [k, "[secret]"]))
            : "[secret]";
    }
    if (Array.isArray(v)) {
        return v.map(redacted);
    }
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redacted(x)]));
    }
    return v;
}

export function manifestsOf(resources: readonly RecordedResource[]): Manifest[] {
    const objects = resources.filter(isKubernetesObject).map(toManifestObject);
    const rank = (kind: string) => {
        const i = kindOrder.indexOf(kind);
        return i < 0 ? kindOrder.length : i;
    };
    objects.sort((a, b) => rank(a.kind as string) - rank(b.kind as string));
    return objects.map((object, i) => {
        const meta = object.metadata as { name: string; namespace?: string };
        const slug = [meta.namespace ?? "cluster", String(object.kind).toLowerCase(), meta.name]
            .join("_").replace(/[^A-Za-z0-9_.-]/g, "-");
        return { file: `${String(i + 1).padStart(3, "0")}_${slug}.yaml`, object };
    });
}

/** A Helm release's folder name: its release name, made safe for a path. */
function releaseDir(chart: RecordedResource): string {
    return String(chart.inputs.name ?? chart.name).replace(/[^A-Za-z0-9_.-]/g, "-");
}

const isChart = (r: RecordedResource) => helmChartTypes.includes(r.type);

export interface ChartValues {
    readonly file: string;
    readonly text: string;
}

export function chartsOf(resources: readonly RecordedResource[]): ChartValues[] {
    return resources.filter(isChart).map(r => {
        const inputs = JSON.parse(JSON.stringify(r.inputs)) as { chart?: string; name?: string; namespace?: string; skipCrds?: boolean; values?: unknown };
        const release = inputs.name ?? r.name;
        const ns = inputs.namespace ?? "default";
        const header = [
            `# Helm release ${release} of ${inputs.chart} (vendored; sha256 in charts/SHA256SUMS), namespace ${ns}`,
            `# rendered into ${releaseDir(r)}/ as: helm template ${release} ${inputs.chart} -n ${ns} -f <this file> --kube-version <cluster version>` +
                `${inputs.skipCrds ? "" : " --include-crds"}, hooks left out as helm.v4.Chart leaves them out`,
        ].join("\n");
        return { file: `${releaseDir(r)}.values.yaml`, text: `${header}\n${stringify(inputs.values ?? {})}` };
    });
}

const manifestFile = /^\d{3}_.*\.yaml$/;
const chartValuesFile = /\.values\.yaml$/;

/**
 * Writes the manifests (the program's own at the top, each chart's rendered objects and values
 * under charts/) into `dir`. Files a previous run wrote there are replaced; nothing else in the
 * folder is touched.
 */
export function writeManifests(dir: string, resources: readonly RecordedResource[]): { objects: number; charts: number; rendered: number } {
    const chartsDir = path.join(dir, "charts");
    fs.mkdirSync(chartsDir, { recursive: true });
    const stale = (folder: string, pattern: RegExp) =>
        fs.readdirSync(folder).filter(f => pattern.test(f)).forEach(f => fs.rmSync(path.join(folder, f)));
    stale(dir, manifestFile);
    stale(chartsDir, chartValuesFile);
    const charts = resources.filter(isChart);
    const byChart = new Map(charts.map(c => [c.urn, [] as RecordedResource[]]));
    const own: RecordedResource[] = [];
    for (const r of resources) {
        (r.parent !== null && byChart.get(r.parent) || own).push(r);
    }
    const write = (folder: string, list: readonly RecordedResource[]) => {
        const manifests = manifestsOf(list);
        for (const m of manifests) {
            fs.writeFileSync(path.join(folder, m.file), stringify(m.object));
        }
        return manifests.length;
    };
    const objects = write(dir, own);
    let rendered = 0;
    for (const chart of charts) {
        const folder = path.join(chartsDir, releaseDir(chart));
        fs.mkdirSync(folder, { recursive: true });
        stale(folder, manifestFile);
        rendered += write(folder, byChart.get(chart.urn) ?? []);
    }
    for (const c of chartsOf(resources)) {
        fs.writeFileSync(path.join(chartsDir, c.file), c.text);
    }
    return { objects, charts: charts.length, rendered };
}
