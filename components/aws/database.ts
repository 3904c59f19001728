/**
 * RDS PostgreSQL 15 in the isolated data subnets: TLS forced, KMS-encrypted storage and
 * Performance Insights, PITR backups (copied to the second Indian region in production),
 * Multi-AZ and deletion protection per environment, and a generated password.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { inputError } from "../../stacks/errors";
import { DatabaseRestore, restoreTargets } from "../../stacks/restore";
import { DatabaseConfig } from "../../stacks/schema";
import { postgresUrl } from "../connections";
import { EncryptionKey } from "./kms";

export const postgresPort = 5432;
export const databaseName = "bookkeep";
export const databaseUser = "bookkeep";
/** The PostgreSQL logs RDS exports to CloudWatch; each gets a pre-created, encrypted log group. */
export const exportedLogs = ["postgresql", "upgrade"] as const;

/** UTC, as RDS takes it: 00:00-00:30 IST daily, before the nightly pg_dump (components/k8s/backups.ts). */
export const rdsBackupWindow = "18:30-19:00";
/**
 * UTC: Sunday 22:00-23:00 IST. The logical dumps start at 02:00 (daily), 03:00 (Sunday) and 04:00
 * (the 1st) IST and may run up to their 3 h deadline, so a Monday-morning window (the old 01:30-02:30)
 * restarted or failed over the instance under the daily dump; late Sunday evening is clear of
 * every dump and of the backup window, and is the week's quietest hour for an Indian SaaS.
 */
export const rdsMaintenanceWindow = "sun:16:30-sun:17:30";

export interface DatabaseArgs {
    /** Physical name prefix, such as `bookkeep-production`. */
    readonly prefix: string;
    /** Validated `bookkeep:database`: HA, storage, backups, protection. */
    readonly database: DatabaseConfig;
    /** RDS instance class (`bookkeep:aws.databaseInstanceClass`). */
    readonly instanceClass: string;
    readonly vpcId: pulumi.Input<string>;
    /** Isolated data subnets, one per AZ. */
    readonly dataSubnetIds: pulumi.Input<string>[];
    /** The only security group admitted on 5432 (the EKS nodes). */
    readonly clientSecurityGroupId: pulumi.Input<string>;
    /** KMS key admitting CloudWatch Logs, for the exported PostgreSQL log group. */
    readonly logsKeyArn: pulumi.Input<string>;
    readonly logRetentionDays: number;
    /** Protect the instance, its keys and backup copies (production). Default false. */
    readonly protect?: boolean;
    readonly provider: aws.Provider;
    /** Provider of the second Indian region, for the backup copies. Required when `database.crossRegionBackups`. */
    readonly drProvider?: aws.Provider;
    readonly randomProvider: random.Provider;
}

