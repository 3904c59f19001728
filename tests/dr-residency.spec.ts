/**
 * Issue 21: the GCP backups survive the loss of asia-south1 in an India-only dual-region bucket,
 * and the residency policy admits exactly that dual-region (one broken property per case).
 */
import { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import { gcsBucketSingleRegionIndia } from "../policies/residency";
import { ofType, plan } from "./harness";

function check(props: Record<string, unknown>): string[] {
    const reports: string[] = [];
    const type = "gcp:storage/bucket:Bucket";
    const args = { type, props, name: "b", urn: `urn:pulumi:production::bookkeep::${type}::b`, opts: {}, notApplicable: () => undefined } as unknown as ResourceValidationArgs;
    void (gcsBucketSingleRegionIndia.validateResource as ResourceValidation)(args, m => reports.push(m));
    return reports;
}

describe("dr: India-only dual-region backups on GCP", () => {
    it("keeps the backups in a custom dual-region of asia-south1 + asia-south2, and the old single-region bucket retained", async () => {
        const p = await plan("production", "gcp");
        const buckets = ofType(p.evaluation.resources, "gcp:storage/bucket:Bucket");
        const byName = Object.fromEntries(buckets.map(b => [String(b.inputs.name), b]));
        expect(Object.keys(byName).sort()).to.deep.equal(["bookkeep-production-assets", "bookkeep-production-backups", "bookkeep-production-backups-in", "bookkeep-production-documents", "bookkeep-production-traces"]);
        const dual = byName["bookkeep-production-backups-in"]!;
        expect(dual.inputs).to.deep.include({ location: "ASIA", customPlacementConfig: { dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTH2"] }, versioning: { enabled: true } });
        expect(dual.protect).to.equal(true);
        const legacy = byName["bookkeep-production-backups"]!;
        expect([legacy.inputs.location, legacy.protect, legacy.retainOnDelete, dual.retainOnDelete]).to.deep.equal(["ASIA-SOUTH1", true, true, false]);
        expect(p.plan.outputs.backupsBucket).to.equal("bookkeep-production-backups-in");
        expect(p.exitCode).to.equal(0);
    });

    const india = { location: "ASIA", customPlacementConfig: { dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTH2"] } };
    it("admits a single Indian region and the India-only dual-region, in any order or case", () => {
        expect(check({ location: "ASIA-SOUTH1" })).to.deep.equal([]);
        expect(check({ location: "asia-south2" })).to.deep.equal([]);
        expect(check(india)).to.deep.equal([]);
        expect(check({ location: "asia", customPlacementConfig: { dataLocations: ["asia-south2", "asia-south1"] } })).to.deep.equal([]);
    });

    it("refuses a dual-region with a region outside India", () => {
        expect(check({ ...india, customPlacementConfig: { dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTHEAST1"] } })).to.deep.equal([
            "Bucket is a dual-region of [ASIA-SOUTH1, ASIA-SOUTHEAST1]; the only dual-region inside India is [ASIA-SOUTH1, ASIA-SOUTH2]: use it or a single Indian region.",
        ]);
    });

    it("refuses a dual-region naming one Indian region twice, or a third region", () => {
        expect(check({ ...india, customPlacementConfig: { dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTH1"] } })).to.have.length(1);
        expect(check({ ...india, customPlacementConfig: { dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTH2", "ASIA-EAST1"] } })).to.have.length(1);
    });

    it("refuses the Indian pair under another continent's code, and ASIA without a placement (the multi-region)", () => {
        expect(check({ ...india, location: "EU" })[0]).to.match(/^Bucket location is "EU"; set location to ASIA-SOUTH1 or ASIA-SOUTH2, or to ASIA with customPlacementConfig.dataLocations \[ASIA-SOUTH1, ASIA-SOUTH2\]/);
        expect(check({ location: "ASIA" })).to.have.length(1);
        expect(check({ location: "ASIA1" })).to.have.length(1);
    });

    it("refuses a placement on a single region", () => {
        expect(check({ location: "ASIA-SOUTH1", customPlacementConfig: { dataLocations: ["ASIA-SOUTH1-A"] } })).to.deep.equal([
            "Bucket sets customPlacementConfig on a single region; remove it (the India-only dual-region is location ASIA with both Indian regions).",
        ]);
    });
});
