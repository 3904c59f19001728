/**
 * Whole-cluster backup with Velero (issue 21): a weekly full backup of every namespace and a daily
 * backup of the platform namespaces, both with CSI snapshots of the persistent volumes, into the
 * backups bucket under `velero/`. The daily one carries bookkeep-system and with it the Sealed
 * Secrets controller's key, so a rebuilt cluster can still decrypt the SealedSecrets kept in git
 * (docs/runbooks/lost-cluster.md). Velero authenticates with the cloud's workload identity.
 *
 * Schedules are in UTC (Velero's cron) and sit in the afternoon gap of every other job: the
 * database dumps take 20:30-01:30 UTC, the cloud windows 15:00-22:00 UTC (components/gcp/windows.ts,
 * the RDS/ElastiCache windows); tests/velero-windows.spec.ts proves no overlap.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { CloudFoundation, ClusterBackupTarget } from "../foundation";
import { workloadSubject } from "../identities";
import { namespacesFor, platformPeers } from "../naming";
import { AlertRule, scheduleGraceSeconds } from "./alerts";
import { charts, pinnedChart } from "./charts";
import { cronMaxIntervalSeconds } from "./cron";
import { PlatformNamespaces } from "./namespaces";
import { dnsEgress, identityEgress, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

/** Helm release and fullname: Velero's Deployment, Service and the Schedules' name prefix. */
export const veleroRelease = "velero";
/** Velero's metrics port (`http-monitoring`). */
const metricsPort = 8085;
/** The longest a backup is allowed to run, for the no-overlap check (Velero's own default is 4 h for item operations; ours are small). */
export const veleroBackupHours = 2;

export interface VeleroSchedule {
    /** Key in the chart's `schedules`; the Schedule is `velero-<key>`. */
    readonly key: string;
    /** Cron, UTC. */
    readonly schedule: string;
    /** Backup `ttl` (Velero deletes the backup and its snapshots after it). */
    readonly ttlHours: number;
    /** Namespaces backed up (`*` for all). */
    readonly namespaces: readonly string[];
}

/** The platform namespaces the daily backup keeps (the app namespace holds nothing the program does not recreate). */
export function platformBackupNamespaces(environment: Environment): string[] {
    const ns = namespacesFor(environment);
    return [ns.system, ns.monitoring, ns.nats];
}

export function veleroSchedules(environment: Environment): VeleroSchedule[] {
    return [
        // Sunday 10:00 UTC (15:30 IST), 5 weeks kept.
        { key: "weekly-full", schedule: "0 10 * * 0", ttlHours: 35 * 24, namespaces: ["*"] },
        // Daily 12:30 UTC (18:00 IST), 2 weeks kept.
        { key: "daily-platform", schedule: "30 12 * * *", ttlHours: 14 * 24, namespaces: platformBackupNamespaces(environment) },
    ];
}

/** The Schedule object's name as the chart renders it. */
export function scheduleName(s: VeleroSchedule): string {
    return `${veleroRelease}-${s.key}`;
}

/** Failure and "no successful backup within the schedule's longest gap" alerts, per Schedule. */
export function veleroRules(schedules: readonly VeleroSchedule[]): AlertRule[] {
    return schedules.flatMap(s => {
        const name = scheduleName(s);
        const sel = `{schedule="${name}"}`;
        const limit = cronMaxIntervalSeconds(s.schedule) + scheduleGraceSeconds;
        const labels = { severity: "critical", schedule: name };
        return [
            {
                alert: "VeleroBackupFailed",
                expr: `increase(velero_backup_failure_total${sel}[${limit}s]) > 0 or increase(velero_backup_partial_failure_total${sel}[${limit}s]) > 0`,
                for: "0m",
                labels,
                annotations: {
                    summary: `Velero backup of ${name} failed`,
                    description: `A backup of Schedule ${name} failed or partially failed: velero backup describe --details -n bookkeep-system, then velero backup logs.`,
                },
            },
            {
                alert: "VeleroBackupNotOnSchedule",
                // The timestamp is 0 (or absent) until a first success: that case fires only once a
                // whole interval has passed since Velero started, so a fresh install does not page.
                expr: `time() - (velero_backup_last_successful_timestamp${sel} > 0) > ${limit}\nor\n(absent(velero_backup_last_successful_timestamp${sel} > 0) and on () (time() - max(process_start_time_seconds{job="${veleroRelease}"}) > ${limit}))`,
                for: "15m",
                labels,
                annotations: {
                    summary: `Velero Schedule ${name} has no successful backup on schedule`,
                    description: `No successful backup of ${name} for more than ${limit} s (its schedule's longest gap plus ${scheduleGraceSeconds} s).`,
                },
            },
        ];
    });
}

