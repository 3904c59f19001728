/**
 * Default regional quotas of a new AWS account / GCP project that stop a first apply halfway.
 * An account that has raised one sets it in `bookkeep:quotas` (stacks/schema.ts). Every figure
 * names its source and when it was read; quotas differ between accounts, so the console's
 * "applied value" wins over this table.
 */
import { Sourced } from "./nodeTypes";

export interface QuotaDefault extends Sourced {
    /** The key under `bookkeep:quotas` that overrides it. */
    readonly key: string;
    /** The cloud's own name of the quota (Service Quotas code / GCP metric). */
    readonly quota: string;
    readonly unit: string;
    readonly limit: number;
    /** AWS Service Quotas service and quota code, for the increase request the checklist prints. */
    readonly request?: { readonly service: string; readonly code: string };
}

export const awsQuotas: readonly QuotaDefault[] = [
    { key: "elasticIps", request: { service: "ec2", code: "L-0263D0A3" }, quota: "EC2-VPC Elastic IPs (L-0263D0A3)", unit: "addresses", limit: 5,
        source: "Amazon VPC User Guide, 'Amazon VPC quotas' > Elastic IP addresses: 5 per Region", date: "2026-12-05" },
    { key: "natGatewaysPerAz", request: { service: "vpc", code: "L-FE5A380F" }, quota: "NAT gateways per Availability Zone (L-FE5A380F)", unit: "gateways", limit: 5,
        source: "Amazon VPC User Guide, 'Amazon VPC quotas' > NAT gateways: 5 per Availability Zone", date: "2026-12-05" },
    { key: "vpcs", request: { service: "vpc", code: "L-F678F1CE" }, quota: "VPCs per Region (L-F678F1CE)", unit: "VPCs", limit: 5,
        source: "Amazon VPC User Guide, 'Amazon VPC quotas' > VPCs per Region: 5", date: "2026-12-05" },
    { key: "onDemandStandardVcpus", request: { service: "ec2", code: "L-1216C47A" }, quota: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances (L-1216C47A)", unit: "vCPU", limit: 32,
        source: "Service Quotas console, default value of L-1216C47A; AWS states new accounts may start lower (EC2 User Guide, 'On-Demand Instance quotas')",
        date: "2026-12-05" },
    { key: "gp3StorageTib", request: { service: "ebs", code: "L-7A658B76" }, quota: "Storage for General Purpose SSD (gp3) volumes (L-7A658B76)", unit: "TiB", limit: 50,
        source: "Amazon EBS User Guide, 'Amazon EBS quotas': 50 TiB of gp3 per Region", date: "2026-12-05" },
    { key: "securityGroupRules", request: { service: "vpc", code: "L-0EA8095F" }, quota: "Inbound or outbound rules per security group (L-0EA8095F)", unit: "inbound rules", limit: 60,
        source: "Amazon VPC User Guide, 'Amazon VPC quotas' > Security groups: 60 inbound rules per security group (IPv4 and IPv6 counted separately)", date: "2026-12-05" },
];

export const gcpQuotas: readonly QuotaDefault[] = [
    { key: "ssdTotalGb", quota: "SSD_TOTAL_GB (Persistent Disk SSD, regional)", unit: "GB", limit: 500,
        source: "Compute Engine 'Allocation quotas' > Disk quotas (new projects: 500 GB, some 250 GB; issue 16's review)", date: "2026-12-05" },
    { key: "cpus", quota: "CPUS (regional; E2 and N1 machine types)", unit: "vCPU", limit: 24,
        source: "Compute Engine 'Allocation quotas' > CPU quota: default regional CPUS of a new project", date: "2026-12-05" },
    { key: "n2Cpus", quota: "N2_CPUS (regional)", unit: "vCPU", limit: 24,
        source: "Compute Engine 'Allocation quotas' > CPU quota: N2_CPUS default of a new project", date: "2026-12-05" },
    { key: "n2dCpus", quota: "N2D_CPUS (regional)", unit: "vCPU", limit: 24,
        source: "Compute Engine 'Allocation quotas' > CPU quota: N2D_CPUS default of a new project", date: "2026-12-05" },
    { key: "inUseAddresses", quota: "IN_USE_ADDRESSES (regional external IPv4)", unit: "addresses", limit: 8,
        source: "Compute Engine 'Allocation quotas' > External IP addresses: in-use regional default of a new project", date: "2026-12-05" },
    { key: "staticAddresses", quota: "STATIC_ADDRESSES (regional reserved external IPv4)", unit: "addresses", limit: 8,
        source: "Compute Engine 'Allocation quotas' > External IP addresses: static regional default of a new project", date: "2026-12-05" },
];
