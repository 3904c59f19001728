/**
 * The Route 53 public zone for the configured domain and the `api` record. `api.<domain>` points at
 * the ingress NLB's Elastic IPs, allocated up front, so DNS never waits on Kubernetes.
 */
import * as aws from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { caaRecords } from "../certificates";

/** Certificate authorities allowed to issue for the domain: Let's Encrypt (cert-manager) and Amazon (ACM, cdn.). */
export const allowedIssuers = ["letsencrypt.org", "amazon.com"] as const;

export interface DnsZoneArgs {
    /** Apex domain (`bookkeep:domain`). */
    readonly domain: string;
    /** Public addresses of the ingress load balancer. */
    readonly apiAddresses: pulumi.Input<string>[];
    /**
     * The parent domain's Route 53 zone, when this account holds it (`bookkeep:aws.parentZoneId`):
     * the delegation NS record is written there. Default: none (delegated by hand, a bootstrap step).
     */
    readonly parentZoneId?: string;
    /** Protect the zone (production): recreating it changes the name servers at the registrar. Default false. */
    readonly protect?: boolean;
    readonly provider: aws.Provider;
}

export class DnsZone extends pulumi.ComponentResource {
    public readonly zone: aws.route53.Zone;
    public readonly zoneId: pulumi.Output<string>;
    public readonly nameServers: pulumi.Output<string[]>;
    public readonly apiHostname: string;

    constructor(name: string, args: DnsZoneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:aws:DnsZone", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        this.zone = new aws.route53.Zone(`${name}-zone`, {
            name: args.domain,
            comment: `BookKeep ${args.domain}`,
            forceDestroy: false,
        }, { ...o, protect: args.protect ?? false });
        this.nameServers = this.zone.nameServers;
        if (args.parentZoneId !== undefined) {
            const delegation = new aws.route53.Record(`${name}-delegation`, {
                zoneId: args.parentZoneId,
                name: args.domain,
                type: "NS",
                ttl: 172800,
                records: this.nameServers,
            }, o);
            // Everything that validates through the zone (ACM, cert-manager DNS-01) takes its id from
            // here, so it waits for the delegation instead of timing out on an unreachable zone.
            this.zoneId = pulumi.all([this.zone.zoneId, delegation.id]).apply(([zoneId]) => zoneId);
        } else {
            this.zoneId = this.zone.zoneId;
        }
        this.apiHostname = `api.${args.domain}`;
        new aws.route53.Record(`${name}-api`, {
            zoneId: this.zoneId,
            name: this.apiHostname,
            type: "A",
            ttl: 300,
            records: args.apiAddresses,
        }, o);
        // CAA applies to every name below the apex too: no other CA may issue for the domain.
        new aws.route53.Record(`${name}-caa`, {
            zoneId: this.zoneId,
            name: args.domain,
            type: "CAA",
            ttl: 3600,
            records: caaRecords(allowedIssuers),
        }, o);
        this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers });
    }
}
