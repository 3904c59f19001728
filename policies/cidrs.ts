/**
 * How much of the internet a set of CIDR ranges admits. A rule is judged by the union of its
 * ranges, not range by range: `0.0.0.0/1` + `128.0.0.0/1` opens as much as `0.0.0.0/0`, and so
 * does a list of /8s. Private and reserved space is not the internet and does not count.
 */

interface Range {
    readonly v6: boolean;
    readonly lo: bigint;
    readonly hi: bigint;
}

function parseV4(addr: string): bigint | undefined {
    const parts = addr.split(".");
    if (parts.length !== 4 || !parts.every(p => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
        return undefined;
    }
    return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(addr: string): bigint | undefined {
    const halves = addr.split("::");
    if (halves.length > 2) {
        return undefined;
    }
    // Stryker disable next-line StringLiteral: split always yields a first element, so the default never applies
    const [before = "", after] = halves;
    const groups = (s: string) => (s === "" ? [] : s.split(":"));
    const head = groups(before);
    const tail = after === undefined ? [] : groups(after);
    const fill = 8 - head.length - tail.length;
    // Without "::" the groups must be eight; "::" stands for at least one group of zeros (RFC 4291 2.2).
    if (halves.length === 1 ? fill !== 0 : fill < 1) {
        return undefined;
    }
    const all = [...head, ...Array(fill).fill("0"), ...tail];
    if (!all.every(g => /^[0-9a-f]{1,4}$/i.test(g))) {
        return undefined;
    }
    return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** A CIDR (or a bare address) as an inclusive range; undefined for anything else. */
export function parseCidr(cidr: unknown): Range | undefined {
    if (typeof cidr !== "string") {
        return undefined;
    }
    // Stryker disable next-line StringLiteral: split always yields a first element, so the default never applies
    const [addr = "", prefix, ...rest] = cidr.trim().split("/");
    const v6 = addr.includes(":");
    const bits = v6 ? 128 : 32;
    const start = v6 ? parseV6(addr) : parseV4(addr);
    const len = prefix === undefined ? bits : Number(prefix);
    if (start === undefined || rest.length > 0 || !/^\d+$/.test(prefix ?? String(bits)) || len > bits) {
        return undefined;
    }
    const size = 1n << BigInt(bits - len);
    const lo = start - (start % size);
    return { v6, lo, hi: lo + size - 1n };
}

const cidr = (s: string) => parseCidr(s) as Range;

/** Space that is not the internet: private, shared, loopback, link-local, multicast and reserved. */
const notInternet: readonly Range[] = [
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/3",
].map(cidr);

/** IPv6's global unicast space; the rest is link-local, unique-local, multicast or unassigned. */
const ipv6Internet = cidr("2000::/3");

/**
 * The share of the public internet a union may admit before it counts as open to the internet:
 * 1/256, a /8 of IPv4 (16.7 million addresses). Office, VPN and provider ranges are far smaller.
 */
export const internetShareLimit = 256n;

function merged(ranges: Range[]): Range[] {
    const sorted = [...ranges].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    const out: Range[] = [];
    for (const r of sorted) {
        const last = out[out.length - 1];
        // Stryker disable next-line EqualityOperator: merging adjacent ranges or counting them apart gives the same size
        if (last && r.lo <= last.hi + 1n) {
            // Stryker disable next-line EqualityOperator: on equal ends either one is the end
            out[out.length - 1] = { ...last, hi: r.hi > last.hi ? r.hi : last.hi };
        } else {
            out.push(r);
        }
    }
    return out;
}

const size = (rs: readonly Range[]) => rs.reduce((n, r) => n + (r.hi - r.lo + 1n), 0n);

function overlap(a: Range, b: Range): bigint {
    // Stryker disable next-line EqualityOperator: on equal bounds either one is the bound
    const lo = a.lo > b.lo ? a.lo : b.lo;
    // Stryker disable next-line EqualityOperator: on equal bounds either one is the bound
    const hi = a.hi < b.hi ? a.hi : b.hi;
    return hi >= lo ? hi - lo + 1n : 0n;
}

/** Public addresses in the union of `ranges` (all of one family). */
function publicSize(ranges: Range[], v6: boolean): bigint {
    const union = merged(ranges);
    if (v6) {
        return union.reduce((n, r) => n + overlap(r, ipv6Internet), 0n);
    }
    const reserved = merged([...notInternet]);
    return union.reduce((n, r) => n + (r.hi - r.lo + 1n) - reserved.reduce((m, x) => m + overlap(r, x), 0n), 0n);
}

const ipv4Public = (1n << 32n) - size(merged([...notInternet]));
const ipv6Public = ipv6Internet.hi - ipv6Internet.lo + 1n;

/**
 * The ranges of `cidrs` that together open more than 1/`internetShareLimit` of the public IPv4 or
 * IPv6 internet (each family judged on its own), listed as given; empty when they do not.
 */
export function internetWide(cidrs: readonly unknown[]): string[] {
    const open: string[] = [];
    for (const v6 of [false, true]) {
        const family = cidrs.filter((c): c is string => parseCidr(c)?.v6 === v6);
        const ranges = family.map(c => parseCidr(c) as Range);
        const total = v6 ? ipv6Public : ipv4Public;
        if (publicSize(ranges, v6) * internetShareLimit > total) {
            open.push(...family.filter(c => publicSize([parseCidr(c) as Range], v6) > 0n));
        }
    }
    return open;
}
