/**
 * Memorystore for Redis on the private services access range: AUTH on, TLS in transit (server
 * authentication, port 6378), CMEK at rest, hourly RDB snapshots (the required DR plan), STANDARD_HA
 * (replica in another zone, automatic failover) when `cache.highAvailability`.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { grantKeyUse } from "./kms";
import { GcpNetwork } from "./network";

export interface MemorystoreRedisArgs {
    /** Region of the instance. */
    readonly region: string;
    /** Zones of the region: the primary goes to the first, the HA replica to the second. */
    readonly zones: readonly string[];
    /** STANDARD_HA with a replica and automatic failover (`cache.highAvailability`). */
    readonly highAvailability: boolean;
    /** Memory of the instance (`gcp.cacheMemorySizeGb`). */
    readonly memorySizeGb: number;
    /** Labels the instance. */
    readonly environment: Environment;
    readonly provider: gcp.Provider;
    /** Protect stateful resources from deletion (production); computed once by the foundation. Default false. */
    readonly protect?: boolean;
    readonly network: GcpNetwork;
    /** CMEK key in `gcp.region` (Memorystore requires the key in the instance's region). */
    readonly key: gcp.kms.CryptoKey;
    /** IAM member of the Memorystore service agent, which must be able to use `key`. */
    readonly redisAgent: pulumi.Input<string>;
}

export class MemorystoreRedis extends pulumi.ComponentResource {
    public readonly instance: gcp.redis.Instance;
    public readonly host: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    /** The AUTH string Memorystore generates; a secret. */
    public readonly authString: pulumi.Output<string>;
    /**
     * PEM of the per-instance CA that signs the server certificate: clients verify TLS against it,
     * since public roots do not. A public certificate, so not a secret.
     */
    public readonly caCert: pulumi.Output<string>;

    constructor(name: string, args: MemorystoreRedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:MemorystoreRedis", name, {}, opts);
        const { region, environment, provider, network } = args;
        const ha = args.highAvailability;
        const protect = args.protect ?? false;
        const [primaryZone, standbyZone] = args.zones;
        const keyGrant = grantKeyUse(`${name}-key`, args.key, args.redisAgent, { parent: this, provider });

        this.instance = new gcp.redis.Instance(name, {
            region,
            locationId: primaryZone,
            // Only STANDARD_HA has a replica; it goes to a different zone from the primary.
            alternativeLocationId: ha ? standbyZone : undefined,
            tier: ha ? "STANDARD_HA" : "BASIC",
            memorySizeGb: args.memorySizeGb,
            redisVersion: "REDIS_7_2",
            connectMode: "PRIVATE_SERVICE_ACCESS",
            authorizedNetwork: network.vpc.id,
            // The instance takes its IP from our allocated range, not one Google picks.
            reservedIpRange: network.privateServicesRange.name,
            authEnabled: true,
            transitEncryptionMode: "SERVER_AUTHENTICATION",
            customerManagedKey: args.key.id,
            persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" },
            maintenancePolicy: { weeklyMaintenanceWindows: [{ day: "SUNDAY", startTime: { hours: 21, minutes: 30 } }] },
            deletionProtection: protect,
            labels: { environment },
        }, {
            parent: this,
            provider,
            protect,
            // Creation fails if the service agent cannot use the key yet.
            dependsOn: [network.privateServicesConnection, network.peeringCleanup, keyGrant],
            additionalSecretOutputs: ["authString"],
        });

        this.host = this.instance.host;
        this.port = this.instance.port;
        this.authString = pulumi.secret(this.instance.authString);
        this.caCert = this.instance.serverCaCerts.apply(certs => certs[0]?.cert ?? "");
        this.registerOutputs({ host: this.host, port: this.port, caCert: this.caCert });
    }
}
