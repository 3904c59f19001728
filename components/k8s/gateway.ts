/**
 * The API's front door: Envoy Gateway (a Gateway API implementation; ingress-nginx was retired
 * upstream in March 2026) in bookkeep-system, and the one Gateway it serves, `bookkeep-gateway`,
 * behind the cloud's load balancer (Service type and annotations from the foundation). HTTPS
 * listeners for api.<domain> and *.<domain> with the wildcard certificate, a plain-HTTP listener
 * that only redirects, and the limits every route shares: 100 requests a minute per client IP,
 * request size and time, TLS 1.2+, HSTS. The fleet attaches one HTTPRoute per service
 * (components/route.ts).
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../../services/schema";
import { ConfigIssue, inputError } from "../../stacks/errors";
import { Environment } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { appLabels, Namespaces, platformPeers, wellKnown } from "../naming";
import { charts, pinnedChart } from "./charts";
import { anywhere, catalogPorts, dnsEgress, inNamespace, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
import { PrivateCa } from "./pki";
import { resources, restrictedContainer, restrictedPod } from "./security";

/**
 * What the Cloudflare edge (components/edge) asks of the origin when it is on: the load balancer
 * admits only these source ranges, and every HTTPS listener requires a client certificate signed
 * by `clientCaPem` (Authenticated Origin Pulls).
 */
export interface GatewayOrigin {
    /** CIDRs the load balancer admits (`loadBalancerSourceRanges`); at least one. */
    readonly sourceRanges: readonly string[];
    /** PEM of the CA that signs the client certificates the edge presents. */
    readonly clientCaPem: pulumi.Input<string>;
}

export interface ApiGatewayArgs {
    /** The environment: replica counts, PDBs and anti-affinity follow it. */
    readonly environment: Environment;
    /** Whether the monitoring stack is installed: Prometheus may scrape the controller and the proxies only then. */
    readonly observability: boolean;
    readonly foundation: CloudFoundation;
    /** The platform's namespaces (components/k8s/namespaces.ts): the gateway lives in `system`, routes come from `app`. */
    readonly namespaces: { readonly names: Namespaces };
    /** The services it routes to: their container ports are opened from the proxies. */
    readonly catalog: readonly ServiceSpec[];
    /** The stack's domain: listeners for api.<domain> and *.<domain>. */
    readonly domain: string;
    /** The chart that installs the PodMonitor CRD, when observability is on; the monitors wait for it. Default none. */
    readonly monitoringCrds?: pulumi.Resource;
    /** cert-manager's chart: the control plane's and the listeners' certificates come from it. */
    readonly certManager: pulumi.Resource;
    /** Default none: the gateway serves whoever reaches the load balancer, without client certificates. */
    readonly origin?: GatewayOrigin;
    /** Requests per minute each client IP may make to the API. Default 100 (requirements: Ingress). */
    readonly rateLimitPerMinute?: number;
    /** Largest request body accepted (a Kubernetes quantity); larger ones get 413. Default 10Mi. */
    readonly maxRequestBody?: string;
    /** How long a request may take end to end, upstream included. Default 60s. */
    readonly requestTimeout?: string;
}

const defaults = { rateLimitPerMinute: 100, maxRequestBody: "10Mi", requestTimeout: "60s" };

/** The Gateway's listeners, by their section names (what HTTPRoutes attach to). */
export const listeners = { api: "https-api", wildcard: "https-wildcard", http: "http" } as const;
export const gatewayClassName = "envoy-gateway";
const release = "envoy-gateway";
/** Envoy Gateway maps a privileged listener port to port + 10000 in the proxy container. */
const proxyPorts = { http: 10080, https: 10443, metrics: 19001 };
const controllerPorts = { xds: 18000, metrics: 19001 };
const hsts = "max-age=31536000; includeSubDomains";
/**
 * Requests by environment. Outside production they are what idle Envoy Gateway and Envoy use
 * (staging's two t3.medium nodes have no room for more); production reserves room for load.
 * Limits are the same everywhere: they reserve nothing.
 */
