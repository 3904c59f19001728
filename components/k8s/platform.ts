/**
 * The shared Kubernetes platform of one environment, on whatever cluster the foundation provides:
 * namespaces and their guard rails, the API gateway + TLS, NATS, secrets, observability, the database
 * migration the fleet waits for, and backups. It sees only the CloudFoundation interface, so it
 * is identical on every cloud apart from the identity annotations the foundation supplies and the
 * scheduled cloud jobs it asks for (AWS's hourly `redis-snapshot`).
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ServiceSpec } from "../../services/schema";
import { inputError } from "../../stacks/errors";
import { restoreDumpObject } from "../../stacks/restore";
import { StackConfig } from "../../stacks/schema";
import { CertificateIssuer, CloudFoundation } from "../foundation";
import { Namespaces } from "../naming";
import { AppSecrets } from "./appSecrets";
import { BackupAlerts, GuardedSnapshotPolicy } from "./backupAlerts";
import { backupBudget, backupSchedules, cliBudget, CloudCronJob, DatabaseBackups } from "./backups";
import { CertManager } from "./certManager";
import { Eck } from "./eck";
import { elasticsearchPods, slmPolicy, snapshotRepository, snapshotRepositoryBody } from "./elasticsearch";
import { ElasticsearchExporter, elasticsearchExporterTarget } from "./esExporter";
import { Kibana } from "./kibana";
import { Logging } from "./logging";
import { Flagger } from "./flagger";
import { ApiGateway, GatewayOrigin } from "./gateway";
import { DatabaseMigration, migrationBudget } from "./migration";
import { DatabaseRestoreJob, restoreBudget } from "./restoreJob";
import { metricsTargets, Monitoring } from "./monitoring";
import { PlatformNamespaces } from "./namespaces";
import { Nats } from "./nats";
import { SealedSecrets } from "./sealedSecrets";
import { Tempo } from "./tempo";
import { Tracing } from "./tracing";
import { Velero } from "./velero";

export interface KubernetesPlatformArgs {
    /** Validated stack config; `observability.enabled: false` leaves out Prometheus/Grafana, Elasticsearch/Fluentd and the OTel collector. */
    readonly config: StackConfig;
    /** The cloud foundation: the cluster's provider (pass it in `providers`), data endpoints, identity bindings. */
    readonly foundation: CloudFoundation;
    /** Validated service catalog: sizes the quota and opens the services' NetworkPolicy ports. */
    readonly catalog: readonly ServiceSpec[];
    /** The edge's demands on the API gateway (Cloudflare's source ranges and origin-pull CA); default none: clients reach it directly. */
    readonly origin?: GatewayOrigin;
    /** cert-manager's ClusterIssuer when the edge holds the domain's DNS; default the foundation's. */
    readonly certificateIssuer?: CertificateIssuer;
}

export class KubernetesPlatform extends pulumi.ComponentResource {
    public readonly namespaces: Namespaces;
    /** Completes before the fleet rolls out. */
    public readonly migration: k8s.batch.v1.Job;
    /**
     * What the fleet must wait for (components/platform.ts passes it as the Fleet's dependsOn): the
     * migration Job, and the API gateway's chart, which installs the HTTPRoute CRD the routes need.
     */
    public readonly readyForFleet: pulumi.Resource[];
    /** Name of the app Secret (database-url, database-owner-url, database-app-password, redis-url, jwt-secret, nats-url-<service>). */
    public readonly appSecretName: string;

    constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Platform", name, {}, opts);
        const { config, foundation, catalog } = args;
        if (catalog.length === 0) {
            throw inputError("kubernetes platform", [{ propertyPath: "catalog", reason: "must list at least one service (got an empty catalog)" }]);
        }
        const child = { parent: this };

        // The migration, one pod per backup schedule (their runs may overlap), the hourly cache
        // snapshot, a dump restore.
        const dump = restoreDumpObject(config.database.restore);
        const platformPods = [migrationBudget, ...backupSchedules.map(() => backupBudget), ...(foundation.cacheSnapshots ? [cliBudget] : []), ...(dump ? [restoreBudget] : [])];
        const { environment } = config;
        const observability = config.observability.enabled;
        const namespaces = new PlatformNamespaces(`${name}-namespaces`, { environment, observability, fleet: config.fleet, catalog, platformPods }, child);
        this.namespaces = namespaces.names;
        // What every layer reads; each component takes what it reads besides (its Args say which).
        const layer = { environment, foundation, namespaces };

        // Default providers are disabled stack-wide, so even @pulumi/random gets an explicit one.
        const randomProvider = new random.Provider(`${name}-random`, {}, {
            ...child,
            // It was Monitoring's own before; the alias keeps the generated passwords.
            aliases: [{ name: `${name}-monitoring-random`, parent: pulumi.createUrn(`${name}-monitoring`, "bookkeep:k8s:Monitoring", this) }],
        });

