/** Connection URLs of the data stores, built alike on every cloud (credentials URL-encoded, always secrets). */
import * as pulumi from "@pulumi/pulumi";

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
