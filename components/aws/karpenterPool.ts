/**
 * Karpenter's NodePool and EC2NodeClass specs, pure so the tests read them directly: private
 * subnets only, IMDSv2 only, encrypted gp3 roots, on-demand instances from the offerings table no
 * smaller than the environment matrix's node type, and at most `cluster.maxNodes` nodes' worth.
 */
import * as pulumi from "@pulumi/pulumi";
import { awsNodeInstanceTypes } from "../../stacks/offerings";
import { amiTypeFor, systemNodes } from "./cluster";

export interface InstanceShape {
    readonly vcpu: number;
    readonly memoryMiB: number;
}

const vcpuBySize: Readonly<Record<string, number>> = { medium: 2, large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16 };
/** GiB per vCPU by family letter: general purpose 4, compute 2, memory 8 (the burstable medium has 2). */
const gibPerVcpu: Readonly<Record<string, number>> = { t: 4, m: 4, c: 2, r: 8 };

/** vCPUs and memory of a type in the offerings table (stacks/offerings.ts); throws for any other. */
export function instanceShape(instanceType: string): InstanceShape {
    const [family = "", size = ""] = instanceType.split(".");
    const vcpu = vcpuBySize[size];
    const perVcpu = family.startsWith("t") && size === "medium" ? 2 : gibPerVcpu[family.charAt(0)];
    if (vcpu === undefined || perVcpu === undefined || !awsNodeInstanceTypes.includes(instanceType)) {
        throw new Error(`no known shape for instance type ${instanceType}; add it to stacks/offerings.ts and here`);
    }
    return { vcpu, memoryMiB: vcpu * perVcpu * 1024 };
}

const architecture = (instanceType: string) => (amiTypeFor(instanceType).includes("ARM") ? "arm64" : "amd64");

/**
 * The types Karpenter may launch: offered in both Indian regions, of the matrix type's CPU
 * architecture, and at least as large as it in vCPUs and memory (the matrix is the floor).
 */
export function karpenterInstanceTypes(matrixType: string): string[] {
    const floor = instanceShape(matrixType);
    return awsNodeInstanceTypes.filter(t => {
        const s = instanceShape(t);
        return architecture(t) === architecture(matrixType) && s.vcpu >= floor.vcpu && s.memoryMiB >= floor.memoryMiB;
    });
}

/**
 * The NodePool's limits: `maxNodes` nodes of the matrix type in all, less the system node group's
 * nodes. Karpenter counts resources, not nodes, so larger types mean fewer of them.
 */
export function nodePoolLimits(matrixType: string, maxNodes: number): { cpu: string; memory: string } {
    const s = instanceShape(matrixType);
    const nodes = maxNodes - systemNodes.desired;
    return { cpu: String(nodes * s.vcpu), memory: `${(nodes * s.memoryMiB) / 1024}Gi` };
}

export const nodeClassName = "bookkeep";
export const nodePoolName = "general";

export interface NodeClassArgs {
    readonly clusterName: string;
    readonly instanceProfile: pulumi.Input<string>;
    readonly privateSubnetIds: pulumi.Input<string>[];
    /** The EKS cluster security group and the node security group the data stores admit. */
    readonly securityGroupIds: pulumi.Input<string>[];
}

export function ec2NodeClassSpec(args: NodeClassArgs): Record<string, unknown> {
    return {
        // The EKS-optimised AL2023 AMI for the cluster's version; a new release drifts nodes onto it
        // within the NodePool's disruption budget (security patches without a config change).
        amiSelectorTerms: [{ alias: "al2023@latest" }],
        instanceProfile: args.instanceProfile,
        subnetSelectorTerms: args.privateSubnetIds.map(id => ({ id })),
        securityGroupSelectorTerms: args.securityGroupIds.map(id => ({ id })),
        associatePublicIPAddress: false,
        // IMDSv2 only, one hop: pods cannot reach the node role's credentials; they use IRSA.
        metadataOptions: { httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [{
            deviceName: "/dev/xvda",
            ebs: { volumeSize: "50Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true },
        }],
        // With VPC CNI prefix delegation, ENI slots no longer bound pod density; kubelet's default does.
        kubelet: { maxPods: 110 },
        tags: { Name: `${args.clusterName}-node` },
    };
}

export function nodePoolSpec(matrixType: string, maxNodes: number, availabilityZones: readonly string[]): Record<string, unknown> {
    return {
        template: {
            metadata: { labels: { "bookkeep.app/pool": nodePoolName } },
            spec: {
                nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: nodeClassName },
                requirements: [
                    { key: "node.kubernetes.io/instance-type", operator: "In", values: karpenterInstanceTypes(matrixType) },
                    { key: "kubernetes.io/arch", operator: "In", values: [architecture(matrixType)] },
                    { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
                    // The data tier and the services are stateful enough that spot reclaims would cost more than they save.
                    { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
                    { key: "topology.kubernetes.io/zone", operator: "In", values: [...availabilityZones] },
                ],
                // Nodes are replaced monthly, so none runs an unpatched AMI for long.
                expireAfter: "720h",
            },
        },
        disruption: {
            consolidationPolicy: "WhenEmptyOrUnderutilized",
            consolidateAfter: "5m",
            // One node at a time: every PodDisruptionBudget keeps serving while nodes drain.
            budgets: [{ nodes: "1" }],
        },
        limits: nodePoolLimits(matrixType, maxNodes),
    };
}
