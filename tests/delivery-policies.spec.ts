/**
 * policies/delivery.ts through the real analyzer, with the whole pack: a compliant Flagger release
 * raises nothing, and each broken fixture breaks one property and gets exactly one message.
 */
import { expect } from "chai";
import * as path from "path";
import { projectRoot } from "../offline/engine";
import { PolicyReport, readPackConfig, runPolicies } from "../offline/policyRunner";
import { pack } from "../policies/pack";
import { alertingChecks, canaryRelease } from "./delivery-fixtures";
import { run } from "./harness";
import { appNamespace, Env, providers } from "./policies-fixtures";

const descriptions = new Map(pack.policies.map(p => [p.name, p.description ?? ""]));
const messageOf = (policy: string, message: string) => message.slice((descriptions.get(policy) ?? "").length + 1);

function on(report: PolicyReport, name: string): Array<[string, string]> {
    return report.violations.filter(v => v.urn.endsWith(`::${name}`)).map(v => [v.policy, messageOf(v.policy, v.message)]);
}

async function evaluate(env: Env, program: (ns: string, p: ReturnType<typeof providers>) => void): Promise<PolicyReport> {
    const ev = await run(() => {
        const p = providers(env);
        const ns = appNamespace(env, p.k8s);
        alertingChecks(ns, p.k8s);
        program(ns, p);
        return {};
    }, env);
    return runPolicies(pack, ev.resources, readPackConfig(path.join(projectRoot(), "policies", "config", `${env}.json`)));
}

const errorRate = (ns: string, max: number | undefined) => ({
    name: "bookkeep-error-rate", templateRef: { name: "bookkeep-error-rate", namespace: ns }, ...(max === undefined ? {} : { thresholdRange: { max } }), interval: "5m",
});
const latency = (ns: string, max: number) => ({ name: "bookkeep-latency-p99", templateRef: { name: "bookkeep-latency-p99", namespace: ns }, thresholdRange: { max }, interval: "5m" });

