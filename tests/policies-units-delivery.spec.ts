/**
 * policies/delivery.ts's Flagger rules, called as the analyzer calls them: a compliant canary
 * release (target Deployment, its HPA, the primary's PDB, an alert rule and the MetricTemplate
 * that mirrors it), then one property of it changed per case, with the exact message.
 */
import { StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { expect } from "chai";
import { alertAnnotation, canaryAnalysisAsStrictAsAlerts, canaryAutoscalerRef, canaryPrimaryPdb, canaryTargetDeclared } from "../policies/delivery";

const ns = "bookkeep-production";
interface Fake { type: string; name: string; urn: string; props: Record<string, unknown>; propertyDependencies: Record<string, Fake[]>; opts: Record<string, unknown> }
const fake = (type: string, name: string, props: Record<string, unknown>, stack = "production"): Fake =>
    ({ type, name, urn: `urn:pulumi:${stack}::bookkeep::${type}::${name}`, props, propertyDependencies: {}, opts: {} });
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: ns, ...extra });

const deployment = (selector: Record<string, string> = { app: "svc" }, labels: Record<string, string> = { app: "svc", tier: "api" }, namespace = ns) =>
    fake("kubernetes:apps/v1:Deployment", "svc", { metadata: { name: "svc", namespace }, spec: { selector: { matchLabels: selector }, template: { metadata: { labels } } } });
const pdb = (matchLabels: Record<string, string> | undefined, namespace = ns) =>
    fake("kubernetes:policy/v1:PodDisruptionBudget", "svc-primary-pdb", { metadata: { name: "svc-primary-pdb", namespace }, spec: { maxUnavailable: 1, ...(matchLabels ? { selector: { matchLabels } } : {}) } });
