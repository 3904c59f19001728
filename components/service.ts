/**
 * One BookKeep service on Kubernetes, shaped as docs/requirements.md's Deployment/Service/HPA (Service shape) and hardened as
 * its Security Hardening section demands: ServiceAccount, Deployment, Service, HPA,
 * PodDisruptionBudget, NetworkPolicy, its HTTPRoute on the API Gateway, and optionally a canary
 * (Deployment, Service, a weighted share of the route).
 */
import * as k8s from "./k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import { ImageRef } from "../services/release";
import { Backend, ServiceSpec } from "../services/schema";
import { ConfigIssue, inputError } from "../stacks/errors";
import { Environment } from "../stacks/schema";
import { dnsEgress, networkPolicy, tcp } from "./k8s/networkPolicies";
import { restrictedContainer, restrictedPod } from "./k8s/security";
import { appLabels, platformPeers, wellKnown } from "./naming";
import { serviceRoute } from "./route";

type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type NetworkPolicyEgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type PodTemplateSpec = k8s.types.input.core.v1.PodTemplateSpec;

/** A data store as the NetworkPolicy sees it: who may be reached, on which port. */
export interface DataStorePeers {
    readonly port: number;
    /** Data-subnet ipBlocks for managed stores, pod selectors for in-cluster ones. */
    readonly networkPeers: NetworkPolicyPeer[];
}

export interface CanarySpec {
    /** Image tag the canary runs (never `latest`). */
    readonly tag: string;
    /** Share of traffic, in percent (1-100), that the route sends to the canary. */
    readonly weight: number;
}

export interface BookKeepServiceArgs {
    /** The validated catalog entry. */
    readonly spec: ServiceSpec;
    /** Selects the platform peers (the gateway's proxies, Prometheus, NATS, OTel collector) the NetworkPolicy admits. */
    readonly environment: Environment;
    /** Namespace of every object. */
    readonly namespace: string;
    /** The image the release manifest names for this service (services/release.ts). */
    readonly image: ImageRef;
    /** HPA lower bound, unless the catalog entry sets scaling.minReplicas. */
    readonly minReplicas: number;
    /** HPA upper bound, unless the catalog entry sets scaling.maxReplicas. */
    readonly maxReplicas: number;
    /** Shrink resource requests for a single laptop node. Default false. */
    readonly compactResources?: boolean;
    readonly postgres: DataStorePeers;
    readonly redis: DataStorePeers;
    /**
     * The service's HTTPRoute: the API host and the Gateway listener it attaches to. Default none:
     * no route, for a service whose route a rollout controller (Flagger) owns.
     */
    readonly route?: { readonly host: string; readonly parentRef: Record<string, string> };
    /** Optional canary; default none. */
    readonly canary?: CanarySpec;
}

/**
 * Requests for compactResources. Only requests shrink: they are what the scheduler reserves on the
 * one laptop node, while limits reserve nothing and lowering them would only OOM-kill the services.
 */
