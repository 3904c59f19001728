/**
 * The RDS maintenance window against the logical dumps, on the planned production stack: no dump
 * (from its start to its deadline) and no automated-backup window may overlap the maintenance
 * window, over every day of a whole year (the monthly dump lands on every weekday in turn).
 */
import { expect } from "chai";
import { RecordedResource } from "../offline/engine";
import { rdsMaintenanceWindow } from "../components/aws/database";
import { ofType, plan, present } from "./harness";

type Interval = readonly [number, number];
const minute = 60_000;
const weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const year = 2027;

/** Asia/Kolkata has had no daylight saving since 1945: a fixed +05:30. */
const istOffsetMinutes = 330;

function overlaps(a: Interval, b: Interval): boolean {
    return a[0] < b[1] && b[0] < a[1];
}

/** Every occurrence in `year` of an RDS weekly window (`ddd:hh:mm-ddd:hh:mm`, UTC). */
function weeklyWindow(spec: string): Interval[] {
    const m = /^([a-z]{3}):(\d\d):(\d\d)-([a-z]{3}):(\d\d):(\d\d)$/.exec(spec);
    if (!m) {
        expect.fail(`${spec} is not a ddd:hh:mm-ddd:hh:mm window`);
    }
    const [, fromDay = "", fromH, fromM, toDay = "", toH, toM] = m;
    const out: Interval[] = [];
    for (let day = Date.UTC(year, 0, 1); new Date(day).getUTCFullYear() === year; day += 1440 * minute) {
        if (weekdays[new Date(day).getUTCDay()] !== fromDay) {
            continue;
        }
        const start = day + (Number(fromH) * 60 + Number(fromM)) * minute;
        const dayShift = (weekdays.indexOf(toDay) - weekdays.indexOf(fromDay) + 7) % 7;
        const end = day + (dayShift * 1440 + Number(toH) * 60 + Number(toM)) * minute;
        out.push([start, end]);
    }
    return out;
}

/** Every occurrence in `year` of an RDS daily window (`hh:mm-hh:mm`, UTC). */
function dailyWindow(spec: string): Interval[] {
    const m = /^(\d\d):(\d\d)-(\d\d):(\d\d)$/.exec(spec);
    if (!m) {
        expect.fail(`${spec} is not an hh:mm-hh:mm window`);
    }
    const from = Number(m[1]) * 60 + Number(m[2]);
    const to = Number(m[3]) * 60 + Number(m[4]);
    const out: Interval[] = [];
    for (let day = Date.UTC(year, 0, 1); new Date(day).getUTCFullYear() === year; day += 1440 * minute) {
        const start = day + from * minute;
        const end = day + (to + (to <= from ? 1440 : 0)) * minute;
        out.push([start, end]);
    }
    return out;
}

/** Runs in `year` of a `m h dom * dow` CronJob schedule in IST (numbers or `*` only), each lasting `seconds`. */
function cronRuns(schedule: string, seconds: number): Interval[] {
    const [m, h, dom, month, dow] = schedule.split(" ");
    expect(month, schedule).to.equal("*");
    const out: Interval[] = [];
    for (let day = Date.UTC(year, 0, 1); new Date(day).getUTCFullYear() === year; day += 1440 * minute) {
        const d = new Date(day);
        if ((dom === "*" || Number(dom) === d.getUTCDate()) && (dow === "*" || Number(dow) === d.getUTCDay())) {
            const start = day + (Number(h) * 60 + Number(m) - istOffsetMinutes) * minute;
            out.push([start, start + seconds * 1000]);
        }
    }
    return out;
}

describe("AWS maintenance windows", function () {
    let resources: RecordedResource[];
    before(async () => {
        resources = (await plan("production", "aws")).evaluation.resources;
    });

    it("reads the window helpers right (the old Monday 01:30-02:30 IST window collides with the 02:00 dump)", () => {
        const dump = cronRuns("0 2 * * *", 3 * 3600);
        const old = weeklyWindow("sun:20:00-sun:21:00");
        expect(old.length).to.equal(52);
        expect(old.some(w => dump.some(d => overlaps(w, d)))).to.equal(true);
        expect(new Date(old[0]![0]).toISOString()).to.equal("2027-01-03T20:00:00.000Z");
    });

    it("keeps every pg_dump, to its deadline, and the automated backups out of the RDS maintenance window", () => {
        const rds = present(ofType(resources, "aws:rds/instance:Instance")[0], "the RDS instance");
        expect(rds.inputs.maintenanceWindow).to.equal(rdsMaintenanceWindow);
        const maintenance = weeklyWindow(rds.inputs.maintenanceWindow as string);
        const dumpJobs = ofType(resources, "kubernetes:batch/v1:CronJob").filter(r => (r.inputs.metadata as { name: string }).name.startsWith("db-backup"));
        expect(dumpJobs.length, "daily, weekly and monthly dumps").to.equal(3);
        const dumps = dumpJobs.map(r => r.inputs.spec as { schedule: string; timeZone: string; jobTemplate: { spec: { activeDeadlineSeconds: number } } });
        for (const spec of dumps) {
            expect(spec.timeZone).to.equal("Asia/Kolkata");
            const runs = cronRuns(spec.schedule, spec.jobTemplate.spec.activeDeadlineSeconds);
            const hit = runs.find(d => maintenance.some(w => overlaps(w, d)));
            expect(hit && new Date(hit[0]).toISOString(), `${spec.schedule} runs into ${rds.inputs.maintenanceWindow}`).to.equal(undefined);
        }
        const backups = dailyWindow(rds.inputs.backupWindow as string);
        expect(backups.some(b => maintenance.some(w => overlaps(w, b)))).to.equal(false);
    });
});
