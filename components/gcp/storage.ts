/**
 * GCS buckets for documents (invoices, uploads), database backups, static assets and traces (Tempo's
 * blocks): single-region
 * ASIA-SOUTH1 (a multi-region such as ASIA would replicate outside India) and, for the backups, the
 * India-only dual-region ASIA-SOUTH1 + ASIA-SOUTH2; uniform bucket-level
 * access, public access prevention enforced, versioning, and our KMS key as the default key; the
 * backups bucket also keeps deleted objects restorable for 90 days (soft delete).
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { backupSchedule } from "../backupSchedule";
import { traceExpireDays, traceLifecycle } from "../traceStore";
import { Environment } from "../../stacks/schema";
import { grantKeyUse } from "./kms";

export type BucketRole = "documents" | "backups" | "assets" | "traces";
export const bucketRoles: readonly BucketRole[] = ["documents", "backups", "assets", "traces"];

/** The backup tiers of the required DR plan (shared with the AWS side), by key prefix. */
export const backupLifecycle = backupSchedule;

type LifecycleRule = gcp.types.input.storage.BucketLifecycleRule;

/** `tracesRetentionDays` (observability.logRetentionDays) sets the traces bucket's backstop (components/traceStore.ts). */
export function lifecycleRules(role: BucketRole, tracesRetentionDays = 30): LifecycleRule[] {
    const abortUploads: LifecycleRule = { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: backupSchedule.abortIncompleteUploadDays } };
    if (role === "traces") {
        return [
            { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: traceLifecycle.abortIncompleteUploadDays } },
            { action: { type: "Delete" }, condition: { age: traceExpireDays(tracesRetentionDays), withState: "LIVE" } },
            { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: traceLifecycle.noncurrentExpireDays, withState: "ARCHIVED" } },
        ];
    }
    if (role !== "backups") {
        return [abortUploads];
    }
    const l = backupLifecycle;
    const expire = (prefix: string, age: number): LifecycleRule =>
        ({ action: { type: "Delete" }, condition: { age, matchesPrefixes: [prefix], withState: "LIVE" } });
    const cool = (prefix: string, storageClass: string): LifecycleRule =>
        ({ action: { type: "SetStorageClass", storageClass }, condition: { age: l.coldAfterDays, matchesPrefixes: [prefix], withState: "LIVE" } });
    return [
        abortUploads,
        { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: l.noncurrentExpireDays, withState: "ARCHIVED" } },
        expire("daily/", l.dailyExpireDays),
        cool("weekly/", "COLDLINE"),
        expire("weekly/", l.weeklyExpireDays),
        cool("monthly/", "ARCHIVE"),
        expire("monthly/", l.monthlyExpireDays),
    ];
}

/**
 * Soft delete of the backups bucket: the longest GCS allows (90 days). Every deleted or lifecycle-
 * expired version stays restorable that long and nobody, an admin or a stolen CI identity included,
 * can purge it sooner, which is the write-once guarantee S3 Object Lock gives on AWS. A bucket
 * retention policy would be stronger (it can be locked) but GCS refuses it on a versioned bucket,
 * and versioning is what keeps the daily dump's history. Object retention (enableObjectRetention)
 * is not used either: it sets no default, so every dump would need its own retention written by the
 * job, and the provider only sets it when creating a bucket, so turning it on replaces one.
 * The price is storage: deleted dumps are billed for the 90 days too.
 */
export const backupSoftDeleteSeconds = 90 * 24 * 60 * 60;

export interface GcsBucketsArgs {
    /** Prefixes every bucket name (`<project>-<role>`): project ids are globally unique. */
    readonly project: string;
    /** The buckets' single region (upper-cased, as GCS names locations). */
    readonly region: string;
    /** Labels the buckets. */
    readonly environment: Environment;
    readonly provider: gcp.Provider;
    /** Protect stateful resources from deletion (production); computed once by the foundation. Default false. */
    readonly protect?: boolean;
    readonly key: gcp.kms.CryptoKey;
    /** IAM member of the project's Cloud Storage service agent, which must be able to use `key`. */
    readonly storageAgent: pulumi.Input<string>;
    /** Days Tempo keeps traces (observability.logRetentionDays). Default 30. */
    readonly tracesRetentionDays?: number;
}

interface Placement {
    /** Appended to the bucket's names (a new location is a new bucket). */
    readonly suffix: string;
    readonly location: string;
    readonly dataLocations?: readonly string[];
}

/**
 * The backups' placement: a custom dual-region of India's two regions, so the dumps and the
 * cluster backups survive the loss of asia-south1 (GCS replicates every object to both; the
 * location of a custom dual-region is its continent's multi-region code, the data stays in the
 * two regions named). The residency policy admits exactly this pair.
 */
export const indiaDualRegion: Placement = { suffix: "-in", location: "ASIA", dataLocations: ["ASIA-SOUTH1", "ASIA-SOUTH2"] };

export class GcsBuckets extends pulumi.ComponentResource {
    public readonly buckets: Record<BucketRole, gcp.storage.Bucket>;
    /** The single-region backups bucket of earlier releases, kept (protected, retained on delete) for its objects. */
    public readonly legacyBackups: gcp.storage.Bucket;

    constructor(name: string, args: GcsBucketsArgs, opts?: pulumi.ComponentResourceOptions) {
        // Registered as bookkeep:gcp:Buckets before the token was made to match the class name.
        super("bookkeep:gcp:GcsBuckets", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "bookkeep:gcp:Buckets" }] });
        const { project, region, environment, provider } = args;
        const childOpts = { parent: this, provider };
        const keyGrant = grantKeyUse(`${name}-key`, args.key, args.storageAgent, childOpts);
        const bucket = (role: BucketRole, placement: Placement = { suffix: "", location: region.toUpperCase() }, retainOnDelete = false) => new gcp.storage.Bucket(`${name}-${role}${placement.suffix}`, {
            // Project ids are globally unique, so this name is too; operators can type it.
            name: `${project}-${role}${placement.suffix}`,
            // A single region (ASIA-SOUTH1), or the India-only dual-region; never a multi-region
            // such as ASIA that spans countries.
            location: placement.location,
            ...(placement.dataLocations ? { customPlacementConfig: { dataLocations: [...placement.dataLocations] } } : {}),
            storageClass: "STANDARD",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            encryption: { defaultKmsKeyName: args.key.id },
            lifecycleRules: lifecycleRules(role, args.tracesRetentionDays),
            forceDestroy: false,
            labels: { environment, role },
            // Other buckets keep GCS's default (7 days).
            ...(role === "backups" ? { softDeletePolicy: { retentionDurationSeconds: backupSoftDeleteSeconds } } : {}),
        }, { ...childOpts, protect: args.protect ?? false, retainOnDelete, dependsOn: [keyGrant] });
        // The single-region backups bucket of earlier releases stays (a bucket cannot change its
        // location; replacing it would delete the dumps) until its objects are copied across and
        // it is released on purpose (docs/runbooks/lost-region.md); nothing writes to it any more.
        this.legacyBackups = bucket("backups", undefined, true);
        // Traces get a bucket of their own in asia-south1, not a prefix of the backups bucket: that one
        // keeps deleted objects 90 days (soft delete) and replicates to a second region, neither of
        // which telemetry that Tempo's compactor rewrites and deletes all day needs.
        this.buckets = { documents: bucket("documents"), backups: bucket("backups", indiaDualRegion), assets: bucket("assets"), traces: bucket("traces") };
        this.registerOutputs(Object.fromEntries(bucketRoles.map(r => [r, this.buckets[r].name])));
    }
}
