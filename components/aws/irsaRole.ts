/**
 * An IAM role for one Kubernetes service account (IRSA): assumable only by that service account's
 * projected token from this cluster's OIDC issuer, with exactly the permissions given.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { inputError } from "../../stacks/errors";
import { WorkloadSubject } from "../identities";
import { irsaTrustPolicy } from "./iam";

export interface IrsaRoleArgs {
    readonly description: string;
    readonly oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<id>`). */
    readonly oidcIssuerUrl: pulumi.Input<string>;
    /** The only service account that may assume the role. */
    readonly subject: WorkloadSubject;
    /** Inline policy JSON scoped to the resources the workload touches. Default: none. */
    readonly policy?: pulumi.Input<string>;
    /** AWS-managed policies to attach, keyed by a short name used in the resource name. Default: none. */
    readonly managedPolicies?: Readonly<Record<string, string>>;
    readonly provider: aws.Provider;
}

export class IrsaRole extends pulumi.ComponentResource {
    public readonly role: aws.iam.Role;
    public readonly arn: pulumi.Output<string>;
    /** Its inline policy and attachments: a pod that assumes the role before they exist gets AccessDenied. */
    public readonly grants: pulumi.Resource[] = [];

    constructor(name: string, args: IrsaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:IrsaRole", name, {}, opts);
        if (args.policy === undefined && Object.keys(args.managedPolicies ?? {}).length === 0) {
            throw inputError("IRSA role", [{ propertyPath: `${name}.policy`, reason: "a role needs an inline policy or at least one managed policy" }]);
        }
        const o = { parent: this, provider: args.provider };
        this.role = new aws.iam.Role(`${name}-role`, {
            description: args.description,
            assumeRolePolicy: irsaTrustPolicy(args.oidcProviderArn, args.oidcIssuerUrl, args.subject),
        }, o);
        if (args.policy !== undefined) {
            this.grants.push(new aws.iam.RolePolicy(`${name}-policy`, { role: this.role.id, policy: args.policy }, o));
        }
        for (const [key, policyArn] of Object.entries(args.managedPolicies ?? {})) {
            this.grants.push(new aws.iam.RolePolicyAttachment(`${name}-${key}`, { role: this.role.name, policyArn }, o));
        }
        this.arn = this.role.arn;
        this.registerOutputs({ arn: this.arn });
    }
}
