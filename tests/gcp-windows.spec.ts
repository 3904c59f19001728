/**
 * The GCP maintenance and backup windows against the database dumps, as the plan registers them:
 * every occurrence over a whole month (a 1st that is also a Sunday included), in absolute time.
 */
import { expect } from "chai";
import { RecordedResource } from "../offline/engine";
import { ofType, plan, present } from "./harness";

const hour = 3600_000;
/** Asia/Kolkata has no daylight saving: a fixed +05:30. */
const istOffset = 5.5 * hour;

interface Interval { readonly what: string; readonly start: number; readonly end: number }

/** 1 Nov 2026 is a Sunday and the 1st: all three dumps fall on it. */
const days = Array.from({ length: 35 }, (_, i) => Date.UTC(2026, 10, 1 + i));

/** Occurrences of a "m h dom * dow" cron line (numbers or *), read in IST, as UTC intervals. */
function cronIntervals(what: string, schedule: string, seconds: number): Interval[] {
    const [minute, hourOfDay, dom, month, dow] = schedule.split(" ");
    expect(month, schedule).to.equal("*");
    return days.filter(d => {
        const date = new Date(d);
        return (dom === "*" || Number(dom) === date.getUTCDate()) && (dow === "*" || Number(dow) === date.getUTCDay());
    }).map(d => {
        const start = d + Number(hourOfDay) * hour + Number(minute) * 60_000 - istOffset;
        return { what, start, end: start + seconds * 1000 };
    });
}

/** Daily or weekly windows given in UTC. */
function utcIntervals(what: string, startTime: string, hours: number, weekday?: number): Interval[] {
    const hm = /^(\d{1,2}):(\d\d)$/.exec(startTime);
    if (!hm) {
        expect.fail(`${what}: ${startTime} is not an hh:mm start time`);
    }
    const h = Number(hm[1]);
    const m = Number(hm[2]);
    return days.filter(d => weekday === undefined || new Date(d).getUTCDay() === weekday % 7)
        .map(d => ({ what, start: d + h * hour + m * 60_000, end: d + (h + hours) * hour + m * 60_000 }));
}

function overlaps(a: readonly Interval[], b: readonly Interval[]): string[] {
    const fmt = (t: number) => new Date(t).toISOString().slice(0, 16);
    return a.flatMap(x => b.filter(y => x.start < y.end && y.start < x.end).map(y => `${x.what} ${fmt(x.start)} overlaps ${y.what} ${fmt(y.start)}`));
}

for (const stack of ["staging", "production"] as const) {
    describe(`gcp windows apart from the database dumps (${stack})`, () => {
        let res: RecordedResource[];
        before(async () => {
            res = (await plan(stack, "gcp")).evaluation.resources;
        });

        it("keeps the Cloud SQL backup, Cloud SQL maintenance and GKE maintenance clear of every dump", () => {
            const dumps = ofType(res, "kubernetes:batch/v1:CronJob")
                .filter(r => String((r.inputs.metadata as { name: string }).name).startsWith("db-backup"))
                .flatMap(r => {
                    const spec = r.inputs.spec as { schedule: string; timeZone: string; jobTemplate: { spec: { activeDeadlineSeconds: number } } };
                    expect(spec.timeZone).to.equal("Asia/Kolkata");
                    return cronIntervals(r.name, spec.schedule, spec.jobTemplate.spec.activeDeadlineSeconds);
                });
            // 35 daily, 5 Sundays, 2 firsts of the month.
            expect(dumps.length).to.equal(35 + 5 + 2);

            const sql = present(ofType(res, "gcp:sql/databaseInstance:DatabaseInstance")[0], "the Cloud SQL instance");
            const settings = sql.inputs.settings as { backupConfiguration: { startTime: string }; maintenanceWindow: { day: number; hour: number } };
            const cluster = present(ofType(res, "gcp:container/cluster:Cluster")[0], "the GKE cluster");
            const gke = (cluster.inputs.maintenancePolicy as { dailyMaintenanceWindow: { startTime: string } }).dailyMaintenanceWindow.startTime;
            const mw = settings.maintenanceWindow;
            const windows = [
                // Cloud SQL starts its backup within 4 hours of startTime.
                ...utcIntervals("cloud-sql-backup", settings.backupConfiguration.startTime, 4),
                ...utcIntervals("cloud-sql-maintenance", `${mw.hour}:00`, 1, mw.day),
                ...utcIntervals("gke-maintenance", gke, 4),
            ];
            expect(windows.length).to.equal(35 + 5 + 35);
            expect(overlaps(windows, dumps)).to.deep.equal([]);
        });

        it("keeps Cloud SQL maintenance off its own backup window", () => {
            const sql = present(ofType(res, "gcp:sql/databaseInstance:DatabaseInstance")[0], "the Cloud SQL instance");
            const settings = sql.inputs.settings as { backupConfiguration: { startTime: string }; maintenanceWindow: { day: number; hour: number } };
            const mw = settings.maintenanceWindow;
            expect(overlaps(utcIntervals("cloud-sql-maintenance", `${mw.hour}:00`, 1, mw.day),
                utcIntervals("cloud-sql-backup", settings.backupConfiguration.startTime, 4))).to.deep.equal([]);
        });
    });
}
