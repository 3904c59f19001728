/**
 * The longest gap between two runs of a five-field cron schedule, so a "has not succeeded on
 * schedule" alert follows the schedule it guards instead of a number someone must keep in step
 * (the hourly cache snapshot skips its maintenance hour; a monthly dump waits up to 31 days).
 */

const fields = [
    { name: "minute", min: 0, max: 59 },
    { name: "hour", min: 0, max: 23 },
    { name: "day of month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12 },
    { name: "day of week", min: 0, max: 7 },
] as const;

function parseField(text: string, field: typeof fields[number], schedule: string): Set<number> {
    const values = new Set<number>();
    for (const part of text.split(",")) {
        const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
        if (!match) {
            throw new Error(`cron schedule ${JSON.stringify(schedule)}: ${field.name} ${JSON.stringify(part)} is not a number, range, list or step`);
        }
        const from = match[1] === "*" ? field.min : Number(match[2]);
        const to = match[1] === "*" ? field.max : Number(match[3] ?? (match[4] ? field.max : match[2]));
        const step = Number(match[4] ?? 1);
        if (from < field.min || to > field.max || from > to || step < 1) {
            throw new Error(`cron schedule ${JSON.stringify(schedule)}: ${field.name} ${JSON.stringify(part)} is outside ${field.min}-${field.max}`);
        }
        for (let v = from; v <= to; v += step) {
            values.add(field.name === "day of week" && v === 7 ? 0 : v);
        }
    }
    return values;
}

/** Seconds between the two furthest-apart consecutive runs over a year (UTC; what CronJobs use unless `timeZone` is set). */
export function cronMaxIntervalSeconds(schedule: string): number {
    const parts = schedule.trim().split(/\s+/);
    if (parts.length !== 5) {
        throw new Error(`cron schedule ${JSON.stringify(schedule)}: expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
    }
    const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, fields[i]!, schedule)) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
    // cron's rule: with both day fields restricted, a day matching either runs.
    const domAny = parts[2] === "*";
    const dowAny = parts[4] === "*";
    const dayMatches = (d: Date) => domAny && dowAny ? true
        : domAny ? dow.has(d.getUTCDay())
            : dowAny ? dom.has(d.getUTCDate())
                : dom.has(d.getUTCDate()) || dow.has(d.getUTCDay());
    // Two years from a fixed date cover every month length and weekday once over, and leap February.
    const start = Date.UTC(2027, 0, 1);
    const end = Date.UTC(2029, 0, 1);
    let previous: number | undefined;
    let longest = 0;
    for (let t = start; t < end; t += 3_600_000) {
        const d = new Date(t);
        if (!month.has(d.getUTCMonth() + 1) || !hour.has(d.getUTCHours()) || !dayMatches(d)) {
            continue;
        }
        for (const m of [...minute].sort((a, b) => a - b)) {
            const run = t + m * 60_000;
            if (previous !== undefined) {
                longest = Math.max(longest, run - previous);
            }
            previous = run;
        }
    }
    if (longest === 0) {
        throw new Error(`cron schedule ${JSON.stringify(schedule)} runs less than twice in two years`);
    }
    return longest / 1000;
}
