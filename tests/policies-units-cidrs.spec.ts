/**
 * policies/cidrs.ts at its edges: the address forms a parser must refuse rather than misread, and
 * the public share a union may reach (exactly 1/256 passes, one address more does not). Each case
 * varies one thing next to the form that is accepted.
 */
import { expect } from "chai";
import { internetWide, parseCidr } from "../policies/cidrs";

/** 2^32 minus the private and reserved blocks policies/cidrs.ts lists, over the share limit of 256. */
const ipv4Limit = (4294967296 - 592576512) / 256;
const toDotted = (n: number) => [24, 16, 8, 0].map(s => (n >>> s) & 255).join(".");

/** The fewest CIDRs that cover exactly `count` addresses from `start` on. */
function block(start: number, count: number): string[] {
    const out: string[] = [];
    for (let at = start, left = count; left > 0;) {
        let bits = 0;
        while (at % 2 ** (bits + 1) === 0 && 2 ** (bits + 1) <= left) bits++;
        out.push(`${toDotted(at)}/${32 - bits}`);
        at += 2 ** bits;
        left -= 2 ** bits;
    }
    return out;
}

const eleven = 11 * 2 ** 24;

describe("policy units: CIDR parsing", () => {
    it("reads a full eight-group IPv6 address and its :: form as the same address", () => {
        const one = { v6: true, lo: (0x20010db8n << 96n) | 1n, hi: (0x20010db8n << 96n) | 1n };
        expect(parseCidr("2001:db8:0:0:0:0:0:1")).to.deep.equal(one);
        expect(parseCidr("2001:db8::1")).to.deep.equal(one);
        expect(parseCidr("1:2:3:4:5:6:7::")).to.deep.equal({ v6: true, lo: 0x0001000200030004000500060007_0000n, hi: 0x0001000200030004000500060007_0000n });
    });

    it("refuses IPv6 forms with too many or too few groups", () => {
        // "::" stands for at least one group: with eight groups beside it there is none left.
        for (const bad of ["1:2:3:4::5:6:7:8", "1::2:3:4:5:6:7:8:9", "1:2:3", "1:2:3:4:5:6:7:8:9"]) {
            expect(parseCidr(bad), bad).to.equal(undefined);
        }
    });

    it("refuses IPv6 groups that are longer than four hex digits or not hex", () => {
        expect(parseCidr("2001:db8::1234")).to.not.equal(undefined);
        expect(parseCidr("2001:db8::12345")).to.equal(undefined);
        expect(parseCidr("2001:db8::x1")).to.equal(undefined);
    });

    it("takes 255 as an octet and refuses octets with signs or spaces", () => {
        expect(parseCidr("255.255.255.255")).to.deep.equal({ v6: false, lo: 4294967295n, hi: 4294967295n });
        expect(parseCidr("10.1.2.3")).to.not.equal(undefined);
        expect(parseCidr("10. 1.2.3")).to.equal(undefined);
        expect(parseCidr("10.1.2.+3")).to.equal(undefined);
        expect(parseCidr("10.1.2.1e2")).to.equal(undefined);
    });

    it("trims the CIDR but refuses a prefix length with anything but digits", () => {
        expect(parseCidr(" 10.0.0.0/8 ")).to.deep.equal({ v6: false, lo: 10n << 24n, hi: (11n << 24n) - 1n });
        expect(parseCidr("10.0.0.0/x8")).to.equal(undefined);
        expect(parseCidr("10.0.0.0/8x")).to.equal(undefined);
    });
});

describe("policy units: internet-wide unions", () => {
    it("passes exactly 1/256 of the public IPv4 internet and flags one address more", () => {
        expect(internetWide(block(eleven, ipv4Limit))).to.deep.equal([]);
        const over = block(eleven, ipv4Limit + 1);
        expect(internetWide(over)).to.deep.equal(over);
    });

    it("counts reserved space, a single reserved address and a one-address overlap as nothing more", () => {
        const exact = block(eleven, ipv4Limit);
        expect(internetWide([...exact, "10.0.0.0/8", "127.0.0.1", toDotted(eleven + ipv4Limit - 1)])).to.deep.equal([]);
    });

    it("merges ranges given in any order", () => {
        expect(internetWide(["11.128.0.0/9", "11.0.0.0/9"])).to.deep.equal(["11.128.0.0/9", "11.0.0.0/9"]);
        const quarters = ["11.192.0.0/10", "11.128.0.0/10", "11.64.0.0/10", "11.0.0.0/10"];
        expect(internetWide(quarters)).to.deep.equal(quarters);
    });

    it("keeps the wider end when a range inside another follows it", () => {
        expect(internetWide(["11.0.0.0/8", "11.0.0.0/9"])).to.deep.equal(["11.0.0.0/8", "11.0.0.0/9"]);
    });
});
