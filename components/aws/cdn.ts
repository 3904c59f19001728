/**
 * CloudFront in front of the static-assets bucket: origin access control (the bucket stays
 * private), HTTPS only with TLS 1.2+, PriceClass_200 (includes India edge locations), and a
 * certificate for `cdn.<domain>` that CloudFront requires in us-east-1 — the one resource (with
 * its validation) created outside India. It holds no data.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { bucketPolicyJson, SecureBucket } from "./bucket";
import { keyAdminStatement, policyJson } from "./iam";
import { PublishedRecord } from "../foundation";

/** AWS managed policies, by their documented ids. */
export const cachingOptimizedPolicyId = "658327ea-f89d-4fab-a63d-7e88639e58f6";
export const securityHeadersPolicyId = "67f7725c-6f97-4210-82d7-5512b31e9d03";

export interface CdnArgs {
    /** Apex domain; the CDN is served at `cdn.<domain>`. */
    readonly domain: string;
    readonly zoneId: pulumi.Input<string>;
    readonly assets: SecureBucket;
    readonly accountId: pulumi.Input<string>;
    /** Provider for the distribution, DNS records and the assets bucket/key policies. */
    readonly provider: aws.Provider;
    /** The us-east-1 provider, used for the viewer certificate and its validation only. */
    readonly certificateProvider: aws.Provider;
}

export class Cdn extends pulumi.ComponentResource {
    public readonly distribution: aws.cloudfront.Distribution;
    public readonly hostname: string;
    /** The ACM validation record: it must resolve wherever the domain's DNS lives (Cloudflare, with the edge on). */
    public readonly validationRecord: PublishedRecord;

    constructor(name: string, args: CdnArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:Cdn", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        const certOpts = { parent: this, provider: args.certificateProvider };
        this.hostname = `cdn.${args.domain}`;

        const certificate = new aws.acm.Certificate(`${name}-cert`, {
            domainName: this.hostname,
            validationMethod: "DNS",
        }, certOpts);
        const option = certificate.domainValidationOptions.apply(opts => {
            // DNS validation of a single-name certificate always yields exactly one record to publish.
            const first = opts[0];
            if (first === undefined) throw new Error(`ACM returned no DNS validation option for ${this.hostname}`);
            return first;
        });
        const validationRecord = new aws.route53.Record(`${name}-cert-validation`, {
            zoneId: args.zoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 60,
            allowOverwrite: true,
        }, o);
        this.validationRecord = { name: option.resourceRecordName, type: option.resourceRecordType, content: option.resourceRecordValue };
        const validation = new aws.acm.CertificateValidation(`${name}-cert`, {
            certificateArn: certificate.arn,
            validationRecordFqdns: [validationRecord.fqdn],
        }, certOpts);

        const oac = new aws.cloudfront.OriginAccessControl(`${name}-oac`, {
            description: `${this.hostname} to its S3 origin`,
            originAccessControlOriginType: "s3",
            signingBehavior: "always",
            signingProtocol: "sigv4",
        }, o);

        const originId = "static-assets";
        this.distribution = new aws.cloudfront.Distribution(`${name}-distribution`, {
            enabled: true,
            comment: `BookKeep static assets (${this.hostname})`,
            aliases: [this.hostname],
            isIpv6Enabled: true,
            httpVersion: "http2and3",
            origins: [{ originId, domainName: args.assets.bucket.bucketRegionalDomainName, originAccessControlId: oac.id }],
            defaultCacheBehavior: {
                targetOriginId: originId,
                viewerProtocolPolicy: "redirect-to-https",
                allowedMethods: ["GET", "HEAD", "OPTIONS"],
                cachedMethods: ["GET", "HEAD"],
                compress: true,
                cachePolicyId: cachingOptimizedPolicyId,
                responseHeadersPolicyId: securityHeadersPolicyId,
            },
            // Edge locations in India are in PriceClass_200, not PriceClass_100.
            priceClass: "PriceClass_200",
            restrictions: { geoRestriction: { restrictionType: "none" } },
            viewerCertificate: {
                acmCertificateArn: validation.certificateArn,
                sslSupportMethod: "sni-only",
                minimumProtocolVersion: "TLSv1.2_2021",
            },
        }, o);

        // Only this distribution may read the bucket and decrypt with its key.
        const fromDistribution = { StringEquals: { "AWS:SourceArn": this.distribution.arn } };
        new aws.s3.BucketPolicy(`${name}-assets-policy`, {
            bucket: args.assets.bucket.id,
            policy: bucketPolicyJson(args.assets.arn, [{
                Sid: "AllowCloudFrontRead",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "s3:GetObject",
                Resource: pulumi.interpolate`${args.assets.arn}/*`,
                Condition: fromDistribution,
            }]),
        }, { ...o, dependsOn: args.assets.policyPrerequisites });
        new aws.kms.KeyPolicy(`${name}-assets-key-policy`, {
            keyId: args.assets.key.key.keyId,
            policy: policyJson(keyAdminStatement(args.accountId), {
                Sid: "AllowCloudFrontDecrypt",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "kms:Decrypt",
                Resource: "*",
                Condition: fromDistribution,
            }),
        }, o);

        for (const type of ["A", "AAAA"]) {
            new aws.route53.Record(`${name}-${type.toLowerCase()}`, {
                zoneId: args.zoneId,
                name: this.hostname,
                type,
                aliases: [{ name: this.distribution.domainName, zoneId: this.distribution.hostedZoneId, evaluateTargetHealth: false }],
            }, o);
        }
        this.registerOutputs({ hostname: this.hostname, domainName: this.distribution.domainName });
    }
}
