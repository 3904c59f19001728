/**
 * IAM and resource-policy documents used across the AWS foundation. Pure: they take ARNs and
 * return documents, so the least-privilege shape is readable in one place.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { WorkloadSubject } from "../identities";

export type Statement = aws.types.input.iam.PolicyStatement;

export function policyJson(...statements: pulumi.Input<Statement>[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/** Trust policy letting an AWS service assume a role, confined to this account. */
export function serviceTrustPolicy(service: string, accountId: pulumi.Input<string>): pulumi.Output<string> {
    return policyJson({
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        // Confused-deputy guard: only this account's resources may use the role.
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    });
}

/** Trust policy for roles only EC2/EKS assume (no SourceAccount context is sent by these). */
export function plainServiceTrustPolicy(service: string): pulumi.Output<string> {
    return policyJson({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" });
}

/**
 * IRSA trust: only the named Kubernetes service account, presenting a token minted for STS by the
 * cluster's OIDC issuer, may assume the role.
 */
export function irsaTrustPolicy(oidcProviderArn: pulumi.Input<string>, issuerUrl: pulumi.Input<string>, subject: WorkloadSubject): pulumi.Output<string> {
    return pulumi.output(issuerUrl).apply(url => {
        const issuer = url.replace(/^https:\/\//, "");
        return policyJson({
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: {
                    [`${issuer}:sub`]: `system:serviceaccount:${subject.namespace}:${subject.serviceAccount}`,
                    [`${issuer}:aud`]: "sts.amazonaws.com",
                },
            },
        });
    });
}

/** The account root statement every customer-managed key policy needs so IAM policies can grant use. */
export function keyAdminStatement(accountId: pulumi.Input<string>): Statement {
    return {
        Sid: "EnableIamPolicies",
        Effect: "Allow",
        Principal: { AWS: pulumi.interpolate`arn:aws:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
    };
}

/** Deny any request to the bucket that does not arrive over TLS. */
export function tlsOnlyStatement(bucketArn: pulumi.Input<string>): Statement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, pulumi.interpolate`${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/** ARN of a CloudTrail trail, known before it exists (policies that name it must precede it). */
export function trailArn(accountId: pulumi.Input<string>, region: string, trailName: string): pulumi.Output<string> {
    return pulumi.interpolate`arn:aws:cloudtrail:${region}:${accountId}:trail/${trailName}`;
}

/**
 * Key policy for the logs key: the CloudWatch Logs service of this region may use it, but only for
 * this account's log groups (the encryption context names the log group); when `trailName` is
 * given, that CloudTrail trail may encrypt its log files with it (and describe it, which
 * CloudTrail checks when the trail is created or updated).
 */
export function logsKeyPolicy(accountId: pulumi.Input<string>, region: string, trailName?: string): pulumi.Output<string> {
    const statements: pulumi.Input<Statement>[] = [keyAdminStatement(accountId), {
        Sid: "AllowCloudWatchLogs",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": pulumi.interpolate`arn:aws:logs:${region}:${accountId}:log-group:*` } },
    }];
    if (trailName !== undefined) {
        const fromTrail = { "aws:SourceArn": trailArn(accountId, region, trailName) };
        statements.push({
            Sid: "AllowCloudTrailEncrypt",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:GenerateDataKey*",
            Resource: "*",
            Condition: {
                StringEquals: fromTrail,
                StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": pulumi.interpolate`arn:aws:cloudtrail:*:${accountId}:trail/*` },
            },
        }, {
            Sid: "AllowCloudTrailDescribe",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:DescribeKey",
            Resource: "*",
            Condition: { StringEquals: fromTrail },
        });
    }
    return policyJson(...statements);
}
