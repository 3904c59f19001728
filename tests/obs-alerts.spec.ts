/**
 * Alerts that notice missing signals (issue 22): every service's metrics target, every backup
 * CronJob in the plan, certificate expiry. Derived from the planned objects, so a backup or a
 * service added later without its rule fails here.
 */
import { expect } from "chai";
import { backupJobRules, metricsTargetRule, scheduleGraceSeconds } from "../components/k8s/alerts";
import { cronMaxIntervalSeconds } from "../components/k8s/cron";
import { PlanJson } from "../offline/report";
import { plan } from "./harness";

type Resource = PlanJson["resources"][number];
const kind = (r: Resource) => r.type.slice(r.type.lastIndexOf(":") + 1);
const meta = (r: Resource) => (r.inputs.metadata ?? {}) as { name: string; namespace: string; labels?: Record<string, string> };

interface Rule { alert: string; expr: string; labels: Record<string, string> }
function rules(resources: readonly Resource[]): Rule[] {
    return resources.filter(r => kind(r) === "PrometheusRule")
        .flatMap(r => (r.inputs.spec as { groups: { rules: Partial<Rule>[] }[] }).groups.flatMap(g => g.rules))
        .filter((x): x is Rule => x.alert !== undefined)
        .map(x => ({ ...x, labels: x.labels ?? {} }));
}

const hour = 3600;
const day = 24 * hour;

describe("cron schedule gaps", () => {
    for (const [schedule, seconds] of [
        ["0 2 * * *", day],
        ["0 3 * * 0", 7 * day],
        // January to February: the longest month between two firsts.
        ["0 4 1 * *", 31 * day],
        // The hourly cache snapshot skips 19:00 UTC (ElastiCache's own snapshot window).
        ["5 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,20,21,22,23 * * *", 2 * hour],
        ["*/15 * * * *", 900],
        ["0 9-17 * * 1-5", 64 * hour],
        ["30 1 15 * 7", 7 * day],
    ] as const) {
        it(`${schedule}: ${seconds} s`, () => expect(cronMaxIntervalSeconds(schedule)).to.equal(seconds));
    }
    it("refuses what it cannot read, naming the field", () => {
        expect(() => cronMaxIntervalSeconds("0 2 * *")).to.throw('cron schedule "0 2 * *": expected 5 fields (minute hour day-of-month month day-of-week), got 4');
        expect(() => cronMaxIntervalSeconds("0 24 * * *")).to.throw('cron schedule "0 24 * * *": hour "24" is outside 0-23');
        expect(() => cronMaxIntervalSeconds("@daily * * * *")).to.throw('cron schedule "@daily * * * *": minute "@daily" is not a number, range, list or step');
        expect(() => cronMaxIntervalSeconds("0 0 29 2 *")).to.throw('cron schedule "0 0 29 2 *" runs less than twice in two years');
    });
});

describe("alert rule builders", () => {
    it("a metrics target is missing when no target of its job is up", () => {
        expect(metricsTargetRule({ job: "auth-service", namespace: "bookkeep-production" })).to.deep.include({
            alert: "MetricsTargetMissing",
            expr: 'absent(up{namespace="bookkeep-production", job="auth-service"} == 1)',
            labels: { severity: "critical", namespace: "bookkeep-production", job: "auth-service" },
        });
    });
    it("a backup CronJob fails, or misses its longest gap plus the grace", () => {
        const [failed, late] = backupJobRules({ name: "db-backup", namespace: "ns", maxIntervalSeconds: day });
        expect(failed!.expr).to.equal('max by (namespace, owner_name) (kube_job_status_failed{namespace="ns"} * on (namespace, job_name) group_left (owner_name) kube_job_owner{namespace="ns", owner_kind="CronJob", owner_name="db-backup"}) > 0');
        expect(late!.expr.split("\nor\n")).to.deep.equal([
            `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{namespace="ns", cronjob="db-backup"}) > ${day + scheduleGraceSeconds}`,
            `(time() - max by (namespace, cronjob) (kube_cronjob_created{namespace="ns", cronjob="db-backup"}) > ${day + scheduleGraceSeconds} unless on (namespace, cronjob) kube_cronjob_status_last_successful_time{namespace="ns", cronjob="db-backup"})`,
            'absent(kube_cronjob_created{namespace="ns", cronjob="db-backup"})',
        ]);
        expect([failed!.labels, late!.labels]).to.deep.equal([0, 1].map(() => ({ severity: "critical", namespace: "ns", cronjob: "db-backup" })));
    });
});

for (const [stack, cloud] of [["production", "aws"], ["production", "gcp"], ["staging", "aws"]] as const) {
    describe(`signal alerts in the ${stack} plan on ${cloud}`, () => {
        let resources: readonly Resource[] = [];
        before(async () => {
            resources = (await plan(stack, cloud)).plan.resources;
        });

        it("every backup CronJob has a failure and a not-on-schedule rule for its own schedule", () => {
            const backups = resources.filter(r => kind(r) === "CronJob" && r.type.startsWith("kubernetes:") && /backup|snapshot/.test(meta(r).name));
            expect(backups.map(r => meta(r).name), "backup CronJobs in the plan").to.include("db-backup");
            const all = rules(resources);
            for (const r of backups) {
                const { name, namespace } = meta(r);
                const mine = all.filter(x => x.labels.cronjob === name && x.labels.namespace === namespace);
                expect(mine.map(x => x.alert).sort(), `${namespace}/${name}`).to.deep.equal(["BackupJobFailed", "BackupJobNotOnSchedule"]);
                const limit = cronMaxIntervalSeconds((r.inputs.spec as { schedule: string }).schedule) + scheduleGraceSeconds;
                expect(mine.find(x => x.alert === "BackupJobNotOnSchedule")!.expr, name).to.contain(`cronjob="${name}"}) > ${limit}\n`);
                expect(mine.find(x => x.alert === "BackupJobFailed")!.expr, name).to.contain(`owner_name="${name}"`);
            }
        });

        it("every Service the services' ServiceMonitor scrapes has an absent-metrics rule", () => {
            const monitor = resources.find(r => kind(r) === "ServiceMonitor" && meta(r).name === "bookkeep-services")!;
            const spec = monitor.inputs.spec as { selector: { matchLabels: Record<string, string> }; namespaceSelector: { matchNames: string[] } };
            const scraped = resources.filter(r => kind(r) === "Service" && spec.namespaceSelector.matchNames.includes(meta(r).namespace)
                && Object.entries(spec.selector.matchLabels).every(([k, v]) => meta(r).labels?.[k] === v) && meta(r).labels?.track !== "canary");
            expect(scraped, "scraped Services").to.have.length(6);
            const exprs = rules(resources).filter(x => x.alert === "MetricsTargetMissing").map(x => x.expr);
            for (const r of scraped) {
                expect(exprs, meta(r).name).to.include(`absent(up{namespace="${meta(r).namespace}", job="${meta(r).name}"} == 1)`);
            }
        });

        it("has certificate expiry rules and watches the cert-manager target they read", () => {
            const all = rules(resources);
            expect(all.filter(x => x.alert.startsWith("Certificate")).map(x => `${x.alert}:${x.labels.severity}`)).to.deep.equal([
                "CertificateExpiresSoon:warning", "CertificateExpiresVerySoon:critical", "CertificateNotReady:warning",
            ]);
            expect(all.map(x => x.expr)).to.include('absent(up{namespace="bookkeep-system", job="cert-manager"} == 1)');
        });
    });
}
