/**
 * The static regional IP of the ingress controller's load balancer (a backend-service-based
 * external passthrough Network Load Balancer), so api.<domain> can point at it before the
 * Kubernetes Service exists and keeps its address if the Service is recreated.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";

export interface IngressAddressArgs {
    /** Names the address (`bookkeep-<environment>-ingress`). */
    readonly environment: Environment;
    /** Region of the regional load balancer. */
    readonly region: string;
    readonly provider: gcp.Provider;
}

export class IngressAddress extends pulumi.ComponentResource {
    public readonly address: gcp.compute.Address;
    /** The address resource's name, known before deployment: the Service annotation refers to it. */
    public readonly addressName: string;

    constructor(name: string, args: IngressAddressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:IngressAddress", name, {}, opts);
        const { environment, region, provider } = args;
        this.addressName = `bookkeep-${environment}-ingress`;
        this.address = new gcp.compute.Address(`${name}-ip`, {
            name: this.addressName,
            region,
            addressType: "EXTERNAL",
            networkTier: "PREMIUM",
        }, { parent: this, provider });
        this.registerOutputs({ address: this.address.address });
    }
}
