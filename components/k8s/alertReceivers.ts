/**
 * Alert delivery from stack config (`bookkeep:observability.alerting`, stacks/alerting.ts):
 * `severity: critical` pages, `warning` goes to chat, and the always-firing Watchdog goes to an
 * external heartbeat monitor, whose silence is the alarm that Prometheus or Alertmanager is down.
 *
 * The credentials never enter the chart's values (which land in state and in the rendered
 * manifests): they are in a Secret of their own, from Pulumi secrets, which Alertmanager mounts
 * and reads at send time (`*_file` settings). The routing itself holds only file paths.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { AlertingConfig } from "../../stacks/alerting";

/** The Secret with the receivers' credentials; the operator mounts `alertmanagerSpec.secrets` here. */
export const receiversSecret = "alertmanager-receivers";
/**
 * The Secret with Alertmanager's configuration (`alertmanagerSpec.configSecret`), ours rather than
 * the chart's: written as JSON (which is YAML) by the program, so the policy pack can read where
 * critical alerts go, which it cannot in the chart's base64 YAML.
 */
export const configSecret = "alertmanager-config";
const mount = `/etc/alertmanager/secrets/${receiversSecret}`;
const keys = { pager: "pager-key", chat: "slack-webhook-url", heartbeat: "heartbeat-url" } as const;

type Receiver = { name: string } & Record<string, unknown>;

function pagerReceiver(pager: NonNullable<AlertingConfig["pager"]>): Receiver {
    const file = `${mount}/${keys.pager}`;
    switch (pager.service) {
        case "pagerduty":
            return { name: "pager", pagerduty_configs: [{ routing_key_file: file, send_resolved: true }] };
        case "opsgenie":
            return { name: "pager", opsgenie_configs: [{ api_key_file: file, send_resolved: true, priority: "P1" }] };
        default: {
            const unknown: never = pager.service;
            throw new Error(`unknown pager service ${String(unknown)}`);
        }
    }
}

/** Alertmanager's configuration for the stack's receivers; a severity without one is dropped (`null`). */
export function alertmanagerConfig(alerting: AlertingConfig): Record<string, unknown> {
    const receivers: Receiver[] = [{ name: "null" }];
    if (alerting.pager) {
        receivers.push(pagerReceiver(alerting.pager));
    }
    if (alerting.chat) {
        receivers.push({
            name: "chat",
            slack_configs: [{
                api_url_file: `${mount}/${keys.chat}`,
                channel: alerting.chat.channel,
                send_resolved: true,
                title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
                text: "{{ range .Alerts }}{{ .Annotations.summary }}: {{ .Annotations.description }}\n{{ end }}",
            }],
        });
    }
    if (alerting.heartbeat) {
        receivers.push({ name: "heartbeat", webhook_configs: [{ url_file: `${mount}/${keys.heartbeat}`, send_resolved: false }] });
    }
    const critical = alerting.pager ? "pager" : alerting.chat ? "chat" : "null";
    const warning = alerting.chat ? "chat" : "null";
    return {
        global: { resolve_timeout: "5m" },
        route: {
            receiver: warning,
            group_by: ["namespace", "alertname"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "4h",
            routes: [
                // Repeated every few minutes: the heartbeat monitor alarms when they stop.
                { matchers: ["alertname = \"Watchdog\""], receiver: alerting.heartbeat ? "heartbeat" : "null", group_wait: "0s", group_interval: "1m", repeat_interval: "5m" },
                // kube-prometheus-stack's InfoInhibitor only exists to silence info-level alerts.
                { matchers: ["alertname = \"InfoInhibitor\""], receiver: "null" },
                { matchers: ["severity = \"critical\""], receiver: critical, repeat_interval: "1h" },
                { matchers: ["severity = \"warning\""], receiver: warning },
            ],
        },
        receivers,
    };
}

export interface AlertReceiversArgs {
    readonly namespace: pulumi.Input<string>;
    readonly alerting: AlertingConfig;
}

/** The Secret with the configured receivers' credentials, each a Pulumi secret, and the one with the routing. */
export class AlertReceivers extends pulumi.ComponentResource {
    public readonly secret: k8s.core.v1.Secret;
    public readonly config: k8s.core.v1.Secret;

    constructor(name: string, args: AlertReceiversArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:AlertReceivers", name, {}, opts);
        const { pager, chat, heartbeat } = args.alerting;
        const data: Record<string, pulumi.Output<string>> = {
            ...(pager ? { [keys.pager]: pulumi.secret(pager.key) } : {}),
            ...(chat ? { [keys.chat]: pulumi.secret(chat.slackWebhookUrl) } : {}),
            ...(heartbeat ? { [keys.heartbeat]: pulumi.secret(heartbeat.url) } : {}),
        };
        this.secret = new k8s.core.v1.Secret(`${name}-secret`, {
            metadata: { name: receiversSecret, namespace: args.namespace, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: data,
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });
        this.config = new k8s.core.v1.Secret(`${name}-config`, {
            metadata: { name: configSecret, namespace: args.namespace, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: { "alertmanager.yaml": JSON.stringify(alertmanagerConfig(args.alerting), null, 2) },
        }, { parent: this });
        this.registerOutputs({});
    }
}
