/**
 * Progressive delivery, in units: the catalog's canary settings and their refusals, the stack key
 * `delivery.progressive` and its refusals, and the canary checks derived from the alert rules
 * (compared with components/k8s/alerts.ts, never with literals).
 */
import { expect } from "chai";
import { alertGroups } from "../components/k8s/alerts";
import { canaryAnalysis } from "../components/k8s/canary";
import { canaryAlerts, canaryChecks, scopeToCanary, splitAlert, zeroAbsentNumerator } from "../components/k8s/canaryChecks";
import { readStackFile } from "../offline/stackFile";
import { catalogEntries, loadCatalog, releaseAt, ServiceSpecInput } from "../services";
import { parseStackConfig } from "../stacks/load";
import { Fleet } from "../components/fleet";
import { fakeFoundation } from "./fakeFoundation";
import { expectInputError, present, run } from "./harness";

const auth = present(catalogEntries.find(s => s.name === "auth"), "the auth entry");
const withCanary = (canary: Record<string, unknown>): ServiceSpecInput => ({ ...auth, canary } as ServiceSpecInput);

function rejection(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        expect((err as Error).constructor.name).to.equal("InputPropertiesError");
        return (err as Error).message;
    }
    throw new Error("accepted");
}

const alertRule = (name: string) => present(alertGroups.flatMap(g => g.rules).find(r => r.alert === name), `alert ${name}`);

describe("delivery: catalog canary settings", () => {
    it("defaults every service to a Flagger canary of 10 % steps up to 50 %, a 1-minute interval, rollback after 5 failed checks", () => {
        for (const spec of loadCatalog()) {
            expect(spec.canary, spec.name).to.deep.equal({ enabled: true, stepWeight: 10, maxWeight: 50, threshold: 5, interval: "1m" });
        }
    });

    it("takes a service's own settings, stricter thresholds included", () => {
        const [spec] = loadCatalog([withCanary({ stepWeight: 5, maxWeight: 30, threshold: 3, interval: "2m", maxErrorRate: 0.01, maxP99Seconds: 0.5 })]);
        expect(present(spec, "the entry").canary).to.deep.equal({ enabled: true, stepWeight: 5, maxWeight: 30, threshold: 3, interval: "2m", maxErrorRate: 0.01, maxP99Seconds: 0.5 });
    });

    const bad: Array<[string, Record<string, unknown>, string]> = [
        ["a step above 50 %", { stepWeight: 60 }, "services.auth.canary.stepWeight: must be 1-50 (percent) (got 60)"],
        ["a zero step", { stepWeight: 0 }, "services.auth.canary.stepWeight: must be 1-50 (percent) (got 0)"],
        ["a maximum above 50 %", { maxWeight: 80 }, "services.auth.canary.maxWeight: must be 1-50 (percent) (got 80)"],
        ["a maximum below the step", { stepWeight: 20, maxWeight: 10 }, "services.auth.canary.maxWeight: must be at least canary.stepWeight (20) (got 10)"],
        ["no failed checks allowed", { threshold: 0 }, "services.auth.canary.threshold: must be 1-20 failed checks (got 0)"],
        ["an interval in hours", { interval: "1h" }, 'services.auth.canary.interval: must be a duration in whole seconds or minutes, such as 1m (got "1h")'],
        ["an interval too short to collect metrics", { interval: "10s" }, 'services.auth.canary.interval: must be between 30s and 10m (got "10s")'],
        ["an error-rate bound above half the requests", { maxErrorRate: 0.9 }, "services.auth.canary.maxErrorRate: must be a fraction above 0 and at most 0.5 (got 0.9)"],
        ["a zero latency bound", { maxP99Seconds: 0 }, "services.auth.canary.maxP99Seconds: must be above 0 and at most 30 seconds (got 0)"],
        ["an unknown field", { weight: 10 }, "services.auth.canary: unknown field(s) weight"],
    ];
    for (const [what, canary, line] of bad) {
        it(`refuses ${what}, naming the key, the value and the rule`, () => {
            expect(rejection(() => loadCatalog([withCanary(canary)])).split("\n")).to.include(`  - ${line}`);
        });
    }
});

