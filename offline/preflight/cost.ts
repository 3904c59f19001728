/**
 * Monthly cost estimate: every billable resource of the plan priced from prices.ts, at the HPA
 * minimum (nodes at their starting size, low traffic) and the HPA maximum (nodes at the reachable
 * maximum, high traffic). Usage-based items rest on the stated assumptions, printed with the total.
 */
import { envoyProxyType } from "./envoyProxies";
import type { Props } from "../../policies/helpers";
import { Capacity, karpenterNodePool } from "./capacity";
import { awsPrices, cloudflarePrices, gcpPrices, hoursPerMonth, Price } from "./prices";
import { mebibytes, PreflightResource } from "./resources";

export interface Range {
    readonly min: number;
    readonly max: number;
}

export interface LineItem {
    readonly resource: string;
    readonly type: string;
    readonly item: string;
    readonly quantity: Range;
    readonly unit: string;
    readonly price: string;
    readonly unitUsd: number;
    readonly monthlyUsd: Range;
}

export interface CostEstimate {
    readonly currency: "USD";
    readonly monthlyUsd: Range;
    readonly items: LineItem[];
    readonly assumptions: Record<string, Range | number | string>;
    /** Billable things the price table has no figure for: the total is low by their cost. */
    readonly unpriced: string[];
    readonly pricesVerified: boolean;
}

/** Usage the plan cannot know; the figures every usage-priced line rests on. */
export const assumptions = {
    natGbPerMonth: { min: 100, max: 1000 },
    cdnEgressGbPerMonth: { min: 100, max: 2000 },
    bucketGb: { min: 50, max: 500 },
    logGbPerLogGroupPerMonth: { min: 2, max: 20 },
    gcpLogGbPerMonth: { min: 20, max: 200 },
    note: "database backups within the free allowance (100% of storage); replicated backups and Cloud SQL backups = one copy of the allocated storage; one active KMS key version",
} as const;

