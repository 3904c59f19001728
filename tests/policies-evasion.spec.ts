/**
 * Issue 17's evasion classes (1-6 and 8) against the real analyzer: every broken resource raises
 * exactly the violations listed in policies-evasion-cases.ts, every compliant one beside it none
 * (one test judges the stack it registers once: tests/policies-stack.ts says why).
 */
import { expect } from "chai";
import * as path from "path";
import { projectRoot } from "../offline/engine";
import { readPackConfig } from "../offline/policyRunner";
import { internetWide, parseCidr } from "../policies/cidrs";
import { pack } from "../policies/pack";
import { awsRegionsIn, gcpLocationsIn } from "../policies/residency";
import { run } from "./harness";
import { compliantCases, evasionProgram, evasions } from "./policies-evasion-cases";
import { asLines, stackUnderPolicies, violationsByName } from "./policies-stack";

const descriptions = new Map(pack.policies.map(p => [p.name, p.description ?? ""]));
const messageOf = (policy: string, message: string) => message.slice(`${descriptions.get(policy)}\n`.length);

describe("policy pack: CIDR unions", () => {
    it("parses IPv4 and IPv6 ranges and refuses what is not one", () => {
        expect(parseCidr("10.1.2.3/8")).to.deep.equal({ v6: false, lo: 10n << 24n, hi: (11n << 24n) - 1n });
        expect(parseCidr("203.0.113.7")).to.deep.equal({ v6: false, lo: 3405803783n, hi: 3405803783n });
        expect(parseCidr("2001:db8::/32")).to.deep.equal({ v6: true, lo: 0x20010db8n << 96n, hi: ((0x20010db8n + 1n) << 96n) - 1n });
        expect(parseCidr("::/0")).to.deep.equal({ v6: true, lo: 0n, hi: (1n << 128n) - 1n });
        for (const bad of ["256.0.0.0/8", "10.0.0.0/33", "10.0.0/8", "1::2::3/64", "10.0.0.0/8/1", "10.0.0.0/x", "1:2:3:4:5:6:7/64", "g::/8", 42, undefined]) {
            expect(parseCidr(bad), String(bad)).to.equal(undefined);
        }
    });

    it("judges the union of the ranges against the public internet, each family on its own", () => {
        expect(internetWide(["0.0.0.0/0"])).to.deep.equal(["0.0.0.0/0"]);
        expect(internetWide(["::/0"])).to.deep.equal(["::/0"]);
        expect(internetWide(["0.0.0.0/1", "128.0.0.0/1"])).to.deep.equal(["0.0.0.0/1", "128.0.0.0/1"]);
        expect(internetWide(["::/1", "8000::/1"])).to.deep.equal(["::/1"]);
        expect(internetWide(["1.0.0.0/8"])).to.deep.equal(["1.0.0.0/8"]);
        // Half a /8 is under the share; two halves of one are not.
        expect(internetWide(["1.0.0.0/9"])).to.deep.equal([]);
        expect(internetWide(["1.0.0.0/9", "1.128.0.0/9"])).to.deep.equal(["1.0.0.0/9", "1.128.0.0/9"]);
        // Overlaps count once; private and reserved space counts not at all.
        expect(internetWide(["1.0.0.0/9", "1.0.0.0/10", "1.64.0.0/10"])).to.deep.equal([]);
        expect(internetWide(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "224.0.0.0/3", "fc00::/7", "fe80::/10"])).to.deep.equal([]);
        expect(internetWide(["203.0.113.0/24", "35.235.240.0/20", "2001:db8::/32"])).to.deep.equal([]);
        // A /8 of IPv6 global unicast space is more than 1/256 of it.
        expect(internetWide(["2000::/8"])).to.deep.equal(["2000::/8"]);
        expect(internetWide(["2000::/12"])).to.deep.equal([]);
        expect(internetWide(["0.0.0.0/0", "not-a-cidr", undefined])).to.deep.equal(["0.0.0.0/0"]);
    });
});

describe("policy pack: references to places", () => {
    it("reads AWS regions from ARNs and amazonaws.com endpoints only", () => {
        expect(awsRegionsIn("arn:aws:kms:eu-west-1:123456789012:key/x")).to.deep.equal(["eu-west-1"]);
        expect(awsRegionsIn("arn:aws:s3:::bucket")).to.deep.equal([]);
        expect(awsRegionsIn("bucket.s3.us-east-1.amazonaws.com")).to.deep.equal(["us-east-1"]);
        expect(awsRegionsIn("https://s3-us-west-2.amazonaws.com/x")).to.deep.equal(["us-west-2"]);
        expect(awsRegionsIn("x.us-gov-west-1.elb.amazonaws.com")).to.deep.equal(["us-gov-west-1"]);
        expect(awsRegionsIn("us-east-1 is a region")).to.deep.equal([]);
        expect(awsRegionsIn("d123.cloudfront.net")).to.deep.equal([]);
        expect(awsRegionsIn("zus-east-1x.amazonaws.com")).to.deep.equal([]);
    });

    it("reads GCP locations from resource paths", () => {
        expect(gcpLocationsIn("projects/p/locations/us-central1/buckets/b")).to.deep.equal(["us-central1"]);
        expect(gcpLocationsIn("https://compute.googleapis.com/compute/v1/projects/p/zones/us-east1-b/disks/d")).to.deep.equal(["us-east1-b"]);
        expect(gcpLocationsIn("regions/asia-south1/subnetworks/s")).to.deep.equal(["asia-south1"]);
        expect(gcpLocationsIn("projects/p/datasets/d")).to.deep.equal([]);
        expect(gcpLocationsIn("mylocations/us/x")).to.deep.equal([]);
    });
});

describe("policy pack: evasion classes of issue 17", () => {
    const stack = stackUnderPolicies(() => run(() => {
        evasionProgram();
        return {};
    }, "production"), () => readPackConfig(path.join(projectRoot(), "policies", "config", "production.json")));

    it("raises exactly the listed violations on each evasion, all mandatory, none on the compliant resources beside them nor elsewhere", async () => {
        const { report } = await stack.evaluate();
        expect(violationsByName(report, messageOf)).to.deep.equal(asLines(evasions));
        expect(report.violations.filter(v => v.enforcementLevel !== "mandatory")).to.deep.equal([]);
        // The compliant cases are registered under the names the comparison expects clean.
        const names = new Set((await stack.registered()).resources.map(r => r.name));
        expect(compliantCases.filter(name => !names.has(name) || name in evasions)).to.deep.equal([]);
    });
});
