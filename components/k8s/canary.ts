/**
 * A service's Flagger Canary and what Flagger does not make for it. Flagger clones the service's
 * Deployment into `<svc>-primary` (which serves), retargets a copy of its HPA there
 * (`<hpa>-primary`), generates the `<svc>`, `<svc>-primary` and `<svc>-canary` Services and the
 * HTTPRoute `<svc>` on the Gateway; it copies no PodDisruptionBudget, so the primary's is made here.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { CanarySettings, ServiceSpec } from "../../services/schema";
import { canaryChecks } from "./canaryChecks";
import { networkPolicy, tcp } from "./networkPolicies";

type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/** Where the fleet's Canaries route and who runs their webhooks (the same for every service). */
export interface ProgressiveDelivery {
    /** The Gateway listener Flagger's HTTPRoutes attach to (components/k8s/gateway.ts `apiParentRef`). */
    readonly gatewayRef: Readonly<Record<string, string>>;
    /** The API host, `api.<domain>`. */
    readonly host: string;
    /** The load tester's URL (components/k8s/flagger.ts). */
    readonly loadtesterUrl: string;
    /** The load tester's pods, which the service admits on its port. */
    readonly loadtester: Peer;
}

export interface ServiceCanaryArgs {
    readonly spec: ServiceSpec;
    readonly namespace: string;
    /** The Deployment Flagger clones (`<svc>`), and the HPA that scales it. */
    readonly deployment: k8s.apps.v1.Deployment;
    readonly hpa: k8s.autoscaling.v2.HorizontalPodAutoscaler;
    readonly delivery: ProgressiveDelivery;
}

/** The primary Deployment Flagger makes of `<svc>`, and the value of its `app` label. */
export function primaryOf(serviceName: string): string {
    return `${serviceName}-primary`;
}

/** The Canary's analysis: the alerting checks at the catalog's thresholds (the alerts' unless stricter). */
export function canaryAnalysis(spec: ServiceSpec, namespace: string, webhooks: unknown[]): Record<string, unknown> {
    const c: CanarySettings = spec.canary;
    const limit = { HighErrorRate: c.maxErrorRate, HighLatency: c.maxP99Seconds } as const;
    return {
        interval: c.interval,
        threshold: c.threshold,
        stepWeight: c.stepWeight,
        maxWeight: c.maxWeight,
        metrics: canaryChecks().map(check => ({
            name: check.template.replace(/^bookkeep-/, ""),
            templateRef: { name: check.template, namespace },
            thresholdRange: { max: limit[check.alert] ?? check.max },
            interval: check.window,
        })),
        webhooks,
    };
}

export class ServiceCanary extends pulumi.ComponentResource {
    public readonly canary: k8s.apiextensions.CustomResource;

    constructor(name: string, args: ServiceCanaryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:fleet:ServiceCanary", name, {}, opts);
        const { spec, namespace, delivery } = args;
        const svcName = `${spec.name}-service`;
        const labels = { "app.kubernetes.io/name": svcName, "app.kubernetes.io/part-of": "bookkeep" };
        // Flagger's canary Service: the webhooks test the new version before it gets any traffic.
        const canaryUrl = `http://${svcName}-canary.${namespace}`;

        this.canary = new k8s.apiextensions.CustomResource(`${name}-canary`, {
            apiVersion: "flagger.app/v1beta1",
            kind: "Canary",
            metadata: { name: svcName, namespace, labels },
            spec: {
                targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: args.deployment.metadata.name },
                autoscalerRef: { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: args.hpa.metadata.name },
                progressDeadlineSeconds: 600,
                service: {
                    port: 80,
                    targetPort: "http",
                    portName: "http",
                    gatewayRefs: [{ ...delivery.gatewayRef }],
                    hosts: [delivery.host],
                    match: [{ uri: { prefix: spec.routePrefix } }],
                },
                analysis: canaryAnalysis(spec, namespace, [
                    {
                        name: "acceptance-test",
                        type: "pre-rollout",
                        url: delivery.loadtesterUrl,
                        timeout: "30s",
                        metadata: { type: "bash", cmd: `curl -sf ${canaryUrl}/ready` },
                    },
                    {
                        name: "load-test",
                        type: "rollout",
                        url: delivery.loadtesterUrl,
                        timeout: "5s",
                        metadata: { cmd: `hey -z 1m -q 10 -c 2 ${canaryUrl}${spec.routePrefix}` },
                    },
                ]),
            },
        }, { parent: this, dependsOn: [args.deployment, args.hpa] });

        // As the service's own PDB: maxUnavailable keeps a single-replica staging drain possible.
        new k8s.policy.v1.PodDisruptionBudget(`${name}-primary-pdb`, {
            metadata: { name: `${primaryOf(svcName)}-pdb`, namespace, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: { app: primaryOf(svcName) } } },
        }, { parent: this });

        networkPolicy(`${name}-loadtester-netpol`, `${svcName}-from-loadtester`, namespace, {
            podSelector: { matchLabels: labels },
            ingress: [{ from: [delivery.loadtester], ports: tcp(spec.port) }],
        }, { parent: this }, labels);
        this.registerOutputs({});
    }
}
