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

/** The labels of a bare critical alert; every other label is absent, which a matcher sees as "". */
const criticalAlert: Record<string, string> = { severity: "critical" };

/** One `matchers` entry (`label op value`, the value quoted or not) applied to `labels`; unreadable is no match. */
function matcherMatches(matcher: unknown, labels: Record<string, string>): boolean {
    const m = typeof matcher === "string" ? /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(matcher) : null;
    if (!m) {
        return false;
    }
    const [, label, op, raw] = m;
    const value = safe(() => raw!.startsWith("\"") ? JSON.parse(raw!) as unknown : raw);
    if (typeof value !== "string") {
        return false;
    }
    const actual = labels[label!] ?? "";
    const regex = safe(() => new RegExp(`^(?:${value})$`));
    switch (op) {
        case "=": return actual === value;
        case "!=": return actual !== value;
        case "=~": return regex !== undefined && regex.test(actual);
        default: return regex !== undefined && !regex.test(actual);
    }
}

/** Whether a route's `matchers` (and the older `match` / `match_re` maps) all match `labels`. */
function routeMatches(route: Record<string, unknown>, labels: Record<string, string>): boolean {
    const legacy = [
        ...Object.entries(isObject(route.match) ? route.match : {}).map(([k, v]) => `${k}=${JSON.stringify(String(v))}`),
        ...Object.entries(isObject(route.match_re) ? route.match_re : {}).map(([k, v]) => `${k}=~${JSON.stringify(String(v))}`),
    ];
    return [...asArray(route.matchers), ...legacy].every(m => matcherMatches(m, labels));
}

/**
 * The receivers an alert with `labels` reaches from `route`, as Alertmanager routes it: child
 * routes in order, the first match wins unless it says `continue`, a route with no matching child
 * delivers to its own receiver (inherited from its parent when unset).
 */
function receiversFor(route: Record<string, unknown>, labels: Record<string, string>, inherited?: string): string[] {
    const own = typeof route.receiver === "string" ? route.receiver : inherited;
    const out: string[] = [];
    for (const child of asArray(route.routes).filter(isObject)) {
        if (routeMatches(child, labels)) {
            out.push(...receiversFor(child, labels, own));
            if (child.continue !== true) {
                return out;
            }
        }
    }
    return out.length > 0 ? out : own === undefined ? [] : [own];
}

/** The `alertmanager.yaml` of a Secret, from `stringData` or base64 `data`. */
function configText(props: Props): string | undefined {
    // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
    const plain = safe(() => props.stringData?.[configKey]);
    if (typeof plain === "string") {
        return plain;
    }
    // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
    const encoded = safe(() => props.data?.[configKey]);
    return typeof encoded === "string" ? Buffer.from(encoded, "base64").toString("utf8") : undefined;
}

export const productionAlertsPage: StackValidationPolicy = {
    name: "production-alerts-page",
    description: "Checks whether a production stack's Alertmanager configuration routes critical alerts to a paging receiver (PagerDuty or Opsgenie).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
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
            const names = isObject(config) && isObject(config.route) ? receiversFor(config.route, criticalAlert) : [];
            const pages = (name: string) => {
                const receiver = isObject(config) ? asArray(config.receivers).find(r => r?.name === name) : undefined;
                return pagingConfigs.some(k => asArray(receiver?.[k]).length > 0);
            };
            if (!names.some(pages)) {
                report(`Alertmanager sends critical alerts to ${JSON.stringify(names[0] ?? null)}, which pages nobody; ${advice}.`, secret.urn);
            }
        }
    },
};

export const alertingPolicies = [productionAlertsPage];
