/** `bookkeep:quotas`: raised quotas per cloud, validated like every other section. */
import { expect } from "chai";
import { readStackFile } from "../offline/stackFile";
import { parseStackConfig } from "../stacks/load";

const config = (stack: string, quotas: unknown) => readStackFile(stack, { "bookkeep:quotas": quotas }).config;

function rejection(raw: Record<string, string>): string {
    try {
        parseStackConfig(raw);
    } catch (err) {
        expect((err as Error).constructor.name).to.equal("InputPropertiesError");
        return (err as Error).message;
    }
    throw new Error("config was accepted");
}

describe("stack config: bookkeep:quotas", () => {
    it("defaults to no raised quota on every cloud", () => {
        for (const stack of ["staging", "production-gcp", "development"]) {
            expect(parseStackConfig(readStackFile(stack).config).quotas, stack).to.deep.equal({});
        }
    });

    it("accepts raised quotas of the stack's own cloud", () => {
        expect(parseStackConfig(config("production", { elasticIps: 10, onDemandStandardVcpus: 64 })).quotas).to.deep.equal({ elasticIps: 10, onDemandStandardVcpus: 64 });
        expect(parseStackConfig(config("production-gcp", { ssdTotalGb: 2048 })).quotas).to.deep.equal({ ssdTotalGb: 2048 });
    });

    it("refuses another cloud's quota, naming the allowed keys", () => {
        expect(rejection(config("production", { ssdTotalGb: 2048 }))).to.contain(
            "bookkeep:quotas: unknown setting(s) ssdTotalGb; allowed settings are elasticIps, natGatewaysPerAz, vpcs, onDemandStandardVcpus, gp3StorageTib, securityGroupRules");
        expect(rejection(config("development", { elasticIps: 10 }))).to.contain("bookkeep:quotas: unknown setting(s) elasticIps");
    });

    it("refuses a quota that is not a positive whole number, with the value", () => {
        expect(rejection(config("production", { elasticIps: 0 }))).to.match(/bookkeep:quotas\.elasticIps: .*\(got 0\)/);
        expect(rejection(config("production-gcp", { ssdTotalGb: 1.5 }))).to.match(/bookkeep:quotas\.ssdTotalGb: .*\(got 1\.5\)/);
        expect(rejection(config("production", "lots"))).to.contain("bookkeep:quotas: must be an object of settings (got \"lots\")");
    });
});
