/** `--summary` states RPO and RTO per layer from the plan's own settings (issue 21). */
import { expect } from "chai";
import { markdownSummary } from "../offline/report";
import { meetsRequiredRpo, recoveryLayers } from "../offline/recovery";
import { plan } from "./harness";

describe("dr: RPO/RTO per layer in the summary", () => {
    it("production on AWS: PITR 5 min, hourly cache snapshots, replicated documents; RPO met", async () => {
        const p = await plan("production", "aws");
        const layers = recoveryLayers(p.evaluation.resources);
        expect(layers.map(l => [l.layer, l.rpoMinutes])).to.deep.equal([["database", 5], ["dumps", 1440], ["cache", 60], ["objects", 0], ["cluster", 1440]]);
        expect(layers[0]!.what).to.equal("RDS PITR, 14 d, backups copied to the second region");
        expect(layers[3]!.what).to.match(/documents replicated to the second region$/);
        expect(layers[4]!.what).to.equal("this program (pulumi up) + Velero velero-daily-platform, velero-weekly-full");
        const md = markdownSummary(p.plan, p.evaluation);
        expect(md).to.contain("Recovery (required RPO 1 h, RTO 4 h): RPO met by the database and cache");
        expect(md).to.contain("| database | RDS PITR, 14 d, backups copied to the second region | 5 min | ~1 h 30 min (restore into the stack) |");
    });

    it("production on GCP: Cloud SQL PITR, hourly Memorystore RDB, dual-region backups", async () => {
        const layers = recoveryLayers((await plan("production", "gcp")).evaluation.resources);
        expect(layers.map(l => [l.layer, l.rpoMinutes])).to.deep.equal([["database", 5], ["dumps", 1440], ["cache", 60], ["objects", 0], ["cluster", 1440]]);
        expect(layers[3]!.what).to.match(/backups in the India-only dual-region$/);
    });

    it("says RPO not met when the cache is snapshotted once a day (hourly snapshots overridden)", async () => {
        const p = await plan("production", "aws", {
            "bookkeep:aws": { cacheHourlySnapshotsKept: 0 },
            "bookkeep:resilienceOverrides": { "aws.cacheHourlySnapshotsKept": "rehearsing the summary that reports this" },
        });
        const layers = recoveryLayers(p.evaluation.resources);
        expect(layers.find(l => l.layer === "cache")).to.deep.include({ what: "ElastiCache daily snapshot", rpoMinutes: 1440 });
        expect(meetsRequiredRpo(layers)).to.equal(false);
        expect(markdownSummary(p.plan, p.evaluation)).to.contain("RPO **not met** by the database and cache");
    });
});
