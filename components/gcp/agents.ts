/**
 * The Google-managed service agents that need access to our CMEK keys and buckets. Agents that
 * support it are created with `projects.ServiceIdentity` (which also makes sure they exist before
 * we bind roles to them). Cloud Storage does not: its agent comes from the storage API's own
 * "get project service account" call, which also provisions it. GKE's, Memorystore's, Compute
 * Engine's and Cloud CDN's agents have fixed emails derived from the project number (the first
 * three are created when their API is enabled; Cloud CDN's when the first signed URL key is added).
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";

export interface ServiceAgentsArgs {
    /** Project whose service agents these are. */
    readonly project: string;
    readonly provider: gcp.Provider;
}

export class ServiceAgents extends pulumi.ComponentResource {
    /** IAM members (`serviceAccount:...`). */
    public readonly gke: pulumi.Output<string>;
    public readonly cloudSql: pulumi.Output<string>;
    public readonly secretManager: pulumi.Output<string>;
    public readonly storage: pulumi.Output<string>;
    /** Memorystore for Redis, which must be able to use the cache's CMEK key. */
    public readonly redis: pulumi.Output<string>;
    public readonly cdnFill: pulumi.Output<string>;
    /** Compute Engine, which encrypts node boot disks and persistent disks with our key. */
    public readonly compute: pulumi.Output<string>;

    constructor(name: string, args: ServiceAgentsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:ServiceAgents", name, {}, opts);
        const { project, provider } = args;
        const number = gcp.organizations.getProjectOutput({ projectId: project }, { parent: this, provider }).number;
        const agent = (domain: string) => pulumi.interpolate`serviceAccount:service-${number}@${domain}.iam.gserviceaccount.com`;
        this.gke = agent("container-engine-robot");
        this.cdnFill = agent("cloud-cdn-fill");
        this.redis = agent("cloud-redis");
        this.compute = agent("compute-system");
        const identity = (short: string, service: string) =>
            new gcp.projects.ServiceIdentity(`${name}-${short}`, { project, service }, { parent: this, provider });
        this.cloudSql = identity("sqladmin", "sqladmin.googleapis.com").member;
        this.secretManager = identity("secretmanager", "secretmanager.googleapis.com").member;
        this.storage = gcp.storage.getProjectServiceAccountOutput({ project }, { parent: this, provider }).member;
        this.registerOutputs({});
    }
}
