/**
 * policies/dataProtection.ts, called as the analyzer calls it: every property each rule reads for
 * PostgreSQL, Redis, object storage and keys, broken one at a time next to the form that passes,
 * in production and elsewhere where the rule depends on it.
 */
import { expect } from "chai";
import {
    cacheSnapshots, cloudSqlBackupsPitr, cloudSqlDeletionProtectionProduction, cloudSqlFinalBackup, cloudSqlPrivateIpOnly, cloudSqlRegionalHaProduction,
    cloudSqlTlsRequired, elastiCacheEncrypted, elastiCacheHaProduction, gcsBucketCmek, gcsPublicAccessPrevented, kmsKeyRotation, memorystoreHaProduction,
    memorystoreTlsAndAuth, rdsBackupsPitr, rdsDeletionProtectionProduction, rdsFinalSnapshot, rdsMultiAzProduction, rdsNotPublic, rdsStorageEncrypted,
    rdsTlsRequired, s3BucketEncrypted, s3BucketTlsOnly, s3PublicAccessBlocked, statefulResourcesProtectedProduction,
} from "../policies/dataProtection";
import { check, checkStack, Fake, fake } from "./policies-units-harness";

const instance = "aws:rds/instance:Instance";
const cluster = "aws:rds/cluster:Cluster";
const clusterInstance = "aws:rds/clusterInstance:ClusterInstance";

describe("policy units: RDS instances and Aurora clusters", () => {
    it("rds-storage-encrypted: refuses storage that is not encrypted, naming instance or cluster", () => {
        const off = (noun: string) => [`${noun} storage is not encrypted; set storageEncrypted: true (with kmsKeyId for a customer-managed key).`];
        expect(check(rdsStorageEncrypted, instance, { storageEncrypted: true })).to.deep.equal([]);
        expect(check(rdsStorageEncrypted, instance, { storageEncrypted: false })).to.deep.equal(off("RDS instance"));
        expect(check(rdsStorageEncrypted, cluster, { storageEncrypted: true })).to.deep.equal([]);
        expect(check(rdsStorageEncrypted, cluster, {})).to.deep.equal(off("RDS cluster"));
        expect(check(rdsStorageEncrypted, clusterInstance, {})).to.deep.equal([]);
    });

    it("rds-backups-pitr: keeps at least 7 days in production and 1 elsewhere, missing as 0", () => {
        const short = (days: number, min: number, noun = "") => [`RDS ${noun}backupRetentionPeriod is ${days} day(s); set it to at least ${min} so automated backups and point-in-time recovery are kept.`];
        expect(check(rdsBackupsPitr, instance, { backupRetentionPeriod: 7 })).to.deep.equal([]);
        expect(check(rdsBackupsPitr, instance, { backupRetentionPeriod: 6 })).to.deep.equal(short(6, 7));
        expect(check(rdsBackupsPitr, instance, {})).to.deep.equal(short(0, 7));
        expect(check(rdsBackupsPitr, cluster, { backupRetentionPeriod: 1 })).to.deep.equal(short(1, 7, "cluster "));
        expect(check(rdsBackupsPitr, instance, { backupRetentionPeriod: 1 }, "r", "staging")).to.deep.equal([]);
        expect(check(rdsBackupsPitr, instance, { backupRetentionPeriod: 0 }, "r", "staging")).to.deep.equal(short(0, 1));
        // A retention that is not a number is the provider's type error, not a short retention.
        expect(check(rdsBackupsPitr, instance, { backupRetentionPeriod: "3" })).to.deep.equal([]);
    });

    it("rds-multi-az-production: refuses a single-AZ instance in production only", () => {
        expect(check(rdsMultiAzProduction, instance, { multiAz: true })).to.deep.equal([]);
        expect(check(rdsMultiAzProduction, instance, { multiAz: false })).to.deep.equal(["Production RDS instance is single-AZ; set multiAz: true."]);
        expect(check(rdsMultiAzProduction, instance, {}, "r", "staging")).to.deep.equal([]);
    });

    it("rds-deletion-protection-production: refuses a deletable instance or cluster in production only", () => {
        expect(check(rdsDeletionProtectionProduction, instance, { deletionProtection: true })).to.deep.equal([]);
        expect(check(rdsDeletionProtectionProduction, instance, {})).to.deep.equal(["Production RDS instance can be deleted; set deletionProtection: true."]);
        expect(check(rdsDeletionProtectionProduction, cluster, { deletionProtection: false })).to.deep.equal(["Production RDS cluster can be deleted; set deletionProtection: true."]);
        expect(check(rdsDeletionProtectionProduction, cluster, {}, "r", "development")).to.deep.equal([]);
    });

    it("rds-not-public: refuses a publicly accessible instance or cluster instance", () => {
        expect(check(rdsNotPublic, instance, { publiclyAccessible: true })).to.deep.equal(["RDS instance is publicly accessible; set publiclyAccessible: false and reach it from private subnets."]);
        expect(check(rdsNotPublic, clusterInstance, { publiclyAccessible: true }))
            .to.deep.equal(["RDS cluster instance is publicly accessible; set publiclyAccessible: false and reach it from private subnets."]);
        expect(check(rdsNotPublic, clusterInstance, { publiclyAccessible: false })).to.deep.equal([]);
        expect(check(rdsNotPublic, instance, {})).to.deep.equal([]);
    });

    it("rds-final-snapshot: needs skipFinalSnapshot off and a snapshot name", () => {
        const none = (noun: string) => [`${noun} would be deleted without a final snapshot; set skipFinalSnapshot: false and a finalSnapshotIdentifier.`];
        expect(check(rdsFinalSnapshot, instance, { skipFinalSnapshot: false, finalSnapshotIdentifier: "db-final" })).to.deep.equal([]);
        expect(check(rdsFinalSnapshot, instance, { skipFinalSnapshot: true, finalSnapshotIdentifier: "db-final" })).to.deep.equal(none("RDS instance"));
        expect(check(rdsFinalSnapshot, cluster, { skipFinalSnapshot: false })).to.deep.equal(none("RDS cluster"));
        expect(check(rdsFinalSnapshot, cluster, { finalSnapshotIdentifier: "aurora-final" })).to.deep.equal([]);
    });
});

