/**
 * On-demand list prices (USD, before tax and discounts) for the Indian regions. Each entry names
 * its source page and the date it was pinned. These machines have no network beyond package
 * registries, so the figures were pinned from the pages as last read, not re-fetched on the date
 * shown: `verified: false` says so, and the plan prints the caveat. Re-read the pages (or the
 * AWS Price List / Cloud Billing Catalog APIs) before quoting a figure to anyone.
 */
export interface Price {
    readonly usd: number;
    readonly unit: string;
    readonly source: string;
    readonly date: string;
    readonly verified: boolean;
}

const aws = (usd: number, unit: string, page: string): Price => ({ usd, unit, source: `https://aws.amazon.com/${page}/pricing/ (Asia Pacific (Mumbai))`, date: "2026-12-05", verified: false });
const gcp = (usd: number, unit: string, page: string): Price => ({ usd, unit, source: `https://cloud.google.com/${page}/pricing (asia-south1, Mumbai)`, date: "2026-12-05", verified: false });

export const hoursPerMonth = 730;

/** Keyed by `<what>` or `<what>:<size>`; one table per cloud (Hyderabad/Delhi priced as Mumbai/Mumbai-equivalent). */
export const awsPrices: Readonly<Record<string, Price>> = {
    "eks:cluster": aws(0.10, "cluster-hour (standard support)", "eks"),
    "ec2:t3.medium": aws(0.0448, "instance-hour", "ec2"),
    "ec2:t3.large": aws(0.0896, "instance-hour", "ec2"),
    "ec2:t3.xlarge": aws(0.1792, "instance-hour", "ec2"),
    "ec2:t3.2xlarge": aws(0.3584, "instance-hour", "ec2"),
    "ebs:gp3": aws(0.0912, "GB-month", "ebs"),
    "vpc:nat-hour": aws(0.056, "gateway-hour", "vpc"),
    "vpc:nat-gb": aws(0.056, "GB processed", "vpc"),
    "vpc:public-ipv4": aws(0.005, "address-hour", "vpc"),
    "elb:nlb-hour": aws(0.0239, "load balancer-hour", "elasticloadbalancing"),
    "rds:db.t3.small": aws(0.052, "instance-hour (Single-AZ, PostgreSQL)", "rds/postgresql"),
    "rds:db.r5.large": aws(0.29, "instance-hour (Single-AZ, PostgreSQL)", "rds/postgresql"),
    "rds:storage-gp2": aws(0.131, "GB-month (Single-AZ)", "rds/postgresql"),
    "rds:backup": aws(0.095, "GB-month beyond the database size", "rds/postgresql"),
    "rds:backup-replication-transfer": aws(0.086, "GB copied to ap-south-2", "rds/postgresql"),
    "elasticache:cache.t3.small": aws(0.052, "node-hour", "elasticache"),
    "elasticache:cache.r6g.large": aws(0.229, "node-hour", "elasticache"),
    "elasticache:backup": aws(0.085, "GB-month", "elasticache"),
    "s3:standard": aws(0.025, "GB-month (first 50 TB)", "s3"),
    "cloudfront:india-egress": aws(0.170, "GB to viewers in India (first 10 TB)", "cloudfront"),
    "kms:key": aws(1.0, "customer managed key-month", "kms"),
    "secretsmanager:secret": aws(0.40, "secret-month", "secrets-manager"),
    "cloudwatch:logs-ingest": aws(0.67, "GB ingested", "cloudwatch"),
    "cloudwatch:logs-storage": aws(0.033, "GB-month archived", "cloudwatch"),
    "route53:zone": aws(0.50, "hosted zone-month (first 25)", "route53"),
};

export const gcpPrices: Readonly<Record<string, Price>> = {
    "gke:cluster": gcp(0.10, "cluster-hour (management fee)", "kubernetes-engine"),
    "gce:e2-medium": gcp(0.0402, "instance-hour", "compute/vm-instance"),
    "gce:e2-standard-2": gcp(0.0805, "instance-hour", "compute/vm-instance"),
    "gce:e2-standard-4": gcp(0.1610, "instance-hour", "compute/vm-instance"),
    "pd:pd-balanced": gcp(0.12, "GB-month", "compute/disks-image"),
    "pd:pd-ssd": gcp(0.204, "GB-month", "compute/disks-image"),
    "nat:gateway-vm-hour": gcp(0.0014, "VM-hour behind the gateway", "nat"),
    "nat:gb": gcp(0.045, "GB processed", "nat"),
    "lb:forwarding-rule": gcp(0.025, "rule-hour (first 5)", "vpc/network"),
    "ip:external": gcp(0.005, "address-hour", "vpc/network"),
    "sql:db-g1-small": gcp(0.0300, "instance-hour (zonal)", "sql"),
    "sql:vcpu": gcp(0.0496, "vCPU-hour (Enterprise, zonal)", "sql"),
    "sql:memory": gcp(0.0084, "GB-hour (Enterprise, zonal)", "sql"),
    "sql:ssd": gcp(0.204, "GB-month (zonal)", "sql"),
    "sql:backup": gcp(0.096, "GB-month", "sql"),
    "redis:basic": gcp(0.059, "GB-hour (Basic, M1)", "memorystore"),
    "redis:standard": gcp(0.077, "GB-hour (Standard HA, M1)", "memorystore"),
    "gcs:standard": gcp(0.023, "GB-month (regional)", "storage"),
    "cdn:india-egress": gcp(0.09, "GB cache egress to Asia (first 10 TB)", "cdn"),
    "kms:key-version": gcp(0.06, "active key version-month", "security-key-management"),
    "secretmanager:version": gcp(0.06, "active secret version-month", "secret-manager"),
    "dns:zone": gcp(0.20, "managed zone-month", "dns"),
    "logging:ingest": gcp(0.50, "GiB ingested beyond the free 50 GiB", "stackdriver"),
};

/**
 * Cloudflare, on either cloud. Regional Services needs the Enterprise plan with the Data
 * Localization Suite, which Cloudflare prices by contract only; the published Business plan is the
 * floor this estimate carries, and the real figure is above it.
 */
export const cloudflarePrices: Readonly<Record<string, Price>> = {
    "cloudflare:zone-plan": {
        usd: 250, unit: "zone-month (published Business plan, billed monthly: a floor; Enterprise with the Data Localization Suite is priced by contract)",
        source: "https://www.cloudflare.com/plans/", date: "2026-12-05", verified: false,
    },
};
