/**
 * Data protection for PostgreSQL (RDS / Cloud SQL), Redis (ElastiCache / Memorystore) and object
 * storage (S3 / GCS): encryption at rest and in transit, backups with point-in-time recovery, HA
 * and deletion protection in production, no public endpoints, final snapshots, `protect`.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { asArray, forTypes, isObject, isProduction, isProductionIn, ofType, Props, referenced, safe, whenKnown } from "./helpers";

const rds = ["aws:rds/instance:Instance"];
const aurora = "aws:rds/cluster:Cluster";
const auroraInstance = "aws:rds/clusterInstance:ClusterInstance";
/** RDS instances and Aurora clusters: the resources that own storage, backups and snapshots. */
const rdsStores = [...rds, aurora];
const rdsNoun = (type: string) => (type === aurora ? "RDS cluster" : type === auroraInstance ? "RDS cluster instance" : "RDS instance");
const cloudSql = ["gcp:sql/databaseInstance:DatabaseInstance"];
const elastiCache = ["aws:elasticache/replicationGroup:ReplicationGroup"];
const elastiCacheCluster = "aws:elasticache/cluster:Cluster";
const memorystore = ["gcp:redis/instance:Instance"];
const s3Buckets = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const gcsBuckets = ["gcp:storage/bucket:Bucket"];

/** Minimum automated-backup retention (days) that gives point-in-time recovery worth the name. */
export const minBackupRetentionDays = { production: 7, other: 1 } as const;

// ---- RDS ---------------------------------------------------------------------------------------

export const rdsStorageEncrypted: ResourceValidationPolicy = {
    name: "rds-storage-encrypted",
    description: "Checks whether every RDS instance and Aurora cluster encrypts its storage at rest.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(rdsStores, (args, report) => {
        if (safe(() => args.props.storageEncrypted) !== true) {
            report(`${rdsNoun(args.type)} storage is not encrypted; set storageEncrypted: true (with kmsKeyId for a customer-managed key).`);
        }
    }),
};

export const rdsBackupsPitr: ResourceValidationPolicy = {
    name: "rds-backups-pitr",
    description: `Checks whether every RDS instance and Aurora cluster keeps automated backups (point-in-time recovery): at least ${minBackupRetentionDays.production} days in production, ${minBackupRetentionDays.other} elsewhere.`,
    enforcementLevel: "mandatory",
    validateResource: forTypes(rdsStores, (args, report) => {
        const min = isProduction(args) ? minBackupRetentionDays.production : minBackupRetentionDays.other;
        const days = safe(() => args.props.backupRetentionPeriod) ?? 0;
        if (typeof days === "number" && days < min) {
            report(`RDS ${args.type === aurora ? "cluster " : ""}backupRetentionPeriod is ${days} day(s); set it to at least ${min} so automated backups and point-in-time recovery are kept.`);
        }
    }),
};

export const rdsMultiAzProduction: ResourceValidationPolicy = {
    name: "rds-multi-az-production",
    description: "Checks whether every production RDS instance is Multi-AZ.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(rds, (args, report) => {
        if (isProduction(args) && safe(() => args.props.multiAz) !== true) {
            report("Production RDS instance is single-AZ; set multiAz: true.");
        }
    }),
};

export const rdsDeletionProtectionProduction: ResourceValidationPolicy = {
    name: "rds-deletion-protection-production",
    description: "Checks whether every production RDS instance and Aurora cluster has deletion protection.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(rdsStores, (args, report) => {
        if (isProduction(args) && safe(() => args.props.deletionProtection) !== true) {
            report(`Production ${rdsNoun(args.type)} can be deleted; set deletionProtection: true.`);
        }
    }),
};

export const rdsNotPublic: ResourceValidationPolicy = {
    name: "rds-not-public",
    description: "Checks whether no RDS instance or Aurora cluster instance is publicly accessible.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([...rds, auroraInstance], (args, report) => {
        if (safe(() => args.props.publiclyAccessible) === true) {
            report(`${rdsNoun(args.type)} is publicly accessible; set publiclyAccessible: false and reach it from private subnets.`);
        }
    }),
};

