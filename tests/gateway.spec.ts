import * as k8s from "@pulumi/kubernetes";
import { expect } from "chai";
import { ApiGateway, GatewayOrigin } from "../components/k8s/gateway";
import { namespacesFor, platformPeers } from "../components/naming";
import { Evaluation } from "../offline/engine";
import { catalogEntries, loadCatalog } from "../services";
import { Environment } from "../stacks/schema";
import { fakeFoundation } from "./fakeFoundation";
import { expectInputError, ofType, run } from "./harness";

const T = {
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    gatewayClass: "kubernetes:gateway.networking.k8s.io/v1:GatewayClass",
    route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    envoyProxy: "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy",
    clientPolicy: "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy",
    backendPolicy: "kubernetes:gateway.envoyproxy.io/v1alpha1:BackendTrafficPolicy",
    certificate: "kubernetes:cert-manager.io/v1:Certificate",
    configMap: "kubernetes:core/v1:ConfigMap",
    policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};
const sys = "bookkeep-system";
const gatewayRef = { group: "gateway.networking.k8s.io", kind: "Gateway", name: "bookkeep-gateway" };
const cloudflareCa = "-----BEGIN CERTIFICATE-----\nMIIB...origin-pull-ca\n-----END CERTIFICATE-----\n";
const origin: GatewayOrigin = { sourceRanges: ["173.245.48.0/20", "103.21.244.0/22"], clientCaPem: cloudflareCa };

function evaluateGateway(environment: Environment, extra: { origin?: GatewayOrigin; rateLimitPerMinute?: number } = {}): Promise<Evaluation> {
    return run(() => {
        const f = fakeFoundation("aws", environment);
        const certManager = new k8s.core.v1.ConfigMap("cert-manager-stand-in", { metadata: { name: "cert-manager" } }, { provider: f.k8sProvider });
        const monitoringCrds = new k8s.core.v1.ConfigMap("monitoring-stand-in", { metadata: { name: "monitoring" } }, { provider: f.k8sProvider });
        new ApiGateway("gw", {
            environment, observability: true, foundation: f, namespaces: { names: namespacesFor(environment) },
            catalog: loadCatalog([...catalogEntries]), domain: "bookkeep.app", certManager, monitoringCrds, ...extra,
        }, { providers: [f.k8sProvider] });
        return {};
    });
}

/** The inputs of the one object of `type` (its Kubernetes name given, to say which). */
function only(ev: Evaluation, type: string, name: string): any {
    const found = ofType(ev.resources, type).filter(r => (r.inputs.metadata as any)?.name === name);
    expect(found, `${type} ${name}`).to.have.length(1);
    return found[0]!.inputs;
}

