/**
 * Memorystore for Redis on the private services access range: AUTH on, TLS in transit (server
 * authentication, port 6378), hourly RDB snapshots (the seed's DR plan), STANDARD_HA (replica in
 * another zone, automatic failover) when `cache.highAvailability`.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { protectStateful } from "../foundation";
import { StackConfig } from "../../stacks/schema";
import { GcpNetwork } from "./network";

export interface MemorystoreRedisArgs {
    readonly config: StackConfig;
    readonly provider: gcp.Provider;
    readonly network: GcpNetwork;
}

export class MemorystoreRedis extends pulumi.ComponentResource {
    public readonly instance: gcp.redis.Instance;
    public readonly host: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    /** The AUTH string Memorystore generates; a secret. */
    public readonly authString: pulumi.Output<string>;

    constructor(name: string, args: MemorystoreRedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:MemorystoreRedis", name, {}, opts);
        const { config, provider, network } = args;
        const ha = config.cache.highAvailability;
        const [primaryZone, standbyZone] = config.gcp.zones;

        this.instance = new gcp.redis.Instance(name, {
            region: config.gcp.region,
            locationId: primaryZone,
            // Only STANDARD_HA has a replica; it goes to a different zone from the primary.
            alternativeLocationId: ha ? standbyZone : undefined,
            tier: ha ? "STANDARD_HA" : "BASIC",
            memorySizeGb: config.cache.gcpMemorySizeGb,
            redisVersion: "REDIS_7_2",
            connectMode: "PRIVATE_SERVICE_ACCESS",
            authorizedNetwork: network.vpc.id,
            // The instance takes its IP from our allocated range, not one Google picks.
            reservedIpRange: network.privateServicesRange.name,
            authEnabled: true,
            transitEncryptionMode: "SERVER_AUTHENTICATION",
            persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "ONE_HOUR" },
            maintenancePolicy: { weeklyMaintenanceWindows: [{ day: "SUNDAY", startTime: { hours: 21, minutes: 30 } }] },
            deletionProtection: protectStateful(config.environment),
            labels: { environment: config.environment },
        }, {
            parent: this,
            provider,
            protect: protectStateful(config.environment),
            dependsOn: [network.privateServicesConnection],
            additionalSecretOutputs: ["authString"],
        });

        this.host = this.instance.host;
        this.port = this.instance.port;
        this.authString = pulumi.secret(this.instance.authString);
        this.registerOutputs({ host: this.host, port: this.port });
    }
}