export const rdsFinalSnapshot: ResourceValidationPolicy = {
    name: "rds-final-snapshot",
    description: "Checks whether every RDS instance and Aurora cluster takes a final snapshot when deleted.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(rdsStores, (args, report) => {
        if (safe(() => args.props.skipFinalSnapshot) === true || !safe(() => args.props.finalSnapshotIdentifier)) {
            report(`${rdsNoun(args.type)} would be deleted without a final snapshot; set skipFinalSnapshot: false and a finalSnapshotIdentifier.`);
        }
    }),
};

/** The parameter that makes PostgreSQL / MySQL on RDS refuse unencrypted connections. */
// Stryker disable next-line MethodExpression: RDS engine names are exact ("mysql", "mariadb", "postgres"), so startsWith and endsWith agree on every one
const tlsParameter = (engine: string) => (engine.startsWith("mysql") || engine.startsWith("mariadb") ? "require_secure_transport" : "rds.force_ssl");

export const rdsTlsRequired: StackValidationPolicy = {
    name: "rds-tls-required",
    description: "Checks whether every RDS instance uses a parameter group that forces TLS (rds.force_ssl = 1 / require_secure_transport = 1).",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report) => {
        const groups = ofType(args, "aws:rds/parameterGroup:ParameterGroup");
        for (const db of ofType(args, ...rds)) {
            // Stryker disable next-line StringLiteral: every engine but MySQL and MariaDB takes rds.force_ssl, so the default only has to be neither
            const engine = String(safe(() => db.props.engine) ?? "postgres");
            const param = tlsParameter(engine);
            // The property dependency is the evidence; a name match backs it up for a group named in
            // config, and an unknown name (which always has a dependency) matches nothing.
            const name = whenKnown(() => db.props.parameterGroupName);
            const group = referenced(db, "parameterGroupName").find(g => g.type === "aws:rds/parameterGroup:ParameterGroup")
                ?? groups.find(g => name !== undefined && whenKnown(() => g.props.name) === name);
            const forced = group && asArray(safe(() => group.props.parameters))
                .some(p => p?.name === param && ["1", "on", "true"].includes(String(p?.value).toLowerCase()));
            if (!forced) {
                report(`RDS instance ${db.name} accepts unencrypted connections; give it a parameter group (parameterGroupName) that sets ${param} = 1.`, db.urn);
            }
        }
    },
};

// ---- Cloud SQL ---------------------------------------------------------------------------------

const sqlSettings = (props: Props): Props => safe(() => props.settings) ?? {};

export const cloudSqlTlsRequired: ResourceValidationPolicy = {
    name: "cloud-sql-tls-required",
    description: "Checks whether every Cloud SQL instance accepts only TLS connections (storage is always encrypted at rest by Google).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(cloudSql, (args, report) => {
        // Stryker disable next-line OptionalChaining: safe() reads a missing parent as undefined either way
        const mode = safe(() => sqlSettings(args.props).ipConfiguration?.sslMode);
        if (mode !== "ENCRYPTED_ONLY" && mode !== "TRUSTED_CLIENT_CERTIFICATE_REQUIRED") {
            report(`Cloud SQL sslMode is ${JSON.stringify(mode ?? null)}; set settings.ipConfiguration.sslMode: ENCRYPTED_ONLY.`);
        }
    }),
};

export const cloudSqlPrivateIpOnly: ResourceValidationPolicy = {
    name: "cloud-sql-private-ip-only",
    description: "Checks whether every Cloud SQL instance has no public IP and a private network.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(cloudSql, (args, report) => {
        const ip: Props = safe(() => sqlSettings(args.props).ipConfiguration) ?? {};
        if (ip.ipv4Enabled !== false) {
            report("Cloud SQL instance has a public IPv4 address (ipv4Enabled defaults to true); set settings.ipConfiguration.ipv4Enabled: false.");
        }
        if (!ip.privateNetwork) {
            report("Cloud SQL instance has no private network; set settings.ipConfiguration.privateNetwork to the VPC.");
        }
    }),
};

export const cloudSqlBackupsPitr: ResourceValidationPolicy = {
    name: "cloud-sql-backups-pitr",
    description: "Checks whether every Cloud SQL instance has automated backups and point-in-time recovery.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(cloudSql, (args, report) => {
        const backup: Props = safe(() => sqlSettings(args.props).backupConfiguration) ?? {};
        if (backup.enabled !== true || backup.pointInTimeRecoveryEnabled !== true) {
            report("Cloud SQL backups or point-in-time recovery are off; set settings.backupConfiguration.enabled and pointInTimeRecoveryEnabled to true.");
        }
    }),
};