describe("policy units: rds-tls-required", () => {
    const group = (name: string, parameters: unknown[], props: Record<string, unknown> = {}, type = "aws:rds/parameterGroup:ParameterGroup") =>
        fake(type, name, { parameters, ...props });
    const plain = (db: string, param = "rds.force_ssl") =>
        `${db}: RDS instance ${db} accepts unencrypted connections; give it a parameter group (parameterGroupName) that sets ${param} = 1.`;
    const forceSsl = [null, { name: "rds.force_ssl", value: "1" }];

    it("finds the group by property dependency, or by a known name", () => {
        const byDep = group("pg-dep", forceSsl);
        const byName = group("pg-name", forceSsl, { name: "bookkeep-pg" });
        expect(checkStack(rdsTlsRequired, byDep, byName,
            fake(instance, "db-dep", { engine: "postgres", parameterGroupName: "computed" }, { parameterGroupName: [byDep] }),
            fake(instance, "db-name", { parameterGroupName: "bookkeep-pg" }),
            fake(instance, "db-other", { parameterGroupName: "another" }),
        )).to.deep.equal([plain("db-other")]);
    });

    it("matches no group by name when neither name is known", () => {
        expect(checkStack(rdsTlsRequired, group("pg", forceSsl), fake(instance, "db", {}))).to.deep.equal([plain("db")]);
    });

    it("takes a dependency only on a DB parameter group, not a cluster parameter group", () => {
        const clusterGroup = group("cpg", forceSsl, {}, "aws:rds/clusterParameterGroup:ClusterParameterGroup");
        expect(checkStack(rdsTlsRequired, clusterGroup, fake(instance, "db", { parameterGroupName: "cpg" }, { parameterGroupName: [clusterGroup] })))
            .to.deep.equal([plain("db")]);
        const nameOnly = group("cpg-named", forceSsl, { name: "shared" }, "aws:rds/clusterParameterGroup:ClusterParameterGroup");
        expect(checkStack(rdsTlsRequired, nameOnly, fake(instance, "db", { parameterGroupName: "shared" }))).to.deep.equal([plain("db")]);
    });

    it("accepts 1, on and true in any case, and nothing else", () => {
        const db = (value: unknown) => {
            const g = group("pg", [{ name: "rds.force_ssl", value }]);
            return checkStack(rdsTlsRequired, g, fake(instance, "db", {}, { parameterGroupName: [g] }));
        };
        for (const value of ["1", 1, "ON", "on", "True", true]) {
            expect(db(value), String(value)).to.deep.equal([]);
        }
        for (const value of ["0", "off", undefined]) {
            expect(db(value), String(value)).to.deep.equal([plain("db")]);
        }
    });

    it("asks MySQL and MariaDB for require_secure_transport, PostgreSQL for rds.force_ssl", () => {
        const both = group("pg", [{ name: "rds.force_ssl", value: "1" }, { name: "require_secure_transport", value: "ON" }]);
        const pgOnly = group("pg-only", forceSsl);
        const mysqlOnly = group("mysql-only", [{ name: "require_secure_transport", value: "1" }]);
        const db = (name: string, engine: string, g: Fake) => fake(instance, name, { engine }, { parameterGroupName: [g] });
        expect(checkStack(rdsTlsRequired, both, pgOnly, mysqlOnly,
            db("my", "mysql", both), db("maria", "mariadb", both), db("pg", "postgres", both),
            db("my-pg", "mysql", pgOnly), db("maria-pg", "mariadb", pgOnly), db("pg-my", "postgres", mysqlOnly),
        )).to.deep.equal([plain("my-pg", "require_secure_transport"), plain("maria-pg", "require_secure_transport"), plain("pg-my")]);
    });
});