const sizes = {
    production: { controller: { cpu: "100m", memory: "256Mi" }, proxy: { cpu: "100m", memory: "128Mi" } },
    other: { controller: { cpu: "50m", memory: "96Mi" }, proxy: { cpu: "50m", memory: "64Mi" } },
};

/** Where the fleet's HTTPRoutes attach: the api listener of bookkeep-gateway. */
export function apiParentRef(namespaces: { readonly system: string }) {
    return { group: "gateway.networking.k8s.io", kind: "Gateway", name: wellKnown.gatewayName, namespace: namespaces.system, sectionName: listeners.api };
}

export class ApiGateway extends pulumi.ComponentResource {
    /** The controller's release: its CRDs (Gateway API and Envoy Gateway's) must exist before any route. */
    public readonly chart: k8s.helm.v4.Chart;
    public readonly gateway: k8s.apiextensions.CustomResource;

    constructor(name: string, args: ApiGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        const { environment, foundation, namespaces, catalog, domain, origin, rateLimitPerMinute, maxRequestBody, requestTimeout } = { ...defaults, ...args };
        validate(rateLimitPerMinute, origin);
        super("bookkeep:k8s:ApiGateway", name, {}, opts);
        const production = environment === "production";
        const observability = args.observability;
        const peers = platformPeers(environment);
        const system = namespaces.names.system;
        const labels = appLabels(wellKnown.gatewayName, "gateway");
        const child = { parent: this };
        const custom = (suffix: string, apiVersion: string, kind: string, metadata: Record<string, unknown>, spec: Record<string, unknown>, dependsOn: pulumi.Resource[]) =>
            new k8s.apiextensions.CustomResource(`${name}-${suffix}`, { apiVersion, kind, metadata: { ...metadata, labels }, spec }, { parent: this, dependsOn });

        // The controller and its proxies authenticate xDS with mutual TLS. The chart's certgen Job
        // that would make these Secrets is a Helm hook, which helm.v4.Chart never runs, so
        // cert-manager issues them, under the names the chart and the proxies mount.
        const ca = new PrivateCa(`${name}-xds`, {
            kind: "Issuer", issuerName: "envoy-gateway-ca", rootSecret: "envoy-gateway-ca", commonName: "envoy-gateway",
            namespace: system, labels, certManager: args.certManager,
        }, this);
        const usages = ["digital signature", "key encipherment"];
        const controllerCert = ca.certificate("controller-cert", "envoy-gateway", system, {
            commonName: "envoy-gateway",
            dnsNames: ["envoy-gateway", `envoy-gateway.${system}`, `envoy-gateway.${system}.svc`, `envoy-gateway.${system}.svc.cluster.local`],
            usages,
        });
        const proxyCert = ca.certificate("proxy-cert", "envoy", system, { commonName: "*", dnsNames: [`*.${system}`], usages });

        const size = production ? sizes.production : sizes.other;
        const controllerAffinity = production ? antiAffinity(peers.gatewayController.podSelector.matchLabels) : {};
        this.chart = pinnedChart(`${name}-chart`, charts.envoyGateway, release, system, {
            deployment: {
                replicas: production ? 2 : 1,
                envoyGateway: { resources: resources(size.controller, { cpu: "1", memory: "1Gi" }) },
                pod: { affinity: controllerAffinity, securityContext: restrictedPod() },
            },
            podDisruptionBudget: { minAvailable: production ? 1 : 0 },
            // The proxy topology injector is a mutating webhook the chart installs as a hook (never
            // deployed by helm.v4.Chart); it only adds zone labels for topology-aware routing.
            topologyInjector: { enabled: false },
        }, { parent: this, dependsOn: [controllerCert, proxyCert] });

        const proxyLabels = peers.gatewayProxy.podSelector.matchLabels;
        const envoyProxy = custom("proxy-config", "gateway.envoyproxy.io/v1alpha1", "EnvoyProxy", { name: wellKnown.gatewayName, namespace: system }, {
            provider: {
                type: "Kubernetes",
                kubernetes: {
                    envoyDeployment: {
                        replicas: production ? 2 : 1,
                        pod: {
                            securityContext: restrictedPod(),
                            ...(production ? { affinity: antiAffinity(proxyLabels) } : {}),
                        },
                        container: {
                            securityContext: restrictedContainer(),
                            resources: resources(size.proxy, { cpu: "1", memory: "512Mi" }),
                        },
                    },
                    // One proxy may go at a time in production; a lone proxy elsewhere must not block drains.
                    ...(production ? { envoyPDB: { minAvailable: 1 } } : {}),
                    envoyService: {
                        type: foundation.ingressService.type,
                        annotations: foundation.ingressService.annotations,
                        // Local keeps the client's source address (no SNAT to another node), so the
                        // rate limit counts per client rather than per node.
                        externalTrafficPolicy: "Local",
                        ...(origin ? { loadBalancerSourceRanges: [...origin.sourceRanges] } : {}),
                    },
                },
            },
        }, [this.chart]);

        const gatewayClass = custom("class", "gateway.networking.k8s.io/v1", "GatewayClass", { name: gatewayClassName }, {
            controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
            parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: wellKnown.gatewayName, namespace: system },
        }, [this.chart, envoyProxy]);

