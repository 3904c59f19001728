/**
 * The application secret bundle in Secret Manager (`bookkeeping-secrets`: database-url, redis-url,
 * jwt-secret). Replication is user-managed to exactly the two Indian regions, each replica under
 * our KMS key in its own region; automatic replication would copy it to any region in the world.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { wellKnown } from "../naming";
import { Environment } from "../../stacks/schema";
import { grantKeyUse } from "./kms";

export interface SecretStoreArgs {
    /** Region of the primary replica. */
    readonly region: string;
    /** Second Indian region, of the other replica. */
    readonly drRegion: string;
    /** Labels the secret. */
    readonly environment: Environment;
    readonly provider: gcp.Provider;
    /** Protect stateful resources from deletion (production); computed once by the foundation. Default false. */
    readonly protect?: boolean;
    /** KMS key in `gcp.region`, for the primary replica. */
    readonly key: gcp.kms.CryptoKey;
    /** KMS key in `gcp.drRegion`, for the second replica. */
    readonly drKey: gcp.kms.CryptoKey;
    /** IAM member of the Secret Manager service agent, which must be able to use both keys. */
    readonly secretManagerAgent: pulumi.Input<string>;
    /** Secret values, keyed as the app Secret expects them. */
    readonly values: Record<string, pulumi.Input<string>>;
}

export class SecretStore extends pulumi.ComponentResource {
    public readonly secret: gcp.secretmanager.Secret;

    constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:SecretStore", name, {}, opts);
        const { region, drRegion, environment, provider } = args;
        const childOpts = { parent: this, provider };
        const grants = [
            grantKeyUse(`${name}-key`, args.key, args.secretManagerAgent, childOpts),
            grantKeyUse(`${name}-dr-key`, args.drKey, args.secretManagerAgent, childOpts),
        ];
        const protect = args.protect ?? false;
        this.secret = new gcp.secretmanager.Secret(`${name}-app`, {
            secretId: wellKnown.appSecret,
            replication: {
                userManaged: {
                    replicas: [
                        { location: region, customerManagedEncryption: { kmsKeyName: args.key.id } },
                        { location: drRegion, customerManagedEncryption: { kmsKeyName: args.drKey.id } },
                    ],
                },
            },
            deletionProtection: protect,
            labels: { environment },
        }, { ...childOpts, protect, dependsOn: grants });

        const payload = pulumi.all(args.values).apply(values => JSON.stringify(values));
        new gcp.secretmanager.SecretVersion(`${name}-app`, {
            secret: this.secret.id,
            secretData: pulumi.secret(payload),
        }, childOpts);

        this.registerOutputs({ secret: this.secret.id });
    }
}
