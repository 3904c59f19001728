/**
 * The API's front door under the Gateway API (issue 19): every listener terminates TLS but one
 * plain-HTTP listener whose routes only redirect to HTTPS, and every hostname a Gateway or an
 * HTTPRoute answers lies under the stack's domain (policy config `domain`, per stack in
 * policies/config/<stack>.json), so no route can publish a name the certificate, the DNS and the
 * edge do not cover.
 */
import { ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { asArray, forTypes, isObject, safe } from "./helpers";

export const gatewayType = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
export const httpRouteTypes = ["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute"];
/**
 * A listener of protocol HTTP or HTTPS without `allowedRoutes.kinds` admits GRPCRoutes too (Gateway
 * API), served over cleartext HTTP/2 on the plain listener. A GRPCRoute has no redirect filter, so
 * on a plain-HTTP listener it can only serve.
 */
export const grpcRouteTypes = ["kubernetes:gateway.networking.k8s.io/v1:GRPCRoute", "kubernetes:gateway.networking.k8s.io/v1alpha2:GRPCRoute"];

export const gatewayListenersTls: ResourceValidationPolicy = {
    name: "gateway-listeners-tls",
    description: "Checks whether every Gateway listener terminates TLS with a certificate, but a plain-HTTP listener that admits routes only from the Gateway's own namespace (where gateway-http-redirect-only judges them).",
    enforcementLevel: "mandatory",
    validateResource: forTypes([gatewayType], (args, report) => {
        // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
        for (const l of asArray(safe(() => args.props.spec?.listeners)).filter(isObject)) {
            const name = String(l.name ?? "?");
            const protocol = String(l.protocol ?? "?");
            if (protocol === "HTTPS") {
                // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
                if (safe(() => l.tls?.mode) === "Passthrough" || asArray(safe(() => l.tls?.certificateRefs)).length === 0) {
                    report(`Gateway listener ${name} is HTTPS without a certificate it terminates with; set tls.mode Terminate and tls.certificateRefs to the certificate's Secret.`);
                }
            } else if (protocol === "HTTP") {
                // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
                if (safe(() => l.allowedRoutes?.namespaces?.from) !== "Same") {
                    report(`Gateway listener ${name} serves plain HTTP to routes from other namespaces; admit routes only from the Gateway's own namespace (allowedRoutes.namespaces.from: Same) and attach nothing but a redirect to HTTPS.`);
                }
            } else {
                report(`Gateway listener ${name} uses protocol ${protocol}; clients may reach only HTTPS listeners (and a plain-HTTP listener that redirects to HTTPS).`);
            }
        }
    }),
};

/** The listeners of the stack's Gateways, `<namespace>/<gateway>` -> listener name -> protocol. */
function listenersByGateway(resources: readonly { type: string; props: Record<string, unknown> }[]): Map<string, Map<string, string>> {
    const out = new Map<string, Map<string, string>>();
    for (const g of resources.filter(r => r.type === gatewayType)) {
        const meta = (g.props.metadata ?? {}) as Record<string, unknown>;
        // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
        const listeners = asArray(safe(() => (g.props.spec as Record<string, unknown>)?.listeners)).filter(isObject);
        out.set(`${String(meta.namespace ?? "default")}/${String(meta.name ?? "")}`, new Map(listeners.map(l => [String(l.name), String(l.protocol)])));
    }
    return out;
}

/** A rule that only redirects to HTTPS: a RequestRedirect to scheme https and no backends. */
function redirectsOnly(rule: unknown): boolean {
    const filters = asArray(safe(() => (rule as Record<string, unknown>).filters)).filter(isObject);
    return isObject(rule) && asArray(rule.backendRefs).length === 0 &&
        // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
        filters.some(f => f.type === "RequestRedirect" && safe(() => f.requestRedirect?.scheme) === "https");
}

export const gatewayHttpRedirectOnly: StackValidationPolicy = {
    name: "gateway-http-redirect-only",
    description: "Checks whether every HTTPRoute attached to a plain-HTTP listener only redirects to HTTPS (no backends), and no GRPCRoute attaches there, so nothing is served unencrypted.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const gateways = listenersByGateway(args.resources);
        for (const route of args.resources.filter(r => httpRouteTypes.includes(r.type) || grpcRouteTypes.includes(r.type))) {
            const kind = grpcRouteTypes.includes(route.type) ? "GRPCRoute" : "HTTPRoute";
            // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
            const ns = String(safe(() => route.props.metadata?.namespace) ?? "default");
            // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
            const name = String(safe(() => route.props.metadata?.name) ?? route.name);
            // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
            const rules = asArray(safe(() => route.props.spec?.rules));
            // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
            for (const ref of asArray(safe(() => route.props.spec?.parentRefs)).filter(isObject)) {
                const gw = `${String(ref.namespace ?? ns)}/${String(ref.name)}`;
                const listeners = gateways.get(gw);
                // No sectionName: the route attaches to every listener of the Gateway.
                const attached = [...(listeners ?? new Map<string, string>()).entries()]
                    .filter(([l, protocol]) => protocol === "HTTP" && (ref.sectionName === undefined || ref.sectionName === l));
                if (attached.length > 0 && (kind === "GRPCRoute" || rules.length === 0 || !rules.every(redirectsOnly))) {
                    report(`${kind} ${ns}/${name} attaches to plain-HTTP listener ${gw}/${attached[0]![0]} and serves more than a redirect; on a plain-HTTP listener a route may only redirect to HTTPS (a RequestRedirect filter with scheme https and no backendRefs).`, route.urn);
                }
            }
        }
    },
};

