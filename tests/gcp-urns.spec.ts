/**
 * Renames must not replace deployed resources: every URN the GCP foundation had (recorded from the
 * production-gcp plan before the Args were narrowed, tests/fixtures) is still registered, or is the
 * old URN of a renamed component that carries it as an alias.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "../components/gcp/sdk";
import { GcsBuckets } from "../components/gcp/storage";
import { gcpConfig } from "./configs";
import { plan, run } from "./harness";

/** Resources the foundation gained since the recorded URNs (issue 16), by name. */
const added = [
    "bookkeep-gcp-apis-iamcredentials", "bookkeep-gcp-apis-sts",
    // Issue 21: the backups moved to an India-only dual-region bucket; the old one is kept.
    "bookkeep-gcp-buckets-backups-in",
    "bookkeep-gcp-command",
    "bookkeep-gcp-network-psa-peering-cleanup",
    "bookkeep-gcp-kms-disks", "bookkeep-gcp-gke-disk-key", "bookkeep-gcp-gke-premium-rwo-cmek",
    "bookkeep-gcp-logging-bucket-suffix", "bookkeep-gcp-logging-default-sink-release",
    // Elasticsearch's snapshot identity (issue 22).
    "bookkeep-gcp-identity-elasticsearch", "bookkeep-gcp-identity-elasticsearch-wi",
    "bookkeep-gcp-identity-elasticsearch-snapshots", "bookkeep-gcp-identity-elasticsearch-bucket",
    // Issue 21: Velero's service account, its Workload Identity binding, bucket grant and signBlob grant.
    "bookkeep-gcp-identity-velero", "bookkeep-gcp-identity-velero-wi", "bookkeep-gcp-identity-velero-objects", "bookkeep-gcp-identity-velero-sign",
    // Issue 22: Tempo's traces bucket, its service account, Workload Identity binding and bucket grant.
    "bookkeep-gcp-buckets-traces",
    "bookkeep-gcp-identity-tempo", "bookkeep-gcp-identity-tempo-wi", "bookkeep-gcp-identity-tempo-objects", "bookkeep-gcp-identity-tempo-bucket",
];
/** Type tokens renamed to match their class: old to new. */
const renamedTypes: Record<string, string> = { "bookkeep:gcp:Buckets": "bookkeep:gcp:GcsBuckets" };

const recorded: string[] = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "tests", "fixtures", "gcp-production-urns.json"), "utf8"));

describe("gcp foundation URNs", () => {
    it("keeps every recorded URN, apart from renamed type tokens, and adds only the new resources", async () => {
        const current = (await plan("production", "gcp")).plan.resources.map(r => r.urn).filter(u => u.includes("bookkeep:gcp:Foundation"));
        const asBefore = (urn: string) => Object.entries(renamedTypes).reduce((u, [old, now]) => u.split(`$${now}$`).join(`$${old}$`).split(`$${now}::`).join(`$${old}::`), urn);
        const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
        expect(recorded.length).to.equal(97);
        expect(current.filter(u => !recorded.includes(asBefore(u))).map(nameOf).sort()).to.deep.equal([...added].sort());
        expect(recorded.filter(u => !current.map(asBefore).includes(u))).to.deep.equal([]);
        const renamed = current.filter(u => asBefore(u) !== u);
        // The component itself, its five buckets (issue 21 added the dual-region one, issue 22 the traces one) and its key grant.
        expect(renamed.length).to.equal(7);
    });

    it("registers GcsBuckets under its class name, aliased to the old token (children inherit the alias)", async () => {
        let aliases: pulumi.Output<string>[] = [];
        let urn: pulumi.Output<string> | undefined;
        const ev = await run(() => {
            const config = gcpConfig("production");
            const provider = new gcp.Provider("p", { project: config.gcp.project, region: config.gcp.region });
            const key = new gcp.kms.CryptoKey("k", { keyRing: "projects/p/locations/asia-south1/keyRings/r" }, { provider });
            const buckets = new GcsBuckets("b", {
                project: config.gcp.project, region: config.gcp.region, environment: config.environment,
                provider, key, storageAgent: "serviceAccount:storage-agent",
            });
            aliases = (buckets as unknown as { __aliases: pulumi.Output<string>[] }).__aliases;
            urn = buckets.urn;
            return { aliases: pulumi.all(aliases), urn };
        });
        expect(ev.outputs.urn).to.match(/::bookkeep:gcp:GcsBuckets::b$/);
        expect(ev.outputs.aliases).to.deep.equal([String(ev.outputs.urn).replace("::bookkeep:gcp:GcsBuckets::b", "::bookkeep:gcp:Buckets::b")]);
    });
});
