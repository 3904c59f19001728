/**
 * The canary analysis Flagger runs, derived from the alert rules rather than written twice: a
 * release is promoted only while the canary's own pods meet what would otherwise page on-call
 * (components/k8s/alerts.ts). Each check is an alert's expression without its comparison, scoped to
 * the canary's pods, with the alert's threshold as the upper bound and its window as the interval.
 */
import { alertGroups } from "./alerts";

/** The alerts a canary is judged on, and the Flagger MetricTemplate that carries each. */
export const canaryAlerts = [
    // A healthy canary has no 5xx series at all (client libraries create a label value's series on
    // first use), so the ratio's numerator is empty, and Flagger counts an empty result as a failed
    // check (ErrNoValuesFound) and rolls the release back: the numerator defaults to zero. An empty
    // denominator (no traffic) still fails, as it should.
    { alert: "HighErrorRate", template: "bookkeep-error-rate", absentNumeratorIsZero: true },
    { alert: "HighLatency", template: "bookkeep-latency-p99", absentNumeratorIsZero: false },
] as const;

export type CanaryAlert = typeof canaryAlerts[number]["alert"];

export interface CanaryCheck {
    readonly alert: CanaryAlert;
    /** MetricTemplate name (in the app namespace). */
    readonly template: string;
    /** The alert's expression up to its comparison, scoped to the canary's pods, window `{{ interval }}`. */
    readonly query: string;
    /** The alert fires above this; the canary fails above it. */
    readonly max: number;
    /** The alert's rate window, such as 5m: the metric's interval. */
    readonly window: string;
}

/**
 * The pods of the Deployment Flagger analyses (`<target>-<hash>-<id>`), not the primary's
 * (`<target>-primary-<hash>-<id>`): Flagger's documented selector for a Deployment's canary pods.
 */
const canaryPods = "namespace=\"{{ namespace }}\", pod=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"";

/** Splits `<query> > <number>` (an alert's expression); throws on any other shape. */
export function splitAlert(expr: string): { query: string; threshold: number; window: string } {
    const m = /^([\s\S]*\S)\s*>\s*([0-9.]+)\s*$/.exec(expr);
    const windows = [...expr.matchAll(/\[(\d+[smh])\]/g)].map(w => w[1]);
    const window = windows[0];
    if (!m || m[1] === undefined || m[2] === undefined || window === undefined || windows.some(w => w !== window)) {
        throw new Error(`alert expression ${JSON.stringify(expr)} is not "<query over one [window]> > <threshold>"; a canary check cannot be derived from it`);
    }
    return { query: m[1], threshold: Number(m[2]), window };
}

/** Adds the canary's pod matchers to every `bookkeep_*` selector and makes the window Flagger's interval. */
export function scopeToCanary(query: string, window: string): string {
    return query
        .replace(/\b(bookkeep_[a-z_]+)(?:\{([^}]*)\})?\[/g, (_all, metric: string, matchers: string | undefined) =>
            `${metric}{${canaryPods}${matchers ? `, ${matchers}` : ""}}[`)
        .split(`[${window}]`).join("[{{ interval }}]");
}

/**
 * `(<numerator> or on() vector(0)) / <denominator>` from `<numerator> / <denominator>`, split at the
 * one division outside brackets and strings; throws on any other shape.
 */
export function zeroAbsentNumerator(query: string): string {
    const divisions: number[] = [];
    let depth = 0;
    let quote = false;
    for (let i = 0; i < query.length; i++) {
        const c = query.charAt(i);
        if (quote) {
            if (c === "\\") {
                i++;
            } else if (c === "\"") {
                quote = false;
            }
        } else if (c === "\"") {
            quote = true;
        } else if ("({[".includes(c)) {
            depth++;
        } else if (")}]".includes(c)) {
            depth--;
        } else if (c === "/" && depth === 0) {
            divisions.push(i);
        }
    }
    const at = divisions[0];
    if (at === undefined || divisions.length > 1) {
        throw new Error(`query ${JSON.stringify(query)} is not one "<numerator> / <denominator>"; its numerator cannot default to zero`);
    }
    return `(${query.slice(0, at).trim()} or on() vector(0))\n/ ${query.slice(at + 1).trim()}`;
}

/** The checks, from the alert rules as deployed. */
export function canaryChecks(): CanaryCheck[] {
    const rules = alertGroups.flatMap(g => g.rules);
    return canaryAlerts.map(({ alert, template, absentNumeratorIsZero }) => {
        const rule = rules.find(r => r.alert === alert);
        if (!rule) {
            throw new Error(`alert ${alert} is not among the alert rules; the canary analysis is derived from it`);
        }
        const { query, threshold, window } = splitAlert(rule.expr);
        const scoped = scopeToCanary(query, window);
        return { alert, template, query: absentNumeratorIsZero ? zeroAbsentNumerator(scoped) : scoped, max: threshold, window };
    });
}
