import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pack } from "../policies/pack";
import { projectRoot } from "../offline/engine";
import { readPackConfig } from "../offline/policyRunner";
import { readStackFile, stackNames } from "../offline/stackFile";
import { parseStackConfig, ParseOptions } from "../stacks/load";
import { resilienceGuarantees, resilienceOverridesInForce } from "../stacks/resilience";
import { subnetCidr, cidrsOverlap, cidrContains, isCanonicalCidr, isCidr, publicAddressCount } from "../stacks/cidr";
import { isCloudSqlTier } from "../stacks/offerings";
import { present } from "./harness";

/** A stack file's config with `overrides` merged over it (objects deep-merged). */
function stack(name: string, overrides: Record<string, unknown> = {}): Record<string, string> {
    return readStackFile(name, overrides).config;
}
const production = (overrides: Record<string, unknown> = {}) => stack("production", overrides);
const productionGcp = (overrides: Record<string, unknown> = {}) => stack("production-gcp", overrides);

/** Parses and returns the error message; fails if the config is accepted. */
function rejection(raw: Record<string, string>, options?: ParseOptions): string {
    try {
        parseStackConfig(raw, options);
    } catch (err) {
        expect((err as Error).constructor.name).to.equal("InputPropertiesError");
        return (err as Error).message;
    }
    throw new Error("config was accepted");
}

/** zod's own English messages: none may reach a user. */
const zodPhrases = /Invalid input|Invalid option|Too (big|small)|Unrecognized key|expected (string|number|object)/;

