/**
 * The public Cloud DNS zone for the stack's domain, DNSSEC-signed, with the API and CDN records.
 * Delegate the domain to `nameServers` (and publish the DS record) at the registrar.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { caaRecords } from "../certificates";
import { Environment } from "../../stacks/schema";

export const recordTtl = 300;

export interface CloudDnsArgs {
    /** The zone's domain: api.<domain> and cdn.<domain> live in it. */
    readonly domain: string;
    /** Labels and describes the zone. */
    readonly environment: Environment;
    readonly provider: gcp.Provider;
    /** Protect stateful resources from deletion (production); computed once by the foundation. Default false. */
    readonly protect?: boolean;
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
        const { domain, environment, provider } = args;
        const childOpts = { parent: this, provider };
        this.apiHostname = `api.${domain}`;
        this.cdnHostname = `cdn.${domain}`;

        // Recreating a zone changes its name servers and breaks the registrar's delegation.
        this.zone = new gcp.dns.ManagedZone(`${name}-zone`, {
            dnsName: `${domain}.`,
            description: `BookKeep ${environment} public zone`,
            visibility: "public",
            dnssecConfig: { state: "on" },
            cloudLoggingConfig: { enableLogging: true },
            labels: { environment },
        }, { ...childOpts, protect: args.protect ?? false });

        const record = (label: string, hostname: string, address: pulumi.Input<string>) => new gcp.dns.RecordSet(`${name}-${label}`, {
            managedZone: this.zone.name,
            name: `${hostname}.`,
            type: "A",
            ttl: recordTtl,
            rrdatas: [address],
        }, childOpts);
        record("api", this.apiHostname, args.apiAddress);
        record("cdn", this.cdnHostname, args.cdnAddress);
        // Only Let's Encrypt (cert-manager) and Google Trust Services (the CDN's managed
        // certificate) may issue for the domain; CAA applies to every name below it too.
        new gcp.dns.RecordSet(`${name}-caa`, {
            managedZone: this.zone.name,
            name: `${domain}.`,
            type: "CAA",
            ttl: recordTtl,
            rrdatas: caaRecords(["letsencrypt.org", "pki.goog"]),
        }, childOpts);

        this.nameServers = this.zone.nameServers;
        this.registerOutputs({ nameServers: this.nameServers });
    }
}
