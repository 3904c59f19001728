/**
 * What every foundation hands the platform in the same shape, built in one place so the clouds
 * cannot drift apart: connection URLs, the Let's Encrypt ClusterIssuer, the backup lifecycle
 * schedule, exec-plugin kubeconfigs and the generated JWT signing secret.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CertificateIssuer } from "./foundation";

export const letsEncryptProduction = "https://acme-v02.api.letsencrypt.org/directory";
export const letsEncryptIssuerName = "letsencrypt-prod";

/**
 * The cert-manager ClusterIssuer for Let's Encrypt production, solving DNS-01 in `domain`'s zone
 * with the cloud's `solver` (the `dns01` block: `route53`, `cloudDNS`, ...).
 */
export function acmeDns01Issuer(email: string, domain: string, solver: pulumi.Input<Record<string, unknown>>): CertificateIssuer {
    return {
        name: letsEncryptIssuerName,
        spec: pulumi.output(solver).apply(dns01 => ({
            acme: {
                server: letsEncryptProduction,
                email,
                privateKeySecretRef: { name: `${letsEncryptIssuerName}-account-key` },
                solvers: [{ selector: { dnsZones: [domain] }, dns01 }],
            },
        })),
    };
}

/**
 * CAA record values allowing exactly `issuers` to issue certificates, single names and wildcards
 * alike; CAA on the apex covers every name below it.
 */
export function caaRecords(issuers: readonly string[]): string[] {
    return [...issuers.map(ca => `0 issue "${ca}"`), ...issuers.map(ca => `0 issuewild "${ca}"`)];
}

export interface PostgresUrlArgs {
    readonly username: pulumi.Input<string>;
    readonly password: pulumi.Input<string>;
    readonly host: pulumi.Input<string>;
    readonly port: pulumi.Input<number>;
    readonly database: pulumi.Input<string>;
    /** libpq sslmode. Default `require`: every store serves TLS, and no CA is shipped to pods. */
    readonly sslMode?: "disable" | "require" | "verify-ca" | "verify-full";
}

/** `postgres://user:password@host:port/db?sslmode=...`, credentials URL-encoded; a secret. */
export function postgresUrl(args: PostgresUrlArgs): pulumi.Output<string> {
    const sslMode = args.sslMode ?? "require";
    return pulumi.secret(pulumi.all([args.username, args.password, args.host, args.port, args.database])
        .apply(([user, password, host, port, db]) =>
            `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(db)}?sslmode=${sslMode}`));
}

export interface RedisUrlArgs {
    /** AUTH password (Redis 6 default user). */
    readonly password: pulumi.Input<string>;
    readonly host: pulumi.Input<string>;
    readonly port: pulumi.Input<number>;
    /** `rediss://` when true, `redis://` otherwise. */
    readonly tls: boolean;
}

/** `rediss://:password@host:port` (or `redis://`), the password URL-encoded; a secret. */
export function redisUrl(args: RedisUrlArgs): pulumi.Output<string> {
    const scheme = args.tls ? "rediss" : "redis";
    return pulumi.secret(pulumi.all([args.password, args.host, args.port])
        .apply(([password, host, port]) => `${scheme}://:${encodeURIComponent(password)}@${host}:${port}`));
}

/**
 * The backup tiers of the required DR plan, by key prefix in the backups bucket, on every cloud.
 * Cold classes bill a minimum duration, so nothing moves before day 30 and nothing cold is deleted
 * early.
 */
export const backupSchedule = {
    /** Five weeks: every day of the last month. */
    dailyExpireDays: 35,
    coldAfterDays: 30,
    weeklyExpireDays: 365,
    /** Eight years: GST law keeps books for 72 months after the annual return, filed the year after. */
    monthlyExpireDays: 2922,
    /** Replaced or deleted dumps stay recoverable this long (versioning). */
    noncurrentExpireDays: 30,
    /** Abandoned multipart uploads are cleaned up after this many days. */
    abortIncompleteUploadDays: 7,
} as const;

export interface ExecKubeconfigArgs {
    /** Name of the cluster, context and user entries. */
    readonly name: string;
    /** API server URL, with scheme. */
    readonly server: string;
    /** Base64 PEM of the cluster CA. */
    readonly certificateAuthorityData: string;
    /** The client-go exec credential plugin. */
    readonly exec: {
        readonly command: string;
        /** Default none. */
        readonly args?: string[];
        /** Default none. */
        readonly installHint?: string;
        /** Default unset (false). */
        readonly provideClusterInfo?: boolean;
    };
}

/**
 * A kubeconfig (JSON, valid YAML) that authenticates through an exec plugin: short-lived tokens
 * from the caller's own cloud credentials, never a static token or client certificate. Callers
 * wrap it in `pulumi.secret`.
 */
export function execKubeconfig(args: ExecKubeconfigArgs): string {
    const name = args.name;
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: args.server, "certificate-authority-data": args.certificateAuthorityData } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [{
            name,
            user: {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1beta1",
                    command: args.exec.command,
                    ...(args.exec.args ? { args: args.exec.args } : {}),
                    ...(args.exec.installHint ? { installHint: args.exec.installHint } : {}),
                    ...(args.exec.provideClusterInfo !== undefined ? { provideClusterInfo: args.exec.provideClusterInfo } : {}),
                    interactiveMode: "Never",
                },
            },
        }],
    }, null, 2);
}

/** Length of the generated JWT signing secret (HS256 wants at least 32 bytes). */
export const jwtSecretLength = 64;

/**
 * The auth service's HMAC signing secret, generated with @pulumi/random on the foundation's
 * explicit random provider; a secret.
 */
export function generateJwtSecret(resourceName: string, opts: { readonly parent: pulumi.Resource; readonly provider: random.Provider }): pulumi.Output<string> {
    const jwt = new random.RandomPassword(resourceName, { length: jwtSecretLength, special: false }, { parent: opts.parent, provider: opts.provider });
    return pulumi.secret(jwt.result);
}