describe("stack config", () => {
    it("ships one stack per environment and cloud", () => {
        expect(stackNames()).to.deep.equal(["development", "production", "production-gcp", "staging", "staging-gcp"]);
    });

    it("disables default providers in every stack file, so each resource takes an explicit one", () => {
        for (const name of stackNames()) {
            expect(JSON.parse(present(readStackFile(name).config["pulumi:disable-default-providers"], `${name}'s pulumi:disable-default-providers`)), name).to.deep.equal(["*"]);
        }
    });

    it("keeps one cloud's section per stack file (development carries neither AWS nor GCP)", () => {
        const sections = (name: string) => Object.keys(readStackFile(name).config).filter(k => ["bookkeep:aws", "bookkeep:gcp", "bookkeep:local"].includes(k));
        expect(sections("development")).to.deep.equal(["bookkeep:local"]);
        expect(sections("staging")).to.deep.equal(["bookkeep:aws"]);
        expect(sections("production")).to.deep.equal(["bookkeep:aws"]);
        expect(sections("staging-gcp")).to.deep.equal(["bookkeep:gcp"]);
        expect(sections("production-gcp")).to.deep.equal(["bookkeep:gcp"]);
    });

    it("applies the environment matrix to production on AWS", () => {
        const c = parseStackConfig(production(), { stack: "production" });
        if (c.cloud !== "aws") {
            throw new Error("production is an AWS stack");
        }
        expect(c.environment).to.equal("production");
        expect(c.cluster).to.include({ nodeCount: 5, minNodes: 5, maxNodes: 10, kubernetesVersion: "1.35" });
        expect(c.aws).to.include({
            region: "ap-south-1", drRegion: "ap-south-2", vpcCidr: "10.10.0.0/16", natGateways: "perAz",
            nodeInstanceType: "t3.large", databaseInstanceClass: "db.r5.large", cacheNodeType: "cache.r6g.large", cacheHourlySnapshotsKept: 48,
        });
        expect(c.aws.availabilityZones).to.deep.equal(["ap-south-1a", "ap-south-1b", "ap-south-1c"]);
        expect(c.database).to.include({ highAvailability: true, deletionProtection: true, crossRegionBackups: true, backupRetentionDays: 14 });
        expect(c.fleet).to.include({ minReplicas: 2, maxReplicas: 10 });
        expect(c.resilienceOverrides).to.deep.equal({});
    });

    it("applies the environment matrix to production on GCP", () => {
        const c = parseStackConfig(productionGcp(), { stack: "production-gcp" });
        if (c.cloud !== "gcp") {
            throw new Error("production-gcp is a GCP stack");
        }
        expect(c.gcp).to.include({
            project: "bookkeep-production", region: "asia-south1", drRegion: "asia-south2", subnetCidr: "10.10.0.0/16",
            controlPlaneCidr: "172.16.0.0/28", nodeMachineType: "e2-standard-2", databaseTier: "db-custom-2-13312", cacheMemorySizeGb: 5,
        });
        expect(c.gcp.zones).to.deep.equal(["asia-south1-a", "asia-south1-b", "asia-south1-c"]);
    });

    it("applies the environment matrix to staging on both clouds", () => {
        const aws = parseStackConfig(stack("staging"));
        const gcp = parseStackConfig(stack("staging-gcp"));
        if (aws.cloud !== "aws" || gcp.cloud !== "gcp") {
            throw new Error("staging is AWS, staging-gcp GCP");
        }
        expect(aws.cluster).to.include({ nodeCount: 2 });
        expect(aws.aws).to.include({ nodeInstanceType: "t3.medium", databaseInstanceClass: "db.t3.small", natGateways: "single" });
        expect(gcp.gcp).to.include({ nodeMachineType: "e2-standard-2", databaseTier: "db-g1-small" });
        expect(aws.fleet).to.include({ minReplicas: 1, maxReplicas: 2 });
    });

    it("gives development a local cluster, single replicas and no observability stack", () => {
        const c = parseStackConfig(stack("development"), { stack: "development" });
        expect(c.cloud).to.equal("local");
        expect(c.fleet).to.include({ minReplicas: 1, maxReplicas: 1, compactResources: true });
        expect(c.observability.enabled).to.equal(false);
    });

    it("plans a stack on the other cloud through its variant file", () => {
        const file = readStackFile("production", { "bookkeep:cloud": "gcp" });
        expect(file.stack).to.equal("production-gcp");
        expect(parseStackConfig(file.config).cloud).to.equal("gcp");
        expect(readStackFile("production", { "bookkeep:cloud": "aws" }).stack).to.equal("production");
    });

    it("moves a stack's defaults with its region (zones and DR region follow)", () => {
        const c = parseStackConfig(production({ "bookkeep:aws": { region: "ap-south-2" } }));
        expect(c.cloud === "aws" && c.aws).to.include({ region: "ap-south-2", drRegion: "ap-south-1" });
        expect(c.cloud === "aws" && c.aws.availabilityZones).to.deep.equal(["ap-south-2a", "ap-south-2b", "ap-south-2c"]);
    });

    it("accepts India's own punycode TLD", () => {
        expect(parseStackConfig(production({ "bookkeep:domain": "bookkeep.xn--h2brj9c" })).domain).to.equal("bookkeep.xn--h2brj9c");
    });

    const longDomain = `${"a".repeat(62)}.${"b".repeat(62)}.${"c".repeat(62)}.${"d".repeat(61)}.app`;
    // [what, stack file, overrides, exact line expected in the message, keys removed from the file]
    const bad: [string, string, Record<string, unknown>, string, string[]?][] = [
        ["an unknown cloud", "production", { "bookkeep:cloud": "azure" }, 'bookkeep:cloud: must be one of aws, gcp, local (got "azure")'],
        ["an AWS region outside India", "production", { "bookkeep:aws": { region: "us-east-1" } }, 'bookkeep:aws.region: must be one of ap-south-1, ap-south-2 (got "us-east-1")'],
        ["a GCP region outside India", "production-gcp", { "bookkeep:gcp": { region: "asia-southeast1" } }, 'bookkeep:gcp.region: must be one of asia-south1, asia-south2 (got "asia-southeast1")'],
        ["a DR region equal to the primary", "production", { "bookkeep:aws": { drRegion: "ap-south-1" } }, 'bookkeep:aws.drRegion: must be the other Indian region than bookkeep:aws.region ("ap-south-1") (got "ap-south-1")'],
        ["min replicas above max", "production", { "bookkeep:fleet": { minReplicas: 5, maxReplicas: 3 } }, "bookkeep:fleet.minReplicas: must not exceed bookkeep:fleet.maxReplicas (3) (got 5)"],
        ["zero nodes", "production", { "bookkeep:cluster": { nodeCount: 0 } }, "bookkeep:cluster.nodeCount: must be at least 1 (got 0)"],
        ["node count outside min..max", "production", { "bookkeep:cluster": { nodeCount: 12 } }, "bookkeep:cluster.nodeCount: must lie within bookkeep:cluster.minNodes (5)..bookkeep:cluster.maxNodes (10) (got 12)"],
        ["a malformed domain", "production", { "bookkeep:domain": "Book Keep.app" }, 'bookkeep:domain: must be a lowercase DNS domain such as bookkeep.app (punycode labels such as xn--h2brj9c allowed) (got "Book Keep.app")'],
        ["a domain too long for api.<domain>", "production", { "bookkeep:domain": longDomain }, "bookkeep:domain: must leave room for the names derived from it: api.<domain> must fit DNS's 253 characters (at most 249)"],
        ["a malformed email", "production", { "bookkeep:acmeEmail": "platform-at-bookkeep" }, 'bookkeep:acmeEmail: must be an email address (got "platform-at-bookkeep")'],
        ["a wrong type", "production", { "bookkeep:cluster": { nodeCount: "five" } }, 'bookkeep:cluster.nodeCount: must be a number (got "five")'],
        ["a misspelt setting", "production", { "bookkeep:database": { multiAZ: true } }, "bookkeep:database: unknown setting(s) multiAZ; allowed settings are highAvailability, allocatedStorageGb"],
        ["an unknown key", "production", { "bookkeep:regoin": "ap-south-1" }, "bookkeep:regoin: is not a known key; allowed keys are bookkeep:environment"],
        ["a typo'd namespace", "production", { "bokkeep:domain": "bookkeep.app" }, 'bokkeep:domain: is in an unknown namespace "bokkeep"; this program reads only bookkeep:<key>'],
        ["a provider key the program does not read", "production", { "aws:region": "us-east-1" }, "aws:region: is a provider setting the program does not read"],
        ["a non-object where settings belong", "production", { "bookkeep:cluster": "big" }, 'bookkeep:cluster: must be an object of settings (got "big")'],
        ["another cloud's section", "production", { "bookkeep:gcp": { project: "bookkeep-production" } }, "bookkeep:gcp: is not read when bookkeep:cloud is aws; remove it, or set bookkeep:cloud to gcp"],
        ["a cluster section on the local cloud", "development", { "bookkeep:cluster": { nodeCount: 3 } }, "bookkeep:cluster: is not read when bookkeep:cloud is local; remove it"],
        ["a development stack on a cloud", "development", { "bookkeep:cloud": "aws" }, 'bookkeep:cloud: must be local for the development environment (got "aws")'],
        ["the local cloud outside development", "production", { "bookkeep:cloud": "local" }, 'bookkeep:cloud: must be aws or gcp for bookkeep:environment ("production")', ["bookkeep:aws", "bookkeep:cluster", "bookkeep:edge"]],
        ["an unknown DDoS sensitivity", "production", { "bookkeep:edge": { ddosSensitivity: "high" } }, 'bookkeep:edge.ddosSensitivity: must be one of default, medium, low, eoff (got "high")'],
        ["a Cloudflare account id that is not one", "production", { "bookkeep:edge": { accountId: "nope" } }, 'bookkeep:edge.accountId: must be a Cloudflare account id (32 lowercase hex digits, dashboard > Account home > Account ID) (got "nope")'],
        ["production without the edge", "production-gcp", { "bookkeep:edge": { enabled: false } }, "bookkeep:edge.enabled: must be true in production: the WAF, DDoS protection and the India-only edge are production's front door (got false)"],
        ["production without Regional Services", "production", { "bookkeep:edge": { regionalServices: false } }, "bookkeep:edge.regionalServices: must be true in production: TLS termination and request processing must stay in India (Regional Services) (got false)"],
        ["Regional Services on a plan without them", "staging", { "bookkeep:edge": { plan: "business" } }, 'bookkeep:edge.plan: is "business", but Regional Services (regionalServices) is part of the Data Localization Suite, on the Enterprise plan only: set plan "enterprise" or regionalServices false (got "business")'],
        ["the Free zone plan", "staging", { "bookkeep:edge": { plan: "free", regionalServices: false } }, 'bookkeep:edge.plan: must be one of pro, business, enterprise (got "free")'],
        ["an edge region outside India", "staging", { "bookkeep:edge": { region: "eu" } }, 'bookkeep:edge.region: must be "in" (India): Regional Services may process BookKeep\'s requests nowhere else (got "eu")'],
        ["an edge section on the local cloud", "development", { "bookkeep:edge": { enabled: true } }, "bookkeep:edge: is not read when bookkeep:cloud is local; remove it"],
        ["a Route 53 parent zone with the edge on", "staging", { "bookkeep:aws": { parentZoneId: "Z0123456789ABCDEFGHIJ" } }, 'bookkeep:aws.parentZoneId: is set, but with bookkeep:edge.enabled (true) Cloudflare is authoritative for bookkeep:domain ("staging.bookkeep.app"); remove parentZoneId and delegate the domain to the Cloudflare zone\'s name servers (bootstrap step) (got "Z0123456789ABCDEFGHIJ")'],
        ["a host-bits CIDR", "production", { "bookkeep:aws": { vpcCidr: "10.10.0.1/16" } }, 'bookkeep:aws.vpcCidr: must be an IPv4 network in canonical CIDR form, such as 10.10.0.0/16 (no host bits, no leading zeros) (got "10.10.0.1/16")'],
        ["a CIDR with leading zeros", "production", { "bookkeep:aws": { vpcCidr: "010.010.000.000/16" } }, 'bookkeep:aws.vpcCidr: must be an IPv4 network in canonical CIDR form'],
        ["a VPC in public address space", "production", { "bookkeep:aws": { vpcCidr: "8.8.0.0/16" } }, 'bookkeep:aws.vpcCidr: must be RFC 1918 private space (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16) (got "8.8.0.0/16")'],
        ["overlapping GKE ranges", "production-gcp", { "bookkeep:gcp": { podsCidr: "10.10.128.0/17" } }, 'bookkeep:gcp.podsCidr: overlaps bookkeep:gcp.subnetCidr ("10.10.0.0/16"); the ranges must be disjoint (got "10.10.128.0/17")'],
        ["a GKE control plane that is not a /28", "production-gcp", { "bookkeep:gcp": { controlPlaneCidr: "172.16.0.0/27" } }, "bookkeep:gcp.controlPlaneCidr: must be a /28 (GKE's private control plane takes exactly 16 addresses)"],
        ["an AZ that does not exist", "production", { "bookkeep:aws": { availabilityZones: ["ap-south-1a", "ap-south-1b", "ap-south-1z"] } }, 'bookkeep:aws.availabilityZones.2: must be a zone of bookkeep:aws.region ("ap-south-1"): one of ap-south-1a, ap-south-1b, ap-south-1c (got "ap-south-1z")'],
        ["an AZ of another region", "production", { "bookkeep:aws": { availabilityZones: ["ap-south-1a", "ap-south-1b", "ap-south-2c"] } }, "bookkeep:aws.availabilityZones.2: must be a zone of bookkeep:aws.region"],
        ["a GCP zone that does not exist", "production-gcp", { "bookkeep:gcp": { zones: ["asia-south1-a", "asia-south1-b", "asia-south1-z"] } }, 'bookkeep:gcp.zones.2: must be a zone of bookkeep:gcp.region ("asia-south1"): one of asia-south1-a, asia-south1-b, asia-south1-c (got "asia-south1-z")'],
        ["two AZs only", "production", { "bookkeep:aws": { availabilityZones: ["ap-south-1a", "ap-south-1b"] } }, "bookkeep:aws.availabilityZones: must list exactly 3 item(s)"],
        ["a node instance type that does not exist", "production", { "bookkeep:aws": { nodeInstanceType: "foo.bar" } }, 'bookkeep:aws.nodeInstanceType: must be an EKS node instance type offered in both Indian regions, such as t3.large (the table in stacks/offerings.ts) (got "foo.bar")'],
        ["a database class that does not exist", "production", { "bookkeep:aws": { databaseInstanceClass: "db.foo.bar" } }, 'bookkeep:aws.databaseInstanceClass: must be an RDS PostgreSQL class with encryption at rest, such as db.r5.large (the table in stacks/offerings.ts) (got "db.foo.bar")'],
        ["a cache node type without in-transit encryption", "production", { "bookkeep:aws": { cacheNodeType: "cache.t1.micro" } }, 'bookkeep:aws.cacheNodeType: must be an ElastiCache node type with encryption in transit and at rest, such as cache.r6g.large (the table in stacks/offerings.ts) (got "cache.t1.micro")'],
        ["a GKE machine type that does not exist", "production-gcp", { "bookkeep:gcp": { nodeMachineType: "e2-giant-99" } }, 'bookkeep:gcp.nodeMachineType: must be a GKE node machine type offered in both Indian regions, such as e2-standard-2'],
        ["a Cloud SQL tier that does not exist", "production-gcp", { "bookkeep:gcp": { databaseTier: "db-custom-3-1000" } }, 'bookkeep:gcp.databaseTier: must be a Cloud SQL tier'],
        ["a shared-core Cloud SQL tier in production", "production-gcp", { "bookkeep:gcp": { databaseTier: "db-g1-small" } }, "bookkeep:gcp.databaseTier: must be a db-custom tier in production: shared-core tiers have no SLA"],
        ["backup retention past 35 days", "production", { "bookkeep:database": { backupRetentionDays: 90 } }, "bookkeep:database.backupRetentionDays: must be at most 35 (got 90)"],
        ["a negative count of hourly cache snapshots", "production", { "bookkeep:aws": { cacheHourlySnapshotsKept: -1 } }, "bookkeep:aws.cacheHourlySnapshotsKept: must be at least 0 (got -1)"],
        ["a log retention CloudWatch does not offer", "production", { "bookkeep:observability": { logRetentionDays: 100 } }, "bookkeep:observability.logRetentionDays: must be one of 7, 14"],
        ["an unsupported Kubernetes version", "production", { "bookkeep:cluster": { kubernetesVersion: "1.21" } }, 'bookkeep:cluster.kubernetesVersion: must be one of 1.34, 1.35, 1.36 (got "1.21")'],
        ["an empty API allowlist", "production", { "bookkeep:cluster": { apiAllowedCidrs: [] } }, "bookkeep:cluster.apiAllowedCidrs: must list at least 1 item(s)"],
        ["an API allowlist of the whole internet in halves", "production", { "bookkeep:cluster": { apiAllowedCidrs: ["0.0.0.0/1", "128.0.0.0/1"] } }, "bookkeep:cluster.apiAllowedCidrs: must admit at most 65536 public addresses all together (a /16)"],
        ["an API allowlist of many public pieces", "production", { "bookkeep:cluster": { apiAllowedCidrs: ["1.0.0.0/17", "1.0.128.0/17", "2.0.0.0/24"] } }, "bookkeep:cluster.apiAllowedCidrs: must admit at most 65536 public addresses"],
        ["more than 40 API ranges (EKS's limit)", "production", { "bookkeep:cluster": { apiAllowedCidrs: Array.from({ length: 41 }, (_, i) => `203.0.113.${i}/32`) } }, "bookkeep:cluster.apiAllowedCidrs: must list at most 40 item(s)"],
        ["an IPv6 API range (authorised networks take IPv4)", "production", { "bookkeep:cluster": { apiAllowedCidrs: ["2001:db8::/32"] } }, 'bookkeep:cluster.apiAllowedCidrs.0: must be an IPv4 network in canonical CIDR form'],
        ["a canary for an unknown service", "production", { "bookkeep:delivery": { progressive: false }, "bookkeep:fleet": { canaries: { billing: { tag: "v2", weight: 10 } } } }, "bookkeep:fleet.canaries.billing: is not a service in the catalog; known services are auth, bookkeeping, invoice, tax, customer, report"],
        ["a canary on latest", "production", { "bookkeep:fleet": { canaries: { auth: { tag: "latest", weight: 10 } } } }, "bookkeep:fleet.canaries.auth.tag: must name one build, such as v1.4.2 or a commit SHA; moving tags"],
        ["a canary weight above 50 %", "production", { "bookkeep:fleet": { canaries: { auth: { tag: "v1.1.0", weight: 80 } } } }, "bookkeep:fleet.canaries.auth.weight: must be 1-50 (percent) (got 80)"],
        ["a __proto__ key that would drop a canary", "production", { "bookkeep:fleet": JSON.parse('{"canaries": {"__proto__": {"tag": "v1.1.0", "weight": 10}}}') }, "bookkeep:fleet.canaries.__proto__: is not an allowed key"],
        ["a release on LATEST", "production", { "bookkeep:fleet": { releaseVersion: "LATEST" } }, 'bookkeep:fleet.releaseVersion: must name one build, such as v1.4.2 or a commit SHA; moving tags (latest, stable, main, master, edge, head, dev, develop, nightly, current, release, prod, production) are not allowed (got "LATEST")'],
        ["a release on stable", "production", { "bookkeep:fleet": { releaseVersion: "stable" } }, 'bookkeep:fleet.releaseVersion: must name one build'],
        ["a registry outside the allowlist", "production", { "bookkeep:fleet": { imageRegistry: "docker.io/evil" } }, 'bookkeep:fleet.imageRegistry: must be an allowed registry: ghcr.io/bookkeep, 123456789012.dkr.ecr.ap-south-1.amazonaws.com/bookkeep, asia-south1-docker.pkg.dev/<project>/bookkeep (got "docker.io/evil")'],
        ["a registry path that climbs out", "production", { "bookkeep:fleet": { imageRegistry: "ghcr.io/bookkeep/../evil" } }, "bookkeep:fleet.imageRegistry: must be an allowed registry"],
        ["an ECR registry outside India", "production", { "bookkeep:fleet": { imageRegistry: "123456789012.dkr.ecr.us-east-1.amazonaws.com/bookkeep" } }, "bookkeep:fleet.imageRegistry: must be an allowed registry"],
        ["a blank StorageClass", "development", { "bookkeep:local": { storageClass: " " } }, 'bookkeep:local.storageClass: must be a StorageClass name (a lowercase DNS subdomain) (got " ")'],
        ["a blank kubeconfig context", "development", { "bookkeep:local": { kubeconfigContext: "" } }, "bookkeep:local.kubeconfigContext: must be a non-blank name without surrounding spaces"],
        ["a bad GCP project id", "production-gcp", { "bookkeep:gcp": { project: "BookKeep" } }, 'bookkeep:gcp.project: must be a GCP project id (6-30 lowercase letters, digits, hyphens) (got "BookKeep")'],
    ];
    for (const [what, name, overrides, line, removed = []] of bad) {
        it(`rejects ${what}, naming the key, the value and the rule`, () => {
            const raw = stack(name, overrides);
            removed.forEach(k => delete raw[k]);
            const message = rejection(raw);
            expect(message).to.contain(`  - ${line}`);
            expect(message).not.to.match(zodPhrases);
        });
    }

    it("switching a stack's cloud means switching its section too", () => {
        const raw: Record<string, string> = { ...stack("staging"), "bookkeep:cloud": "gcp" };
        expect(rejection(raw)).to.contain("  - bookkeep:aws: is not read when bookkeep:cloud is gcp; remove it, or set bookkeep:cloud to aws");
        delete raw["bookkeep:aws"];
        expect(rejection(raw)).to.contain("  - bookkeep:gcp.project: is required");
    });

    it("names a missing GCP project in words, not zod's", () => {
        const raw = productionGcp();
        raw["bookkeep:gcp"] = JSON.stringify({ region: "asia-south1" });
        expect(rejection(raw)).to.contain("  - bookkeep:gcp.project: is required");
    });

    it("rejects an unknown environment, naming the allowed ones", () => {
        const message = rejection({ ...production(), "bookkeep:environment": "qa" });
        expect(message).to.contain('bookkeep:environment: must be one of development, staging, production (got "qa")');
    });

    it("rejects a missing environment", () => {
        const raw = production();
        delete raw["bookkeep:environment"];
        expect(rejection(raw)).to.contain("bookkeep:environment: must be one of development, staging, production (not set)");
    });

    it("requires the environment to match the stack it runs in", () => {
        expect(rejection(stack("staging"), { stack: "production" })).to.contain(
            'bookkeep:environment: must match the stack: stack "production" runs "staging"; name the stack staging or staging-<variant>, or change the environment');
        expect(() => parseStackConfig(stack("staging-gcp"), { stack: "staging-gcp" })).not.to.throw();
    });

    it("reports every problem at once", () => {
        const message = rejection(production({ "bookkeep:cluster": { nodeCount: 0 }, "bookkeep:fleet": { releaseVersion: "latest" } }));
        expect(message).to.contain("bookkeep:cluster.nodeCount");
        expect(message).to.contain("bookkeep:fleet.releaseVersion");
    });

    it("requires the settings that have no default", () => {
        const raw = production();
        delete raw["bookkeep:acmeEmail"];
        expect(rejection(raw)).to.contain("  - bookkeep:acmeEmail: must be an email address (not set)");
    });

    it("shortens a long value instead of echoing it whole", () => {
        const message = rejection(production({ "bookkeep:domain": "x".repeat(1_000_000) }));
        expect(message.length).to.be.below(1000);
        expect(message).to.contain("… (1000002 characters)");
    });
});