        // Monitoring first: its chart installs the ServiceMonitor/PodMonitor CRDs the other charts
        // render when observability is on, so they wait for it.
        const monitoringCrds: pulumi.Resource | undefined = observability
            ? new Monitoring(`${name}-monitoring`, {
                ...layer, randomProvider, alerting: config.observability.alerting,
                // Elasticsearch, and with it its exporter, runs wherever Monitoring does.
                metricsTargets: [...metricsTargets(namespaces.names, catalog), elasticsearchExporterTarget(namespaces.names)],
            }, child).chart
            : undefined;
        // cert-manager next: Elasticsearch and NATS take private certificates from it.
        const certManager = new CertManager(`${name}-cert-manager`, { ...layer, observability, monitoringCrds, issuer: args.certificateIssuer }, child);
        const eck = observability ? new Eck(`${name}-eck`, { ...layer, elasticsearchPods }, child) : undefined;
        const snapshotPolicies: GuardedSnapshotPolicy[] = [];
        if (eck) {
            const logging = new Logging(`${name}-logging`, {
                ...layer, logRetentionDays: config.observability.logRetentionDays, randomProvider, monitoringCrds, certManager: certManager.chart, eck: eck.ready,
            }, child);
            if (monitoringCrds) {
                new ElasticsearchExporter(`${name}-elasticsearch-exporter`, { environment, namespaces, monitoringCrds, dependsOn: logging.writers }, child);
                if (snapshotRepositoryBody(foundation)) {
                    snapshotPolicies.push({
                        policy: slmPolicy.policy, repository: snapshotRepository.name, schedule: slmPolicy.schedule, exporter: elasticsearchExporterTarget(namespaces.names),
                    });
                }
            }
        }
        if (monitoringCrds) {
            // Tempo's ServiceMonitor needs the CRD; traces are kept as long as the logs.
            const tempo = new Tempo(`${name}-tempo`, { ...layer, retentionDays: config.observability.logRetentionDays, monitoringCrds }, child);
            new Tracing(`${name}-tracing`, { ...layer, tempo: tempo.chart }, child);
        }
        const gateway = new ApiGateway(`${name}-gateway`, {
            ...layer, observability, catalog, domain: config.domain, monitoringCrds, certManager: certManager.chart, ...(args.origin ? { origin: args.origin } : {}),
        }, child);
        if (eck) {
            new Kibana(`${name}-kibana`, { environment, namespaces, domain: config.domain, dependsOn: [...eck.ready, gateway.chart] }, child);
        }
        // NATS generates its users' passwords; the app Secret carries each service's URL with them.
        const nats = new Nats(`${name}-nats`, { ...layer, observability, catalog, monitoringCrds, randomProvider, certManager: certManager.chart }, child);
        const secrets = new AppSecrets(`${name}-secrets`, { ...layer, randomProvider, natsPasswords: nats.clientPasswords }, child);
        this.appSecretName = secrets.secretName;
        new SealedSecrets(`${name}-sealed-secrets`, { ...layer, observability, monitoringCrds }, child);
        if (foundation.clusterBackup) {
            new Velero(`${name}-velero`, { ...layer, observability, monitoringCrds }, child);
        }
        const backups = new DatabaseBackups(`${name}-backups`, { ...layer, secret: secrets.secret }, child);
        // A dump restore loads the new database before the migration (and so the fleet) sees it.
        const restore = dump && config.database.restore
            ? new DatabaseRestoreJob(`${name}-restore`, { ...layer, id: config.database.restore.id, object: dump, secret: secrets.secret, serviceAccount: backups.serviceAccount }, child)
            : undefined;
        const migration = new DatabaseMigration(`${name}-migration`, {
            foundation, namespaces, imageRegistry: config.fleet.imageRegistry, releaseVersion: config.fleet.releaseVersion, secret: secrets.secret,
            ...(restore ? { after: [restore.job] } : {}),
        }, child);
        this.migration = migration.job;
        this.readyForFleet = [migration.job, gateway.chart];
        if (config.delivery.progressive) {
            // The Canaries need Flagger's CRDs and reference its MetricTemplates; Flagger writes
            // HTTPRoutes, whose CRD the gateway chart installs.
            const flagger = new Flagger(`${name}-flagger`, { ...layer, catalog, dependsOn: [gateway.chart] }, child);
            this.readyForFleet.push(flagger.chart, ...Object.values(flagger.metricTemplates));
        }
        const cacheSnapshots = foundation.cacheSnapshots
            ? new CloudCronJob(`${name}-cache-snapshots`, { foundation, job: foundation.cacheSnapshots }, child)
            : undefined;
        if (monitoringCrds) {
            new BackupAlerts(`${name}-backup-alerts`, {
                namespace: namespaces.monitoring,
                cronJobs: [...backups.cronJobs, ...(cacheSnapshots ? [cacheSnapshots.cronJob] : [])],
                snapshotPolicies,
                monitoringCrds,
            }, child);
        }
        this.registerOutputs({ namespaces: this.namespaces, migration: migration.jobName, appSecretName: this.appSecretName });
    }
}
