/**
 * The database migration Job (`<registry>/migration:<releaseVersion>`, `./migrate up`). The fleet
 * depends on it, and Pulumi waits for a Job to complete, so no service rolls out against an
 * old schema. Its name carries the release version: a new release is a new Job, so it runs again.
 *
 * Before migrating, as the database owner, it creates (or updates) the services' least-privilege
 * login role and its grants, so the fleet never holds the owner's credentials.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { CloudFoundation } from "../foundation";
import { appLabels } from "../naming";
import { appDatabaseRole, appSecretKeys } from "./appSecrets";
import { pgDumpImage } from "./backups";
import { PlatformNamespaces } from "./namespaces";
import { networkPolicy, tcp } from "./networkPolicies";
import { PodBudget } from "./quota";
import { nonRootUid, restrictedContainer, restrictedPod } from "./security";

export interface DatabaseMigrationArgs {
    /** Registry of the migration image (`bookkeep:fleet.imageRegistry`). */
    readonly imageRegistry: string;
    /** The schema release: the migration image's tag and the Job's name (`bookkeep:fleet.releaseVersion`). */
    readonly releaseVersion: string;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The app Secret holding `database-owner-url` and `database-app-password`; referencing it makes the pods wait for it. */
    readonly secret: k8s.core.v1.Secret;
    /** What must complete first (a dump restore Job). Default nothing. */
    readonly after?: pulumi.Resource[];
}

export const migrationBudget: PodBudget = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
/** Within migrationBudget: init containers run before, not beside, the migration, so the quota holds. */
const appRoleBudget: PodBudget = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } };

/** Environment variable the app role's password reaches psql through (`\getenv`), never argv. */
const appPasswordEnv = "APP_DB_PASSWORD";

/**
 * Idempotent psql script, run as the owner: the app role logs in with the Secret's password and
 * may read and write rows, nothing more (no DDL, no role or database creation). The password is a
 * psql variable quoted by `:'...'`, so no value is ever spliced into SQL text; `DBNAME` and `USER`
 * are psql's own variables for the connected database and owner. Default privileges cover the
 * tables and sequences the migration (also the owner) creates afterwards. ALTER ROLE names only
 * LOGIN and PASSWORD: a managed database's owner (RDS master, Cloud SQL built-in user) is not a
 * superuser and may not touch the superuser-only attributes.
 */
export const appRoleSql = `\\getenv app_password ${appPasswordEnv}
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${appDatabaseRole}') THEN
    CREATE ROLE ${appDatabaseRole} LOGIN;
  END IF;
END
$$;
ALTER ROLE ${appDatabaseRole} WITH LOGIN PASSWORD :'app_password';
GRANT CONNECT ON DATABASE :"DBNAME" TO ${appDatabaseRole};
GRANT USAGE ON SCHEMA public TO ${appDatabaseRole};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${appDatabaseRole};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${appDatabaseRole};
ALTER DEFAULT PRIVILEGES FOR ROLE :"USER" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${appDatabaseRole};
ALTER DEFAULT PRIVILEGES FOR ROLE :"USER" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${appDatabaseRole};
`;

/** A release version as a DNS-label fragment: `v1.0.0` -> `v1-0-0`. */
export function versionSlug(version: string): string {
    return version.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50).replace(/-+$/, "");
}

export class DatabaseMigration extends pulumi.ComponentResource {
    public readonly job: k8s.batch.v1.Job;
    public readonly jobName: string;

    constructor(name: string, args: DatabaseMigrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:DatabaseMigration", name, {}, opts);
        const { foundation, namespaces } = args;
        this.jobName = `db-migration-${versionSlug(args.releaseVersion)}`;
        const labels = appLabels("db-migration", "migration");

        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: "db-migration", namespace: namespaces.app, labels },
            automountServiceAccountToken: false,
        }, { parent: this });

        networkPolicy(`${name}-netpol`, "db-migration", namespaces.app, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "db-migration" } },
            egress: [{ to: foundation.postgres.networkPeers, ports: tcp(foundation.postgres.port) }],
        }, { parent: this });

        this.job = new k8s.batch.v1.Job(`${name}-job`, {
            metadata: {
                name: this.jobName,
                namespace: namespaces.app,
                labels: { ...labels, "bookkeep.app/release": versionSlug(args.releaseVersion) },
                // A Job that failed (or is still failing) is replaced on the next `pulumi up`, not left in place.
                annotations: { "pulumi.com/replaceUnready": "true" },
            },
            spec: {
                backoffLimit: 3,
                // Kept a week for its logs. If it has been collected, a later `pulumi up` after a
                // refresh recreates it; `migrate up` is idempotent, so that is harmless.
                ttlSecondsAfterFinished: 7 * 24 * 3600,
                activeDeadlineSeconds: 30 * 60,
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: account.metadata.name,
                        automountServiceAccountToken: false,
                        restartPolicy: "Never",
                        securityContext: restrictedPod(nonRootUid),
                        initContainers: [{
                            name: "app-role",
                            image: pgDumpImage,
                            // The script arrives on stdin (a quoted here-document: the shell expands nothing in it).
                            command: ["/bin/sh", "-c", `set -eu\ntest -n "$${appPasswordEnv}"\npsql "$DATABASE_URL" -X -q -v ON_ERROR_STOP=1 <<'SQL'\n${appRoleSql}SQL`],
                            env: [
                                { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: args.secret.metadata.name, key: appSecretKeys.databaseOwnerUrl } } },
                                { name: appPasswordEnv, valueFrom: { secretKeyRef: { name: args.secret.metadata.name, key: appSecretKeys.databaseAppPassword } } },
                            ],
                            securityContext: restrictedContainer(),
                            resources: { requests: { ...appRoleBudget.requests }, limits: { ...appRoleBudget.limits } },
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        }],
                        containers: [{
                            name: "migrate",
                            image: `${args.imageRegistry}/migration:${args.releaseVersion}`,
                            command: ["./migrate", "up"],
                            env: [{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: args.secret.metadata.name, key: appSecretKeys.databaseOwnerUrl } } }],
                            securityContext: restrictedContainer(),
                            resources: { requests: { ...migrationBudget.requests }, limits: { ...migrationBudget.limits } },
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        }],
                        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
                    },
                },
            },
        }, {
            parent: this,
            ...(args.after ? { dependsOn: args.after } : {}),
            // A Job's pod template is immutable: any change is a replacement, and one with an
            // unchanged name must delete the old Job first.
            deleteBeforeReplace: true,
            // Longer than activeDeadlineSeconds (30 min), so Kubernetes, not Pulumi's default
            // 10-minute await, decides when a slow migration has failed.
            customTimeouts: { create: "35m", update: "35m" },
        });
        this.registerOutputs({ jobName: this.jobName });
    }
}
