/**
 * The Cloudflare edge as the plans build it: the origin admits only the pinned ranges and requires
 * Authenticated Origin Pulls, every proxied hostname is processed in India, the WAF, rate-limit and
 * DDoS rules exist, and development plans without Cloudflare.
 */
import { expect } from "chai";
import { cloudflareIpv4Ranges } from "../components/edge/cloudflareRanges";
import { originPullCaPem } from "../components/edge/originPullCa";
import { httpDdosRulesetId, managedRulesetId, owaspAnomalyRuleId, owaspRulesetId } from "../components/edge/rules";
import { RecordedResource } from "../offline/engine";
import { envoyProxyType } from "../offline/preflight/envoyProxies";
import { readStackFile } from "../offline/stackFile";
import { parseStackConfig } from "../stacks/load";
import { plan } from "./harness";

const ofType = (resources: readonly RecordedResource[], type: string) => resources.filter(r => r.type === type);
type Inputs = Record<string, any>;
const inputs = (r: RecordedResource) => r.inputs as Inputs;

const cases = [["production", "aws"], ["production", "gcp"], ["staging", "aws"], ["staging", "gcp"]] as const;

describe("Cloudflare edge", () => {
    for (const [stack, cloud] of cases) {
        describe(`${stack} on ${cloud}`, () => {
            let resources: readonly RecordedResource[];
            let exitCode: number;
            before(async () => {
                const result = await plan(stack, cloud);
                resources = result.evaluation.resources;
                exitCode = result.exitCode;
            });

            it("plans clean", () => expect(exitCode).to.equal(0));

            it("has the origin load balancer (the gateway's proxies) admit only Cloudflare's pinned IPv4 ranges", () => {
                expect(ofType(resources, "kubernetes:core/v1:Service").filter(r => inputs(r).spec?.type === "LoadBalancer")).to.deep.equal([]);
                const services = ofType(resources, envoyProxyType).map(r => inputs(r).spec.provider.kubernetes.envoyService);
                expect(services.map(s => [s.type, s.loadBalancerSourceRanges])).to.deep.equal([["LoadBalancer", [...cloudflareIpv4Ranges]]]);
            });

            it("has the gateway require Cloudflare's origin-pull client certificate (Authenticated Origin Pulls)", () => {
                const ca = ofType(resources, "kubernetes:core/v1:ConfigMap").map(inputs).filter(c => c.metadata?.name === "origin-client-ca");
                expect(ca.map(c => c.data["ca.crt"])).to.deep.equal([originPullCaPem]);
                const policy = ofType(resources, "kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy").map(inputs)[0];
                expect(policy?.spec.tls.clientValidation).to.deep.equal({ caCertificateRefs: [{ group: "", kind: "ConfigMap", name: "origin-client-ca" }] });
            });

            it("requires Authenticated Origin Pulls and verifies the origin's certificate (full strict, TLS 1.2+, HTTPS only, HSTS)", () => {
                expect(ofType(resources, "cloudflare:index/authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings").map(r => inputs(r).enabled)).to.deep.equal([true]);
                const settings = Object.fromEntries(ofType(resources, "cloudflare:index/zoneSetting:ZoneSetting").map(r => [inputs(r).settingId, inputs(r).value]));
                expect(settings).to.deep.equal({
                    ssl: "strict", min_tls_version: "1.2", always_use_https: "on",
                    security_header: { strict_transport_security: { enabled: true, max_age: 31536000, include_subdomains: true, preload: false, nosniff: true } },
                });
            });

            it("proxies api and the wildcard to every origin address, each with a regional hostname in India", () => {
                const records = ofType(resources, "cloudflare:index/dnsRecord:DnsRecord").map(inputs);
                const proxied = records.filter(r => r.proxied);
                const domain = stack === "production" ? "bookkeep.app" : "staging.bookkeep.app";
                const origins = cloud === "aws" ? 3 : 1;
                expect(proxied.map(r => r.name).sort()).to.deep.equal([...Array(origins).fill(`*.${domain}`), ...Array(origins).fill(`api.${domain}`)]);
                expect(proxied.every(r => r.type === "A" && r.ttl === 1)).to.equal(true);
                const regional = ofType(resources, "cloudflare:index/regionalHostname:RegionalHostname").map(inputs);
                expect(regional.map(r => [r.hostname, r.regionKey]).sort()).to.deep.equal([[`*.${domain}`, "in"], [`api.${domain}`, "in"]]);
                // The CDN keeps its own TLS and bucket access: a DNS-only record.
                expect(records.filter(r => r.name === `cdn.${domain}`).map(r => [r.type, r.proxied])).to.deep.equal([[cloud === "aws" ? "CNAME" : "A", false]]);
            });

            it("runs both WAF managed rulesets blocking, the API's rate limit and the HTTP DDoS override", () => {
                const phases = Object.fromEntries(ofType(resources, "cloudflare:index/ruleset:Ruleset").map(r => [inputs(r).phase, inputs(r).rules]));
                expect(Object.keys(phases).sort()).to.deep.equal(["ddos_l7", "http_ratelimit", "http_request_firewall_managed"]);
                expect(phases.http_request_firewall_managed.map((r: Inputs) => [r.action, r.actionParameters.id])).to.deep.equal([
                    ["execute", managedRulesetId], ["execute", owaspRulesetId],
                ]);
                expect(phases.http_request_firewall_managed[0].actionParameters.overrides).to.deep.equal({ action: "block" });
                expect(phases.http_request_firewall_managed[1].actionParameters.overrides.rules).to.deep.equal([{ id: owaspAnomalyRuleId, action: "block", scoreThreshold: 40 }]);
                const [limit, kibana] = phases.http_ratelimit;
                expect(limit.action).to.equal("block");
                expect(limit.ratelimit).to.deep.equal({ characteristics: ["cf.colo.id", "ip.src"], period: 60, requestsPerPeriod: 100, mitigationTimeout: 60 });
                // Kibana's login (the native realm has no lockout) is limited too.
                const domain = stack === "production" ? "bookkeep.app" : "staging.bookkeep.app";
                expect([kibana.expression, kibana.action, kibana.ratelimit]).to.deep.equal([
                    `(http.host eq "kibana.${domain}" and http.request.uri.path eq "/internal/security/login")`, "block",
                    { characteristics: ["cf.colo.id", "ip.src"], period: 60, requestsPerPeriod: 10, mitigationTimeout: 60 },
                ]);
                expect(phases.http_ratelimit).to.have.length(2);
                expect(phases.ddos_l7.map((r: Inputs) => [r.actionParameters.id, r.actionParameters.overrides.sensitivityLevel])).to.deep.equal([[httpDdosRulesetId, "default"]]);
            });

            it("puts the zone on its plan before any ruleset or regional hostname (an API-created zone starts on Free)", () => {
                const subscriptions = ofType(resources, "cloudflare:index/zoneSubscription:ZoneSubscription");
                expect(subscriptions.map(r => [inputs(r).zoneId, inputs(r).ratePlan, r.retainOnDelete])).to.deep.equal([["f00dcafe0123456789abcdef01234567", { id: "enterprise" }, true]]);
                const entitled = [...ofType(resources, "cloudflare:index/ruleset:Ruleset"), ...ofType(resources, "cloudflare:index/regionalHostname:RegionalHostname")];
                expect(entitled).to.have.length(5);
                for (const r of entitled) {
                    expect(r.dependsOn, r.name).to.include(subscriptions[0]?.urn);
                }
            });

            it("has cert-manager solve DNS-01 in Cloudflare with a token scoped to the zone", () => {
                const issuer = ofType(resources, "kubernetes:cert-manager.io/v1:ClusterIssuer").map(inputs)[0];
                expect(issuer?.spec.acme.solvers[0].dns01).to.deep.equal({ cloudflare: { apiTokenSecretRef: { name: "cloudflare-dns01-token", key: "api-token" } } });
                const [token] = ofType(resources, "cloudflare:index/accountToken:AccountToken").map(inputs);
                expect(JSON.parse(token?.policies[0].resources)).to.deep.equal({ "com.cloudflare.api.account.zone.f00dcafe0123456789abcdef01234567": "*" });
            });
        });
    }

    it("counts the origin's security-group rules on AWS against the default quota: 15 ranges x (2 ports + path MTU) + 2 health checks = 47 of 60", async () => {
        const { plan: json } = await plan("production", "aws");
        const row = json.preflight?.quotas.find(q => q.key === "securityGroupRules");
        expect(row).to.deep.include({ used: 47, usedAtMaximum: 47, limit: 60, exceeded: false, limitFrom: "default" });
    });

    it("takes the Cloudflare API token only as a secret", () => {
        const raw = { ...readStackFile("production").config, "cloudflare:apiToken": "token-value" };
        expect(() => parseStackConfig(raw)).to.throw("invalid stack config:\n  - cloudflare:apiToken: must be a secret, never plain text in the stack file: " +
            "pulumi config set --secret cloudflare:apiToken <token>");
        expect(() => parseStackConfig(raw, { secretKeys: ["cloudflare:apiToken"] })).not.to.throw();
    });

    it("hands the pinned origin-pull CA to the origin", () => {
        expect(originPullCaPem).to.match(/^-----BEGIN CERTIFICATE-----\nMIIGCjCCA\/KgAwIBAgIIV5G6lVbCLmEw[\s\S]+-----END CERTIFICATE-----\n$/);
    });

    it("plans development without Cloudflare", async () => {
        const { evaluation, exitCode } = await plan("development");
        expect(exitCode).to.equal(0);
        expect(evaluation.resources.filter(r => r.type.startsWith("cloudflare:") || r.type === "pulumi:providers:cloudflare")).to.deep.equal([]);
        const proxy = ofType(evaluation.resources, envoyProxyType).map(inputs)[0];
        expect(proxy?.spec.provider.kubernetes.envoyService.loadBalancerSourceRanges).to.equal(undefined);
        expect(evaluation.resources.filter(r => inputs(r).metadata?.name === "origin-client-ca")).to.deep.equal([]);
    });

    it("leaves Regional Services out of staging when regionalServices is off, and keeps everything else", async () => {
        const { evaluation, exitCode } = await plan("staging", "aws", { "bookkeep:edge": { accountId: "0123456789abcdef0123456789abcdef", regionalServices: false } });
        expect(exitCode).to.equal(0);
        expect(ofType(evaluation.resources, "cloudflare:index/regionalHostname:RegionalHostname")).to.have.length(0);
        expect(ofType(evaluation.resources, "cloudflare:index/ruleset:Ruleset")).to.have.length(3);
    });

    it("puts a zone without Regional Services on the plan the stack names, and says so in the bootstrap checklist", async () => {
        const { evaluation, plan: json, exitCode } = await plan("staging", "gcp", { "bookkeep:edge": { accountId: "0123456789abcdef0123456789abcdef", regionalServices: false, plan: "business" } });
        expect(exitCode).to.equal(0);
        expect(ofType(evaluation.resources, "cloudflare:index/zoneSubscription:ZoneSubscription").map(r => inputs(r).ratePlan)).to.deep.equal([{ id: "business" }]);
        const step = json.preflight?.bootstrap.find(b => b.id === "cloudflare-account");
        expect(step?.text).to.contain("a zone entitlement for the business plan, which the stack's ZoneSubscription gives the new zone before any ruleset");
        expect(step?.text).not.to.contain("Data Localization Suite");
    });
});
