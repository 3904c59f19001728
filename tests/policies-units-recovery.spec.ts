/**
 * policies/recovery.ts: a production Memorystore that does not snapshot every hour cannot meet
 * the 1 h RPO. One broken property per case, next to the compliant fixture; exact messages.
 */
import { ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import { memorystoreHourlySnapshotsProduction } from "../policies/recovery";

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::bookkeep::${type}::${name}`;

function memorystore(props: Record<string, unknown>, stack = "production", type = "gcp:redis/instance:Instance"): string[] {
    const reports: string[] = [];
    const args = { type, props, name: "redis", urn: urn(stack, type, "redis"), opts: {}, notApplicable: () => undefined } as unknown as ResourceValidationArgs;
    void (memorystoreHourlySnapshotsProduction.validateResource as ResourceValidation)(args, m => reports.push(m));
    return reports;
}

describe("policy units: memorystore-hourly-snapshots-production", () => {
    it("passes hourly RDB snapshots; refuses a longer period or none, in production only", () => {
        expect(memorystore({ persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" } })).to.deep.equal([]);
        expect(memorystore({ persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "SIX_HOURS" } })).to.deep.equal([
            "Memorystore snapshots every SIX_HOURS, which cannot meet the 1 h RPO; set persistenceConfig.rdbSnapshotPeriod to ONE_HOUR.",
        ]);
        expect(memorystore({ persistenceConfig: { persistenceMode: "RDB" } })).to.deep.equal([
            "Memorystore snapshots every (unset), which cannot meet the 1 h RPO; set persistenceConfig.rdbSnapshotPeriod to ONE_HOUR.",
        ]);
        expect(memorystore({ persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "SIX_HOURS" } }, "staging")).to.deep.equal([]);
    });

    it("leaves an instance without RDB persistence to the cache-snapshots policy (it refuses it once)", () => {
        expect(memorystore({ persistenceConfig: { persistenceMode: "DISABLED" } })).to.deep.equal([]);
        expect(memorystore({})).to.deep.equal([]);
    });

    it("judges only Memorystore instances", () => {
        const sixHours = { persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "SIX_HOURS" } };
        expect(memorystore(sixHours, "production", "gcp:redis/cluster:Cluster")).to.deep.equal([]);
    });
});