export interface VeleroArgs {
    readonly environment: Environment;
    readonly observability: boolean;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The chart that installs the ServiceMonitor/PrometheusRule CRDs, when observability is on. */
    readonly monitoringCrds?: pulumi.Resource;
}

export class Velero extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;
    public readonly schedules: VeleroSchedule[];

    constructor(name: string, args: VeleroArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Velero", name, {}, opts);
        const { environment, foundation, namespaces, observability } = args;
        const target: ClusterBackupTarget | undefined = foundation.clusterBackup;
        if (target === undefined) {
            throw new Error("Velero needs the foundation's clusterBackup target");
        }
        const child = { parent: this };
        const subject = workloadSubject("velero", environment);
        this.schedules = veleroSchedules(environment);

        // Velero's CSI support picks the class labelled for it. Retain: a snapshot outlives the
        // cluster it was taken in, which is the point of restoring into a rebuilt one.
        const snapshotClass = new k8s.apiextensions.CustomResource(`${name}-snapshot-class`, {
            apiVersion: "snapshot.storage.k8s.io/v1",
            kind: "VolumeSnapshotClass",
            metadata: { name: "velero-csi", labels: { "velero.io/csi-volumesnapshot-class": "true" } },
            driver: target.csiDriver,
            deletionPolicy: "Retain",
        }, { ...child, dependsOn: target.snapshotCrds });

        const plugin = {
            name: `velero-plugin-for-${target.provider}`,
            image: target.pluginImage,
            imagePullPolicy: "IfNotPresent",
            volumeMounts: [{ mountPath: "/target", name: "plugins" }],
            securityContext: restrictedContainer(),
            resources: resources({ cpu: "20m", memory: "32Mi" }, { cpu: "200m", memory: "128Mi" }),
        };
        this.chart = pinnedChart(`${name}-chart`, charts.velero, veleroRelease, namespaces.system, {
            fullnameOverride: veleroRelease,
            initContainers: [plugin],
            // Idle between backups; the limit covers a backup's burst. The request is what staging's
            // four t3.medium nodes had left (preflight: 48 MiB of headroom at the HPA minimum).
            resources: resources({ cpu: "50m", memory: "48Mi" }, { cpu: "1", memory: "512Mi" }),
            podSecurityContext: restrictedPod(),
            containerSecurityContext: restrictedContainer(),
            // The CRDs come from the chart's crds/ directory; the upgrade Job is a hook (never run).
            upgradeCRDs: false,
            credentials: { useSecret: false },
            serviceAccount: { server: { create: true, name: subject.serviceAccount, annotations: foundation.serviceAccountAnnotations("velero") } },
            // File-system backup is off: volumes are CSI snapshots, so no privileged node agent.
            deployNodeAgent: false,
            snapshotsEnabled: false,
            configuration: {
                features: "EnableCSI",
                backupStorageLocation: [{
                    name: "default",
                    provider: target.provider,
                    bucket: target.bucket,
                    prefix: "velero",
                    default: true,
                    config: target.config,
                }],
                volumeSnapshotLocation: [],
            },
            schedules: Object.fromEntries(this.schedules.map(s => [s.key, {
                schedule: s.schedule,
                template: {
                    ttl: `${s.ttlHours}h0m0s`,
                    includedNamespaces: [...s.namespaces],
                    snapshotVolumes: true,
                    defaultVolumesToFsBackup: false,
                    storageLocation: "default",
                },
            }])),
            metrics: {
                enabled: true,
                serviceMonitor: { autodetect: false, enabled: observability },
                prometheusRule: { autodetect: false, enabled: false },
            },
        }, { ...child, dependsOn: [snapshotClass, ...(args.monitoringCrds ? [args.monitoringCrds] : []), ...foundation.identityGrants("velero")] });

        networkPolicy(`${name}-netpol`, "velero", namespaces.system, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "velero" } },
            ingress: observability ? [{ from: [platformPeers(environment).prometheus], ports: tcp(metricsPort) }] : [],
            egress: [
                dnsEgress(environment),
                kubeApiEgress(foundation),
                ...identityEgress(foundation),
                { to: target.networkPeers, ports: tcp(443) },
            ],
        }, child);

        if (args.monitoringCrds) {
            new k8s.apiextensions.CustomResource(`${name}-rules`, {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: "bookkeep-velero-alerts", namespace: namespaces.monitoring },
                spec: { groups: [{ name: "bookkeep-velero", rules: veleroRules(this.schedules) }] },
            }, { ...child, dependsOn: [args.monitoringCrds] });
        }
        this.registerOutputs({});
    }
}
