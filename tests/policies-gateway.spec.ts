/**
 * The Gateway API policies (issue 19), called as the analyzer calls them: a compliant Gateway and
 * route, then one broken property per case with its exact message.
 */
import { ResourceValidation, ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import { gatewayHostnamesInDomain, gatewayHttpRedirectOnly, gatewayListenersTls, gatewayType } from "../policies/gateway";
import { plan } from "./harness";

const routeType = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const tls = { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "bookkeep-tls" }] };
const listeners = [
    { name: "https-api", protocol: "HTTPS", port: 443, hostname: "api.bookkeep.app", tls },
    { name: "http", protocol: "HTTP", port: 80, hostname: "*.bookkeep.app", allowedRoutes: { namespaces: { from: "Same" } } },
];
const gateway = (ls: unknown[] = listeners) => ({ metadata: { name: "gw", namespace: "bookkeep-system" }, spec: { gatewayClassName: "envoy-gateway", listeners: ls } });
const redirect = { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] };
const route = (name: string, namespace: string, sectionName: string | undefined, rules: unknown[], hostnames = ["api.bookkeep.app"]) => ({
    metadata: { name, namespace },
    spec: { parentRefs: [{ name: "gw", namespace: "bookkeep-system", ...(sectionName ? { sectionName } : {}) }], hostnames, rules },
});
const backend = { matches: [{ path: { type: "PathPrefix", value: "/v1/auth" } }], backendRefs: [{ name: "auth-service", port: 80 }] };

function check(policy: { validateResource?: unknown }, type: string, props: Record<string, unknown>, config: Record<string, unknown> = { domain: "bookkeep.app" }): string[] {
    const reports: string[] = [];
    const args = { type, props, name: "r", urn: `urn:pulumi:production::bookkeep::${type}::r`, opts: {}, getConfig: () => config, notApplicable: () => undefined,
        isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === type } as unknown as ResourceValidationArgs;
    void (policy.validateResource as ResourceValidation)(args, (m: string) => reports.push(m));
    return reports;
}

