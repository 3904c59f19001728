/**
 * What the preflight reads: the plan's recorded resources as plain data (type, urn, parent,
 * inputs), so the same code runs in the offline plan and inside the policy pack (whose stack
 * validation sees `props`). Nothing here imports a cloud SDK or the program.
 */
export interface PreflightResource {
    readonly type: string;
    readonly urn: string;
    readonly name: string;
    readonly parent?: string | null;
    /** The URN of the resource's explicit provider (its region lives there). */
    readonly provider?: string | null;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the plan's recorded inputs: untyped provider JSON
    readonly inputs: Record<string, any>;
}

/** The region or location of a cloud resource: its own field, else its provider's region. */
export function regionOf(r: PreflightResource, byUrn: ReadonlyMap<string, PreflightResource>): string | undefined {
    const own = [r.inputs.region, r.inputs.location].find(v => typeof v === "string") as string | undefined;
    if (own) {
        return own;
    }
    const provider = r.provider ? byUrn.get(r.provider) : undefined;
    return typeof provider?.inputs.region === "string" ? provider.inputs.region : undefined;
}

/** A CPU quantity ("250m", "1", 0.5) in millicores; 0 for anything unreadable (an unknown). */
export function millicores(q: unknown): number {
    const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(String(q ?? "").trim());
    if (!m) {
        return 0;
    }
    return m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
}

const binary: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
const decimal: Record<string, number> = { k: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20, T: 1e12 / 2 ** 20 };

/** A memory or storage quantity ("256Mi", "2Gi", "1G") in MiB; 0 for anything unreadable. */
export function mebibytes(q: unknown): number {
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(q ?? "").trim());
    if (!m) {
        return 0;
    }
    const unit = m[2];
    if (unit === undefined) {
        return Number(m[1]) / 2 ** 20;
    }
    // The pattern admits only units these tables list; 0 keeps "unreadable is 0" should they drift.
    return Number(m[1]) * (binary[unit] ?? decimal[unit] ?? 0);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- members of untyped provider JSON
export const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- elements of untyped provider JSON
export const asArray = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** Helm chart components: their rendered objects, when the plan has them, are their children. */
export const chartTypes: readonly string[] = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v3:Release"];

/** Counts by key, sorted by key (stable output for diffs). */
export function tally<T>(items: readonly T[], key: (t: T) => string): [string, number][] {
    const m = new Map<string, number>();
    items.forEach(i => m.set(key(i), (m.get(key(i)) ?? 0) + 1));
    return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
}