describe("API gateway (Envoy Gateway)", () => {
    let production: Evaluation;
    let withOrigin: Evaluation;
    let staging: Evaluation;
    before(async () => {
        production = await evaluateGateway("production");
        withOrigin = await evaluateGateway("production", { origin });
        staging = await evaluateGateway("staging");
    });

    it("serves api.<domain> and *.<domain> over HTTPS with the one wildcard certificate, and HTTP only for the redirect", () => {
        const gw = only(production, T.gateway, "bookkeep-gateway");
        expect(gw.metadata.namespace).to.equal(sys);
        const tls = { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "bookkeep-tls" }] };
        const fromApp = {
            namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "bookkeep-production" } } },
            kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
        };
        expect(gw.spec).to.deep.equal({
            gatewayClassName: "envoy-gateway",
            listeners: [
                { name: "https-api", protocol: "HTTPS", port: 443, hostname: "api.bookkeep.app", tls, allowedRoutes: fromApp },
                { name: "https-wildcard", protocol: "HTTPS", port: 443, hostname: "*.bookkeep.app", tls, allowedRoutes: fromApp },
                { name: "http", protocol: "HTTP", port: 80, hostname: "*.bookkeep.app", allowedRoutes: { namespaces: { from: "Same" } } },
            ],
        });
        expect(only(production, T.certificate, "bookkeep-tls")).to.deep.include({
            spec: {
                secretName: "bookkeep-tls", dnsNames: ["api.bookkeep.app", "*.bookkeep.app"],
                issuerRef: { name: "letsencrypt-prod", kind: "ClusterIssuer" },
                privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
            },
        });
    });

    it("attaches to the plain-HTTP listener one route, which only redirects to HTTPS", () => {
        const routes = ofType(production.resources, T.route).map(r => r.inputs as any);
        expect(routes.map(r => r.metadata.name)).to.deep.equal(["bookkeep-https-redirect"]);
        expect(routes[0].spec).to.deep.equal({
            parentRefs: [{ ...gatewayRef, sectionName: "http" }],
            hostnames: ["*.bookkeep.app"],
            rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
        });
    });

    it("limits each client IP to 100 requests a minute across the API, bodies to 10Mi and requests to 60 s", () => {
        expect(only(production, T.backendPolicy, "bookkeep-gateway").spec).to.deep.equal({
            targetRefs: [gatewayRef],
            rateLimit: {
                local: {
                    rules: [{
                        clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }],
                        limit: { requests: 100, unit: "Minute" },
                        shared: true,
                    }],
                },
            },
            requestBuffer: { limit: "10Mi" },
            timeout: { http: { requestTimeout: "60s" } },
        });
    });

    it("requires TLS 1.2+, sets HSTS, and asks no client certificate when no origin is given", () => {
        expect(only(production, T.clientPolicy, "bookkeep-gateway").spec).to.deep.equal({
            targetRefs: [gatewayRef],
            tls: { minVersion: "1.2" },
            timeout: { http: { requestReceivedTimeout: "60s" } },
            headers: { lateResponseHeaders: { set: [{ name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains" }] } },
        });
        expect(ofType(production.resources, T.configMap).map(r => (r.inputs.metadata as any).name)).to.not.include("origin-client-ca");
        expect(only(production, T.envoyProxy, "bookkeep-gateway").spec.provider.kubernetes.envoyService).to.not.have.property("loadBalancerSourceRanges");
    });

    it("with an origin: the load balancer admits only its ranges and every HTTPS listener requires a client certificate from its CA", () => {
        expect(only(withOrigin, T.envoyProxy, "bookkeep-gateway").spec.provider.kubernetes.envoyService.loadBalancerSourceRanges)
            .to.deep.equal(["173.245.48.0/20", "103.21.244.0/22"]);
        expect(only(withOrigin, T.clientPolicy, "bookkeep-gateway").spec.tls).to.deep.equal({
            minVersion: "1.2",
            clientValidation: { caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "origin-client-ca" }] },
        });
        const ca = only(withOrigin, T.configMap, "origin-client-ca");
        expect([ca.metadata.namespace, ca.data]).to.deep.equal([sys, { "ca.crt": cloudflareCa }]);
    });

    it("hardens the Envoy proxies: restricted, sized, 2 replicas with a PDB and anti-affinity in production, behind the foundation's load balancer", () => {
        const k = only(production, T.envoyProxy, "bookkeep-gateway").spec.provider.kubernetes;
        expect(k.envoyDeployment.replicas).to.equal(2);
        expect(k.envoyDeployment.pod.securityContext).to.deep.equal({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } });
        expect(k.envoyDeployment.container).to.deep.equal({
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
            resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        });
        expect(k.envoyDeployment.pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels)
            .to.deep.equal(platformPeers("production").gatewayProxy.podSelector.matchLabels);
        expect(k.envoyPDB).to.deep.equal({ minAvailable: 1 });
        expect(k.envoyService).to.deep.equal({
            type: "LoadBalancer", annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" }, externalTrafficPolicy: "Local",
        });
        const s = only(staging, T.envoyProxy, "bookkeep-gateway").spec.provider.kubernetes;
        expect([s.envoyDeployment.replicas, s.envoyPDB, s.envoyDeployment.pod.affinity]).to.deep.equal([1, undefined, undefined]);
        expect(only(production, T.gatewayClass, "envoy-gateway").spec).to.deep.equal({
            controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
            parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: "bookkeep-gateway", namespace: sys },
        });
    });

    it("issues the xDS certificates the chart's certgen hook would have made, under the names the controller and proxies mount", () => {
        const certs = ofType(production.resources, T.certificate).map(r => r.inputs as any).filter(c => c.metadata.name !== "bookkeep-tls");
        expect(certs.map(c => [c.metadata.name, c.spec.secretName, c.spec.issuerRef])).to.deep.equal([
            ["envoy-gateway-ca", "envoy-gateway-ca", { name: "envoy-gateway-ca-selfsigned", kind: "Issuer" }],
            ["envoy", "envoy", { name: "envoy-gateway-ca", kind: "Issuer" }],
            ["envoy-gateway", "envoy-gateway", { name: "envoy-gateway-ca", kind: "Issuer" }],
        ]);
        expect(certs[2].spec.dnsNames).to.include("envoy-gateway.bookkeep-system.svc.cluster.local");
    });

    it("opens only the gateway's flows: clients to the proxies, proxies to the services and xDS, the controller to the API", () => {
        const peers = platformPeers("production");
        const policy = (name: string) => only(production, T.policy, name).spec;
        expect(policy("envoy-gateway-proxy")).to.deep.equal({
            podSelector: peers.gatewayProxy.podSelector,
            policyTypes: ["Ingress", "Egress"],
            ingress: [
                { from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 10080, protocol: "TCP" }, { port: 10443, protocol: "TCP" }] },
                { from: [peers.prometheus], ports: [{ port: 19001, protocol: "TCP" }] },
            ],
            egress: [
                { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "bookkeep-production" } } }], ports: [{ port: 3100, protocol: "TCP" }] },
                { to: [peers.gatewayController], ports: [{ port: 18000, protocol: "TCP" }] },
                { to: [peers.dns], ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] },
            ],
        });
        expect(policy("envoy-gateway-controller")).to.deep.equal({
            podSelector: peers.gatewayController.podSelector,
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [peers.gatewayProxy], ports: [{ port: 18000, protocol: "TCP" }] }, { from: [peers.prometheus], ports: [{ port: 19001, protocol: "TCP" }] }],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: 443, protocol: "TCP" }, { port: 6443, protocol: "TCP" }] }],
        });
    });

    it("has Prometheus scrape the controller and the proxies with PodMonitors, after the monitoring CRDs", () => {
        const peers = platformPeers("production");
        const monitors = ofType(production.resources, "kubernetes:monitoring.coreos.com/v1:PodMonitor");
        expect(monitors.map(m => [(m.inputs.metadata as any).name, (m.inputs.spec as any)])).to.deep.equal([
            ["envoy-gateway-controller", { selector: { matchLabels: peers.gatewayController.podSelector.matchLabels }, podMetricsEndpoints: [{ port: "metrics", path: "/metrics" }] }],
            ["envoy-gateway-proxy", { selector: { matchLabels: peers.gatewayProxy.podSelector.matchLabels }, podMetricsEndpoints: [{ port: "metrics", path: "/stats/prometheus" }] }],
        ]);
        const crds = ofType(production.resources, T.configMap).find(r => r.name === "monitoring-stand-in")!;
        expect(monitors.every(m => m.dependsOn.includes(crds.urn))).to.equal(true);
    });

    describe("rejects bad arguments with an input error naming the field", () => {
        it("an origin with no source ranges (which would admit everyone)", async () => {
            await expectInputError(() => evaluateGateway("production", { origin: { sourceRanges: [], clientCaPem: cloudflareCa } }),
                "invalid api gateway:", "origin.sourceRanges: must list at least one CIDR (an empty list would admit every address)");
        });

        it("a rate limit that is not a whole number of requests", async () => {
            await expectInputError(() => evaluateGateway("production", { rateLimitPerMinute: 0.5 }),
                "rateLimitPerMinute: must be a whole number of requests of at least 1 (got 0.5)");
        });
    });
});
