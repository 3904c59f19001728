/**
 * policies/recovery.ts: a production Memorystore that does not snapshot every hour cannot meet
 * the 1 h RPO. The rule's own cases are in
 * tests/policies-units-recovery.spec.ts; here, the planned GCP production stack passes it.
 */
import { expect } from "chai";
import { plan } from "./harness";

describe("dr: production settings that cannot meet RPO 1 h are refused", () => {
    it("passes the production plan on GCP", async () => {
        const p = await plan("production", "gcp");
        expect(p.plan.policies.evaluated.map(e => e.name)).to.include("memorystore-hourly-snapshots-production");
        expect(p.policies.violations.filter(v => v.policy === "memorystore-hourly-snapshots-production")).to.deep.equal([]);
    });
});
