/**
 * `bookkeep:observability.alerting`: where Alertmanager delivers (components/k8s/alertReceivers.ts).
 * Critical alerts page (PagerDuty or Opsgenie), warnings go to chat (a Slack incoming webhook), and
 * the always-firing Watchdog goes to an external heartbeat monitor, which raises the alarm when the
 * heartbeats stop. The credentials are Pulumi secrets: set them with
 * `pulumi config set --secret --path 'observability.alerting.pager.key' ...`. Their format is the
 * receiving service's business, so they are only required to be non-empty here.
 */
import { z } from "zod";

const credential = z.string().min(1, { message: "must not be empty (a Pulumi secret: pulumi config set --secret --path ...)" });

export const pagerServices = ["pagerduty", "opsgenie"] as const;

export const alertingSchema = z.strictObject({
    /** Receives `severity: critical`: a PagerDuty Events v2 routing key or an Opsgenie API key. Required in production. */
    pager: z.strictObject({ service: z.enum(pagerServices), key: credential }).optional(),
    /** Receives `severity: warning` (and critical, where there is no pager): a Slack incoming-webhook URL and its channel. */
    chat: z.strictObject({
        slackWebhookUrl: credential,
        channel: z.string().regex(/^#[a-z0-9][a-z0-9._-]{0,79}$/, { message: "must be a Slack channel such as #platform-alerts" }),
    }).optional(),
    /** Receives the Watchdog every minute: a dead man's switch URL (healthchecks.io, Opsgenie heartbeat, PagerDuty). */
    heartbeat: z.strictObject({ url: credential }).optional(),
});

export type AlertingConfig = z.infer<typeof alertingSchema>;

/** The message a production stack without a pager gets (config validation and the policy pack say the same). */
export const pagerRequired = "is required in production: critical alerts must page a person; set observability.alerting.pager (service pagerduty or opsgenie, key as a Pulumi secret; README, Alert delivery)";