describe("policy units: Cloud SQL", () => {
    const sql = "gcp:sql/databaseInstance:DatabaseInstance";
    const settings = (s: Record<string, unknown>) => ({ settings: s });

    it("cloud-sql-tls-required: accepts only the two TLS-only modes", () => {
        const mode = (m: string) => [`Cloud SQL sslMode is ${m}; set settings.ipConfiguration.sslMode: ENCRYPTED_ONLY.`];
        expect(check(cloudSqlTlsRequired, sql, settings({ ipConfiguration: { sslMode: "ENCRYPTED_ONLY" } }))).to.deep.equal([]);
        expect(check(cloudSqlTlsRequired, sql, settings({ ipConfiguration: { sslMode: "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" } }))).to.deep.equal([]);
        expect(check(cloudSqlTlsRequired, sql, settings({ ipConfiguration: { sslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED" } })))
            .to.deep.equal(mode("\"ALLOW_UNENCRYPTED_AND_ENCRYPTED\""));
        expect(check(cloudSqlTlsRequired, sql, settings({ ipConfiguration: {} }))).to.deep.equal(mode("null"));
        expect(check(cloudSqlTlsRequired, sql, {})).to.deep.equal(mode("null"));
    });

    it("cloud-sql-private-ip-only: needs IPv4 off and a private network, each on its own", () => {
        const publicIp = "Cloud SQL instance has a public IPv4 address (ipv4Enabled defaults to true); set settings.ipConfiguration.ipv4Enabled: false.";
        const noNetwork = "Cloud SQL instance has no private network; set settings.ipConfiguration.privateNetwork to the VPC.";
        expect(check(cloudSqlPrivateIpOnly, sql, settings({ ipConfiguration: { ipv4Enabled: false, privateNetwork: "vpc" } }))).to.deep.equal([]);
        expect(check(cloudSqlPrivateIpOnly, sql, settings({ ipConfiguration: { privateNetwork: "vpc" } }))).to.deep.equal([publicIp]);
        expect(check(cloudSqlPrivateIpOnly, sql, settings({ ipConfiguration: { ipv4Enabled: false } }))).to.deep.equal([noNetwork]);
        expect(check(cloudSqlPrivateIpOnly, sql, {})).to.deep.equal([publicIp, noNetwork]);
    });

    it("cloud-sql-backups-pitr: needs backups and point-in-time recovery both on", () => {
        const off = ["Cloud SQL backups or point-in-time recovery are off; set settings.backupConfiguration.enabled and pointInTimeRecoveryEnabled to true."];
        expect(check(cloudSqlBackupsPitr, sql, settings({ backupConfiguration: { enabled: true, pointInTimeRecoveryEnabled: true } }))).to.deep.equal([]);
        expect(check(cloudSqlBackupsPitr, sql, settings({ backupConfiguration: { enabled: false, pointInTimeRecoveryEnabled: true } }))).to.deep.equal(off);
        expect(check(cloudSqlBackupsPitr, sql, settings({ backupConfiguration: { enabled: true } }))).to.deep.equal(off);
        expect(check(cloudSqlBackupsPitr, sql, {})).to.deep.equal(off);
    });

    it("cloud-sql-regional-ha-production: refuses a zonal instance in production only", () => {
        expect(check(cloudSqlRegionalHaProduction, sql, settings({ availabilityType: "REGIONAL" }))).to.deep.equal([]);
        expect(check(cloudSqlRegionalHaProduction, sql, settings({ availabilityType: "ZONAL" })))
            .to.deep.equal(["Production Cloud SQL instance is zonal; set settings.availabilityType: REGIONAL."]);
        expect(check(cloudSqlRegionalHaProduction, sql, settings({ availabilityType: "ZONAL" }), "r", "staging")).to.deep.equal([]);
    });

    it("cloud-sql-deletion-protection-production: needs GCP's protection on and Pulumi's not turned off", () => {
        const deletable = ["Production Cloud SQL instance can be deleted; set deletionProtection: true and settings.deletionProtectionEnabled: true."];
        expect(check(cloudSqlDeletionProtectionProduction, sql, { deletionProtection: true, ...settings({ deletionProtectionEnabled: true }) })).to.deep.equal([]);
        // The provider's deletionProtection defaults to true.
        expect(check(cloudSqlDeletionProtectionProduction, sql, settings({ deletionProtectionEnabled: true }))).to.deep.equal([]);
        expect(check(cloudSqlDeletionProtectionProduction, sql, { deletionProtection: false, ...settings({ deletionProtectionEnabled: true }) })).to.deep.equal(deletable);
        expect(check(cloudSqlDeletionProtectionProduction, sql, { deletionProtection: true, ...settings({}) })).to.deep.equal(deletable);
        expect(check(cloudSqlDeletionProtectionProduction, sql, { deletionProtection: false }, "r", "staging")).to.deep.equal([]);
    });

    it("cloud-sql-final-backup: needs the final backup enabled", () => {
        const none = ["Cloud SQL instance would be deleted without a final backup; set settings.finalBackupConfig: { enabled: true, retentionDays }."];
        expect(check(cloudSqlFinalBackup, sql, settings({ finalBackupConfig: { enabled: true, retentionDays: 30 } }))).to.deep.equal([]);
        expect(check(cloudSqlFinalBackup, sql, settings({ finalBackupConfig: { enabled: false } }))).to.deep.equal(none);
        expect(check(cloudSqlFinalBackup, sql, settings({}))).to.deep.equal(none);
    });
});

describe("policy units: Redis", () => {
    const group = "aws:elasticache/replicationGroup:ReplicationGroup";
    const memorystore = "gcp:redis/instance:Instance";

    it("elasticache-encrypted: judges a replication group's encryption and credentials one by one", () => {
        const atRest = "ElastiCache is not encrypted at rest; set atRestEncryptionEnabled: true.";
        const transit = "ElastiCache accepts plaintext connections; set transitEncryptionEnabled: true (clients use rediss://).";
        const auth = "ElastiCache needs no credentials; set authToken (a generated secret) or userGroupIds.";
        const good = { atRestEncryptionEnabled: true, transitEncryptionEnabled: true, authToken: "secret" };
        expect(check(elastiCacheEncrypted, group, good)).to.deep.equal([]);
        expect(check(elastiCacheEncrypted, group, { ...good, atRestEncryptionEnabled: false })).to.deep.equal([atRest]);
        expect(check(elastiCacheEncrypted, group, { ...good, transitEncryptionEnabled: false })).to.deep.equal([transit]);
        expect(check(elastiCacheEncrypted, group, { ...good, authToken: undefined })).to.deep.equal([auth]);
        expect(check(elastiCacheEncrypted, group, { ...good, authToken: undefined, userGroupIds: [] })).to.deep.equal([auth]);
        expect(check(elastiCacheEncrypted, group, { ...good, authToken: undefined, authTokenWo: "secret" })).to.deep.equal([]);
        expect(check(elastiCacheEncrypted, group, { ...good, authToken: undefined, userGroupIds: ["app-users"] })).to.deep.equal([]);
        expect(check(elastiCacheEncrypted, group, {})).to.deep.equal([atRest, transit, auth]);
    });

    it("elasticache-encrypted: leaves a group member to its group and refuses a cluster standing alone", () => {
        const cacheCluster = "aws:elasticache/cluster:Cluster";
        expect(check(elastiCacheEncrypted, cacheCluster, { replicationGroupId: "sessions" })).to.deep.equal([]);
        expect(check(elastiCacheEncrypted, cacheCluster, { engine: "redis" })).to.deep.equal([
            "ElastiCache cluster stands alone, which cannot encrypt at rest or require AUTH; create an aws.elasticache.ReplicationGroup (atRestEncryptionEnabled, transitEncryptionEnabled, authToken) instead.",
        ]);
    });

    it("elasticache-ha-production: needs two nodes, failover and Multi-AZ in production only", () => {
        const single = ["Production ElastiCache has no Multi-AZ failover; set numCacheClusters >= 2, automaticFailoverEnabled: true and multiAzEnabled: true."];
        const ha = { numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true };
        expect(check(elastiCacheHaProduction, group, ha)).to.deep.equal([]);
        expect(check(elastiCacheHaProduction, group, { ...ha, numCacheClusters: 1 })).to.deep.equal(single);
        expect(check(elastiCacheHaProduction, group, { ...ha, numCacheClusters: undefined })).to.deep.equal(single);
        expect(check(elastiCacheHaProduction, group, { ...ha, automaticFailoverEnabled: false })).to.deep.equal(single);
        expect(check(elastiCacheHaProduction, group, { ...ha, multiAzEnabled: false })).to.deep.equal(single);
        expect(check(elastiCacheHaProduction, group, {}, "r", "staging")).to.deep.equal([]);
    });

    it("memorystore-tls-and-auth: needs server-authenticated TLS and AUTH, each on its own", () => {
        const good = { transitEncryptionMode: "SERVER_AUTHENTICATION", authEnabled: true };
        expect(check(memorystoreTlsAndAuth, memorystore, good)).to.deep.equal([]);
        expect(check(memorystoreTlsAndAuth, memorystore, { ...good, transitEncryptionMode: "DISABLED" }))
            .to.deep.equal(["Memorystore accepts plaintext connections; set transitEncryptionMode: SERVER_AUTHENTICATION."]);
        expect(check(memorystoreTlsAndAuth, memorystore, { ...good, authEnabled: false })).to.deep.equal(["Memorystore needs no credentials; set authEnabled: true."]);
    });

    it("memorystore-ha-production: refuses a BASIC instance in production only", () => {
        expect(check(memorystoreHaProduction, memorystore, { tier: "STANDARD_HA" })).to.deep.equal([]);
        expect(check(memorystoreHaProduction, memorystore, { tier: "BASIC" })).to.deep.equal(["Production Memorystore has no replica; set tier: STANDARD_HA."]);
        expect(check(memorystoreHaProduction, memorystore, { tier: "BASIC" }, "r", "development")).to.deep.equal([]);
    });

    it("cache-snapshots: keeps a day of ElastiCache snapshots and Memorystore RDB persistence", () => {
        const noSnapshots = ["ElastiCache keeps no snapshots; set snapshotRetentionLimit to at least 1 day."];
        const noRdb = ["Memorystore keeps no RDB snapshots; set persistenceConfig: { persistenceMode: RDB, rdbSnapshotPeriod: ONE_HOUR }."];
        expect(check(cacheSnapshots, group, { snapshotRetentionLimit: 1 })).to.deep.equal([]);
        expect(check(cacheSnapshots, group, { snapshotRetentionLimit: 0 })).to.deep.equal(noSnapshots);
        expect(check(cacheSnapshots, group, {})).to.deep.equal(noSnapshots);
        // A limit that is not a number is the provider's type error, not a missing snapshot.
        expect(check(cacheSnapshots, group, { snapshotRetentionLimit: "0" })).to.deep.equal([]);
        expect(check(cacheSnapshots, memorystore, { persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" } })).to.deep.equal([]);
        expect(check(cacheSnapshots, memorystore, { persistenceConfig: { persistenceMode: "DISABLED" } })).to.deep.equal(noRdb);
        expect(check(cacheSnapshots, memorystore, {})).to.deep.equal(noRdb);
    });
});

describe("policy units: S3 bucket configuration", () => {
    const bucket = (name: string, props: Record<string, unknown> = {}, type = "aws:s3/bucketV2:BucketV2") => fake(type, name, props);
    /** A configuration resource of `bucket`, by dependency (`on`) and/or by the bucket name it holds. */
    const config = (type: string, name: string, props: Record<string, unknown>, on?: Fake) => fake(type, name, props, on ? { bucket: [on] } : {});

    describe("s3-bucket-encrypted", () => {
        const sse = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
        const rules = (sseAlgorithm?: string) => ({ rules: [null, { bucketKeyEnabled: true }, { applyServerSideEncryptionByDefault: { sseAlgorithm } }] });
        const plain = (b: string) => `${b}: S3 bucket ${b} has no KMS encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms.`;

        it("accepts KMS (and DSSE-KMS) configurations found by dependency or by name", () => {
            const byDep = bucket("by-dep");
            const byName = bucket("by-name", { bucket: "bookkeep-docs" }, "aws:s3/bucket:Bucket");
            expect(checkStack(s3BucketEncrypted, byDep, byName,
                config(sse, "by-dep-sse", rules("aws:kms"), byDep),
                config(sse, "by-name-sse", { bucket: "bookkeep-docs", ...rules("aws:kms:dsse") }),
            )).to.deep.equal([]);
        });

        it("refuses S3-managed keys, no configuration, and another bucket's configuration", () => {
            const aes = bucket("aes");
            const other = bucket("other", { bucket: "other-name" });
            expect(checkStack(s3BucketEncrypted, aes, other, bucket("none"), bucket("unnamed"),
                config(sse, "aes-sse", rules("AES256"), aes),
                config(sse, "other-sse", { bucket: "other-name", ...rules() }),
                config(sse, "stray-sse", rules("aws:kms"), bucket("elsewhere")),
                config(sse, "named-elsewhere-sse", { bucket: "someone-else", ...rules("aws:kms") }),
            )).to.deep.equal([plain("aes"), plain("other"), plain("none"), plain("unnamed")]);
        });
    });

    describe("s3-public-access-blocked", () => {
        const pab = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
        const keys = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        const allOn = Object.fromEntries(keys.map(k => [k, true]));
        const all = keys.join(", ");

        it("needs a block with all four settings true", () => {
            const b = bucket("b");
            expect(checkStack(s3PublicAccessBlocked, b, config(pab, "b-block", allOn, b))).to.deep.equal([]);
            expect(checkStack(s3PublicAccessBlocked, bucket("open"))).to.deep.equal([`open: S3 bucket open may become public; add a BucketPublicAccessBlock with ${all} all true.`]);
        });

        it("refuses every block that turns one setting off, even next to a block that keeps them all", () => {
            const b = bucket("b", { bucket: "bookkeep-b" });
            const off = keys.map(k => config(pab, `no-${k}`, { ...allOn, [k]: false, bucket: "bookkeep-b" }));
            expect(checkStack(s3PublicAccessBlocked, b, config(pab, "b-block", allOn, b), ...off)).to.deep.equal(keys.map(k =>
                `b: S3 bucket b may become public: its public access block no-${k} turns protection off; set ${all} all true on every block (keep one).`));
        });
    });

    describe("s3-bucket-tls-only", () => {
        const policy = "aws:s3/bucketPolicy:BucketPolicy";
        const denyPlain = (secure: unknown) => ({ Effect: "Deny", Action: "s3:*", Principal: "*", Condition: { Bool: { "aws:SecureTransport": secure } } });
        const plainHttp = (b: string) => `${b}: S3 bucket ${b} accepts plain HTTP; add a BucketPolicy that denies s3:* when aws:SecureTransport is "false".`;
        const judged = (doc: unknown) => {
            const b = bucket("b");
            return checkStack(s3BucketTlsOnly, b, config(policy, "b-policy", { policy: doc }, b));
        };

        it("accepts a Deny on aws:SecureTransport false, as JSON or as an object, in any case", () => {
            expect(judged(JSON.stringify({ Statement: [null, { Effect: "Allow", Principal: "*" }, denyPlain("false")] }))).to.deep.equal([]);
            expect(judged({ Statement: [denyPlain(false)] })).to.deep.equal([]);
            expect(judged(JSON.stringify({ Statement: [denyPlain("FALSE")] }))).to.deep.equal([]);
        });

        it("refuses an Allow, a Deny without the condition, other conditions, and no readable policy", () => {
            expect(judged(JSON.stringify({ Statement: [{ ...denyPlain("false"), Effect: "Allow" }] }))).to.deep.equal([plainHttp("b")]);
            expect(judged(JSON.stringify({ Statement: [{ Effect: "Deny", Action: "s3:DeleteBucket", Principal: "*" }] }))).to.deep.equal([plainHttp("b")]);
            expect(judged(JSON.stringify({ Statement: [denyPlain("true")] }))).to.deep.equal([plainHttp("b")]);
            expect(judged(JSON.stringify({ Statement: [{ ...denyPlain("false"), Condition: { Bool: "aws:SecureTransport" } }] }))).to.deep.equal([plainHttp("b")]);
            expect(judged("{not json")).to.deep.equal([plainHttp("b")]);
            expect(checkStack(s3BucketTlsOnly, bucket("bare"))).to.deep.equal([plainHttp("bare")]);
        });
    });
});

describe("policy units: Cloud Storage buckets", () => {
    const gcs = "gcp:storage/bucket:Bucket";

    it("gcs-bucket-cmek: needs a customer-managed default key", () => {
        const googleKeys = ["Bucket uses Google-managed keys; set encryption.defaultKmsKeyName to a Cloud KMS key in the bucket's region."];
        expect(check(gcsBucketCmek, gcs, { encryption: { defaultKmsKeyName: "projects/p/locations/asia-south1/keyRings/r/cryptoKeys/k" } })).to.deep.equal([]);
        expect(check(gcsBucketCmek, gcs, { encryption: {} })).to.deep.equal(googleKeys);
        expect(check(gcsBucketCmek, gcs, {})).to.deep.equal(googleKeys);
    });

    it("gcs-public-access-prevented: needs enforced prevention and uniform access, each on its own", () => {
        const good = { publicAccessPrevention: "enforced", uniformBucketLevelAccess: true };
        expect(check(gcsPublicAccessPrevented, gcs, good)).to.deep.equal([]);
        expect(check(gcsPublicAccessPrevented, gcs, { ...good, publicAccessPrevention: "inherited" })).to.deep.equal(["Bucket may become public; set publicAccessPrevention: enforced."]);
        expect(check(gcsPublicAccessPrevented, gcs, { ...good, uniformBucketLevelAccess: false })).to.deep.equal(["Bucket allows per-object ACLs; set uniformBucketLevelAccess: true."]);
    });
});

describe("policy units: stateful resources and keys", () => {
    it("stateful-resources-protected-production: needs protect on stateful resources in production only", () => {
        const unprotected = (kind: string, name: string) =>
            `${name}: ${kind} ${name} is stateful and unprotected in production; pass { protect: true } (protectStateful(environment)).`;
        expect(checkStack(statefulResourcesProtectedProduction,
            fake(instance, "db", {}, {}, { protect: true }),
            fake("aws:dynamodb/table:Table", "ledger", {}),
            fake("gcp:kms/keyRing:KeyRing", "ring", {}, {}, { protect: false }),
            fake("aws:rds/subnetGroup:SubnetGroup", "subnets", {}),
        )).to.deep.equal([unprotected("Table", "ledger"), unprotected("KeyRing", "ring")]);
        expect(checkStack(statefulResourcesProtectedProduction, fake("aws:dynamodb/table:Table", "ledger", {}, {}, {}, "staging"))).to.deep.equal([]);
    });

    it("kms-key-rotation: reads each cloud's rotation setting on its own key type", () => {
        const awsKey = "aws:kms/key:Key";
        const gcpKey = "gcp:kms/cryptoKey:CryptoKey";
        const awsStill = ["KMS key does not rotate; set enableKeyRotation: true."];
        const gcpStill = ["Crypto key does not rotate; set rotationPeriod, such as \"7776000s\" (90 days)."];
        expect(check(kmsKeyRotation, awsKey, { enableKeyRotation: true })).to.deep.equal([]);
        expect(check(kmsKeyRotation, awsKey, { enableKeyRotation: false, rotationPeriod: "7776000s" })).to.deep.equal(awsStill);
        expect(check(kmsKeyRotation, gcpKey, { rotationPeriod: "7776000s" })).to.deep.equal([]);
        expect(check(kmsKeyRotation, gcpKey, { enableKeyRotation: true })).to.deep.equal(gcpStill);
    });
});
