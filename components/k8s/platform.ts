/**
 * The shared Kubernetes platform of one environment, on whatever cluster the foundation provides:
 * namespaces and their guard rails, ingress + TLS, NATS, secrets, observability, the database
 * migration the fleet waits for, and backups. It sees only the CloudFoundation interface, so it
 * is identical on every cloud apart from the identity annotations the foundation supplies.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../../services/schema";
import { inputError } from "../../stacks/errors";
import { StackConfig } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { Namespaces } from "../naming";
import { AppSecrets } from "./appSecrets";
import { backupBudget, DatabaseBackups } from "./backups";
import { CertManager } from "./certManager";
import { IngressController } from "./ingress";
import { Logging } from "./logging";
import { DatabaseMigration, migrationBudget } from "./migration";
import { Monitoring } from "./monitoring";
import { PlatformNamespaces } from "./namespaces";
import { Nats } from "./nats";
import { SealedSecrets } from "./sealedSecrets";
import { Tracing } from "./tracing";

export interface KubernetesPlatformArgs {
    /** Validated stack config; `observability.enabled: false` leaves out Prometheus/Grafana, Elasticsearch/Fluentd and the OTel collector. */
    readonly config: StackConfig;
    /** The cloud foundation: the cluster's provider (pass it in `providers`), data endpoints, identity bindings. */
    readonly foundation: CloudFoundation;
    /** Validated service catalog: sizes the quota and opens the services' NetworkPolicy ports. */
    readonly catalog: readonly ServiceSpec[];
}

export class KubernetesPlatform extends pulumi.ComponentResource {
    public readonly namespaces: Namespaces;
    /** Completes before the fleet rolls out (components/platform.ts depends on it). */
    public readonly migration: k8s.batch.v1.Job;
    /** Name of the app Secret (database-url, redis-url, jwt-secret, nats-url). */
    public readonly appSecretName: string;

    constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Platform", name, {}, opts);
        const { config, foundation, catalog } = args;
        if (catalog.length === 0) {
            throw inputError("kubernetes platform", [{ propertyPath: "catalog", reason: "must list at least one service (got an empty catalog)" }]);
        }
        const child = { parent: this };

        const namespaces = new PlatformNamespaces(`${name}-namespaces`, { config, catalog, platformPods: [migrationBudget, backupBudget] }, child);
        this.namespaces = namespaces.names;
        const layer = { config, foundation, namespaces };

        const secrets = new AppSecrets(`${name}-secrets`, layer, child);
        this.appSecretName = secrets.secretName;
        new IngressController(`${name}-ingress`, { ...layer, catalog }, child);
        new CertManager(`${name}-cert-manager`, layer, child);
        new Nats(`${name}-nats`, { ...layer, catalog }, child);
        new SealedSecrets(`${name}-sealed-secrets`, layer, child);
        if (config.observability.enabled) {
            new Monitoring(`${name}-monitoring`, { ...layer, catalog }, child);
            new Logging(`${name}-logging`, layer, child);
            new Tracing(`${name}-tracing`, { ...layer, catalog }, child);
        }
        const migration = new DatabaseMigration(`${name}-migration`, { ...layer, secret: secrets.secret }, child);
        this.migration = migration.job;
        new DatabaseBackups(`${name}-backups`, { ...layer, secret: secrets.secret }, child);
        this.registerOutputs({ namespaces: this.namespaces, migration: migration.jobName, appSecretName: this.appSecretName });
    }
}
