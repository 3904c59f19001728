/** Turns an evaluation and its policy report into the plan JSON (DESIGN.md contract) and text. */
import { Evaluation, RecordedResource } from "./engine";
import { PolicyReport } from "./policyRunner";

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
}

export function planJson(evaluation: Evaluation, cloud: string, policies: PolicyReport): PlanJson {
    return {
        stack: evaluation.stack,
        cloud,
        resources: evaluation.resources.map(r => ({
            urn: r.urn, type: r.type, name: r.name, parent: r.parent, provider: r.provider,
            inputs: r.inputs, protect: r.protect, dependsOn: r.dependsOn,
        })),
        policies,
        outputs: evaluation.outputs,
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
            lines.push(`${"  ".repeat(depth)}${c.type} ${c.name} — ${total(c.urn)} resources`);
            walk(c.urn, depth + 1);
        }
    };
    walk(null, 0);
    return lines;
}

export function textSummary(plan: PlanJson, evaluation: Evaluation): string {
    const out: string[] = [];
    const custom = evaluation.resources.filter(r => r.custom);
    out.push(`Stack ${plan.stack} on ${plan.cloud}: ${custom.length} resources in ${evaluation.resources.length - custom.length} components`);
    out.push("", "Components:");
    out.push(...componentTree(evaluation.resources).map(l => `  ${l}`));
    out.push("", "Resources by type:");
    const rows = countByType(custom);
    const width = Math.max(...rows.map(([t]) => t.length), 4);
    out.push(...rows.map(([t, n]) => `  ${t.padEnd(width)}  ${String(n).padStart(4)}`));
    const mandatory = plan.policies.violations.filter(v => v.enforcementLevel === "mandatory");
    const advisory = plan.policies.violations.filter(v => v.enforcementLevel === "advisory");
    out.push("", `Policies (${plan.policies.pack}): ${plan.policies.evaluated.length} evaluated, ` +
        `${mandatory.length} mandatory violation(s), ${advisory.length} advisory`);
    for (const v of plan.policies.violations) {
        out.push(`  [${v.enforcementLevel}] ${v.policy}: ${v.urn || "(stack)"}`, `      ${v.message}`);
    }
    return out.join("\n");
}
