/**
 * Pure subnet layout for the AWS VPC: which CIDR each tier gets in each availability zone.
 * Kept free of Pulumi so it can be unit-tested and reasoned about on its own.
 *
 * For a /16 VPC (other prefixes scale the same way):
 *
 * | tier    | size | blocks                     | why                                                   |
 * |---------|------|----------------------------|-------------------------------------------------------|
 * | private | /19  | x.0.0, x.32.0, x.64.0      | EKS nodes; the VPC CNI gives every pod a VPC address  |
 * | public  | /24  | x.96.0, x.97.0, x.98.0     | NAT gateways and the ingress NLB only                 |
 * | data    | /24  | x.112.0, x.113.0, x.114.0  | RDS and ElastiCache; no route to the internet         |
 *
 * The rest of the block (x.99-x.111, x.115-x.255) stays free for growth.
 */
import { inputError } from "../../stacks/errors";
import { parseCidr, subnetCidr } from "../../stacks/cidr";

export type SubnetTier = "public" | "private" | "data";
export const subnetTiers: readonly SubnetTier[] = ["public", "private", "data"];

export interface SubnetPlan {
    readonly tier: SubnetTier;
    readonly availabilityZone: string;
    readonly cidr: string;
}

export type SubnetLayout = Readonly<Record<SubnetTier, readonly SubnetPlan[]>>;

/** Smallest and largest VPC accepted: /19 still leaves /27 data subnets (RDS Multi-AZ plus a cache). */
export const minVpcPrefix = 16;
export const maxVpcPrefix = 19;
/** The private tier takes the first three eighths of the VPC, so at most three AZs fit. */
export const maxAvailabilityZones = 3;

const publicFirstBlock = 96;
const dataFirstBlock = 112;

/**
 * Carves `vpcCidr` into one public, one private and one data subnet per availability zone.
 * Throws an input error naming the config key when the VPC block cannot hold the layout.
 */
export function subnetLayout(vpcCidr: string, availabilityZones: readonly string[]): SubnetLayout {
    const vpc = parseCidr(vpcCidr);
    if (!vpc || vpc.prefix < minVpcPrefix || vpc.prefix > maxVpcPrefix) {
        throw inputError("AWS network", [{
            propertyPath: "bookkeep:aws.vpcCidr",
            reason: `must be an IPv4 block from /${minVpcPrefix} to /${maxVpcPrefix} for the three-tier layout (got ${JSON.stringify(vpcCidr)})`,
        }]);
    }
    if (availabilityZones.length < 1 || availabilityZones.length > maxAvailabilityZones || new Set(availabilityZones).size !== availabilityZones.length) {
        throw inputError("AWS network", [{
            propertyPath: "bookkeep:aws.availabilityZones",
            reason: `must list 1 to ${maxAvailabilityZones} distinct zones (got ${JSON.stringify(availabilityZones)})`,
        }]);
    }
    const large = vpc.prefix + 3;
    const small = vpc.prefix + 8;
    const plan = (tier: SubnetTier, cidr: (i: number) => string) =>
        availabilityZones.map((availabilityZone, i) => ({ tier, availabilityZone, cidr: cidr(i) }));
    return {
        public: plan("public", i => subnetCidr(vpcCidr, small, publicFirstBlock + i)),
        private: plan("private", i => subnetCidr(vpcCidr, large, i)),
        data: plan("data", i => subnetCidr(vpcCidr, small, dataFirstBlock + i)),
    };
}
