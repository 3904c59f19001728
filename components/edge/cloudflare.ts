/**
 * The Cloudflare edge in front of a stack: the zone for `<domain>` (authoritative once the
 * registrar delegates to it), proxied `api.` and `*.` records to the origin load balancer, TLS
 * "full (strict)" with TLS 1.2+, HSTS and HTTPS only, the WAF (Cloudflare Managed + OWASP Core,
 * blocking), the API's rate limit, the HTTP DDoS ruleset at the configured sensitivity, Regional
 * Services (India) for every proxied hostname and zone-level Authenticated Origin Pulls. docs/edge.md
 * says why each piece is as it is.
 */
import * as cloudflare from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { EdgeConfig, Environment } from "../../stacks/schema";
import { acmeDns01Issuer } from "../certificates";
import { CertificateIssuer, protectStateful, PublicEndpoints } from "../foundation";
import type { GatewayOrigin } from "../k8s/gateway";
import { originSourceRanges } from "./cloudflareRanges";
import { originPullCaPem } from "./originPullCa";
import { ddosRules, rateLimitRules, wafRules } from "./rules";
import { zoneSettings } from "./settings";
import { DnsSolverToken } from "./solverToken";

export interface CloudflareEdgeArgs {
    /** Apex domain (`bookkeep:domain`): the zone's name. */
    readonly domain: string;
    /** Production protects the zone: recreating it changes its name servers at the registrar. */
    readonly environment: Environment;
    /** Let's Encrypt account email (`bookkeep:acmeEmail`) for the DNS-01 issuer this edge provides. */
    readonly acmeEmail: string;
    /** `bookkeep:edge`: account, DDoS sensitivity, rate limit, Regional Services. */
    readonly edge: EdgeConfig;
    /** The stack's public endpoints (the cloud foundation's). */
    readonly endpoints: PublicEndpoints;
    /** The API token (`cloudflare:apiToken`, secret). Default: the provider reads CLOUDFLARE_API_TOKEN. */
    readonly apiToken?: pulumi.Output<string>;
}

export class CloudflareEdge extends pulumi.ComponentResource {
    public readonly zone: cloudflare.Zone;
    public readonly nameServers: pulumi.Output<string[]>;
    /** The hostnames Cloudflare proxies (TLS terminated at the edge). */
    public readonly proxiedHostnames: readonly string[];
    /** What the origin (the API gateway) must enforce: Cloudflare's ranges and origin-pull CA. */
    public readonly origin: GatewayOrigin;
    /** cert-manager's issuer when Cloudflare is authoritative: DNS-01 through the zone, a zone-scoped token. */
    public readonly certificateIssuer: CertificateIssuer;

    constructor(name: string, args: CloudflareEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:edge:CloudflareEdge", name, {}, opts);
        const { domain, edge, endpoints } = args;
        const provider = new cloudflare.Provider(`${name}-provider`, { apiToken: args.apiToken }, { parent: this });
        const o = { parent: this, provider };

        this.zone = new cloudflare.Zone(`${name}-zone`, {
            account: { id: edge.accountId },
            name: domain,
            type: "full",
        }, { ...o, protect: protectStateful(args.environment) });
        this.nameServers = this.zone.nameServers;
        const zoneId = this.zone.id;
        // A zone created through the API starts on Free, which is entitled to none of the managed
        // rulesets, the host-keyed rate limit or Regional Services: the plan is set before them, so
        // a missing entitlement fails here, by name, instead of as "not entitled" on each rule.
        // Kept on destroy: the plan is a billing (for Enterprise, contract) matter, and deleting the
        // zone ends it anyway.
        const subscription = new cloudflare.ZoneSubscription(`${name}-plan`, { zoneId, ratePlan: { id: edge.plan } }, { ...o, retainOnDelete: true });
        const entitled = { ...o, dependsOn: [subscription] };

        for (const [setting, value] of Object.entries(zoneSettings)) {
            new cloudflare.ZoneSetting(`${name}-${setting.replace(/_/g, "-")}`, { zoneId, settingId: setting, value }, o);
        }

        const apiHostname = `api.${domain}`;
        this.proxiedHostnames = [apiHostname, `*.${domain}`];
        const label = (hostname: string) => hostname.startsWith("*.") ? "wildcard" : hostname.split(".")[0];
        for (const hostname of this.proxiedHostnames) {
            for (const [where, address] of Object.entries(endpoints.originAddresses)) {
                new cloudflare.DnsRecord(`${name}-${label(hostname)}-${where}`, {
                    zoneId, name: hostname, type: "A", content: address, proxied: true, ttl: 1,
                }, o);
            }
            if (edge.regionalServices) {
                new cloudflare.RegionalHostname(`${name}-${label(hostname)}-region`, { zoneId, hostname, regionKey: edge.region }, entitled);
            }
        }
        // Static assets stay on the cloud CDN, which alone may read the private bucket: DNS only.
        new cloudflare.DnsRecord(`${name}-cdn`, {
            zoneId, name: `cdn.${domain}`, type: endpoints.cdnTarget.type, content: endpoints.cdnTarget.content, proxied: false, ttl: 300,
        }, o);
        for (const [what, record] of Object.entries(endpoints.validationRecords)) {
            new cloudflare.DnsRecord(`${name}-${what}-validation`, {
                // ACM hands out fully qualified names; Cloudflare takes them without the root dot.
                zoneId, name: record.name.apply(n => n.replace(/\.$/, "")), type: record.type, content: record.content, proxied: false, ttl: 300,
            }, o);
        }

        const ruleset = (phase: string, rules: cloudflare.types.input.RulesetRule[]) => new cloudflare.Ruleset(`${name}-${phase.replace(/_/g, "-")}`, {
            zoneId, kind: "zone", phase, name: `bookkeep ${phase}`, description: `BookKeep ${args.environment} ${phase}`, rules,
        }, entitled);
        ruleset("http_request_firewall_managed", wafRules());
        ruleset("http_ratelimit", rateLimitRules(apiHostname, edge.rateLimitPerMinute, `kibana.${domain}`));
        ruleset("ddos_l7", ddosRules(edge.ddosSensitivity));

        // Cloudflare then presents its origin-pull client certificate on every proxied request;
        // the origin refuses any TLS client without it (the gateway's clientCaPem).
        new cloudflare.AuthenticatedOriginPullsSettings(`${name}-origin-pulls`, { zoneId, enabled: true }, o);
        this.origin = { sourceRanges: originSourceRanges, clientCaPem: originPullCaPem };

        const token = new DnsSolverToken(`${name}-dns01`, { accountId: edge.accountId, zoneId, domain }, o);
        this.certificateIssuer = {
            ...acmeDns01Issuer(args.acmeEmail, domain, { cloudflare: { apiTokenSecretRef: token.secretRef } }),
            credentials: token.secret,
        };
        this.registerOutputs({ nameServers: this.nameServers, proxiedHostnames: this.proxiedHostnames });
    }
}
