/** Turns an evaluation and its policy report into the plan JSON (DESIGN.md contract) and text. */
import { Evaluation, RecordedResource } from "./engine";
import { allowlisted, cloudFrontCertProviderMarker, globalAllowlist } from "../policies/residency";
import { PolicyReport } from "./policyRunner";
import { Preflight } from "./preflight";
import { preflightMarkdown, preflightText } from "./preflight/render";
import { recoveryMarkdown } from "./recovery";

export interface PlanResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string | null;
    readonly provider: string | null;
    readonly inputs: Record<string, unknown>;
    readonly protect: boolean;
    readonly dependsOn: string[];
}

export interface PlanJson {
    readonly stack: string;
    readonly cloud: string;
    readonly resources: PlanResource[];
    readonly policies: PolicyReport;
    readonly outputs: Record<string, unknown>;
    /** Capacity, quotas, bootstrap steps and the cost estimate (offline/preflight). */
    readonly preflight?: Preflight;
}

export function planJson(evaluation: Evaluation, cloud: string, policies: PolicyReport, preflight?: Preflight): PlanJson {
    return {
        stack: evaluation.stack,
        cloud,
        resources: evaluation.resources.map(r => ({
            urn: r.urn, type: r.type, name: r.name, parent: r.parent, provider: r.provider,
            inputs: r.inputs, protect: r.protect, dependsOn: r.dependsOn,
        })),
        policies,
        outputs: evaluation.outputs,
        ...(preflight ? { preflight } : {}),
    };
}

/** JSON text with every secret as "[secret]" (SecretValue.toJSON). */
export function toJsonText(plan: PlanJson): string {
    return JSON.stringify(plan, null, 2) + "\n";
}

/** Resource counts by type, sorted. */
export function countByType(resources: readonly RecordedResource[]): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of resources) {
        counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
    return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** The component tree: each component with its direct custom-resource count and its children. */
export function componentTree(resources: readonly RecordedResource[]): string[] {
    const children = new Map<string | null, RecordedResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const total = (urn: string): number =>
        (children.get(urn) ?? []).reduce((n, c) => n + (c.custom ? 1 : 0) + total(c.urn), 0);
    const lines: string[] = [];
    const walk = (parent: string | null, depth: number) => {
        const kids = (children.get(parent) ?? []).filter(c => !c.custom);
        for (const c of kids) {
            // A Helm v4 chart's objects are rendered offline as the provider renders them (offline/charts).
            const what = c.remote && typeof c.inputs.chart === "string"
                ? `chart ${c.inputs.chart} release ${String(c.inputs.name ?? c.name)}: ${total(c.urn)} rendered objects`
                : `${total(c.urn)} resources`;
            lines.push(`${"  ".repeat(depth)}${c.type} ${c.name} — ${what}`);
            walk(c.urn, depth + 1);
        }
    };
    walk(null, 0);
    return lines;
}

export interface ResidencyRow {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Region, location or zone; "global" for allowlisted global services. */
    readonly location: string;
    /** Why a global resource is allowed (the policy pack's allowlist), empty otherwise. */
    readonly reason: string;
}

/** Every cloud resource with where it lives: its own location field, else its provider's region. */
export function residencyTable(resources: readonly RecordedResource[]): ResidencyRow[] {
    const byUrn = new Map(resources.map(r => [r.urn, r]));
    const rows: ResidencyRow[] = [];
    for (const r of resources) {
        const isProvider = /^pulumi:providers:(aws|gcp)$/.test(r.type);
        if (!r.custom || (!isProvider && !/^(aws|gcp):/.test(r.type))) {
            continue;
        }
        // A custom dual-region bucket's location is its continent; its data lives in the regions it names.
        const dataLocations = (r.inputs.customPlacementConfig as { dataLocations?: string[] } | undefined)?.dataLocations;
        const own = dataLocations?.join("+").toLowerCase() ?? [r.inputs.location, r.inputs.region, r.inputs.zone].find(v => typeof v === "string") as string | undefined;
        const providerRegion = r.provider ? byUrn.get(r.provider)?.inputs.region as string | undefined : undefined;
        // The one AWS provider outside India exists only for CloudFront's certificate (policies/residency.ts).
        const entry = isProvider
            ? (r.name.includes(cloudFrontCertProviderMarker) ? globalAllowlist.find(e => e.id === "cloudfront-certificate") : undefined)
            : allowlisted(r.type, r.inputs);
        const location = own ?? (entry ? `global (${providerRegion ?? "no region"})` : providerRegion ?? "unknown");
        rows.push({ urn: r.urn, type: r.type, name: r.name, location, reason: entry ? `${entry.id}: ${entry.reason}` : "" });
    }
    return rows;
}

function table(header: string[], rows: string[][]): string[] {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? "").length)));
    const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd()}`;
    return [line(header), line(widths.map(w => "-".repeat(w))), ...rows.map(line)];
}

/** Production guarantees the stack lowers on purpose (index.ts exports them with their reasons). */
function overridesOf(plan: PlanJson): string[] {
    const o = plan.outputs.resilienceOverrides;
    return Array.isArray(o) ? o.map(String) : [];
}

export function textSummary(plan: PlanJson, evaluation: Evaluation): string {
    const out: string[] = [];
    const custom = evaluation.resources.filter(r => r.custom);
    out.push(`Stack ${plan.stack} on ${plan.cloud}: ${custom.length} resources in ${evaluation.resources.length - custom.length} components`);
    out.push(...overridesOf(plan).map(o => `  RESILIENCE OVERRIDE: ${o}`));
    out.push("", "Components:");
    out.push(...componentTree(evaluation.resources).map(l => `  ${l}`));
    out.push("", "Resources by type:");
    const rows = countByType(custom);
    const width = Math.max(...rows.map(([t]) => t.length), 4);
    out.push(...rows.map(([t, n]) => `  ${t.padEnd(width)}  ${String(n).padStart(4)}`));
    const mandatory = plan.policies.violations.filter(v => v.enforcementLevel === "mandatory");
    const advisory = plan.policies.violations.filter(v => v.enforcementLevel === "advisory");
    const residency = residencyTable(evaluation.resources);
    if (residency.length === 0) {
        out.push("", "Residency: local (no cloud resources; everything runs in the cluster)");
    } else {
        const locations = new Map<string, number>();
        residency.forEach(r => locations.set(r.location, (locations.get(r.location) ?? 0) + 1));
        out.push("", "Residency (cloud resources by location):");
        out.push(...table(["location", "resources"], [...locations.entries()].sort().map(([l, n]) => [l, String(n)])));
        const global = residency.filter(r => r.reason);
        if (global.length > 0) {
            out.push("", "Global services (allowlisted):");
            out.push(...table(["resource", "type", "why"], global.map(r => [r.name, r.type, r.reason])));
        }
    }
    const violationsOf = (name: string) => plan.policies.violations.filter(v => v.policy === name).length;
    out.push("", `Policies (${plan.policies.pack}): ${plan.policies.evaluated.length} evaluated, ` +
        `${mandatory.length} mandatory violation(s), ${advisory.length} advisory`);
    out.push(...table(["policy", "level", "verdict"], plan.policies.evaluated.map(p => [
        p.name, p.enforcementLevel, p.enforcementLevel === "disabled" ? "-" : violationsOf(p.name) === 0 ? "pass" : `${violationsOf(p.name)} violation(s)`,
    ])));
    for (const v of plan.policies.violations) {
        out.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.urn || "(stack)"}`, `      ${v.message}`);
    }
    if (plan.preflight) {
        out.push(...preflightText(plan.preflight));
    }
    return out.join("\n");
}

