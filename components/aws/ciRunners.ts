/**
 * Where CI reaches the Kubernetes API from: a security group for the stack's self-hosted runner
 * pool (docs/ci-runners.md), admitted to the cluster's private endpoint on 443. The public endpoint
 * stays limited to the operators' ranges (`cluster.apiAllowedCidrs`).
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";

export interface CiRunnerAccessArgs {
    /** Physical cluster name; the group is tagged `<clusterName>-ci-runners`, which the runner launch template selects. */
    readonly clusterName: string;
    readonly vpcId: pulumi.Input<string>;
    /** The EKS cluster security group, which guards the private endpoint's ENIs. */
    readonly clusterSecurityGroupId: pulumi.Input<string>;
    readonly provider: aws.Provider;
}

export class CiRunnerAccess extends pulumi.ComponentResource {
    public readonly securityGroup: aws.ec2.SecurityGroup;

    constructor(name: string, args: CiRunnerAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:CiRunnerAccess", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        this.securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, {
            vpcId: args.vpcId,
            description: `${args.clusterName} CI runners: the deploy's way to the private Kubernetes API`,
            tags: { Name: `${args.clusterName}-ci-runners` },
        }, o);
        // Everything a deploy calls (GitHub, npm, STS, the state bucket, the AWS APIs, the cluster
        // endpoint) is HTTPS; the runners accept nothing inbound.
        new aws.vpc.SecurityGroupEgressRule(`${name}-https`, {
            securityGroupId: this.securityGroup.id,
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
            description: "HTTPS: GitHub, npm, AWS APIs and the cluster endpoint",
        }, o);
        new aws.vpc.SecurityGroupIngressRule(`${name}-api`, {
            securityGroupId: args.clusterSecurityGroupId,
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            referencedSecurityGroupId: this.securityGroup.id,
            description: "Kubernetes API from the CI runner pool",
        }, o);
        this.registerOutputs({ securityGroupId: this.securityGroup.id });
    }
}
