/**
 * Review finding S2: whatever runs as a workload identity waits for the grants that make it useful
 * (AWS: the IRSA role's policy; GCP: the Workload Identity binding and the account's bucket, zone
 * and token roles), not only for the bare role or account its annotation names. Otherwise a first
 * `up` starts the pods into 403s and crash-loop back-off while IAM catches up.
 */
import { expect } from "chai";
import { RecordedResource } from "../offline/engine";
import { PlanResult } from "../offline/plan";
import { plan, present } from "./harness";

const dump = { id: "d20261205", from: "dump", object: "daily/bookkeep-20261204.sql.gz" };
const grantTypes = [
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "gcp:serviceaccount/iAMMember:IAMMember",
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember",
];
const metaName = (r: RecordedResource) => String((r.inputs.metadata as { name?: string } | undefined)?.name ?? "");

/** The grants of the identity whose resources are named `<prefix>-…` (WorkloadIdentities, IrsaRole). */
function grantsOf(p: PlanResult, prefix: string): RecordedResource[] {
    return p.evaluation.resources.filter(r => grantTypes.includes(r.type) && r.name.startsWith(`${prefix}-`));
}

/** What runs as each identity, found in a plan. */
const consumers: Array<[string, string, (r: RecordedResource) => boolean]> = [
    ["tempo", "the Tempo chart", r => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "bookkeep-k8s-tempo-chart"],
    ["velero", "the Velero chart", r => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "bookkeep-k8s-velero-chart"],
    ["cert-manager", "the cert-manager chart", r => r.type === "kubernetes:helm.sh/v4:Chart" && r.name === "bookkeep-k8s-cert-manager-chart"],
    ["elasticsearch", "the Elasticsearch resource", r => r.type === "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch"],
    ["backup", "the daily backup CronJob", r => r.type === "kubernetes:batch/v1:CronJob" && metaName(r) === "db-backup"],
    ["backup", "the restore Job", r => r.type === "kubernetes:batch/v1:Job" && metaName(r).startsWith("db-restore-")],
];

const clouds: Array<[string, string, () => Promise<PlanResult>, string]> = [
    ["aws", "production", () => plan("production", "aws", { "bookkeep:database": { restore: dump } }), "policy"],
    ["gcp", "staging", () => plan("staging", "gcp", { "bookkeep:database": { restore: { ...dump, object: "weekly/bookkeep-20261129.sql.gz", original: "release" } } }), "wi"],
];

describe("identity workloads wait for their grants", function () {
    for (const [cloud, stack, planned, binding] of clouds) {
        describe(`${cloud} ${stack}`, () => {
            let p: PlanResult;
            before(async () => { p = await planned(); });

            for (const [workload, what, match] of consumers) {
                it(`${what} depends on every grant of the ${workload} identity, its ${binding} binding included`, () => {
                    const grants = grantsOf(p, `bookkeep-${cloud}-identity-${workload}`);
                    expect(grants.map(g => g.name)).to.include(`bookkeep-${cloud}-identity-${workload}-${binding}`);
                    const consumer = present(p.evaluation.resources.find(match), what);
                    expect(consumer.dependsOn).to.include.members(grants.map(g => g.urn));
                });
            }

            it("every backup CronJob waits for the backup identity's grants", () => {
                const grants = grantsOf(p, `bookkeep-${cloud}-identity-backup`).map(g => g.urn);
                const cronJobs = p.evaluation.resources.filter(r => r.type === "kubernetes:batch/v1:CronJob" && metaName(r).startsWith("db-backup"));
                expect(cronJobs.length).to.be.greaterThan(1);
                for (const c of cronJobs) {
                    expect(c.dependsOn, metaName(c)).to.include.members(grants);
                }
            });
        });
    }

    it("aws: the hourly cache snapshot CronJob waits for its own role's policy", async () => {
        const p = await plan("production", "aws", { "bookkeep:database": { restore: dump } });
        const grants = grantsOf(p, "bookkeep-aws-cache-snapshots-identity");
        expect(grants.map(g => g.name)).to.deep.equal(["bookkeep-aws-cache-snapshots-identity-policy"]);
        const cron = present(p.evaluation.resources.find(r => r.type === "kubernetes:batch/v1:CronJob" && metaName(r) === "redis-snapshot"), "redis-snapshot");
        expect(cron.dependsOn).to.include.members(grants.map(g => g.urn));
    });
});
