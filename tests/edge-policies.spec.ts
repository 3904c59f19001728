/**
 * The edge policies called as the analyzer calls them: a compliant fixture, then one broken
 * property per case with the exact message.
 */
import { ResourceValidation, ResourceValidationArgs, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { expect } from "chai";
import { cloudflareIpv4Ranges } from "../components/edge/cloudflareRanges";
import { cloudflareTypesResidency, edgeRegionalHostnamesIndia, insideCloudflare, originAdmitsOnlyEdge } from "../policies/edge";

interface Fake { type: string; name: string; urn: string; props: Record<string, unknown>; propertyDependencies: Record<string, Fake[]>; opts: Record<string, unknown> }
const resource = (stack: string, type: string, name: string, props: Record<string, unknown>): Fake =>
    ({ type, name, urn: `urn:pulumi:${stack}::bookkeep::${type}::${name}`, props, propertyDependencies: {}, opts: {} });

function reportsOf(policy: StackValidationPolicy, resources: Fake[]): string[] {
    const out: string[] = [];
    const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as unknown as StackValidationArgs;
    void policy.validateStack(args, (message, urn) => out.push(`${urn?.split("::").pop()}: ${message}`));
    return out;
}

function typeReports(type: string, allowedTypes: Record<string, string> = {}): string[] {
    const out: string[] = [];
    const args = { type, props: {}, name: "r", urn: `urn:pulumi:production::bookkeep::${type}::r`, opts: {}, getConfig: () => ({ allowedTypes }), notApplicable: () => undefined };
    void (cloudflareTypesResidency.validateResource as ResourceValidation)(args as unknown as ResourceValidationArgs, m => out.push(m));
    return out;
}

const zone = (stack: string) => resource(stack, "cloudflare:index/zone:Zone", "zone", { name: "bookkeep.app" });
const record = (stack: string, name: string, hostname: string, proxied: boolean) =>
    resource(stack, "cloudflare:index/dnsRecord:DnsRecord", name, { name: hostname, type: "A", content: "13.200.244.1", proxied });
const regional = (stack: string, name: string, hostname: string, regionKey: string) =>
    resource(stack, "cloudflare:index/regionalHostname:RegionalHostname", name, { hostname, regionKey });
const loadBalancer = (stack: string, spec: Record<string, unknown>) =>
    resource(stack, "kubernetes:core/v1:Service", "ingress", { spec: { type: "LoadBalancer", ports: [{ port: 443 }], ...spec } });

describe("edge policies", () => {
    describe("edge-regional-hostnames-india", () => {
        const compliant = (stack: string) => [
            zone(stack), record(stack, "api", "api.bookkeep.app", true), record(stack, "wildcard", "*.bookkeep.app", true),
            record(stack, "cdn", "cdn.bookkeep.app", false),
            regional(stack, "api-region", "api.bookkeep.app", "in"), regional(stack, "wildcard-region", "*.bookkeep.app", "in"),
        ];

        it("passes production with an India regional hostname for each proxied name (a DNS-only name needs none)", () => {
            expect(reportsOf(edgeRegionalHostnamesIndia, compliant("production"))).to.deep.equal([]);
        });

        it("refuses a proxied production hostname without a regional hostname", () => {
            const resources = compliant("production").filter(r => r.name !== "wildcard-region");
            expect(reportsOf(edgeRegionalHostnamesIndia, resources)).to.deep.equal([
                "wildcard: Proxied hostname *.bookkeep.app has no regional hostname in region \"in\"; in production Cloudflare must terminate TLS and process its requests in India " +
                "(a RegionalHostname, bookkeep:edge.regionalServices).",
            ]);
        });

        it("refuses a regional hostname outside India, in any environment", () => {
            const resources = compliant("staging").map(r => (r.name === "api-region" ? regional("staging", "api-region", "api.bookkeep.app", "eu") : r));
            expect(reportsOf(edgeRegionalHostnamesIndia, resources)).to.deep.equal([
                "api-region: Regional hostname api.bookkeep.app names region \"eu\"; set regionKey \"in\" so requests are processed in India.",
            ]);
        });

        it("counts only an India regional hostname for a proxied production name", () => {
            const resources = compliant("production").map(r => (r.name === "api-region" ? regional("production", "api-region", "api.bookkeep.app", "eu") : r));
            expect(reportsOf(edgeRegionalHostnamesIndia, resources)).to.deep.equal([
                "api-region: Regional hostname api.bookkeep.app names region \"eu\"; set regionKey \"in\" so requests are processed in India.",
                "api: Proxied hostname api.bookkeep.app has no regional hostname in region \"in\"; in production Cloudflare must terminate TLS and process its requests in India " +
                "(a RegionalHostname, bookkeep:edge.regionalServices).",
            ]);
        });

        it("does not read a regional hostname without a region key as naming another region", () => {
            const keyless = (stack: string) => compliant(stack).map(r => (r.name === "api-region" ? resource(stack, r.type, r.name, { hostname: "api.bookkeep.app" }) : r));
            expect(reportsOf(edgeRegionalHostnamesIndia, keyless("staging"))).to.deep.equal([]);
            expect(reportsOf(edgeRegionalHostnamesIndia, keyless("production"))).to.deep.equal([
                "api: Proxied hostname api.bookkeep.app has no regional hostname in region \"in\"; in production Cloudflare must terminate TLS and process its requests in India " +
                "(a RegionalHostname, bookkeep:edge.regionalServices).",
            ]);
        });

        it("lets staging proxy without Regional Services (an account without the entitlement)", () => {
            const resources = compliant("staging").filter(r => r.type !== "cloudflare:index/regionalHostname:RegionalHostname");
            expect(reportsOf(edgeRegionalHostnamesIndia, resources)).to.deep.equal([]);
        });
    });

    describe("origin-admits-only-edge", () => {
        it("passes a load balancer restricted to Cloudflare's ranges, or any subnet of them", () => {
            expect(reportsOf(originAdmitsOnlyEdge, [zone("production"), loadBalancer("production", { loadBalancerSourceRanges: [...cloudflareIpv4Ranges] })])).to.deep.equal([]);
            expect(reportsOf(originAdmitsOnlyEdge, [zone("production"), loadBalancer("production", { loadBalancerSourceRanges: ["104.16.8.0/24", "2400:cb00:1::/48"] })])).to.deep.equal([]);
        });

        it("refuses a load balancer open to the world while the edge is on", () => {
            expect(reportsOf(originAdmitsOnlyEdge, [zone("production"), loadBalancer("production", {})])).to.deep.equal([
                "ingress: Load balancer Service ingress admits every source while the Cloudflare edge is on, so clients can bypass the WAF; set loadBalancerSourceRanges " +
                "to Cloudflare's ranges (components/edge/cloudflareRanges.ts, as of 2026-02-11).",
            ]);
        });

        it("refuses a source range outside Cloudflare's", () => {
            const ranges = [...cloudflareIpv4Ranges, "203.0.113.0/24"];
            expect(reportsOf(originAdmitsOnlyEdge, [zone("production"), loadBalancer("production", { loadBalancerSourceRanges: ranges })])).to.deep.equal([
                "ingress: Load balancer Service ingress admits 203.0.113.0/24 outside Cloudflare's ranges while the Cloudflare edge is on, so clients can bypass the WAF; " +
                "set loadBalancerSourceRanges to Cloudflare's ranges (components/edge/cloudflareRanges.ts, as of 2026-02-11).",
            ]);
        });

        it("lists every source range outside Cloudflare's", () => {
            const ranges = [...cloudflareIpv4Ranges, "203.0.113.0/24", "198.51.100.0/24"];
            expect(reportsOf(originAdmitsOnlyEdge, [zone("production"), loadBalancer("production", { loadBalancerSourceRanges: ranges })])).to.deep.equal([
                "ingress: Load balancer Service ingress admits 203.0.113.0/24, 198.51.100.0/24 outside Cloudflare's ranges while the Cloudflare edge is on, so clients can bypass the WAF; " +
                "set loadBalancerSourceRanges to Cloudflare's ranges (components/edge/cloudflareRanges.ts, as of 2026-02-11).",
            ]);
        });

        it("refuses a range wider than Cloudflare's that contains one of them", () => {
            expect(insideCloudflare("104.16.0.0/13")).to.equal(true);
            expect(insideCloudflare("104.0.0.0/8")).to.equal(false);
            expect(insideCloudflare("not-a-cidr")).to.equal(false);
            expect(insideCloudflare("::6810:0/120"), "an IPv6 range whose number falls inside 104.16.0.0/13").to.equal(false);
        });

        it("leaves a stack without the edge alone (development serves directly)", () => {
            expect(reportsOf(originAdmitsOnlyEdge, [loadBalancer("development", {})])).to.deep.equal([]);
        });

        it("judges the load balancer an EnvoyProxy asks Envoy Gateway for", () => {
            const proxy = (envoyService: Record<string, unknown>) => resource("production", "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy", "proxy",
                { spec: { provider: { type: "Kubernetes", kubernetes: { envoyService: { type: "LoadBalancer", ...envoyService } } } } });
            expect(reportsOf(originAdmitsOnlyEdge, [zone("production"), proxy({ loadBalancerSourceRanges: [...cloudflareIpv4Ranges] })])).to.deep.equal([]);
            expect(reportsOf(originAdmitsOnlyEdge, [zone("production"), proxy({})])).to.deep.equal([
                "proxy: The load balancer of EnvoyProxy proxy admits every source while the Cloudflare edge is on, so clients can bypass the WAF; set loadBalancerSourceRanges " +
                "to Cloudflare's ranges (components/edge/cloudflareRanges.ts, as of 2026-02-11).",
            ]);
        });

        it("ignores Services that are not load balancers", () => {
            expect(reportsOf(originAdmitsOnlyEdge, [zone("production"), loadBalancer("production", { type: "ClusterIP" })])).to.deep.equal([]);
        });
    });

    describe("cloudflare-types-residency", () => {
        it("passes the edge's own types", () => {
            for (const type of ["cloudflare:index/zone:Zone", "cloudflare:index/ruleset:Ruleset", "cloudflare:index/regionalHostname:RegionalHostname", "pulumi:providers:cloudflare"]) {
                expect(typeReports(type), type).to.deep.equal([]);
            }
        });

        it("refuses a type that keeps or processes request data elsewhere", () => {
            expect(typeReports("cloudflare:index/logpushJob:LogpushJob")).to.deep.equal([
                "cloudflare:index/logpushJob:LogpushJob is not known to keep request data in India (logs, caches, Workers and storage run or keep data outside the Regional Services region); " +
                "remove it, or add it to this policy's allowedTypes with the reason it keeps data in India.",
            ]);
        });

        it("passes a type on the reasoned allowlist", () => {
            expect(typeReports("cloudflare:index/logpushJob:LogpushJob", { "cloudflare:index/logpushJob:LogpushJob": "pushes to an R2 bucket with India jurisdiction only" })).to.deep.equal([]);
        });

        it("ignores other providers' types", () => {
            expect(typeReports("aws:s3/bucket:Bucket")).to.deep.equal([]);
        });
    });
});
