/**
 * A customer-managed KMS key with yearly rotation and a readable alias. Each data store gets its
 * own key so a key policy or grant can never reach more data than the one store it protects.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";

export interface EncryptionKeyArgs {
    /** What the key protects; shown in the console and in CloudTrail. */
    readonly description: string;
    /** Alias name without the `alias/` prefix, such as `bookkeep-production-rds`. */
    readonly alias: string;
    /** Key policy JSON. Default: the AWS default policy (the account root may delegate via IAM). */
    readonly policy?: pulumi.Input<string>;
    /** Protect the key from `pulumi destroy` (production). Default false. */
    readonly protect?: boolean;
    /** Provider of the region the key lives in (keys are regional). */
    readonly provider: aws.Provider;
}

const defaults = { protect: false };

export class EncryptionKey extends pulumi.ComponentResource {
    public readonly key: aws.kms.Key;
    public readonly arn: pulumi.Output<string>;

    constructor(name: string, args: EncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:EncryptionKey", name, {}, opts);
        const a = { ...defaults, ...args };
        const provider = a.provider;
        this.key = new aws.kms.Key(`${name}-key`, {
            description: a.description,
            enableKeyRotation: true,
            // The longest window: a key scheduled for deletion by mistake can still be recovered.
            deletionWindowInDays: 30,
            policy: a.policy,
        }, { parent: this, provider, protect: a.protect });
        new aws.kms.Alias(`${name}-alias`, { name: `alias/${a.alias}`, targetKeyId: this.key.keyId }, { parent: this, provider });
        this.arn = this.key.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