const compactRequests = { cpu: "50m", memory: "64Mi" };
const dnsLabel = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export class BookKeepService extends pulumi.ComponentResource {
    /** `<name>-service`: the name of the Deployment, Service and ServiceAccount. */
    public readonly serviceName: string;
    /** The Service the route sends traffic to, on port 80. */
    public readonly service: k8s.core.v1.Service;
    public readonly deployment: k8s.apps.v1.Deployment;
    public readonly canaryDeployment: k8s.apps.v1.Deployment | undefined;
    public readonly route: k8s.apiextensions.CustomResource | undefined;

    constructor(name: string, args: BookKeepServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        validate(args);
        super("bookkeep:fleet:Service", name, {}, opts);
        const { spec, namespace } = args;
        const svcName = `${spec.name}-service`;
        const canaryName = `${svcName}-canary`;
        this.serviceName = svcName;
        const peers = platformPeers(args.environment);
        // Pods of both tracks carry these, so the NetworkPolicy covers the canary as well.
        const common = appLabels(svcName, "api");
        const k8sOpts = { parent: this };
        // The rollout and the route wait for what the component waits for (the migration Job, and
        // the gateway whose chart installs the HTTPRoute CRD): Pulumi does not pass a component's
        // dependsOn on to its children.
        const rolloutOpts = { parent: this, dependsOn: opts?.dependsOn };

        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: svcName, namespace, labels: common },
            // The services never call the Kubernetes API; an unmounted token cannot be stolen.
            automountServiceAccountToken: false,
        }, k8sOpts);

        const podTemplate = (app: string, image: string, version: string): PodTemplateSpec => ({
            metadata: { labels: { app, ...common, "app.kubernetes.io/version": version } },
            spec: {
                serviceAccountName: account.metadata.name,
                automountServiceAccountToken: false,
                // uid 1000 and fsGroup 2000 (requirements: Security), under the platform's restricted settings.
                securityContext: { ...restrictedPod(1000), fsGroup: 2000 },
                containers: [{
                    // Named like the Deployment, so `kubectl set image ... auth-service=` (requirements: Delivery) works on both tracks.
                    name: svcName,
                    image,
                    imagePullPolicy: "IfNotPresent",
                    ports: [
                        { name: "http", containerPort: spec.port, protocol: "TCP" },
                        { name: "metrics", containerPort: spec.metricsPort, protocol: "TCP" },
                    ],
                    env: containerEnv(spec, args.environment, version),
                    resources: {
                        requests: args.compactResources ? compactRequests : spec.resources.requests,
                        limits: spec.resources.limits,
                    },
                    livenessProbe: { httpGet: { path: "/health", port: spec.port }, initialDelaySeconds: 10, periodSeconds: 10 },
                    readinessProbe: { httpGet: { path: "/ready", port: spec.port }, initialDelaySeconds: 5, periodSeconds: 5 },
                    securityContext: restrictedContainer(),
                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                }],
                // The root filesystem is read-only; scratch files (uploads, report rendering) go here.
                volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
                affinity: {
                    podAntiAffinity: {
                        preferredDuringSchedulingIgnoredDuringExecution: [{
                            weight: 100,
                            podAffinityTerm: { labelSelector: { matchLabels: { app } }, topologyKey: "kubernetes.io/hostname" },
                        }],
                    },
                },
                topologySpreadConstraints: [{
                    maxSkew: 1,
                    topologyKey: "topology.kubernetes.io/zone",
                    // Preferred, not required: a zone outage must not leave replicas unschedulable.
                    whenUnsatisfiable: "ScheduleAnyway",
                    labelSelector: { matchLabels: { app } },
                    // Spread each rollout's pods on their own, not counting the old ReplicaSet's.
                    matchLabelKeys: ["pod-template-hash"],
                }],
            },
        });

        // No `replicas`: the HPA owns the count, and a replicas field would reset it to the manifest's
        // value on every `pulumi up`. Kubernetes starts at 1 and the HPA raises it to minReplicas.
        this.deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { name: svcName, namespace, labels: { app: svcName, ...common } },
            spec: {
                selector: { matchLabels: { app: svcName } },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                template: podTemplate(svcName, args.image.reference, args.image.version),
            },
        }, rolloutOpts);

        this.service = new k8s.core.v1.Service(`${name}-svc`, serviceArgs(svcName, svcName, namespace, common, spec), k8sOpts);

        const bounds = {
            min: spec.scaling.minReplicas ?? args.minReplicas,
            max: spec.scaling.maxReplicas ?? args.maxReplicas,
        };
        new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, {
            metadata: { name: `${svcName}-hpa`, namespace, labels: common },
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: this.deployment.metadata.name },
                minReplicas: bounds.min,
                maxReplicas: bounds.max,
                metrics: [
                    { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: spec.scaling.cpuUtilization } } },
                    { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: spec.scaling.memoryUtilization } } },
                ],
            },
        }, k8sOpts);

        // maxUnavailable, not minAvailable: with staging's single replica minAvailable 1 would block
        // every node drain (and so every node-group upgrade); maxUnavailable 1 lets the drain evict
        // it, while production's two or more replicas keep serving during voluntary disruptions.
        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: { name: `${svcName}-pdb`, namespace, labels: common },
            spec: { maxUnavailable: 1, selector: { matchLabels: { app: svcName } } },
        }, k8sOpts);

        // The one policy that opens the service's flows: the platform adds no app-namespace
        // allowances of its own beyond default-deny and DNS.
        const uses = (b: Backend) => spec.backends.includes(b);
        const egress: NetworkPolicyEgressRule[] = [
            dnsEgress(args.environment),
            ...(uses("postgres") ? [{ to: args.postgres.networkPeers, ports: tcp(args.postgres.port) }] : []),
            ...(uses("redis") ? [{ to: args.redis.networkPeers, ports: tcp(args.redis.port) }] : []),
            ...(uses("nats") ? [{ to: [peers.nats], ports: tcp(wellKnown.ports.nats) }] : []),
            { to: [peers.otelCollector], ports: tcp(wellKnown.ports.otlpHttp) },
        ];
        networkPolicy(`${name}-netpol`, `${svcName}-policy`, namespace, {
            // Both tracks: the canary is the same service and gets the same walls.
            podSelector: { matchLabels: { "app.kubernetes.io/name": svcName, "app.kubernetes.io/part-of": "bookkeep" } },
            ingress: [
                { from: [peers.gatewayProxy], ports: tcp(spec.port) },
                { from: [peers.prometheus], ports: tcp(spec.metricsPort) },
            ],
            egress,
        }, k8sOpts, common);

        let canaryService: k8s.core.v1.Service | undefined;
        if (args.canary) {
            const canary = args.canary;
            // One fixed replica and no HPA or PDB: the canary serves a small share while it is judged,
            // and a lone disposable pod must never hold up a node drain.
            this.canaryDeployment = new k8s.apps.v1.Deployment(`${name}-canary-deployment`, {
                metadata: { name: canaryName, namespace, labels: { app: canaryName, ...common, track: "canary" } },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: { app: canaryName } },
                    template: podTemplate(canaryName, `${args.image.repository}:${canary.tag}`, canary.tag),
                },
            }, rolloutOpts);
            canaryService = new k8s.core.v1.Service(`${name}-canary-svc`,
                serviceArgs(canaryName, canaryName, namespace, { ...common, track: "canary" }, spec), k8sOpts);
        }
        if (args.route) {
            this.route = serviceRoute(`${name}-route`, {
                service: spec.name, namespace, host: args.route.host, routePrefix: spec.routePrefix, parentRef: args.route.parentRef,
                backend: this.service.metadata.name,
                ...(canaryService && args.canary ? { canary: { backend: canaryService.metadata.name, weight: args.canary.weight } } : {}),
            }, rolloutOpts);
        }

        this.registerOutputs({ serviceName: this.serviceName });
    }
}

