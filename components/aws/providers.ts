/**
 * The explicit providers every AWS resource of the foundation uses (default providers are disabled
 * in the stack files). Two are in India; one is the single, named exception to the residency rule.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AwsStackConfig, Environment } from "../../stacks/schema";

/**
 * CloudFront only accepts ACM certificates issued in us-east-1. This provider exists for that
 * certificate (and its validation) alone; no data is stored through it.
 */
export const cloudFrontCertificateRegion = "us-east-1";

export interface AwsProviders {
    /** config.aws.region (Mumbai): everything that holds or processes data. */
    readonly primary: aws.Provider;
    /**
     * config.aws.drRegion (Hyderabad): replicated RDS backups and their KMS key. Only when
     * `database.crossRegionBackups` is on: ap-south-2 is an opt-in region, and a provider for a
     * region the account has not enabled fails every run. Enable it once per account first:
     * `aws account enable-region --region-name ap-south-2` (then wait for ENABLED in
     * `aws account get-region-opt-status --region-name ap-south-2`).
     */
    readonly dr: aws.Provider | undefined;
    /** us-east-1, for the CloudFront viewer certificate only. */
    readonly cloudFrontCertificate: aws.Provider;
    /** Passwords and tokens; registered explicitly because default providers are disabled. */
    readonly random: random.Provider;
}

export function defaultTags(environment: Environment): Record<string, string> {
    return {
        Project: "bookkeep",
        Environment: environment,
        ManagedBy: "pulumi",
        DataResidency: "india",
    };
}

export function createAwsProviders(name: string, config: AwsStackConfig, parent: pulumi.Resource): AwsProviders {
    const tags = { tags: defaultTags(config.environment) };
    return {
        primary: new aws.Provider(`${name}-${config.aws.region}`, { region: config.aws.region, defaultTags: tags }, { parent }),
        dr: config.database.crossRegionBackups
            ? new aws.Provider(`${name}-${config.aws.drRegion}-dr`, { region: config.aws.drRegion, defaultTags: tags }, { parent })
            : undefined,
        cloudFrontCertificate: new aws.Provider(`${name}-${cloudFrontCertificateRegion}-cloudfront-cert`, {
            region: cloudFrontCertificateRegion,
            defaultTags: tags,
        }, { parent }),
        random: new random.Provider(`${name}-random`, {}, { parent }),
    };
}
