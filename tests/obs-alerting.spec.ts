/**
 * Alert delivery as code (issue 22): receivers from `bookkeep:observability.alerting`, credentials
 * only as Pulumi secrets in a Secret of their own, and a production stack that pages nobody
 * refused by the config loader and by the policy pack
 * (its rule-level cases: tests/policies-units-alerting.spec.ts).
 */
import { expect } from "chai";
import { alertmanagerConfig } from "../components/k8s/alertReceivers";
import { readStackFile } from "../offline/stackFile";
import { pagerRequired } from "../stacks/alerting";
import { parseStackConfig } from "../stacks/load";
import { isSecret, plan, reveal } from "./harness";

const pager = { service: "pagerduty", key: "R0UT1NG" } as const;
const chat = { slackWebhookUrl: "https://hooks.slack.com/services/T/B/X", channel: "#platform-alerts" };
const heartbeat = { url: "https://hc-ping.com/uuid" };
const mount = "/etc/alertmanager/secrets/alertmanager-receivers";

function production(mutate: (alerting: Record<string, unknown>) => void): { raw: Record<string, string>; secretKeys: string[] } {
    const file = readStackFile("production");
    const observability = JSON.parse(file.config["bookkeep:observability"]!);
    mutate(observability.alerting);
    return { raw: { ...file.config, "bookkeep:observability": JSON.stringify(observability) }, secretKeys: file.secretKeys };
}

function rejection(raw: Record<string, string>, secretKeys: string[]): string {
    try {
        parseStackConfig(raw, { secretKeys, stack: "production" });
    } catch (err) {
        return (err as Error).message;
    }
    throw new Error("config was accepted");
}

describe("alert delivery: stack config", () => {
    it("reads the production stack's receivers, with their credentials as secrets", () => {
        const { raw, secretKeys } = production(() => undefined);
        expect(secretKeys).to.include("bookkeep:observability");
        expect(parseStackConfig(raw, { secretKeys, stack: "production" }).observability.alerting).to.deep.equal({
            pager: { service: "pagerduty", key: "[secret]" },
            chat: { channel: "#platform-alerts", slackWebhookUrl: "[secret]" },
            heartbeat: { url: "[secret]" },
        });
    });

    it("refuses a production stack without a critical receiver", () => {
        const { raw, secretKeys } = production(a => delete a.pager);
        expect(rejection(raw, secretKeys)).to.contain(`bookkeep:observability.alerting.pager: ${pagerRequired} (not set)`);
    });

    it("refuses a pager of an unknown service and an empty key, masking the secret section", () => {
        const { raw, secretKeys } = production(a => (a.pager = { service: "email", key: "" }));
        const message = rejection(raw, secretKeys);
        expect(message).to.contain("bookkeep:observability.alerting.pager.service: must be one of");
        expect(message).to.contain("bookkeep:observability.alerting.pager.key: must not be empty (a Pulumi secret: pulumi config set --secret --path ...)");
        expect(message).to.not.contain("email");
    });

    it("lets staging run without receivers", () => {
        const file = readStackFile("staging");
        expect(parseStackConfig(file.config, { stack: "staging" }).observability.alerting).to.deep.equal({});
    });
});

describe("alert delivery: Alertmanager routing", () => {
    it("pages critical, chats warning, sends the Watchdog to the heartbeat, reading every credential from a file", () => {
        const config = alertmanagerConfig({ pager, chat, heartbeat }) as any;
        expect(config.route.receiver).to.equal("chat");
        expect(config.route.routes.map((r: any) => [r.matchers[0], r.receiver])).to.deep.equal([
            ["alertname = \"Watchdog\"", "heartbeat"],
            ["alertname = \"InfoInhibitor\"", "null"],
            ["severity = \"critical\"", "pager"],
            ["severity = \"warning\"", "chat"],
        ]);
        expect(config.receivers.map((r: any) => r.name)).to.deep.equal(["null", "pager", "chat", "heartbeat"]);
        expect(config.receivers[1].pagerduty_configs).to.deep.equal([{ routing_key_file: `${mount}/pager-key`, send_resolved: true }]);
        expect(config.receivers[2].slack_configs[0]).to.deep.include({ api_url_file: `${mount}/slack-webhook-url`, channel: "#platform-alerts" });
        expect(config.receivers[3].webhook_configs).to.deep.equal([{ url_file: `${mount}/heartbeat-url`, send_resolved: false }]);
        expect(JSON.stringify(config)).to.not.contain("R0UT1NG").and.not.contain("hooks.slack.com").and.not.contain("hc-ping");
    });

    it("pages through Opsgenie with its API key from the same file", () => {
        const config = alertmanagerConfig({ pager: { service: "opsgenie", key: "k" } }) as any;
        expect(config.receivers[1]).to.deep.equal({ name: "pager", opsgenie_configs: [{ api_key_file: `${mount}/pager-key`, send_resolved: true, priority: "P1" }] });
    });

    it("without a pager sends critical to chat, and without any receiver drops alerts rather than failing", () => {
        const critical = (c: any) => c.route.routes.find((r: any) => r.matchers[0] === "severity = \"critical\"").receiver;
        expect(critical(alertmanagerConfig({ chat }))).to.equal("chat");
        expect(critical(alertmanagerConfig({}))).to.equal("null");
        expect((alertmanagerConfig({}) as any).receivers).to.deep.equal([{ name: "null" }]);
    });

    it("the production plan mounts the receivers' Secret, whose values are secrets, and passes the pack", async () => {
        const result = await plan("production");
        const secret = result.plan.resources.find(r => r.type === "kubernetes:core/v1:Secret" && (r.inputs.metadata as any).name === "alertmanager-receivers")!;
        expect(isSecret(secret.inputs.stringData), "stringData is a secret").to.equal(true);
        expect(Object.keys(reveal(secret.inputs.stringData) as object).sort()).to.deep.equal(["heartbeat-url", "pager-key", "slack-webhook-url"]);
        const chart = result.plan.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "kube-prometheus-stack")!;
        const am = (chart.inputs.values as any).alertmanager;
        expect(am.alertmanagerSpec).to.deep.include({ useExistingSecret: true, configSecret: "alertmanager-config", secrets: ["alertmanager-receivers"] });
        expect(am.config, "no routing in the chart's values").to.equal(undefined);
        const config = result.plan.resources.find(r => r.type === "kubernetes:core/v1:Secret" && (r.inputs.metadata as any).name === "alertmanager-config")!;
        const routing = JSON.parse((reveal(config.inputs.stringData) as any)["alertmanager.yaml"]);
        expect(routing.route.routes[2]).to.deep.include({ matchers: ["severity = \"critical\""], receiver: "pager" });
        expect(chart.dependsOn).to.include(secret.urn).and.include(config.urn);
        expect(result.plan.policies.violations.filter(v => v.policy === "production-alerts-page")).to.deep.equal([]);
    });
});