const hpa = (scaleTargetRef: Record<string, unknown> = { apiVersion: "apps/v1", kind: "Deployment", name: "svc" }, namespace = ns) =>
    fake("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "svc-hpa", { metadata: { name: "svc-hpa", namespace }, spec: { scaleTargetRef, minReplicas: 2, maxReplicas: 6 } });
const errorRate = { name: "error-rate", templateRef: { name: "bookkeep-error-rate" }, thresholdRange: { max: 0.05 }, interval: "5m" };
const canary = (spec: Record<string, unknown> = {}, stack = "production") => fake("kubernetes:flagger.app/v1beta1:Canary", "svc", {
    metadata: meta("svc"),
    spec: {
        targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "svc" },
        autoscalerRef: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: "svc-hpa" },
        analysis: { metrics: [errorRate] },
        ...spec,
    },
}, stack);
const rules = (...rs: unknown[]) => fake("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "alerts", { metadata: meta("alerts"), spec: { groups: [{ name: "bookkeep", rules: rs }] } });
const highErrorRate = { alert: "HighErrorRate", expr: "sum(rate(errors[5m])) / sum(rate(requests[5m])) > 0.05", for: "5m" };
const template = (annotations: Record<string, string> = { [alertAnnotation]: "HighErrorRate" }) =>
    fake("kubernetes:flagger.app/v1beta1:MetricTemplate", "bookkeep-error-rate", { metadata: meta("bookkeep-error-rate", { annotations }), spec: { query: "..." } });

function reportsOf(policy: StackValidationPolicy, ...resources: Fake[]): string[] {
    const out: string[] = [];
    const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as unknown as StackValidationArgs;
    void policy.validateStack(args, message => out.push(message));
    return out;
}

const notDeclared = (target: string) =>
    `Canary svc in ${ns} targets ${target}, not a Deployment this stack declares there; Flagger clones its target into the primary, so target the service's own Deployment (targetRef kind Deployment).`;
const noPdb = (key: string, value: string) =>
    `Canary svc: Flagger's primary Deployment svc-primary has no PodDisruptionBudget (Flagger copies none); add one in ${ns} selecting ${key}: ${value} (maxUnavailable: 1).`;
const refAdvice = "set autoscalerRef to { apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: svc-hpa }, or the primary runs a fixed replica count while the HPA scales the idle canary.";
const doesNotCheck = "Canary svc does not check HighErrorRate; add a metric with templateRef bookkeep-error-rate and thresholdRange.max at most 0.05, the alert's threshold.";

describe("policy units: canary-target-declared", () => {
    it("passes a Canary whose target Deployment the stack declares in its namespace", () => {
        expect(reportsOf(canaryTargetDeclared, canary(), deployment())).to.deep.equal([]);
    });
    it("refuses a target of another kind, name or namespace, and a target without a name", () => {
        expect(reportsOf(canaryTargetDeclared, canary({ targetRef: { kind: "StatefulSet", name: "svc" } }), deployment())).to.deep.equal([notDeclared("\"svc\"")]);
        expect(reportsOf(canaryTargetDeclared, canary({ targetRef: { kind: "Deployment", name: "other" } }), deployment())).to.deep.equal([notDeclared("\"other\"")]);
        expect(reportsOf(canaryTargetDeclared, canary(), deployment(undefined, undefined, "bookkeep-staging"))).to.deep.equal([notDeclared("\"svc\"")]);
        expect(reportsOf(canaryTargetDeclared, canary({ targetRef: { kind: "Deployment" } }), deployment())).to.deep.equal([notDeclared("\"\"")]);
    });
});

describe("policy units: canary-primary-pdb", () => {
    it("passes a PDB selecting the primary's pods by the selector label, with other pod labels beside it", () => {
        expect(reportsOf(canaryPrimaryPdb, canary(), deployment(), pdb({ app: "svc-primary" }))).to.deep.equal([]);
        expect(reportsOf(canaryPrimaryPdb, canary(), deployment(), pdb({ app: "svc-primary", tier: "api" }))).to.deep.equal([]);
    });
    it("refuses a PDB in another namespace, one selecting other labels too, one selecting nothing, and none", () => {
        expect(reportsOf(canaryPrimaryPdb, canary(), deployment(), pdb({ app: "svc-primary" }, "bookkeep-staging"))).to.deep.equal([noPdb("app", "svc-primary")]);
        expect(reportsOf(canaryPrimaryPdb, canary(), deployment(), pdb({ app: "svc-primary", tier: "web" }))).to.deep.equal([noPdb("app", "svc-primary")]);
        expect(reportsOf(canaryPrimaryPdb, canary(), deployment(), pdb(undefined))).to.deep.equal([noPdb("app", "svc-primary")]);
        expect(reportsOf(canaryPrimaryPdb, canary(), deployment())).to.deep.equal([noPdb("app", "svc-primary")]);
    });
    it("takes the selector label Flagger takes (app, then name, then app.kubernetes.io/name) and names it", () => {
        const byName = deployment({ name: "svc" }, { tier: "api", name: "svc" });
        expect(reportsOf(canaryPrimaryPdb, canary(), byName, pdb({ name: "svc-primary", tier: "api" }))).to.deep.equal([]);
        expect(reportsOf(canaryPrimaryPdb, canary(), byName)).to.deep.equal([noPdb("name", "svc-primary")]);
    });
    it("leaves a target without a selector label Flagger reads, or without a declared Deployment, to the other rules", () => {
        expect(reportsOf(canaryPrimaryPdb, canary(), deployment({ role: "svc" }, { role: "svc" }))).to.deep.equal([]);
        expect(reportsOf(canaryPrimaryPdb, canary({ targetRef: { kind: "Deployment", name: "other" } }), deployment())).to.deep.equal([]);
    });
});

describe("policy units: canary-autoscaler-ref", () => {
    it("passes a Canary naming the HPA that scales its target, and one whose target no HPA scales", () => {
        expect(reportsOf(canaryAutoscalerRef, canary(), deployment(), hpa())).to.deep.equal([]);
        expect(reportsOf(canaryAutoscalerRef, canary({ autoscalerRef: undefined }), deployment())).to.deep.equal([]);
    });
    it("refuses an unset autoscalerRef, one of another kind and one naming another HPA", () => {
        expect(reportsOf(canaryAutoscalerRef, canary({ autoscalerRef: undefined }), deployment(), hpa()))
            .to.deep.equal([`Canary svc: HPA svc-hpa scales svc, but the Canary's autoscalerRef is unset; ${refAdvice}`]);
        expect(reportsOf(canaryAutoscalerRef, canary({ autoscalerRef: { kind: "Deployment", name: "svc-hpa" } }), deployment(), hpa()))
            .to.deep.equal([`Canary svc: HPA svc-hpa scales svc, but the Canary's autoscalerRef names "svc-hpa"; ${refAdvice}`]);
        expect(reportsOf(canaryAutoscalerRef, canary({ autoscalerRef: { kind: "HorizontalPodAutoscaler", name: "old" } }), deployment(), hpa()))
            .to.deep.equal([`Canary svc: HPA svc-hpa scales svc, but the Canary's autoscalerRef names "old"; ${refAdvice}`]);
    });
    it("counts only an HPA in the Canary's namespace that scales the target Deployment", () => {
        const unset = canary({ autoscalerRef: undefined });
        expect(reportsOf(canaryAutoscalerRef, unset, deployment(), hpa(undefined, "bookkeep-staging"))).to.deep.equal([]);
        expect(reportsOf(canaryAutoscalerRef, unset, deployment(), hpa({ kind: "StatefulSet", name: "svc" }))).to.deep.equal([]);
        expect(reportsOf(canaryAutoscalerRef, unset, deployment(), hpa({ kind: "Deployment", name: "other" }))).to.deep.equal([]);
    });
});

describe("policy units: canary-analysis-as-strict-as-alerts", () => {
    const judged = (c: Fake, ...alertRules: unknown[]) => reportsOf(canaryAnalysisAsStrictAsAlerts, c, rules(...(alertRules.length ? alertRules : [highErrorRate])), template());
    const weaker = (max: string) => `Canary svc: metric error-rate fails only above ${max}, weaker than the HighErrorRate alert's 0.05; set thresholdRange.max to at most 0.05.`;

    it("passes a production Canary at or below the alert's threshold", () => {
        expect(judged(canary())).to.deep.equal([]);
        expect(judged(canary({ analysis: { metrics: [{ ...errorRate, thresholdRange: { max: 0.01 } }] } }))).to.deep.equal([]);
    });
    it("refuses a metric weaker than the alert, or without a maximum, and a Canary without the metric", () => {
        expect(judged(canary({ analysis: { metrics: [{ ...errorRate, thresholdRange: { max: 0.1 } }] } }))).to.deep.equal([weaker("0.1")]);
        expect(judged(canary({ analysis: { metrics: [{ ...errorRate, thresholdRange: { min: 0 } }] } }))).to.deep.equal([weaker("nothing (no thresholdRange.max)")]);
        expect(judged(canary({ analysis: { metrics: [{ ...errorRate, thresholdRange: undefined }] } }))).to.deep.equal([weaker("nothing (no thresholdRange.max)")]);
        expect(judged(canary({ analysis: { metrics: [] } }))).to.deep.equal([doesNotCheck]);
        expect(judged(canary({ analysis: undefined }))).to.deep.equal([doesNotCheck]);
    });
    it("finds the metric by its template among others, and skips entries that are not metrics", () => {
        const other = { name: "custom", query: "up", thresholdRange: { max: 99 } };
        expect(judged(canary({ analysis: { metrics: [null, other, errorRate] } }))).to.deep.equal([]);
        expect(judged(canary({ analysis: { metrics: [{ ...other, templateRef: { name: "bookkeep-latency-p99" } }, { ...errorRate, thresholdRange: { max: 0.1 } }] } })))
            .to.deep.equal([weaker("0.1")]);
    });
    it("leaves a staging Canary's thresholds to the team", () => {
        expect(judged(canary({ analysis: { metrics: [] } }, "staging"))).to.deep.equal([]);
    });
    it("reads the threshold an alert fires above only at the end of its expression", () => {
        const noMetric = canary({ analysis: { metrics: [] } });
        expect(judged(noMetric, { ...highErrorRate, expr: "errors >0.05" })).to.deep.equal([doesNotCheck]);
        expect(judged(noMetric, { ...highErrorRate, expr: "errors > 0.05 and on() up" })).to.deep.equal([]);
        expect(judged(noMetric, { ...highErrorRate, expr: "errors > 5e-2" })).to.deep.equal([]);
        expect(judged(noMetric, { ...highErrorRate, expr: "absent(up) == 1" })).to.deep.equal([]);
        expect(judged(noMetric, { ...highErrorRate, expr: 0.05 })).to.deep.equal([]);
    });
    it("skips rule entries that are not rules, and keeps a readable threshold over a later unreadable one", () => {
        const noMetric = canary({ analysis: { metrics: [] } });
        expect(judged(noMetric, null, highErrorRate)).to.deep.equal([doesNotCheck]);
        expect(judged(noMetric, highErrorRate, { alert: "HighErrorRate", expr: "absent(up)" })).to.deep.equal([doesNotCheck]);
    });
    it("asks only for templates that mirror an alert of the stack", () => {
        const noMetric = canary({ analysis: { metrics: [] } });
        expect(reportsOf(canaryAnalysisAsStrictAsAlerts, noMetric, rules(highErrorRate), template({}))).to.deep.equal([]);
        expect(reportsOf(canaryAnalysisAsStrictAsAlerts, noMetric, rules(highErrorRate), template({ [alertAnnotation]: "HighLatency" }))).to.deep.equal([]);
    });
});
