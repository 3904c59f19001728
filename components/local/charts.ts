/**
 * The in-cluster data layer of the development stack: pinned upstream charts and images, the
 * names and pod labels they produce, and the chart values we own. Pure data and functions, so
 * they are tested without evaluating a stack.
 *
 * Why these charts (checked 2026-11):
 * - PostgreSQL: CloudNativePG. Bitnami moved its versioned images to the unmaintained
 *   `bitnamilegacy` catalog in 2025 (bitnami/containers#83267), so a pinned PostgreSQL 15 from
 *   Bitnami would be a frozen, unpatched image. CNPG is a CNCF project that ships patched official
 *   PostgreSQL 15 images and whose pods pass the `restricted` Pod Security Standard.
 * - Redis: Valkey's official chart (valkey-io/valkey-helm). Valkey is the BSD-licensed Redis fork
 *   and speaks the same protocol, so `redis://` clients work unchanged.
 * - Object store: MinIO's chart 5.4.0 with the last published MinIO images (quay.io). Upstream
 *   MinIO stopped publishing images in 2025 and archived the project in 2026; the chart still
 *   provisions buckets, users and policies in one place, which is what the backup job needs. Swap
 *   for a maintained S3 store (SeaweedFS, Garage) when one offers the same provisioning.
 */
import type { ChartPin } from "../k8s/charts";
import { Namespaces } from "../naming";


export const charts = {
    cnpg: { chart: "cloudnative-pg", version: "0.29.0" },
    // 0.12.0 is not among valkey-helm's tags or in its index; 0.11.0 is its newest release.
    valkey: { chart: "valkey", version: "0.11.0" },
    minio: { chart: "minio", version: "5.4.0" },
} as const satisfies Record<string, ChartPin>;

export const images = {
    /** PostgreSQL 15, the major version the cloud stacks run (RDS / Cloud SQL). */
    postgres: "ghcr.io/cloudnative-pg/postgresql:15.19-standard-trixie",
    valkey: { repository: "valkey/valkey", tag: "9.1.0" },
    minio: { repository: "quay.io/minio/minio", tag: "RELEASE.2025-09-07T16-13-09Z" },
    mc: { repository: "quay.io/minio/mc", tag: "RELEASE.2025-08-13T08-35-41Z" },
    /** Same uploader as the S3 stacks: the backup CronJob is identical apart from its env. */
    awsCli: "amazon/aws-cli:2.22.35",
} as const;

/** Helm release names; they fix the chart's object names and pod labels below. */
export const releases = { cnpg: "cnpg", valkey: "valkey", minio: "minio" } as const;

/** In-cluster object names the foundation creates or the charts derive from the values below. */
export const names = {
    postgresCluster: "postgres",
    postgresSecret: "postgres-app-credentials",
    valkeySecret: "valkey-users",
    minioRootSecret: "minio-root-credentials",
    minioBackupUserSecret: "minio-backup-user",
    /** In the app namespace: pods can only reference Secrets in their own namespace. */
    uploaderSecret: "bookkeep-object-store",
    backupUser: "bookkeep-backup",
    backupPolicy: "bookkeep-backup-writer",
} as const;

export const buckets = { documents: "bookkeep-documents", backups: "bookkeep-backups" } as const;
export const database = { name: "bookkeep", owner: "bookkeep" } as const;
/** MinIO accepts any region; pinning the India one keeps every region string in the stack in India. */
export const objectStoreRegion = "ap-south-1";
export const ports = { postgres: 5432, redis: 6379, objectStore: 9000, cnpgStatus: 8000, cnpgWebhook: 9443 } as const;

/** Pod labels the charts (and the CNPG operator) put on their pods, for NetworkPolicy selectors. */
export const podLabels = {
    postgres: { "cnpg.io/cluster": names.postgresCluster },
    cnpgOperator: { "app.kubernetes.io/name": "cloudnative-pg", "app.kubernetes.io/instance": releases.cnpg },
    valkey: { "app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": releases.valkey },
    minio: { app: "minio", release: releases.minio },
    /** The program's Job that creates the buckets, the policy and the backup user (objectStoreSetup.ts). */
    minioJob: { app: "minio-setup" },
} as const;

/** Cluster-internal DNS names of the data stores (Services the operator and charts create). */
export function serviceHosts(ns: Namespaces) {
    const fqdn = (service: string) => `${service}.${ns.data}.svc.cluster.local`;
    return {
        // CNPG's read-write Service always points at the current primary.
        postgres: fqdn(`${names.postgresCluster}-rw`),
        redis: fqdn(releases.valkey),
        objectStore: fqdn(releases.minio),
    };
}

