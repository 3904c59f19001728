/**
 * RPO and RTO per layer, read from what the plan actually sets (issue 21): the `--summary` prints
 * them, so a change that weakens a layer shows in the pull request. RTOs are the runbooks'
 * (docs/runbooks) estimates for each recovery path; RPOs follow from the settings.
 */
import { cronMaxIntervalSeconds } from "../components/k8s/cron";
import { RecordedResource } from "./engine";

export interface RecoveryLayer {
    readonly layer: string;
    readonly what: string;
    /** Minutes of data at risk; undefined where the layer holds nothing to lose. */
    readonly rpoMinutes: number | undefined;
    readonly rto: string;
}

/** The required RPO (BookKeep-DevOps.md, "Disaster Recovery"). */
export const requiredRpoMinutes = 60;

const k8sName = (r: RecordedResource) => String((r.inputs.metadata as { name?: unknown } | undefined)?.name ?? "");
const ofType = (rs: readonly RecordedResource[], type: string) => rs.filter(r => r.type === type);

function databaseLayer(rs: readonly RecordedResource[]): RecoveryLayer | undefined {
    const rds = ofType(rs, "aws:rds/instance:Instance");
    const sql = ofType(rs, "gcp:sql/databaseInstance:DatabaseInstance");
    if (rds.length > 0) {
        const pitr = rds.every(r => Number(r.inputs.backupRetentionPeriod ?? 0) > 0);
        const copies = ofType(rs, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication").length > 0;
        return { layer: "database", what: `RDS PITR${pitr ? `, ${rds[0]!.inputs.backupRetentionPeriod} d` : " off"}${copies ? ", backups copied to the second region" : ""}`, rpoMinutes: pitr ? 5 : undefined, rto: "~1 h 30 min (restore into the stack)" };
    }
    if (sql.length > 0) {
        const backup = sql.map(r => (r.inputs.settings as { backupConfiguration?: Record<string, unknown> } | undefined)?.backupConfiguration);
        const pitr = backup.every(b => b?.enabled === true && b.pointInTimeRecoveryEnabled === true);
        return { layer: "database", what: `Cloud SQL PITR${pitr ? `, ${backup[0]?.transactionLogRetentionDays} d of logs` : " off"}`, rpoMinutes: pitr ? 5 : undefined, rto: "~1 h 30 min (clone into the stack)" };
    }
    return undefined;
}

function dumpLayer(rs: readonly RecordedResource[]): RecoveryLayer | undefined {
    const dumps = ofType(rs, "kubernetes:batch/v1:CronJob").filter(r => k8sName(r).startsWith("db-backup"));
    if (dumps.length === 0) {
        return undefined;
    }
    const daily = dumps.some(r => /^\d+ \d+ \* \* \*$/.test(String((r.inputs.spec as { schedule?: unknown }).schedule)));
    return { layer: "dumps", what: `${dumps.length} pg_dump CronJobs (${dumps.map(k8sName).sort().join(", ")})`, rpoMinutes: daily ? 24 * 60 : 7 * 24 * 60, rto: "1-2 h (psql into a fresh database)" };
}

function cacheLayer(rs: readonly RecordedResource[]): RecoveryLayer | undefined {
    const memorystore = ofType(rs, "gcp:redis/instance:Instance");
    if (memorystore.length > 0) {
        const period = (memorystore[0]!.inputs.persistenceConfig as { rdbSnapshotPeriod?: string } | undefined)?.rdbSnapshotPeriod;
        const minutes: Record<string, number> = { ONE_HOUR: 60, SIX_HOURS: 360, TWELVE_HOURS: 720, TWENTY_FOUR_HOURS: 1440 };
        return { layer: "cache", what: `Memorystore RDB every ${period ?? "(none)"}`, rpoMinutes: period ? minutes[period] : undefined, rto: "minutes (new instance, import)" };
    }
    const groups = ofType(rs, "aws:elasticache/replicationGroup:ReplicationGroup");
    if (groups.length > 0) {
        const hourly = ofType(rs, "kubernetes:batch/v1:CronJob").some(r => k8sName(r) === "redis-snapshot");
        const daily = groups.every(g => Number(g.inputs.snapshotRetentionLimit ?? 0) > 0);
        return { layer: "cache", what: `ElastiCache ${daily ? "daily snapshot" : "no automatic snapshot"}${hourly ? " + hourly redis-snapshot CronJob" : ""}`, rpoMinutes: hourly ? 60 : daily ? 1440 : undefined, rto: "minutes (new group from a snapshot)" };
    }
    return undefined;
}

function objectLayer(rs: readonly RecordedResource[]): RecoveryLayer | undefined {
    const s3 = ofType(rs, "aws:s3/bucketVersioning:BucketVersioning").length;
    const gcs = ofType(rs, "gcp:storage/bucket:Bucket").filter(b => (b.inputs.versioning as { enabled?: boolean } | undefined)?.enabled === true).length;
    if (s3 + gcs === 0) {
        return undefined;
    }
    const replicated = ofType(rs, "aws:s3/bucketReplicationConfig:BucketReplicationConfig").length > 0;
    const dual = ofType(rs, "gcp:storage/bucket:Bucket").some(b => b.inputs.customPlacementConfig !== undefined);
    const copy = replicated ? ", documents replicated to the second region" : dual ? ", backups in the India-only dual-region" : "";
    return { layer: "objects", what: `${s3 + gcs} versioned buckets${copy}`, rpoMinutes: 0, rto: "~15 min (restore a version)" };
}

/**
 * The cluster: rebuilt by this program; what code does not recreate (volumes, the Sealed Secrets
 * key) comes back from Velero, whose RPO is the gap of its most frequent Schedule.
 */
function clusterLayer(rs: readonly RecordedResource[]): RecoveryLayer {
    const schedules = ofType(rs, "kubernetes:velero.io/v1:Schedule");
    if (schedules.length === 0) {
        return { layer: "cluster", what: "this program (pulumi up)", rpoMinutes: undefined, rto: "~1 h (rebuild), ~4 h for a whole region" };
    }
    const gapMinutes = (r: RecordedResource) => cronMaxIntervalSeconds(String((r.inputs.spec as { schedule?: unknown }).schedule)) / 60;
    return {
        layer: "cluster",
        what: `this program (pulumi up) + Velero ${schedules.map(k8sName).sort().join(", ")}`,
        rpoMinutes: Math.min(...schedules.map(gapMinutes)),
        rto: "~2 h 30 min (rebuild, Velero restore), ~4 h for a whole region",
    };
}

/** The recovery layers of a plan, in restore order. */
export function recoveryLayers(rs: readonly RecordedResource[]): RecoveryLayer[] {
    const layers = [databaseLayer(rs), dumpLayer(rs), cacheLayer(rs), objectLayer(rs)].filter((l): l is RecoveryLayer => l !== undefined);
    return [...layers, clusterLayer(rs)];
}

/** Whether the layers that hold live data (database, cache) meet the required RPO. */
export function meetsRequiredRpo(layers: readonly RecoveryLayer[]): boolean {
    return layers.filter(l => l.layer === "database" || l.layer === "cache").every(l => l.rpoMinutes !== undefined && l.rpoMinutes <= requiredRpoMinutes);
}

function minutes(m: number | undefined): string {
    return m === undefined ? "none" : m === 0 ? "0" : m < 60 ? `${m} min` : `${m / 60} h`;
}

export function recoveryMarkdown(rs: readonly RecordedResource[]): string[] {
    const layers = recoveryLayers(rs);
    return [
        `Recovery (required RPO ${requiredRpoMinutes / 60} h, RTO 4 h): RPO ${meetsRequiredRpo(layers) ? "met" : "**not met**"} by the database and cache; runbooks in docs/runbooks.`,
        "",
        "| layer | what | RPO | RTO |",
        "|---|---|---|---|",
        ...layers.map(l => `| ${l.layer} | ${l.what} | ${minutes(l.rpoMinutes)} | ${l.rto} |`),
        "",
    ];
}
