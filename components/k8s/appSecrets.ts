/**
 * The app's `bookkeeping-secrets` Secret, built from the foundation's outputs: every value is a
 * Pulumi secret, so it stays encrypted in state and masked in previews and the offline plan.
 *
 * The services connect as a least-privilege login role (`appDatabaseRole`: DML only, no DDL, no
 * role management), never as the database owner the foundation provisions. The owner's URL is
 * kept under its own key for the migration Job (which creates the app role and its grants before
 * migrating) and the backups.
 *
 * Each service that uses NATS gets its own `nats-url-<service>` carrying its own NATS user (the
 * Nats component generates the passwords), so no service can connect as another.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Environment } from "../../stacks/schema";
import { postgresUrl } from "../connections";
import { CloudFoundation } from "../foundation";
import { wellKnown } from "../naming";
import { PlatformNamespaces } from "./namespaces";

/** The PostgreSQL login role the services use; created and granted by the migration Job. */
export const appDatabaseRole = "bookkeep_app";

/** Keys of the app Secret. */
export const appSecretKeys = {
    /** The app role's URL: what every service reads. */
    databaseUrl: "database-url",
    /** The owner's URL: migration and backups only. */
    databaseOwnerUrl: "database-owner-url",
    /** The app role's password, for the migration Job to set it (never on a command line). */
    databaseAppPassword: "database-app-password",
    redisUrl: "redis-url",
    jwtSecret: "jwt-secret",
    /** One per NATS user: `nats-url-<service>`. */
    natsUrl: wellKnown.natsUrlKey,
} as const;

export interface AppSecretsArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The layer's explicit @pulumi/random provider (default providers are disabled). */
    readonly randomProvider: random.Provider;
    /** Each NATS user's password keyed by service name (Nats.clientPasswords); one `nats-url-<service>` each. */
    readonly natsPasswords: Readonly<Record<string, pulumi.Input<string>>>;
}

/** `nats://<service>:<password>@<host>:4222`; the password is alphanumeric, so nothing needs escaping. */
function natsClientUrl(environment: Environment, service: string, password: string): string {
    return wellKnown.natsUrl(environment).replace(/^nats:\/\//, `nats://${service}:${password}@`);
}

export class AppSecrets extends pulumi.ComponentResource {
    public readonly secret: k8s.core.v1.Secret;
    /** The Secret's name, for secretKeyRef. */
    public readonly secretName: string = wellKnown.appSecret;

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:AppSecrets", name, {}, opts);
        const { environment, foundation, namespaces, randomProvider, natsPasswords } = args;
        const pg = foundation.postgres;
        // Alphanumeric: it travels in a URL and through psql's :'var' quoting with nothing to escape.
        const appPassword = new random.RandomPassword(`${name}-app-db-password`, { length: 32, special: false },
            { parent: this, provider: randomProvider });
        // Same helper (and so the same sslmode) as every foundation's owner URL; only the credentials differ.
        const appUrl = postgresUrl({ username: appDatabaseRole, password: appPassword.result, host: pg.host, port: pg.port, database: pg.database });
        this.secret = new k8s.core.v1.Secret(`${name}-secret`, {
            metadata: { name: this.secretName, namespace: namespaces.app, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: {
                [appSecretKeys.databaseUrl]: appUrl,
                [appSecretKeys.databaseOwnerUrl]: pulumi.secret(pg.url),
                [appSecretKeys.databaseAppPassword]: pulumi.secret(appPassword.result),
                [appSecretKeys.redisUrl]: pulumi.secret(foundation.redis.url),
                [appSecretKeys.jwtSecret]: pulumi.secret(foundation.jwtSecret),
                ...Object.fromEntries(Object.entries(natsPasswords).map(([service, password]) => [
                    appSecretKeys.natsUrl(service),
                    pulumi.secret(pulumi.output(password).apply(p => natsClientUrl(environment, service, p))),
                ])),
            },
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });
        this.registerOutputs({ secretName: this.secretName });
    }
}
