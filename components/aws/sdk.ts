/**
 * The parts of `@pulumi/aws` this program uses, each from its own module. The package's root
 * module loads every one of its ~250 service namespaces (about 100 ms of every run, real or
 * offline) to reach these; importing them one by one loads only what the program uses.
 * Components import this as `aws` and write `aws.ec2.Vpc` as usual.
 */
import { EventRule } from "@pulumi/aws/cloudwatch/eventRule";
import { EventTarget } from "@pulumi/aws/cloudwatch/eventTarget";
import { LogGroup } from "@pulumi/aws/cloudwatch/logGroup";

export * as acm from "@pulumi/aws/acm";
export * as cloudfront from "@pulumi/aws/cloudfront";
export * as cloudtrail from "@pulumi/aws/cloudtrail";
export * as ec2 from "@pulumi/aws/ec2";
export * as eks from "@pulumi/aws/eks";
export * as elasticache from "@pulumi/aws/elasticache";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as rds from "@pulumi/aws/rds";
export * as route53 from "@pulumi/aws/route53";
export * as s3 from "@pulumi/aws/s3";
export * as secretsmanager from "@pulumi/aws/secretsmanager";
export * as sqs from "@pulumi/aws/sqs";
export * as vpc from "@pulumi/aws/vpc";
export { Provider } from "@pulumi/aws/provider";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export type * as types from "@pulumi/aws/types";

/** Only these: the `cloudwatch` namespace module also loads its Lambda event mixins (~30 ms). */
export const cloudwatch = { EventRule, EventTarget, LogGroup } as const;
