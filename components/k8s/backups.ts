/**
 * Logical database backups: the required daily `pg_dump | gzip` at 02:00, plus weekly and monthly
 * copies, uploaded to the backups bucket as the `backup` workload identity (IRSA on AWS, Workload
 * Identity on GCP: no static keys).
 *
 * What each layer of the required backup schedule gives (required: RPO 1 h, RTO 4 h):
 *
 * | layer                                   | provided by                                      | RPO             | RTO (typical)              |
 * |-----------------------------------------|--------------------------------------------------|-----------------|----------------------------|
 * | continuous WAL archiving, PITR          | the managed database (RDS / Cloud SQL automated  | ~5 minutes      | < 1 h: restore to a new    |
 * |                                         | backups, database.backupRetentionDays)           |                 | instance at a timestamp    |
 * | daily full dump (daily/, 02:00)         | this CronJob                                     | 24 h            | 1-2 h: the restore Job     |
 * |                                         |                                                  |                 | loads it into a new        |
 * |                                         |                                                  |                 | instance (restoreJob.ts)   |
 * | weekly full dump (weekly/, Sun 03:00)   | this CronJob                                     | 7 d             | as daily                   |
 * | monthly archive (monthly/, 1st 04:00)   | this CronJob; the bucket's lifecycle moves       | 1 month         | hours (archive-class read) |
 * |                                         | monthly/ to cold storage                         |                 |                            |
 * | Redis snapshots, hourly                 | AWS: ElastiCache's daily automatic snapshot      | 1 h             | minutes: new cache from    |
 * |                                         | (cache.snapshotRetentionDays) plus the hourly    |                 | snapshot; it is a cache    |
 * |                                         | `redis-snapshot` CronJob (CloudCronJob below,    |                 |                            |
 * |                                         | aws.cacheHourlySnapshotsKept). GCP: Memorystore|                 |                            |
 * |                                         | hourly RDB snapshots                             |                 |                            |
 * | documents and dumps                     | bucket versioning (the foundation)               | 0 (every write) | minutes: restore a version |
 * | the cluster and everything in it        | this program (infrastructure as code)            | n/a             | ~1 h: `pulumi up`          |
 *
 * The database's 1 h RPO comes from the managed database's WAL archiving, not from these dumps.
 *
 * The dumps are the copy that survives losing the database service itself (account, project or
 * instance deletion), and the one that moves between clouds.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { CloudFoundation, ScheduledCloudJob } from "../foundation";
import { workloadSubject } from "../identities";
import { appLabels } from "../naming";
import { appSecretKeys } from "./appSecrets";
import { PlatformNamespaces } from "./namespaces";
import { identityEgress, networkPolicy, tcp } from "./networkPolicies";
import { PodBudget } from "./quota";
import { nonRootUid, restrictedContainer, restrictedPod } from "./security";

export interface DatabaseBackupsArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The app Secret holding `database-owner-url`; referencing it makes the pods wait for it. */
    readonly secret: k8s.core.v1.Secret;
}

