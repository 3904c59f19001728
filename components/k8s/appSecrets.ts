/**
 * The app's `bookkeeping-secrets` Secret, built from the foundation's outputs: every value is a
 * Pulumi secret, so it stays encrypted in state and masked in previews and the offline plan.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { wellKnown } from "../naming";
import { PlatformNamespaces } from "./namespaces";

export interface AppSecretsArgs {
    readonly config: StackConfig;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
}

export class AppSecrets extends pulumi.ComponentResource {
    public readonly secret: k8s.core.v1.Secret;
    /** The Secret's name, for secretKeyRef. */
    public readonly secretName: string = wellKnown.appSecret;

    constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:AppSecrets", name, {}, opts);
        const { config, foundation, namespaces } = args;
        this.secret = new k8s.core.v1.Secret(`${name}-secret`, {
            metadata: { name: this.secretName, namespace: namespaces.app, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: {
                "database-url": pulumi.secret(foundation.postgres.url),
                "redis-url": pulumi.secret(foundation.redis.url),
                "jwt-secret": pulumi.secret(foundation.jwtSecret),
                "nats-url": pulumi.secret(wellKnown.natsUrl(config.environment)),
            },
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });
        this.registerOutputs({ secretName: this.secretName });
    }
}
