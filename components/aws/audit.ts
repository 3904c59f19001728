/**
 * The account's API audit trail: a multi-region CloudTrail trail homed in the primary region, its log files
 * encrypted with the logs key and integrity-checked (digest files), delivered to a dedicated
 * hardened bucket that only this trail may write to.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { SecureBucket } from "./bucket";
import { trailArn } from "./iam";

export interface AuditTrailArgs {
    /** Physical name prefix, such as `bookkeep-production`; the trail is `<prefix>-audit`. */
    readonly prefix: string;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    /** The logs key; its policy must admit this trail (`logsKeyPolicy(..., trailName)`). */
    readonly logsKeyArn: pulumi.Input<string>;
    /** Protect the trail's bucket and its key (production). Default false. */
    readonly protect?: boolean;
    readonly provider: aws.Provider;
}

/** The trail's name, known up front: the key and bucket policies name it before it exists. */
export function auditTrailName(prefix: string): string {
    return `${prefix}-audit`;
}

export class AuditTrail extends pulumi.ComponentResource {
    public readonly trail: aws.cloudtrail.Trail;
    public readonly bucket: SecureBucket;

    constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:AuditTrail", name, {}, opts);
        const trailName = auditTrailName(args.prefix);
        const fromTrail = { StringEquals: { "aws:SourceArn": trailArn(args.accountId, args.region, trailName) } };

        this.bucket = new SecureBucket(`${name}-logs`, {
            bucketName: pulumi.interpolate`${args.prefix}-cloudtrail-${args.accountId}`,
            purpose: `${args.prefix} CloudTrail logs`,
            keyAlias: `${args.prefix}-s3-cloudtrail`,
            extraPolicyStatements: [
                {
                    Sid: "AWSCloudTrailAclCheck",
                    Effect: "Allow",
                    Principal: { Service: "cloudtrail.amazonaws.com" },
                    Action: "s3:GetBucketAcl",
                    Resource: pulumi.interpolate`arn:aws:s3:::${args.prefix}-cloudtrail-${args.accountId}`,
                    Condition: fromTrail,
                },
                {
                    Sid: "AWSCloudTrailWrite",
                    Effect: "Allow",
                    Principal: { Service: "cloudtrail.amazonaws.com" },
                    Action: "s3:PutObject",
                    Resource: pulumi.interpolate`arn:aws:s3:::${args.prefix}-cloudtrail-${args.accountId}/AWSLogs/${args.accountId}/*`,
                    Condition: { StringEquals: { ...fromTrail.StringEquals, "s3:x-amz-acl": "bucket-owner-full-control" } },
                },
            ],
            protect: args.protect ?? false,
            provider: args.provider,
        }, { parent: this });

        this.trail = new aws.cloudtrail.Trail(`${name}-trail`, {
            name: trailName,
            s3BucketName: this.bucket.name,
            kmsKeyId: args.logsKeyArn,
            enableLogFileValidation: true,
            // IAM, STS, CloudFront and Route 53 record their events only in us-east-1 (since 2021): a
            // single-region Mumbai trail never sees them. A multi-region trail still delivers every
            // log file to the Mumbai bucket, so nothing is stored outside India.
            isMultiRegionTrail: true,
            includeGlobalServiceEvents: true,
            enableLogging: true,
        }, {
            parent: this,
            provider: args.provider,
            // CloudTrail checks on create that it may write to the bucket: its policy must exist.
            dependsOn: [this.bucket],
        });
        this.registerOutputs({ trailArn: this.trail.arn, bucket: this.bucket.name });
    }
}
