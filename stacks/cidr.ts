/** Pure IPv4 CIDR helpers: parsing, overlap checks and carving a block into subnets. */

export interface Cidr {
    /** Network address as an unsigned 32-bit integer. */
    readonly base: number;
    readonly prefix: number;
}

const cidrPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses "a.b.c.d/n"; returns undefined unless it is a valid network address (no host bits set). */
export function parseCidr(text: string): Cidr | undefined {
    const m = cidrPattern.exec(text);
    if (!m) {
        return undefined;
    }
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some(o => o > 255) || prefix > 32) {
        return undefined;
    }
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    if (base % blockSize(prefix) !== 0) {
        return undefined;
    }
    return { base, prefix };
}

export function isCidr(text: string): boolean {
    return parseCidr(text) !== undefined;
}

function blockSize(prefix: number): number {
    return 2 ** (32 - prefix);
}

export function formatCidr(c: Cidr): string {
    const octets = [24, 16, 8, 0].map(shift => Math.floor(c.base / 2 ** shift) % 256);
    return `${octets.join(".")}/${c.prefix}`;
}

export function cidrsOverlap(a: string, b: string): boolean {
    const x = mustParse(a);
    const y = mustParse(b);
    const xEnd = x.base + blockSize(x.prefix);
    const yEnd = y.base + blockSize(y.prefix);
    return x.base < yEnd && y.base < xEnd;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
    const o = mustParse(outer);
    const i = mustParse(inner);
    return i.prefix >= o.prefix && i.base >= o.base && i.base + blockSize(i.prefix) <= o.base + blockSize(o.prefix);
}

/**
 * The `index`-th block of size `/newPrefix` inside `parent` (like Terraform's `cidrsubnet`).
 * Throws when the block does not fit, so a bad plan never reaches a resource.
 */
export function subnetCidr(parent: string, newPrefix: number, index: number): string {
    const p = mustParse(parent);
    if (newPrefix < p.prefix || newPrefix > 32) {
        throw new Error(`cannot carve a /${newPrefix} out of ${parent}`);
    }
    const count = 2 ** (newPrefix - p.prefix);
    if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new Error(`${parent} holds ${count} /${newPrefix} blocks; index ${index} is out of range`);
    }
    return formatCidr({ base: p.base + index * blockSize(newPrefix), prefix: newPrefix });
}

function mustParse(text: string): Cidr {
    const c = parseCidr(text);
    if (!c) {
        throw new Error(`"${text}" is not an IPv4 CIDR block such as 10.10.0.0/16`);
    }
    return c;
}
