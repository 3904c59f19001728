/** The preflight as the plan prints it (text) and as the `--summary` Markdown shows it. */
import { StepPhase } from "./bootstrap";
import { Scenario } from "./capacity";
import { Preflight } from "./index";
import { hoursPerMonth } from "./prices";

const vcpu = (m: number) => (m / 1000).toFixed(2);
const gib = (mib: number) => (mib / 1024).toFixed(1);
const phaseMark: Record<StepPhase, string> = { "before-up": "", "after-first-up": "[after the first up] ", "before-destroy": "[before pulumi destroy] " };
const usd = (n: number) => `$${Math.round(n).toLocaleString("en-US")}`;

function scenarioLine(label: string, s: Scenario | undefined): string {
    if (!s) {
        return `${label}: not checked`;
    }
    const r = s.requested;
    const a = s.allocatable;
    return `${label}: CPU ${vcpu(r.cpuMillicores)}/${vcpu(a.cpuMillicores)} vCPU, memory ${gib(r.memoryMib)}/${gib(a.memoryMib)} GiB, ` +
        `pods ${r.pods}/${a.pods} on ${a.nodes} node(s): ${s.shortfalls.length === 0 ? "fits" : "DOES NOT FIT"}`;
}

/** Headroom as one cell: "+1.20 vCPU, +3.4 GiB, +12 pods". */
export function headroom(s: Scenario | undefined): string {
    if (!s) {
        return "-";
    }
    const sign = (n: number, text: string) => `${n >= 0 ? "+" : ""}${text}`;
    return `${sign(s.headroom.cpuMillicores, vcpu(s.headroom.cpuMillicores))} vCPU, ${sign(s.headroom.memoryMib, gib(s.headroom.memoryMib))} GiB, ` +
        `${sign(s.headroom.pods, String(s.headroom.pods))} pods`;
}

export function preflightText(p: Preflight): string[] {
    const out: string[] = ["", "Preflight (offline/preflight):"];
    const c = p.capacity;
    if (!c.applicable) {
        out.push("  Capacity: no node pool in the plan (an existing cluster): not checked");
    } else {
        out.push(`  Capacity (pod requests incl. the cloud's system pods vs node allocatable; node autoscaler: ${c.autoscaler ?? "none"}):`);
        for (const pool of c.pools) {
            const per = pool.perNode ? `${vcpu(pool.perNode.cpuMillicores)} vCPU, ${gib(pool.perNode.memoryMib)} GiB, ${pool.perNode.pods} pods per node` : "node type unknown";
            out.push(`    ${pool.name}: ${pool.type}, starts at ${pool.startNodes}, bounds ${pool.minNodes}-${pool.maxNodes}, reachable ${pool.reachableNodes}; ${per}`);
        }
        out.push(`    ${scenarioLine("at HPA minimum", c.atMinimum)}`);
        c.atMinimum?.shortfalls.forEach(s => out.push(`      - ${s}`));
        out.push(`    ${scenarioLine("at HPA maximum", c.atMaximum)}`);
        c.atMaximum?.shortfalls.forEach(s => out.push(`      - ${s}`));
        c.notes.forEach(n => out.push(`    note: ${n}`));
    }
    const [firstQuota] = p.quotas;
    if (firstQuota) {
        out.push(`  Quotas (${firstQuota.region}; defaults of a new account unless bookkeep:quotas sets them):`);
        const w = Math.max(...p.quotas.map(q => q.quota.length));
        p.quotas.forEach(q => out.push(`    ${q.quota.padEnd(w)}  ${String(q.used).padStart(6)} now, ${String(q.usedAtMaximum).padStart(6)} at max / ${q.limit} ${q.unit} (${q.limitFrom})` +
            `${q.exceeded ? "  EXCEEDED" : ""}`));
    }
    if (p.bootstrap.length > 0) {
        out.push("  Bootstrap checklist (before the first `pulumi up` unless marked):");
        p.bootstrap.forEach((s, i) => out.push(`    ${i + 1}. ${phaseMark[s.when]}${s.text}`, ...(s.command ? [`       $ ${s.command}`] : [])));
    }
    const k = p.cost;
    if (k.items.length > 0) {
        out.push(`  Monthly cost estimate (USD, on-demand list prices, ${hoursPerMonth} h/month${k.pricesVerified ? "" : "; prices pinned, not re-read: see offline/preflight/prices.ts"}): ` +
            `${usd(k.monthlyUsd.min)} at HPA minimum, ${usd(k.monthlyUsd.max)} at HPA maximum`);
        const w = Math.max(...k.items.map(i => `${i.resource} ${i.item}`.length));
        // Largest first: what to look at when the total surprises.
        [...k.items].sort((a, b) => b.monthlyUsd.max - a.monthlyUsd.max || a.resource.localeCompare(b.resource)).forEach(i => out.push(`    ${`${i.resource} ${i.item}`.padEnd(w)}  ${usd(i.monthlyUsd.min).padStart(7)}  ${usd(i.monthlyUsd.max).padStart(7)}`));
        out.push(`    assumptions: ${Object.entries(k.assumptions).map(([key, v]) => `${key} ${typeof v === "object" ? `${v.min}-${v.max}` : v}`).join("; ")}`);
        k.unpriced.forEach(u => out.push(`    unpriced: ${u}`));
    }
    return out;
}

export function preflightMarkdown(p: Preflight): string[] {
    const out: string[] = ["", "### Preflight", ""];
    const c = p.capacity;
    if (c.applicable) {
        const verdict = (s: Scenario | undefined) => (s && s.shortfalls.length === 0 ? "fits" : `**does not fit**: ${s?.shortfalls.join("; ")}`);
        out.push("| capacity | headroom | verdict |", "|---|---|---|",
            `| at HPA minimum (${c.atMinimum?.allocatable.nodes} nodes) | ${headroom(c.atMinimum)} | ${verdict(c.atMinimum)} |`,
            `| at HPA maximum (${c.atMaximum?.allocatable.nodes} nodes) | ${headroom(c.atMaximum)} | ${verdict(c.atMaximum)} |`, "");
    }
    if (p.quotas.length > 0) {
        out.push("| quota | used | at max | limit |", "|---|---|---|---|",
            ...p.quotas.map(q => `| ${q.quota} | ${q.used} | ${q.usedAtMaximum} | ${q.limit}${q.exceeded ? " **exceeded**" : ""} |`), "");
    }
    if (p.cost.items.length > 0) {
        out.push(`- monthly cost estimate: ${usd(p.cost.monthlyUsd.min)} (HPA minimum) – ${usd(p.cost.monthlyUsd.max)} (HPA maximum), USD on-demand`);
    }
    if (p.bootstrap.length > 0) {
        out.push(`- bootstrap steps: ${p.bootstrap.map(s => `\`${s.id}\``).join(", ")}`);
    }
    out.push("");
    return out;
}