function checkStack(...resources: { type: string; props: Record<string, unknown> }[]): string[] {
    const reports: string[] = [];
    const list = resources.map((r, i) => ({ ...r, name: `r${i}`, urn: `urn:${i}`, propertyDependencies: {}, opts: {} }));
    const args = { resources: list, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as unknown as StackValidationArgs;
    void gatewayHttpRedirectOnly.validateStack(args, (m: string) => reports.push(m));
    return reports;
}

describe("policy units: Gateway API", () => {
    it("accepts HTTPS listeners with a certificate and a same-namespace HTTP listener", () => {
        expect(check(gatewayListenersTls, gatewayType, gateway())).to.deep.equal([]);
    });

    it("refuses an HTTPS listener without a certificate, or passing TLS through", () => {
        expect(check(gatewayListenersTls, gatewayType, gateway([{ ...listeners[0], tls: { mode: "Terminate" } }]))).to.deep.equal([
            "Gateway listener https-api is HTTPS without a certificate it terminates with; set tls.mode Terminate and tls.certificateRefs to the certificate's Secret.",
        ]);
        expect(check(gatewayListenersTls, gatewayType, gateway([{ ...listeners[0], tls: { ...tls, mode: "Passthrough" } }]))).to.have.length(1);
    });

    it("refuses a plain-HTTP listener open to routes from other namespaces", () => {
        expect(check(gatewayListenersTls, gatewayType, gateway([{ ...listeners[1], allowedRoutes: { namespaces: { from: "All" } } }]))).to.deep.equal([
            "Gateway listener http serves plain HTTP to routes from other namespaces; admit routes only from the Gateway's own namespace (allowedRoutes.namespaces.from: Same) and attach nothing but a redirect to HTTPS.",
        ]);
    });

    it("refuses a listener of another protocol", () => {
        expect(check(gatewayListenersTls, gatewayType, gateway([{ name: "raw", protocol: "TCP", port: 5432, hostname: "db.bookkeep.app" }]))).to.deep.equal([
            "Gateway listener raw uses protocol TCP; clients may reach only HTTPS listeners (and a plain-HTTP listener that redirects to HTTPS).",
        ]);
    });

    it("accepts a redirect on the HTTP listener and backends on the HTTPS one", () => {
        expect(checkStack({ type: gatewayType, props: gateway() },
            { type: routeType, props: route("redirect", "bookkeep-system", "http", [redirect]) },
            { type: routeType, props: route("auth", "bookkeep-production", "https-api", [backend]) })).to.deep.equal([]);
    });

    it("refuses a route that serves backends on the plain-HTTP listener, named or by attaching to every listener", () => {
        const message = (name: string) => `HTTPRoute bookkeep-system/${name} attaches to plain-HTTP listener bookkeep-system/gw/http and serves more than a redirect; ` +
            "on a plain-HTTP listener a route may only redirect to HTTPS (a RequestRedirect filter with scheme https and no backendRefs).";
        expect(checkStack({ type: gatewayType, props: gateway() }, { type: routeType, props: route("served", "bookkeep-system", "http", [backend]) })).to.deep.equal([message("served")]);
        expect(checkStack({ type: gatewayType, props: gateway() }, { type: routeType, props: route("every", "bookkeep-system", undefined, [redirect, backend]) })).to.deep.equal([message("every")]);
        const toHttp = { filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "http" } }] };
        expect(checkStack({ type: gatewayType, props: gateway() }, { type: routeType, props: route("loop", "bookkeep-system", "http", [toHttp]) })).to.deep.equal([message("loop")]);
    });

    it("refuses a GRPCRoute on the plain-HTTP listener (it admits GRPCRoutes when kinds is unset), and accepts one on HTTPS", () => {
        const grpcType = "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute";
        const grpc = { backendRefs: [{ name: "tax-service", port: 80 }] };
        // Even a redirect-shaped filter (which the GRPCRoute CRD does not admit) serves nothing over HTTPS.
        for (const rules of [[grpc], [redirect]]) {
            expect(checkStack({ type: gatewayType, props: gateway() }, { type: grpcType, props: route("grpc", "bookkeep-system", "http", rules) })).to.deep.equal([
                "GRPCRoute bookkeep-system/grpc attaches to plain-HTTP listener bookkeep-system/gw/http and serves more than a redirect; " +
                "on a plain-HTTP listener a route may only redirect to HTTPS (a RequestRedirect filter with scheme https and no backendRefs).",
            ]);
        }
        expect(checkStack({ type: gatewayType, props: gateway() }, { type: grpcType, props: route("grpc", "bookkeep-production", "https-api", [grpc]) })).to.deep.equal([]);
        expect(check(gatewayHostnamesInDomain, grpcType, route("grpc", "bookkeep-production", "https-api", [grpc], ["grpc.example.com"]))).to.deep.equal([
            "GRPCRoute answers grpc.example.com, outside the stack's domain bookkeep.app; use bookkeep.app or names under it, which the certificate, the DNS zone and the edge cover.",
        ]);
    });

    it("accepts hostnames under the stack's domain, wildcard included", () => {
        expect(check(gatewayHostnamesInDomain, gatewayType, gateway())).to.deep.equal([]);
        expect(check(gatewayHostnamesInDomain, routeType, route("auth", "bookkeep-production", "https-api", [backend], ["api.bookkeep.app", "*.bookkeep.app"]))).to.deep.equal([]);
    });

    it("refuses an HTTPRoute or a listener outside the domain, and a look-alike suffix", () => {
        expect(check(gatewayHostnamesInDomain, routeType, route("x", "bookkeep-production", "https-api", [backend], ["api.example.org"]))).to.deep.equal([
            "HTTPRoute answers api.example.org, outside the stack's domain bookkeep.app; use bookkeep.app or names under it, which the certificate, the DNS zone and the edge cover.",
        ]);
        expect(check(gatewayHostnamesInDomain, gatewayType, gateway([{ ...listeners[0], hostname: "api.notbookkeep.app" }]))).to.deep.equal([
            "Gateway answers api.notbookkeep.app, outside the stack's domain bookkeep.app; use bookkeep.app or names under it, which the certificate, the DNS zone and the edge cover.",
        ]);
    });

    it("refuses a listener that answers any host", () => {
        const { hostname: _h, ...bare } = listeners[0]!;
        expect(check(gatewayHostnamesInDomain, gatewayType, gateway([bare]))).to.deep.equal([
            "Gateway listener(s) https-api answer any host name, which no certificate covers; give every listener a hostname under the stack's domain.",
        ]);
    });

    it("skips listener, rule and filter entries that are not objects", () => {
        expect(check(gatewayListenersTls, gatewayType, gateway([null, ...listeners]))).to.deep.equal([]);
        expect(check(gatewayHostnamesInDomain, gatewayType, gateway([null, ...listeners]))).to.deep.equal([]);
        const nullFilter = { filters: [null, ...redirect.filters] };
        expect(checkStack({ type: gatewayType, props: gateway([null, ...listeners]) }, { type: routeType, props: route("redirect", "bookkeep-system", "http", [nullFilter]) })).to.deep.equal([]);
        const nullRef = route("served", "bookkeep-system", "https-api", [backend]);
        nullRef.spec.parentRefs = [null as never, ...nullRef.spec.parentRefs];
        expect(checkStack({ type: gatewayType, props: gateway() }, { type: routeType, props: nullRef })).to.deep.equal([]);
    });

    it("names a listener without a name or protocol by '?', and reads a Gateway or route without a namespace as in default", () => {
        expect(check(gatewayListenersTls, gatewayType, gateway([{ protocol: "TCP", port: 5432, hostname: "db.bookkeep.app" }, { name: "raw", port: 8080 }]))).to.deep.equal([
            "Gateway listener ? uses protocol TCP; clients may reach only HTTPS listeners (and a plain-HTTP listener that redirects to HTTPS).",
            "Gateway listener raw uses protocol ?; clients may reach only HTTPS listeners (and a plain-HTTP listener that redirects to HTTPS).",
        ]);
        expect(check(gatewayHostnamesInDomain, gatewayType, gateway([{ protocol: "HTTPS", port: 443, tls }]))).to.deep.equal([
            "Gateway listener(s) ? answer any host name, which no certificate covers; give every listener a hostname under the stack's domain.",
        ]);
        const inDefault = { metadata: { name: "gw" }, spec: gateway().spec };
        const served = { metadata: { name: "served" }, spec: { parentRefs: [{ name: "gw", sectionName: "http" }], rules: [backend] } };
        expect(checkStack({ type: gatewayType, props: inDefault }, { type: routeType, props: served })).to.deep.equal([
            "HTTPRoute default/served attaches to plain-HTTP listener default/gw/http and serves more than a redirect; " +
            "on a plain-HTTP listener a route may only redirect to HTTPS (a RequestRedirect filter with scheme https and no backendRefs).",
        ]);
    });

    it("takes a rule as a redirect only with a RequestRedirect to https, beside any other filter, and no backends", () => {
        const on = (...rules: unknown[]) => checkStack({ type: gatewayType, props: gateway() }, { type: routeType, props: route("r", "bookkeep-system", "http", rules) });
        const refused = ["HTTPRoute bookkeep-system/r attaches to plain-HTTP listener bookkeep-system/gw/http and serves more than a redirect; " +
            "on a plain-HTTP listener a route may only redirect to HTTPS (a RequestRedirect filter with scheme https and no backendRefs)."];
        const header = { type: "RequestHeaderModifier", requestHeaderModifier: { add: [{ name: "x", value: "y" }] } };
        expect(on({ filters: [header, ...redirect.filters] })).to.deep.equal([]);
        expect(on({ ...redirect, backendRefs: backend.backendRefs })).to.deep.equal(refused);
        expect(on({ filters: [{ ...redirect.filters[0], type: "URLRewrite" }] })).to.deep.equal(refused);
        expect(on(null)).to.deep.equal(refused);
        expect(on()).to.deep.equal(refused);
    });

    it("reads listeners only from Gateways, and routes only of the HTTP and gRPC kinds", () => {
        const served = route("served", "bookkeep-system", "http", [backend]);
        const sameName = { type: "kubernetes:core/v1:Service", props: { metadata: { name: "gw", namespace: "bookkeep-system" }, spec: { type: "ClusterIP" } } };
        expect(checkStack({ type: gatewayType, props: gateway() }, sameName, { type: routeType, props: served })).to.have.length(1);
        expect(checkStack({ type: gatewayType, props: gateway() }, { type: "kubernetes:gateway.networking.k8s.io/v1alpha2:TCPRoute", props: served })).to.deep.equal([]);
    });

    it("judges hostnames only against a configured domain, and lists every one outside it once", () => {
        expect(check(gatewayHostnamesInDomain, routeType, route("x", "bookkeep-production", "https-api", [backend], ["api.example.org"]), {})).to.deep.equal([]);
        expect(check(gatewayHostnamesInDomain, routeType, route("x", "bookkeep-production", "https-api", [backend], ["a.example.org", "b.example.org", "a.example.org", 42 as unknown as string]))).to.deep.equal([
            "HTTPRoute answers a.example.org, b.example.org, outside the stack's domain bookkeep.app; use bookkeep.app or names under it, which the certificate, the DNS zone and the edge cover.",
        ]);
    });

    it("takes an empty listener hostname as none, and names every bare listener", () => {
        const { hostname: _h, ...bare } = listeners[0]!;
        expect(check(gatewayHostnamesInDomain, gatewayType, gateway([{ ...bare, hostname: "" }, { ...bare, name: "https-2" }]))).to.deep.equal([
            "Gateway listener(s) https-api, https-2 answer any host name, which no certificate covers; give every listener a hostname under the stack's domain.",
        ]);
    });

    it("judges the planned stacks with the domain from their policy config", async () => {
        const bad = await plan("production", undefined, { "bookkeep:domain": "example.org" });
        const found = bad.plan.policies.violations.filter(v => v.policy === "gateway-hostnames-in-domain");
        expect(found.length).to.be.greaterThan(0);
        expect(found[0]!.message).to.contain("outside the stack's domain bookkeep.app");
        const good = await plan("production");
        expect(good.plan.policies.violations.filter(v => v.policy.startsWith("gateway-"))).to.deep.equal([]);
    });
});