/** pg_dump matches the server's major version (the described postgres:15-alpine), pinned to a patch. */
export const pgDumpImage = "postgres:15.10-alpine";
export const dumpBudget: PodBudget = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } };
/** A cloud CLI container (the uploader, the cloud's scheduled jobs). */
export const cliBudget: PodBudget = { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
/** The two containers together, for the namespace quota. */
export const backupBudget: PodBudget = { requests: { cpu: "150m", memory: "384Mi" }, limits: { cpu: "1500m", memory: "1536Mi" } };

export interface BackupSchedule {
    readonly suffix: string;
    readonly schedule: string;
    readonly prefix: string;
}

export const backupSchedules: readonly BackupSchedule[] = [
    { suffix: "", schedule: "0 2 * * *", prefix: "daily" },
    { suffix: "-weekly", schedule: "0 3 * * 0", prefix: "weekly" },
    { suffix: "-monthly", schedule: "0 4 1 * *", prefix: "monthly" },
];

/**
 * The dump has a fixed name, and the date is taken once, by the dump container, in IST: the upload
 * then names the object from that file, so a dump that crosses midnight is still found and keyed
 * by the day it started.
 */
const dumpFile = "/backup/bookkeep.sql.gz";
const dateFile = "/backup/date";
const timeZone = "Asia/Kolkata";

/**
 * The dump carries no ownership and no privileges: it is loaded into a new instance, maybe on the
 * other cloud, as that instance's owner, who is no superuser there. A plain dump would otherwise
 * name the old instance's roles (`ALTER ... OWNER TO`, GRANT/REVOKE to cloud-internal roles such
 * as cloudsqlsuperuser), and the restore's one-transaction, stop-on-error load would abort on the
 * first one it may not run. Loaded so, every object belongs to the new owner, and the migration's
 * app-role step, which runs right after the restore, grants the services' role its rights again.
 */
export const dumpScript = `set -eu -o pipefail\ndate +%Y%m%d > ${dateFile}\npg_dump --no-owner --no-privileges "$DATABASE_URL" | gzip > ${dumpFile}`;

type PodSpec = k8s.types.input.core.v1.PodSpec;

/**
 * The CronJob spec the backup jobs share: one run at a time, three runs of history each way, two
 * retries, a hardened pod as `serviceAccountName` with no Kubernetes API token.
 */
function hardenedCronJobSpec(args: {
    schedule: string; timeZone: string; startingDeadlineSeconds: number; activeDeadlineSeconds: number;
    labels: Record<string, string>; serviceAccountName: pulumi.Input<string>; pod: Pick<PodSpec, "initContainers" | "containers" | "volumes">;
}): k8s.types.input.batch.v1.CronJobSpec {
    return {
        schedule: args.schedule,
        timeZone: args.timeZone,
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: args.startingDeadlineSeconds,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            spec: {
                backoffLimit: 2,
                activeDeadlineSeconds: args.activeDeadlineSeconds,
                template: {
                    metadata: { labels: args.labels },
                    spec: {
                        serviceAccountName: args.serviceAccountName,
                        automountServiceAccountToken: false,
                        restartPolicy: "OnFailure",
                        securityContext: restrictedPod(nonRootUid),
                        ...args.pod,
                    },
                },
            },
        },
    };
}

export class DatabaseBackups extends pulumi.ComponentResource {
    public readonly cronJobs: k8s.batch.v1.CronJob[];
    /** The `backup` workload identity's ServiceAccount: the dump restore Job runs as it too. */
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;

