/**
 * The EKS cluster: KMS envelope encryption of Secrets, control-plane logs with retention, a
 * managed node group in the private subnets (IMDSv2 only), the OIDC provider for IRSA, the core
 * managed add-ons, and a Kubernetes provider plus an encrypted gp3 StorageClass.
 */
import * as aws from "./sdk";
import * as k8s from "../k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import { awsSystemNodes, ClusterConfig } from "../../stacks/schema";
import { ClusterAccess } from "./access";
import { plainServiceTrustPolicy, policyJson } from "./iam";
import { IrsaRole } from "./irsaRole";
import { EncryptionKey } from "./kms";
import { eksKubeconfig } from "./kubeconfig";

export const storageClassName = "gp3-encrypted";

export interface ClusterArgs {
    /** Physical cluster name, such as `bookkeep-production` (the name CI's `aws eks update-kubeconfig --name` uses). */
    readonly clusterName: string;
    /** Validated `bookkeep:cluster`: version, node counts, API allow-list (at most 40 ranges). */
    readonly cluster: ClusterConfig;
    /** EC2 instance type of the managed (system) node group (`bookkeep:aws.nodeInstanceType`). */
    readonly instanceType: string;
    /** The Kubernetes service range (`bookkeep:aws.serviceCidr`), outside the VPC. */
    readonly serviceCidr: string;
    /** The role CI deploys as: the only cluster-admin access entry. */
    readonly deployRoleArn: string;
    /** Operators' roles: admin access entries. */
    readonly operatorRoleArns: readonly string[];
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    /** Private (node) subnets, one per AZ: control-plane ENIs and nodes live here. */
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** KMS key admitting CloudWatch Logs, for the control-plane log group. */
    readonly logsKeyArn: pulumi.Input<string>;
    /** Days of control-plane logs kept (a CloudWatch retention value). */
    readonly logRetentionDays: number;
    /** Protect the secrets key and enable EKS deletion protection (production). Default false. */
    readonly protect?: boolean;
    readonly provider: aws.Provider;
}

