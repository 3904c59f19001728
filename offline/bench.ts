/**
 * `npm run bench`: wall time and peak memory of the offline plan for each stack × cloud, against
 * the floor of loading the SDKs in a bare Node process, and the plan's growth with fleet size;
 * and the README's own command, `npm run plan -- --stack production`, as people run it: warm
 * (nothing changed since the last run) and after a one-file edit.
 * Each figure is the median of several runs, each in a fresh process (what CI and people pay).
 *
 *   node bin/offline/bench.js [--runs 3] [--child ...]   (--child is the measured process itself)
 */
// First, before anything else loads: the SDKs' compile cache and deferred modules.
import "./startup";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Platform } from "../components/platform";
import { loadCatalog, releaseAt, ServiceSpec, catalogEntries } from "../services";
import { loadStackConfig } from "../stacks/load";
import { projectRoot } from "./engine";
import { planStack } from "./plan";
import { preflight } from "./preflight";

const sdkModules = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/policy"];

interface Sample {
    readonly ms: number;
    readonly maxRssMb: number;
    readonly resources?: number;
    /** The preflight's share of the plan (capacity, quotas, bootstrap, cost), timed in the child. */
    readonly preflightMs?: number;
}

/** A synthetic catalog of `n` services shaped like the real ones. */
export function syntheticCatalog(n: number): ServiceSpec[] {
    const base = catalogEntries;
    return loadCatalog(Array.from({ length: n }, (_, i) => {
        const like = base[i % base.length];
        if (like === undefined) throw new Error("the service catalog is empty; nothing to shape synthetic services like");
        const name = i < base.length ? like.name : `svc${String(i).padStart(3, "0")}`;
        return { ...like, name, image: `${name}-service`, routePrefix: i < base.length ? like.routePrefix : `/v1/${name}` };
    }));
}

async function child(args: string[]): Promise<void> {
    const get = (flag: string) => {
        const value = args[args.indexOf(flag) + 1];
        if (value === undefined) throw new Error(`bench child needs ${flag} <value>`);
        return value;
    };
    const services = args.includes("--services") ? Number(get("--services")) : undefined;
    const program = services === undefined ? undefined : () => {
        const catalog = syntheticCatalog(services);
        new Platform("bookkeep", { config: loadStackConfig(), catalog, release: releaseAt(catalog, "v1.0.0") });
        return {};
    };
    const result = await planStack({ stack: get("--stack"), cloud: get("--cloud"), program });
    const resources = result.evaluation.resources.filter(r => r.custom).length;
    // planStack already ran it once; time a second run, which is what it adds to every plan.
    const start = process.hrtime.bigint();
    preflight(result.evaluation.resources);
    const preflightMs = Number(process.hrtime.bigint() - start) / 1e6;
    process.stdout.write(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024, resources, preflightMs }) + "\n");
}

/**
 * The floors: a bare Node process that loads the six SDKs whole and nothing else, as the issue
 * defines it; and the same with the plan's compile cache, a stricter floor (the plan also loads
 * less of the SDKs: see offline/startup.ts and the sdk.ts modules).
 */
/** The README command, timed whole (npm, the transpile step, the plan). */
function measureReadmeCommand(runs: number, edit: boolean): Sample {
    const root = projectRoot();
    // An edit a person makes: new content in one component file, so its transpiled output and its
    // compiled code are both stale. The file is restored afterwards.
    const edited = path.join(root, "components", "service.ts");
    const original = fs.readFileSync(edited, "utf8");
    const samples: number[] = [];
    try {
        const once = (i: number) => {
            if (edit) {
                fs.writeFileSync(edited, `${original}\n// bench edit ${i} ${Date.now()}\n`);
            }
            const start = process.hrtime.bigint();
            const r = spawnSync("npm", ["run", "--silent", "plan", "--", "--stack", "production", "--quiet"], { cwd: root, encoding: "utf8" });
            const ms = Number(process.hrtime.bigint() - start) / 1e6;
            if (r.status !== 0) {
                throw new Error(`npm run plan failed:\n${r.stderr}`);
            }
            return ms;
        };
        once(-1);
        for (let i = 0; i < runs; i++) {
            samples.push(once(i));
        }
    } finally {
        fs.writeFileSync(edited, original);
    }
    return { ms: median(samples), maxRssMb: NaN };
}

const noRuns = () => new Error("bench needs at least one run (--runs 1 or more)");