interface DomainConfig {
    /** The stack's domain (bookkeep:domain); hostnames must be it or under it. */
    readonly domain?: string;
}

function underDomain(host: string, domain: string): boolean {
    const h = host.toLowerCase().replace(/^\*\./, "");
    const d = domain.toLowerCase();
    return h === d || h.endsWith(`.${d}`);
}

function checkHosts(kind: string, hosts: string[], domain: string | undefined, report: ReportViolation): void {
    if (domain === undefined) {
        return;
    }
    const outside = [...new Set(hosts.filter(h => !underDomain(h, domain)))];
    if (outside.length > 0) {
        report(`${kind} answers ${outside.join(", ")}, outside the stack's domain ${domain}; use ${domain} or names under it, which the certificate, the DNS zone and the edge cover.`);
    }
}

export const gatewayHostnamesInDomain: ResourceValidationPolicy = {
    name: "gateway-hostnames-in-domain",
    description: "Checks whether every Gateway listener names a hostname and every Gateway, HTTPRoute or GRPCRoute hostname lies under the stack's domain (policy config `domain`).",
    enforcementLevel: "mandatory",
    configSchema: { properties: { domain: { type: "string" } } },
    validateResource: forTypes([gatewayType, ...httpRouteTypes, ...grpcRouteTypes], (args, report) => {
        const domain = args.getConfig<DomainConfig>().domain;
        if (args.type === gatewayType) {
            // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
            const listeners = asArray(safe(() => args.props.spec?.listeners)).filter(isObject);
            const bare = listeners.filter(l => typeof l.hostname !== "string" || l.hostname === "").map(l => String(l.name ?? "?"));
            if (bare.length > 0) {
                report(`Gateway listener(s) ${bare.join(", ")} answer any host name, which no certificate covers; give every listener a hostname under the stack's domain.`);
            }
            checkHosts("Gateway", listeners.map(l => l.hostname).filter((h): h is string => typeof h === "string" && h !== ""), domain, report);
        } else {
            // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
            checkHosts(grpcRouteTypes.includes(args.type) ? "GRPCRoute" : "HTTPRoute", asArray(safe(() => args.props.spec?.hostnames)).filter((h): h is string => typeof h === "string"), domain, report);
        }
    }),
};

export const gatewayPolicies = [gatewayListenersTls, gatewayHttpRedirectOnly, gatewayHostnamesInDomain];
