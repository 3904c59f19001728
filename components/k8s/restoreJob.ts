/**
 * The dump restore Job (`database.restore: { from: dump, object }`): loads one of the dumps the
 * backup CronJobs wrote (backups.ts) into the stack's new, empty database, before the migration
 * Job runs (the platform orders them) and so before the fleet. It runs as the backup CronJobs do:
 * the `db-backup` ServiceAccount (the backup workload identity, which may read only this one
 * dump), the same NetworkPolicy (PostgreSQL, the object store, the identity endpoint), the same
 * images and a restricted pod; the owner's URL comes from the app Secret by reference.
 *
 * Idempotent: a database that already has tables is left alone, and the log says so, so the Job
 * recreated after a refresh (or run against the wrong database) never loads a dump twice. The
 * load is one transaction: a failed attempt leaves the database empty, and the retry starts over.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { CloudFoundation } from "../foundation";
import { appLabels } from "../naming";
import { inputError } from "../../stacks/errors";
import { appDatabaseRole, appSecretKeys } from "./appSecrets";
import { cliBudget, dumpBudget, pgDumpImage } from "./backups";
import { PlatformNamespaces } from "./namespaces";
import { PodBudget } from "./quota";
import { nonRootUid, restrictedContainer, restrictedPod } from "./security";

export interface DatabaseRestoreJobArgs {
    /** `database.restore.id`: names the Job (`db-restore-<id>`). */
    readonly id: string;
    /** `database.restore.object`: the dump's key in the backups bucket. */
    readonly object: string;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The app Secret holding `database-owner-url`; referencing it makes the pod wait for it. */
    readonly secret: k8s.core.v1.Secret;
    /** The backup CronJobs' ServiceAccount (DatabaseBackups.serviceAccount). */
    readonly serviceAccount: k8s.core.v1.ServiceAccount;
}

/** The pod's quota share: its containers run one after another, the largest is the PostgreSQL client. */
export const restoreBudget: PodBudget = dumpBudget;

const dumpFile = "/restore/dump.sql.gz";
/** Written by the first step when the database is not empty: the others then do nothing. */
const skipFile = "/restore/skip";

/**
 * Counts the tables in `public` as the owner; any table means a schema is there, so nothing is
 * loaded (the migration, which runs next, creates tables on a fresh database, so an empty one can
 * only be new).
 */
export const checkEmptyScript = [
    "set -eu",
    "tables=$(psql \"$DATABASE_URL\" -X -At -v ON_ERROR_STOP=1 -c \"SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'\")",
    "if [ \"$tables\" != \"0\" ]; then",
    "  echo \"db-restore: the database already has $tables tables in schema public; nothing restored (a dump is loaded only into an empty database)\"",
    `  touch ${skipFile}`,
    "fi",
].join("\n");

/**
 * Loads the dump in one transaction, as the new instance's owner, who then owns every object
 * (the dumps carry no ownership or privileges: backups.ts `dumpScript`). Dumps written before that
 * still grant to the services' role, which the migration creates only afterwards: it is created
 * here first without login (the migration's app-role step gives it its login and password), so
 * those grants apply; their `OWNER TO` names the same owner role on both clouds.
 */
export const loadScript = [
    "set -eu -o pipefail",
    `if [ -e ${skipFile} ]; then exit 0; fi`,
    "psql \"$DATABASE_URL\" -X -q -v ON_ERROR_STOP=1 <<'SQL'",
    "DO $$",
    "BEGIN",
    `  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${appDatabaseRole}') THEN`,
    `    CREATE ROLE ${appDatabaseRole} NOLOGIN;`,
    "  END IF;",
    "END",
    "$$;",
    "SQL",
    `gunzip -c ${dumpFile} | psql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 --single-transaction`,
    "echo \"db-restore: loaded $DUMP_OBJECT\"",
].join("\n");

export class DatabaseRestoreJob extends pulumi.ComponentResource {
    public readonly job: k8s.batch.v1.Job;

    constructor(name: string, args: DatabaseRestoreJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:DatabaseRestoreJob", name, {}, opts);
        const { foundation, namespaces } = args;
        const store = foundation.objectStore;
        if (!store.downloadCommand) {
            throw inputError("dump restore Job", [{ propertyPath: "bookkeep:database.restore", reason: "is a dump, but this cloud's object store has no download command" }]);
        }
        // The name the backup NetworkPolicy selects on; the component tells the two apart.
        const labels = appLabels("db-backup", "restore");
        const ownerUrl = { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: args.secret.metadata.name, key: appSecretKeys.databaseOwnerUrl } } };
        const mounts = [{ name: "restore", mountPath: "/restore" }, { name: "tmp", mountPath: "/tmp" }];
        const postgresResources = { requests: { ...dumpBudget.requests }, limits: { ...dumpBudget.limits } };

        this.job = new k8s.batch.v1.Job(`${name}-job`, {
            metadata: {
                name: `db-restore-${args.id}`,
                namespace: namespaces.app,
                labels,
                // A Job that failed (or is still failing) is replaced on the next `pulumi up`, not left in place.
                annotations: { "pulumi.com/replaceUnready": "true" },
            },
            spec: {
                backoffLimit: 2,
                // Kept a week for its log; recreated after that, it finds the tables and does nothing.
                ttlSecondsAfterFinished: 7 * 24 * 3600,
                activeDeadlineSeconds: 3 * 3600,
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: args.serviceAccount.metadata.name,
                        automountServiceAccountToken: false,
                        restartPolicy: "Never",
                        securityContext: restrictedPod(nonRootUid),
                        initContainers: [{
                            name: "check-empty",
                            image: pgDumpImage,
                            command: ["/bin/sh", "-c", checkEmptyScript],
                            env: [ownerUrl],
                            securityContext: restrictedContainer(),
                            resources: postgresResources,
                            volumeMounts: mounts,
                        }, {
                            name: "download",
                            image: store.uploaderImage,
                            command: ["/bin/sh", "-c", pulumi.interpolate`set -eu\nif [ -e ${skipFile} ]; then exit 0; fi\n${store.downloadCommand(args.object, dumpFile)}`],
                            // CLIs keep caches and credentials under $HOME; the root filesystem is read-only.
                            env: [{ name: "HOME", value: "/tmp" }, ...store.uploaderEnv],
                            securityContext: restrictedContainer(),
                            resources: { requests: { ...cliBudget.requests }, limits: { ...cliBudget.limits } },
                            volumeMounts: mounts,
                        }],
                        containers: [{
                            name: "load",
                            image: pgDumpImage,
                            command: ["/bin/sh", "-c", loadScript],
                            env: [ownerUrl, { name: "DUMP_OBJECT", value: args.object }],
                            securityContext: restrictedContainer(),
                            resources: postgresResources,
                            volumeMounts: mounts,
                        }],
                        // As large as the backup CronJobs' dump volume: what they wrote fits.
                        volumes: [{ name: "restore", emptyDir: { sizeLimit: "20Gi" } }, { name: "tmp", emptyDir: { sizeLimit: "1Gi" } }],
                    },
                },
            },
        }, {
            parent: this,
            dependsOn: [args.secret, ...args.foundation.identityGrants("backup")],
            // A Job's pod template is immutable: any change is a replacement, and one with an
            // unchanged name must delete the old Job first.
            deleteBeforeReplace: true,
            // Longer than activeDeadlineSeconds, so Kubernetes decides when a slow load has failed.
            customTimeouts: { create: "3h5m", update: "3h5m" },
        });
        this.registerOutputs({ jobName: this.job.metadata.name });
    }
}
