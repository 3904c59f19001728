/**
 * Cloud KMS keys for customer-managed encryption (CMEK): one key per consumer, so access can be
 * granted (and revoked) per service agent. Keys live in the region of the data they protect, as
 * CMEK requires; the DR ring in the second Indian region serves the Secret Manager replica there.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";

/** Keys rotate every 90 days; old versions stay to decrypt existing data. */
export const keyRotationPeriod = "7776000s";

export type KeyPurpose = "gke-secrets" | "disks" | "cloudsql" | "redis" | "storage" | "secrets" | "secrets-dr";

export interface KmsKeysArgs {
    /** Region of the data the keys protect (CMEK keys must share it). */
    readonly region: string;
    /** Second Indian region: the Secret Manager replica's key. */
    readonly drRegion: string;
    readonly provider: gcp.Provider;
    /** Protect stateful resources from deletion (production); computed once by the foundation. Default false. */
    readonly protect?: boolean;
}

export class KmsKeys extends pulumi.ComponentResource {
    public readonly keyRing: gcp.kms.KeyRing;
    public readonly drKeyRing: gcp.kms.KeyRing;
    public readonly keys: Record<KeyPurpose, gcp.kms.CryptoKey>;

    constructor(name: string, args: KmsKeysArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:KmsKeys", name, {}, opts);
        const { region, drRegion, provider } = args;
        // Key rings and keys can never be deleted in GCP, and losing a key loses the data under it:
        // production protects them; names are auto-suffixed so a recreated stack never collides.
        const protect = args.protect ?? false;
        const childOpts = { parent: this, provider, protect };
        this.keyRing = new gcp.kms.KeyRing(`${name}-ring`, { location: region }, childOpts);
        this.drKeyRing = new gcp.kms.KeyRing(`${name}-dr-ring`, { location: drRegion }, childOpts);
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
