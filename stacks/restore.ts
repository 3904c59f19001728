/**
 * `bookkeep:database.restore`: this environment's database is a restore (a point in time or a
 * snapshot of an instance), which the stack then owns as its database. The restore is created
 * under a new name, `<database>-<id>`, so the instance it came from is never touched: it stays in
 * the stack, protected and retained on delete, until `original: "release"` lets it go on purpose.
 *
 * A restore from a logical dump is not a config: the dumps are restored with `psql` into the
 * stack's own database (docs/runbooks/database-corruption.md).
 */
import { z } from "zod";

/** Appended to the database's names: short, lowercase, unique per restore (a date serves). */
const restoreId = z.string().regex(/^[a-z][a-z0-9]{0,11}$/, {
    message: "must be 1-12 lowercase letters and digits starting with a letter, such as r20261205 (it names the restored instance)",
});
/** An RDS identifier or Cloud SQL instance name (both: letters, digits, hyphens; at most 63/98). */
const instanceName = z.string().regex(/^[a-z][a-z0-9-]{0,61}[a-z0-9]$/, {
    message: "must be the source instance's name, such as bookkeep-production-postgres (lowercase letters, digits, hyphens)",
});
/** RFC 3339 in UTC, as both APIs take it; a time that does not exist (Feb 30) is refused too. */
const utcTime = z.string().refine(t => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(t) && new Date(t).toISOString() === t.replace("Z", ".000Z"), {
    message: "must be a UTC time in RFC 3339, such as 2026-12-05T03:15:00Z",
});

const common = {
    id: restoreId,
    /** What becomes of the instance restored from: kept in the stack (protected) or released from it. Default keep. */
    original: z.enum(["keep", "release"]).default("keep"),
};

export const databaseRestoreSchema = z.discriminatedUnion("from", [
    z.strictObject({ ...common, from: z.literal("pointInTime"), sourceInstance: instanceName, time: utcTime }),
    /**
     * AWS: a DB snapshot identifier (`rds:<instance>-<date>` for an automated one) or ARN.
     * GCP: a backup run id of `sourceInstance` (`gcloud sql backups list`).
     */
    z.strictObject({ ...common, from: z.literal("snapshot"), snapshotId: z.string().regex(/^[A-Za-z0-9:/._-]{1,255}$/, { message: "must be a snapshot identifier, ARN or backup run id" }), sourceInstance: instanceName.optional() }),
]);

export type DatabaseRestore = z.infer<typeof databaseRestoreSchema>;

/** Per-cloud rules the shape alone cannot state. */
export function restoreIssues(cloud: "aws" | "gcp" | "local", restore: DatabaseRestore): { path: string[]; message: string }[] {
    const issues: { path: string[]; message: string }[] = [];
    if (cloud === "local") {
        issues.push({ path: ["from"], message: "is not supported on the local cluster: its database is in-cluster; restore a dump with psql (docs/runbooks/database-corruption.md)" });
    } else if (restore.from === "snapshot" && cloud === "gcp") {
        if (!/^\d{1,20}$/.test(restore.snapshotId)) {
            issues.push({ path: ["snapshotId"], message: "must be a Cloud SQL backup run id (digits; gcloud sql backups list --instance <source>)" });
        }
        if (restore.sourceInstance === undefined) {
            issues.push({ path: ["sourceInstance"], message: "is required on GCP: the Cloud SQL instance the backup run belongs to" });
        }
    } else if (restore.from === "snapshot" && cloud === "aws" && restore.sourceInstance !== undefined) {
        issues.push({ path: ["sourceInstance"], message: "must be left out on AWS: the snapshot identifier names its instance" });
    }
    return issues;
}
