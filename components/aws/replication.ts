/**
 * A copy of a bucket in the second Indian region (ap-south-2): a hardened replica bucket with its
 * own KMS key there (keys are regional), and S3 Replication of every new version and delete marker
 * under a role that may read only the source's versions and write only the replica. What the
 * primary region's loss would take (tenant documents) stays readable in Hyderabad.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { policyJson, serviceTrustPolicy } from "./iam";
import { SecureBucket } from "./bucket";

export interface BucketReplicaArgs {
    readonly source: SecureBucket;
    /** Globally unique name of the replica bucket. */
    readonly bucketName: pulumi.Input<string>;
    readonly purpose: string;
    readonly keyAlias: string;
    readonly accountId: pulumi.Input<string>;
    /** Protect the replica bucket and its key (production). Default false. */
    readonly protect?: boolean;
    /** Provider of the source's region: the role and the replication configuration live there. */
    readonly provider: aws.Provider;
    /** Provider of the second Indian region, for the replica bucket and its key. */
    readonly drProvider: aws.Provider;
}

export class BucketReplica extends pulumi.ComponentResource {
    public readonly replica: SecureBucket;

    constructor(name: string, args: BucketReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:BucketReplica", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        const { source } = args;
        this.replica = new SecureBucket(`${name}-bucket`, {
            bucketName: args.bucketName,
            purpose: args.purpose,
            keyAlias: args.keyAlias,
            protect: args.protect ?? false,
            provider: args.drProvider,
        }, { parent: this });
        const replica = this.replica;

        const role = new aws.iam.Role(`${name}-role`, {
            description: `S3 replication of ${args.purpose}`,
            assumeRolePolicy: serviceTrustPolicy("s3.amazonaws.com", args.accountId),
        }, o);
        new aws.iam.RolePolicy(`${name}-policy`, {
            role: role.id,
            policy: policyJson(
                { Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: source.arn },
                { Effect: "Allow", Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"], Resource: pulumi.interpolate`${source.arn}/*` },
                { Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: pulumi.interpolate`${replica.arn}/*` },
                // SSE-KMS objects: decrypt with the source's key, re-encrypt with the replica's.
                { Effect: "Allow", Action: "kms:Decrypt", Resource: source.key.arn },
                { Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: replica.key.arn },
            ),
        }, o);

        new aws.s3.BucketReplicationConfig(`${name}-replication`, {
            bucket: source.bucket.id,
            role: role.arn,
            rules: [{
                id: "to-dr-region",
                status: "Enabled",
                filter: {},
                deleteMarkerReplication: { status: "Enabled" },
                // SSE-KMS objects are skipped unless asked for.
                sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                destination: {
                    bucket: replica.arn,
                    encryptionConfiguration: { replicaKmsKeyId: replica.key.arn },
                    storageClass: "STANDARD_IA",
                },
            }],
        // Replication needs versioning on both buckets first (the SecureBuckets turn it on).
        }, { ...o, dependsOn: [source, replica] });
        this.registerOutputs({ replica: replica.name });
    }
}
