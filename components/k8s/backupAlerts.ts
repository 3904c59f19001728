/**
 * Alerts for the platform's backup CronJobs: each one that fails, or has no successful run within
 * its own schedule's longest gap, pages (alerts.ts `backupJobRules`). Built from the CronJobs
 * themselves, so a backup added to the platform is guarded without a list to keep in step.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { backupJobRules } from "./alerts";
import { cronMaxIntervalSeconds } from "./cron";

export interface BackupAlertsArgs {
    /** Where the PrometheusRule lives (Prometheus selects rules in every namespace; monitoring keeps them together). */
    readonly namespace: pulumi.Input<string>;
    /** The backup CronJobs to guard. */
    readonly cronJobs: readonly k8s.batch.v1.CronJob[];
    /** The chart that installs the PrometheusRule CRD. */
    readonly monitoringCrds: pulumi.Resource;
}

export class BackupAlerts extends pulumi.ComponentResource {
    public readonly rules: k8s.apiextensions.CustomResource;

    constructor(name: string, args: BackupAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:BackupAlerts", name, {}, opts);
        const jobs = pulumi.all(args.cronJobs.map(c => pulumi.all([c.metadata.name, c.metadata.namespace, c.spec.schedule])));
        this.rules = new k8s.apiextensions.CustomResource(`${name}-rules`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "bookkeep-backup-alerts", namespace: args.namespace },
            spec: {
                groups: [{
                    name: "bookkeep-backups",
                    rules: jobs.apply(list => list.flatMap(([jobName, namespace, schedule]) =>
                        backupJobRules({ name: jobName, namespace, maxIntervalSeconds: cronMaxIntervalSeconds(schedule) }))),
                }],
            },
        }, { parent: this, dependsOn: [args.monitoringCrds] });
        this.registerOutputs({ rules: this.rules });
    }
}
