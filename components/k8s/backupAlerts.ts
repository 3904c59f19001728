/**
 * Alerts for the platform's backups: each backup CronJob that fails, or has no successful run
 * within its own schedule's longest gap, pages (alerts.ts `backupJobRules`); so does
 * Elasticsearch's SLM policy, read through the exporter (esExporter.ts). Built from the CronJobs
 * and the SLM policy themselves, so a backup added to the platform is guarded without a list to
 * keep in step.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { AlertRule, backupJobRules, MetricsTarget, scheduleGraceSeconds } from "./alerts";
import { cronMaxIntervalSeconds } from "./cron";

/** An Elasticsearch SLM policy, and the exporter whose SLM and snapshot collectors report on it. */
export interface GuardedSnapshotPolicy {
    /** The SLM policy's id (`PUT _slm/policy/<id>`). */
    readonly policy: string;
    /** The snapshot repository it writes to. */
    readonly repository: string;
    /** Its schedule, as Elasticsearch's cron (seconds first). */
    readonly schedule: string;
    /** The exporter's scrape target: how long it has been up decides whether "never succeeded" is news. */
    readonly exporter: MetricsTarget;
}

/**
 * Elasticsearch's cron (`sec min hour day-of-month month day-of-week [year]`) as a five-field cron.
 * A day-of-week other than `?`/`*` is refused: Elasticsearch numbers Sunday 1, cron 0.
 */
export function slmScheduleAsCron(schedule: string): string {
    const parts = schedule.trim().split(/\s+/);
    const [seconds, minute, hour, dom, month, dow, year] = parts;
    const problem = parts.length < 6 || parts.length > 7 ? `expected 6 or 7 fields, got ${parts.length}`
        : !/^\d+$/.test(seconds!) ? `seconds ${JSON.stringify(seconds)} must be a single second`
            : year !== undefined && year !== "*" ? `year ${JSON.stringify(year)} must be *`
                : dow !== "?" && dow !== "*" ? `day-of-week ${JSON.stringify(dow)} must be ? or * (its numbering differs from cron's)`
                    : undefined;
    if (problem !== undefined) {
        throw new Error(`SLM schedule ${JSON.stringify(schedule)}: ${problem}`);
    }
    return [minute, hour, dom === "?" ? "*" : dom, month, "*"].join(" ");
}

/**
 * A failed SLM run, and no successful snapshot in the repository within the schedule's longest gap.
 * Failures count per policy (`_slm/stats`); the first run failing shows as a failure count with no
 * snapshot taken, as `increase()` sees no rise on a series that starts at 1.
 */
export function slmRules(guard: GuardedSnapshotPolicy): AlertRule[] {
    const policy = `{policy="${guard.policy}"}`;
    const repository = `{repository="${guard.repository}"}`;
    const exporter = `{namespace="${guard.exporter.namespace}", job="${guard.exporter.job}"}`;
    const limit = cronMaxIntervalSeconds(slmScheduleAsCron(guard.schedule)) + scheduleGraceSeconds;
    const labels = { severity: "critical", policy: guard.policy, repository: guard.repository };
    return [
        {
            alert: "SnapshotPolicyFailed",
            expr: [
                `increase(elasticsearch_slm_stats_snapshots_failed_total${policy}[${limit}s]) > 0`,
                `(elasticsearch_slm_stats_snapshots_failed_total${policy} > 0 unless on (policy) elasticsearch_slm_stats_snapshots_taken_total${policy} > 0)`,
            ].join("\nor\n"),
            for: "0m",
            labels,
            annotations: {
                summary: `Elasticsearch SLM policy ${guard.policy} failed to take a snapshot`,
                description: `A run of SLM policy ${guard.policy} (repository ${guard.repository}) failed: GET _slm/policy/${guard.policy}?human shows last_failure and its reason. It resolves ${limit} s after the failure, or once a first snapshot succeeds.`,
            },
        },
        {
            alert: "SnapshotPolicyNotOnSchedule",
            // The timestamp is 0 (or absent, without the repository) until a first success: that
            // case fires only once the exporter has been up a whole interval, so an install does not page.
            expr: [
                `time() - (elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds${repository} > 0) > ${limit}`,
                `(absent(elasticsearch_snapshot_stats_latest_snapshot_timestamp_seconds${repository} > 0) and on () (time() - max(process_start_time_seconds${exporter}) > ${limit}))`,
            ].join("\nor\n"),
            for: "15m",
            labels,
            annotations: {
                summary: `Elasticsearch SLM policy ${guard.policy} has no successful snapshot on schedule`,
                description: `No successful snapshot in repository ${guard.repository} for more than ${limit} s (the longest gap of SLM schedule "${guard.schedule}" plus ${scheduleGraceSeconds} s): GET _slm/policy/${guard.policy}?human, GET _slm/status (RUNNING?).`,
            },
        },
    ];
}

export interface BackupAlertsArgs {
    /** Where the PrometheusRule lives (Prometheus selects rules in every namespace; monitoring keeps them together). */
    readonly namespace: pulumi.Input<string>;
    /** The backup CronJobs to guard. */
    readonly cronJobs: readonly k8s.batch.v1.CronJob[];
    /** The SLM policies to guard; default none (no Elasticsearch, or no snapshots on a laptop). */
    readonly snapshotPolicies?: readonly GuardedSnapshotPolicy[];
    /** The chart that installs the PrometheusRule CRD. */
    readonly monitoringCrds: pulumi.Resource;
}

export class BackupAlerts extends pulumi.ComponentResource {
    public readonly rules: k8s.apiextensions.CustomResource;

    constructor(name: string, args: BackupAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:BackupAlerts", name, {}, opts);
        const jobs = pulumi.all(args.cronJobs.map(c => pulumi.all([c.metadata.name, c.metadata.namespace, c.spec.schedule])));
        const slm = (args.snapshotPolicies ?? []).flatMap(slmRules);
        this.rules = new k8s.apiextensions.CustomResource(`${name}-rules`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "bookkeep-backup-alerts", namespace: args.namespace },
            spec: {
                groups: [{
                    name: "bookkeep-backups",
                    rules: jobs.apply(list => [
                        ...list.flatMap(([jobName, namespace, schedule]) =>
                            backupJobRules({ name: jobName, namespace, maxIntervalSeconds: cronMaxIntervalSeconds(schedule) })),
                        ...slm,
                    ]),
                }],
            },
        }, { parent: this, dependsOn: [args.monitoringCrds] });
        this.registerOutputs({ rules: this.rules });
    }
}