/** Resource types that bill nothing by themselves (their cost is in another line, or they are free). */
export const freeTypes: Readonly<Record<string, string>> = Object.fromEntries([
    ...["acm/certificate:Certificate", "acm/certificateValidation:CertificateValidation"].map(t => [`aws:${t}`, "public ACM certificates are free"]),
    ["aws:cloudfront/originAccessControl:OriginAccessControl", "configuration"],
    ["aws:cloudtrail/trail:Trail", "the first copy of management events is free; its S3 and KMS costs are in those lines"],
    ["aws:ec2/flowLog:FlowLog", "billed as CloudWatch Logs ingestion (the log group line)"],
    ["aws:ec2/launchTemplate:LaunchTemplate", "its volumes are priced with the node group"],
    ["aws:ec2/vpcEndpoint:VpcEndpoint", "a Gateway endpoint (S3) is free"],
    ["aws:eks/addon:Addon", "add-ons run on the nodes"],
    ["aws:route53/record:Record", "queries bill by use (alias queries to AWS resources are free)"],
    ["aws:secretsmanager/secretVersion:SecretVersion", "priced per secret"],
    ...["defaultSecurityGroup:DefaultSecurityGroup", "internetGateway:InternetGateway", "route:Route", "routeTable:RouteTable",
        "routeTableAssociation:RouteTableAssociation", "securityGroup:SecurityGroup", "subnet:Subnet", "vpc:Vpc"].map(t => [`aws:ec2/${t}`, "VPC configuration is free"]),
    ...["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"].map(t => [t, "VPC configuration is free"]),
    ...["aws:eks/accessEntry:AccessEntry", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"]
        .map(t => [t, "EKS bills cluster hours and compute only; access entries are configuration (https://aws.amazon.com/eks/pricing/, 2026-12-05)"]),
    ["aws:iam/instanceProfile:InstanceProfile", "IAM is free"],
    // Karpenter's interruption handling: AWS service events to an SQS queue it long-polls.
    ...["aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/eventTarget:EventTarget"]
        .map(t => [t, "rules on AWS service events (aws.ec2, aws.health) on the default bus deliver for free (https://aws.amazon.com/eventbridge/pricing/, 2026-12-05)"]),
    ["aws:sqs/queue:Queue", "Karpenter long-polls it (20 s waits: ~130,000 requests a month) and a few events arrive; SQS's first 1 million requests " +
        "a month are free, and SSE-SQS adds nothing (https://aws.amazon.com/sqs/pricing/, 2026-12-05)"],
    ["aws:sqs/queuePolicy:QueuePolicy", "configuration"],
    ...["elasticache/subnetGroup:SubnetGroup", "rds/parameterGroup:ParameterGroup", "rds/subnetGroup:SubnetGroup"].map(t => [`aws:${t}`, "configuration"]),
    ...["iam/openIdConnectProvider:OpenIdConnectProvider", "iam/role:Role", "iam/rolePolicy:RolePolicy", "iam/rolePolicyAttachment:RolePolicyAttachment"].map(t => [`aws:${t}`, "IAM is free"]),
    ...["kms/alias:Alias", "kms/keyPolicy:KeyPolicy"].map(t => [`aws:${t}`, "priced per key"]),
    ...["bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "bucketOwnershipControls:BucketOwnershipControls", "bucketPolicy:BucketPolicy", "bucketPublicAccessBlock:BucketPublicAccessBlock",
        "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "bucketVersioning:BucketVersioning"].map(t => [`aws:s3/${t}`, "bucket configuration"]),
    ["aws:s3/bucketReplicationConfig:BucketReplicationConfig", "configuration; the copies are priced as the replica bucket's objects (inter-region transfer of the replicated bytes not estimated)"],
    ["gcp:compute/backendBucketSignedUrlKey:BackendBucketSignedUrlKey", "configuration"],
    ...["firewall:Firewall", "network:Network", "router:Router", "subnetwork:Subnetwork", "sSLPolicy:SSLPolicy", "managedSslCertificate:ManagedSslCertificate",
        "targetHttpProxy:TargetHttpProxy", "targetHttpsProxy:TargetHttpsProxy", "uRLMap:URLMap"].map(t => [`gcp:compute/${t}`, "free; the load balancer bills per forwarding rule"]),
    ...["dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember", "kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "projects/iAMMember:IAMMember",
        "projects/iAMCustomRole:IAMCustomRole", "serviceaccount/account:Account", "serviceaccount/iAMMember:IAMMember", "storage/bucketIAMMember:BucketIAMMember"]
        .map(t => [`gcp:${t}`, "IAM is free"]),
    ["gcp:dns/recordSet:RecordSet", "queries bill by use"],
    ["gcp:kms/keyRing:KeyRing", "key rings are free"],
    ["gcp:logging/projectSink:ProjectSink", "routing is free; ingestion is priced on the log bucket"],
    ["gcp:projects/iAMAuditConfig:IAMAuditConfig", "its logs are priced on the log bucket"],
    ["gcp:projects/service:Service", "enabling an API is free"],
    ["gcp:projects/serviceIdentity:ServiceIdentity", "free"],
    ["gcp:secretmanager/secretVersion:SecretVersion", "priced per secret"],
    ["gcp:servicenetworking/connection:Connection", "private services access is free"],
    ...["zoneSetting:ZoneSetting", "dnsRecord:DnsRecord", "ruleset:Ruleset", "regionalHostname:RegionalHostname",
        "authenticatedOriginPullsSettings:AuthenticatedOriginPullsSettings", "accountToken:AccountToken", "zoneSubscription:ZoneSubscription"]
        .map(t => [`cloudflare:index/${t}`, "included in the zone's plan (priced on the zone)"]),
    ...["sql/database:Database", "sql/user:User"].map(t => [`gcp:${t}`, "priced with the instance"]),
]);

type Pricer = (r: PreflightResource, ctx: Context) => void;

interface Context {
    readonly cap: Capacity;
    readonly resources: readonly PreflightResource[];
    add(r: PreflightResource, item: string, price: string, quantity: Range | number, factor?: number): void;
}

const hours = hoursPerMonth;
const nodesOf = (cap: Capacity, name: string) => cap.pools.find(p => p.name === name);
const rangeOf = (q: Range | number): Range => (typeof q === "number" ? { min: q, max: q } : q);
const scale = (q: Range, f: number): Range => ({ min: q.min * f, max: q.max * f });

const awsPricers: Record<string, Pricer> = {
    "aws:eks/cluster:Cluster": (r, c) => c.add(r, "control plane", "eks:cluster", hours),
    "aws:eks/nodeGroup:NodeGroup": (r, c) => {
        const pool = nodesOf(c.cap, r.name);
        const nodes = { min: pool?.startNodes ?? 0, max: pool?.reachableNodes ?? 0 };
        c.add(r, `nodes (${pool?.type})`, `ec2:${pool?.type}`, scale(nodes, hours));
        const root = c.resources.filter(x => x.type === "aws:ec2/launchTemplate:LaunchTemplate")
            .flatMap(x => (x.inputs.blockDeviceMappings ?? []).map((b: Props) => Number(b?.ebs?.volumeSize ?? 0))).reduce((a: number, b: number) => a + b, 0);
        c.add(r, "node root volumes (gp3)", "ebs:gp3", scale(nodes, root));
    },
    // Karpenter's nodes are EC2 instances the plan does not list: its floor at the HPA minimum, its limits at the maximum.
    [karpenterNodePool]: (r, c) => {
        const pool = nodesOf(c.cap, r.name);
        const nodes = { min: pool?.startNodes ?? 0, max: pool?.reachableNodes ?? 0 };
        c.add(r, `Karpenter nodes (${pool?.type})`, `ec2:${pool?.type}`, scale(nodes, hours));
        const classRef = r.inputs.spec?.template?.spec?.nodeClassRef?.name;
        const nodeClass = c.resources.find(x => x.type === "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass" && x.inputs.metadata?.name === classRef);
        const root = (nodeClass?.inputs.spec?.blockDeviceMappings ?? []).map((b: Props) => mebibytes(b?.ebs?.volumeSize) / 1024).reduce((a: number, b: number) => a + b, 0);
        c.add(r, "Karpenter node root volumes (gp3)", "ebs:gp3", scale(nodes, root));
    },
    "aws:ec2/natGateway:NatGateway": (r, c) => {
        const n = c.resources.filter(x => x.type === r.type).length;
        c.add(r, "NAT gateway", "vpc:nat-hour", hours);
        c.add(r, "NAT data processed (share of the assumed traffic)", "vpc:nat-gb", scale(assumptions.natGbPerMonth, 1 / n));
    },
    "aws:ec2/eip:Eip": (r, c) => c.add(r, "public IPv4 address", "vpc:public-ipv4", hours),
    "aws:rds/instance:Instance": (r, c) => {
        const copies = r.inputs.multiAz ? 2 : 1;
        c.add(r, `${r.inputs.instanceClass}${copies === 2 ? " Multi-AZ" : ""}`, `rds:${r.inputs.instanceClass}`, hours * copies);
        c.add(r, "storage", "rds:storage-gp2", Number(r.inputs.allocatedStorage ?? 0) * copies);
    },
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (r, c) => {
        const db = c.resources.find(x => x.type === "aws:rds/instance:Instance");
        const gb = Number(db?.inputs.allocatedStorage ?? 0);
        c.add(r, "replicated backups in ap-south-2", "rds:backup", gb);
        c.add(r, "backup copy transfer", "rds:backup-replication-transfer", gb);
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": (r, c) =>
        c.add(r, `${r.inputs.numCacheClusters ?? 1} x ${r.inputs.nodeType}`, `elasticache:${r.inputs.nodeType}`, hours * Number(r.inputs.numCacheClusters ?? 1)),
    "aws:s3/bucket:Bucket": (r, c) => c.add(r, "objects (assumed size)", "s3:standard", assumptions.bucketGb),
    "aws:cloudfront/distribution:Distribution": (r, c) => c.add(r, "egress to India (assumed)", "cloudfront:india-egress", assumptions.cdnEgressGbPerMonth),
    "aws:kms/key:Key": (r, c) => c.add(r, "customer managed key", "kms:key", 1),
    "aws:secretsmanager/secret:Secret": (r, c) => c.add(r, "secret", "secretsmanager:secret", 1),
    "aws:cloudwatch/logGroup:LogGroup": (r, c) => {
        c.add(r, "ingestion (assumed)", "cloudwatch:logs-ingest", assumptions.logGbPerLogGroupPerMonth);
        const months = Math.min(Number(r.inputs.retentionInDays ?? 365), 365) / 30;
        c.add(r, "storage at steady state", "cloudwatch:logs-storage", scale(assumptions.logGbPerLogGroupPerMonth, months));
    },
    "aws:route53/zone:Zone": (r, c) => c.add(r, "hosted zone", "route53:zone", 1),
};

const ssdClasses: Record<string, string> = { "premium-rwo": "pd:pd-ssd", "standard-rwo": "pd:pd-balanced" };

/** The Cloudflare edge, on either cloud. */
const edgePricers: Record<string, Pricer> = {
    "cloudflare:index/zone:Zone": (r, c) => c.add(r, "zone plan (Enterprise + Data Localization Suite by contract; Business as the floor)", "cloudflare:zone-plan", 1),
};

const gcpPricers: Record<string, Pricer> = {
    "gcp:container/cluster:Cluster": (r, c) => c.add(r, "cluster management fee", "gke:cluster", hours),
    "gcp:container/nodePool:NodePool": (r, c) => {
        const pool = nodesOf(c.cap, r.name);
        const nodes = { min: pool?.startNodes ?? 0, max: pool?.reachableNodes ?? 0 };
        c.add(r, `nodes (${pool?.type})`, `gce:${pool?.type}`, scale(nodes, hours));
        const disk = String(r.inputs.nodeConfig?.diskType ?? "pd-balanced");
        c.add(r, `node boot disks (${disk})`, `pd:${disk}`, scale(nodes, Number(r.inputs.nodeConfig?.diskSizeGb ?? 100)));
    },
    "gcp:compute/routerNat:RouterNat": (r, c) => {
        const nodes = c.cap.pools.reduce((a, p) => ({ min: a.min + p.startNodes, max: a.max + p.reachableNodes }), { min: 0, max: 0 });
        c.add(r, "NAT gateway (per VM behind it)", "nat:gateway-vm-hour", scale(nodes, hours));
        c.add(r, "NAT data processed (assumed)", "nat:gb", assumptions.natGbPerMonth);
    },
    "gcp:compute/address:Address": (r, c) => r.inputs.addressType !== "INTERNAL" && c.add(r, "external IPv4 address", "ip:external", hours),
    "gcp:compute/globalAddress:GlobalAddress": (r, c) => r.inputs.addressType !== "INTERNAL" && r.inputs.purpose !== "VPC_PEERING" && c.add(r, "external IPv4 address", "ip:external", hours),
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": (r, c) => c.add(r, "forwarding rule", "lb:forwarding-rule", hours),
    "gcp:sql/databaseInstance:DatabaseInstance": (r, c) => {
        const s = r.inputs.settings ?? {};
        const copies = s.availabilityType === "REGIONAL" ? 2 : 1;
        const tier = String(s.tier ?? "");
        const custom = /^db-custom-(\d+)-(\d+)$/.exec(tier);
        if (custom) {
            c.add(r, `${custom[1]} vCPU${copies === 2 ? " (REGIONAL)" : ""}`, "sql:vcpu", hours * Number(custom[1]) * copies);
            c.add(r, `${Number(custom[2]) / 1024} GB memory${copies === 2 ? " (REGIONAL)" : ""}`, "sql:memory", (hours * Number(custom[2]) / 1024) * copies);
        } else {
            c.add(r, tier, `sql:${tier}`, hours * copies);
        }
        const disk = Number(s.diskSize ?? 10);
        c.add(r, "SSD storage", "sql:ssd", disk * copies);
        c.add(r, "backups (one copy of the storage)", "sql:backup", disk);
    },
    "gcp:redis/instance:Instance": (r, c) => {
        const ha = r.inputs.tier === "STANDARD_HA";
        c.add(r, `${r.inputs.memorySizeGb} GB ${ha ? "Standard HA" : "Basic"}`, ha ? "redis:standard" : "redis:basic", hours * Number(r.inputs.memorySizeGb ?? 1));
    },
    "gcp:storage/bucket:Bucket": (r, c) => c.add(r, "objects (assumed size)", "gcs:standard", assumptions.bucketGb),
    "gcp:compute/backendBucket:BackendBucket": (r, c) => r.inputs.enableCdn && c.add(r, "CDN egress (assumed)", "cdn:india-egress", assumptions.cdnEgressGbPerMonth),
    "gcp:kms/cryptoKey:CryptoKey": (r, c) => c.add(r, "active key version", "kms:key-version", 1),
    "gcp:secretmanager/secret:Secret": (r, c) => {
        const replicas = (r.inputs.replication?.userManaged?.replicas ?? [1]).length;
        c.add(r, `active version x ${replicas} location(s)`, "secretmanager:version", replicas);
    },
    "gcp:dns/managedZone:ManagedZone": (r, c) => c.add(r, "managed zone", "dns:zone", 1),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": (r, c) => c.add(r, "log ingestion (assumed)", "logging:ingest", assumptions.gcpLogGbPerMonth),
};

/** The resource types that have a pricer (the test checks every billable type of every plan has one). */
export const pricedTypes: readonly string[] = [...Object.keys(awsPricers), ...Object.keys(gcpPricers), ...Object.keys(edgePricers)];

const round2 = (n: number) => Math.round(n * 100) / 100;

export function cost(resources: readonly PreflightResource[], cap: Capacity): CostEstimate {
    const items: LineItem[] = [];
    const unpriced: string[] = [];
    const cloud = resources.some(r => r.type.startsWith("aws:")) ? "aws" : resources.some(r => r.type.startsWith("gcp:")) ? "gcp" : undefined;
    const table: Readonly<Record<string, Price>> = { ...(cloud === "gcp" ? gcpPrices : awsPrices), ...cloudflarePrices };
    const ctx: Context = {
        cap, resources,
        add(r, item, key, quantity) {
            const price = table[key];
            if (!price) {
                unpriced.push(`${r.type} ${r.name}: ${item} (no "${key}" in offline/preflight/prices.ts)`);
                return;
            }
            const q = rangeOf(quantity);
            items.push({
                resource: r.name, type: r.type, item, quantity: { min: round2(q.min), max: round2(q.max) }, unit: price.unit, price: key, unitUsd: price.usd,
                monthlyUsd: { min: round2(q.min * price.usd), max: round2(q.max * price.usd) },
            });
        },
    };
    const pricers = { ...(cloud === "gcp" ? gcpPricers : awsPricers), ...edgePricers };
    for (const r of resources) {
        const pricer = pricers[r.type];
        if (pricer) {
            pricer(r, ctx);
        } else if (/^(aws|gcp|cloudflare):/.test(r.type) && !(r.type in freeTypes)) {
            unpriced.push(`${r.type} ${r.name}: no pricer in offline/preflight/cost.ts and not listed as free`);
        }
    }
    // What the cluster provisions itself: the API gateway's load balancer and the persistent volumes.
    // The gateway's proxies get their Service from Envoy Gateway, as the EnvoyProxy describes it.
    const lb = resources.find(r => r.type === envoyProxyType && r.inputs.spec?.provider?.kubernetes?.envoyService?.type === "LoadBalancer");
    if (lb && cloud === "aws") {
        ctx.add(lb, "ingress Network Load Balancer (hours; LCUs by use)", "elb:nlb-hour", hours);
    }
    const volumes = new Map<string, Range>();
    // A local cluster's volumes are the laptop's disk.
    for (const w of cloud ? cap.workloads : []) {
        for (const v of w.volumes ?? []) {
            const key = cloud === "gcp" ? ssdClasses[v.storageClass] ?? "pd:pd-balanced" : "ebs:gp3";
            const prev = volumes.get(key) ?? { min: 0, max: 0 };
            volumes.set(key, { min: prev.min + v.gib * w.minReplicas, max: prev.max + v.gib * w.maxReplicas });
        }
    }
    for (const [key, gib] of [...volumes.entries()].sort()) {
        ctx.add({ type: "kubernetes:core/v1:PersistentVolumeClaim", urn: "", name: "persistent volumes", inputs: {} }, "volume claims of the workloads", key, gib);
    }
    const total = items.reduce((t, i) => ({ min: t.min + i.monthlyUsd.min, max: t.max + i.monthlyUsd.max }), { min: 0, max: 0 });
    return {
        currency: "USD", monthlyUsd: { min: Math.round(total.min), max: Math.round(total.max) }, items, assumptions, unpriced,
        pricesVerified: Object.values(table).every(p => p.verified),
    };
}

