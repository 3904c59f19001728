/**
 * The S3 buckets: documents (tenant uploads), backups (the required daily / weekly / monthly
 * dumps, tiered to cold storage, write-once under S3 Object Lock), static assets (served only
 * through CloudFront) and traces (Tempo's blocks); the documents are replicated to the second
 * Indian region when it is enabled.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { inputError } from "../../stacks/errors";
import { backupSchedule } from "../backupSchedule";
import { elasticsearchSnapshotPrefix } from "../identities";
import { traceExpireDays, traceLifecycle } from "../traceStore";
import { SecureBucket } from "./bucket";
import { BucketReplica } from "./replication";

type LifecycleRule = aws.types.input.s3.BucketLifecycleConfigurationRule;

export interface StorageArgs {
    /** Physical name prefix, such as `bookkeep-production`; bucket names add the account id. */
    readonly prefix: string;
    readonly accountId: pulumi.Input<string>;
    /** Days a `daily/` dump is kept. Default 35 (five weeks: every day of the last month). */
    readonly dailyRetentionDays?: number;
    /** Days a `weekly/` backup is kept (in Glacier Flexible Retrieval after 30). Default 365. */
    readonly weeklyRetentionDays?: number;
    /**
     * Days a `monthly/` archive is kept (in Glacier Deep Archive after 30). Default 2922 (8 years):
     * GST law keeps books for 72 months after the annual return, which is filed the year after.
     */
    readonly monthlyRetentionDays?: number;
    /** Days Tempo keeps traces (observability.logRetentionDays); the traces bucket's backstop follows it. Default 30. */
    readonly tracesRetentionDays?: number;
    /** Protect the buckets and their keys (production). Default false. */
    readonly protect?: boolean;
    readonly provider: aws.Provider;
    /** Provider of the second Indian region: when given, the documents are replicated there. Default none. */
    readonly drProvider?: aws.Provider;
}

const defaults = {
    dailyRetentionDays: backupSchedule.dailyExpireDays,
    weeklyRetentionDays: backupSchedule.weeklyExpireDays,
    monthlyRetentionDays: backupSchedule.monthlyExpireDays,
    tracesRetentionDays: 30,
    protect: false,
};

/** Transitions happen after this many days; Glacier classes bill a minimum duration, so not sooner. */
export const coldAfterDays = backupSchedule.coldAfterDays;

/** Lifecycle of the backups bucket, one rule per prefix of the required backup schedule. */
export function backupLifecycleRules(daily: number, weekly: number, monthly: number): LifecycleRule[] {
    const common = {
        status: "Enabled",
        abortIncompleteMultipartUpload: { daysAfterInitiation: backupSchedule.abortIncompleteUploadDays },
        // Overwritten or deleted dumps linger as noncurrent versions; bound them too.
        noncurrentVersionExpiration: { noncurrentDays: backupSchedule.noncurrentExpireDays },
    };
    return [
        { id: "daily", filter: { prefix: "daily/" }, expiration: { days: daily }, ...common },
        { id: "weekly", filter: { prefix: "weekly/" }, transitions: [{ days: coldAfterDays, storageClass: "GLACIER" }], expiration: { days: weekly }, ...common },
        { id: "monthly", filter: { prefix: "monthly/" }, transitions: [{ days: coldAfterDays, storageClass: "DEEP_ARCHIVE" }], expiration: { days: monthly }, ...common },
    ];
}

/** The prefix Velero writes its backups under (components/k8s/velero.ts, the BackupStorageLocation). */
export const veleroPrefix = "velero/";

/**
 * A prefix whose writer expires its own objects (Velero when a backup's TTL ends, SLM when a
 * snapshot expires and on every rewrite of its index blobs): in this versioned bucket that only
 * turns them into noncurrent versions behind delete markers. They are kept as long as a replaced
 * dump (`noncurrentExpireDays`, also the Object Lock's retention), so what was deleted by mistake
 * or by a compromised writer stays recoverable that long, and no longer; the delete markers left
 * alone afterwards are removed too. Current versions are the writer's to expire.
 */
function selfExpiringPrefixRule(id: string, prefix: string): LifecycleRule {
    return {
        id,
        status: "Enabled",
        filter: { prefix },
        noncurrentVersionExpiration: { noncurrentDays: backupSchedule.noncurrentExpireDays },
        expiration: { expiredObjectDeleteMarker: true },
        abortIncompleteMultipartUpload: { daysAfterInitiation: backupSchedule.abortIncompleteUploadDays },
    };
}

/** Velero's backups (components/k8s/velero.ts, the BackupStorageLocation). */
export const veleroLifecycleRule = selfExpiringPrefixRule("velero", veleroPrefix);

