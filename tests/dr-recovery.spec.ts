/**
 * policies/recovery.ts: a production Memorystore that does not snapshot every hour cannot meet
 * the 1 h RPO. One broken property per case, next to the compliant fixture; exact messages.
 */
import { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import { memorystoreHourlySnapshotsProduction } from "../policies/recovery";
import { plan } from "./harness";

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::bookkeep::${type}::${name}`;

function memorystore(props: Record<string, unknown>, stack = "production"): string[] {
    const reports: string[] = [];
    const type = "gcp:redis/instance:Instance";
    const args = { type, props, name: "redis", urn: urn(stack, type, "redis"), opts: {}, notApplicable: () => undefined } as unknown as ResourceValidationArgs;
    void (memorystoreHourlySnapshotsProduction.validateResource as ResourceValidation)(args, m => reports.push(m));
    return reports;
}

describe("dr: production settings that cannot meet RPO 1 h are refused", () => {
    it("Memorystore: hourly RDB snapshots pass; a longer period or none is refused in production only", () => {
        expect(memorystore({ persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" } })).to.deep.equal([]);
        expect(memorystore({ persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "SIX_HOURS" } })).to.deep.equal([
            "Memorystore snapshots every SIX_HOURS, which cannot meet the 1 h RPO; set persistenceConfig.rdbSnapshotPeriod to ONE_HOUR.",
        ]);
        expect(memorystore({ persistenceConfig: { persistenceMode: "RDB" } })).to.deep.equal([
            "Memorystore snapshots every (unset), which cannot meet the 1 h RPO; set persistenceConfig.rdbSnapshotPeriod to ONE_HOUR.",
        ]);
        expect(memorystore({ persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "SIX_HOURS" } }, "staging")).to.deep.equal([]);
        // No RDB at all is the cache-snapshots policy's to refuse, once.
        expect(memorystore({ persistenceConfig: { persistenceMode: "DISABLED" } })).to.deep.equal([]);
    });

    it("passes the production plan on GCP", async () => {
        const p = await plan("production", "gcp");
        expect(p.plan.policies.evaluated.map(e => e.name)).to.include("memorystore-hourly-snapshots-production");
        expect(p.policies.violations.filter(v => v.policy === "memorystore-hourly-snapshots-production")).to.deep.equal([]);
    });
});