describe("production resilience guarantees", () => {
    const lowered: [string, Record<string, unknown>][] = [
        ["database.highAvailability", { "bookkeep:database": { highAvailability: false } }],
        ["database.deletionProtection", { "bookkeep:database": { deletionProtection: false } }],
        ["database.crossRegionBackups", { "bookkeep:database": { crossRegionBackups: false } }],
        ["cache.highAvailability", { "bookkeep:cache": { highAvailability: false } }],
        // Without Prometheus there is nothing to judge a canary on: progressive delivery goes too.
        ["observability.enabled", { "bookkeep:observability": { enabled: false }, "bookkeep:delivery": { progressive: false } }],
        ["aws.natGateways", { "bookkeep:aws": { natGateways: "single" } }],
        ["aws.cacheHourlySnapshotsKept", { "bookkeep:aws": { cacheHourlySnapshotsKept: 0 } }],
    ];

    it("covers every guarantee", () => {
        expect(lowered.map(([name]) => name)).to.deep.equal(resilienceGuarantees.map(g => g.name));
    });

    for (const [name, overrides] of lowered) {
        it(`refuses ${name} lowered without a reason, and takes it with one`, () => {
            expect(rejection(production(overrides))).to.contain(`  - bookkeep:${name}: lowers a production guarantee (`);
            expect(rejection(production(overrides))).to.contain(`keep the default, or set bookkeep:resilienceOverrides.${name} to the reason`);
            const reason = "load test environment, rebuilt nightly from snapshots";
            const c = parseStackConfig(production({ ...overrides, "bookkeep:resilienceOverrides": { [name]: reason } }));
            expect(resilienceOverridesInForce(c)).to.deep.equal([`${name} lowered: ${reason}`]);
        });
    }

    it("leaves staging free to run lean", () => {
        expect(() => parseStackConfig(stack("staging", { "bookkeep:database": { deletionProtection: false } }))).not.to.throw();
    });

    it("refuses an override without a real reason, for a guarantee kept, or for no guarantee at all", () => {
        expect(rejection(production({ "bookkeep:database": { highAvailability: false }, "bookkeep:resilienceOverrides": { "database.highAvailability": "cost" } })))
            .to.contain("bookkeep:resilienceOverrides.database.highAvailability: must give the reason in at least 20 characters");
        expect(rejection(production({ "bookkeep:resilienceOverrides": { "database.highAvailability": "we do not need a standby here at all" } })))
            .to.contain("bookkeep:resilienceOverrides.database.highAvailability: overrides nothing: the stack keeps this guarantee; remove the override");
        expect(rejection(production({ "bookkeep:resilienceOverrides": { "cluster.nodes": "we do not need a standby here at all" } })))
            .to.contain("bookkeep:resilienceOverrides.cluster.nodes: is not a resilience guarantee; known guarantees are database.highAvailability");
    });
});

