/**
 * The Cloudflare edge: Indian residency at the edge (Regional Services), Cloudflare features that
 * would process request data elsewhere, and an origin that only the edge can reach. Cloudflare types
 * are matched by token: the pack does not depend on @pulumi/cloudflare.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { cloudflareIpv4Ranges, cloudflareIpv6Ranges, cloudflareRangesAsOf } from "../components/edge/cloudflareRanges";
import { parseCidr } from "./cidrs";
import { asArray, ofType, safe, stackEnvironment, whenKnown } from "./helpers";

export const cloudflareTypes = {
    provider: "pulumi:providers:cloudflare",
    zone: "cloudflare:index/zone:Zone",
    dnsRecord: "cloudflare:index/dnsRecord:DnsRecord",
    regionalHostname: "cloudflare:index/regionalHostname:RegionalHostname",
} as const;
/** The one region key Regional Services may name: India. */
export const indiaRegionKey = "in";

/**
 * Cloudflare types that store nothing and process requests only where Regional Services puts them
 * (India, for every proxied hostname): configuration of the zone, its records and its rules.
 */
export const cloudflareTypesInIndia: Readonly<Record<string, string>> = {
    [cloudflareTypes.provider]: "the provider: API calls only",
    [cloudflareTypes.zone]: "the zone: DNS configuration, no request data",
    "cloudflare:index/zoneSetting:ZoneSetting": "zone settings: configuration",
    "cloudflare:index/zoneSubscription:ZoneSubscription": "the zone's plan: billing, no request data",
    [cloudflareTypes.dnsRecord]: "public DNS records only",
    "cloudflare:index/ruleset:Ruleset": "WAF, rate-limit and DDoS rules run where the request is processed: the regional hostname's region",
    [cloudflareTypes.regionalHostname]: "pins TLS termination and processing to its region (checked by edge-regional-hostnames-india)",
    "cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings": "a switch: Cloudflare presents its client certificate to the origin",
    "cloudflare:index/accountToken:AccountToken": "an API credential (cert-manager's DNS-01 token); no request data",
};

const configSchema = {
    properties: {
        /** Further Cloudflare types, each with the reason it keeps request data in India (or holds none). */
        allowedTypes: { type: "object" as const, additionalProperties: { type: "string" as const, minLength: 20 }, default: {} },
    },
};

export const cloudflareTypesResidency: ResourceValidationPolicy = {
    name: "cloudflare-types-residency",
    description: "Checks whether every Cloudflare resource is of a type known to keep request data in India, or on the policy config's reasoned allowlist (allowedTypes).",
    enforcementLevel: "mandatory",
    configSchema,
    validateResource: (args, report) => {
        if (!args.type.startsWith("cloudflare:")) {
            return;
        }
        const allowed = args.getConfig<{ allowedTypes?: Record<string, string> }>().allowedTypes ?? {};
        if (cloudflareTypesInIndia[args.type] === undefined && allowed[args.type] === undefined) {
            report(`${args.type} is not known to keep request data in India (logs, caches, Workers and storage run or keep data outside the Regional Services region); ` +
                `remove it, or add it to this policy's allowedTypes with the reason it keeps data in India.`);
        }
    },
};

const proxiedHostnames = (records: readonly PolicyResource[]) =>
    [...new Set(records.filter(r => whenKnown(() => r.props.proxied) === true).map(r => String(r.props.name)))];

export const edgeRegionalHostnamesIndia: StackValidationPolicy = {
    name: "edge-regional-hostnames-india",
    description: "Checks whether every regional hostname names region `in`, and, in production, whether every proxied Cloudflare hostname has one.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const regional = ofType(args, cloudflareTypes.regionalHostname);
        for (const r of regional) {
            const key = whenKnown(() => r.props.regionKey);
            if (key !== undefined && key !== indiaRegionKey) {
                report(`Regional hostname ${String(r.props.hostname)} names region ${JSON.stringify(key)}; set regionKey "${indiaRegionKey}" so requests are processed in India.`, r.urn);
            }
        }
        if (stackEnvironment(args) !== "production") {
            return;
        }
        const inIndia = new Set(regional.filter(r => whenKnown(() => r.props.regionKey) === indiaRegionKey).map(r => String(r.props.hostname)));
        const records = ofType(args, cloudflareTypes.dnsRecord);
        for (const hostname of proxiedHostnames(records).filter(h => !inIndia.has(h))) {
            report(`Proxied hostname ${hostname} has no regional hostname in region "${indiaRegionKey}"; in production Cloudflare must terminate TLS and process its requests in India ` +
                "(a RegionalHostname, bookkeep:edge.regionalServices).", records.find(r => r.props.name === hostname)?.urn);
        }
    },
};

const pinned = [...cloudflareIpv4Ranges, ...cloudflareIpv6Ranges].flatMap(c => parseCidr(c) ?? []);
/** Whether `cidr` lies wholly inside one of Cloudflare's pinned ranges. */
export function insideCloudflare(cidr: unknown): boolean {
    const r = parseCidr(cidr);
    return r !== undefined && pinned.some(p => p.v6 === r.v6 && p.lo <= r.lo && r.hi <= p.hi);
}

/** Envoy Gateway makes the proxies' load-balancer Service itself, as its EnvoyProxy describes it. */
const envoyProxyType = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy";

/** The load balancers the stack asks for: Services, and the Services EnvoyProxies describe. */
function loadBalancers(args: Parameters<StackValidationPolicy["validateStack"]>[0]): Array<{ what: string; urn: string; spec: Record<string, unknown> }> {
    const services = ofType(args, "kubernetes:core/v1:Service").map(r => ({ what: `Load balancer Service ${r.name}`, urn: r.urn, spec: safe(() => r.props.spec) ?? {} }));
    const proxies = ofType(args, envoyProxyType).map(r => ({
        // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
        what: `The load balancer of EnvoyProxy ${r.name}`, urn: r.urn, spec: safe(() => r.props.spec?.provider?.kubernetes?.envoyService) ?? {},
    }));
    return [...services, ...proxies].filter(lb => safe(() => lb.spec.type) === "LoadBalancer");
}

export const originAdmitsOnlyEdge: StackValidationPolicy = {
    name: "origin-admits-only-edge",
    description: "Checks whether every load balancer (a Service of type LoadBalancer, or an EnvoyProxy's envoyService) admits only Cloudflare's pinned ranges " +
        "(loadBalancerSourceRanges) when the stack has a Cloudflare zone.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        if (ofType(args, cloudflareTypes.zone).length === 0) {
            return;
        }
        for (const lb of loadBalancers(args)) {
            const ranges = asArray(safe(() => lb.spec.loadBalancerSourceRanges));
            const outside = ranges.filter(c => !insideCloudflare(c));
            if (ranges.length === 0 || outside.length > 0) {
                const what = ranges.length === 0 ? "admits every source" : `admits ${outside.join(", ")} outside Cloudflare's ranges`;
                report(`${lb.what} ${what} while the Cloudflare edge is on, so clients can bypass the WAF; set loadBalancerSourceRanges ` +
                    `to Cloudflare's ranges (components/edge/cloudflareRanges.ts, as of ${cloudflareRangesAsOf}).`, lb.urn);
            }
        }
    },
};

export const edgePolicies = [cloudflareTypesResidency, edgeRegionalHostnamesIndia, originAdmitsOnlyEdge];