/** Requests and limits for one laptop node: everything here fits in about 1 GiB of memory. */
const sizes = {
    cnpgOperator: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    postgres: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
    valkey: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    valkeyInit: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
    minio: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    job: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    valkeyStorage: "1Gi",
    minioStorage: "10Gi",
} as const;

/** Requests and limits of the object store's setup Job. */
export const jobSizes = sizes.job;

/** Container securityContext that satisfies the `restricted` Pod Security Standard. */
export const restrictedContainer = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" },
};

export function cnpgOperatorValues(): Record<string, unknown> {
    return {
        fullnameOverride: releases.cnpg,
        replicaCount: 1,
        resources: sizes.cnpgOperator,
        // No Prometheus Operator CRDs on the light development stack.
        monitoring: { podMonitorEnabled: false },
    };
}

export interface PostgresClusterArgs {
    readonly storageGb: number;
    readonly storageClass: string | undefined;
}

/** `spec` of the CNPG `Cluster`: one PostgreSQL 15 instance, bootstrapped from our Secret. */
export function postgresClusterSpec(args: PostgresClusterArgs): Record<string, unknown> {
    return {
        instances: 1,
        imageName: images.postgres,
        storage: { size: `${args.storageGb}Gi`, ...(args.storageClass ? { storageClass: args.storageClass } : {}) },
        resources: sizes.postgres,
        postgresql: { parameters: { shared_buffers: "64MB", max_connections: "100" } },
        bootstrap: {
            initdb: {
                database: database.name, owner: database.owner, secret: { name: names.postgresSecret },
                // The migration creates the services' least-privilege role as the owner, as on RDS
                // and Cloud SQL, whose owners may create roles; CNPG's owner may not by default.
                postInitSQL: [`ALTER ROLE ${database.owner} CREATEROLE`],
            },
        },
        // The migration and backups connect as the database owner, the services as bookkeep_app;
        // nobody needs a remote superuser login.
        enableSuperuserAccess: false,
        // A PDB on the only instance would block draining the only node of a laptop cluster.
        enablePDB: false,
    };
}

export function valkeyValues(storageClass: string | undefined): Record<string, unknown> {
    return {
        fullnameOverride: releases.valkey,
        image: { repository: images.valkey.repository, tag: images.valkey.tag },
        resources: sizes.valkey,
        initResources: sizes.valkeyInit,
        // The chart's `valkey-cli ping` readiness probe is off by default.
        readinessProbe: { enabled: true },
        dataStorage: {
            enabled: true,
            requestedSize: sizes.valkeyStorage,
            ...(storageClass ? { className: storageClass } : {}),
        },
        // The append-only file survives a pod restart with at most a second of writes lost.
        valkeyConfig: "appendonly yes\n",
        auth: {
            enabled: true,
            // The password stays in our Secret; the chart reads key "default" (the user name).
            usersExistingSecret: names.valkeySecret,
            aclUsers: { default: { permissions: "~* &* +@all" } },
        },
        securityContext: { ...restrictedContainer, readOnlyRootFilesystem: true, runAsUser: 1000 },
    };
}

/** The backup uploader's MinIO policy: put-only on the backups bucket, never the root credentials. */
export function backupWriterPolicy(): Record<string, unknown> {
    const backupsArn = `arn:aws:s3:::${buckets.backups}`;
    return {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: [`${backupsArn}/*`] },
            { Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"], Resource: [backupsArn] },
        ],
    };
}

export function minioValues(storageClass: string | undefined): Record<string, unknown> {
    return {
        fullnameOverride: releases.minio,
        mode: "standalone",
        image: { ...images.minio, pullPolicy: "IfNotPresent" },
        mcImage: { ...images.mc, pullPolicy: "IfNotPresent" },
        existingSecret: names.minioRootSecret,
        environment: { MINIO_SITE_REGION: objectStoreRegion },
        persistence: { enabled: true, size: sizes.minioStorage, ...(storageClass ? { storageClass } : {}) },
        resources: sizes.minio,
        securityContext: { enabled: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch" },
        containerSecurityContext: { ...restrictedContainer, readOnlyRootFilesystem: false },
        // Buckets, the backup policy and its user are made by the program's own Job
        // (objectStoreSetup.ts): the chart's post-install hook Job never runs under helm.v4.Chart.
        // Empty lists also drop the chart's default `console` user, whose password is public.
        buckets: [],
        policies: [],
        users: [],
        svcaccts: [],
        customCommands: [],
    };
}
