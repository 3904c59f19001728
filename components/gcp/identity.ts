/**
 * Workload Identity: one Google service account per identity-bearing workload, impersonable only
 * by that workload's Kubernetes service account (`<project>.svc.id.goog[<namespace>/<name>]`),
 * with the least privilege its job needs.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { elasticsearchSnapshotPrefix, IdentityWorkload, workloadSubject } from "../identities";
import { Environment } from "../../stacks/schema";

/**
 * Exactly what cert-manager's Cloud DNS DNS-01 solver calls, given the zone name (hostedZoneName):
 * create and delete the TXT challenge record, and poll the change. The predefined roles/dns.admin
 * would also let it delete zones and change DNSSEC.
 */
export const dns01Permissions = [
    "dns.changes.create",
    "dns.changes.get",
    "dns.changes.list",
    "dns.managedZones.get",
    "dns.resourceRecordSets.create",
    "dns.resourceRecordSets.delete",
    "dns.resourceRecordSets.get",
    "dns.resourceRecordSets.list",
    "dns.resourceRecordSets.update",
] as const;

/**
 * What the backup job holds on the backups bucket: create only. The permissions are those Google
 * lists for the predefined role; the uploader's test checks every call it makes against them.
 */
export const backupWriterRole = {
    role: "roles/storage.objectCreator",
    permissions: [
        "orgpolicy.policy.get",
        "resourcemanager.projects.get",
        "resourcemanager.projects.list",
        "storage.folders.create",
        "storage.managedFolders.create",
        "storage.multipartUploads.abort",
        "storage.multipartUploads.create",
        "storage.multipartUploads.listParts",
        "storage.objects.create",
    ],
} as const;

export interface WorkloadIdentitiesArgs {
    /** Project of the service accounts and the custom role. */
    readonly project: string;
    /** Names the accounts and role, and the workloads' Kubernetes namespaces. */
    readonly environment: Environment;
    readonly provider: gcp.Provider;
    /** Workload Identity pool of the cluster (`<project>.svc.id.goog`), an output of the cluster. */
    readonly workloadPool: pulumi.Input<string>;
    /** The backups bucket: the backup job may only create objects in it. */
    readonly backupsBucket: gcp.storage.Bucket;
    /** The dump a `database.restore` loads: the backup identity may read that one object. Default none. */
    readonly restoreDump?: string;
    /** The traces bucket: Tempo's objects, and nothing else. */
    readonly tracesBucket: gcp.storage.Bucket;
    /** The public zone: cert-manager may only edit records in it. */
    readonly zone: gcp.dns.ManagedZone;
}

export class WorkloadIdentities extends pulumi.ComponentResource {
    public readonly accounts: Record<IdentityWorkload, gcp.serviceaccount.Account>;
    /** Per workload: its Workload Identity binding and every role granted to its account. */
    public readonly grants: Readonly<Record<IdentityWorkload, pulumi.Resource[]>>;

