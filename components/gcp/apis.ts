/**
 * The Google APIs the foundation calls. A fresh project has most of them off, and every resource
 * of a disabled API fails on create; enabling them here makes `pulumi up` work on a new project.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";

export const requiredApis = [
    "cloudkms.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "dns.googleapis.com",
    "iam.googleapis.com",
    // Workload Identity: pods exchange their Kubernetes token at STS, then impersonate their
    // Google service account through the IAM Credentials API.
    "iamcredentials.googleapis.com",
    "redis.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "sts.googleapis.com",
] as const;

export interface ProjectApisArgs {
    readonly provider: gcp.Provider;
}

export class ProjectApis extends pulumi.ComponentResource {
    public readonly services: gcp.projects.Service[];

    constructor(name: string, args: ProjectApisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:ProjectApis", name, {}, opts);
        this.services = requiredApis.map(api => new gcp.projects.Service(`${name}-${api.split(".")[0]}`, {
            service: api,
            // Other workloads in the project may use these APIs too: tearing down a stack must not
            // switch them off under them.
            disableOnDestroy: false,
            disableDependentServices: false,
        }, { parent: this, provider: args.provider }));
        this.registerOutputs({});
    }
}
