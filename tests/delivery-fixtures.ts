/**
 * Compliant progressive-delivery fixtures for the policy specs: the alert rules and the
 * MetricTemplates that mirror them (once per stack), and a service released by a Flagger Canary
 * (Deployment, HPA, the service's and the primary's PDBs, Canary). `over` breaks one property.
 * Must be called inside a `run()` program.
 */
import * as k8s from "@pulumi/kubernetes";
import { alertGroups } from "../components/k8s/alerts";
import { canaryChecks } from "../components/k8s/canaryChecks";
import { hpa, merge, Over, pdb, workload } from "./policies-fixtures";

/** The PrometheusRule and the two MetricTemplates, as the program deploys them. */
export function alertingChecks(namespace: string, provider: k8s.Provider): void {
    new k8s.apiextensions.CustomResource("alerts", {
        apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule",
        metadata: { name: "bookkeep-alerts", namespace: "bookkeep-monitoring" }, spec: { groups: alertGroups },
    }, { provider });
    for (const check of canaryChecks()) {
        new k8s.apiextensions.CustomResource(check.template, {
            apiVersion: "flagger.app/v1beta1", kind: "MetricTemplate",
            metadata: { name: check.template, namespace, annotations: { "bookkeep.app/alert": check.alert } },
            spec: { provider: { type: "prometheus", address: "http://prometheus:9090" }, query: check.query },
        }, { provider });
    }
}

export interface CanaryFixture {
    /** The Canary's fields, merged over the compliant spec (arrays and scalars replace). */
    readonly canary?: Over;
    /** Leave out the primary's PDB. Default false. */
    readonly noPrimaryPdb?: boolean;
}

/** A Flagger-released service `<id>`; the Canary is the resource named `id`. */
export function canaryRelease(id: string, namespace: string, provider: k8s.Provider, o: CanaryFixture = {}): void {
    workload("Deployment", `${id}-svc`, provider, { namespace });
    hpa(`${id}-svc-hpa`, namespace, `${id}-svc`, 2, provider);
    pdb(`${id}-svc-pdb`, namespace, { app: `${id}-svc` }, provider);
    if (!o.noPrimaryPdb) {
        pdb(`${id}-svc-primary-pdb`, namespace, { app: `${id}-svc-primary` }, provider);
    }
    const metrics = canaryChecks().map(c => ({ name: c.template, templateRef: { name: c.template, namespace }, thresholdRange: { max: c.max }, interval: c.window }));
    new k8s.apiextensions.CustomResource(id, {
        apiVersion: "flagger.app/v1beta1", kind: "Canary",
        metadata: { name: `${id}-svc`, namespace },
        spec: merge({
            targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: `${id}-svc` },
            autoscalerRef: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: `${id}-svc-hpa` },
            service: { port: 80, gatewayRefs: [{ name: "bookkeep-gateway", namespace: "bookkeep-system" }] },
            analysis: { interval: "1m", threshold: 5, stepWeight: 10, maxWeight: 50, metrics },
        }, o.canary),
    }, { provider });
}
