/**
 * The required RPO of 1 hour (BookKeep-DevOps.md, "Disaster Recovery"), where the data-protection
 * policies (backups on, PITR on, retention, RDB persistence) do not already decide it: a production
 * Memorystore must snapshot every hour, its shortest period. (On AWS the hourly ElastiCache
 * snapshots are a CronJob the config loader already requires in production:
 * `aws.cacheHourlySnapshotsKept`, stacks/resilience.ts.)
 */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { isProduction, safe } from "./helpers";

export const memorystoreHourlySnapshotsProduction: ResourceValidationPolicy = {
    name: "memorystore-hourly-snapshots-production",
    description: "Checks whether every production Memorystore instance with RDB persistence writes a snapshot every hour (RPO 1 h).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        // Without RDB persistence the cache-snapshots policy refuses it already.
        // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
        if (args.type !== "gcp:redis/instance:Instance" || !isProduction(args) || safe(() => args.props.persistenceConfig?.persistenceMode) !== "RDB") {
            return;
        }
        // Stryker disable next-line OptionalChaining: inside safe(), which turns the TypeError into undefined as ?. does
        const period = safe(() => args.props.persistenceConfig?.rdbSnapshotPeriod);
        if (period !== "ONE_HOUR") {
            report(`Memorystore snapshots every ${String(period ?? "(unset)")}, which cannot meet the 1 h RPO; set persistenceConfig.rdbSnapshotPeriod to ONE_HOUR.`);
        }
    },
};

export const recoveryPolicies = [memorystoreHourlySnapshotsProduction];
