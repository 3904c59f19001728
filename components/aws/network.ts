/**
 * The VPC: public, private (nodes) and isolated data subnets in each availability zone, NAT for the
 * private tier, an S3 gateway endpoint, and VPC flow logs to a KMS-encrypted log group.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { policyJson, serviceTrustPolicy } from "./iam";
import { SubnetLayout, subnetLayout, SubnetPlan } from "./subnets";

export interface NetworkArgs {
    /** The VPC's block (RFC 1918); the three subnet tiers are carved from it. */
    readonly vpcCidr: string;
    /** One NAT gateway per AZ, or a single shared one (a zone outage then cuts egress). */
    readonly natGateways: "single" | "perAz";
    /** Days of VPC flow logs kept (a CloudWatch retention value). */
    readonly flowLogRetentionDays: number;
    readonly region: string;
    /** Exactly the AZs of `bookkeep:aws.availabilityZones`; one subnet of each tier per AZ. */
    readonly availabilityZones: readonly string[];
    /** EKS cluster name, for the subnet discovery tags the Kubernetes AWS cloud provider reads. */
    readonly clusterName: string;
    /** KMS key (its policy must admit CloudWatch Logs) for the flow-log group. */
    readonly logsKeyArn: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    readonly provider: aws.Provider;
}

export class Network extends pulumi.ComponentResource {
    public readonly vpc: aws.ec2.Vpc;
    public readonly layout: SubnetLayout;
    public readonly publicSubnets: aws.ec2.Subnet[];
    public readonly privateSubnets: aws.ec2.Subnet[];
    public readonly dataSubnets: aws.ec2.Subnet[];
    public readonly natGateways: aws.ec2.NatGateway[];
    /** Static addresses for the ingress NLB, one per public subnet, so `api.<domain>` is known up front. */
    public readonly ingressAddresses: aws.ec2.Eip[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:Network", name, {}, opts);
        // Validates the CIDR and AZs before anything registers.
        this.layout = subnetLayout(args.vpcCidr, args.availabilityZones);
        const o = { parent: this, provider: args.provider };
        const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };

        this.vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.vpcCidr,
            // Both are required for the EKS private endpoint and RDS/ElastiCache DNS names.
            enableDnsSupport: true,
            enableDnsHostnames: true,
            tags: { Name: name },
        }, o);
        const vpcId = this.vpc.id;

        // Strip the default security group's allow-all rules (CIS AWS 5.4); nothing uses it.
        new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId, ingress: [], egress: [] }, o);

        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId, tags: { Name: name } }, o);

        const subnet = (plan: SubnetPlan, tags: Record<string, string>) =>
            new aws.ec2.Subnet(`${name}-${plan.tier}-${plan.availabilityZone}`, {
                vpcId,
                cidrBlock: plan.cidr,
                availabilityZone: plan.availabilityZone,
                // Nothing in any tier gets a public IP implicitly; NAT and the NLB use Elastic IPs.
                mapPublicIpOnLaunch: false,
                tags: { Name: `${name}-${plan.tier}-${plan.availabilityZone}`, Tier: plan.tier, ...tags },
            }, o);
        this.publicSubnets = this.layout.public.map(p => subnet(p, { ...clusterTag, "kubernetes.io/role/elb": "1" }));
        this.privateSubnets = this.layout.private.map(p => subnet(p, { ...clusterTag, "kubernetes.io/role/internal-elb": "1" }));
        this.dataSubnets = this.layout.data.map(p => subnet(p, {}));

        const publicRoutes = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId, tags: { Name: `${name}-public` } }, o);
        new aws.ec2.Route(`${name}-public-default`, { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }, o);
        this.publicSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-public-${args.availabilityZones[i]}`, {
            subnetId: s.id, routeTableId: publicRoutes.id,
        }, o));

        // Production keeps a NAT gateway in every AZ so losing one AZ never cuts the others off;
        // staging shares one to save cost.
        const natAzs = args.natGateways === "perAz" ? args.availabilityZones : args.availabilityZones.slice(0, 1);
        this.natGateways = natAzs.map(az => {
            const eip = new aws.ec2.Eip(`${name}-nat-${az}`, { domain: "vpc", tags: { Name: `${name}-nat-${az}` } }, o);
            const publicSubnet = this.publicSubnets[args.availabilityZones.indexOf(az)];
            if (publicSubnet === undefined) throw new Error(`no public subnet in ${az} to hold its NAT gateway`);
            return new aws.ec2.NatGateway(`${name}-nat-${az}`, {
                allocationId: eip.allocationId,
                subnetId: publicSubnet.id,
                connectivityType: "public",
                tags: { Name: `${name}-nat-${az}` },
            }, { ...o, dependsOn: [igw] });
        });

        const privateRouteTables = this.privateSubnets.map((s, i) => {
            const az = args.availabilityZones[i];
            const nat = this.natGateways[Math.min(i, this.natGateways.length - 1)];
            if (nat === undefined) throw new Error(`no NAT gateway for the private subnet in ${az}`);
            const rt = new aws.ec2.RouteTable(`${name}-private-${az}-rt`, { vpcId, tags: { Name: `${name}-private-${az}` } }, o);
            new aws.ec2.Route(`${name}-private-${az}-default`, { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id }, o);
            new aws.ec2.RouteTableAssociation(`${name}-private-${az}`, { subnetId: s.id, routeTableId: rt.id }, o);
            return rt;
        });

        // The data tier has only the implicit local route: databases never reach the internet.
        const dataRoutes = new aws.ec2.RouteTable(`${name}-data-rt`, { vpcId, tags: { Name: `${name}-data` } }, o);
        this.dataSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`${name}-data-${args.availabilityZones[i]}`, {
            subnetId: s.id, routeTableId: dataRoutes.id,
        }, o));

        // Backups, documents and image layers (ECR stores them in S3) stay off the NAT gateways.
        new aws.ec2.VpcEndpoint(`${name}-s3`, {
            vpcId,
            serviceName: `com.amazonaws.${args.region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: privateRouteTables.map(rt => rt.id),
            tags: { Name: `${name}-s3` },
        }, o);

        this.ingressAddresses = args.availabilityZones.map(az =>
            new aws.ec2.Eip(`${name}-ingress-${az}`, { domain: "vpc", tags: { Name: `${name}-ingress-${az}` } }, o));

        const flowLogGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, {
            name: `/aws/vpc/flow-logs/${args.clusterName}`,
            retentionInDays: args.flowLogRetentionDays,
            kmsKeyId: args.logsKeyArn,
        }, o);
        const flowLogRole = new aws.iam.Role(`${name}-flow-logs`, {
            description: "VPC flow logs delivery to CloudWatch Logs",
            assumeRolePolicy: serviceTrustPolicy("vpc-flow-logs.amazonaws.com", args.accountId),
        }, o);
        new aws.iam.RolePolicy(`${name}-flow-logs`, {
            role: flowLogRole.id,
            policy: policyJson({
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                Resource: [flowLogGroup.arn, pulumi.interpolate`${flowLogGroup.arn}:*`],
            }),
        }, o);
        new aws.ec2.FlowLog(`${name}-flow-log`, {
            vpcId,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: flowLogGroup.arn,
            iamRoleArn: flowLogRole.arn,
            maxAggregationInterval: 60,
            tags: { Name: name },
        }, o);

        this.registerOutputs({
            vpcId,
            privateSubnetIds: this.privateSubnets.map(s => s.id),
            dataSubnetIds: this.dataSubnets.map(s => s.id),
        });
    }
}
