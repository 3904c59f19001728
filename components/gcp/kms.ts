/**
 * Cloud KMS keys for customer-managed encryption (CMEK): one key per consumer, so access can be
 * granted (and revoked) per service agent. Keys live in the region of the data they protect, as
 * CMEK requires; the DR ring in the second Indian region serves the Secret Manager replica there.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { GcpStackConfig } from "../../stacks/schema";

/** Keys rotate every 90 days; old versions stay to decrypt existing data. */
export const keyRotationPeriod = "7776000s";

export type KeyPurpose = "gke-secrets" | "disks" | "cloudsql" | "redis" | "storage" | "secrets" | "secrets-dr";

export interface KmsKeysArgs {
    readonly config: GcpStackConfig;
    readonly provider: gcp.Provider;
    /** Protect stateful resources from deletion (production); computed once by the foundation. */
    readonly protect: boolean;
}

export class KmsKeys extends pulumi.ComponentResource {
    public readonly keyRing: gcp.kms.KeyRing;
    public readonly drKeyRing: gcp.kms.KeyRing;
    public readonly keys: Record<KeyPurpose, gcp.kms.CryptoKey>;

    constructor(name: string, args: KmsKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:KmsKeys", name, {}, opts);
        const { config, provider } = args;
        // Key rings and keys can never be deleted in GCP, and losing a key loses the data under it:
        // production protects them; names are auto-suffixed so a recreated stack never collides.
        const protect = args.protect;
        const childOpts = { parent: this, provider, protect };
        this.keyRing = new gcp.kms.KeyRing(`${name}-ring`, { location: config.gcp.region }, childOpts);
        this.drKeyRing = new gcp.kms.KeyRing(`${name}-dr-ring`, { location: config.gcp.drRegion }, childOpts);
        const key = (purpose: KeyPurpose, ring: gcp.kms.KeyRing) => new gcp.kms.CryptoKey(`${name}-${purpose}`, {
            keyRing: ring.id,
            purpose: "ENCRYPT_DECRYPT",
            rotationPeriod: keyRotationPeriod,
            labels: { purpose },
        }, childOpts);
        this.keys = {
            "gke-secrets": key("gke-secrets", this.keyRing),
            disks: key("disks", this.keyRing),
            cloudsql: key("cloudsql", this.keyRing),
            redis: key("redis", this.keyRing),
            storage: key("storage", this.keyRing),
            secrets: key("secrets", this.keyRing),
            "secrets-dr": key("secrets-dr", this.drKeyRing),
        };
        this.registerOutputs({ keyRing: this.keyRing.id, drKeyRing: this.drKeyRing.id });
    }
}

/** Lets a Google service agent use a key (and nothing else of KMS). */
export function grantKeyUse(name: string, key: gcp.kms.CryptoKey, member: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): gcp.kms.CryptoKeyIAMMember {
    return new gcp.kms.CryptoKeyIAMMember(name, {
        cryptoKeyId: key.id,
        role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
        member,
    }, opts);
}
