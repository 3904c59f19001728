/**
 * IRSA roles for the in-cluster workloads that call AWS APIs, each limited to what it does:
 * the backup job writes into the backups bucket; cert-manager answers DNS-01 challenges in the zone;
 * Elasticsearch keeps its snapshots under one prefix of the backups bucket; Tempo keeps traces in
 * the traces bucket.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { elasticsearchSnapshotPrefix, IdentityWorkload, workloadSubject } from "../identities";
import { policyJson } from "./iam";
import { IrsaRole } from "./irsaRole";

export interface WorkloadIdentitiesArgs {
    readonly environment: Environment;
    readonly oidcProviderArn: pulumi.Input<string>;
    readonly oidcIssuerUrl: pulumi.Input<string>;
    readonly backupsBucketArn: pulumi.Input<string>;
    readonly backupsKeyArn: pulumi.Input<string>;
    /** The dump a `database.restore` loads: the backup identity may read that one object. Default none. */
    readonly restoreDump?: string;
    readonly zoneArn: pulumi.Input<string>;
    readonly tracesBucketArn: pulumi.Input<string>;
    readonly tracesKeyArn: pulumi.Input<string>;
    readonly provider: aws.Provider;
}

/**
 * Backup uploader: put objects (multipart included) into the backups bucket; no reads, but for the
 * one dump a restore names (`restoreDump`), which the restore Job downloads as this identity.
 */
export function backupPolicy(bucketArn: pulumi.Input<string>, keyArn: pulumi.Input<string>, restoreDump?: string): pulumi.Output<string> {
    return policyJson(
        { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: pulumi.interpolate`${bucketArn}/*` },
        // SSE-KMS uploads need a data key; multipart uploads also decrypt it to complete.
        { Sid: "EncryptBackups", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: keyArn },
        ...(restoreDump ? [{ Sid: "ReadTheRestoreDump", Effect: "Allow" as const, Action: "s3:GetObject", Resource: pulumi.interpolate`${bucketArn}/${restoreDump}` }] : []),
    );
}

/**
 * Elasticsearch's snapshot repository: read, write and delete (snapshot retention) under
 * `<prefix>/` of the backups bucket only, listing only that prefix.
 */
export function snapshotRepositoryPolicy(bucketArn: pulumi.Input<string>, keyArn: pulumi.Input<string>, prefix: string): pulumi.Output<string> {
    return policyJson(
        { Sid: "ListSnapshots", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringLike: { "s3:prefix": [prefix, `${prefix}/*`] } } },
        { Sid: "FindUploads", Effect: "Allow", Action: ["s3:ListBucketMultipartUploads", "s3:GetBucketLocation"], Resource: bucketArn },
        {
            Sid: "ReadWriteSnapshots",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: pulumi.interpolate`${bucketArn}/${prefix}/*`,
        },
        { Sid: "EncryptSnapshots", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: keyArn },
    );
}

/**
 * Velero's object store: read, write and delete under `velero/` only (it expires its own backups),
 * with the backups key for SSE-KMS. No EC2 rights: volumes are snapshotted through CSI, by the EBS
 * CSI controller's own role.
 */
export function veleroPolicy(bucketArn: pulumi.Input<string>, keyArn: pulumi.Input<string>): pulumi.Output<string> {
    return policyJson(
        {
            Sid: "VeleroObjects",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: pulumi.interpolate`${bucketArn}/velero/*`,
        },
        { Sid: "VeleroList", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringLike: { "s3:prefix": ["velero/*", "velero/"] } } },
        { Sid: "VeleroKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: keyArn },
    );
}

/**
 * Tempo's trace store: Tempo's documented minimal policy (objects and their tags, listing) on the
 * traces bucket alone, with its key for SSE-KMS. Delete is the compactor's retention.
 */
export function tempoPolicy(bucketArn: pulumi.Input<string>, keyArn: pulumi.Input<string>): pulumi.Output<string> {
    return policyJson(
        { Sid: "ListTraces", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
        {
            Sid: "ReadWriteTraces",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:AbortMultipartUpload"],
            Resource: pulumi.interpolate`${bucketArn}/*`,
        },
        { Sid: "EncryptTraces", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: keyArn },
    );
}

/** cert-manager's documented Route 53 policy, narrowed to ACME challenge TXT records in one zone. */
export function certManagerPolicy(zoneArn: pulumi.Input<string>): pulumi.Output<string> {
    return policyJson(
        { Sid: "ChangeStatus", Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" },
        { Sid: "ReadZone", Effect: "Allow", Action: "route53:ListResourceRecordSets", Resource: zoneArn },
        {
            Sid: "WriteChallenges",
            Effect: "Allow",
            Action: "route53:ChangeResourceRecordSets",
            Resource: zoneArn,
            // Every change in a batch must be a TXT record under _acme-challenge: cert-manager
            // cannot repoint api.<domain> or the CDN.
            Condition: {
                "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
                "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
            },
        },
        // Lookup by name has no resource-level permissions.
        { Sid: "FindZone", Effect: "Allow", Action: "route53:ListHostedZonesByName", Resource: "*" },
    );
}

export class WorkloadIdentities extends pulumi.ComponentResource {
    public readonly roles: Readonly<Record<IdentityWorkload, IrsaRole>>;

    constructor(name: string, args: WorkloadIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:WorkloadIdentities", name, {}, opts);
        const role = (workload: IdentityWorkload, description: string, policy: pulumi.Output<string>) =>
            new IrsaRole(`${name}-${workload}`, {
                description,
                oidcProviderArn: args.oidcProviderArn,
                oidcIssuerUrl: args.oidcIssuerUrl,
                subject: workloadSubject(workload, args.environment),
                policy,
                provider: args.provider,
            }, { parent: this });
        this.roles = {
            "backup": role("backup", "BookKeep database backup job: upload to the backups bucket", backupPolicy(args.backupsBucketArn, args.backupsKeyArn, args.restoreDump)),
            "cert-manager": role("cert-manager", "cert-manager: ACME DNS-01 challenges in the BookKeep zone", certManagerPolicy(args.zoneArn)),
            "elasticsearch": role("elasticsearch", "Elasticsearch snapshots in the backups bucket",
                snapshotRepositoryPolicy(args.backupsBucketArn, args.backupsKeyArn, elasticsearchSnapshotPrefix)),
            "tempo": role("tempo", "Tempo: trace blocks in the traces bucket", tempoPolicy(args.tracesBucketArn, args.tracesKeyArn)),
            "velero": role("velero", "Velero: whole-cluster backups under velero/ in the backups bucket", veleroPolicy(args.backupsBucketArn, args.backupsKeyArn)),
        };
        this.registerOutputs({});
    }
}