    constructor(name: string, args: WorkloadIdentitiesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:WorkloadIdentities", name, {}, opts);
        const { project, environment, provider } = args;
        const childOpts = { parent: this, provider };
        const grants: Record<IdentityWorkload, pulumi.Resource[]> = { "backup": [], "cert-manager": [], "elasticsearch": [], "tempo": [], "velero": [] };
        this.grants = grants;

        const account = (workload: IdentityWorkload) => {
            const sa = new gcp.serviceaccount.Account(`${name}-${workload}`, {
                project,
                accountId: `bk-${environment}-${workload}`,
                displayName: `BookKeep ${environment} ${workload}`,
            }, childOpts);
            const subject = workloadSubject(workload, environment);
            grants[workload].push(new gcp.serviceaccount.IAMMember(`${name}-${workload}-wi`, {
                serviceAccountId: sa.name,
                role: "roles/iam.workloadIdentityUser",
                member: pulumi.interpolate`serviceAccount:${args.workloadPool}[${subject.namespace}/${subject.serviceAccount}]`,
            }, childOpts));
            return sa;
        };
        this.accounts = { "backup": account("backup"), "cert-manager": account("cert-manager"), "elasticsearch": account("elasticsearch"), "tempo": account("tempo"), "velero": account("velero") };

        // Create-only on the one bucket: a compromised backup job can neither read nor delete dumps.
        grants.backup.push(new gcp.storage.BucketIAMMember(`${name}-backup-writer`, {
            bucket: args.backupsBucket.name,
            role: backupWriterRole.role,
            member: this.accounts.backup.member,
        }, childOpts));
        if (args.restoreDump) {
            // The restore Job downloads the one dump it loads as the backup identity: that object only.
            grants.backup.push(new gcp.storage.BucketIAMMember(`${name}-backup-restore-dump`, {
                bucket: args.backupsBucket.name,
                role: "roles/storage.objectViewer",
                member: this.accounts.backup.member,
                condition: {
                    title: "restore-dump-only",
                    expression: pulumi.interpolate`resource.name == "projects/_/buckets/${args.backupsBucket.name}/objects/${args.restoreDump}"`,
                },
            }, childOpts));
        }

        // Elasticsearch's snapshot repository: objects under its prefix only (read, write, delete
        // for snapshot retention); listing and the bucket lookup need the bucket-level reader.
        grants.elasticsearch.push(new gcp.storage.BucketIAMMember(`${name}-elasticsearch-snapshots`, {
            bucket: args.backupsBucket.name,
            role: "roles/storage.objectAdmin",
            member: this.accounts.elasticsearch.member,
            condition: {
                title: "elasticsearch-snapshots-only",
                expression: pulumi.interpolate`resource.name.startsWith("projects/_/buckets/${args.backupsBucket.name}/objects/${elasticsearchSnapshotPrefix}/")`,
            },
        }, childOpts));
        grants.elasticsearch.push(new gcp.storage.BucketIAMMember(`${name}-elasticsearch-bucket`, {
            bucket: args.backupsBucket.name,
            role: "roles/storage.legacyBucketReader",
            member: this.accounts.elasticsearch.member,
        }, childOpts));
        // Velero lists, reads and deletes its own backups (it expires them by TTL). Volumes are
        // snapshotted through CSI by GKE's PD driver, so it holds no Compute rights.
        grants.velero.push(new gcp.storage.BucketIAMMember(`${name}-velero-objects`, {
            bucket: args.backupsBucket.name,
            role: "roles/storage.objectAdmin",
            member: this.accounts.velero.member,
        }, childOpts));
        // The GCS plugin signs download URLs (`velero backup logs`/`describe`) with its own key via signBlob.
        grants.velero.push(new gcp.serviceaccount.IAMMember(`${name}-velero-sign`, {
            serviceAccountId: this.accounts.velero.name,
            role: "roles/iam.serviceAccountTokenCreator",
            member: this.accounts.velero.member,
        }, childOpts));

        // Tempo writes, reads, lists and (its compactor's retention) deletes blocks in its own bucket;
        // at start it reads the bucket's attributes (storage.buckets.get), which only the
        // bucket-level reader grants: without it every replica crash-loops on a 403.
        grants.tempo.push(new gcp.storage.BucketIAMMember(`${name}-tempo-objects`, {
            bucket: args.tracesBucket.name,
            role: "roles/storage.objectAdmin",
            member: this.accounts.tempo.member,
        }, childOpts));
        grants.tempo.push(new gcp.storage.BucketIAMMember(`${name}-tempo-bucket`, {
            bucket: args.tracesBucket.name,
            role: "roles/storage.legacyBucketReader",
            member: this.accounts.tempo.member,
        }, childOpts));

        // Cloud DNS supports IAM on a single managed zone: the DNS-01 role is granted there, not on
        // the project, so cert-manager cannot touch any other zone.
        const dns01 = new gcp.projects.IAMCustomRole(`${name}-dns01`, {
            project,
            roleId: `bookkeep_${environment}_dns01_solver`,
            title: `BookKeep ${environment} ACME DNS-01 solver`,
            description: "Create and delete ACME challenge TXT records (cert-manager)",
            permissions: [...dns01Permissions],
            stage: "GA",
        }, childOpts);
        grants["cert-manager"].push(new gcp.dns.DnsManagedZoneIamMember(`${name}-cert-manager-dns`, {
            managedZone: args.zone.name,
            role: dns01.name,
            member: this.accounts["cert-manager"].member,
        }, childOpts));

        this.registerOutputs({});
    }
}
