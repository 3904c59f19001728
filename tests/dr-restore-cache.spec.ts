/**
 * `bookkeep:cache.restore` (issue 21): on AWS the cache the services use becomes a new replication
 * group created from a snapshot, and the hourly snapshots follow it, while the group it came from
 * stays in the stack unchanged, protected and retained on delete. GCP and the local cluster refuse
 * it, GCP naming the runbook that imports an RDB instead.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { RecordedResource } from "../offline/engine";
import { PlanResult } from "../offline/plan";
import { cacheRunbook } from "../stacks/restore";
import { expectInputError, ofType, plan, reveal } from "./harness";

const hourly = { id: "c20261205", from: "snapshot", snapshotName: "bookkeep-production-redis-hourly-2026120503" };
const groupType = "aws:elasticache/replicationGroup:ReplicationGroup";
const k8sName = (r: RecordedResource) => (r.inputs.metadata as { name: string }).name;

function appSecret(p: PlanResult): Record<string, string> {
    const secret = p.evaluation.resources.find(r => r.type === "kubernetes:core/v1:Secret" && k8sName(r) === "bookkeeping-secrets");
    expect(secret, "bookkeeping-secrets").to.not.equal(undefined);
    return reveal(secret!.inputs.stringData) as Record<string, string>;
}

describe("dr: restore the cache into the stack", function () {
    describe("AWS production, from an hourly snapshot", () => {
        let p: PlanResult;
        let groups: RecordedResource[];
        before(async () => {
            p = await plan("production", "aws", { "bookkeep:cache": { restore: hourly } });
            groups = ofType(p.evaluation.resources, groupType);
        });

        it("plans clean", () => {
            expect(p.policies.violations.filter(v => v.enforcementLevel === "mandatory")).to.deep.equal([]);
            expect(p.exitCode).to.equal(0);
        });

        it("keeps the original group unchanged, protected and retained on delete, beside the restore", async () => {
            expect(groups.map(g => g.name).sort()).to.deep.equal(["bookkeep-aws-cache-redis", "bookkeep-aws-cache-redis-c20261205"]);
            const original = groups.find(g => g.name === "bookkeep-aws-cache-redis")!;
            const before = ofType((await plan("production", "aws")).evaluation.resources, groupType)[0]!;
            expect(original.inputs).to.deep.equal(before.inputs);
            expect([original.protect, original.retainOnDelete]).to.deep.equal([true, true]);
            expect([before.protect, before.retainOnDelete]).to.deep.equal([true, false]);
        });

        it("creates the restore from the snapshot under a new id, with the stack's settings, key and token", () => {
            const original = groups.find(g => g.name === "bookkeep-aws-cache-redis")!;
            const restored = groups.find(g => g.name.endsWith("-c20261205"))!;
            expect(restored.inputs).to.include({ replicationGroupId: "bookkeep-production-redis-c20261205", snapshotName: hourly.snapshotName });
            expect([restored.protect, restored.retainOnDelete]).to.deep.equal([true, false]);
            expect(original.inputs.snapshotName).to.equal(undefined);
            const { replicationGroupId: _a, snapshotName: _b, finalSnapshotIdentifier: f1, ...restoredSettings } = restored.inputs;
            const { replicationGroupId: _c, finalSnapshotIdentifier: f2, ...originalSettings } = original.inputs;
            expect(restoredSettings).to.deep.equal(originalSettings);
            expect(String(f1)).to.match(/^bookkeep-production-redis-c20261205-final-[0-9a-f]+$/);
            expect(String(f2)).to.match(/^bookkeep-production-redis-final-[0-9a-f]+$/);
        });

        it("points the services' connection secret and the stack output at the restored group", () => {
            expect(appSecret(p)["redis-url"]).to.match(/@master\.bookkeep-production-redis-c20261205\.abc123\.aps1\.cache\.amazonaws\.com:6379$/);
            expect(reveal(p.evaluation.outputs.redisHost)).to.equal("master.bookkeep-production-redis-c20261205.abc123.aps1.cache.amazonaws.com");
        });

        it("moves the hourly snapshots and their rights to the restored group", () => {
            const job = p.evaluation.resources.find(r => r.type === "kubernetes:batch/v1:CronJob" && k8sName(r) === "redis-snapshot")!;
            const env = (job.inputs.spec as any).jobTemplate.spec.template.spec.containers[0].env as { name: string; value?: string }[];
            expect(env.find(e => e.name === "GROUP")?.value).to.equal("bookkeep-production-redis-c20261205");
            const policy = p.evaluation.resources.find(r => r.name === "bookkeep-aws-cache-snapshots-identity-policy")!;
            expect(String(reveal(policy.inputs.policy))).to.contain("replicationgroup:bookkeep-production-redis-c20261205\"");
            expect(String(reveal(policy.inputs.policy))).to.not.contain("replicationgroup:bookkeep-production-redis\"");
        });
    });

    it("AWS: a released original leaves the stack; only the restore is declared", async () => {
        const p = await plan("staging", "aws", { "bookkeep:cache": { restore: { ...hourly, snapshotName: "automatic.bookkeep-staging-redis-2026-12-04-19-00", original: "release" } } });
        const groups = ofType(p.evaluation.resources, groupType);
        expect(groups.map(g => [g.inputs.replicationGroupId, g.inputs.snapshotName])).to.deep.equal([["bookkeep-staging-redis-c20261205", "automatic.bookkeep-staging-redis-2026-12-04-19-00"]]);
        expect(appSecret(p)["redis-url"]).to.contain("@master.bookkeep-staging-redis-c20261205.");
    });

    describe("refuses a cache restore it cannot carry out, naming the key", () => {
        const cases: [string, string, string | undefined, Record<string, unknown>, string][] = [
            ["a snapshot name ElastiCache cannot hold", "production", undefined, { ...hourly, snapshotName: "Hourly Snapshot" }, "bookkeep:cache.restore.snapshotName: must be an ElastiCache snapshot name"],
            ["an id that cannot name a group", "production", undefined, { ...hourly, id: "c-1" }, "bookkeep:cache.restore.id: must be 1-12 lowercase letters and digits"],
            ["an unknown source", "production", undefined, { ...hourly, from: "rdb" }, "bookkeep:cache.restore.from"],
            ["an unknown key", "production", undefined, { ...hourly, snapshotArns: ["arn:aws:s3:::b/k.rdb"] }, "bookkeep:cache.restore"],
            ["any restore on GCP, naming the runbook's import", "production", "gcp", hourly,
                `bookkeep:cache.restore.from: is not supported on GCP: a Memorystore instance cannot be created from a snapshot; import an RDB from the backups bucket into the stack's instance with gcloud redis instances import (${cacheRunbook})`],
            ["any restore on the local cluster", "development", undefined, hourly, "bookkeep:cache.restore.from: is not supported on the local cluster: its Redis is in-cluster and disposable"],
        ];
        for (const [what, stack, cloud, restore, message] of cases) {
            it(what, () => expectInputError(() => plan(stack, cloud, { "bookkeep:cache": { restore } }), message));
        }
    });

    it("the runbook GCP's refusal names has the import step", () => {
        const text = fs.readFileSync(path.join(__dirname, "..", "..", cacheRunbook), "utf8");
        expect(text).to.match(/gcloud redis instances import 'gs:\/\/bookkeep-production-backups-in\/redis\//);
    });
});