describe("delivery: stack key delivery.progressive", () => {
    const parse = (stack: string, overrides: Record<string, unknown> = {}) => parseStackConfig(readStackFile(stack, overrides).config);

    it("is on in staging and production on both clouds, off in development", () => {
        const stacks = ["staging", "staging-gcp", "production", "production-gcp", "development"];
        expect(stacks.map(s => [s, parse(s).delivery.progressive])).to.deep.equal([
            ["staging", true], ["staging-gcp", true], ["production", true], ["production-gcp", true], ["development", false],
        ]);
    });

    const bad: Array<[string, string, Record<string, unknown>, string]> = [
        ["progressive delivery in development", "development", { "bookkeep:delivery": { progressive: true } },
            "bookkeep:delivery.progressive: must be false in development: the local stack runs one replica of each service and no Prometheus to judge a canary on (got true)"],
        ["progressive delivery without the monitoring stack", "staging", { "bookkeep:observability": { enabled: false } },
            "bookkeep:delivery.progressive: needs bookkeep:observability.enabled (false) to be true: Flagger promotes or rolls back on Prometheus' request metrics, which only the monitoring stack collects (got true)"],
        ["a manual canary beside Flagger", "production", { "bookkeep:fleet": { canaries: { auth: { tag: "v1.1.0", weight: 10 } } } },
            "bookkeep:fleet.canaries.auth: must be empty while delivery.progressive is true: Flagger owns each service's traffic split and route, and a second, manual canary would fight it over the weights; set delivery.progressive to false to use manual canaries"],
        ["a progressive flag that is not a boolean", "staging", { "bookkeep:delivery": { progressive: "yes" } }, "bookkeep:delivery.progressive: "],
        ["an unknown delivery key", "staging", { "bookkeep:delivery": { progressive: true, flagger: true } }, "bookkeep:delivery: unknown"],
    ];
    for (const [what, stack, overrides, line] of bad) {
        it(`refuses ${what}`, () => {
            expect(rejection(() => parse(stack, overrides))).to.contain(`  - ${line}`);
        });
    }

    it("takes a manual canary once progressive delivery is off", () => {
        const c = parse("production", { "bookkeep:delivery": { progressive: false }, "bookkeep:fleet": { canaries: { auth: { tag: "v1.1.0", weight: 10 } } } });
        expect(c.fleet.canaries).to.deep.equal({ auth: { tag: "v1.1.0", weight: 10 } });
    });
});