describe("secret config values", () => {
    const marker = "s3cr3tmarker";
    // Secret keys of every shape (a string, an object, a number inside an object), each with a bad value
    // whose message would otherwise carry the secret: the value itself, or a cross-field reference to it.
    const cases: [string, Record<string, unknown>, string[], ParseOptions["stack"]?, string[]?][] = [
        ["a string", { "bookkeep:acmeEmail": `${marker}-not-an-email` }, ["bookkeep:acmeEmail"]],
        ["the environment", { "bookkeep:environment": `${marker}` }, ["bookkeep:environment"]],
        ["the environment against the stack", {}, ["bookkeep:environment"], "staging-x"],
        ["an object", { "bookkeep:aws": { vpcCidr: `10.${marker}` } }, ["bookkeep:aws"]],
        ["an object that is no object", { "bookkeep:aws": `${marker}` }, ["bookkeep:aws"]],
        ["a number", { "bookkeep:cluster": { nodeCount: 777, minNodes: 776, maxNodes: 775 } }, ["bookkeep:cluster"]],
        ["a number referred to by another key", { "bookkeep:fleet": { minReplicas: 3 }, "bookkeep:cluster": { maxNodes: 4 } }, ["bookkeep:cluster"]],
        ["a region referred to by another key", { "bookkeep:aws": { drRegion: "ap-south-1" } }, ["bookkeep:aws"], undefined, ["ap-south-1"]],
        ["a list", { "bookkeep:cluster": { apiAllowedCidrs: ["0.0.0.0/1", "128.0.0.0/1", `${marker}`] } }, ["bookkeep:cluster"]],
    ];
    for (const [what, overrides, secretKeys, stackName, extra = []] of cases) {
        it(`never echoes ${what}`, () => {
            const message = rejection(production(overrides), { secretKeys, stack: stackName });
            for (const secret of [marker, "777", "776", "775", "0.0.0.0/1", ...extra]) {
                expect(message).not.to.contain(secret);
            }
            expect(message).to.contain("[secret]");
        });
    }

    it("never echoes a secret referred to by a cross-field message of another key", () => {
        const raw = productionGcp({ "bookkeep:gcp": { podsCidr: "10.10.128.0/17" } });
        const message = rejection(raw, { secretKeys: ["bookkeep:gcp"] });
        expect(message).to.contain("bookkeep:gcp.podsCidr: overlaps bookkeep:gcp.subnetCidr ([secret]); the ranges must be disjoint (got [secret])");
        expect(message).not.to.contain("10.10.");
    });
});

