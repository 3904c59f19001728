/**
 * Checks every plan runs over what it would deploy, beyond the policy pack: things a real apply
 * punishes that no single resource shows. A chart that cannot be rendered offline (so nothing it
 * deploys was checked), a pod that references a Secret or ConfigMap nothing deploys (typically
 * one only a Helm hook creates, which `helm.v4.Chart` never runs), and an admission webhook that
 * fails closed with no source for its CA (every matching API request would fail).
 */
import { asArray, isObject, podTemplateOf, Props } from "../../policies/helpers";
import { vendoredArchive } from "../../policies/charts";
import type { RecordedResource } from "../engine";
import type { PolicyReport, Violation } from "../policyRunner";
import { chartType, ChartRender } from "./children";

export const planChecks = {
    chartRendered: "chart-rendered-offline",
    references: "pod-references-deployed",
    webhookCa: "webhook-ca-source",
} as const;

/**
 * Webhooks whose CA bundle a controller writes at run time (not an annotation), by the
 * configuration's name: the CloudNativePG operator generates its own CA and patches both of its
 * webhook configurations when it starts.
 */
export const selfManagedWebhookCa: Readonly<Record<string, string>> = {
    "cnpg-mutating-webhook-configuration": "the CloudNativePG operator injects its own CA when it starts",
    "cnpg-validating-webhook-configuration": "the CloudNativePG operator injects its own CA when it starts",
};

const caAnnotations = ["cert-manager.io/inject-ca-from", "cert-manager.io/inject-ca-from-secret", "cert-manager.io/inject-apiserver-ca"];

interface Ref {
    readonly kind: "Secret" | "ConfigMap";
    readonly name: string;
}

/** Every Secret and ConfigMap a pod template needs to start (optional references left out). */
export function podReferences(spec: Props): Ref[] {
    const refs: Ref[] = [];
    const add = (kind: Ref["kind"], name: unknown, optional: unknown) => {
        if (typeof name === "string" && optional !== true) {
            refs.push({ kind, name });
        }
    };
    for (const v of asArray(spec.volumes).filter(isObject)) {
        add("Secret", v.secret?.secretName, v.secret?.optional);
        add("ConfigMap", v.configMap?.name, v.configMap?.optional);
        for (const s of asArray(v.projected?.sources).filter(isObject)) {
            add("Secret", s.secret?.name, s.secret?.optional);
            add("ConfigMap", s.configMap?.name, s.configMap?.optional);
        }
    }
    for (const c of [...asArray(spec.initContainers), ...asArray(spec.containers)].filter(isObject)) {
        for (const e of asArray(c.env).filter(isObject)) {
            add("Secret", e.valueFrom?.secretKeyRef?.name, e.valueFrom?.secretKeyRef?.optional);
            add("ConfigMap", e.valueFrom?.configMapKeyRef?.name, e.valueFrom?.configMapKeyRef?.optional);
        }
        for (const e of asArray(c.envFrom).filter(isObject)) {
            add("Secret", e.secretRef?.name, e.secretRef?.optional);
            add("ConfigMap", e.configMapRef?.name, e.configMapRef?.optional);
        }
    }
    for (const s of asArray(spec.imagePullSecrets).filter(isObject)) {
        add("Secret", s.name, false);
    }
    return refs;
}

