/**
 * Alert delivery: in production, Alertmanager's configuration must route `severity = "critical"`
 * to a receiver that pages a person. The stack config refuses such a stack first
 * (stacks/alerting.ts); this catches a program that builds the routing another way. It reads the
 * configuration Secret the program writes (components/k8s/alertReceivers.ts), in JSON.
 * (The pack is its own project, so it repeats the config's advice rather than importing it.)
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { appNamespaceEnvironment, asArray, isObject, ofType, Props, safe } from "./helpers";

const pagingConfigs = ["pagerduty_configs", "opsgenie_configs"] as const;
const configKey = "alertmanager.yaml";
const advice = "set observability.alerting.pager (service pagerduty or opsgenie, key as a Pulumi secret; README, Alert delivery)";

/** The receiver of the first top-level route that matches exactly `severity = "critical"`, else the default, as Alertmanager picks it. */
function criticalReceiver(config: Record<string, unknown>): string | undefined {
    const route = isObject(config.route) ? config.route : {};
    const critical = asArray(route.routes).find(r => asArray(r?.matchers).some(m => typeof m === "string" && /^severity\s*=\s*"critical"$/.test(m.trim())));
    const receiver = critical?.receiver ?? route.receiver;
    return typeof receiver === "string" ? receiver : undefined;
}

/** The `alertmanager.yaml` of a Secret, from `stringData` or base64 `data`. */
function configText(props: Props): string | undefined {
    const plain = safe(() => props.stringData?.[configKey]);
    if (typeof plain === "string") {
        return plain;
    }
    const encoded = safe(() => props.data?.[configKey]);
    return typeof encoded === "string" ? Buffer.from(encoded, "base64").toString("utf8") : undefined;
}

export const productionAlertsPage: StackValidationPolicy = {
    name: "production-alerts-page",
    description: "Checks whether a production stack's Alertmanager configuration routes critical alerts to a paging receiver (PagerDuty or Opsgenie).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const production = ofType(args, "kubernetes:core/v1:Namespace").some(n => appNamespaceEnvironment(safe(() => n.props.metadata?.name)) === "production");
        if (!production) {
            return;
        }
        for (const secret of ofType(args, "kubernetes:core/v1:Secret")) {
            const text = configText(secret.props);
            if (text === undefined) {
                continue;
            }
            let config: unknown;
            try {
                config = JSON.parse(text);
            } catch {
                report(`Alertmanager configuration in Secret ${secret.name} is not JSON, so the pack cannot see where critical alerts go; write it as JSON (valid YAML too), as components/k8s/alertReceivers.ts does.`, secret.urn);
                continue;
            }
            const name = isObject(config) ? criticalReceiver(config) : undefined;
            const receiver = isObject(config) ? asArray(config.receivers).find(r => r?.name === name) : undefined;
            if (!pagingConfigs.some(k => asArray(receiver?.[k]).length > 0)) {
                report(`Alertmanager sends critical alerts to ${JSON.stringify(name ?? null)}, which pages nobody; ${advice}.`, secret.urn);
            }
        }
    },
};

export const alertingPolicies = [productionAlertsPage];
