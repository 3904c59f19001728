/**
 * An S3 bucket hardened the same way everywhere: its own KMS key (SSE-KMS with bucket keys),
 * versioning, every public-access block on, ACLs disabled (BucketOwnerEnforced) and a bucket
 * policy that refuses plain HTTP. Optionally write-once: S3 Object Lock with a default retention.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { inputError } from "../../stacks/errors";
import { policyJson, Statement, tlsOnlyStatement } from "./iam";
import { EncryptionKey } from "./kms";

type LifecycleRule = aws.types.input.s3.BucketLifecycleConfigurationRule;

export interface SecureBucketArgs {
    /** Globally unique bucket name. */
    readonly bucketName: pulumi.Input<string>;
    /** What the bucket holds; used in the key description. */
    readonly purpose: string;
    /** KMS alias name (without `alias/`). */
    readonly keyAlias: string;
    /** Lifecycle rules. Default: none. */
    readonly lifecycleRules?: LifecycleRule[];
    /**
     * Statements added to the TLS-only bucket policy. Default: none. When the policy must name a
     * resource created after the bucket (CloudFront), pass `ownPolicy: false` and write it there
     * with `bucketPolicyJson`.
     */
    readonly extraPolicyStatements?: pulumi.Input<Statement>[];
    /** Whether this component writes the bucket policy. Default true. */
    readonly ownPolicy?: boolean;
    /**
     * Days every new object version stays undeletable (S3 Object Lock, GOVERNANCE mode, plus a
     * bucket policy that denies the governance bypass to everyone). Default: no lock. Keep it at
     * or below the shortest time the lifecycle keeps any version, or the lock outlives the rules.
     */
    readonly objectLockDays?: number;
    /** Protect the bucket and its key (production). Default false. */
    readonly protect?: boolean;
    readonly provider: aws.Provider;
}

const defaults = { lifecycleRules: [] as LifecycleRule[], extraPolicyStatements: [] as pulumi.Input<Statement>[], ownPolicy: true, protect: false };

/** The bucket policy: TLS-only plus any extra statements. */
export function bucketPolicyJson(bucketArn: pulumi.Input<string>, extra: pulumi.Input<Statement>[] = []): pulumi.Output<string> {
    return policyJson(tlsOnlyStatement(bucketArn), ...extra);
}

export class SecureBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly key: EncryptionKey;
    public readonly name: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    /** Resources that must exist before anything writes a bucket policy (public access block). */
    public readonly policyPrerequisites: pulumi.Resource[];

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:SecureBucket", name, {}, opts);
        const a = { ...defaults, ...args };
        const lockDays = a.objectLockDays;
        if (lockDays !== undefined && !(Number.isInteger(lockDays) && lockDays >= 1)) {
            throw inputError("bucket", [{ propertyPath: `${name}.objectLockDays`, reason: `must be a whole number of days, at least 1 (got ${lockDays})` }]);
        }
        if (lockDays !== undefined && !a.ownPolicy) {
            throw inputError("bucket", [{ propertyPath: `${name}.ownPolicy`, reason: "must be true with objectLockDays: the lock's bypass deny lives in the bucket policy this component writes" }]);
        }
        const o = { parent: this, provider: a.provider };

        this.key = new EncryptionKey(`${name}-kms`, {
            description: `S3 ${a.purpose}`,
            alias: a.keyAlias,
            protect: a.protect,
            provider: a.provider,
        }, { parent: this });

        this.bucket = new aws.s3.Bucket(`${name}-bucket`, { bucket: a.bucketName, forceDestroy: false }, { ...o, protect: a.protect });
        const bucket = this.bucket.id;
        this.name = this.bucket.bucket;
        this.arn = this.bucket.arn;

        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } }, o);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, o);
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, o);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-sse`, {
            bucket,
            rules: [{
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn },
                // Bucket keys cut KMS requests (and cost) by orders of magnitude.
                bucketKeyEnabled: true,
            }],
        }, o);
        this.policyPrerequisites = [publicAccess];
        const lockStatements: pulumi.Input<Statement>[] = [];
        if (lockDays !== undefined) {
            // Enabled through PutObjectLockConfiguration (allowed on existing versioned buckets since
            // Nov 2023) rather than the bucket's objectLockEnabled argument, which forces a
            // replacement: an existing, protected bucket is locked in place, its objects kept.
            // GOVERNANCE, not COMPLIANCE: a COMPLIANCE lock cannot be shortened or lifted by anyone,
            // root included, so a wrong retention or a lifecycle fix (or a legally required purge)
            // would wait out every locked version. The deny below makes GOVERNANCE nearly as strong:
            // deleting a locked version first needs the bucket policy changed, a reviewed change that
            // CloudTrail records, which neither a stolen CI role nor a single console session gets
            // silently. Lifecycle expiry of a locked version simply waits for its retention to end.
            // The lock applies to versions written after it; uploads must send a checksum
            // (aws-cli v2 does by default).
            new aws.s3.BucketObjectLockConfiguration(`${name}-object-lock`, {
                bucket,
                objectLockEnabled: "Enabled",
                rule: { defaultRetention: { mode: "GOVERNANCE", days: lockDays } },
            }, { ...o, dependsOn: [versioning], protect: a.protect });
            lockStatements.push({
                Sid: "DenyObjectLockBypass",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:BypassGovernanceRetention",
                Resource: pulumi.interpolate`${this.arn}/*`,
            });
        }
        if (a.ownPolicy) {
            new aws.s3.BucketPolicy(`${name}-policy`, {
                bucket,
                policy: bucketPolicyJson(this.arn, [...lockStatements, ...a.extraPolicyStatements]),
            }, { ...o, dependsOn: [publicAccess] });
        }
        if (a.lifecycleRules.length > 0) {
            // Rules on a versioned bucket must see versioning enabled first.
            new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket, rules: a.lifecycleRules }, { ...o, dependsOn: [versioning] });
        }
        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}