describe("cidr helpers", () => {
    it("parses only network addresses", () => {
        expect(isCidr("10.10.0.0/16")).to.equal(true);
        expect(isCidr("10.10.0.1/16")).to.equal(false);
        expect(isCidr("10.256.0.0/16")).to.equal(false);
        expect(isCidr("10.10.0.0/33")).to.equal(false);
    });

    it("carves subnets like cidrsubnet", () => {
        expect(subnetCidr("10.10.0.0/16", 19, 0)).to.equal("10.10.0.0/19");
        expect(subnetCidr("10.10.0.0/16", 19, 2)).to.equal("10.10.64.0/19");
        expect(subnetCidr("10.10.0.0/16", 24, 255)).to.equal("10.10.255.0/24");
        expect(() => subnetCidr("10.10.0.0/16", 24, 256)).to.throw("holds 256 /24 blocks");
        expect(() => subnetCidr("10.10.0.0/16", 8, 0)).to.throw("cannot carve a /8");
    });

    it("accepts only the canonical way of writing a network", () => {
        expect(isCanonicalCidr("10.10.0.0/16")).to.equal(true);
        expect(isCanonicalCidr("010.010.000.000/16")).to.equal(false);
        expect(isCanonicalCidr("10.10.0.0/016")).to.equal(false);
    });

    it("counts public addresses once however a list splits or repeats them", () => {
        expect(publicAddressCount(["0.0.0.0/1", "128.0.0.0/1"])).to.be.above(3.5e9);
        expect(publicAddressCount(["1.2.3.0/24", "1.2.3.0/25"])).to.equal(256);
        expect(publicAddressCount(["10.0.0.0/8", "203.0.113.0/24"])).to.equal(0);
        expect(publicAddressCount(["1.0.0.0/17", "1.0.128.0/17"])).to.equal(65536);
    });

    it("knows Cloud SQL's custom machine shapes", () => {
        expect(isCloudSqlTier("db-custom-2-13312")).to.equal(true);
        expect(isCloudSqlTier("db-custom-1-3840")).to.equal(true);
        expect(isCloudSqlTier("db-custom-3-7680")).to.equal(false);
        expect(isCloudSqlTier("db-custom-2-14000")).to.equal(false);
        expect(isCloudSqlTier("db-custom-2-1024")).to.equal(false);
    });

    it("detects overlap and containment", () => {
        expect(cidrsOverlap("10.10.0.0/16", "10.10.128.0/17")).to.equal(true);
        expect(cidrsOverlap("10.10.0.0/16", "10.11.0.0/16")).to.equal(false);
        expect(cidrContains("10.10.0.0/16", "10.10.64.0/19")).to.equal(true);
        expect(cidrContains("10.10.0.0/16", "10.11.0.0/19")).to.equal(false);
    });
});

