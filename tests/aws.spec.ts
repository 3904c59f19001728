/**
 * The AWS foundation for the staging and production stacks, evaluated once each under the offline
 * engine: exact resource counts, the environment matrix, every security-relevant flag, providers and
 * regions, secrecy, protection and least-privilege IAM.
 */
import { expect } from "chai";
import { AwsFoundation } from "../components/aws/foundation";
import { subnetLayout } from "../components/aws/subnets";
import { Evaluation, RecordedResource } from "../offline/engine";
import { awsConfig } from "./configs";
import { AwsStackConfig } from "../stacks/schema";
import { counts, expectInputError, isSecret, ofType, one, present, reveal, run } from "./harness";

type StackName = "staging" | "production";
interface Evaluated { readonly config: AwsStackConfig; readonly ev: Evaluation }

const F = "bookkeep-aws";
const T = {
    awsProvider: "pulumi:providers:aws",
    key: "aws:kms/key:Key",
    alias: "aws:kms/alias:Alias",
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    assoc: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    eip: "aws:ec2/eip:Eip",
    nat: "aws:ec2/natGateway:NatGateway",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    eks: "aws:eks/cluster:Cluster",
    nodeGroup: "aws:eks/nodeGroup:NodeGroup",
    addon: "aws:eks/addon:Addon",
    launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
    rds: "aws:rds/instance:Instance",
    rdsReplication: "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
    redis: "aws:elasticache/replicationGroup:ReplicationGroup",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    record: "aws:route53/record:Record",
    zone: "aws:route53/zone:Zone",
    cert: "aws:acm/certificate:Certificate",
    certValidation: "aws:acm/certificateValidation:CertificateValidation",
    distribution: "aws:cloudfront/distribution:Distribution",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    password: "random:index/randomPassword:RandomPassword",
    randomId: "random:index/randomId:RandomId",
    trail: "aws:cloudtrail/trail:Trail",
} as const;

/** The S3 type token of a SecureBucket child, by its name suffix. */
const s3Type = (suffix: string): string => ({
    bucket: "bucket:Bucket", ownership: "bucketOwnershipControls:BucketOwnershipControls", "public-access": "bucketPublicAccessBlock:BucketPublicAccessBlock",
    versioning: "bucketVersioning:BucketVersioning", sse: "bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", policy: "bucketPolicy:BucketPolicy",
})[suffix]!;

const stagingCounts: Record<string, number> = {
    "pulumi:providers:aws": 2, "pulumi:providers:random": 1, "pulumi:providers:kubernetes": 1,
    "random:index/randomPassword:RandomPassword": 3, "random:index/randomId:RandomId": 2,
    "aws:kms/key:Key": 10, "aws:kms/alias:Alias": 10, "aws:kms/keyPolicy:KeyPolicy": 1,
    "aws:cloudtrail/trail:Trail": 1,
    "aws:ec2/vpc:Vpc": 1, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": 1, "aws:ec2/internetGateway:InternetGateway": 1,
    "aws:ec2/subnet:Subnet": 9, "aws:ec2/routeTable:RouteTable": 5, "aws:ec2/route:Route": 4,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": 9, "aws:ec2/eip:Eip": 4, "aws:ec2/natGateway:NatGateway": 1,
    "aws:ec2/vpcEndpoint:VpcEndpoint": 1, "aws:ec2/flowLog:FlowLog": 1, "aws:cloudwatch/logGroup:LogGroup": 4,
    // Roles: cluster, nodes, EBS CSI, flow logs, RDS monitoring; backup, cert-manager, Elasticsearch, Tempo, Velero and cache-snapshot IRSA;
    // Karpenter's nodes and its controller (IRSA).
    "aws:iam/role:Role": 12, "aws:iam/rolePolicy:RolePolicy": 9, "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 8,
    "aws:iam/instanceProfile:InstanceProfile": 1,
    // The deploy role, the one operators' role of the stack file, and Karpenter's nodes; policies for the first two.
    "aws:eks/accessEntry:AccessEntry": 3, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": 2,
    "aws:sqs/queue:Queue": 1, "aws:sqs/queuePolicy:QueuePolicy": 1,
    "aws:cloudwatch/eventRule:EventRule": 4, "aws:cloudwatch/eventTarget:EventTarget": 4,
    "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass": 1, "kubernetes:karpenter.sh/v1:NodePool": 1,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 1,
    "aws:eks/cluster:Cluster": 1, "aws:eks/nodeGroup:NodeGroup": 1, "aws:eks/addon:Addon": 6, "aws:ec2/launchTemplate:LaunchTemplate": 1,
    // Nodes, database, cache and the CI runners (admitted to the cluster's private endpoint).
    "aws:ec2/securityGroup:SecurityGroup": 4, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 3,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": 1,
    "aws:rds/subnetGroup:SubnetGroup": 1, "aws:rds/parameterGroup:ParameterGroup": 1, "aws:rds/instance:Instance": 1,
    "aws:elasticache/subnetGroup:SubnetGroup": 1, "aws:elasticache/replicationGroup:ReplicationGroup": 1,
    // Documents, backups, static assets, traces (Tempo) and CloudTrail's; backups and traces have lifecycles.
    "aws:s3/bucket:Bucket": 5, "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 5,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 5, "aws:s3/bucketVersioning:BucketVersioning": 5,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 5,
    "aws:s3/bucketPolicy:BucketPolicy": 5, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 2,
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": 1,
    "aws:acm/certificate:Certificate": 1, "aws:acm/certificateValidation:CertificateValidation": 1,
    "aws:cloudfront/originAccessControl:OriginAccessControl": 1, "aws:cloudfront/distribution:Distribution": 1,
    "aws:route53/zone:Zone": 1, "aws:route53/record:Record": 5,
    "aws:secretsmanager/secret:Secret": 1, "aws:secretsmanager/secretVersion:SecretVersion": 1,
    "kubernetes:storage.k8s.io/v1:StorageClass": 1,
};
// Production adds two NAT gateways (and their EIPs) and the DR copy of RDS backups with its key and
// the DR-region provider (ap-south-2 is opt-in, so staging never configures it).
const productionCounts: Record<string, number> = {
    ...stagingCounts,
    "pulumi:providers:aws": 3,
    "aws:ec2/eip:Eip": 6, "aws:ec2/natGateway:NatGateway": 3, "aws:kms/key:Key": 12, "aws:kms/alias:Alias": 12,
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": 1,
    // Issue 21: the documents' replica in ap-south-2 (a hardened bucket, its key, the replication and its role).
    "aws:s3/bucket:Bucket": 6, "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 6,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 6, "aws:s3/bucketVersioning:BucketVersioning": 6,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 6, "aws:s3/bucketPolicy:BucketPolicy": 6,
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": 1, "aws:iam/role:Role": 13, "aws:iam/rolePolicy:RolePolicy": 10,
};

const matrix = {
    staging: { instanceType: "t3.medium", nodes: [2, 2, 4], dbClass: "db.t3.small", multiAz: false, deletionProtection: false, backupDays: 7, cacheNode: "cache.t3.small", cacheNodes: 1, cacheHa: false, snapshots: 3, hourlySnapshots: 24, nats: 1, flowLogDays: 30, logDays: 30, domain: "staging.bookkeep.app" },
    production: { instanceType: "t3.large", nodes: [5, 5, 10], dbClass: "db.r5.large", multiAz: true, deletionProtection: true, backupDays: 14, cacheNode: "cache.r6g.large", cacheNodes: 2, cacheHa: true, snapshots: 7, hourlySnapshots: 48, nats: 3, flowLogDays: 365, logDays: 365, domain: "bookkeep.app" },
} as const;

const evaluated = {} as Record<StackName, Evaluated>;

async function evaluateStack(stack: StackName): Promise<Evaluated> {
    const config = awsConfig(stack);
    const ev = await run(() => {
        const f = new AwsFoundation(F, { config });
        return {
            postgresUrl: f.postgres.url, postgresPassword: f.postgres.password, postgresHost: f.postgres.host,
            postgresPeers: f.postgres.networkPeers, redisUrl: f.redis.url, redisPeers: f.redis.networkPeers, redisTls: f.redis.tls,
            jwtSecret: f.jwtSecret, kubeconfig: f.kubeconfig,
            uploaderImage: f.objectStore.uploaderImage, uploadCommand: f.objectStore.uploadCommand("/backup/db.sql.gz", "daily/db.sql.gz"),
            uploaderEnv: f.objectStore.uploaderEnv, storePeers: f.objectStore.networkPeers, uploaderPorts: f.objectStore.uploaderPorts,
            issuer: f.certificateIssuer, storageClass: f.storageClass, ingress: f.ingressService,
            saBackup: f.serviceAccountAnnotations("backup"), saCertManager: f.serviceAccountAnnotations("cert-manager"),
            cacheSnapshots: f.cacheSnapshots,
            outputs: f.outputs,
        };
    }, stack);
    return { config, ev };
}

