/**
 * Progressive delivery (Flagger): the objects Flagger makes at run time never reach a preview, so
 * the pack judges what they are made from. Flagger clones a Canary's target Deployment into
 * `<target>-primary` (so the pod-hardening policies, judging the target, hold over both), retargets
 * a copy of the autoscaler named by `autoscalerRef`, and copies no PodDisruptionBudget. In
 * production a canary must be judged at least as strictly as the alert rules would page.
 */
import { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { asArray, isObject, isProductionIn, k8sName, k8sNamespace, ofType, Props, safe } from "./helpers";

const canaryType = "kubernetes:flagger.app/v1beta1:Canary";
const metricTemplateType = "kubernetes:flagger.app/v1beta1:MetricTemplate";
const deploymentType = "kubernetes:apps/v1:Deployment";
const hpaType = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const pdbType = "kubernetes:policy/v1:PodDisruptionBudget";
const ruleType = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
/** A MetricTemplate annotated with the alert it mirrors (components/k8s/flagger.ts). */
export const alertAnnotation = "bookkeep.app/alert";
/** The pod labels Flagger looks for, in its order, in the target's spec.selector.matchLabels (its -selector-labels default). */
const selectorLabels = ["app", "name", "app.kubernetes.io/name"];

interface Target {
    readonly canary: PolicyResource;
    readonly name: string;
    readonly namespace: string;
    readonly deployment: PolicyResource | undefined;
}

function targetOf(args: StackValidationArgs, canary: PolicyResource): Target {
    const namespace = k8sNamespace(canary);
    // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
    const ref: Props = safe(() => canary.props.spec?.targetRef) ?? {};
    const name = typeof ref.name === "string" ? ref.name : "";
    const deployment = ref.kind === "Deployment"
        ? ofType(args, deploymentType).find(d => k8sName(d) === name && k8sNamespace(d) === namespace)
        : undefined;
    return { canary, name, namespace, deployment };
}

function forCanaries(check: (t: Target, args: StackValidationArgs, report: (message: string, urn: string) => void) => void) {
    return (args: StackValidationArgs, report: (message: string, urn: string) => void) => {
        for (const canary of ofType(args, canaryType)) {
            check(targetOf(args, canary), args, report);
        }
    };
}

export const canaryTargetDeclared: StackValidationPolicy = {
    name: "canary-target-declared",
    description: "Checks whether every Flagger Canary targets a Deployment the stack declares in its namespace, so the pod-hardening policies have judged what Flagger clones into the primary.",
    enforcementLevel: "mandatory",
    validateStack: forCanaries((t, _args, report) => {
        if (t.deployment === undefined) {
            report(`Canary ${k8sName(t.canary)} in ${t.namespace} targets ${JSON.stringify(t.name)}, not a Deployment this stack declares there; Flagger clones its target into the primary, so target the service's own Deployment (targetRef kind Deployment).`, t.canary.urn);
        }
    }),
};

/** The primary's pod labels: the target's, with its selector label's value suffixed `-primary`, as Flagger writes them. */
function primaryLabels(deployment: PolicyResource): Props | undefined {
    // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
    const selector: Props = safe(() => deployment.props.spec?.selector?.matchLabels) ?? {};
    const label = selectorLabels.find(l => typeof selector[l] === "string");
    if (label === undefined) {
        return undefined;
    }
    // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
    const labels: Props = safe(() => deployment.props.spec?.template?.metadata?.labels) ?? {};
    return { ...labels, [label]: `${selector[label]}-primary` };
}

export const canaryPrimaryPdb: StackValidationPolicy = {
    name: "canary-primary-pdb",
    description: "Checks whether the primary Deployment Flagger makes of every Canary's target has a PodDisruptionBudget selecting its pods (Flagger copies none).",
    enforcementLevel: "mandatory",
    validateStack: forCanaries((t, args, report) => {
        const labels = t.deployment ? primaryLabels(t.deployment) : undefined;
        if (labels === undefined) {
            return;
        }
        const covered = ofType(args, pdbType).some(p => {
            // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
            const match = Object.entries((safe(() => p.props.spec?.selector?.matchLabels) ?? {}) as Props);
            return k8sNamespace(p) === t.namespace && match.length > 0 && match.every(([k, v]) => labels[k] === v);
        });
        if (!covered) {
            const [key, value] = Object.entries(labels).find(([, v]) => v === `${t.name}-primary`) ?? ["app", `${t.name}-primary`];
            report(`Canary ${k8sName(t.canary)}: Flagger's primary Deployment ${t.name}-primary has no PodDisruptionBudget (Flagger copies none); add one in ${t.namespace} selecting ${key}: ${value} (maxUnavailable: 1).`, t.canary.urn);
        }
    }),
};

export const canaryAutoscalerRef: StackValidationPolicy = {
    name: "canary-autoscaler-ref",
    description: "Checks whether every Canary whose target Deployment an HPA scales names that HPA as its autoscalerRef, so Flagger scales the primary with a copy of it.",
    enforcementLevel: "mandatory",
    validateStack: forCanaries((t, args, report) => {
        const hpa = ofType(args, hpaType).find(h => k8sNamespace(h) === t.namespace &&
            // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
            safe(() => h.props.spec?.scaleTargetRef?.kind) === "Deployment" && safe(() => h.props.spec?.scaleTargetRef?.name) === t.name);
        if (hpa === undefined) {
            return;
        }
        // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
        const ref: Props | undefined = safe(() => t.canary.props.spec?.autoscalerRef);
        const hpaName = k8sName(hpa);
        if (!isObject(ref) || ref.kind !== "HorizontalPodAutoscaler" || ref.name !== hpaName) {
            report(`Canary ${k8sName(t.canary)}: HPA ${hpaName} scales ${t.name}, but the Canary's autoscalerRef ${isObject(ref) ? `names ${JSON.stringify(ref.name)}` : "is unset"}; set autoscalerRef to { apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: ${hpaName} }, or the primary runs a fixed replica count while the HPA scales the idle canary.`, t.canary.urn);
        }
    }),
};

interface AlertBound {
    readonly alert: string;
    readonly template: string;
    readonly max: number;
}

/** `<query> > <number>`: the number an alert fires above. */
function thresholdOf(expr: unknown): number | undefined {
    // Stryker disable next-line MethodExpression: the trailing \s* already takes what trim() drops, and nothing is anchored at the start
    const m = typeof expr === "string" ? />\s*([0-9.]+)\s*$/.exec(expr.trim()) : null;
    return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** Each MetricTemplate that mirrors an alert rule of the stack, with that alert's threshold. */
function alertBounds(args: StackValidationArgs): AlertBound[] {
    const thresholds = new Map<string, number>();
    for (const rule of ofType(args, ruleType)) {
        // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
        for (const group of asArray(safe(() => rule.props.spec?.groups))) {
            for (const r of asArray(isObject(group) ? group.rules : undefined).filter(isObject)) {
                const t = thresholdOf(r.expr);
                if (typeof r.alert === "string" && t !== undefined) {
                    thresholds.set(r.alert, t);
                }
            }
        }
    }
    return ofType(args, metricTemplateType).flatMap(m => {
        // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
        const alert = safe(() => m.props.metadata?.annotations?.[alertAnnotation]);
        const max = typeof alert === "string" ? thresholds.get(alert) : undefined;
        return max === undefined ? [] : [{ alert, template: k8sName(m), max }];
    });
}

export const canaryAnalysisAsStrictAsAlerts: StackValidationPolicy = {
    name: "canary-analysis-as-strict-as-alerts",
    description: "Checks whether every Canary in production checks each alert a MetricTemplate mirrors, failing at or below the alert's threshold.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const bounds = alertBounds(args);
        for (const canary of ofType(args, canaryType).filter(c => isProductionIn(args, c))) {
            // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
            const metrics = asArray(safe(() => canary.props.spec?.analysis?.metrics)).filter(isObject);
            for (const bound of bounds) {
                const metric = metrics.find(m => m.templateRef?.name === bound.template);
                const max = metric?.thresholdRange?.max;
                if (metric === undefined) {
                    report(`Canary ${k8sName(canary)} does not check ${bound.alert}; add a metric with templateRef ${bound.template} and thresholdRange.max at most ${bound.max}, the alert's threshold.`, canary.urn);
                } else if (typeof max !== "number" || max > bound.max) {
                    report(`Canary ${k8sName(canary)}: metric ${metric.name} fails only above ${max ?? "nothing (no thresholdRange.max)"}, weaker than the ${bound.alert} alert's ${bound.max}; set thresholdRange.max to at most ${bound.max}.`, canary.urn);
                }
            }
        }
    },
};

export const deliveryPolicies = [canaryTargetDeclared, canaryPrimaryPdb, canaryAutoscalerRef, canaryAnalysisAsStrictAsAlerts];