describe("stack and policy config files", () => {
    let root: string;
    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "bookkeep-config-"));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("rejects a stack file that is not YAML, naming the file", () => {
        fs.writeFileSync(path.join(root, "Pulumi.broken.yaml"), "config:\n  bookkeep:cloud: aws\n  bookkeep:cloud: gcp\n");
        expect(() => readStackFile("broken", {}, root)).to.throw("Pulumi.broken.yaml: is not valid YAML");
    });

    it("accepts the shipped policy configs and rejects levels and policies the CLI would not", () => {
        for (const environment of ["development", "staging", "production"]) {
            expect(() => readPackConfig(path.join(projectRoot(), "policies", "config", `${environment}.json`), pack)).not.to.throw();
        }
        const file = path.join(root, "policy.json");
        fs.writeFileSync(file, JSON.stringify({ all: "mandatory", "rds-final-snapshot": "warn", "no-such-policy": "advisory" }));
        expect(() => readPackConfig(file, pack)).to.throw(/rds-final-snapshot: must be one of advisory, mandatory, remediate, disabled \(got "warn"\)[\s\S]*no-such-policy: is not a policy of bookkeep-guardrails/);
        fs.writeFileSync(file, "{ not json");
        expect(() => readPackConfig(file, pack)).to.throw("is not valid JSON");
    });
});