const urn = (ev: Evaluation, type: string, name: string) => one(ev.resources, type, name).urn;
const deps = (r: RecordedResource, key: string) => r.propertyDependencies[key] ?? [];
const policy = (v: unknown) => JSON.parse(reveal(v) as string);

describe("AWS foundation", function () {
    before(async () => {
        evaluated.staging = await evaluateStack("staging");
        evaluated.production = await evaluateStack("production");
    });

    it("rejects a VPC block the subnet layout cannot hold, before registering resources", async () => {
        const config = awsConfig("staging", { "bookkeep:aws": { vpcCidr: "10.20.0.0/24" } });
        await expectInputError(() => run(() => new AwsFoundation(F, { config })), "bookkeep:aws.vpcCidr", "10.20.0.0/24", "/16 to /19");
    });

    it("takes no hourly cache snapshots when none are to be kept", async () => {
        const config = awsConfig("staging", { "bookkeep:aws": { cacheHourlySnapshotsKept: 0 } });
        let job: unknown = "unset";
        const ev = await run(() => {
            job = new AwsFoundation(F, { config }).cacheSnapshots;
            return {};
        });
        expect(job).to.equal(undefined);
        expect(ev.resources.filter(r => r.name.includes("cache-snapshots"))).to.deep.equal([]);
        expect(counts(ev.resources)["aws:iam/role:Role"]).to.equal(present(stagingCounts["aws:iam/role:Role"], "staging's IAM role count") - 1);
    });

    for (const stack of ["staging", "production"] as const) {
        const m = matrix[stack];
        describe(stack, () => {
            let config: AwsStackConfig;
            let ev: Evaluation;
            let res: RecordedResource[];
            before(() => ({ config, ev } = evaluated[stack], res = ev.resources));

            describe("resources and providers", () => {
                it("registers exactly the expected resources per type (the Karpenter charts' rendered objects apart)", () => {
                    const charts = new Set(res.filter(r => r.type === "kubernetes:helm.sh/v4:Chart").map(r => r.urn));
                    expect(counts(res.filter(r => r.parent === null || !charts.has(r.parent)))).to.deep.equal(stack === "staging" ? stagingCounts : productionCounts);
                });

                it("parents every resource under the foundation with names derived from it", () => {
                    const foundation = one(res, "bookkeep:aws:Foundation", F);
                    const rest = res.filter(r => r.type !== "pulumi:pulumi:Stack" && r !== foundation);
                    rest.forEach(r => expect(r.name, r.urn).to.match(new RegExp(`^${F}-`)));
                    const byUrn = new Map(res.map(r => [r.urn, r]));
                    rest.forEach(r => {
                        let p = r.parent;
                        while (p && p !== foundation.urn) {
                            p = byUrn.get(p)?.parent ?? null;
                        }
                        expect(p, r.name).to.equal(foundation.urn);
                    });
                });

                it("builds the Mumbai provider, the opt-in DR provider only with cross-region backups, and one named us-east-1 provider, all with residency tags", () => {
                    const providers = ofType(res, T.awsProvider);
                    expect(config.database.crossRegionBackups).to.equal(stack === "production");
                    expect(providers.map(p => [p.name, p.inputs.region])).to.have.deep.members([
                        [`${F}-ap-south-1`, "ap-south-1"], [`${F}-us-east-1-cloudfront-cert`, "us-east-1"],
                        ...(stack === "production" ? [[`${F}-ap-south-2-dr`, "ap-south-2"]] : []),
                    ]);
                    for (const p of providers) {
                        const tags = typeof p.inputs.defaultTags === "string" ? JSON.parse(p.inputs.defaultTags) : p.inputs.defaultTags;
                        expect(tags).to.deep.equal({ tags: { Project: "bookkeep", Environment: stack, ManagedBy: "pulumi", DataResidency: "india" } });
                    }
                });

                it("puts every AWS resource on an Indian-region provider except the CloudFront certificate and its validation", () => {
                    const region = new Map(ofType(res, T.awsProvider).map(p => [p.urn, p.inputs.region as string]));
                    const awsResources = res.filter(r => r.custom && r.type.startsWith("aws:"));
                    awsResources.forEach(r => expect(region.has(r.provider ?? ""), `${r.name} has an explicit aws provider`).to.equal(true));
                    const outside = awsResources.filter(r => !["ap-south-1", "ap-south-2"].includes(region.get(r.provider!)!));
                    expect(outside.map(r => [r.type, r.name, region.get(r.provider!)])).to.have.deep.members([
                        [T.cert, `${F}-cdn-cert`, "us-east-1"], [T.certValidation, `${F}-cdn-cert`, "us-east-1"],
                    ]);
                });

                it("uses the DR-region provider only for the replicated RDS backups, the documents' replica and their keys", () => {
                    if (stack === "staging") {
                        expect(ofType(res, T.awsProvider).filter(p => p.inputs.region === "ap-south-2")).to.deep.equal([]);
                        return;
                    }
                    const dr = urn(ev, T.awsProvider, `${F}-ap-south-2-dr`);
                    const onDr = res.filter(r => r.provider === dr).map(r => `${r.type} ${r.name}`);
                    expect(onDr).to.have.members([
                        `${T.key} ${F}-database-backups-dr-key`, `${T.alias} ${F}-database-backups-dr-alias`, `${T.rdsReplication} ${F}-database-backups-dr`,
                        ...["kms-key", "kms-alias", "bucket", "ownership", "public-access", "versioning", "sse", "policy"]
                            .map(c => `${c.startsWith("kms-key") ? T.key : c === "kms-alias" ? T.alias : `aws:s3/${s3Type(c)}`} ${F}-storage-documents-dr-bucket-${c}`),
                    ]);
                });

                it("puts random and Kubernetes resources on their explicit providers", () => {
                    const randomProvider = urn(ev, "pulumi:providers:random", `${F}-random`);
                    const k8sProvider = urn(ev, "pulumi:providers:kubernetes", `${F}-cluster-k8s`);
                    [...ofType(res, T.password), ...ofType(res, T.randomId)].forEach(r => expect(r.provider, r.name).to.equal(randomProvider));
                    res.filter(r => r.type.startsWith("kubernetes:")).forEach(r => expect(r.provider, r.name).to.equal(k8sProvider));
                });

                it(stack === "production" ? "protects every stateful resource and nothing else" : "protects nothing in staging", () => {
                    const protectedOnes = res.filter(r => r.protect).map(r => `${r.type} ${r.name}`);
                    const stateful = [
                        ...ofType(res, T.key).map(r => `${T.key} ${r.name}`),
                        `${T.rds} ${F}-database-postgres`, `${T.redis} ${F}-cache-redis`, `${T.zone} ${F}-dns-zone`, `${T.secret} ${F}-secrets-secret`,
                        ...["documents", "backups", "static-assets", "traces"].map(b => `${T.bucket} ${F}-storage-${b}-bucket`),
                        `${T.bucket} ${F}-audit-logs-bucket`,
                        ...(stack === "production" ? [`${T.rdsReplication} ${F}-database-backups-dr`, `${T.bucket} ${F}-storage-documents-dr-bucket-bucket`] : []),
                        // Deleting it would silently stop locking new backups.
                        `aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration ${F}-storage-backups-object-lock`,
                    ];
                    expect(protectedOnes).to.have.members(stack === "production" ? stateful : []);
                    if (stack === "production") {
                        expect(protectedOnes).to.have.length(24);
                    }
                });
            });

            describe("network", () => {
                it("creates the VPC from config with DNS support and strips the default security group", () => {
                    const vpc = one(res, T.vpc, `${F}-network-vpc`);
                    expect(vpc.inputs).to.include({ cidrBlock: config.aws.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true });
                    const dsg = one(res, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", `${F}-network-default-sg`);
                    expect(dsg.inputs.ingress).to.deep.equal([]);
                    expect(dsg.inputs.egress).to.deep.equal([]);
                });

                it("spreads 9 subnets over the 3 AZs, one per tier per AZ, with the layout's CIDRs", () => {
                    const layout = subnetLayout(config.aws.vpcCidr, config.aws.availabilityZones);
                    const subnets = ofType(res, T.subnet);
                    expect(subnets).to.have.length(9);
                    for (const tier of ["public", "private", "data"] as const) {
                        const ofTier = subnets.filter(s => (s.inputs.tags as Record<string, string>).Tier === tier);
                        expect(ofTier.map(s => [s.inputs.availabilityZone, s.inputs.cidrBlock])).to.deep.equal(
                            layout[tier].map(p => [p.availabilityZone, p.cidr]));
                    }
                    expect(new Set(subnets.map(s => s.inputs.availabilityZone))).to.deep.equal(new Set(["ap-south-1a", "ap-south-1b", "ap-south-1c"]));
                    subnets.forEach(s => expect(s.inputs.mapPublicIpOnLaunch, s.name).to.equal(false));
                });

                it("hard-codes the expected CIDRs for this stack", () => {
                    const octet = stack === "staging" ? "10.20" : "10.10";
                    const cidrs = ofType(res, T.subnet).map(s => s.inputs.cidrBlock);
                    expect(cidrs).to.have.members([
                        `${octet}.96.0/24`, `${octet}.97.0/24`, `${octet}.98.0/24`,
                        `${octet}.0.0/19`, `${octet}.32.0/19`, `${octet}.64.0/19`,
                        `${octet}.112.0/24`, `${octet}.113.0/24`, `${octet}.114.0/24`,
                    ]);
                });

                it("tags public and private subnets for Kubernetes load balancer discovery, data subnets not at all", () => {
                    const tags = (tier: string) => ofType(res, T.subnet).filter(s => (s.inputs.tags as any).Tier === tier).map(s => s.inputs.tags as Record<string, string>);
                    const clusterTag = `kubernetes.io/cluster/bookkeep-${stack}`;
                    tags("public").forEach(t => expect(t).to.include({ "kubernetes.io/role/elb": "1", [clusterTag]: "shared" }));
                    tags("private").forEach(t => expect(t).to.include({ "kubernetes.io/role/internal-elb": "1", [clusterTag]: "shared" }));
                    tags("data").forEach(t => expect(Object.keys(t).filter(k => k.startsWith("kubernetes.io"))).to.deep.equal([]));
                });

                it(`runs ${m.nats} NAT gateway(s) in public subnets, each with its own Elastic IP`, () => {
                    const nats = ofType(res, T.nat);
                    expect(nats).to.have.length(m.nats);
                    const publicSubnets = ofType(res, T.subnet).filter(s => s.name.includes("-public-")).map(s => s.urn);
                    nats.forEach(n => {
                        expect(deps(n, "subnetId")).to.have.length(1);
                        expect(publicSubnets).to.include(deps(n, "subnetId")[0]);
                        expect(deps(n, "allocationId")[0]).to.match(/Eip::bookkeep-aws-network-nat-/);
                        expect(n.inputs.connectivityType).to.equal("public");
                    });
                });

                it("routes each private subnet to a NAT gateway (its own AZ's when there is one per AZ)", () => {
                    for (const az of config.aws.availabilityZones) {
                        const route = one(res, T.route, `${F}-network-private-${az}-default`);
                        expect(route.inputs.destinationCidrBlock).to.equal("0.0.0.0/0");
                        const natAz = stack === "production" ? az : config.aws.availabilityZones[0];
                        expect(deps(route, "natGatewayId")).to.deep.equal([urn(ev, T.nat, `${F}-network-nat-${natAz}`)]);
                        expect(deps(route, "routeTableId")).to.deep.equal([urn(ev, T.routeTable, `${F}-network-private-${az}-rt`)]);
                    }
                    const pub = one(res, T.route, `${F}-network-public-default`);
                    expect(deps(pub, "gatewayId")).to.deep.equal([urn(ev, "aws:ec2/internetGateway:InternetGateway", `${F}-network-igw`)]);
                });

                it("keeps the data tier isolated: its route table has no routes, and every subnet is associated once", () => {
                    const dataRt = urn(ev, T.routeTable, `${F}-network-data-rt`);
                    expect(ofType(res, T.route).filter(r => deps(r, "routeTableId").includes(dataRt))).to.deep.equal([]);
                    const assocs = ofType(res, T.assoc);
                    const subnetUrns = ofType(res, T.subnet).map(s => s.urn);
                    expect(assocs.map(a => deps(a, "subnetId")[0])).to.have.members(subnetUrns);
                    ofType(res, T.subnet).filter(s => s.name.includes("-data-")).forEach(s => {
                        const a = assocs.find(x => deps(x, "subnetId")[0] === s.urn)!;
                        expect(deps(a, "routeTableId")).to.deep.equal([dataRt]);
                    });
                });

                it("adds an S3 gateway endpoint to the private route tables", () => {
                    const ep = one(res, "aws:ec2/vpcEndpoint:VpcEndpoint", `${F}-network-s3`);
                    expect(ep.inputs).to.include({ serviceName: "com.amazonaws.ap-south-1.s3", vpcEndpointType: "Gateway" });
                    expect(deps(ep, "routeTableIds")).to.have.members(config.aws.availabilityZones.map(az => urn(ev, T.routeTable, `${F}-network-private-${az}-rt`)));
                });

                it(`logs all VPC traffic to a KMS-encrypted log group kept ${m.flowLogDays} days`, () => {
                    const flow = one(res, "aws:ec2/flowLog:FlowLog", `${F}-network-flow-log`);
                    expect(flow.inputs).to.include({ trafficType: "ALL", logDestinationType: "cloud-watch-logs" });
                    const group = one(res, T.logGroup, `${F}-network-flow-logs`);
                    expect(group.inputs.retentionInDays).to.equal(m.flowLogDays);
                    expect(deps(group, "kmsKeyId")).to.deep.equal([urn(ev, T.key, `${F}-logs-key`)]);
                    expect(deps(flow, "logDestination")).to.deep.equal([group.urn]);
                    const role = one(res, T.role, `${F}-network-flow-logs`);
                    expect(policy(role.inputs.assumeRolePolicy).Statement[0]).to.deep.include({
                        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
                    });
                    const doc = policy(one(res, T.rolePolicy, `${F}-network-flow-logs`).inputs.policy);
                    expect(doc.Statement[0].Resource).to.deep.equal([group.inputs.name, `${group.inputs.name}:*`].map(n => `arn:aws:logs:ap-south-1:123456789012:log-group:${n}`));
                });

                it("allocates one Elastic IP per AZ for the ingress NLB and hands their allocation ids to the ingress Service", () => {
                    const eips = config.aws.availabilityZones.map(az => one(res, T.eip, `${F}-network-ingress-${az}`));
                    eips.forEach(e => expect(e.inputs.domain).to.equal("vpc"));
                    const ingress = ev.outputs.ingress as { type: string; annotations: Record<string, string> };
                    expect(ingress.type).to.equal("LoadBalancer");
                    expect(ingress.annotations["service.beta.kubernetes.io/aws-load-balancer-type"]).to.equal("nlb");
                    const allocations = present(ingress.annotations["service.beta.kubernetes.io/aws-load-balancer-eip-allocations"], "the EIP allocations annotation").split(",");
                    expect(new Set(allocations).size).to.equal(3);
                    allocations.forEach(a => expect(a).to.match(/^eipalloc-[0-9a-f]{17}$/));
                });
            });

            describe("EKS", () => {
                it(`runs Kubernetes ${"1.35"} in the private subnets, named bookkeep-${stack}`, () => {
                    const eks = one(res, T.eks, `${F}-cluster-eks`);
                    expect(eks.inputs).to.include({ name: `bookkeep-${stack}`, version: config.cluster.kubernetesVersion });
                    expect(config.cluster.kubernetesVersion).to.equal("1.35");
                    const vpc = eks.inputs.vpcConfig as Record<string, unknown>;
                    const privateSubnets = ofType(res, T.subnet).filter(s => s.name.includes("-private-")).map(s => s.urn);
                    expect(deps(eks, "vpcConfig")).to.include.members(privateSubnets);
                    expect((vpc.subnetIds as string[]).length).to.equal(3);
                    expect(eks.inputs.upgradePolicy).to.deep.equal({ supportType: "STANDARD" });
                    expect(eks.inputs.accessConfig).to.deep.equal({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
                    expect(eks.inputs.kubernetesNetworkConfig).to.deep.equal({ ipFamily: "ipv4", serviceIpv4Cidr: "172.20.0.0/16" });
                    expect(eks.inputs.deletionProtection).to.equal(stack === "production");
                });

                it("keeps the API endpoint private, public only from the configured CIDRs", () => {
                    const vpc = one(res, T.eks, `${F}-cluster-eks`).inputs.vpcConfig as Record<string, unknown>;
                    expect(vpc).to.include({ endpointPrivateAccess: true, endpointPublicAccess: true });
                    expect(vpc.publicAccessCidrs).to.deep.equal(config.cluster.apiAllowedCidrs);
                    expect(vpc.publicAccessCidrs).not.to.include("0.0.0.0/0");
                });

                it("envelope-encrypts Secrets with its own KMS key, usable by the cluster role", () => {
                    const eks = one(res, T.eks, `${F}-cluster-eks`);
                    const key = one(res, T.key, `${F}-cluster-secrets-key`);
                    expect((eks.inputs.encryptionConfig as any).resources).to.deep.equal(["secrets"]);
                    expect(deps(eks, "encryptionConfig")).to.deep.equal([key.urn]);
                    expect(key.inputs).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 });
                    const kms = policy(one(res, T.rolePolicy, `${F}-cluster-cluster-kms`).inputs.policy);
                    expect(kms.Statement[0].Action).to.deep.equal(["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]);
                    expect(kms.Statement[0].Resource).to.match(/^arn:aws:kms:ap-south-1:123456789012:key\//);
                });

                it(`ships api, audit and authenticator logs to a log group kept ${m.logDays} days, created first`, () => {
                    const eks = one(res, T.eks, `${F}-cluster-eks`);
                    expect(eks.inputs.enabledClusterLogTypes).to.include.members(["api", "audit", "authenticator"]);
                    const group = one(res, T.logGroup, `${F}-cluster-control-plane`);
                    expect(group.inputs).to.include({ name: `/aws/eks/bookkeep-${stack}/cluster`, retentionInDays: m.logDays });
                    expect(deps(group, "kmsKeyId")).to.deep.equal([urn(ev, T.key, `${F}-logs-key`)]);
                    expect(eks.dependsOn).to.include(group.urn);
                });

                it(`keeps a fixed system node group of 2 x ${m.instanceType} (max 3 while an update surges) across the private subnets`, () => {
                    const ng = one(res, T.nodeGroup, `${F}-cluster-nodes`);
                    expect(ng.inputs.instanceTypes).to.deep.equal([m.instanceType]);
                    expect(ng.inputs.scalingConfig).to.deep.equal({ desiredSize: 2, minSize: 2, maxSize: 3 });
                    expect(ng.inputs.labels).to.deep.equal({ "bookkeep.app/pool": "system" });
                    expect(ng.inputs).to.include({ amiType: "AL2023_x86_64_STANDARD", capacityType: "ON_DEMAND" });
                    const privateSubnets = ofType(res, T.subnet).filter(s => s.name.includes("-private-")).map(s => s.urn);
                    expect(deps(ng, "subnetIds")).to.have.members(privateSubnets);
                    // Nothing else sizes this group (Karpenter adds nodes of its own), so Pulumi owns its size.
                    expect(ng.ignoreChanges ?? []).to.deep.equal([]);
                });

                it("launches nodes with IMDSv2 required (hop limit 1), encrypted gp3 root volumes and the node security group", () => {
                    const lt = one(res, T.launchTemplate, `${F}-cluster-nodes`);
                    expect(lt.inputs.metadataOptions).to.deep.equal({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
                    expect((lt.inputs.blockDeviceMappings as any[])[0].ebs).to.include({ encrypted: "true", volumeType: "gp3" });
                    expect(deps(lt, "vpcSecurityGroupIds")).to.have.members([urn(ev, T.eks, `${F}-cluster-eks`), urn(ev, T.sg, `${F}-cluster-nodes`)]);
                    expect(deps(one(res, T.nodeGroup, `${F}-cluster-nodes`), "launchTemplate")).to.deep.equal([lt.urn]);
                });

                it("installs vpc-cni (NetworkPolicy enforcement on) and kube-proxy before nodes, coredns, EBS CSI (IRSA) and metrics-server after", () => {
                    const addons = ofType(res, T.addon);
                    expect(addons.map(a => a.inputs.addonName)).to.have.members(["vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver", "metrics-server", "snapshot-controller"]);
                    const ng = one(res, T.nodeGroup, `${F}-cluster-nodes`);
                    const addon = (n: string) => addons.find(a => a.inputs.addonName === n)!;
                    expect(JSON.parse(addon("vpc-cni").inputs.configurationValues as string)).to.deep.equal({
                        enableNetworkPolicy: "true", env: { ENABLE_PREFIX_DELEGATION: "true", WARM_PREFIX_TARGET: "1" },
                    });
                    expect(ng.dependsOn).to.include.members([addon("vpc-cni").urn, addon("kube-proxy").urn]);
                    expect(addon("coredns").dependsOn).to.include(ng.urn);
                    expect(addon("aws-ebs-csi-driver").dependsOn).to.include(ng.urn);
                    // The HPAs read CPU and memory from the metrics API, which EKS does not ship.
                    expect(addon("metrics-server").dependsOn).to.include(ng.urn);
                    expect(addon("snapshot-controller").dependsOn).to.include(ng.urn);
                    expect(deps(addon("aws-ebs-csi-driver"), "serviceAccountRoleArn")).to.deep.equal([urn(ev, T.role, `${F}-cluster-ebs-csi-role`)]);
                });

                it("registers the cluster's OIDC issuer for IRSA with the STS audience", () => {
                    const oidc = one(res, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", `${F}-cluster-oidc`);
                    expect(oidc.inputs.clientIdLists).to.deep.equal(["sts.amazonaws.com"]);
                    expect(oidc.inputs.url).to.match(/^https:\/\/oidc\.eks\.ap-south-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
                });

                it("builds a secret exec kubeconfig for the Kubernetes provider, ready once nodes and DNS are", () => {
                    const provider = one(res, "pulumi:providers:kubernetes", `${F}-cluster-k8s`);
                    expect(isSecret(provider.inputs.kubeconfig)).to.equal(true);
                    const kc = JSON.parse(reveal(provider.inputs.kubeconfig) as string);
                    expect(kc.users[0].user.exec.args).to.include.members(["get-token", `bookkeep-${stack}`, "ap-south-1"]);
                    expect(provider.dependsOn).to.include.members([
                        urn(ev, T.nodeGroup, `${F}-cluster-nodes`), urn(ev, T.addon, `${F}-cluster-coredns`),
                        urn(ev, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", `${F}-cluster-access-deploy`),
                    ]);
                    expect(isSecret(ev.outputs.kubeconfig)).to.equal(true);
                    expect(isSecret((ev.outputs.outputs as any).kubeconfig)).to.equal(true);
                });

                it("creates the encrypted gp3 StorageClass the platform uses", () => {
                    const sc = one(res, "kubernetes:storage.k8s.io/v1:StorageClass", `${F}-cluster-gp3-encrypted`);
                    expect((sc.inputs.metadata as any).name).to.equal("gp3-encrypted");
                    expect(sc.inputs).to.include({ provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer", reclaimPolicy: stack === "production" ? "Retain" : "Delete" });
                    expect(sc.inputs.parameters).to.deep.equal({ type: "gp3", encrypted: "true", fsType: "ext4" });
                    expect(ev.outputs.storageClass).to.equal("gp3-encrypted");
                });
            });

            describe("RDS PostgreSQL", () => {
                let db: RecordedResource;
                before(() => { db = one(res, T.rds, `${F}-database-postgres`); });

                it(`runs PostgreSQL 15 on ${m.dbClass} with Multi-AZ ${m.multiAz} and deletion protection ${m.deletionProtection}`, () => {
                    expect(db.inputs).to.include({
                        engine: "postgres", engineVersion: "15", instanceClass: m.dbClass, multiAz: m.multiAz,
                        deletionProtection: m.deletionProtection, publiclyAccessible: false, port: 5432, identifier: `bookkeep-${stack}-postgres`,
                    });
                });

                it("encrypts storage and Performance Insights with its own KMS key", () => {
                    const key = urn(ev, T.key, `${F}-database-storage-key`);
                    expect(db.inputs).to.include({ storageEncrypted: true, storageType: "gp3", performanceInsightsEnabled: true });
                    expect(deps(db, "kmsKeyId")).to.deep.equal([key]);
                    expect(deps(db, "performanceInsightsKmsKeyId")).to.deep.equal([key]);
                });

                it(`keeps ${m.backupDays} days of PITR backups, a uniquely named final snapshot and the automated backups after deletion`, () => {
                    expect(db.inputs).to.include({
                        backupRetentionPeriod: m.backupDays, skipFinalSnapshot: false, finalSnapshotIdentifier: `bookkeep-${stack}-postgres-final-0a1b2c3d`,
                        deleteAutomatedBackups: false, copyTagsToSnapshot: true,
                    });
                    expect(deps(db, "finalSnapshotIdentifier")).to.deep.equal([urn(ev, T.randomId, `${F}-database-final-snapshot`)]);
                    expect(one(res, T.randomId, `${F}-database-final-snapshot`).inputs).to.include({ byteLength: 4 });
                    expect(m.backupDays).to.be.at.least(7);
                });

                it("exports the postgresql and upgrade logs only into pre-created, KMS-encrypted log groups with retention", () => {
                    expect(db.inputs.enabledCloudwatchLogsExports).to.deep.equal(["postgresql", "upgrade"]);
                    for (const log of ["postgresql", "upgrade"]) {
                        const group = one(res, T.logGroup, `${F}-database-${log}-log`);
                        expect(group.inputs).to.include({ name: `/aws/rds/instance/bookkeep-${stack}-postgres/${log}`, retentionInDays: m.logDays });
                        expect(deps(group, "kmsKeyId")).to.deep.equal([urn(ev, T.key, `${F}-logs-key`)]);
                        expect(db.dependsOn).to.include(group.urn);
                    }
                });

                it("forces TLS through its parameter group and lives in the three data subnets", () => {
                    const pg = one(res, "aws:rds/parameterGroup:ParameterGroup", `${F}-database-params`);
                    expect(pg.inputs.family).to.equal("postgres15");
                    expect(pg.inputs.parameters).to.deep.equal([{ name: "rds.force_ssl", value: "1" }]);
                    expect(deps(db, "parameterGroupName")).to.deep.equal([pg.urn]);
                    const sng = one(res, "aws:rds/subnetGroup:SubnetGroup", `${F}-database-subnets`);
                    expect(deps(sng, "subnetIds")).to.have.members(ofType(res, T.subnet).filter(s => s.name.includes("-data-")).map(s => s.urn));
                });

                it("takes its password from @pulumi/random, as a secret", () => {
                    expect(isSecret(db.inputs.password)).to.equal(true);
                    expect(deps(db, "password")).to.deep.equal([urn(ev, T.password, `${F}-database-password`)]);
                    expect(one(res, T.password, `${F}-database-password`).inputs).to.include({ length: 32, overrideSpecial: "-_" });
                });

                it(stack === "production" ? "replicates automated backups to ap-south-2 under a Hyderabad KMS key" : "does not replicate backups cross-region", () => {
                    const replication = ofType(res, T.rdsReplication);
                    if (stack === "staging") {
                        expect(replication).to.deep.equal([]);
                        return;
                    }
                    const r = present(replication[0], "the cross-region backup replication");
                    expect(r.inputs.retentionPeriod).to.equal(m.backupDays);
                    expect(deps(r, "sourceDbInstanceArn")).to.deep.equal([db.urn]);
                    const drKey = one(res, T.key, `${F}-database-backups-dr-key`);
                    expect(deps(r, "kmsKeyId")).to.deep.equal([drKey.urn]);
                    expect(drKey.provider).to.equal(urn(ev, T.awsProvider, `${F}-ap-south-2-dr`));
                });
            });

            describe("ElastiCache Redis", () => {
                let rg: RecordedResource;
                before(() => { rg = one(res, T.redis, `${F}-cache-redis`); });

                it(`runs ${m.cacheNodes} x ${m.cacheNode} with failover/Multi-AZ ${m.cacheHa}`, () => {
                    expect(rg.inputs).to.include({
                        engine: "redis", nodeType: m.cacheNode, numCacheClusters: m.cacheNodes,
                        automaticFailoverEnabled: m.cacheHa, multiAzEnabled: m.cacheHa, port: 6379,
                    });
                });

                it("encrypts at rest with its own key and in transit (required), with a generated AUTH token", () => {
                    expect(rg.inputs).to.include({ atRestEncryptionEnabled: true, transitEncryptionEnabled: true, transitEncryptionMode: "required" });
                    expect(deps(rg, "kmsKeyId")).to.deep.equal([urn(ev, T.key, `${F}-cache-storage-key`)]);
                    expect(isSecret(rg.inputs.authToken)).to.equal(true);
                    expect(deps(rg, "authToken")).to.deep.equal([urn(ev, T.password, `${F}-cache-auth-token`)]);
                    expect(ev.outputs.redisTls).to.equal(true);
                });

                it(`keeps ${m.snapshots} days of snapshots and a uniquely named final snapshot, in the data subnets`, () => {
                    expect(rg.inputs).to.include({ snapshotRetentionLimit: m.snapshots, finalSnapshotIdentifier: `bookkeep-${stack}-redis-final-0a1b2c3d` });
                    expect(deps(rg, "finalSnapshotIdentifier")).to.deep.equal([urn(ev, T.randomId, `${F}-cache-final-snapshot`)]);
                    const sng = one(res, "aws:elasticache/subnetGroup:SubnetGroup", `${F}-cache-subnets`);
                    expect(deps(sng, "subnetIds")).to.have.members(ofType(res, T.subnet).filter(s => s.name.includes("-data-")).map(s => s.urn));
                });
            });

            describe("security groups", () => {
                it("admits 5432 and 6379 only from the EKS node security group; nothing from a CIDR", () => {
                    const nodeSg = urn(ev, T.sg, `${F}-cluster-nodes`);
                    const rules = ofType(res, T.ingress).filter(r => r.name !== `${F}-ci-runners-api`);
                    expect(rules.map(r => [r.name, r.inputs.fromPort, r.inputs.toPort, r.inputs.ipProtocol])).to.have.deep.members([
                        [`${F}-database-from-nodes`, 5432, 5432, "tcp"], [`${F}-cache-from-nodes`, 6379, 6379, "tcp"],
                    ]);
                    rules.forEach(r => {
                        expect(deps(r, "referencedSecurityGroupId")).to.deep.equal([nodeSg]);
                        expect(r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6 ?? r.inputs.prefixListId).to.equal(undefined);
                    });
                    expect(deps(one(res, T.ingress, `${F}-database-from-nodes`), "securityGroupId")).to.deep.equal([urn(ev, T.sg, `${F}-database-sg`)]);
                    expect(deps(one(res, T.ingress, `${F}-cache-from-nodes`), "securityGroupId")).to.deep.equal([urn(ev, T.sg, `${F}-cache-sg`)]);
                });

                it("attaches only their own security group to the data stores and declares no inline rules anywhere", () => {
                    expect(deps(one(res, T.rds, `${F}-database-postgres`), "vpcSecurityGroupIds")).to.deep.equal([urn(ev, T.sg, `${F}-database-sg`)]);
                    expect(deps(one(res, T.redis, `${F}-cache-redis`), "securityGroupIds")).to.deep.equal([urn(ev, T.sg, `${F}-cache-sg`)]);
                    ofType(res, T.sg).forEach(sg => {
                        expect(sg.inputs.ingress ?? [], sg.name).to.deep.equal([]);
                        expect(sg.inputs.egress ?? [], sg.name).to.deep.equal([]);
                    });
                    expect(JSON.stringify(ofType(res, T.ingress).map(r => r.inputs))).not.to.contain("0.0.0.0/0");
                });
            });

            describe("S3 and CloudFront", () => {
                const buckets = ["documents", "backups", "static-assets", "traces"];

                it("names the buckets per environment and account", () => {
                    expect(ofType(res, T.bucket).map(b => b.inputs.bucket)).to.have.members([...buckets, "cloudtrail", ...(stack === "production" ? ["documents-dr"] : [])].map(b => `bookkeep-${stack}-${b}-123456789012`));
                });

                for (const b of buckets) {
                    it(`hardens the ${b} bucket: versioning, SSE-KMS with its own key, public access blocked, ACLs off, TLS only`, () => {
                        const p = `${F}-storage-${b}`;
                        const bucket = one(res, T.bucket, `${p}-bucket`);
                        expect(bucket.inputs.forceDestroy).to.equal(false);
                        expect(one(res, "aws:s3/bucketVersioning:BucketVersioning", `${p}-versioning`).inputs.versioningConfiguration).to.deep.equal({ status: "Enabled" });
                        const sse = one(res, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${p}-sse`);
                        expect((sse.inputs.rules as any[])[0]).to.deep.include({ bucketKeyEnabled: true });
                        expect((sse.inputs.rules as any[])[0].applyServerSideEncryptionByDefault.sseAlgorithm).to.equal("aws:kms");
                        expect(deps(sse, "rules")).to.deep.equal([urn(ev, T.key, `${p}-kms-key`)]);
                        expect(one(res, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${p}-public-access`).inputs).to.include({
                            blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
                        });
                        expect(one(res, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${p}-ownership`).inputs.rule).to.deep.equal({ objectOwnership: "BucketOwnerEnforced" });
                        const policies = ofType(res, T.bucketPolicy).filter(x => deps(x, "bucket").includes(bucket.urn));
                        expect(policies).to.have.length(1);
                        expect(policy(policies[0]!.inputs.policy).Statement[0]).to.deep.equal({
                            Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*",
                            Resource: [`arn:aws:s3:::${bucket.inputs.bucket}`, `arn:aws:s3:::${bucket.inputs.bucket}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        });
                    });
                }

                it("tiers the backups bucket: daily/ expires, weekly/ to GLACIER, monthly/ to DEEP_ARCHIVE", () => {
                    const lc = ofType(res, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
                    expect(lc.map(l => l.name)).to.have.members([`${F}-storage-backups-lifecycle`, `${F}-storage-traces-lifecycle`]);
                    const backups = one(res, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${F}-storage-backups-lifecycle`);
                    const rules = backups.inputs.rules as any[];
                    expect(rules.map(r => [r.filter.prefix, r.transitions?.[0]?.storageClass ?? null, r.expiration.days ?? null])).to.deep.equal([
                        ["daily/", null, 35], ["weekly/", "GLACIER", 365], ["monthly/", "DEEP_ARCHIVE", 2922], ["velero/", null, null], ["elasticsearch/", null, null],
                    ]);
                    // What SLM deletes or rewrites goes after the lock's 30 days, with its delete markers.
                    expect(rules.find(r => r.id === "elasticsearch")).to.deep.equal({
                        id: "elasticsearch", status: "Enabled", filter: { prefix: "elasticsearch/" },
                        noncurrentVersionExpiration: { noncurrentDays: 30 }, expiration: { expiredObjectDeleteMarker: true },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                    });
                    expect(backups.dependsOn).to.include(urn(ev, "aws:s3/bucketVersioning:BucketVersioning", `${F}-storage-backups-versioning`));
                });

                it("locks backups write-once in place: GOVERNANCE for 30 days, bypass denied to everyone, no bucket replacement", () => {
                    const locks = ofType(res, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration");
                    expect(locks.map(l => l.name)).to.deep.equal([`${F}-storage-backups-object-lock`]);
                    const lock = locks[0]!;
                    expect(lock.inputs.objectLockEnabled).to.equal("Enabled");
                    expect(lock.inputs.rule).to.deep.equal({ defaultRetention: { mode: "GOVERNANCE", days: 30 } });
                    const backups = one(res, T.bucket, `${F}-storage-backups-bucket`);
                    expect(deps(lock, "bucket")).to.deep.equal([backups.urn]);
                    expect(lock.dependsOn).to.include(urn(ev, "aws:s3/bucketVersioning:BucketVersioning", `${F}-storage-backups-versioning`));
                    expect(lock.protect).to.equal(stack === "production");
                    // objectLockEnabled on the bucket itself would replace an existing bucket.
                    for (const b of ofType(res, T.bucket)) {
                        expect(b.inputs, b.name).not.to.have.any.keys("objectLockEnabled", "objectLockConfiguration");
                    }
                    // Never longer than the lifecycle keeps a version (30 days noncurrent, 35 current).
                    const rules = one(res, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${F}-storage-backups-lifecycle`).inputs.rules as any[];
                    for (const r of rules) {
                        expect(r.noncurrentVersionExpiration.noncurrentDays).to.be.at.least(30);
                        expect(r.expiration.days ?? Infinity).to.be.at.least(30);
                    }
                    const bypass = { Sid: "DenyObjectLockBypass", Effect: "Deny", Principal: "*", Action: "s3:BypassGovernanceRetention", Resource: `arn:aws:s3:::${backups.inputs.bucket}/*` };
                    const statements = (b: string) => policy(one(res, T.bucketPolicy, `${F}-storage-${b}-policy`).inputs.policy).Statement;
                    expect(statements("backups")).to.have.length(2);
                    expect(statements("backups")[1]).to.deep.equal(bypass);
                    expect(statements("documents").map((x: any) => x.Sid)).to.deep.equal(["DenyInsecureTransport"]);
                });

                it("serves static assets over HTTPS only (TLS 1.2+, PriceClass_200) through origin access control", () => {
                    const d = one(res, T.distribution, `${F}-cdn-distribution`);
                    expect(d.inputs).to.include({ enabled: true, priceClass: "PriceClass_200" });
                    expect(d.inputs.aliases).to.deep.equal([`cdn.${m.domain}`]);
                    expect(d.inputs.defaultCacheBehavior).to.include({ viewerProtocolPolicy: "redirect-to-https" });
                    expect(d.inputs.viewerCertificate).to.include({ minimumProtocolVersion: "TLSv1.2_2021", sslSupportMethod: "sni-only" });
                    expect(deps(d, "viewerCertificate")).to.deep.equal([urn(ev, T.certValidation, `${F}-cdn-cert`)]);
                    const origin = (d.inputs.origins as any[])[0];
                    expect(origin.domainName).to.equal(`bookkeep-${stack}-static-assets-123456789012.s3.ap-south-1.amazonaws.com`);
                    const oac = one(res, "aws:cloudfront/originAccessControl:OriginAccessControl", `${F}-cdn-oac`);
                    expect(oac.inputs).to.include({ originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" });
                    expect(deps(d, "origins")).to.include(oac.urn);
                });

                it("lets only this distribution read the assets bucket and decrypt with its key", () => {
                    const d = one(res, T.distribution, `${F}-cdn-distribution`);
                    const bucketPolicy = policy(one(res, T.bucketPolicy, `${F}-cdn-assets-policy`).inputs.policy);
                    const allow = bucketPolicy.Statement[1];
                    expect(allow).to.deep.include({ Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject" });
                    expect(allow.Resource).to.equal(`arn:aws:s3:::bookkeep-${stack}-static-assets-123456789012/*`);
                    expect(allow.Condition.StringEquals["AWS:SourceArn"]).to.match(/^arn:aws:cloudfront::123456789012:distribution\/E[0-9A-F]+$/);
                    const keyPolicy = one(res, "aws:kms/keyPolicy:KeyPolicy", `${F}-cdn-assets-key-policy`);
                    expect(deps(keyPolicy, "keyId")).to.deep.equal([urn(ev, T.key, `${F}-storage-static-assets-kms-key`)]);
                    const cf = policy(keyPolicy.inputs.policy).Statement.find((s: any) => s.Sid === "AllowCloudFrontDecrypt");
                    expect(cf).to.deep.include({ Action: "kms:Decrypt", Condition: allow.Condition });
                    expect(deps(keyPolicy, "policy")).to.include(d.urn);
                });

                it("issues the CDN certificate in us-east-1, validated by DNS in the zone", () => {
                    const cert = one(res, T.cert, `${F}-cdn-cert`);
                    expect(cert.inputs).to.include({ domainName: `cdn.${m.domain}`, validationMethod: "DNS" });
                    const record = one(res, T.record, `${F}-cdn-cert-validation`);
                    expect(record.inputs).to.include({ type: "CNAME" });
                    expect(deps(record, "zoneId")).to.deep.equal([urn(ev, T.zone, `${F}-dns-zone`)]);
                    expect(deps(one(res, T.certValidation, `${F}-cdn-cert`), "validationRecordFqdns")).to.deep.equal([record.urn]);
                });
            });

            describe("Route 53", () => {
                it(`hosts ${m.domain} with api.${m.domain} on the ingress addresses and cdn.${m.domain} aliased to CloudFront`, () => {
                    expect(one(res, T.zone, `${F}-dns-zone`).inputs).to.include({ name: m.domain, forceDestroy: false });
                    const api = one(res, T.record, `${F}-dns-api`);
                    expect(api.inputs).to.include({ name: `api.${m.domain}`, type: "A" });
                    expect(api.inputs.records).to.have.length(3);
                    expect(deps(api, "records")).to.have.members(config.aws.availabilityZones.map(az => urn(ev, T.eip, `${F}-network-ingress-${az}`)));
                    for (const type of ["a", "aaaa"]) {
                        const r = one(res, T.record, `${F}-cdn-${type}`);
                        expect(r.inputs).to.include({ name: `cdn.${m.domain}`, type: type.toUpperCase() });
                        expect((r.inputs.aliases as any[])[0]).to.deep.include({ zoneId: "Z2FDTNDATAQYW2", evaluateTargetHealth: false });
                    }
                    const outputs = ev.outputs.outputs as Record<string, unknown>;
                    expect(outputs).to.include({ apiHostname: `api.${m.domain}`, cdnHostname: `cdn.${m.domain}`, clusterName: `bookkeep-${stack}` });
                    expect(outputs.nameServers).to.have.length(4);
                });
            });

            describe("secrets", () => {
                it("stores database-url, redis-url and jwt-secret in Secrets Manager under its own KMS key, as a secret", () => {
                    const s = one(res, T.secret, `${F}-secrets-secret`);
                    // Deleted at once outside production, so a recreated stack can reuse the name.
                    expect(s.inputs).to.include({ name: `bookkeep-${stack}/bookkeeping-secrets`, recoveryWindowInDays: stack === "production" ? 30 : 0 });
                    expect(deps(s, "kmsKeyId")).to.deep.equal([urn(ev, T.key, `${F}-secrets-kms-key`)]);
                    const v = one(res, T.secretVersion, `${F}-secrets-value`);
                    expect(isSecret(v.inputs.secretString)).to.equal(true);
                    const values = JSON.parse(reveal(v.inputs.secretString) as string);
                    expect(Object.keys(values)).to.have.members(["database-url", "redis-url", "jwt-secret"]);
                    expect(values["database-url"]).to.equal(reveal(ev.outputs.postgresUrl));
                    expect(values["redis-url"]).to.equal(reveal(ev.outputs.redisUrl));
                    expect(values["jwt-secret"]).to.equal(reveal(ev.outputs.jwtSecret));
                });

                it("marks every credential-bearing output secret", () => {
                    for (const k of ["postgresUrl", "postgresPassword", "redisUrl", "jwtSecret", "kubeconfig"]) {
                        expect(isSecret(ev.outputs[k]), k).to.equal(true);
                    }
                    expect(isSecret(ev.outputs.postgresHost)).to.equal(false);
                });

                it("never puts a generated credential in plain inputs", () => {
                    const plain = JSON.stringify(res.map(r => r.inputs));
                    for (const k of ["postgresPassword", "jwtSecret"]) {
                        expect(plain).not.to.contain(reveal(ev.outputs[k]) as string);
                    }
                    expect(plain).not.to.contain(reveal(ev.outputs.redisUrl) as string);
                });

                it("builds TLS connection URLs from the generated credentials", () => {
                    expect(reveal(ev.outputs.postgresUrl)).to.match(new RegExp(`^postgres://bookkeep:[A-Za-z0-9_-]{32}@bookkeep-${stack}-postgres\\.[a-z0-9.-]+:5432/bookkeep\\?sslmode=require$`));
                    expect(reveal(ev.outputs.redisUrl)).to.match(new RegExp(`^rediss://:[A-Za-z0-9]{64}@master\\.bookkeep-${stack}-redis\\.[a-z0-9.-]+:6379$`));
                });
            });

            describe("IRSA and IAM", () => {
                const rolePolicyFor = (name: string) => policy(one(res, T.rolePolicy, name).inputs.policy);

                it("lets the backup job only put objects into the backups bucket, with its key", () => {
                    expect(rolePolicyFor(`${F}-identity-backup-policy`).Statement).to.deep.equal([
                        { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: `arn:aws:s3:::bookkeep-${stack}-backups-123456789012/*` },
                        { Sid: "EncryptBackups", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: (ev.outputs.uploadCommand as string).split(" ").pop() },
                    ]);
                    expect(deps(one(res, T.rolePolicy, `${F}-identity-backup-policy`), "policy")).to.include(urn(ev, T.key, `${F}-storage-backups-kms-key`));
                });

                it("lets Elasticsearch read, write and delete snapshots only under elasticsearch/ of the backups bucket, with its key", () => {
                    const bucket = `arn:aws:s3:::bookkeep-${stack}-backups-123456789012`;
                    expect(rolePolicyFor(`${F}-identity-elasticsearch-policy`).Statement).to.deep.equal([
                        { Sid: "ListSnapshots", Effect: "Allow", Action: "s3:ListBucket", Resource: bucket, Condition: { StringLike: { "s3:prefix": ["elasticsearch", "elasticsearch/*"] } } },
                        { Sid: "FindUploads", Effect: "Allow", Action: ["s3:ListBucketMultipartUploads", "s3:GetBucketLocation"], Resource: bucket },
                        {
                            Sid: "ReadWriteSnapshots", Effect: "Allow",
                            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                            Resource: `${bucket}/elasticsearch/*`,
                        },
                        { Sid: "EncryptSnapshots", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: (ev.outputs.uploadCommand as string).split(" ").pop() },
                    ]);
                });

                it("lets cert-manager write only _acme-challenge TXT records in the zone", () => {
                    const doc = rolePolicyFor(`${F}-identity-cert-manager-policy`);
                    const zoneArn = /^arn:aws:route53:::hostedzone\/Z[0-9A-F]+$/;
                    const bySid = Object.fromEntries(doc.Statement.map((s: any) => [s.Sid, s]));
                    expect(Object.keys(bySid)).to.have.members(["ChangeStatus", "ReadZone", "WriteChallenges", "FindZone"]);
                    expect(bySid.ChangeStatus).to.deep.include({ Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" });
                    expect(bySid.ReadZone.Resource).to.match(zoneArn);
                    expect(bySid.WriteChallenges.Action).to.equal("route53:ChangeResourceRecordSets");
                    expect(bySid.WriteChallenges.Resource).to.match(zoneArn);
                    expect(bySid.WriteChallenges.Condition).to.deep.equal({
                        "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
                        "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
                    });
                    expect(bySid.FindZone).to.deep.include({ Action: "route53:ListHostedZonesByName", Resource: "*" });
                });

                it("lets the hourly cache snapshot job snapshot this cache and delete only its hourly snapshots", () => {
                    const arn = (kind: string, id: string) => `arn:aws:elasticache:ap-south-1:123456789012:${kind}:${id}`;
                    const group = `bookkeep-${stack}-redis`;
                    const key = `${F}-cache-storage-key`;
                    const keyArn = one(res, T.key, key).rawState.arn;
                    expect(rolePolicyFor(`${F}-cache-snapshots-identity-policy`).Statement).to.deep.equal([
                        { Sid: "FindAReplica", Effect: "Allow", Action: "elasticache:DescribeReplicationGroups", Resource: arn("replicationgroup", group) },
                        { Sid: "SnapshotTheCache", Effect: "Allow", Action: "elasticache:CreateSnapshot", Resource: [arn("replicationgroup", group), arn("cluster", `${group}-*`), arn("snapshot", `${group}-hourly-*`)] },
                        { Sid: "RotateHourlySnapshots", Effect: "Allow", Action: "elasticache:DeleteSnapshot", Resource: arn("snapshot", `${group}-hourly-*`) },
                        { Sid: "ListSnapshots", Effect: "Allow", Action: "elasticache:DescribeSnapshots", Resource: "*" },
                        { Sid: "DescribeCacheKey", Effect: "Allow", Action: "kms:DescribeKey", Resource: keyArn },
                        { Sid: "GrantCacheKeyToElastiCache", Effect: "Allow", Action: "kms:CreateGrant", Resource: keyArn, Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } } },
                    ]);
                    expect(deps(one(res, T.rolePolicy, `${F}-cache-snapshots-identity-policy`), "policy")).to.include(urn(ev, T.key, key));
                    const job = ev.outputs.cacheSnapshots as any;
                    expect(job.subject).to.deep.equal({ namespace: `bookkeep-${stack}`, serviceAccount: "redis-snapshot" });
                    // Every hour but the automatic daily snapshot's (19:00 UTC, the replication group's window).
                    expect(job.schedule).to.equal("5 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,20,21,22,23 * * *");
                    expect(one(res, "aws:elasticache/replicationGroup:ReplicationGroup", `${F}-cache-redis`).inputs.snapshotWindow).to.equal("19:00-20:00");
                    expect(job.image).to.equal("amazon/aws-cli:2.22.35");
                    expect(job.env).to.deep.equal([
                        { name: "AWS_REGION", value: "ap-south-1" }, { name: "GROUP", value: group }, { name: "KEEP", value: String(m.hourlySnapshots) },
                    ]);
                    expect(job.serviceAccountAnnotations["eks.amazonaws.com/role-arn"]).to.match(/^arn:aws:iam::123456789012:role\/bookkeep-aws-cache-snapshots-identity-role-/);
                    expect(job.networkPeers).to.deep.equal([{ ipBlock: { cidr: "0.0.0.0/0", except: [config.aws.vpcCidr] } }]);
                    expect(job.ports).to.deep.equal([443]);
                });

                it("grants no wildcard actions and no Resource * except the zone and snapshot listings and Karpenter's in-region EC2 reads", () => {
                    for (const rp of ofType(res, T.rolePolicy)) {
                        for (const s of policy(rp.inputs.policy).Statement) {
                            [s.Action].flat().forEach((a: string) => expect(a, rp.name).not.to.match(/(^\*$|:\*$)/));
                            if (s.Resource === "*" && rp.name === `${F}-karpenter-controller-policy` && s.Action !== "pricing:GetProducts") {
                                [s.Action].flat().forEach((a: string) => expect(a).to.match(/^ec2:Describe[A-Za-z]+$/));
                                expect(s.Condition).to.deep.equal({ StringEquals: { "aws:RequestedRegion": "ap-south-1" } });
                            } else if (s.Resource === "*" && rp.name === `${F}-karpenter-controller-policy`) {
                                expect(s.Sid).to.equal("ReadPrices");
                            } else if (s.Resource === "*") {
                                expect(s.Action, rp.name).to.be.oneOf(["route53:ListHostedZonesByName", "elasticache:DescribeSnapshots"]);
                            }
                        }
                    }
                });

                for (const [workload, sub, roleName] of [
                    ["backup", `system:serviceaccount:bookkeep-${stack}:db-backup`, `${F}-identity-backup-role`],
                    ["cert-manager", "system:serviceaccount:bookkeep-system:cert-manager", `${F}-identity-cert-manager-role`],
                    ["elasticsearch", "system:serviceaccount:bookkeep-monitoring:elasticsearch", `${F}-identity-elasticsearch-role`],
                    ["ebs-csi", "system:serviceaccount:kube-system:ebs-csi-controller-sa", `${F}-cluster-ebs-csi-role`],
                    ["cache-snapshot", `system:serviceaccount:bookkeep-${stack}:redis-snapshot`, `${F}-cache-snapshots-identity-role`],
                    ["karpenter", "system:serviceaccount:kube-system:karpenter", `${F}-karpenter-controller-role`],
                ] as const) {
                    it(`trusts only ${sub} through the cluster's OIDC provider for the ${workload} role`, () => {
                        const role = one(res, T.role, roleName);
                        const [s] = policy(role.inputs.assumeRolePolicy).Statement;
                        const oidcUrl = one(res, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", `${F}-cluster-oidc`).inputs.url as string;
                        const issuer = oidcUrl.replace("https://", "");
                        expect(s).to.deep.equal({
                            Effect: "Allow",
                            Principal: { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` },
                            Action: "sts:AssumeRoleWithWebIdentity",
                            Condition: { StringEquals: { [`${issuer}:sub`]: sub, [`${issuer}:aud`]: "sts.amazonaws.com" } },
                        });
                        expect(deps(role, "assumeRolePolicy")).to.include(urn(ev, "aws:iam/openIdConnectProvider:OpenIdConnectProvider", `${F}-cluster-oidc`));
                    });
                }

                it("annotates service accounts with their own role's ARN", () => {
                    expect((ev.outputs.saBackup as any)["eks.amazonaws.com/role-arn"]).to.match(/^arn:aws:iam::123456789012:role\/bookkeep-aws-identity-backup-role-/);
                    expect((ev.outputs.saCertManager as any)["eks.amazonaws.com/role-arn"]).to.match(/^arn:aws:iam::123456789012:role\/bookkeep-aws-identity-cert-manager-role-/);
                });

                it("attaches only the standard EKS, CNI, ECR read-only (both node roles) and EBS CSI managed policies", () => {
                    const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map(p => `arn:aws:iam::aws:policy/${p}`);
                    expect(ofType(res, T.attachment).map(a => a.inputs.policyArn)).to.have.members([
                        "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", ...nodePolicies, ...nodePolicies,
                        "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
                    ]);
                });
            });

            describe("KMS", () => {
                it("rotates every key yearly with a 30-day deletion window and gives each an alias", () => {
                    const keys = ofType(res, T.key);
                    keys.forEach(k => expect(k.inputs, k.name).to.include({ enableKeyRotation: true, deletionWindowInDays: 30 }));
                    expect(ofType(res, T.alias).map(a => a.inputs.name)).to.have.members([
                        "logs", "eks-secrets", "rds", "elasticache", "s3-documents", "s3-backups", "s3-static-assets", "s3-traces", "s3-cloudtrail", "secrets",
                        ...(stack === "production" ? ["rds-backups-dr", "s3-documents-dr"] : []),
                    ].map(n => `alias/bookkeep-${stack}-${n}`));
                });

                it("lets CloudWatch Logs use the logs key only for this account's log groups in the region", () => {
                    const doc = policy(one(res, T.key, `${F}-logs-key`).inputs.policy);
                    const logs = doc.Statement.find((s: any) => s.Sid === "AllowCloudWatchLogs");
                    expect(logs.Principal).to.deep.equal({ Service: "logs.ap-south-1.amazonaws.com" });
                    expect(logs.Condition).to.deep.equal({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:ap-south-1:123456789012:log-group:*" } });
                    ofType(res, T.logGroup).forEach(g => expect(deps(g, "kmsKeyId"), g.name).to.deep.equal([urn(ev, T.key, `${F}-logs-key`)]));
                });
            });

            describe("CloudTrail", () => {
                const trailArn = `arn:aws:cloudtrail:ap-south-1:123456789012:trail/bookkeep-${stack}-audit`;

                it("records the account's API calls in every region (global services log in us-east-1) from a Mumbai-homed trail, validated and encrypted with the logs key", () => {
                    const trail = one(res, T.trail, `${F}-audit-trail`);
                    expect(trail.inputs).to.include({
                        name: `bookkeep-${stack}-audit`, s3BucketName: `bookkeep-${stack}-cloudtrail-123456789012`,
                        enableLogFileValidation: true, isMultiRegionTrail: true, includeGlobalServiceEvents: true, enableLogging: true,
                    });
                    expect(deps(trail, "kmsKeyId")).to.deep.equal([urn(ev, T.key, `${F}-logs-key`)]);
                    expect(trail.provider).to.equal(urn(ev, T.awsProvider, `${F}-ap-south-1`));
                    // CloudTrail checks its write access on create: the bucket policy must exist first.
                    expect(trail.dependsOn).to.include(urn(ev, T.bucketPolicy, `${F}-audit-logs-policy`));
                });

                it("lets only this trail write to its hardened bucket, and only under AWSLogs/<account>/", () => {
                    const bucket = `bookkeep-${stack}-cloudtrail-123456789012`;
                    expect(one(res, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${F}-audit-logs-public-access`).inputs).to.include({
                        blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
                    });
                    const doc = policy(one(res, T.bucketPolicy, `${F}-audit-logs-policy`).inputs.policy);
                    expect(doc.Statement.map((x: any) => x.Sid)).to.deep.equal(["DenyInsecureTransport", "AWSCloudTrailAclCheck", "AWSCloudTrailWrite"]);
                    expect(doc.Statement[1]).to.deep.equal({
                        Sid: "AWSCloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl",
                        Resource: `arn:aws:s3:::${bucket}`, Condition: { StringEquals: { "aws:SourceArn": trailArn } },
                    });
                    expect(doc.Statement[2]).to.deep.equal({
                        Sid: "AWSCloudTrailWrite", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:PutObject",
                        Resource: `arn:aws:s3:::${bucket}/AWSLogs/123456789012/*`,
                        Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
                    });
                    expect(one(res, T.bucket, `${F}-audit-logs-bucket`).protect).to.equal(stack === "production");
                });

                it("admits the trail (and only it) to the logs key", () => {
                    const doc = policy(one(res, T.key, `${F}-logs-key`).inputs.policy);
                    const bySid = Object.fromEntries(doc.Statement.map((x: any) => [x.Sid, x]));
                    expect(Object.keys(bySid)).to.have.members(["EnableIamPolicies", "AllowCloudWatchLogs", "AllowCloudTrailEncrypt", "AllowCloudTrailDescribe"]);
                    expect(bySid.AllowCloudTrailEncrypt).to.deep.include({
                        Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:GenerateDataKey*",
                        Condition: {
                            StringEquals: { "aws:SourceArn": trailArn },
                            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:123456789012:trail/*" },
                        },
                    });
                    expect(bySid.AllowCloudTrailDescribe).to.deep.include({ Action: "kms:DescribeKey", Condition: { StringEquals: { "aws:SourceArn": trailArn } } });
                });
            });

            describe("CAA", () => {
                it("lets only Let's Encrypt and Amazon (ACM) issue certificates for the domain", () => {
                    const caa = one(res, T.record, `${F}-dns-caa`);
                    expect(caa.inputs).to.include({ name: m.domain, type: "CAA" });
                    expect(caa.inputs.records).to.deep.equal([
                        "0 issue \"letsencrypt.org\"", "0 issue \"amazon.com\"", "0 issuewild \"letsencrypt.org\"", "0 issuewild \"amazon.com\"",
                    ]);
                    expect(deps(caa, "zoneId")).to.deep.equal([urn(ev, T.zone, `${F}-dns-zone`)]);
                });
            });

            describe("foundation interface", () => {
                it("admits the data stores' NetworkPolicy egress to exactly the three data subnets", () => {
                    const dataCidrs = subnetLayout(config.aws.vpcCidr, config.aws.availabilityZones).data.map(s => ({ ipBlock: { cidr: s.cidr } }));
                    expect(ev.outputs.postgresPeers).to.deep.equal(dataCidrs);
                    expect(ev.outputs.redisPeers).to.deep.equal(dataCidrs);
                });

                it("uploads backups with a pinned aws-cli over HTTPS to the backups bucket under its KMS key", () => {
                    expect(ev.outputs.uploaderImage).to.match(/^amazon\/aws-cli:\d+\.\d+\.\d+$/);
                    expect(ev.outputs.uploadCommand).to.match(new RegExp(
                        `^aws s3 cp /backup/db\\.sql\\.gz s3://bookkeep-${stack}-backups-123456789012/daily/db\\.sql\\.gz --sse aws:kms --sse-kms-key-id arn:aws:kms:ap-south-1:123456789012:key/[0-9a-f-]+$`));
                    expect(ev.outputs.uploaderEnv).to.deep.equal([{ name: "AWS_REGION", value: "ap-south-1" }]);
                    expect(ev.outputs.uploaderPorts).to.deep.equal([443]);
                    expect(ev.outputs.storePeers).to.deep.equal([{ ipBlock: { cidr: "0.0.0.0/0", except: [config.aws.vpcCidr] } }]);
                });

                it("offers a Let's Encrypt production issuer solving DNS-01 in the Route 53 zone", () => {
                    const issuer = ev.outputs.issuer as any;
                    expect(issuer.name).to.equal("letsencrypt-prod");
                    expect(issuer.spec.acme).to.deep.include({
                        server: "https://acme-v02.api.letsencrypt.org/directory", email: "platform@bookkeep.app",
                        privateKeySecretRef: { name: "letsencrypt-prod-account-key" },
                    });
                    const [solver] = issuer.spec.acme.solvers;
                    expect(solver.selector).to.deep.equal({ dnsZones: [m.domain] });
                    expect(solver.dns01.route53.region).to.equal("ap-south-1");
                    expect(solver.dns01.route53.hostedZoneID).to.match(/^Z[0-9A-F]+$/);
                });
            });
        });
    }
});