/** Elasticsearch's snapshot repository (SLM). */
export const elasticsearchLifecycleRule = selfExpiringPrefixRule("elasticsearch", `${elasticsearchSnapshotPrefix}/`);

/** Lifecycle of the traces bucket: a backstop behind Tempo's compactor (components/traceStore.ts). */
export function traceLifecycleRules(retentionDays: number): LifecycleRule[] {
    return [{
        id: "traces",
        status: "Enabled",
        filter: {},
        expiration: { days: traceExpireDays(retentionDays) },
        noncurrentVersionExpiration: { noncurrentDays: traceLifecycle.noncurrentExpireDays },
        abortIncompleteMultipartUpload: { daysAfterInitiation: traceLifecycle.abortIncompleteUploadDays },
    }];
}

/**
 * Default Object Lock retention of every backup version: no longer than the shortest life the
 * lifecycle gives any version, so the lock never keeps a dump past its rules. Dumps are written
 * under dated keys (`daily/bookkeep-<yyyymmdd>.sql.gz`) and live `daily` days (35); a version that
 * is overwritten (a re-run the same day) lives `noncurrentExpireDays` (30) after it. The smaller
 * still locks a month of dumps.
 */
export function backupLockDays(dailyRetentionDays: number): number {
    return Math.min(dailyRetentionDays, backupSchedule.noncurrentExpireDays);
}

export class Storage extends pulumi.ComponentResource {
    public readonly documents: SecureBucket;
    public readonly backups: SecureBucket;
    public readonly assets: SecureBucket;
    public readonly traces: SecureBucket;
    /** The documents' replica in the second Indian region, when a DR provider is given. */
    public readonly documentsReplica?: SecureBucket;

    constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:Storage", name, {}, opts);
        const a = { ...defaults, ...args };
        const issues = (["dailyRetentionDays", "weeklyRetentionDays", "monthlyRetentionDays", "tracesRetentionDays"] as const)
            .filter(k => !Number.isInteger(a[k]) || a[k] < 1)
            .map(k => ({ propertyPath: `${name}.${k}`, reason: `must be a whole number of days, at least 1 (got ${a[k]})` }));
        if (a.weeklyRetentionDays <= coldAfterDays || a.monthlyRetentionDays <= coldAfterDays) {
            issues.push({ propertyPath: `${name}.weeklyRetentionDays/monthlyRetentionDays`, reason: `must exceed ${coldAfterDays}, the day backups move to cold storage` });
        }
        if (issues.length > 0) {
            throw inputError("storage", issues);
        }
        const bucket = (purpose: string, extra: { lifecycleRules?: LifecycleRule[]; ownPolicy?: boolean; objectLockDays?: number } = {}) =>
            new SecureBucket(`${name}-${purpose}`, {
                bucketName: pulumi.interpolate`${a.prefix}-${purpose}-${a.accountId}`,
                purpose: `${a.prefix} ${purpose}`,
                keyAlias: `${a.prefix}-s3-${purpose}`,
                protect: a.protect,
                provider: a.provider,
                ...extra,
            }, { parent: this });
        this.documents = bucket("documents");
        // Backups are write-once so neither an admin nor a stolen CI identity can destroy them.
        this.backups = bucket("backups", {
            lifecycleRules: [...backupLifecycleRules(a.dailyRetentionDays, a.weeklyRetentionDays, a.monthlyRetentionDays), veleroLifecycleRule, elasticsearchLifecycleRule],
            objectLockDays: backupLockDays(a.dailyRetentionDays),
        });
        // Its policy also admits CloudFront, so the CDN writes it once the distribution exists.
        this.assets = bucket("static-assets", { ownPolicy: false });
        // Tempo's own bucket, not a prefix of the backups one: that bucket is write-once (Object
        // Lock) and keeps versions for a month, while the compactor rewrites and deletes blocks all
        // day; and traces are telemetry, not a backup, so they follow the log retention.
        this.traces = bucket("traces", { lifecycleRules: traceLifecycleRules(a.tracesRetentionDays) });
        if (a.drProvider) {
            // The backups reach ap-south-2 as RDS backup copies; the documents only this way.
            this.documentsReplica = new BucketReplica(`${name}-documents-dr`, {
                source: this.documents,
                bucketName: pulumi.interpolate`${a.prefix}-documents-dr-${a.accountId}`,
                purpose: `${a.prefix} documents (replica)`,
                keyAlias: `${a.prefix}-s3-documents-dr`,
                accountId: a.accountId,
                protect: a.protect,
                provider: a.provider,
                drProvider: a.drProvider,
            }, { parent: this }).replica;
        }
        this.registerOutputs({ documents: this.documents.name, backups: this.backups.name, assets: this.assets.name, traces: this.traces.name });
    }
}