describe("delivery policies (production)", () => {
    let report: PolicyReport;
    const prod = "bookkeep-production";

    before(async () => {
        report = await evaluate("production", (ns, p) => {
            canaryRelease("canary-ok", ns, p.k8s);
            canaryRelease("canary-strict", ns, p.k8s, { canary: { analysis: { metrics: [errorRate(ns, 0.01), latency(ns, 0.5)] } } });
            canaryRelease("canary-nopdb", ns, p.k8s, { noPrimaryPdb: true });
            canaryRelease("canary-noautoscaler", ns, p.k8s, { canary: { autoscalerRef: undefined } });
            canaryRelease("canary-otherhpa", ns, p.k8s, { canary: { autoscalerRef: { name: "canary-otherhpa-svc-hpa-old" } } });
            canaryRelease("canary-ghost", ns, p.k8s, { canary: { targetRef: { name: "ghost-svc" } } });
            canaryRelease("canary-statefulset", ns, p.k8s, { canary: { targetRef: { kind: "StatefulSet" } } });
            canaryRelease("canary-lax", ns, p.k8s, { canary: { analysis: { metrics: [errorRate(ns, 0.1), latency(ns, 2)] } } });
            canaryRelease("canary-slow", ns, p.k8s, { canary: { analysis: { metrics: [errorRate(ns, 0.05), latency(ns, 3)] } } });
            canaryRelease("canary-nomax", ns, p.k8s, { canary: { analysis: { metrics: [errorRate(ns, undefined), latency(ns, 2)] } } });
            canaryRelease("canary-nolatency", ns, p.k8s, { canary: { analysis: { metrics: [errorRate(ns, 0.05)] } } });
        });
    });

    it("raises nothing on a compliant release, or on one stricter than the alerts", () => {
        expect(on(report, "canary-ok")).to.deep.equal([]);
        expect(on(report, "canary-strict")).to.deep.equal([]);
    });

    const cases: Array<[string, string, string]> = [
        ["canary-nopdb", "canary-primary-pdb",
            `Canary canary-nopdb-svc: Flagger's primary Deployment canary-nopdb-svc-primary has no PodDisruptionBudget (Flagger copies none); add one in ${prod} selecting app: canary-nopdb-svc-primary (maxUnavailable: 1).`],
        ["canary-noautoscaler", "canary-autoscaler-ref",
            "Canary canary-noautoscaler-svc: HPA canary-noautoscaler-svc-hpa scales canary-noautoscaler-svc, but the Canary's autoscalerRef is unset; set autoscalerRef to { apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: canary-noautoscaler-svc-hpa }, or the primary runs a fixed replica count while the HPA scales the idle canary."],
        ["canary-otherhpa", "canary-autoscaler-ref",
            "Canary canary-otherhpa-svc: HPA canary-otherhpa-svc-hpa scales canary-otherhpa-svc, but the Canary's autoscalerRef names \"canary-otherhpa-svc-hpa-old\"; set autoscalerRef to { apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: canary-otherhpa-svc-hpa }, or the primary runs a fixed replica count while the HPA scales the idle canary."],
        ["canary-ghost", "canary-target-declared",
            `Canary canary-ghost-svc in ${prod} targets "ghost-svc", not a Deployment this stack declares there; Flagger clones its target into the primary, so target the service's own Deployment (targetRef kind Deployment).`],
        ["canary-statefulset", "canary-target-declared",
            `Canary canary-statefulset-svc in ${prod} targets "canary-statefulset-svc", not a Deployment this stack declares there; Flagger clones its target into the primary, so target the service's own Deployment (targetRef kind Deployment).`],
        ["canary-lax", "canary-analysis-as-strict-as-alerts",
            "Canary canary-lax-svc: metric bookkeep-error-rate fails only above 0.1, weaker than the HighErrorRate alert's 0.05; set thresholdRange.max to at most 0.05."],
        ["canary-slow", "canary-analysis-as-strict-as-alerts",
            "Canary canary-slow-svc: metric bookkeep-latency-p99 fails only above 3, weaker than the HighLatency alert's 2; set thresholdRange.max to at most 2."],
        ["canary-nomax", "canary-analysis-as-strict-as-alerts",
            "Canary canary-nomax-svc: metric bookkeep-error-rate fails only above nothing (no thresholdRange.max), weaker than the HighErrorRate alert's 0.05; set thresholdRange.max to at most 0.05."],
        ["canary-nolatency", "canary-analysis-as-strict-as-alerts",
            "Canary canary-nolatency-svc does not check HighLatency; add a metric with templateRef bookkeep-latency-p99 and thresholdRange.max at most 2, the alert's threshold."],
    ];
    for (const [name, policy, message] of cases) {
        it(`refuses ${name}: ${policy}`, () => {
            expect(on(report, name)).to.deep.equal([[policy, message]]);
        });
    }

    it("raises nothing on the fixtures around the Canaries (Deployments, HPAs, PDBs, templates, rules)", () => {
        const canaries = new Set(["canary-ok", "canary-strict", ...cases.map(([n]) => n)]);
        expect(report.violations.filter(v => !canaries.has(v.urn.split("::").pop() ?? "")).map(v => `${v.policy} ${v.urn}`)).to.deep.equal([]);
    });
});

describe("delivery policies (staging)", () => {
    it("leaves staging's thresholds to the team, but still wants the primary's PDB", async () => {
        const report = await evaluate("staging", (ns, p) => {
            canaryRelease("canary-lax", ns, p.k8s, { canary: { analysis: { metrics: [errorRate(ns, 0.2)] } } });
            canaryRelease("canary-nopdb", ns, p.k8s, { noPrimaryPdb: true });
        });
        expect(on(report, "canary-lax")).to.deep.equal([]);
        expect(on(report, "canary-nopdb").map(([policy]) => policy)).to.deep.equal(["canary-primary-pdb"]);
    });
});