/**
 * A short, deterministic Markdown summary (for PR comments and `git diff` between runs): totals,
 * resources by type, resources by location, RPO/RTO per layer, and the policy verdict. No URNs, timestamps or ids.
 */
export function markdownSummary(plan: PlanJson, evaluation: Evaluation): string {
    const custom = evaluation.resources.filter(r => r.custom);
    const mandatory = plan.policies.violations.filter(v => v.enforcementLevel === "mandatory");
    const advisory = plan.policies.violations.filter(v => v.enforcementLevel === "advisory");
    const locations = new Map<string, number>();
    residencyTable(evaluation.resources).forEach(r => locations.set(r.location, (locations.get(r.location) ?? 0) + 1));
    return [
        `## BookKeep ${plan.stack} on ${plan.cloud}`,
        "",
        `- resources: ${custom.length}`,
        ...overridesOf(plan).map(o => `- **resilience override**: ${o}`),
        `- policies: ${plan.policies.evaluated.length} evaluated (${plan.policies.pack}), ${mandatory.length} mandatory violation(s), ${advisory.length} advisory`,
        ...plan.policies.violations.map(v => `  - [${v.enforcementLevel}] \`${v.policy}\` on \`${v.urn.split("::").pop()}\``),
        "",
        "| type | count |",
        "|---|---|",
        ...countByType(custom).map(([t, n]) => `| \`${t}\` | ${n} |`),
        "",
        "| chart release | archive | rendered objects | hooks left out |",
        "|---|---|---|---|",
        ...[...evaluation.charts].map(c => [String(c.chart.inputs.name ?? c.chart.name), String(c.chart.inputs.chart), c.objects.length, c.hooks.length] as const)
            .sort(([a], [b]) => a.localeCompare(b)).map(([release, archive, n, hooks]) => `| ${release} | \`${archive}\` | ${n} | ${hooks} |`),
        "",
        "| location | resources |",
        "|---|---|",
        ...[...locations.entries()].sort().map(([l, n]) => `| ${l} | ${n} |`),
        "",
        ...recoveryMarkdown(evaluation.resources),
        ...(plan.preflight ? preflightMarkdown(plan.preflight) : []),
    ].join("\n");
}
