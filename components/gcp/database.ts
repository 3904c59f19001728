/**
 * Cloud SQL for PostgreSQL 15 with a private IP only (on the private services access range),
 * TLS required, automated backups with point-in-time recovery kept in India, CMEK, and REGIONAL
 * (synchronous standby in another zone) when `database.highAvailability`.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DatabaseRestore, restoreTargets } from "../../stacks/restore";
import { DatabaseConfig, Environment } from "../../stacks/schema";
import { grantKeyUse } from "./kms";
import { GcpNetwork } from "./network";
import { cloudSqlBackupStart, cloudSqlMaintenance } from "./windows";

export const databaseName = "bookkeep";
export const databaseUser = "bookkeep";
export const postgresPort = 5432;
/** Cloud SQL Enterprise edition keeps at most 7 days of transaction logs (the PITR window). */
export const maxTransactionLogDays = 7;

/**
 * Backup retention that Cloud SQL accepts: it rejects (400) a transaction log retention that is not
 * below the number of retained backups, so the PITR window is at most `retainedBackups - 1` days
 * (and at most 7), and a 1-day retention is raised to 2 backups so a 1-day window still fits.
 */
export function backupRetention(backupRetentionDays: number): { retainedBackups: number; transactionLogRetentionDays: number } {
    const transactionLogRetentionDays = Math.max(1, Math.min(maxTransactionLogDays, backupRetentionDays - 1));
    return { retainedBackups: Math.max(backupRetentionDays, transactionLogRetentionDays + 1), transactionLogRetentionDays };
}
/** Days the backup taken when the instance is deleted is kept (Cloud SQL allows 1-365). */
export const finalBackupRetentionDays = 365;

export interface CloudSqlPostgresArgs {
    /** Region of the instance and its backups. */
    readonly region: string;
    /** Cloud SQL tier (`gcp.databaseTier`). */
    readonly tier: string;
    /** HA, storage, retention and deletion protection (`database.*`). */
    readonly database: DatabaseConfig;
    /** Labels the instance. */
    readonly environment: Environment;
    readonly provider: gcp.Provider;
    /** Protect stateful resources from deletion (production); computed once by the foundation. Default false. */
    readonly protect?: boolean;
    readonly network: GcpNetwork;
    readonly key: gcp.kms.CryptoKey;
    /** IAM member of the Cloud SQL service agent, which must be able to use `key`. */
    readonly sqlAgent: pulumi.Input<string>;
    /** The foundation's explicit random provider (default providers are disabled). */
    readonly randomProvider: random.Provider;
}

export class CloudSqlPostgres extends pulumi.ComponentResource {
    public readonly instance: gcp.sql.DatabaseInstance;
    public readonly host: pulumi.Output<string>;
    /** Generated password of the application user; a secret. */
    public readonly password: pulumi.Output<string>;