    constructor(name: string, args: DatabaseBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:DatabaseBackups", name, {}, opts);
        const { environment, foundation, namespaces } = args;
        const subject = workloadSubject("backup", environment);
        const store = foundation.objectStore;
        const labels = appLabels("db-backup", "backup");

        const account = this.serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: subject.serviceAccount, namespace: namespaces.app, labels, annotations: foundation.serviceAccountAnnotations("backup") },
            // IRSA injects its own projected token and GKE serves identity from the metadata
            // server: neither needs the Kubernetes API token.
            automountServiceAccountToken: false,
        }, { parent: this });

        if (store.uploaderSecret) {
            new k8s.core.v1.Secret(`${name}-uploader-credentials`, {
                metadata: { name: store.uploaderSecret.name, namespace: namespaces.app, labels },
                stringData: pulumi.secret(store.uploaderSecret.stringData),
            }, { parent: this });
        }

        networkPolicy(`${name}-netpol`, "db-backup", namespaces.app, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "db-backup" } },
            egress: [
                { to: foundation.postgres.networkPeers, ports: tcp(foundation.postgres.port) },
                { to: store.networkPeers, ports: tcp(...store.uploaderPorts) },
                // The uploader's cloud credentials (GKE's metadata server).
                ...identityEgress(foundation),
            ],
        }, { parent: this });

        this.cronJobs = backupSchedules.map(s => new k8s.batch.v1.CronJob(`${name}${s.suffix || "-daily"}`, {
            metadata: { name: `db-backup${s.suffix}`, namespace: namespaces.app, labels },
            spec: hardenedCronJobSpec({
                schedule: s.schedule,
                timeZone,
                startingDeadlineSeconds: 3600,
                activeDeadlineSeconds: 3 * 3600,
                labels,
                serviceAccountName: account.metadata.name,
                pod: {
                    // Dump first (init container), then upload: the upload image differs per cloud
                    // and carries no PostgreSQL client.
                    initContainers: [{
                        name: "dump",
                        image: pgDumpImage,
                        command: ["/bin/sh", "-c", dumpScript],
                        env: [
                            { name: "TZ", value: timeZone },
                            { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: args.secret.metadata.name, key: appSecretKeys.databaseOwnerUrl } } },
                        ],
                        securityContext: restrictedContainer(),
                        resources: { requests: { ...dumpBudget.requests }, limits: { ...dumpBudget.limits } },
                        volumeMounts: [{ name: "backup", mountPath: "/backup" }, { name: "tmp", mountPath: "/tmp" }],
                    }],
                    containers: [{
                        name: "upload",
                        image: store.uploaderImage,
                        command: ["/bin/sh", "-c", pulumi.interpolate`set -eu\n${store.uploadCommand(dumpFile, `${s.prefix}/bookkeep-$(cat ${dateFile}).sql.gz`)}`],
                        // CLIs keep caches and credentials under $HOME; the root filesystem is read-only.
                        env: [{ name: "TZ", value: timeZone }, { name: "HOME", value: "/tmp" }, ...store.uploaderEnv],
                        securityContext: restrictedContainer(),
                        resources: { requests: { ...cliBudget.requests }, limits: { ...cliBudget.limits } },
                        volumeMounts: [{ name: "backup", mountPath: "/backup", readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
                    }],
                    volumes: [
                        { name: "backup", emptyDir: { sizeLimit: "20Gi" } },
                        { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
                    ],
                },
            }),
        }, { parent: this, dependsOn: foundation.identityGrants("backup") }));
        this.registerOutputs({});
    }
}

export interface CloudCronJobArgs {
    readonly foundation: CloudFoundation;
    readonly job: ScheduledCloudJob;
}

/**
 * Runs one of the foundation's scheduled cloud jobs (the hourly ElastiCache snapshots) as its own
 * workload identity: a ServiceAccount bound to it, egress to the cloud API only, a hardened pod.
 */
export class CloudCronJob extends pulumi.ComponentResource {
    public readonly cronJob: k8s.batch.v1.CronJob;

    constructor(name: string, args: CloudCronJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:CloudCronJob", name, {}, opts);
        const { job, foundation } = args;
        const { namespace, serviceAccount } = job.subject;
        const labels = appLabels(serviceAccount, "backup");

        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: serviceAccount, namespace, labels, annotations: job.serviceAccountAnnotations },
            automountServiceAccountToken: false,
        }, { parent: this });

        networkPolicy(`${name}-netpol`, serviceAccount, namespace, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": serviceAccount } },
            egress: [{ to: job.networkPeers, ports: tcp(...job.ports) }, ...identityEgress(foundation)],
        }, { parent: this });

        this.cronJob = new k8s.batch.v1.CronJob(name, {
            metadata: { name: serviceAccount, namespace, labels },
            spec: hardenedCronJobSpec({
                schedule: job.schedule,
                timeZone: "Etc/UTC",
                startingDeadlineSeconds: 600,
                activeDeadlineSeconds: 1800,
                labels,
                serviceAccountName: account.metadata.name,
                pod: {
                    containers: [{
                        name: serviceAccount,
                        image: job.image,
                        command: ["/bin/sh", "-c", job.script],
                        // CLIs keep caches and credentials under $HOME; the root filesystem is read-only.
                        env: [{ name: "HOME", value: "/tmp" }, ...job.env],
                        securityContext: restrictedContainer(),
                        resources: { requests: { ...cliBudget.requests }, limits: { ...cliBudget.limits } },
                        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                    }],
                    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
                },
            }),
        }, { parent: this, dependsOn: job.identityGrants });
        this.registerOutputs({});
    }
}
