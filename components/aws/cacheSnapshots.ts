/**
 * Hourly ElastiCache snapshots: the required "Hourly: Redis RDB snapshots". ElastiCache takes one
 * automatic snapshot a day; an in-cluster CronJob (the Kubernetes layer runs it from the
 * foundation's `cacheSnapshots`) takes one in each of the other hours, from a replica when the
 * group has one (found when the job runs, so a failover does not point it at the new primary),
 * and keeps the newest `keep`, as an IRSA role that may snapshot this replication group and
 * delete only its hourly snapshots. Snapshots stay encrypted with the cache's key.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { ScheduledCloudJob } from "../foundation";
import { cacheSnapshotSubject } from "../identities";
import { automaticSnapshotHourUtc } from "./cache";
import { policyJson } from "./iam";
import { IrsaRole } from "./irsaRole";

/** Five past every hour but the automatic snapshot's (a second snapshot cannot start beside it). */
const hourlySnapshotSchedule = `5 ${[...Array(24).keys()].filter(h => h !== automaticSnapshotHourUtc).join(",")} * * *`;

export interface CacheSnapshotsArgs {
    readonly environment: Environment;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    /** The replication group (`bookkeep-production-redis`); snapshots are `<group>-hourly-<UTC yyyymmddhh>`. */
    readonly replicationGroupId: string;
    /** The cache's KMS key: snapshots are encrypted with it. */
    readonly keyArn: pulumi.Input<string>;
    /** Hourly snapshots kept (at least 1). */
    readonly keep: number;
    readonly image: string;
    /** Egress to the AWS APIs (ElastiCache, STS). */
    readonly apiPeers: ScheduledCloudJob["networkPeers"];
    readonly oidcProviderArn: pulumi.Input<string>;
    readonly oidcIssuerUrl: pulumi.Input<string>;
    readonly provider: aws.Provider;
}

/** Snapshot this group's nodes into `<group>-hourly-*`, list snapshots, delete only those. */
function cacheSnapshotPolicy(region: string, accountId: pulumi.Input<string>, groupId: string, keyArn: pulumi.Input<string>): pulumi.Output<string> {
    const arn = (kind: string, id: string) => pulumi.interpolate`arn:aws:elasticache:${region}:${accountId}:${kind}:${id}`;
    const hourly = arn("snapshot", `${groupId}-hourly-*`);
    return policyJson(
        { Sid: "FindAReplica", Effect: "Allow", Action: "elasticache:DescribeReplicationGroups", Resource: arn("replicationgroup", groupId) },
        { Sid: "SnapshotTheCache", Effect: "Allow", Action: "elasticache:CreateSnapshot", Resource: [arn("replicationgroup", groupId), arn("cluster", `${groupId}-*`), hourly] },
        { Sid: "RotateHourlySnapshots", Effect: "Allow", Action: "elasticache:DeleteSnapshot", Resource: hourly },
        // Listing has no resource-level permissions.
        { Sid: "ListSnapshots", Effect: "Allow", Action: "elasticache:DescribeSnapshots", Resource: "*" },
        // The snapshot is written with the cache's key, through a grant to ElastiCache.
        { Sid: "DescribeCacheKey", Effect: "Allow", Action: "kms:DescribeKey", Resource: keyArn },
        { Sid: "GrantCacheKeyToElastiCache", Effect: "Allow", Action: "kms:CreateGrant", Resource: keyArn, Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
    );
}

/**
 * Takes this hour's snapshot (unless a retry already did) from a replica, or the one node of a
 * group without replicas, and deletes all but the newest $KEEP hourly ones; the names sort by
 * time. Reads GROUP and KEEP from the environment.
 */
export const snapshotScript = [
    "set -eu",
    "name=\"${GROUP}-hourly-$(date -u +%Y%m%d%H)\"",
    "existing=$(aws elasticache describe-snapshots --snapshot-name \"$name\" --query 'Snapshots[].SnapshotName' --output text 2>/dev/null || true)",
    "if [ \"$existing\" != \"$name\" ]; then",
    // The replicas first, then every member: the first word is a replica if there is one.
    "  nodes=$(aws elasticache describe-replication-groups --replication-group-id \"$GROUP\" --output text \\",
    "    --query \"ReplicationGroups[0].[NodeGroups[0].NodeGroupMembers[?CurrentRole=='replica'].CacheClusterId, MemberClusters][]\")",
    "  set -- $nodes",
    "  aws elasticache create-snapshot --cache-cluster-id \"$1\" --snapshot-name \"$name\" --query 'Snapshot.SnapshotName' --output text",
    "fi",
    // An assignment, so a failed listing fails the job (a pipeline would hide it without pipefail).
    "snapshots=$(aws elasticache describe-snapshots --snapshot-source user --query 'Snapshots[].SnapshotName' --output text)",
    "for old in $(printf '%s\\n' $snapshots | grep \"^${GROUP}-hourly-\" | sort | head -n \"-${KEEP}\"); do",
    "  aws elasticache delete-snapshot --snapshot-name \"$old\" --query 'Snapshot.SnapshotName' --output text",
    "done",
].join("\n");

export class CacheSnapshots extends pulumi.ComponentResource {
    public readonly role: IrsaRole;
    public readonly job: ScheduledCloudJob;

    constructor(name: string, args: CacheSnapshotsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:CacheSnapshots", name, {}, opts);
        const subject = cacheSnapshotSubject(args.environment);
        this.role = new IrsaRole(`${name}-identity`, {
            description: `BookKeep hourly snapshots of ElastiCache ${args.replicationGroupId}`,
            oidcProviderArn: args.oidcProviderArn,
            oidcIssuerUrl: args.oidcIssuerUrl,
            subject,
            policy: cacheSnapshotPolicy(args.region, args.accountId, args.replicationGroupId, args.keyArn),
            provider: args.provider,
        }, { parent: this });
        this.job = {
            subject,
            schedule: hourlySnapshotSchedule,
            image: args.image,
            script: pulumi.output(snapshotScript),
            env: [
                { name: "AWS_REGION", value: args.region },
                { name: "GROUP", value: args.replicationGroupId },
                { name: "KEEP", value: String(args.keep) },
            ],
            serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": this.role.arn },
            identityGrants: this.role.grants,
            networkPeers: args.apiPeers,
            ports: [443],
        };
        this.registerOutputs({ roleArn: this.role.arn });
    }
}