export const cloudSqlRegionalHaProduction: ResourceValidationPolicy = {
    name: "cloud-sql-regional-ha-production",
    description: "Checks whether every production Cloud SQL instance is REGIONAL (high availability).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(cloudSql, (args, report) => {
        if (isProduction(args) && safe(() => sqlSettings(args.props).availabilityType) !== "REGIONAL") {
            report("Production Cloud SQL instance is zonal; set settings.availabilityType: REGIONAL.");
        }
    }),
};

export const cloudSqlDeletionProtectionProduction: ResourceValidationPolicy = {
    name: "cloud-sql-deletion-protection-production",
    description: "Checks whether every production Cloud SQL instance is protected from deletion by both Pulumi and GCP.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(cloudSql, (args, report) => {
        if (isProduction(args) && (safe(() => args.props.deletionProtection) === false || safe(() => sqlSettings(args.props).deletionProtectionEnabled) !== true)) {
            report("Production Cloud SQL instance can be deleted; set deletionProtection: true and settings.deletionProtectionEnabled: true.");
        }
    }),
};

export const cloudSqlFinalBackup: ResourceValidationPolicy = {
    name: "cloud-sql-final-backup",
    description: "Checks whether every Cloud SQL instance takes a final backup when deleted.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(cloudSql, (args, report) => {
        // Stryker disable next-line OptionalChaining: safe() reads a missing parent as undefined either way
        if (safe(() => sqlSettings(args.props).finalBackupConfig?.enabled) !== true) {
            report("Cloud SQL instance would be deleted without a final backup; set settings.finalBackupConfig: { enabled: true, retentionDays }.");
        }
    }),
};

// ---- Redis -------------------------------------------------------------------------------------

export const elastiCacheEncrypted: ResourceValidationPolicy = {
    name: "elasticache-encrypted",
    description: "Checks whether every ElastiCache replication group encrypts at rest and in transit and requires an auth token, and no cache cluster stands outside one.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([...elastiCache, elastiCacheCluster], (args, report) => {
        const p = args.props;
        if (args.type === elastiCacheCluster) {
            // A member of a replication group inherits the group's settings, which this policy judges.
            if (!safe(() => p.replicationGroupId)) {
                report("ElastiCache cluster stands alone, which cannot encrypt at rest or require AUTH; create an aws.elasticache.ReplicationGroup (atRestEncryptionEnabled, transitEncryptionEnabled, authToken) instead.");
            }
            return;
        }
        if (safe(() => p.atRestEncryptionEnabled) !== true) {
            report("ElastiCache is not encrypted at rest; set atRestEncryptionEnabled: true.");
        }
        if (safe(() => p.transitEncryptionEnabled) !== true) {
            report("ElastiCache accepts plaintext connections; set transitEncryptionEnabled: true (clients use rediss://).");
        }
        if (!safe(() => p.authToken) && !safe(() => p.authTokenWo) && asArray(safe(() => p.userGroupIds)).length === 0) {
            report("ElastiCache needs no credentials; set authToken (a generated secret) or userGroupIds.");
        }
    }),
};

export const elastiCacheHaProduction: ResourceValidationPolicy = {
    name: "elasticache-ha-production",
    description: "Checks whether every production ElastiCache replication group has a replica with automatic failover across AZs.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(elastiCache, (args, report) => {
        if (!isProduction(args)) {
            return;
        }
        const p = args.props;
        const nodes = safe(() => p.numCacheClusters) ?? 1;
        if (safe(() => p.automaticFailoverEnabled) !== true || safe(() => p.multiAzEnabled) !== true || nodes < 2) {
            report("Production ElastiCache has no Multi-AZ failover; set numCacheClusters >= 2, automaticFailoverEnabled: true and multiAzEnabled: true.");
        }
    }),
};

