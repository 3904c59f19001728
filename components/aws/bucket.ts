/**
 * An S3 bucket hardened the same way everywhere: its own KMS key (SSE-KMS with bucket keys),
 * versioning, every public-access block on, ACLs disabled (BucketOwnerEnforced) and a bucket
 * policy that refuses plain HTTP.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
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
        if (a.ownPolicy) {
            new aws.s3.BucketPolicy(`${name}-policy`, {
                bucket,
                policy: bucketPolicyJson(this.arn, a.extraPolicyStatements),
            }, { ...o, dependsOn: [publicAccess] });
        }
        if (a.lifecycleRules.length > 0) {
            // Rules on a versioned bucket must see versioning enabled first.
            new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket, rules: a.lifecycleRules }, { ...o, dependsOn: [versioning] });
        }
        this.registerOutputs({ name: this.name, arn: this.arn });
    }
}
