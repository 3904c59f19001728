/**
 * policies/alerting.ts (production-alerts-page), called as the analyzer calls it: the configuration
 * the program writes (components/k8s/alertReceivers.ts), then one routing property changed per case,
 * the way Alertmanager would route a bare critical alert, with the exact message.
 */
import { StackValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import { alertmanagerConfig } from "../components/k8s/alertReceivers";
import { productionAlertsPage } from "../policies/alerting";

const pager = { service: "pagerduty", key: "R0UT1NG" } as const;
const chat = { slackWebhookUrl: "https://hooks.slack.com/services/T/B/X", channel: "#platform-alerts" };

interface Fake { type: string; name: string; urn: string; props: Record<string, unknown>; propertyDependencies: Record<string, Fake[]>; opts: Record<string, unknown> }
const fake = (type: string, name: string, props: Record<string, unknown>): Fake =>
    ({ type, name, urn: `urn:pulumi:production::bookkeep::${type}::${name}`, props, propertyDependencies: {}, opts: {} });
const namespace = (name: string) => fake("kubernetes:core/v1:Namespace", name, { metadata: { name } });
const stackChart = (config: unknown) => fake("kubernetes:core/v1:Secret", "am", { stringData: { "alertmanager.yaml": JSON.stringify(config) } });
function reports(...resources: Fake[]): string[] {
    const out: string[] = [];
    const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as unknown as StackValidationArgs;
    void productionAlertsPage.validateStack(args, message => out.push(message));
    return out;
}
const advice = "which pages nobody; set observability.alerting.pager (service pagerduty or opsgenie, key as a Pulumi secret; README, Alert delivery).";
const toChat = [`Alertmanager sends critical alerts to "chat", ${advice}`];

/** A production stack whose only routes are `routes` under a root that sends everything else to chat. */
const paging = { name: "pager", pagerduty_configs: [{ routing_key_file: "/k" }] };
const routed = (routes: unknown[], receivers: unknown[] = [{ name: "chat", slack_configs: [{}] }, paging]) =>
    reports(namespace("bookkeep-production"), stackChart({ route: { receiver: "chat", routes }, receivers }));
const toPager = (...matchers: unknown[]) => routed([{ matchers, receiver: "pager" }]);

describe("policy units: production-alerts-page", () => {
    it("passes a production Alertmanager that pages critical", () => {
        expect(reports(namespace("bookkeep-production"), stackChart(alertmanagerConfig({ pager, chat })))).to.deep.equal([]);
    });
    it("passes Opsgenie", () => {
        expect(reports(namespace("bookkeep-production"), stackChart(alertmanagerConfig({ pager: { service: "opsgenie", key: "k" } })))).to.deep.equal([]);
    });
    it("reports production critical alerts going to chat", () => {
        expect(reports(namespace("bookkeep-production"), stackChart(alertmanagerConfig({ chat })))).to.deep.equal(toChat);
    });
    it("reports a critical route whose pager receiver has no paging config", () => {
        const config = alertmanagerConfig({ pager, chat }) as any;
        config.receivers = config.receivers.map((r: any) => r.name === "pager" ? { name: "pager", webhook_configs: [{ url: "x" }] } : r);
        expect(reports(namespace("bookkeep-production"), stackChart(config))).to.deep.equal([`Alertmanager sends critical alerts to "pager", ${advice}`]);
    });
    it("falls back to the default receiver when no route matches critical", () => {
        const config = alertmanagerConfig({ pager, chat }) as any;
        config.route.routes = config.route.routes.filter((r: any) => r.matchers[0] !== "severity = \"critical\"");
        expect(reports(namespace("bookkeep-production"), stackChart(config))).to.deep.equal(toChat);
    });
    it("follows Alertmanager's route order: an earlier route that catches critical wins, unless it continues", () => {
        const withFirst = (first: Record<string, unknown>) => {
            const config = alertmanagerConfig({ pager, chat }) as any;
            config.route.routes.unshift(first);
            return stackChart(config);
        };
        expect(reports(namespace("bookkeep-production"), withFirst({ matchers: ["severity=~\"warning|critical\""], receiver: "chat" }))).to.deep.equal(toChat);
        expect(reports(namespace("bookkeep-production"), withFirst({ match: { severity: "critical" }, receiver: "chat" }))).to.deep.equal(toChat);
        expect(reports(namespace("bookkeep-production"), withFirst({ matchers: ["severity!=warning"], receiver: "chat", continue: true }))).to.deep.equal([]);
        expect(reports(namespace("bookkeep-production"), withFirst({ matchers: ["team=\"tax\"", "severity=~\"warning|critical\""], receiver: "chat" }))).to.deep.equal([]);
    });
    it("reads unquoted and legacy matchers, and a nested route under the critical one", () => {
        const config = alertmanagerConfig({ pager, chat }) as any;
        config.route.routes = [{ matchers: ["severity=critical"], receiver: "chat", routes: [{ match_re: { severity: "crit.*" }, receiver: "pager" }] }];
        expect(reports(namespace("bookkeep-production"), stackChart(config))).to.deep.equal([]);
        config.route.routes[0].routes[0].match_re = { severity: "crit" };
        expect(reports(namespace("bookkeep-production"), stackChart(config))).to.deep.equal(toChat);
    });
    it("reads a base64 configuration from data", () => {
        const data = { "alertmanager.yaml": Buffer.from(JSON.stringify(alertmanagerConfig({ chat }))).toString("base64") };
        expect(reports(namespace("bookkeep-production"), fake("kubernetes:core/v1:Secret", "am", { data }))).to.deep.equal(toChat);
    });
    it("reports a configuration it cannot read", () => {
        expect(reports(namespace("bookkeep-production"), fake("kubernetes:core/v1:Secret", "am", { stringData: { "alertmanager.yaml": "route:\n  receiver: pager\n" } }))).to.deep.equal([
            "Alertmanager configuration in Secret am is not JSON, so the pack cannot see where critical alerts go; write it as JSON (valid YAML too), as components/k8s/alertReceivers.ts does.",
        ]);
    });
    it("ignores other Secrets", () => {
        expect(reports(namespace("bookkeep-production"), fake("kubernetes:core/v1:Secret", "other", { stringData: { password: "x" } }))).to.deep.equal([]);
        expect(reports(namespace("bookkeep-production"), fake("kubernetes:core/v1:Secret", "other", { data: { password: "eA==" } }))).to.deep.equal([]);
    });
    it("leaves staging to its own choice", () => {
        expect(reports(namespace("bookkeep-staging"), stackChart(alertmanagerConfig({})))).to.deep.equal([]);
    });
    it("judges a stack as production when any of its namespaces is the production app namespace", () => {
        expect(reports(namespace("bookkeep-system"), namespace("bookkeep-production"), stackChart(alertmanagerConfig({ chat })))).to.deep.equal(toChat);
        expect(reports(namespace("bookkeep-system"), stackChart(alertmanagerConfig({ chat })))).to.deep.equal([]);
    });

    describe("matchers, one operator at a time", () => {
        it("= and != compare the whole value, quoted or not", () => {
            expect(toPager("severity=critical")).to.deep.equal([]);
            expect(toPager(" severity = \"critical\" ")).to.deep.equal([]);
            expect(toPager("severity=crit")).to.deep.equal(toChat);
            expect(toPager("severity!=warning")).to.deep.equal([]);
            expect(toPager("severity!=critical")).to.deep.equal(toChat);
            expect(toPager("severity!=\"crit.*\"")).to.deep.equal([], "!= takes its value literally, not as a regular expression");
        });
        it("=~ and !~ match the anchored regular expression", () => {
            expect(toPager("severity=~crit.*")).to.deep.equal([]);
            expect(toPager("severity=~rit")).to.deep.equal(toChat);
            expect(toPager("severity!~warning")).to.deep.equal([]);
            expect(toPager("severity!~crit.*")).to.deep.equal(toChat);
        });
        it("sees a label the alert does not carry as the empty string", () => {
            expect(toPager("team=\"\"", "severity=\"critical\"")).to.deep.equal([]);
            expect(toPager("team=\"tax\"", "severity=\"critical\"")).to.deep.equal(toChat);
        });
        it("takes a matcher it cannot read as no match, whatever its operator", () => {
            expect(toPager(["severity=critical"])).to.deep.equal(toChat);
            expect(toPager("9severity=critical")).to.deep.equal(toChat);
            expect(toPager("severity!=\"critical")).to.deep.equal(toChat);
            expect(toPager("severity=~\"(\"")).to.deep.equal(toChat);
            expect(toPager("severity!~\"(\"")).to.deep.equal(toChat);
        });
        it("reads the legacy match and match_re maps, every entry", () => {
            expect(routed([{ match: { severity: "critical" }, receiver: "pager" }])).to.deep.equal([]);
            expect(routed([{ match_re: { severity: "warn.*" }, receiver: "pager" }])).to.deep.equal(toChat);
            expect(routed([{ match: { severity: "critical", team: "tax" }, receiver: "pager" }])).to.deep.equal(toChat);
        });
    });

    describe("routes and receivers", () => {
        it("lets a child without a receiver inherit its parent's", () => {
            expect(routed([{ matchers: ["severity=critical"], receiver: "pager", routes: [{ matchers: ["team=\"\""] }] }])).to.deep.equal([]);
        });
        it("delivers to every receiver its continuing children reach, rather than to its own", () => {
            expect(routed([{ matchers: ["severity=critical"], receiver: "pager", continue: true }])).to.deep.equal([]);
        });
        it("skips a route entry that is not an object", () => {
            expect(routed([null, { matchers: ["severity=critical"], receiver: "pager" }])).to.deep.equal([]);
        });
        it("reports nobody when the root has no receiver and no route matches", () => {
            const receivers = [{ pagerduty_configs: [{ routing_key_file: "/k" }] }];
            expect(reports(namespace("bookkeep-production"), stackChart({ route: { routes: [] }, receivers })))
                .to.deep.equal([`Alertmanager sends critical alerts to null, ${advice}`]);
        });
        it("reports nobody for a configuration without a route", () => {
            expect(reports(namespace("bookkeep-production"), stackChart({ receivers: [paging] }))).to.deep.equal([`Alertmanager sends critical alerts to null, ${advice}`]);
            expect(reports(namespace("bookkeep-production"), stackChart(null))).to.deep.equal([`Alertmanager sends critical alerts to null, ${advice}`]);
        });
        it("finds the receiver by name among entries that are not objects, and reports a receiver that is not defined", () => {
            expect(routed([{ matchers: ["severity=critical"], receiver: "pager" }], [null, paging])).to.deep.equal([]);
            expect(routed([{ matchers: ["severity=critical"], receiver: "ghost" }])).to.deep.equal([`Alertmanager sends critical alerts to "ghost", ${advice}`]);
        });
        it("takes one paging receiver among those a continuing route reaches", () => {
            expect(routed([{ matchers: ["severity=critical"], receiver: "chat", continue: true }, { matchers: ["severity=critical"], receiver: "pager" }])).to.deep.equal([]);
        });
    });
});