const key = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ""}/${name}`;

/** Secrets and ConfigMaps the plan deploys, directly or through a controller it deploys them for. */
function provided(objects: readonly { type: string; inputs: Props }[]): Set<string> {
    const out = new Set<string>();
    for (const { type, inputs } of objects) {
        const ns = inputs.metadata?.namespace;
        const name = inputs.metadata?.name;
        if (type === "kubernetes:core/v1:Secret" || type === "kubernetes:core/v1:ConfigMap") {
            out.add(key(type.slice("kubernetes:core/v1:".length), ns, name));
        } else if (type === "kubernetes:cert-manager.io/v1:Certificate" && typeof inputs.spec?.secretName === "string") {
            out.add(key("Secret", ns, inputs.spec.secretName));
        } else if (type === "kubernetes:bitnami.com/v1alpha1:SealedSecret") {
            out.add(key("Secret", ns, name));
        } else if (type === "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch") {
            // The ECK operator generates the superuser's password into this Secret.
            out.add(key("Secret", ns, `${name}-es-elastic-user`));
        }
    }
    return out;
}

function finding(policy: string, urn: string, message: string): Violation {
    return { policy, enforcementLevel: "mandatory", urn, message };
}

export function runPlanChecks(resources: readonly RecordedResource[], renders: readonly ChartRender[]): Violation[] {
    const out: Violation[] = [];
    const rendered = new Set(renders.map(r => r.chart.urn));
    for (const chart of resources.filter(r => r.type === chartType && !rendered.has(r.urn))) {
        const source = chart.rawInputs.chart;
        if (!vendoredArchive(source)) {
            out.push(finding(planChecks.chartRendered, chart.urn,
                `Helm chart ${chart.name} installs ${JSON.stringify(source ?? null)}, not a vendored archive, so the plan cannot render it and none of its objects were checked; copy the archive into charts/ and set chart to "./charts/<name>-<version>.tgz".`));
        }
    }
    const objects = resources.filter(r => r.custom && r.type.startsWith("kubernetes:")).map(r => ({ urn: r.urn, parent: r.parent, type: r.type, inputs: r.inputs as Props }));
    const have = provided(objects);
    // In-cluster sources every namespace has.
    const builtIn = (ref: Ref) => ref.kind === "ConfigMap" && ref.name === "kube-root-ca.crt";
    // A Secret a hook makes is usually written by a hook Job at install time, so it is not among
    // the rendered objects: what can be said is which hook Jobs the pod's own chart has.
    const hookJobs = new Map(renders.map(r => [r.chart.urn, r.hooks.filter(h => h.kind === "Job" || h.kind === "Pod")
        .map(h => `${h.kind} ${h.metadata.name} (${h.metadata.annotations?.["helm.sh/hook"]})`)]));
    for (const o of objects) {
        const pod = podTemplateOf(o.type, o.inputs, o.inputs.metadata?.name ?? "");
        if (pod) {
            const ns = o.inputs.metadata?.namespace ?? "default";
            for (const ref of podReferences(pod.spec)) {
                const k = key(ref.kind, ns, ref.name);
                if (!have.has(k) && !builtIn(ref)) {
                    const hooks = hookJobs.get(o.parent ?? "") ?? [];
                    out.push(finding(planChecks.references, o.urn, `${pod.kind} ${pod.name} needs ${ref.kind} ${ns}/${ref.name}, which nothing in the plan deploys` +
                        (hooks.length > 0 ? ` (its chart's hooks, which helm.v4.Chart never runs, would: ${hooks.join(", ")})` : "") +
                        `; deploy it (for a certificate, a cert-manager Certificate with that secretName), turn off what needs it, or mark the reference optional.`));
                }
            }
        }
        if (o.type.endsWith(":ValidatingWebhookConfiguration") || o.type.endsWith(":MutatingWebhookConfiguration")) {
            const annotations = o.inputs.metadata?.annotations ?? {};
            const name = o.inputs.metadata?.name;
            if (caAnnotations.some(a => typeof annotations[a] === "string") || selfManagedWebhookCa[name] !== undefined) {
                continue;
            }
            for (const w of asArray(o.inputs.webhooks).filter(isObject)) {
                const failClosed = (w.failurePolicy ?? "Fail") === "Fail";
                if (failClosed && w.clientConfig?.service !== undefined && !w.clientConfig?.caBundle) {
                    out.push(finding(planChecks.webhookCa, o.urn, `${o.type.split(":")[2]} ${name}: webhook ${w.name} fails closed (failurePolicy Fail) and has no CA source; annotate it cert-manager.io/inject-ca-from with a Certificate, set clientConfig.caBundle, or turn the webhook off.`));
                }
            }
        }
    }
    return out;
}

/** The policy report with the plan checks as mandatory entries, as the plan prints and exits on them. */
export function withPlanChecks(report: PolicyReport, resources: readonly RecordedResource[], renders: readonly ChartRender[]): PolicyReport {
    return {
        ...report,
        evaluated: [...report.evaluated, ...Object.values(planChecks).map(name => ({ name, enforcementLevel: "mandatory" as const }))],
        violations: [...report.violations, ...runPlanChecks(resources, renders)],
    };
}
