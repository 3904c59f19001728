/**
 * The app's `bookkeeping-secrets` values (database-url, redis-url, jwt-secret) in Secrets
 * Manager, encrypted with their own KMS key. The JWT signing secret is generated here.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { generateJwtSecret } from "../jwt";
import { wellKnown } from "../naming";
import { EncryptionKey } from "./kms";

export interface SecretStoreArgs {
    /** Physical name prefix, such as `bookkeep-production`. */
    readonly prefix: string;
    readonly databaseUrl: pulumi.Input<string>;
    readonly redisUrl: pulumi.Input<string>;
    /** Protect the secret and its key (production). Default false. */
    readonly protect?: boolean;
    readonly provider: aws.Provider;
    readonly randomProvider: random.Provider;
}

/** The cloud's copy of the app secrets; `AppSecrets` (components/k8s) is the in-cluster Secret. */
export class SecretStore extends pulumi.ComponentResource {
    public readonly secret: aws.secretsmanager.Secret;
    /** HMAC signing secret for the auth service's JWTs; a secret. */
    public readonly jwtSecret: pulumi.Output<string>;

    constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        // Registered as bookkeep:aws:AppSecrets until the rename; the alias keeps it and its children in place.
        super("bookkeep:aws:SecretStore", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "bookkeep:aws:AppSecrets" }] });
        const protect = args.protect ?? false;
        const o = { parent: this, provider: args.provider };
        this.jwtSecret = generateJwtSecret(`${name}-jwt`, { parent: this, provider: args.randomProvider });

        const key = new EncryptionKey(`${name}-kms`, {
            description: `Secrets Manager ${args.prefix}/${wellKnown.appSecret}`,
            alias: `${args.prefix}-secrets`,
            protect,
            provider: args.provider,
        }, { parent: this });
        this.secret = new aws.secretsmanager.Secret(`${name}-secret`, {
            name: `${args.prefix}/${wellKnown.appSecret}`,
            description: "BookKeep service credentials: database-url, redis-url, jwt-secret",
            kmsKeyId: key.arn,
            // Production keeps a deleted secret recoverable for 30 days. Elsewhere it goes at once,
            // so a torn-down stack can be recreated under the same name straight away.
            recoveryWindowInDays: protect ? 30 : 0,
        }, { ...o, protect });
        new aws.secretsmanager.SecretVersion(`${name}-value`, {
            secretId: this.secret.id,
            secretString: pulumi.secret(pulumi.jsonStringify({
                "database-url": args.databaseUrl,
                "redis-url": args.redisUrl,
                "jwt-secret": this.jwtSecret,
            })),
        }, o);
        this.registerOutputs({ secretArn: this.secret.arn });
    }
}