export const memorystoreTlsAndAuth: ResourceValidationPolicy = {
    name: "memorystore-tls-and-auth",
    description: "Checks whether every Memorystore Redis instance uses in-transit encryption and AUTH (data at rest is always encrypted by Google).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(memorystore, (args, report) => {
        if (safe(() => args.props.transitEncryptionMode) !== "SERVER_AUTHENTICATION") {
            report("Memorystore accepts plaintext connections; set transitEncryptionMode: SERVER_AUTHENTICATION.");
        }
        if (safe(() => args.props.authEnabled) !== true) {
            report("Memorystore needs no credentials; set authEnabled: true.");
        }
    }),
};

export const memorystoreHaProduction: ResourceValidationPolicy = {
    name: "memorystore-ha-production",
    description: "Checks whether every production Memorystore Redis instance is STANDARD_HA.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(memorystore, (args, report) => {
        if (isProduction(args) && safe(() => args.props.tier) !== "STANDARD_HA") {
            report("Production Memorystore has no replica; set tier: STANDARD_HA.");
        }
    }),
};

export const cacheSnapshots: ResourceValidationPolicy = {
    name: "cache-snapshots",
    description: "Checks whether Redis keeps snapshots: ElastiCache snapshotRetentionLimit >= 1, Memorystore RDB persistence.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([...elastiCache, ...memorystore], (args, report) => {
        if (args.type === elastiCache[0]) {
            const days = safe(() => args.props.snapshotRetentionLimit) ?? 0;
            if (typeof days === "number" && days < 1) {
                report("ElastiCache keeps no snapshots; set snapshotRetentionLimit to at least 1 day.");
            }
        } else if (safe(() => args.props.persistenceConfig?.persistenceMode) !== "RDB") {
            report("Memorystore keeps no RDB snapshots; set persistenceConfig: { persistenceMode: RDB, rdbSnapshotPeriod: ONE_HOUR }.");
        }
    }),
};

// ---- Object storage ----------------------------------------------------------------------------

/**
 * Configuration resources that belong to `bucket`: by property dependency, or by bucket name (an
 * unknown name, which always comes with a dependency, matches nothing).
 */
function configsOf(args: StackValidationArgs, bucket: PolicyResource, type: string): PolicyResource[] {
    const name = whenKnown(() => bucket.props.bucket);
    return ofType(args, type).filter(c => referenced(c, "bucket").some(b => b.urn === bucket.urn) ||
        (name !== undefined && whenKnown(() => c.props.bucket) === name));
}

export const s3BucketEncrypted: StackValidationPolicy = {
    name: "s3-bucket-encrypted",
    description: "Checks whether every S3 bucket has a server-side encryption configuration using KMS.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const b of ofType(args, ...s3Buckets)) {
            const kms = configsOf(args, b, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
                .some(c => asArray(safe(() => c.props.rules)).some(r => String(r?.applyServerSideEncryptionByDefault?.sseAlgorithm ?? "").startsWith("aws:kms")));
            if (!kms) {
                report(`S3 bucket ${b.name} has no KMS encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms.`, b.urn);
            }
        }
    },
};

export const s3PublicAccessBlocked: StackValidationPolicy = {
    name: "s3-public-access-blocked",
    description: "Checks whether every S3 bucket has a public access block and every block on it has all four settings true.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const keys = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        for (const b of ofType(args, ...s3Buckets)) {
            const blocks = configsOf(args, b, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
            // Blocks on one bucket overwrite each other in apply order: any one that is off may be the one that stays.
            const off = blocks.filter(c => !keys.every(k => safe(() => c.props[k]) === true));
            if (blocks.length === 0) {
                report(`S3 bucket ${b.name} may become public; add a BucketPublicAccessBlock with ${keys.join(", ")} all true.`, b.urn);
            }
            for (const c of off) {
                report(`S3 bucket ${b.name} may become public: its public access block ${c.name} turns protection off; set ${keys.join(", ")} all true on every block (keep one).`, b.urn);
            }
        }
    },
};

/** Whether a bucket policy document denies requests that are not over TLS. */
function deniesInsecureTransport(doc: unknown): boolean {
    const parsed = typeof doc === "string" ? safe(() => JSON.parse(doc)) : doc;
    return asArray(parsed?.Statement).some(s => s?.Effect === "Deny" &&
        isObject(s?.Condition?.Bool) && String(s.Condition.Bool["aws:SecureTransport"]).toLowerCase() === "false");
}