        const apiHost = `api.${domain}`;
        const wildcard = `*.${domain}`;
        // One owner for bookkeep-tls: this Certificate (DNS-01 covers the wildcard), not
        // cert-manager's gateway-shim, which would need the Gateway API CRDs before cert-manager starts.
        const certificate = custom("certificate", "cert-manager.io/v1", "Certificate", { name: wellKnown.tlsSecret, namespace: system }, {
            secretName: wellKnown.tlsSecret,
            dnsNames: [apiHost, wildcard],
            issuerRef: { name: foundation.certificateIssuer.name, kind: "ClusterIssuer" },
            privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
        }, [args.certManager]);

        const fromApp = { namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": namespaces.names.app } } } };
        const https = (section: string, hostname: string) => ({
            name: section, protocol: "HTTPS", port: 443, hostname,
            tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: wellKnown.tlsSecret }] },
            allowedRoutes: { ...fromApp, kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }] },
        });
        this.gateway = custom("gateway", "gateway.networking.k8s.io/v1", "Gateway", { name: wellKnown.gatewayName, namespace: system }, {
            gatewayClassName,
            listeners: [
                https(listeners.api, apiHost),
                https(listeners.wildcard, wildcard),
                // Only the redirect below may attach here (routes from this namespace alone).
                { name: listeners.http, protocol: "HTTP", port: 80, hostname: wildcard, allowedRoutes: { namespaces: { from: "Same" } } },
            ],
        }, [gatewayClass, certificate]);
        const gatewayRef = { group: "gateway.networking.k8s.io", kind: "Gateway", name: wellKnown.gatewayName };

        custom("https-redirect", "gateway.networking.k8s.io/v1", "HTTPRoute", { name: "bookkeep-https-redirect", namespace: system }, {
            parentRefs: [{ ...gatewayRef, sectionName: listeners.http }],
            hostnames: [wildcard],
            rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        }, [this.gateway]);

        const clientCa = origin ? new k8s.core.v1.ConfigMap(`${name}-origin-ca`, {
            metadata: { name: "origin-client-ca", namespace: system, labels },
            data: { "ca.crt": origin.clientCaPem },
        }, child) : undefined;
        custom("client-policy", "gateway.envoyproxy.io/v1alpha1", "ClientTrafficPolicy", { name: wellKnown.gatewayName, namespace: system }, {
            targetRefs: [gatewayRef],
            tls: {
                minVersion: "1.2",
                ...(clientCa ? { clientValidation: { caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "origin-client-ca" }] } } : {}),
            },
            timeout: { http: { requestReceivedTimeout: requestTimeout } },
            headers: { lateResponseHeaders: { set: [{ name: "Strict-Transport-Security", value: hsts }] } },
        }, [this.gateway, ...(clientCa ? [clientCa] : [])]);

        custom("backend-policy", "gateway.envoyproxy.io/v1alpha1", "BackendTrafficPolicy", { name: wellKnown.gatewayName, namespace: system }, {
            targetRefs: [gatewayRef],
            rateLimit: {
                local: {
                    rules: [{
                        // Distinct: every client address gets its own bucket. Shared: one bucket per
                        // client across all routes (the limit is the API's, not each service's).
                        // Counters live in each proxy: with N proxies a client can get up to N x the limit.
                        clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }],
                        limit: { requests: rateLimitPerMinute, unit: "Minute" },
                        shared: true,
                    }],
                },
            },
            requestBuffer: { limit: maxRequestBody },
            timeout: { http: { requestTimeout } },
        }, [this.gateway]);

        if (observability && args.monitoringCrds) {
            // Prometheus selects every PodMonitor (components/k8s/monitoring.ts); the chart renders none.
            const monitor = (suffix: string, selector: Record<string, string>, path: string) => custom(`${suffix}-monitor`, "monitoring.coreos.com/v1", "PodMonitor",
                { name: `envoy-gateway-${suffix}`, namespace: system }, { selector: { matchLabels: selector }, podMetricsEndpoints: [{ port: "metrics", path }] }, [args.monitoringCrds!]);
            monitor("controller", peers.gatewayController.podSelector.matchLabels, "/metrics");
            monitor("proxy", proxyLabels, "/stats/prometheus");
        }

        const appPorts = catalogPorts(catalog, "port");
        const prometheus = (port: number) => observability ? [{ from: [peers.prometheus], ports: tcp(port) }] : [];
        networkPolicy(`${name}-controller-netpol`, "envoy-gateway-controller", system, {
            podSelector: peers.gatewayController.podSelector,
            ingress: [{ from: [peers.gatewayProxy], ports: tcp(controllerPorts.xds) }, ...prometheus(controllerPorts.metrics)],
            egress: [kubeApiEgress(foundation)],
        }, child);
        networkPolicy(`${name}-proxy-netpol`, "envoy-gateway-proxy", system, {
            podSelector: peers.gatewayProxy.podSelector,
            ingress: [
                // Client traffic arrives from the load balancer with arbitrary source addresses.
                { from: anywhere, ports: tcp(proxyPorts.http, proxyPorts.https) },
                ...prometheus(proxyPorts.metrics),
            ],
            egress: [
                { to: [inNamespace(namespaces.names.app)], ports: tcp(...appPorts) },
                // The bootstrap names the controller's Service, so xDS needs DNS first.
                { to: [peers.gatewayController], ports: tcp(controllerPorts.xds) },
                dnsEgress(environment),
            ],
        }, child);
        this.registerOutputs({ gateway: this.gateway });
    }
}

function antiAffinity(matchLabels: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined) {
    return {
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100,
                podAffinityTerm: { labelSelector: { matchLabels }, topologyKey: "kubernetes.io/hostname" },
            }],
        },
    };
}

function validate(rateLimitPerMinute: number, origin: GatewayOrigin | undefined): void {
    const issues: ConfigIssue[] = [];
    if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 1) {
        issues.push({ propertyPath: "rateLimitPerMinute", reason: `must be a whole number of requests of at least 1 (got ${JSON.stringify(rateLimitPerMinute)})` });
    }
    if (origin !== undefined && origin.sourceRanges.length === 0) {
        issues.push({ propertyPath: "origin.sourceRanges", reason: "must list at least one CIDR (an empty list would admit every address)" });
    }
    if (issues.length > 0) {
        throw inputError("api gateway", issues);
    }
}