    constructor(name: string, args: CloudSqlPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:CloudSqlPostgres", name, {}, opts);
        const db = args.database;
        const protect = args.protect ?? false;
        const childOpts = { parent: this, provider: args.provider };
        const keyGrant = grantKeyUse(`${name}-key`, args.key, args.sqlAgent, childOpts);
        const retention = backupRetention(db.backupRetentionDays);

        const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this, provider: args.randomProvider });
        // The instance a restore came from stays as it was and is retained on delete: releasing
        // it drops it from the stack, never deletes it. A clone or a restored backup already
        // holds the database and the user with the stack's password, so neither is created; a
        // dump restore starts empty, with both, for the restore Job to load.
        const targets = restoreTargets(db.restore);
        if (targets.original) {
            const original = this.postgresInstance(args, { ...targets.original, name }, keyGrant, retention);
            this.ownDatabaseAndUser(name, original, password, { ...childOpts, retainOnDelete: true }, protect);
        }
        const current = `${name}${targets.current.suffix}`;
        this.instance = this.postgresInstance(args, { ...targets.current, name: current }, keyGrant, retention);
        if (!db.restore || db.restore.from === "dump") {
            this.ownDatabaseAndUser(current, this.instance, password, childOpts, protect);
        }
        this.host = this.instance.privateIpAddress;
        this.password = pulumi.secret(password.result);
        this.registerOutputs({ host: this.host, connectionName: this.instance.connectionName });
    }

    /** One Cloud SQL instance: the stack's own, or a clone / backup restore (`restore`). */
    private postgresInstance(args: CloudSqlPostgresArgs, at: { name: string; retainOnDelete: boolean; restore?: DatabaseRestore }, keyGrant: pulumi.Resource, retention: ReturnType<typeof backupRetention>): gcp.sql.DatabaseInstance {
        const { region, environment, provider, network } = args;
        const db = args.database;
        const protect = args.protect ?? false;
        const childOpts = { parent: this, provider };
        return new gcp.sql.DatabaseInstance(at.name, {
            ...cloneSource(at.restore, network),
            databaseVersion: "POSTGRES_15",
            region,
            encryptionKeyName: args.key.id,
            // Pulumi-side guard: `pulumi destroy` / a replacing update refuses to delete the instance.
            deletionProtection: db.deletionProtection,
            settings: {
                // The shared-core and db-custom tiers exist only in the Enterprise edition.
                edition: "ENTERPRISE",
                tier: args.tier,
                availabilityType: db.highAvailability ? "REGIONAL" : "ZONAL",
                // API-side guard: the instance cannot be deleted from the console or gcloud either.
                deletionProtectionEnabled: db.deletionProtection,
                diskType: "PD_SSD",
                diskSize: db.allocatedStorageGb,
                diskAutoresize: true,
                diskAutoresizeLimit: db.maxAllocatedStorageGb,
                ipConfiguration: {
                    ipv4Enabled: false,
                    privateNetwork: network.vpc.id,
                    allocatedIpRange: network.privateServicesRange.name,
                    sslMode: "ENCRYPTED_ONLY",
                    enablePrivatePathForGoogleCloudServices: false,
                },
                backupConfiguration: {
                    enabled: true,
                    // Before the dumps, not beside them (windows.ts).
                    startTime: cloudSqlBackupStart,
                    // Backups stay in the instance's region, even when database.crossRegionBackups is
                    // set. Google documents no support for a custom backup location in another region
                    // for a CMEK instance whose key is regional (the key cannot follow the backup), so
                    // asking for asia-south2 risks a failed apply. A loss of asia-south1 is covered
                    // by the dumps instead: the backup job writes them to the India-only dual-region
                    // bucket (storage.ts), readable from asia-south2 (RPO 24 h, lost-region.md).
                    location: region,
                    pointInTimeRecoveryEnabled: true,
                    transactionLogRetentionDays: retention.transactionLogRetentionDays,
                    backupRetentionSettings: { retainedBackups: retention.retainedBackups, retentionUnit: "COUNT" },
                },
                // Keep the automated backups if the instance is ever deleted, and take one last backup
                // on deletion (kept for a year: a deleted database is recoverable long after).
                retainBackupsOnDelete: protect,
                finalBackupConfig: { enabled: true, retentionDays: finalBackupRetentionDays },
                maintenanceWindow: { ...cloudSqlMaintenance, updateTrack: "stable" },
                insightsConfig: { queryInsightsEnabled: true, recordClientAddress: false, recordApplicationTags: true },
                databaseFlags: [
                    { name: "log_connections", value: "on" },
                    { name: "log_disconnections", value: "on" },
                    { name: "log_lock_waits", value: "on" },
                ],
                userLabels: { environment },
            },
        }, {
            ...childOpts,
            protect,
            retainOnDelete: at.retainOnDelete,
            dependsOn: [network.privateServicesConnection, network.peeringCleanup, keyGrant],
        });
    }

    private ownDatabaseAndUser(name: string, instance: gcp.sql.DatabaseInstance, password: random.RandomPassword, childOpts: pulumi.CustomResourceOptions, protect: boolean): void {
        // ABANDON: the database and its owner die with the instance. Deleting them first would fail
        // (objects owned by the user) or destroy the data before the final backup is taken.
        new gcp.sql.Database(`${name}-db`, {
            instance: instance.name,
            name: databaseName,
            deletionPolicy: "ABANDON",
        }, { ...childOpts, protect });
        new gcp.sql.User(`${name}-user`, {
            instance: instance.name,
            name: databaseUser,
            password: password.result,
            deletionPolicy: "ABANDON",
        }, childOpts);
    }
}

/**
 * Where a restored instance's data comes from: a point-in-time clone of the source (on the stack's
 * private services range), or a backup run of the source restored into the new instance. A dump
 * restore starts empty: the restore Job loads it (components/k8s/restoreJob.ts).
 */
function cloneSource(restore: DatabaseRestore | undefined, network: GcpNetwork): Partial<gcp.sql.DatabaseInstanceArgs> {
    if (!restore || restore.from === "dump") {
        return {};
    }
    switch (restore.from) {
        case "pointInTime":
            return { clone: { sourceInstanceName: restore.sourceInstance, pointInTime: restore.time, allocatedIpRange: network.privateServicesRange.name } };
        case "snapshot":
            return { restoreBackupContext: { backupRunId: Number(restore.snapshotId), instanceId: restore.sourceInstance } };
        default: {
            const exhaustive: never = restore;
            throw new Error(`unknown restore ${JSON.stringify(exhaustive)}`);
        }
    }
}
