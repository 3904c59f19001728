/**
 * Velero's Schedules run where nothing else does (issue 21 item 5): not during the database dumps,
 * the managed services' backup and maintenance windows, or each other.
 */
import { expect } from "chai";
import { rdsBackupWindow, rdsMaintenanceWindow } from "../components/aws/database";
import { automaticSnapshotHourUtc } from "../components/aws/cache";
import { cloudSqlBackupStart, cloudSqlMaintenance, gkeMaintenanceStart } from "../components/gcp/windows";
import { backupSchedules } from "../components/k8s/backups";
import { veleroBackupHours, veleroSchedules } from "../components/k8s/velero";

const week = 7 * 24 * 60;
const everyDay = [0, 1, 2, 3, 4, 5, 6];
interface Busy { readonly what: string; readonly start: number; readonly minutes: number }

const hhmm = (t: string) => { const [h, m] = t.split(":").map(Number); return h! * 60 + m!; };
/** Weekly occurrences of a `m h * * d` cron (day of month is read as "any day": conservative), shifted by `offset` minutes. */
function cronStarts(cron: string, offset = 0): number[] {
    const [m, h, , , d] = cron.split(" ");
    const days = d === "*" ? everyDay : d!.split(",").map(Number);
    return days.map(day => (((day * 24 * 60 + Number(h) * 60 + Number(m) + offset) % week) + week) % week);
}
const daily = (what: string, startUtc: number, minutes: number): Busy[] => everyDay.map(d => ({ what, start: d * 24 * 60 + startUtc, minutes }));
const days: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
/** `ddd:hh:mm-ddd:hh:mm` (AWS) as one weekly span. */
function awsWeekly(what: string, window: string): Busy {
    const [from, to] = window.split("-").map(s => { const [d, h, m] = s.split(":"); return days[d!]! * 24 * 60 + Number(h) * 60 + Number(m); });
    return { what, start: from!, minutes: to! - from! };
}

function overlaps(a: Busy, b: Busy): boolean {
    // Compare on a doubled week, so spans that cross Sunday midnight are seen.
    return [-week, 0, week].some(shift => a.start < b.start + shift + b.minutes && b.start + shift < a.start + a.minutes);
}

/** Everything else that runs on a clock, in UTC. */
function busy(): Busy[] {
    const ist = -330;
    const [rdsFrom, rdsTo] = rdsBackupWindow.split("-").map(hhmm);
    return [
        // Each dump may take 3 hours (components/gcp/windows.ts).
        ...backupSchedules.flatMap(s => cronStarts(s.schedule, ist).map(start => ({ what: `dump ${s.prefix}`, start, minutes: 180 }))),
        ...daily("Cloud SQL backup", hhmm(cloudSqlBackupStart), 240),
        ...daily("GKE maintenance", hhmm(gkeMaintenanceStart), 240),
        { what: "Cloud SQL maintenance", start: (cloudSqlMaintenance.day % 7) * 24 * 60 + cloudSqlMaintenance.hour * 60, minutes: 60 },
        ...daily("RDS backup", rdsFrom!, rdsTo! - rdsFrom!),
        awsWeekly("RDS maintenance", rdsMaintenanceWindow),
        ...daily("ElastiCache snapshot", automaticSnapshotHourUtc * 60, 60),
        awsWeekly("ElastiCache maintenance", "sun:21:00-sun:22:00"),
    ];
}

describe("velero: schedules clear of the other windows", () => {
    const runs = veleroSchedules("production").flatMap(s => cronStarts(s.schedule).map(start => ({ what: s.key, start, minutes: veleroBackupHours * 60 })));

    it("overlaps no dump, managed backup or maintenance window", () => {
        const clashes = runs.flatMap(r => busy().filter(b => overlaps(r, b)).map(b => `${r.what} @${r.start} vs ${b.what} @${b.start}`));
        expect(clashes).to.deep.equal([]);
    });

    it("never runs two Velero backups at once", () => {
        const clashes = runs.flatMap((a, i) => runs.slice(i + 1).filter(b => overlaps(a, b)).map(b => `${a.what} @${a.start} vs ${b.what} @${b.start}`));
        expect(clashes).to.deep.equal([]);
    });

    it("the check sees a clash: a daily run at 21:00 UTC lands in the dumps", () => {
        expect(busy().some(b => overlaps({ what: "probe", start: 21 * 60, minutes: 60 }, b))).to.equal(true);
        expect(busy().some(b => overlaps({ what: "probe", start: 12 * 60 + 30, minutes: 120 }, b))).to.equal(false);
    });
});