describe("delivery: canary checks from the alert rules", () => {
    it("checks the error-rate and p99-latency alerts at their thresholds and windows", () => {
        const checks = canaryChecks();
        expect(checks.map(c => c.alert)).to.deep.equal(["HighErrorRate", "HighLatency"]);
        for (const check of checks) {
            const { query, threshold, window } = splitAlert(alertRule(check.alert).expr);
            expect(check.max, check.alert).to.equal(threshold);
            expect(check.window, check.alert).to.equal(window);
            expect(check.window).to.equal("5m");
            // The same expression: removing the canary's pod matchers and restoring the window gives the alert's query back.
            const unscoped = check.query
                .replace(/^\(([\s\S]*) or on\(\) vector\(0\)\)\n\/ /, "$1\n/ ")
                .split("{{ interval }}").join(window)
                .replace(/namespace="\{\{ namespace \}\}", pod=~"\{\{ target \}\}-\[0-9a-zA-Z\]\+\(-\[0-9a-zA-Z\]\+\)"(, )?/g, "")
                .replace(/\{\}/g, "");
            expect(unscoped, check.alert).to.equal(query);
        }
    });

    it("judges the canary's pods alone: every selector gets the namespace and the canary-pod pattern, existing matchers kept", () => {
        expect(scopeToCanary('sum(rate(bookkeep_requests_total{status=~"5.."}[5m])) / sum(rate(bookkeep_requests_total[5m]))', "5m")).to.equal(
            'sum(rate(bookkeep_requests_total{namespace="{{ namespace }}", pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)", status=~"5.."}[{{ interval }}]))' +
            ' / sum(rate(bookkeep_requests_total{namespace="{{ namespace }}", pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[{{ interval }}]))');
        // The primary's pods (<target>-primary-<hash>-<id>) do not match the canary-pod pattern.
        const pattern = /^auth-service-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)$/;
        expect(pattern.test("auth-service-7d9f8c6b5-x2x9z")).to.equal(true);
        expect(pattern.test("auth-service-primary-7d9f8c6b5-x2x9z")).to.equal(false);
    });

    it("counts a canary without any 5xx series as a zero error rate, and one without traffic as no value", () => {
        // Flagger fails a check whose query returns nothing; a healthy canary has no status=~"5.." series.
        const scoped = (s: string) => s.split("CANARY").join('namespace="{{ namespace }}", pod=~"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"');
        expect(canaryChecks().map(c => [c.template, c.query])).to.deep.equal([
            ["bookkeep-error-rate", scoped('(sum(rate(bookkeep_requests_total{CANARY, status=~"5.."}[{{ interval }}])) or on() vector(0))\n' +
                "/ sum(rate(bookkeep_requests_total{CANARY}[{{ interval }}]))")],
            ["bookkeep-latency-p99", scoped("histogram_quantile(0.99, sum(rate(bookkeep_request_duration_seconds_bucket{CANARY}[{{ interval }}])) by (le))")],
        ]);
        // Only the one division outside brackets and strings splits the query.
        expect(zeroAbsentNumerator('sum(x{path="/a/b"}) / sum(rate(y[5m]) / 2)')).to.equal('(sum(x{path="/a/b"}) or on() vector(0))\n/ sum(rate(y[5m]) / 2)');
        expect(zeroAbsentNumerator('sum(x{path="\\"/"}) / y')).to.equal('(sum(x{path="\\"/"}) or on() vector(0))\n/ y');
        expect(() => zeroAbsentNumerator("a / b / c")).to.throw('query "a / b / c" is not one "<numerator> / <denominator>"; its numerator cannot default to zero');
        expect(() => zeroAbsentNumerator("sum(a)")).to.throw("its numerator cannot default to zero");
    });

    it("refuses an alert it cannot derive a check from", () => {
        expect(() => splitAlert("rate(x[15m]) > 0 and rate(y[5m]) > 1")).to.throw('alert expression "rate(x[15m]) > 0 and rate(y[5m]) > 1" is not "<query over one [window]> > <threshold>"');
        expect(() => splitAlert("up == 0")).to.throw("a canary check cannot be derived from it");
    });

    it("puts the alert thresholds in every Canary unless the catalog sets stricter ones", () => {
        const [spec] = loadCatalog([auth]);
        const metrics = (s = present(spec, "auth")) => (canaryAnalysis(s, "bookkeep-production", []).metrics as Array<{ thresholdRange: { max: number }; interval: string; templateRef: { name: string } }>);
        expect(metrics().map(m => [m.templateRef.name, m.thresholdRange.max, m.interval])).to.deep.equal(
            canaryChecks().map(c => [c.template, c.max, c.window]));
        expect(canaryAlerts.map(a => a.template)).to.deep.equal(["bookkeep-error-rate", "bookkeep-latency-p99"]);
        const [strict] = loadCatalog([withCanary({ maxErrorRate: 0.01, maxP99Seconds: 0.5 })]);
        expect(metrics(present(strict, "strict auth")).map(m => m.thresholdRange.max)).to.deep.equal([0.01, 0.5]);
    });
});

describe("delivery: one canary mechanism per service", () => {
    it("refuses a manual canary for a service Flagger releases, even when the config is built by hand", async () => {
        const config = parseStackConfig(readStackFile("staging", { "bookkeep:delivery": { progressive: false }, "bookkeep:fleet": { canaries: { auth: { tag: "v1.1.0", weight: 10 } } } }).config);
        const both = { ...config, delivery: { progressive: true } };
        const fleet = (c: typeof config) => () => run(() => {
            const f = fakeFoundation("aws");
            new Fleet("bookkeep-fleet", { config: c, foundation: f, catalog: loadCatalog(), namespace: "bookkeep-staging", release: releaseAt(loadCatalog(), "v1.0.0") }, { providers: [f.k8sProvider] });
        });
        await expectInputError(fleet(both), "invalid service auth:",
            "fleet.canaries.auth: must not be set while Flagger releases the service (progressive delivery): one canary mechanism per service");
        // With the service's own canary off, the manual one is its only mechanism.
        const off = loadCatalog(catalogEntries.map(e => (e.name === "auth" ? withCanary({ enabled: false }) : e)));
        const ev = await run(() => {
            const f = fakeFoundation("aws");
            new Fleet("bookkeep-fleet", { config: both, foundation: f, catalog: off, namespace: "bookkeep-staging", release: releaseAt(off, "v1.0.0") }, { providers: [f.k8sProvider] });
        });
        const canaries = ev.resources.filter(r => r.type === "kubernetes:flagger.app/v1beta1:Canary").map(r => (r.inputs.metadata as { name: string }).name).sort();
        expect(canaries).to.deep.equal(["bookkeeping-service", "customer-service", "invoice-service", "report-service", "tax-service"]);
        expect(ev.resources.filter(r => r.type === "kubernetes:apps/v1:Deployment").map(r => (r.inputs.metadata as { name: string }).name)).to.include("auth-service-canary");
    });
});