export class Database extends pulumi.ComponentResource {
    public readonly instance: aws.rds.Instance;
    public readonly securityGroup: aws.ec2.SecurityGroup;
    public readonly address: pulumi.Output<string>;
    /** Generated master password; a secret. */
    public readonly password: pulumi.Output<string>;
    /** `postgres://` URL with credentials and `sslmode=require`; a secret. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.database.crossRegionBackups && !args.drProvider) {
            throw inputError("RDS database", [{
                propertyPath: "bookkeep:database.crossRegionBackups",
                reason: "is true, so a provider for aws.drRegion is required (drProvider); enable the region in the account first",
            }]);
        }
        super("bookkeep:aws:Database", name, {}, opts);
        const d = args.database;
        const protect = args.protect ?? false;
        const o = { parent: this, provider: args.provider };
        const identifier = `${args.prefix}-postgres`;

        const key = new EncryptionKey(`${name}-storage`, {
            description: `RDS ${identifier}: storage, snapshots and Performance Insights`,
            alias: `${args.prefix}-rds`,
            protect,
            provider: args.provider,
        }, { parent: this });

        // Only URL-safe specials, so the password needs no escaping in DATABASE_URL.
        const password = new random.RandomPassword(`${name}-password`, {
            length: 32, special: true, overrideSpecial: "-_", minUpper: 2, minLower: 2, minNumeric: 2,
        }, { parent: this, provider: args.randomProvider });
        this.password = pulumi.secret(password.result);

        const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, {
            description: `${identifier}: isolated data subnets`,
            subnetIds: args.dataSubnetIds,
        }, o);

        this.securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `${identifier}: PostgreSQL from EKS nodes only`,
            tags: { Name: `${identifier}` },
        }, o);
        new aws.vpc.SecurityGroupIngressRule(`${name}-from-nodes`, {
            securityGroupId: this.securityGroup.id,
            referencedSecurityGroupId: args.clientSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: postgresPort,
            toPort: postgresPort,
            description: "PostgreSQL from EKS nodes and pods",
        }, o);

        const parameters = new aws.rds.ParameterGroup(`${name}-params`, {
            family: "postgres15",
            description: `${identifier}: TLS required`,
            parameters: [{ name: "rds.force_ssl", value: "1" }],
        }, o);

        // The copies are encrypted with a key of the destination region (KMS keys are regional).
        const drKey = d.crossRegionBackups && args.drProvider ? new EncryptionKey(`${name}-backups-dr`, {
            description: `RDS ${identifier}: automated backup copies in the DR region`,
            alias: `${args.prefix}-rds-backups-dr`,
            protect,
            provider: args.drProvider,
        }, { parent: this }) : undefined;
        const shared: SharedParts = { key, password, subnetGroup, parameters, drKey };
        // The instance a restore came from stays as it was (same names, so nothing is replaced)
        // and is retained on delete: releasing it drops it from the stack, never deletes it.
        const targets = restoreTargets(d.restore);
        if (targets.original) {
            this.postgresInstance(name, args, shared, { ...targets.original, identifier });
        }
        this.instance = this.postgresInstance(name, args, shared, { ...targets.current, identifier: postgresInstanceName(args.prefix, d.restore) });
        this.address = this.instance.address;

        this.url = postgresUrl({ username: databaseUser, password: password.result, host: this.instance.address, port: postgresPort, database: databaseName });
        this.registerOutputs({ address: this.address, url: this.url });
    }

    /**
     * One PostgreSQL instance with what follows it (exported log groups, a final snapshot name,
     * backup copies in the DR region): the stack's own, or a restore (created from the source's
     * data, so no database or user is named and the password is set after the restore).
     */
    private postgresInstance(name: string, args: DatabaseArgs, shared: SharedParts, at: { suffix: string; identifier: string; retainOnDelete: boolean; restore?: DatabaseRestore }): aws.rds.Instance {
        const d = args.database;
        const protect = args.protect ?? false;
        const o = { parent: this, provider: args.provider, retainOnDelete: at.retainOnDelete };
        const { identifier } = at;
        // Pre-created so the exported logs have a retention and are KMS-encrypted (RDS would create
        // them unencrypted and kept forever).
        const logGroups = exportedLogs.map(log => new aws.cloudwatch.LogGroup(`${name}-${log}-log${at.suffix}`, {
            name: `/aws/rds/instance/${identifier}/${log}`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.logsKeyArn,
        }, o));

        // The final snapshot's name must be unused: a stack torn down, recreated and torn down again
        // would otherwise collide with the first teardown's snapshot and fail to delete the instance.
        const finalSnapshotSuffix = new random.RandomId(`${name}-final-snapshot${at.suffix}`, { byteLength: 4 }, { parent: this, provider: args.randomProvider });

        const instance = new aws.rds.Instance(`${name}-postgres${at.suffix}`, {
            identifier,
            engine: "postgres",
            // Major version pinned; minor versions roll forward in the maintenance window.
            engineVersion: "15",
            autoMinorVersionUpgrade: true,
            allowMajorVersionUpgrade: false,
            instanceClass: args.instanceClass,
            allocatedStorage: d.allocatedStorageGb,
            maxAllocatedStorage: d.maxAllocatedStorageGb,
            storageType: "gp3",
            storageEncrypted: true,
            kmsKeyId: shared.key.arn,
            ...restoreSource(at.restore),
            password: shared.password.result,
            port: postgresPort,
            dbSubnetGroupName: shared.subnetGroup.name,
            vpcSecurityGroupIds: [this.securityGroup.id],
            parameterGroupName: shared.parameters.name,
            publiclyAccessible: false,
            multiAz: d.highAvailability,
            deletionProtection: d.deletionProtection,
            // Automated backups are what PITR restores from: WAL is shipped every five minutes,
            // inside the required 1 h RPO.
            backupRetentionPeriod: d.backupRetentionDays,
            backupWindow: rdsBackupWindow,
            maintenanceWindow: rdsMaintenanceWindow,
            copyTagsToSnapshot: true,
            // Automated backups outlive the instance, so a deleted database can still be restored.
            deleteAutomatedBackups: false,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: pulumi.interpolate`${identifier}-final-${finalSnapshotSuffix.hex}`,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: shared.key.arn,
            performanceInsightsRetentionPeriod: 7,
            enabledCloudwatchLogsExports: [...exportedLogs],
            applyImmediately: false,
        }, { ...o, protect, dependsOn: logGroups });

        if (shared.drKey && args.drProvider) {
            new aws.rds.InstanceAutomatedBackupsReplication(`${name}-backups-dr${at.suffix}`, {
                sourceDbInstanceArn: instance.arn,
                kmsKeyId: shared.drKey.arn,
                retentionPeriod: d.backupRetentionDays,
            }, { parent: this, provider: args.drProvider, protect, retainOnDelete: at.retainOnDelete });
        }
        return instance;
    }
}

interface SharedParts {
    readonly key: EncryptionKey;
    readonly password: random.RandomPassword;
    readonly subnetGroup: aws.rds.SubnetGroup;
    readonly parameters: aws.rds.ParameterGroup;
    readonly drKey?: EncryptionKey;
}

/** The RDS identifier of the stack's current database: its own, or the restore's `<own>-<id>`. */
export function postgresInstanceName(prefix: string, restore?: DatabaseRestore): string {
    return restore ? `${prefix}-postgres-${restore.id}` : `${prefix}-postgres`;
}

/**
 * Where the instance's data comes from. A restore carries the source's database and master user,
 * so `dbName`/`username` are left out (RDS ignores DBName for PostgreSQL restores); every other
 * setting, the password included, is applied to the restored instance as to a new one. A dump
 * restore starts as a new, empty database that the restore Job loads (components/k8s/restoreJob.ts).
 */
function restoreSource(restore?: DatabaseRestore): Partial<aws.rds.InstanceArgs> {
    if (!restore || restore.from === "dump") {
        return { dbName: databaseName, username: databaseUser };
    }
    switch (restore.from) {
        case "pointInTime":
            return { restoreToPointInTime: { sourceDbInstanceIdentifier: restore.sourceInstance, restoreTime: restore.time } };
        case "snapshot":
            return { snapshotIdentifier: restore.snapshotId };
        default: {
            const exhaustive: never = restore;
            throw new Error(`unknown restore ${JSON.stringify(exhaustive)}`);
        }
    }
}
