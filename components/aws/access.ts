/**
 * Who may log in to the cluster: EKS access entries (authentication mode API) for the role CI
 * deploys as and for the operators' roles, each with an EKS access policy.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";

/** EKS access policies (`arn:aws:eks::aws:cluster-access-policy/<name>`). */
export const accessPolicyArn = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`;

/** The deploy role creates CRDs, ClusterRoles and webhooks: cluster-admin. */
export const deployAccessPolicy = "AmazonEKSClusterAdminPolicy";
/**
 * Operators read and repair workloads in every namespace (the `admin` ClusterRole, cluster-wide)
 * but change cluster-scoped objects and RBAC only through the deploy.
 */
export const operatorAccessPolicy = "AmazonEKSAdminPolicy";

export interface ClusterAccessArgs {
    readonly clusterName: pulumi.Input<string>;
    /** `bookkeep:aws.deployRoleArn`. */
    readonly deployRoleArn: string;
    /** `bookkeep:aws.operatorRoleArns`; may be empty. */
    readonly operatorRoleArns: readonly string[];
    readonly provider: aws.Provider;
}

/** The last path segment of a role ARN: a stable, readable resource-name key. */
export function roleKey(arn: string): string {
    return arn.split("/").pop()!;
}

export class ClusterAccess extends pulumi.ComponentResource {
    /** The deploy role's policy association: Kubernetes calls as that role work once it exists. */
    public readonly deployAccess: aws.eks.AccessPolicyAssociation;

    constructor(name: string, args: ClusterAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:ClusterAccess", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        const grant = (key: string, principalArn: string, policy: string) => {
            const entry = new aws.eks.AccessEntry(`${name}-${key}`, { clusterName: args.clusterName, principalArn, type: "STANDARD" }, o);
            return new aws.eks.AccessPolicyAssociation(`${name}-${key}`, {
                clusterName: args.clusterName,
                principalArn: entry.principalArn,
                policyArn: accessPolicyArn(policy),
                accessScope: { type: "cluster" },
            }, o);
        };
        this.deployAccess = grant("deploy", args.deployRoleArn, deployAccessPolicy);
        // Keyed by role name, not position: reordering the list must not replace an entry.
        args.operatorRoleArns.forEach(arn => grant(`operator-${roleKey(arn)}`, arn, operatorAccessPolicy));
        this.registerOutputs({});
    }
}
