/**
 * A whole BookKeep environment: the cloud foundation, the Cloudflare edge in front of it (cloud
 * stacks with `edge.enabled`), the shared Kubernetes platform on top of it, and the service fleet,
 * rolled out only after the database migration Job has completed and the API gateway (whose chart
 * installs the Gateway API CRDs the fleet's routes need) is in place.
 */
import * as pulumi from "@pulumi/pulumi";
import { Release } from "../services/release";
import { ServiceSpec } from "../services/schema";
import { StackConfig } from "../stacks/schema";
import { CloudflareEdge } from "./edge/cloudflare";
import { createFoundation } from "./factory";
import { Fleet } from "./fleet";
import { CloudFoundation } from "./foundation";
import { KubernetesPlatform } from "./k8s/platform";

export interface PlatformArgs {
    /** Validated stack config (stacks/load.ts). */
    readonly config: StackConfig;
    /** Validated service catalog (services/). */
    readonly catalog: readonly ServiceSpec[];
    /** Which image each service runs (releases/); only the fleet reads it. */
    readonly release: Release;
    /** The Cloudflare API token (`cloudflare:apiToken`, a secret). Default: the provider reads CLOUDFLARE_API_TOKEN. */
    readonly cloudflareApiToken?: pulumi.Output<string>;
}

export class Platform extends pulumi.ComponentResource {
    public readonly foundation: CloudFoundation;
    public readonly kubernetes: KubernetesPlatform;
    public readonly fleet: Fleet;
    /** The Cloudflare edge, where `bookkeep:edge.enabled` (cloud stacks). */
    public readonly edge?: CloudflareEdge;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:index:Platform", name, {}, opts);
        const { config, catalog } = args;
        this.foundation = createFoundation(`${name}-${config.cloud}`, config, { parent: this });
        const endpoints = this.foundation.publicEndpoints;
        if ("edge" in config && config.edge.enabled && endpoints) {
            this.edge = new CloudflareEdge(`${name}-edge`, {
                domain: config.domain, environment: config.environment, acmeEmail: config.acmeEmail, edge: config.edge, endpoints,
                apiToken: args.cloudflareApiToken,
            }, { parent: this });
        }
        const k8sOpts = { parent: this, providers: [this.foundation.k8sProvider] };
        this.kubernetes = new KubernetesPlatform(`${name}-k8s`, {
            config, foundation: this.foundation, catalog, origin: this.edge?.origin, certificateIssuer: this.edge?.certificateIssuer,
        }, k8sOpts);
        this.fleet = new Fleet(`${name}-fleet`, {
            config,
            foundation: this.foundation,
            catalog,
            namespace: this.kubernetes.namespaces.app,
            release: args.release,
        }, { ...k8sOpts, dependsOn: this.kubernetes.readyForFleet });
        this.registerOutputs({});
    }
}
