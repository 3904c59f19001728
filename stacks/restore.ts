/**
 * `bookkeep:database.restore` and `bookkeep:cache.restore`: this environment's database (a point
 * in time, a snapshot or a logical dump) or cache (a snapshot) is a restore, which the stack then
 * owns. The restore is created under a new name, `<name>-<id>`, so what it came from is never
 * touched: the original stays in the stack, protected and retained on delete, until
 * `original: "release"` lets it go on purpose. `restoreTargets` is that rule, for every store.
 *
 * A dump restore is a new, empty instance into which a Job loads the dump before the migration
 * runs (components/k8s/restoreJob.ts).
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

/** The keys the dump CronJobs write: `<daily|weekly|monthly>/bookkeep-<yyyymmdd>.sql.gz`. */
const dumpObject = z.string().regex(/^(daily|weekly|monthly)\/bookkeep-\d{8}\.sql\.gz$/, {
    message: "must be the key of a dump in the backups bucket, such as daily/bookkeep-20261204.sql.gz",
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
    /** A dump the backup CronJobs wrote (components/k8s/backups.ts), by its key in the backups bucket. */
    z.strictObject({ ...common, from: z.literal("dump"), object: dumpObject }),
]);

export type DatabaseRestore = z.infer<typeof databaseRestoreSchema>;

/** The backups bucket key a dump restore loads, or undefined for any other (or no) restore. */
export function restoreDumpObject(restore: DatabaseRestore | undefined): string | undefined {
    return restore?.from === "dump" ? restore.object : undefined;
}

/**
 * ElastiCache: a snapshot of the stack's replication group (the hourly `<group>-hourly-<yyyymmddhh>`,
 * the daily `automatic.<group>-<date>`, or a final one), restored as a new replication group.
 */
export const cacheRestoreSchema = z.discriminatedUnion("from", [
    z.strictObject({ ...common, from: z.literal("snapshot"), snapshotName: z.string().regex(/^[a-z0-9][a-z0-9.-]{0,254}$/, { message: "must be an ElastiCache snapshot name, such as bookkeep-production-redis-hourly-2026120503 (aws elasticache describe-snapshots)" }) }),
]);

export type CacheRestore = z.infer<typeof cacheRestoreSchema>;

/** The runbook that restores a cache where config cannot. */
export const cacheRunbook = "docs/runbooks/cache-restore.md";

/** Per-cloud rules for `cache.restore`: only ElastiCache creates a cache from a snapshot. */
export function cacheRestoreIssues(cloud: "aws" | "gcp" | "local"): { path: string[]; message: string }[] {
    switch (cloud) {
        case "aws":
            return [];
        case "gcp":
            return [{ path: ["from"], message: `is not supported on GCP: a Memorystore instance cannot be created from a snapshot; import an RDB from the backups bucket into the stack's instance with gcloud redis instances import (${cacheRunbook})` }];
        case "local":
            return [{ path: ["from"], message: "is not supported on the local cluster: its Redis is in-cluster and disposable" }];
    }
}

/** Where a store's current instance comes from, and whether the one a restore came from stays. */
export interface RestoreTargets<R> {
    /** The store's own instance, declared unless released: retained on delete once a restore exists. */
    readonly original?: { readonly suffix: ""; readonly retainOnDelete: boolean };
    /** The instance the stack uses: its own, or the restore's, named with `-<id>`. */
    readonly current: { readonly suffix: string; readonly retainOnDelete: false; readonly restore?: R };
}

/** The one rule every restorable store follows (see the top of this file). */
export function restoreTargets<R extends { readonly id: string; readonly original: "keep" | "release" }>(restore: R | undefined): RestoreTargets<R> {
    if (!restore) {
        return { current: { suffix: "", retainOnDelete: false } };
    }
    return {
        ...(restore.original === "keep" ? { original: { suffix: "", retainOnDelete: true } } : {}),
        current: { suffix: `-${restore.id}`, retainOnDelete: false, restore },
    };
}

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
