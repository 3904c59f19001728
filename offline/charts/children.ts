/**
 * Each `helm.v4.Chart` the program registers, rendered and recorded as the provider registers
 * it: every deployed object a child of its Chart, named `<resourcePrefix>:<namespace>/<name>`,
 * typed by its apiVersion and kind, its namespace filled for namespaced kinds, with the Chart's
 * provider and dependencies. Hooks are kept aside (never deployed) for the reports and checks.
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { JavaScriptValue, Struct } from "google-protobuf/google/protobuf/struct_pb";
import { fromWire, RecordedResource } from "../engine";
import { crdInfo, K8sObject, Rendered, renderChart, renderCrds } from "./render";

/** The wire constants (secret and unknown signatures) are public in `pulumi.runtime`. */
const rpc = pulumi.runtime;

export const chartType = "kubernetes:helm.sh/v4:Chart";
/** The Kubernetes version the charts are rendered for when the stack sets none (the local cluster). */
export const defaultKubeVersion = "1.35";

/** Built-in kinds that are not namespaced (a chart's CRDs say so for their own kinds). */
const clusterScopedKinds = new Set([
    "Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass",
    "PriorityClass", "IngressClass", "RuntimeClass", "CSIDriver", "APIService", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "VolumeAttachment",
]);

/** `kubernetes:apps/v1:Deployment`, `kubernetes:core/v1:Service`: the provider's type tokens. */
export function typeToken(o: K8sObject): string {
    const gv = o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`;
    return `kubernetes:${gv}:${o.kind}`;
}

export interface ChartRender extends Rendered {
    readonly chart: RecordedResource;
}

export interface PlanCharts {
    /** The recorded resources, each Chart followed by its rendered objects. */
    readonly resources: RecordedResource[];
    readonly renders: ChartRender[];
}

interface Unwrapped {
    readonly value: unknown;
    readonly secrets: string[];
    readonly unknown: boolean;
}

/** Wire-form values as Helm reads them: secrets unwrapped (and remembered), unknowns flagged. */
function unwrap(v: unknown, secrets: string[] = [], state = { unknown: false }): Unwrapped {
    const walk = (x: unknown): unknown => {
        if (x === rpc.unknownValue) {
            state.unknown = true;
            return null;
        }
        if (Array.isArray(x)) {
            return x.map(walk);
        }
        if (x !== null && typeof x === "object") {
            const o = x as Record<string, unknown>;
            if (o[rpc.specialSigKey] === rpc.specialSecretSig || o[rpc.specialSigKey] === rpc.specialOutputValueSig) {
                const inner = walk(o.value);
                if (o[rpc.specialSigKey] === rpc.specialSecretSig || o.secret) {
                    collectStrings(inner, secrets);
                }
                return inner;
            }
            return Object.fromEntries(Object.entries(o).map(([k, y]) => [k, walk(y)]));
        }
        return x;
    };
    const value = walk(v);
    return { value, secrets, unknown: state.unknown };
}

function collectStrings(v: unknown, out: string[]): void {
    if (typeof v === "string" && v.length >= 4) {
        out.push(v, Buffer.from(v).toString("base64"));
    } else if (v !== null && typeof v === "object") {
        Object.values(v).forEach(x => collectStrings(x, out));
    }
}

const secret = (value: unknown) => ({ [rpc.specialSigKey]: rpc.specialSecretSig, value });

/**
 * The object in wire form: a Secret's data as the provider keeps it (secret), and any other
 * string that carries a secret value from the chart's values marked secret too, so the plan
 * JSON and manifests never show it.
 */
function withSecrets(o: K8sObject, secrets: readonly string[]): Record<string, unknown> {
    const mark = (x: unknown): unknown => {
        if (typeof x === "string") {
            return secrets.some(s => x.includes(s)) ? secret(x) : x;
        }
        if (Array.isArray(x)) {
            return x.map(mark);
        }
        return x !== null && typeof x === "object" ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, mark(y)])) : x;
    };
    const marked = mark(o) as Record<string, unknown>;
    if (o.kind === "Secret" && o.apiVersion === "v1") {
        for (const key of ["data", "stringData"]) {
            if (o[key] !== undefined) {
                marked[key] = secret(o[key]);
            }
        }
    }
    return marked;
}

function childRecord(chart: RecordedResource, prefix: string, o: K8sObject, wire: Record<string, unknown>): RecordedResource {
    const ns = o.metadata.namespace;
    const name = `${prefix}:${ns ? `${ns}/` : ""}${o.metadata.name}`;
    const [head, , chain] = chart.urn.split("::");
    const urn = `${head}::${chart.urn.split("::")[1]}::${chain}$${typeToken(o)}::${name}`;
    const inputsStruct = Struct.fromJavaScript(wire as Record<string, JavaScriptValue>);
    const record = {
        urn, type: typeToken(o), name, custom: true, parent: chart.urn, provider: chart.provider, remote: false,
        protect: chart.protect, dependsOn: chart.dependsOn, propertyDependencies: {}, ignoreChanges: [],
        deleteBeforeReplace: false, additionalSecretOutputs: [], retainOnDelete: chart.retainOnDelete,
        customTimeouts: { create: "", update: "", delete: "" }, rawInputs: wire, rawState: wire,
    } as unknown as RecordedResource;
    Object.defineProperty(record, "inputsStruct", { value: inputsStruct, enumerable: false });
    Object.defineProperty(record, "stateStruct", { value: inputsStruct, enumerable: false });
    let inputs: Record<string, unknown> | undefined;
    Object.defineProperty(record, "inputs", { enumerable: true, get: () => (inputs ??= fromWire(wire) as Record<string, unknown>) });
    return record;
}

function kubeVersionOf(config: Record<string, string>): string {
    try {
        return (JSON.parse(config["bookkeep:cluster"] ?? "{}") as { kubernetesVersion?: string }).kubernetesVersion ?? defaultKubeVersion;
    } catch {
        return defaultKubeVersion;
    }
}

interface ChartInputs {
    readonly chart?: unknown;
    readonly name?: unknown;
    readonly namespace?: unknown;
    readonly values?: unknown;
    readonly skipCrds?: unknown;
    readonly resourcePrefix?: unknown;
}

/**
 * Renders every vendored-archive Chart among `resources` and returns them with the rendered
 * objects after each Chart. A chart that is not a local archive, or whose values are unknown
 * (a first preview), is left unrendered, as the provider cannot render it either.
 */
export async function withChartChildren(resources: RecordedResource[], config: Record<string, string>, root: string): Promise<PlanCharts> {
    const jobs = resources.filter(r => r.type === chartType).flatMap(chart => {
        const inputs = chart.rawInputs as ChartInputs;
        const values = unwrap(inputs.values ?? {});
        const archive = typeof inputs.chart === "string" ? path.resolve(root, inputs.chart) : "";
        if (values.unknown || typeof inputs.namespace !== "string" || !/\.tgz$/.test(archive) || !fs.existsSync(archive)) {
            return [];
        }
        return [{
            chart, values, prefix: typeof inputs.resourcePrefix === "string" ? inputs.resourcePrefix : chart.name,
            request: {
                archive, namespace: inputs.namespace, release: typeof inputs.name === "string" ? inputs.name : chart.name,
                values: values.value, kubeVersion: kubeVersionOf(config), includeCrds: inputs.skipCrds !== true,
            },
        }];
    });
    // What the plan installs itself, then what the charts install: the cluster's API versions at apply time.
    const own = crdInfo(resources.filter(r => r.type.endsWith(":CustomResourceDefinition")).map(r => r.inputs));
    const charted = await Promise.all(jobs.map(j => renderCrds(root, { ...j.request, apiVersions: own.versions })));
    const crds = { versions: [...own.versions, ...charted.flatMap(c => c.versions)], clusterKinds: [...own.clusterKinds, ...charted.flatMap(c => c.clusterKinds)] };
    const apiVersions = [...new Set(crds.versions)].sort();
    const renders = await Promise.all(jobs.map(async j => ({ j, render: await renderChart(root, { ...j.request, apiVersions }) })));
    const clusterKinds = new Set([...clusterScopedKinds, ...crds.clusterKinds]);
    const children = new Map<string, RecordedResource[]>();
    const out: ChartRender[] = renders.map(({ j, render }) => {
        const filled = render.objects.map(o => clusterKinds.has(o.kind) || o.metadata.namespace
            ? o : { ...o, metadata: { ...o.metadata, namespace: j.request.namespace } } as K8sObject);
        children.set(j.chart.urn, filled.map(o => childRecord(j.chart, j.prefix, o, withSecrets(o, j.values.secrets))));
        return { chart: j.chart, objects: filled, hooks: render.hooks };
    });
    return { resources: resources.flatMap(r => [r, ...(children.get(r.urn) ?? [])]), renders: out };
}
