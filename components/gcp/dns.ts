/**
 * The public Cloud DNS zone for the stack's domain, DNSSEC-signed, with the API and CDN records.
 * Delegate the domain to `nameServers` (and publish the DS record) at the registrar.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { protectStateful } from "../foundation";
import { StackConfig } from "../../stacks/schema";

export const recordTtl = 300;

export interface CloudDnsArgs {
    readonly config: StackConfig;
    readonly provider: gcp.Provider;
    /** IPv4 of the ingress load balancer (api.<domain>). */
    readonly apiAddress: pulumi.Input<string>;
    /** IPv4 of the CDN load balancer (cdn.<domain>). */
    readonly cdnAddress: pulumi.Input<string>;
}

export class CloudDns extends pulumi.ComponentResource {
    public readonly zone: gcp.dns.ManagedZone;
    public readonly nameServers: pulumi.Output<string[]>;
    public readonly apiHostname: string;
    public readonly cdnHostname: string;

    constructor(name: string, args: CloudDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:CloudDns", name, {}, opts);
        const { config, provider } = args;
        const childOpts = { parent: this, provider };
        this.apiHostname = `api.${config.domain}`;
        this.cdnHostname = `cdn.${config.domain}`;

        // Recreating a zone changes its name servers and breaks the registrar's delegation.
        this.zone = new gcp.dns.ManagedZone(`${name}-zone`, {
            dnsName: `${config.domain}.`,
            description: `BookKeep ${config.environment} public zone`,
            visibility: "public",
            dnssecConfig: { state: "on" },
            cloudLoggingConfig: { enableLogging: true },
            labels: { environment: config.environment },
        }, { ...childOpts, protect: protectStateful(config.environment) });

        const record = (label: string, hostname: string, address: pulumi.Input<string>) => new gcp.dns.RecordSet(`${name}-${label}`, {
            managedZone: this.zone.name,
            name: `${hostname}.`,
            type: "A",
            ttl: recordTtl,
            rrdatas: [address],
        }, childOpts);
        record("api", this.apiHostname, args.apiAddress);
        record("cdn", this.cdnHostname, args.cdnAddress);

        this.nameServers = this.zone.nameServers;
        this.registerOutputs({ nameServers: this.nameServers });
    }
}