export const s3BucketTlsOnly: StackValidationPolicy = {
    name: "s3-bucket-tls-only",
    description: "Checks whether every S3 bucket policy denies requests not made over TLS (aws:SecureTransport = false).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const b of ofType(args, ...s3Buckets)) {
            if (!configsOf(args, b, "aws:s3/bucketPolicy:BucketPolicy").some(p => deniesInsecureTransport(safe(() => p.props.policy)))) {
                report(`S3 bucket ${b.name} accepts plain HTTP; add a BucketPolicy that denies s3:* when aws:SecureTransport is "false".`, b.urn);
            }
        }
    },
};

export const gcsBucketCmek: ResourceValidationPolicy = {
    name: "gcs-bucket-cmek",
    description: "Checks whether every Cloud Storage bucket encrypts with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(gcsBuckets, (args, report) => {
        // Stryker disable next-line OptionalChaining: safe() reads a missing parent as undefined either way
        if (!safe(() => args.props.encryption?.defaultKmsKeyName)) {
            report("Bucket uses Google-managed keys; set encryption.defaultKmsKeyName to a Cloud KMS key in the bucket's region.");
        }
    }),
};

export const gcsPublicAccessPrevented: ResourceValidationPolicy = {
    name: "gcs-public-access-prevented",
    description: "Checks whether every Cloud Storage bucket enforces public access prevention and uniform bucket-level access.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(gcsBuckets, (args, report) => {
        if (safe(() => args.props.publicAccessPrevention) !== "enforced") {
            report("Bucket may become public; set publicAccessPrevention: enforced.");
        }
        if (safe(() => args.props.uniformBucketLevelAccess) !== true) {
            report("Bucket allows per-object ACLs; set uniformBucketLevelAccess: true.");
        }
    }),
};

/** Resources whose deletion loses data. */
export const statefulTypes: readonly string[] = [
    ...rds, "aws:rds/cluster:Cluster", ...elastiCache, ...s3Buckets, "aws:kms/key:Key", "aws:dynamodb/table:Table", "aws:efs/fileSystem:FileSystem",
    ...cloudSql, ...memorystore, ...gcsBuckets, "gcp:kms/cryptoKey:CryptoKey", "gcp:kms/keyRing:KeyRing",
];

export const statefulResourcesProtectedProduction: StackValidationPolicy = {
    name: "stateful-resources-protected-production",
    description: "Checks whether every stateful resource (databases, caches, buckets, keys) in production has the Pulumi protect option.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const r of args.resources.filter(x => statefulTypes.includes(x.type))) {
            if (isProductionIn(args, r) && r.opts.protect !== true) {
                report(`${r.type.split(":").pop()} ${r.name} is stateful and unprotected in production; pass { protect: true } (protectStateful(environment)).`, r.urn);
            }
        }
    },
};

export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "kms-key-rotation",
    description: "Checks whether every KMS key rotates automatically (AWS enableKeyRotation, GCP rotationPeriod).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(["aws:kms/key:Key", "gcp:kms/cryptoKey:CryptoKey"], (args, report) => {
        if (args.type === "aws:kms/key:Key" && safe(() => args.props.enableKeyRotation) !== true) {
            report("KMS key does not rotate; set enableKeyRotation: true.");
        }
        if (args.type === "gcp:kms/cryptoKey:CryptoKey" && !safe(() => args.props.rotationPeriod)) {
            report("Crypto key does not rotate; set rotationPeriod, such as \"7776000s\" (90 days).");
        }
    }),
};

export const dataProtectionPolicies = [
    rdsStorageEncrypted, rdsBackupsPitr, rdsMultiAzProduction, rdsDeletionProtectionProduction, rdsNotPublic, rdsFinalSnapshot, rdsTlsRequired,
    cloudSqlTlsRequired, cloudSqlPrivateIpOnly, cloudSqlBackupsPitr, cloudSqlRegionalHaProduction, cloudSqlDeletionProtectionProduction, cloudSqlFinalBackup,
    elastiCacheEncrypted, elastiCacheHaProduction, memorystoreTlsAndAuth, memorystoreHaProduction, cacheSnapshots,
    s3BucketEncrypted, s3PublicAccessBlocked, s3BucketTlsOnly, gcsBucketCmek, gcsPublicAccessPrevented,
    statefulResourcesProtectedProduction, kmsKeyRotation,
];