function median(xs: readonly number[]): number {
    const middle = [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    if (middle === undefined) throw noRuns();
    return middle;
}

const floorScript = (compileCache: boolean) =>
    `${compileCache ? `require(${JSON.stringify(require.resolve("./compileCache"))}); ` : ""}${JSON.stringify(sdkModules)}.forEach(m => require(m)); ` +
    `process.stdout.write(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 }) + "\\n");`;

function measure(args: string[], runs: number): Sample {
    const samples: Sample[] = [];
    const argv = args[0] === "--floor" ? ["-e", floorScript(args[1] === "cached")] : [__filename, "--child", ...args];
    for (let i = 0; i < runs; i++) {
        const start = process.hrtime.bigint();
        const r = spawnSync(process.execPath, argv, { encoding: "utf8", cwd: projectRoot() });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (r.status !== 0) {
            throw new Error(`bench child ${args.join(" ")} failed:\n${r.stderr}`);
        }
        const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as { maxRssMb: number; resources?: number; preflightMs?: number };
        samples.push({ ms, maxRssMb: out.maxRssMb, resources: out.resources, preflightMs: out.preflightMs });
    }
    const [first] = samples;
    if (first === undefined) throw noRuns();
    return {
        ms: median(samples.map(s => s.ms)), maxRssMb: median(samples.map(s => s.maxRssMb)), resources: first.resources,
        preflightMs: first.preflightMs === undefined ? undefined : median(samples.map(s => s.preflightMs ?? 0)),
    };
}

function row(cells: (string | number)[], widths: number[]): string {
    return cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i] ?? 0) : String(c).padStart(widths[i] ?? 0))).join("  ");
}

async function main(args: string[]): Promise<void> {
    if (args[0] === "--child") {
        return child(args.slice(1));
    }
    const runs = args.includes("--runs") ? Number(args[args.indexOf("--runs") + 1]) : 3;
    const floor = measure(["--floor", "bare"], runs);
    const cachedFloor = measure(["--floor", "cached"], runs);
    const widths = [42, 10, 8, 8, 14, 12, 13];
    const pre = (s: Sample) => (s.preflightMs === undefined ? "-" : s.preflightMs.toFixed(1));
    const lines = [row(["case", "resources", "wall ms", "ratio", "÷ cached floor", "peak RSS MB", "preflight ms"], widths)];
    lines.push(row(["SDK load floor (bare node)", "-", floor.ms.toFixed(0), "1.00", "-", floor.maxRssMb.toFixed(0), "-"], widths));
    lines.push(row(["SDK load floor (bare node + compile cache)", "-", cachedFloor.ms.toFixed(0), (cachedFloor.ms / floor.ms).toFixed(2), "1.00", cachedFloor.maxRssMb.toFixed(0), "-"], widths));
    const warm = measureReadmeCommand(runs, false);
    const edited = measureReadmeCommand(runs, true);
    lines.push(row(["npm run plan -- --stack production (warm)", "-", warm.ms.toFixed(0), (warm.ms / floor.ms).toFixed(2), (warm.ms / cachedFloor.ms).toFixed(2), "-", "-"], widths));
    lines.push(row(["  the same after a one-file edit", "-", edited.ms.toFixed(0), (edited.ms / floor.ms).toFixed(2), (edited.ms / cachedFloor.ms).toFixed(2), "-", "-"], widths));
    let production: Sample | undefined;
    const cases: readonly (readonly [string, string])[] = [["staging", "aws"], ["production", "aws"], ["staging", "gcp"], ["production", "gcp"], ["development", "local"]];
    for (const [stack, cloud] of cases) {
        const s = measure(["--stack", stack, "--cloud", cloud], runs);
        if (stack === "production" && cloud === "aws") {
            production = s;
        }
        lines.push(row([`plan ${stack} on ${cloud}`, s.resources ?? "-", s.ms.toFixed(0), (s.ms / floor.ms).toFixed(2), (s.ms / cachedFloor.ms).toFixed(2), s.maxRssMb.toFixed(0), pre(s)], widths));
    }
    let six: Sample | undefined;
    let growth = 0;
    for (const n of [6, 60, 200]) {
        const s = measure(["--stack", "production", "--cloud", "aws", "--services", String(n)], runs);
        six ??= s;
        growth = s.ms / six.ms;
        lines.push(row([`production/aws, ${n} services`, s.resources ?? "-", s.ms.toFixed(0), growth.toFixed(2), "-", s.maxRssMb.toFixed(0), pre(s)], widths));
    }
    const verdict = (ratio: number | undefined, target: number) => `${ratio?.toFixed(2)} (target ${target.toFixed(1)}: ${ratio !== undefined && ratio <= target ? "met" : "missed"})`;
    process.stdout.write(`${lines.join("\n")}\n\nratio: to the bare SDK load floor; for the fleet rows, to the 6-service plan. ` +
        `Median of ${runs} runs per case, each a fresh process; node ${process.version}. ` +
        "Every plan includes the preflight; its column is its own share.\n" +
        `production on aws / floor: ${verdict(production && production.ms / floor.ms, 1.5)}, ` +
        `/ floor with compile cache: ${verdict(production && production.ms / cachedFloor.ms, 1.5)}; ` +
        `200 services / 6 services: ${verdict(growth, 3)}\n` +
        `npm run plan warm / floor: ${verdict(warm.ms / floor.ms, 2)}; after a one-file edit / floor: ${verdict(edited.ms / floor.ms, 4)}\n`);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch(err => {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
    });
}