/** Env per the catalog: a secret only for a backend the service uses, and the OTel exporter settings. */
function containerEnv(spec: ServiceSpec, environment: Environment, tag: string): EnvVar[] {
    const fromSecret = (name: string, key: string): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: wellKnown.appSecret, key } } });
    return [
        ...(spec.backends.includes("postgres") ? [fromSecret("DATABASE_URL", "database-url")] : []),
        ...(spec.backends.includes("redis") ? [fromSecret("REDIS_URL", "redis-url")] : []),
        ...(spec.backends.includes("nats") ? [fromSecret("NATS_URL", wellKnown.natsUrlKey(spec.name))] : []),
        ...(spec.jwtSecret ? [fromSecret("JWT_SECRET", "jwt-secret")] : []),
        { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: wellKnown.otelEndpoint },
        { name: "OTEL_SERVICE_NAME", value: `${spec.name}-service` },
        { name: "OTEL_RESOURCE_ATTRIBUTES", value: `service.version=${tag},deployment.environment=${environment}` },
    ];
}

/** Port 80 to the container's `http` port, and `metrics` for the ServiceMonitor (requirements: Observability) (which selects `monitoring: enabled`). */
function serviceArgs(name: string, app: string, namespace: string, labels: Record<string, string>, spec: ServiceSpec): k8s.core.v1.ServiceArgs {
    return {
        metadata: { name, namespace, labels: { app, ...labels, monitoring: "enabled" } },
        spec: {
            type: "ClusterIP",
            selector: { app },
            ports: [
                { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
                { name: "metrics", port: spec.metricsPort, targetPort: "metrics", protocol: "TCP" },
            ],
        },
    };
}

function validate(args: BookKeepServiceArgs): void {
    const issues: ConfigIssue[] = [];
    const at = `services.${args.spec.name}`;
    const min = args.spec.scaling.minReplicas ?? args.minReplicas;
    const max = args.spec.scaling.maxReplicas ?? args.maxReplicas;
    if (!Number.isInteger(min) || min < 1) {
        issues.push({ propertyPath: `${at}.minReplicas`, reason: `must be a whole number of at least 1 (got ${JSON.stringify(min)})` });
    }
    if (min > max) {
        issues.push({ propertyPath: `${at}.minReplicas`, reason: `must not exceed maxReplicas (${max}); got ${min} (from ${args.spec.scaling.minReplicas === undefined ? "fleet.minReplicas" : "the catalog"})` });
    }
    if (!dnsLabel.test(args.namespace)) {
        issues.push({ propertyPath: "namespace", reason: `must be a Kubernetes namespace name such as bookkeep-production (got ${JSON.stringify(args.namespace)})` });
    }
    const canary = args.canary;
    if (canary !== undefined) {
        if (canary.tag === "latest" || !/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(canary.tag)) {
            issues.push({ propertyPath: `fleet.canaries.${args.spec.name}.tag`, reason: `must pin an image tag such as v1.1.0, never 'latest' (got ${JSON.stringify(canary.tag)})` });
        }
        if (!Number.isInteger(canary.weight) || canary.weight < 1 || canary.weight > 100) {
            issues.push({ propertyPath: `fleet.canaries.${args.spec.name}.weight`, reason: `must be a whole percentage between 1 and 100 (got ${JSON.stringify(canary.weight)})` });
        }
    }
    if (issues.length > 0) {
        throw inputError(`service ${args.spec.name}`, issues);
    }
}
