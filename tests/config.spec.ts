import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { pack } from "../policies/pack";
import { projectRoot } from "../offline/engine";
import { readPackConfig } from "../offline/policyRunner";
import { readStackFile, stackNames } from "../offline/stackFile";
import { parseStackConfig } from "../stacks/load";
import { subnetCidr, cidrsOverlap, cidrContains, isCidr } from "../stacks/cidr";

/** The production stack file's config with `overrides` merged over it (objects deep-merged). */
function production(overrides: Record<string, unknown> = {}): Record<string, string> {
    return readStackFile("production", overrides).config;
}

/** Parses and returns the error message; fails if the config is accepted. */
function rejection(raw: Record<string, string>): string {
    try {
        parseStackConfig(raw);
    } catch (err) {
        expect((err as Error).constructor.name).to.equal("InputPropertiesError");
        return (err as Error).message;
    }
    throw new Error("config was accepted");
}

describe("stack config", () => {
    it("ships the three stacks", () => {
        expect(stackNames()).to.deep.equal(["development", "production", "staging"]);
    });

    it("disables default providers in every stack file, so each resource takes an explicit one", () => {
        for (const stack of stackNames()) {
            expect(JSON.parse(readStackFile(stack).config["pulumi:disable-default-providers"]), stack).to.deep.equal(["*"]);
        }
    });

    it("applies the seed's environment matrix to production", () => {
        const c = parseStackConfig(production());
        expect(c.environment).to.equal("production");
        expect(c.cloud).to.equal("aws");
        expect(c.cluster).to.include({ nodeCount: 5, awsInstanceType: "t3.large", gcpMachineType: "e2-standard-2" });
        expect(c.database).to.include({ awsInstanceClass: "db.r5.large", highAvailability: true, deletionProtection: true, gcpTier: "db-custom-2-13312" });
        expect(c.fleet).to.include({ minReplicas: 2, maxReplicas: 10 });
        expect(c.network.natGateways).to.equal("perAz");
        expect(c.cluster.kubernetesVersion).to.equal("1.35");
        expect(c.aws.region).to.equal("ap-south-1");
        expect(c.gcp).to.include({ project: "bookkeep-production", region: "asia-south1" });
    });

    it("applies the seed's environment matrix to staging", () => {
        const c = parseStackConfig(readStackFile("staging").config);
        expect(c.cluster).to.include({ nodeCount: 2, awsInstanceType: "t3.medium", gcpMachineType: "e2-medium" });
        expect(c.database).to.include({ awsInstanceClass: "db.t3.small", highAvailability: false, gcpTier: "db-g1-small" });
        expect(c.fleet).to.include({ minReplicas: 1, maxReplicas: 2 });
        expect(c.network.natGateways).to.equal("single");
    });

    it("gives development a local cluster, single replicas and no observability stack", () => {
        const c = parseStackConfig(readStackFile("development").config);
        expect(c.cloud).to.equal("local");
        expect(c.fleet).to.include({ minReplicas: 1, maxReplicas: 1, compactResources: true });
        expect(c.observability.enabled).to.equal(false);
    });

    it("switches cloud with one key", () => {
        const c = parseStackConfig(production({ "bookkeep:cloud": "gcp" }));
        expect(c.cloud).to.equal("gcp");
        expect(c.gcp.project).to.equal("bookkeep-production");
    });

    const bad: [string, Record<string, unknown>, string[]][] = [
        ["an unknown cloud", { "bookkeep:cloud": "azure" }, ["bookkeep:cloud", '"azure"', '"aws"', '"gcp"']],
        ["an AWS region outside India", { "bookkeep:aws": { region: "us-east-1" } }, ["bookkeep:aws.region", '"us-east-1"', "ap-south-1"]],
        ["a GCP region outside India", { "bookkeep:gcp": { region: "asia-southeast1" } }, ["bookkeep:gcp.region", '"asia-southeast1"', "asia-south1"]],
        ["a DR region equal to the primary", { "bookkeep:aws": { drRegion: "ap-south-1" } }, ["bookkeep:aws.drRegion", "other Indian region"]],
        ["min replicas above max", { "bookkeep:fleet": { minReplicas: 5, maxReplicas: 3 } }, ["bookkeep:fleet.minReplicas", "must not exceed fleet.maxReplicas (3)"]],
        ["zero nodes", { "bookkeep:cluster": { nodeCount: 0 } }, ["bookkeep:cluster.nodeCount", "(got 0)"]],
        ["node count outside min..max", { "bookkeep:cluster": { nodeCount: 12 } }, ["bookkeep:cluster.nodeCount", "minNodes..maxNodes (5..10)"]],
        ["a malformed domain", { "bookkeep:domain": "Book Keep.app" }, ["bookkeep:domain", '"Book Keep.app"', "bookkeep.app"]],
        ["a malformed email", { "bookkeep:acmeEmail": "platform-at-bookkeep" }, ["bookkeep:acmeEmail", "email"]],
        ["a wrong type", { "bookkeep:cluster": { nodeCount: "five" } }, ["bookkeep:cluster.nodeCount", '"five"', "number"]],
        ["a misspelt setting", { "bookkeep:database": { multiAZ: true } }, ["bookkeep:database", "multiAZ"]],
        ["an unknown key", { "bookkeep:regoin": "ap-south-1" }, ["bookkeep:regoin", "is not a known key", "bookkeep:cloud"]],
        ["a non-object where settings belong", { "bookkeep:cluster": "big" }, ["bookkeep:cluster", "must be an object"]],
        ["a bad CIDR", { "bookkeep:network": { vpcCidr: "10.10.0.1/16" } }, ["bookkeep:network.vpcCidr", '"10.10.0.1/16"', "CIDR"]],
        ["overlapping CIDRs", { "bookkeep:network": { podsCidr: "10.10.128.0/17" } }, ["bookkeep:network.podsCidr", "overlaps network.vpcCidr"]],
        ["an AZ of another region", { "bookkeep:aws": { availabilityZones: ["ap-south-1a", "ap-south-1b", "ap-south-2c"] } }, ["bookkeep:aws.availabilityZones.2", "ap-south-1"]],
        ["two AZs only", { "bookkeep:aws": { availabilityZones: ["ap-south-1a", "ap-south-1b"] } }, ["bookkeep:aws.availabilityZones", "3"]],
        ["backup retention past 35 days", { "bookkeep:database": { backupRetentionDays: 90 } }, ["bookkeep:database.backupRetentionDays", "(got 90)"]],
        ["a negative count of hourly cache snapshots", { "bookkeep:cache": { hourlySnapshotsKept: -1 } }, ["bookkeep:cache.hourlySnapshotsKept", "(got -1)"]],
        ["a log retention CloudWatch does not offer", { "bookkeep:observability": { logRetentionDays: 100 } }, ["bookkeep:observability.logRetentionDays", "must be one of 7, 14"]],
        ["an unsupported Kubernetes version", { "bookkeep:cluster": { kubernetesVersion: "1.21" } }, ["bookkeep:cluster.kubernetesVersion", '"1.21"', '"1.35"']],
        ["an empty API allowlist", { "bookkeep:cluster": { apiAllowedCidrs: [] } }, ["bookkeep:cluster.apiAllowedCidrs"]],
        ["the local cloud outside development", { "bookkeep:cloud": "local" }, ["bookkeep:cloud", "only for the development environment"]],
        ["a canary for an unknown service", { "bookkeep:fleet": { canaries: { billing: { tag: "v2", weight: 10 } } } }, ["bookkeep:fleet.canaries.billing", "not a service in the catalog", "auth"]],
        ["a canary on latest", { "bookkeep:fleet": { canaries: { auth: { tag: "latest", weight: 10 } } } }, ["bookkeep:fleet.canaries.auth.tag", "'latest' is not allowed"]],
        ["a canary weight above 50 %", { "bookkeep:fleet": { canaries: { auth: { tag: "v1.1.0", weight: 80 } } } }, ["bookkeep:fleet.canaries.auth.weight", "(got 80)"]],
        ["a bad GCP project id", { "bookkeep:gcp": { project: "BookKeep" } }, ["bookkeep:gcp.project", '"BookKeep"', "project id"]],
    ];
    for (const [what, overrides, fragments] of bad) {
        it(`rejects ${what}`, () => {
            const message = rejection(production(overrides));
            for (const f of fragments) {
                expect(message).to.contain(f);
            }
        });
    }

    it("rejects an unknown environment, naming the allowed ones", () => {
        const message = rejection({ ...production(), "bookkeep:environment": "qa" });
        expect(message).to.contain("bookkeep:environment: must be one of development, staging, production (got \"qa\")");
    });

    it("rejects a missing environment", () => {
        const raw = production();
        delete raw["bookkeep:environment"];
        expect(rejection(raw)).to.contain("bookkeep:environment: must be one of development, staging, production (got null)");
    });

    it("reports every problem at once", () => {
        const message = rejection(production({ "bookkeep:cloud": "azure", "bookkeep:cluster": { nodeCount: 0 } }));
        expect(message).to.contain("bookkeep:cloud");
        expect(message).to.contain("bookkeep:cluster.nodeCount");
    });

    it("requires the settings that have no default", () => {
        const raw = production();
        delete raw["bookkeep:acmeEmail"];
        expect(rejection(raw)).to.contain("bookkeep:acmeEmail");
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

    it("never echoes a secret config value, even a wrong one", () => {
        const raw = { ...production(), "bookkeep:acmeEmail": "not-an-email-but-secret" };
        try {
            parseStackConfig(raw, ["bookkeep:acmeEmail"]);
            expect.fail("accepted");
        } catch (err) {
            expect((err as Error).message).to.contain("bookkeep:acmeEmail: must be an email address (got [secret])");
            expect((err as Error).message).not.to.contain("not-an-email-but-secret");
        }
    });

    it("accepts the shipped policy configs and rejects levels and policies the CLI would not", () => {
        for (const stack of stackNames()) {
            expect(() => readPackConfig(path.join(projectRoot(), "policies", "config", `${stack}.json`), pack)).not.to.throw();
        }
        const file = path.join(root, "policy.json");
        fs.writeFileSync(file, JSON.stringify({ all: "mandatory", "rds-final-snapshot": "warn", "no-such-policy": "advisory" }));
        expect(() => readPackConfig(file, pack)).to.throw(/rds-final-snapshot: must be one of advisory, mandatory, remediate, disabled \(got "warn"\)[\s\S]*no-such-policy: is not a policy of bookkeep-guardrails/);
        fs.writeFileSync(file, "{ not json");
        expect(() => readPackConfig(file, pack)).to.throw("is not valid JSON");
    });
});
