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

/**
 * The `kubernetes` Service's ClusterIP as a /32: the first host of the service range (EKS and GKE
 * both give it that address). NetworkPolicy engines judge in-cluster API calls by this pre-DNAT address.
 */
export function kubernetesServiceCidr(serviceRange: string): string {
    const c = mustParse(serviceRange);
    return formatCidr({ base: c.base + 1, prefix: 32 });
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

/** True when `text` is a network written the one canonical way ("10.10.0.0/16", not "010.010.0.0/16"). */
export function isCanonicalCidr(text: string): boolean {
    const c = parseCidr(text);
    return c !== undefined && formatCidr(c) === text;
}

/** RFC 1918 private blocks: every range the program lays out in a VPC must sit inside one of them. */
export const privateBlocks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

export function isPrivateCidr(text: string): boolean {
    return isCidr(text) && privateBlocks.some(p => cidrContains(p, text));
}

/**
 * Blocks that are not public unicast (RFC 6890: this-network, private, CGNAT, loopback,
 * link-local, documentation, multicast and reserved). What is left is the public internet.
 */
const nonPublicV4 = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/3",
];

/** Half-open [start, end) address intervals, merged. */
function union(intervals: [number, number][]): [number, number][] {
    const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
    const out: [number, number][] = [];
    for (const [s, e] of sorted) {
        const last = out[out.length - 1];
        if (last !== undefined && s <= last[1]) {
            last[1] = Math.max(last[1], e);
        } else {
            out.push([s, e]);
        }
    }
    return out;
}

function interval(text: string): [number, number] {
    const c = mustParse(text);
    return [c.base, c.base + blockSize(c.prefix)];
}

/**
 * How many public IPv4 addresses a list of ranges admits together. Overlaps count once, so a
 * list cannot hide the whole internet in halves (0.0.0.0/1 + 128.0.0.0/1) or in many pieces.
 */
export function publicAddressCount(cidrs: readonly string[]): number {
    const reserved = union(nonPublicV4.map(interval));
    let total = 0;
    for (const [s, e] of union(cidrs.filter(isCidr).map(interval))) {
        let covered = e - s;
        for (const [rs, re] of reserved) {
            covered -= Math.max(0, Math.min(e, re) - Math.max(s, rs));
        }
        total += covered;
    }
    return total;
}
