/**
 * ElastiCache Redis replication group in the isolated data subnets: encrypted at rest (KMS) and
 * in transit (TLS required), AUTH token generated, Multi-AZ with automatic failover when highly
 * available, daily snapshots retained (hourly ones: cacheSnapshots.ts). With `cache.restore` the
 * stack's cache is a new group created from a snapshot (`<group>-<id>`); the group it came from
 * stays, unchanged and retained on delete, until the restore releases it (stacks/restore.ts).
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CacheRestore, restoreTargets } from "../../stacks/restore";
import { CacheConfig } from "../../stacks/schema";
import { redisUrl } from "../connections";
import { EncryptionKey } from "./kms";

export const redisPort = 6379;
/** The hour (UTC) of ElastiCache's daily automatic snapshot; the hourly job leaves it alone. */
export const automaticSnapshotHourUtc = 19;

export interface CacheArgs {
    /** Physical name prefix, such as `bookkeep-production`. */
    readonly prefix: string;
    /** Validated `bookkeep:cache`: HA and snapshot retention. */
    readonly cache: CacheConfig;
    /** ElastiCache node type (`bookkeep:aws.cacheNodeType`). */
    readonly nodeType: string;
    readonly vpcId: pulumi.Input<string>;
    readonly dataSubnetIds: pulumi.Input<string>[];
    /** The only security group admitted on 6379 (the EKS nodes). */
    readonly clientSecurityGroupId: pulumi.Input<string>;
    /** Protect the replication group and its key (production). Default false. */
    readonly protect?: boolean;
    readonly provider: aws.Provider;
    readonly randomProvider: random.Provider;
}

export class Cache extends pulumi.ComponentResource {
    /** The group the stack uses: its own, or the restore. */
    public readonly replicationGroup: aws.elasticache.ReplicationGroup;
    /** `<prefix>-redis`, or `<prefix>-redis-<id>` for a restore. */
    public readonly replicationGroupId: string;
    public readonly key: EncryptionKey;
    public readonly securityGroup: aws.ec2.SecurityGroup;
    public readonly host: pulumi.Output<string>;
    /** `rediss://:<token>@host:6379`; a secret. */
    public readonly url: pulumi.Output<string>;

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:Cache", name, {}, opts);
        const c = args.cache;
        const protect = args.protect ?? false;
        const o = { parent: this, provider: args.provider };
        const id = `${args.prefix}-redis`;

        const key = this.key = new EncryptionKey(`${name}-storage`, {
            description: `ElastiCache ${id}: data at rest and snapshots`,
            alias: `${args.prefix}-elasticache`,
            protect,
            provider: args.provider,
        }, { parent: this });

        // AUTH tokens allow 16-128 printable characters but not @ " /; alphanumeric keeps the URL simple.
        const token = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false }, { parent: this, provider: args.randomProvider });

        const subnetGroup = new aws.elasticache.SubnetGroup(`${name}-subnets`, {
            description: `${id}: isolated data subnets`,
            subnetIds: args.dataSubnetIds,
        }, o);
        this.securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `${id}: Redis from EKS nodes only`,
            tags: { Name: id },
        }, o);
        new aws.vpc.SecurityGroupIngressRule(`${name}-from-nodes`, {
            securityGroupId: this.securityGroup.id,
            referencedSecurityGroupId: args.clientSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: redisPort,
            toPort: redisPort,
            description: "Redis from EKS nodes and pods",
        }, o);

        const shared: SharedParts = { key, token, subnetGroupName: subnetGroup.name };
        const targets = restoreTargets(c.restore);
        if (targets.original) {
            this.restorableGroup(name, args, shared, { ...targets.original, id });
        }
        this.replicationGroupId = `${id}${targets.current.suffix}`;
        this.replicationGroup = this.restorableGroup(name, args, shared, { ...targets.current, id: this.replicationGroupId });
        this.host = this.replicationGroup.primaryEndpointAddress;
        this.url = redisUrl({ password: token.result, host: this.host, port: redisPort, tls: true });
        this.registerOutputs({ host: this.host, url: this.url });
    }

    /**
     * One replication group with its own final snapshot name: the stack's, or a restore (seeded
     * from `restore.snapshotName`, encrypted with the same key, with the same settings and token).
     */
    private restorableGroup(name: string, args: CacheArgs, shared: SharedParts, at: { suffix: string; id: string; retainOnDelete: boolean; restore?: CacheRestore }): aws.elasticache.ReplicationGroup {
        const c = args.cache;
        const protect = args.protect ?? false;
        const { id } = at;
        // A unique final snapshot name, so a recreated stack can be torn down again.
        const finalSnapshotSuffix = new random.RandomId(`${name}-final-snapshot${at.suffix}`, { byteLength: 4 }, { parent: this, provider: args.randomProvider });

        const ha = c.highAvailability;
        return new aws.elasticache.ReplicationGroup(`${name}-redis${at.suffix}`, {
            replicationGroupId: id,
            description: `BookKeep ${args.prefix} cache and sessions`,
            engine: "redis",
            engineVersion: "7.1",
            parameterGroupName: "default.redis7",
            nodeType: args.nodeType,
            port: redisPort,
            // Primary plus one replica in another AZ when highly available.
            numCacheClusters: ha ? 2 : 1,
            automaticFailoverEnabled: ha,
            multiAzEnabled: ha,
            subnetGroupName: shared.subnetGroupName,
            securityGroupIds: [this.securityGroup.id],
            atRestEncryptionEnabled: true,
            kmsKeyId: shared.key.arn,
            transitEncryptionEnabled: true,
            transitEncryptionMode: "required",
            authToken: shared.token.result,
            ...(at.restore ? { snapshotName: at.restore.snapshotName } : {}),
            // ElastiCache takes one automatic snapshot a day; the hourly ones docs/requirements.md asks for are
            // taken by a CronJob (cacheSnapshots.ts).
            snapshotRetentionLimit: c.snapshotRetentionDays,
            snapshotWindow: `${automaticSnapshotHourUtc}:00-${automaticSnapshotHourUtc + 1}:00`,
            maintenanceWindow: "sun:21:00-sun:22:00",
            finalSnapshotIdentifier: pulumi.interpolate`${id}-final-${finalSnapshotSuffix.hex}`,
            autoMinorVersionUpgrade: true,
            applyImmediately: false,
        }, { parent: this, provider: args.provider, protect, retainOnDelete: at.retainOnDelete, additionalSecretOutputs: ["authToken"] });
    }
}

interface SharedParts {
    readonly key: EncryptionKey;
    readonly token: random.RandomPassword;
    readonly subnetGroupName: pulumi.Output<string>;
}