/** Control-plane log types; api, audit and authenticator are the ones a security review asks for. */
export const controlPlaneLogTypes = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** Graviton families (t4g, m7g, c7gn, ...) need the ARM AMI. */
export function amiTypeFor(instanceType: string): string {
    return /^[a-z]+\d+g/.test(instanceType.split(".")[0] ?? "") ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

const managedPolicy = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/**
 * The managed node group holds the system pods Karpenter itself needs (its own two replicas, which
 * must be on different nodes in different zones, CoreDNS, the EBS CSI controller): two nodes,
 * one more while a node update surges. Karpenter adds every other node.
 */
export const systemNodes = { desired: awsSystemNodes, min: awsSystemNodes, max: awsSystemNodes + 1 } as const;

/**
 * VPC CNI settings: NetworkPolicy enforcement, and prefix delegation so each ENI slot carries a /28
 * of pod addresses; pod density is then bounded by kubelet's maxPods (110), not the t3's per-ENI
 * IP limit (17 pods on a t3.medium, the staging squeeze the plan's requests showed).
 */
export const vpcCniConfiguration = {
    enableNetworkPolicy: "true",
    env: { ENABLE_PREFIX_DELEGATION: "true", WARM_PREFIX_TARGET: "1" },
} as const;

export class Cluster extends pulumi.ComponentResource {
    public readonly cluster: aws.eks.Cluster;
    public readonly name: pulumi.Output<string>;
    /** Attached to every node (and so to every pod's ENI): the only source admitted by the data stores. */
    public readonly nodeSecurityGroup: aws.ec2.SecurityGroup;
    public readonly nodeGroup: aws.eks.NodeGroup;
    /** The EKS-created cluster security group: control plane to node traffic. */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    public readonly oidcProvider: aws.iam.OpenIdConnectProvider;
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    /** Kubeconfig using `aws eks get-token`; a secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly k8sProvider: k8s.Provider;
    public readonly storageClass: k8s.storage.v1.StorageClass;
    /** The VolumeSnapshot CRDs and controller (an EKS add-on). */
    public readonly snapshotController: aws.eks.Addon;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:Cluster", name, {}, opts);
        const c = args.cluster;
        const protect = args.protect ?? false;
        const o = { parent: this, provider: args.provider };

        const secretsKey = new EncryptionKey(`${name}-secrets`, {
            description: `EKS ${args.clusterName}: envelope encryption of Kubernetes Secrets`,
            alias: `${args.clusterName}-eks-secrets`,
            protect,
            provider: args.provider,
        }, { parent: this });

        const clusterRole = new aws.iam.Role(`${name}-cluster`, {
            description: `EKS control plane of ${args.clusterName}`,
            assumeRolePolicy: plainServiceTrustPolicy("eks.amazonaws.com"),
        }, o);
        const clusterPolicy = new aws.iam.RolePolicyAttachment(`${name}-cluster-policy`, {
            role: clusterRole.name, policyArn: managedPolicy("AmazonEKSClusterPolicy"),
        }, o);
        const clusterKms = new aws.iam.RolePolicy(`${name}-cluster-kms`, {
            role: clusterRole.id,
            policy: policyJson({
                Effect: "Allow",
                Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                Resource: secretsKey.arn,
            }),
        }, o);

        // EKS writes to this exact name; creating it first is how the retention and key are set.
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-control-plane`, {
            name: `/aws/eks/${args.clusterName}/cluster`,
            retentionInDays: args.logRetentionDays,
            kmsKeyId: args.logsKeyArn,
        }, o);

        this.cluster = new aws.eks.Cluster(`${name}-eks`, {
            name: args.clusterName,
            version: c.kubernetesVersion,
            roleArn: clusterRole.arn,
            vpcConfig: {
                subnetIds: args.privateSubnetIds,
                endpointPrivateAccess: true,
                // Public endpoint for operators and CI only, from the configured ranges.
                endpointPublicAccess: true,
                publicAccessCidrs: c.apiAllowedCidrs,
            },
            // Explicit, so NetworkPolicies can name the `kubernetes` Service address (the range's
            // first host) before the cluster exists; EKS would otherwise pick 10.100/16 or 172.20/16.
            kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: args.serviceCidr },
            encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
            enabledClusterLogTypes: controlPlaneLogTypes,
            // Access entries instead of the aws-auth ConfigMap. No implicit entry for the creator: the
            // deploy role gets an explicit one below (an implicit entry for the same principal would
            // make that AccessEntry fail as a duplicate), and whoever runs the first `up` by hand
            // does not stay admin forever. This setting is fixed at creation.
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            // No extended support (its fee is six times the cluster price). EKS does not stop at the
            // end of standard support: it upgrades the control plane to the next minor version by
            // itself, and the pinned `version` above would then ask for a downgrade, which fails.
            // So bump bookkeep:cluster.kubernetesVersion (stacks/schema.ts lists the allowed ones)
            // before the pinned version's end of standard support, one minor at a time.
            upgradePolicy: { supportType: "STANDARD" },
            deletionProtection: protect,
        }, { ...o, dependsOn: [clusterPolicy, clusterKms, logGroup] });
        this.name = this.cluster.name;
        const clusterName = this.cluster.name;
        this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;

        const access = new ClusterAccess(`${name}-access`, {
            clusterName,
            deployRoleArn: args.deployRoleArn,
            operatorRoleArns: args.operatorRoleArns,
            provider: args.provider,
        }, { parent: this });

        this.nodeSecurityGroup = new aws.ec2.SecurityGroup(`${name}-nodes`, {
            vpcId: args.vpcId,
            description: `EKS ${args.clusterName} nodes and pods: the source admitted by data stores`,
            // No rules: node-to-node and control-plane traffic is allowed by the EKS cluster
            // security group, attached alongside this one.
            tags: { Name: `${args.clusterName}-nodes` },
        }, o);

        const nodeRole = new aws.iam.Role(`${name}-nodes`, {
            description: `EKS ${args.clusterName} managed nodes`,
            assumeRolePolicy: plainServiceTrustPolicy("ec2.amazonaws.com"),
        }, o);
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map(p =>
            new aws.iam.RolePolicyAttachment(`${name}-nodes-${p}`, { role: nodeRole.name, policyArn: managedPolicy(p) }, o));

        const launchTemplate = new aws.ec2.LaunchTemplate(`${name}-nodes`, {
            description: `EKS ${args.clusterName} managed nodes`,
            // IMDSv2 only, one hop: pods cannot reach the node role's credentials; they use IRSA.
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
            blockDeviceMappings: [{
                deviceName: "/dev/xvda",
                ebs: { volumeSize: 50, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            }],
            // Naming security groups here replaces EKS's default, so the cluster SG is listed too.
            vpcSecurityGroupIds: [this.cluster.vpcConfig.clusterSecurityGroupId, this.nodeSecurityGroup.id],
            updateDefaultVersion: true,
            tagSpecifications: [{ resourceType: "instance", tags: { Name: `${args.clusterName}-node` } }],
        }, o);

        const addon = (addonName: string, extra: Partial<aws.eks.AddonArgs>, dependsOn: pulumi.Resource[]) =>
            new aws.eks.Addon(`${name}-${addonName}`, {
                clusterName,
                addonName,
                // No addonVersion: EKS installs the default for the cluster's Kubernetes version.
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "PRESERVE",
                ...extra,
            }, { ...o, dependsOn });

        // Networking add-ons first so nodes join with the managed versions; NetworkPolicies are
        // enforced only when the VPC CNI's network policy agent is on.
        const vpcCni = addon("vpc-cni", { configurationValues: JSON.stringify(vpcCniConfiguration) }, []);
        const kubeProxy = addon("kube-proxy", {}, []);

        this.nodeGroup = new aws.eks.NodeGroup(`${name}-nodes`, {
            clusterName,
            nodeRoleArn: nodeRole.arn,
            subnetIds: args.privateSubnetIds,
            instanceTypes: [args.instanceType],
            amiType: amiTypeFor(args.instanceType),
            capacityType: "ON_DEMAND",
            // A fixed size: Karpenter (karpenter.ts) scales the cluster with nodes of its own.
            scalingConfig: { desiredSize: systemNodes.desired, minSize: systemNodes.min, maxSize: systemNodes.max },
            updateConfig: { maxUnavailable: 1 },
            launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
            labels: { "bookkeep.app/pool": "system" },
        }, { ...o, dependsOn: [...nodePolicies, vpcCni, kubeProxy] });

        const issuer = this.cluster.identities.apply(ids => {
            // EKS always creates an OIDC issuer for a cluster; a missing one means the API changed shape.
            const url = ids[0]?.oidcs?.[0]?.issuer;
            if (url === undefined) throw new Error(`EKS cluster ${name} reported no OIDC issuer`);
            return url;
        });
        this.oidcIssuerUrl = issuer;
        this.oidcProvider = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, {
            url: issuer,
            clientIdLists: ["sts.amazonaws.com"],
            // No thumbprint: IAM trusts EKS OIDC issuers through its own CA library.
        }, o);

        const ebsCsiRole = new IrsaRole(`${name}-ebs-csi`, {
            description: `EBS CSI controller of ${args.clusterName}`,
            oidcProviderArn: this.oidcProvider.arn,
            oidcIssuerUrl: issuer,
            subject: { namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" },
            managedPolicies: { ebs: "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" },
            provider: args.provider,
        }, { parent: this });

        // CoreDNS and the EBS CSI controller are Deployments: they only become healthy on nodes.
        const coreDns = addon("coredns", {}, [this.nodeGroup]);
        const ebsCsi = addon("aws-ebs-csi-driver", { serviceAccountRoleArn: ebsCsiRole.arn }, [this.nodeGroup]);
        // EKS ships no metrics API; without it every HorizontalPodAutoscaler holds its minimum
        // forever (GKE bundles metrics-server, so only this cloud adds it).
        addon("metrics-server", {}, [this.nodeGroup]);
        // EKS ships no VolumeSnapshot CRDs or controller; Velero's CSI snapshots need both.
        this.snapshotController = addon("snapshot-controller", {}, [this.nodeGroup]);

        this.kubeconfig = pulumi.secret(pulumi.all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority])
            .apply(([n, endpoint, ca]) => eksKubeconfig({ clusterName: n, endpoint, certificateAuthorityData: ca.data!, region: args.region })));
        this.k8sProvider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, {
            parent: this,
            // Workloads deployed through this provider need schedulable nodes, cluster DNS, and the
            // deploy role's access entry (without it every Kubernetes call is refused).
            dependsOn: [this.nodeGroup, coreDns, access.deployAccess],
        });

        this.storageClass = new k8s.storage.v1.StorageClass(`${name}-${storageClassName}`, {
            metadata: { name: storageClassName, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true", fsType: "ext4" },
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
            // Production volumes (NATS JetStream, Elasticsearch) outlive an accidental PVC delete.
            reclaimPolicy: protect ? "Retain" : "Delete",
        }, { parent: this, provider: this.k8sProvider, dependsOn: [ebsCsi] });

        this.registerOutputs({ name: this.name, oidcIssuerUrl: this.oidcIssuerUrl, kubeconfig: this.kubeconfig });
    }
}
