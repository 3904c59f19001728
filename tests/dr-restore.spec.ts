/**
 * `bookkeep:database.restore` (issue 21): the restored instance becomes the stack's database (the
 * services' connection secret points at it), under a new name, while the instance it came from
 * stays in the stack unchanged, protected and retained on delete.
 */
import { expect } from "chai";
import { RecordedResource } from "../offline/engine";
import { PlanResult } from "../offline/plan";
import { expectInputError, ofType, plan, reveal } from "./harness";

const pitr = { id: "r20261205", from: "pointInTime", sourceInstance: "bookkeep-production-postgres", time: "2026-12-05T03:15:00Z" };
const meta = (r: RecordedResource) => r.inputs.metadata as { name: string; namespace?: string };

function appSecretUrl(p: PlanResult): string {
    const secret = p.evaluation.resources.find(r => r.type === "kubernetes:core/v1:Secret" && meta(r).name === "bookkeeping-secrets");
    expect(secret, "bookkeeping-secrets").to.not.equal(undefined);
    return String((reveal(secret!.inputs.stringData) as Record<string, string>)["database-url"]);
}

describe("dr: restore the database into the stack", function () {
    describe("AWS production, point in time", () => {
        let p: PlanResult;
        let instances: RecordedResource[];
        before(async () => {
            p = await plan("production", "aws", { "bookkeep:database": { restore: pitr } });
            instances = ofType(p.evaluation.resources, "aws:rds/instance:Instance");
        });

        it("plans clean", () => {
            expect(p.policies.violations.filter(v => v.enforcementLevel === "mandatory")).to.deep.equal([]);
            expect(p.exitCode).to.equal(0);
        });

        it("keeps the original instance unchanged, protected and retained on delete, beside the restore", () => {
            expect(instances.map(i => i.name).sort()).to.deep.equal(["bookkeep-aws-database-postgres", "bookkeep-aws-database-postgres-r20261205"]);
            const original = instances.find(i => i.name === "bookkeep-aws-database-postgres")!;
            expect(original.inputs).to.include({ identifier: "bookkeep-production-postgres", dbName: "bookkeep", username: "bookkeep" });
            expect(original.inputs.restoreToPointInTime).to.equal(undefined);
            expect([original.protect, original.retainOnDelete]).to.deep.equal([true, true]);
        });

        it("restores to the point in time under a new identifier, with the stack's settings and no dbName/username", () => {
            const restored = instances.find(i => i.name.endsWith("-r20261205"))!;
            expect(restored.inputs).to.include({ identifier: "bookkeep-production-postgres-r20261205", multiAz: true, deletionProtection: true, storageEncrypted: true, backupRetentionPeriod: 14 });
            expect(restored.inputs.restoreToPointInTime).to.deep.equal({ sourceDbInstanceIdentifier: "bookkeep-production-postgres", restoreTime: "2026-12-05T03:15:00Z" });
            expect([restored.inputs.dbName, restored.inputs.username]).to.deep.equal([undefined, undefined]);
            expect([restored.protect, restored.retainOnDelete]).to.deep.equal([true, false]);
        });

        it("points the services' connection secret and the stack output at the restored instance", () => {
            expect(appSecretUrl(p)).to.match(/@bookkeep-production-postgres-r20261205\.c1a2b3c4d5e6\.ap-south-1\.rds\.amazonaws\.com:5432\/bookkeep\?sslmode=require$/);
            expect(reveal(p.evaluation.outputs.postgresHost)).to.equal("bookkeep-production-postgres-r20261205.c1a2b3c4d5e6.ap-south-1.rds.amazonaws.com");
        });

        it("copies the restored instance's backups to ap-south-2 too, and keeps copying the original's", () => {
            const copies = ofType(p.evaluation.resources, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication");
            expect(copies.map(c => [c.name, c.retainOnDelete]).sort()).to.deep.equal([
                ["bookkeep-aws-database-backups-dr", true],
                ["bookkeep-aws-database-backups-dr-r20261205", false],
            ]);
            const logs = ofType(p.evaluation.resources, "aws:cloudwatch/logGroup:LogGroup").map(l => String(l.inputs.name)).filter(n => n.startsWith("/aws/rds/"));
            expect(logs.sort()).to.deep.equal([
                "/aws/rds/instance/bookkeep-production-postgres-r20261205/postgresql",
                "/aws/rds/instance/bookkeep-production-postgres-r20261205/upgrade",
                "/aws/rds/instance/bookkeep-production-postgres/postgresql",
                "/aws/rds/instance/bookkeep-production-postgres/upgrade",
            ]);
        });
    });

    it("AWS: a snapshot restore names the snapshot, and a released original leaves the stack", async () => {
        const p = await plan("staging", "aws", { "bookkeep:database": { restore: { id: "s1", from: "snapshot", snapshotId: "rds:bookkeep-staging-postgres-2026-12-04-18-30", original: "release" } } });
        const instances = ofType(p.evaluation.resources, "aws:rds/instance:Instance");
        expect(instances.map(i => i.inputs.identifier)).to.deep.equal(["bookkeep-staging-postgres-s1"]);
        expect(instances[0]!.inputs.snapshotIdentifier).to.equal("rds:bookkeep-staging-postgres-2026-12-04-18-30");
        expect(appSecretUrl(p)).to.contain("@bookkeep-staging-postgres-s1.");
    });

    describe("GCP production, point in time (a clone)", () => {
        let p: PlanResult;
        before(async () => {
            p = await plan("production", "gcp", { "bookkeep:database": { restore: { ...pitr, sourceInstance: "production-foundation-sql-1a2b3c4" } } });
        });

        it("plans clean", () => {
            expect(p.exitCode).to.equal(0);
        });

        it("clones on the private services range under a new name; the original stays protected and retained, with its database and user", () => {
            const instances = ofType(p.evaluation.resources, "gcp:sql/databaseInstance:DatabaseInstance");
            expect(instances.map(i => [i.name, i.protect, i.retainOnDelete]).sort()).to.deep.equal([
                ["bookkeep-gcp-sql", true, true],
                ["bookkeep-gcp-sql-r20261205", true, false],
            ]);
            const clone = instances.find(i => i.name.endsWith("-r20261205"))!;
            expect(clone.inputs.clone).to.deep.include({ sourceInstanceName: "production-foundation-sql-1a2b3c4", pointInTime: "2026-12-05T03:15:00Z" });
            expect((clone.inputs.clone as Record<string, unknown>).allocatedIpRange).to.equal("bookkeep-gcp-network-psa");
            // The clone holds the database and the user already: only the original's are declared.
            expect(ofType(p.evaluation.resources, "gcp:sql/database:Database").map(d => [d.inputs.instance, d.retainOnDelete])).to.deep.equal([["bookkeep-gcp-sql", true]]);
            expect(ofType(p.evaluation.resources, "gcp:sql/user:User")).to.have.length(1);
        });

        it("points the services' connection secret at the clone", () => {
            expect(appSecretUrl(p)).to.match(/@10\.29\.0\.5:5432\/bookkeep\?sslmode=require$/);
        });
    });

    it("GCP: a backup-run restore names the run and its instance", async () => {
        const p = await plan("staging", "gcp", { "bookkeep:database": { restore: { id: "b7", from: "snapshot", snapshotId: "1733370000000", sourceInstance: "staging-foundation-sql-9f8e7d6" } } });
        const restored = ofType(p.evaluation.resources, "gcp:sql/databaseInstance:DatabaseInstance").find(i => i.name.endsWith("-b7"))!;
        expect(restored.inputs.restoreBackupContext).to.deep.equal({ backupRunId: 1733370000000, instanceId: "staging-foundation-sql-9f8e7d6" });
    });

    describe("refuses a restore it cannot carry out, naming the key", () => {
        const cases: [string, string, string | undefined, Record<string, unknown>, string][] = [
            ["a time that is not UTC RFC 3339", "production", undefined, { ...pitr, time: "2026-12-05 03:15" }, "bookkeep:database.restore.time: must be a UTC time in RFC 3339"],
            ["a day that does not exist", "production", undefined, { ...pitr, time: "2026-02-30T03:15:00Z" }, "bookkeep:database.restore.time: must be a UTC time in RFC 3339"],
            ["an id that cannot name an instance", "production", undefined, { ...pitr, id: "R-1" }, "bookkeep:database.restore.id: must be 1-12 lowercase letters and digits"],
            ["an unknown source", "production", undefined, { ...pitr, from: "logicalBackup" }, "bookkeep:database.restore.from"],
            ["a GCP snapshot that is not a backup run id", "production", "gcp", { id: "b1", from: "snapshot", snapshotId: "rds:x", sourceInstance: "a-b" }, "bookkeep:database.restore.snapshotId: must be a Cloud SQL backup run id"],
            ["a GCP snapshot without its instance", "production", "gcp", { id: "b1", from: "snapshot", snapshotId: "123" }, "bookkeep:database.restore.sourceInstance: is required on GCP"],
            ["an AWS snapshot with a sourceInstance", "production", undefined, { id: "b1", from: "snapshot", snapshotId: "rds:x", sourceInstance: "a-b" }, "bookkeep:database.restore.sourceInstance: must be left out on AWS"],
            ["any restore on the local cluster", "development", undefined, pitr, "bookkeep:database.restore.from: is not supported on the local cluster"],
        ];
        for (const [what, stack, cloud, restore, message] of cases) {
            it(what, () => expectInputError(() => plan(stack, cloud, { "bookkeep:database": { restore } }), message));
        }
    });
});
