/**
 * Node autoscaling with Karpenter: the controller's IRSA role, the interruption queue fed by
 * EventBridge, the role and instance profile its nodes run as (with their access entry), the chart
 * from the vendored archives (CRDs as their own chart), and the EC2NodeClass and NodePool.
 */
import * as aws from "./sdk";
import * as k8s from "../k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../../stacks/schema";
import { chartArchive, charts } from "../k8s/charts";
import { plainServiceTrustPolicy, policyJson, Statement, tlsOnlyStatement } from "./iam";
import { IrsaRole } from "./irsaRole";
import { ec2NodeClassSpec, nodeClassName, nodePoolName, nodePoolSpec } from "./karpenterPool";

/** The vendored archives (charts/, digests in charts/SHA256SUMS), from aws/karpenter-provider-aws v1.14.1. */
export const karpenterChart = { version: charts.karpenter.version, chart: chartArchive(charts.karpenter), crdChart: chartArchive(charts.karpenterCrd) } as const;
/** Karpenter runs beside the other cluster-critical add-ons, as its upstream guide installs it. */
export const karpenterNamespace = "kube-system";
export const karpenterServiceAccount = "karpenter";

/** EC2 and AWS Health events Karpenter acts on before AWS stops or reclaims a node. */
export const interruptionEvents: Readonly<Record<string, { source: string[]; "detail-type": string[] }>> = {
    "scheduled-change": { source: ["aws.health"], "detail-type": ["AWS Health Event"] },
    "spot-interruption": { source: ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"] },
    rebalance: { source: ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"] },
    "state-change": { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
};

export interface KarpenterArgs {
    /** Physical cluster name (`bookkeep-<environment>`): tags, queue and role names derive from it. */
    readonly clusterName: string;
    readonly clusterArn: pulumi.Input<string>;
    readonly cluster: ClusterConfig;
    /** The environment matrix's node type: the smallest Karpenter launches. */
    readonly instanceType: string;
    readonly region: string;
    readonly accountId: pulumi.Input<string>;
    readonly availabilityZones: readonly string[];
    readonly privateSubnetIds: pulumi.Input<string>[];
    readonly securityGroupIds: pulumi.Input<string>[];
    readonly oidcProviderArn: pulumi.Input<string>;
    readonly oidcIssuerUrl: pulumi.Input<string>;
    readonly provider: aws.Provider;
    readonly k8sProvider: k8s.Provider;
}

const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** What the controller may do: launch and end only this cluster's nodes, read what it prices and places. */
export function controllerPolicyStatements(a: {
    clusterName: string; region: string; accountId: pulumi.Input<string>; clusterArn: pulumi.Input<string>;
    queueArn: pulumi.Input<string>; nodeRoleArn: pulumi.Input<string>;
}): Statement[] {
    const inRegion = { StringEquals: { "aws:RequestedRegion": a.region } };
    const owned = `aws:ResourceTag/kubernetes.io/cluster/${a.clusterName}`;
    const ec2 = (type: string) => pulumi.interpolate`arn:aws:ec2:${a.region}:*:${type}/*`;
    return [
        {
            Sid: "LaunchFromSharedResources",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            Resource: [ec2("image"), ec2("snapshot"), ec2("security-group"), ec2("subnet"), ec2("capacity-reservation")],
        },
        {
            // Launches reuse the launch templates Karpenter made for this cluster.
            Sid: "LaunchFromItsOwnTemplates",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet"],
            Resource: ec2("launch-template"),
            Condition: { StringEquals: { [owned]: "owned" }, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
        },
        {
            Sid: "LaunchTaggedForThisCluster",
            Effect: "Allow",
            Action: ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            Resource: [ec2("fleet"), ec2("instance"), ec2("volume"), ec2("network-interface"), ec2("launch-template"), ec2("spot-instances-request")],
            Condition: { StringEquals: { [`aws:RequestTag/kubernetes.io/cluster/${a.clusterName}`]: "owned" }, StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" } },
        },
        {
            Sid: "TagOnLaunch",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: [ec2("fleet"), ec2("instance"), ec2("volume"), ec2("network-interface"), ec2("launch-template"), ec2("spot-instances-request")],
            Condition: {
                StringEquals: { [`aws:RequestTag/kubernetes.io/cluster/${a.clusterName}`]: "owned", "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"] },
                StringLike: { "aws:RequestTag/karpenter.sh/nodepool": "*" },
            },
        },
        {
            Sid: "TagItsOwnInstances",
            Effect: "Allow",
            Action: "ec2:CreateTags",
            Resource: ec2("instance"),
            Condition: {
                StringEquals: { [owned]: "owned" },
                StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                "ForAllValues:StringEquals": { "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"] },
            },
        },
        {
            Sid: "EndItsOwnInstances",
            Effect: "Allow",
            Action: ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            Resource: [ec2("instance"), ec2("launch-template")],
            Condition: { StringEquals: { [owned]: "owned" }, StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" } },
        },
        {
            // EC2 Describe* calls support no resource-level permissions.
            Sid: "ReadPlacement",
            Effect: "Allow",
            Action: [
                "ec2:DescribeAvailabilityZones", "ec2:DescribeCapacityReservations", "ec2:DescribeImages", "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypeOfferings", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplates",
                "ec2:DescribePlacementGroups", "ec2:DescribeSecurityGroups", "ec2:DescribeSpotPriceHistory", "ec2:DescribeSubnets",
            ],
            Resource: "*",
            Condition: inRegion,
        },
        // The price list is served from a few regions only (not necessarily this one), and is public data.
        { Sid: "ReadPrices", Effect: "Allow", Action: "pricing:GetProducts", Resource: "*" },
        {
            Sid: "ResolveAmiAliases",
            Effect: "Allow",
            Action: "ssm:GetParameter",
            Resource: `arn:aws:ssm:${a.region}::parameter/aws/service/*`,
        },
        {
            Sid: "PassOnlyTheNodeRole",
            Effect: "Allow",
            Action: "iam:PassRole",
            Resource: a.nodeRoleArn,
            Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
        },
        { Sid: "ReadInstanceProfiles", Effect: "Allow", Action: "iam:GetInstanceProfile", Resource: pulumi.interpolate`arn:aws:iam::${a.accountId}:instance-profile/*` },
        { Sid: "ReadTheCluster", Effect: "Allow", Action: "eks:DescribeCluster", Resource: a.clusterArn },
        { Sid: "ReadInterruptions", Effect: "Allow", Action: ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"], Resource: a.queueArn },
    ];
}

export class Karpenter extends pulumi.ComponentResource {
    public readonly queue: aws.sqs.Queue;
    public readonly nodeRole: aws.iam.Role;
    public readonly controllerRoleArn: pulumi.Output<string>;
    public readonly nodePool: k8s.apiextensions.CustomResource;
    public readonly nodeClass: k8s.apiextensions.CustomResource;

    constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:Karpenter", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        const k = { parent: this, provider: args.k8sProvider };

        this.queue = new aws.sqs.Queue(`${name}-interruptions`, {
            name: `${args.clusterName}-karpenter`,
            // Interruption notices are stale after minutes; AWS gives two for a spot reclaim.
            messageRetentionSeconds: 300,
            sqsManagedSseEnabled: true,
        }, o);
        new aws.sqs.QueuePolicy(`${name}-interruptions`, {
            queueUrl: this.queue.url,
            policy: policyJson(
                {
                    Sid: "EventBridgeDelivers",
                    Effect: "Allow",
                    Principal: { Service: ["events.amazonaws.com", "sqs.amazonaws.com"] },
                    Action: "sqs:SendMessage",
                    Resource: this.queue.arn,
                },
                { ...tlsOnlyStatement(this.queue.arn), Action: "sqs:*", Resource: this.queue.arn },
            ),
        }, o);
        for (const [key, pattern] of Object.entries(interruptionEvents)) {
            const rule = new aws.cloudwatch.EventRule(`${name}-${key}`, {
                description: `${args.clusterName}: ${pattern["detail-type"][0]} to Karpenter`,
                eventPattern: JSON.stringify(pattern),
            }, o);
            new aws.cloudwatch.EventTarget(`${name}-${key}`, { rule: rule.name, arn: this.queue.arn }, o);
        }

        this.nodeRole = new aws.iam.Role(`${name}-node`, {
            description: `EKS ${args.clusterName} nodes launched by Karpenter`,
            assumeRolePolicy: plainServiceTrustPolicy("ec2.amazonaws.com"),
        }, o);
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map(p =>
            new aws.iam.RolePolicyAttachment(`${name}-node-${p}`, { role: this.nodeRole.name, policyArn: managedPolicy(p) }, o));
        const instanceProfile = new aws.iam.InstanceProfile(`${name}-node`, { role: this.nodeRole.name }, { ...o, dependsOn: nodePolicies });
        // Managed node groups get their access entry from EKS; nodes Karpenter launches need one to join.
        const nodeAccess = new aws.eks.AccessEntry(`${name}-node`, { clusterName: args.clusterName, principalArn: this.nodeRole.arn, type: "EC2_LINUX" }, o);

        const controller = new IrsaRole(`${name}-controller`, {
            description: `Karpenter controller of ${args.clusterName}`,
            oidcProviderArn: args.oidcProviderArn,
            oidcIssuerUrl: args.oidcIssuerUrl,
            subject: { namespace: karpenterNamespace, serviceAccount: karpenterServiceAccount },
            policy: policyJson(...controllerPolicyStatements({
                clusterName: args.clusterName, region: args.region, accountId: args.accountId, clusterArn: args.clusterArn,
                queueArn: this.queue.arn, nodeRoleArn: this.nodeRole.arn,
            })),
            provider: args.provider,
        }, { parent: this });
        this.controllerRoleArn = controller.arn;

        // The CRDs are a chart of their own, so upgrading or removing the controller never touches them.
        const crds = new k8s.helm.v4.Chart(`${name}-crd`, {
            chart: karpenterChart.crdChart,
            name: "karpenter-crd",
            namespace: karpenterNamespace,
        }, k);
        const chart = new k8s.helm.v4.Chart(name, {
            chart: karpenterChart.chart,
            name: "karpenter",
            namespace: karpenterNamespace,
            skipCrds: true,
            values: {
                settings: { clusterName: args.clusterName, interruptionQueue: this.queue.name },
                serviceAccount: { name: karpenterServiceAccount, annotations: { "eks.amazonaws.com/role-arn": controller.arn } },
                // The controller lives on the API (the pack's pod-no-automounted-token asks for the reason).
                podAnnotations: { "bookkeep.app/kube-api-access": "watches pending pods and nodes, and creates and deletes NodeClaims and Nodes" },
                // Requests equal limits: the controller must not be the pod evicted under pressure.
                controller: { resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "500m", memory: "512Mi" } } },
            },
        }, { ...k, dependsOn: [crds, nodeAccess, instanceProfile] });

        this.nodeClass = new k8s.apiextensions.CustomResource(`${name}-${nodeClassName}`, {
            apiVersion: "karpenter.k8s.aws/v1",
            kind: "EC2NodeClass",
            metadata: { name: nodeClassName },
            spec: ec2NodeClassSpec({
                clusterName: args.clusterName,
                instanceProfile: instanceProfile.name,
                privateSubnetIds: args.privateSubnetIds,
                securityGroupIds: args.securityGroupIds,
            }),
        }, { ...k, dependsOn: [crds] });
        this.nodePool = new k8s.apiextensions.CustomResource(`${name}-${nodePoolName}`, {
            apiVersion: "karpenter.sh/v1",
            kind: "NodePool",
            metadata: { name: nodePoolName },
            spec: nodePoolSpec(args.instanceType, args.cluster.maxNodes, args.availabilityZones),
        }, { ...k, dependsOn: [crds, chart, this.nodeClass] });

        this.registerOutputs({ queueName: this.queue.name, controllerRoleArn: this.controllerRoleArn });
    }
}
