/**
 * Production's resilience guarantees (docs/requirements.md, "Disaster recovery" and "Environments").
 * Config cannot lower one by accident: a production stack that does must name the guarantee under
 * `bookkeep:resilienceOverrides` with the reason, and every plan prints it.
 */
import { StackConfig } from "./schema";

export interface ResilienceGuarantee {
    /** The key under `bookkeep:resilienceOverrides`; also the setting's path under `bookkeep:`. */
    readonly name: string;
    readonly what: string;
    /** Whether the stack meets it; `undefined` where it does not apply (another cloud). */
    readonly holds: (c: StackConfig) => boolean | undefined;
}

export const resilienceGuarantees: readonly ResilienceGuarantee[] = [
    { name: "database.highAvailability", what: "a standby database in another zone (Multi-AZ / REGIONAL)", holds: c => c.database.highAvailability },
    { name: "database.deletionProtection", what: "deletion protection on the database", holds: c => c.database.deletionProtection },
    { name: "database.crossRegionBackups", what: "database backups copied to the second Indian region", holds: c => c.database.crossRegionBackups },
    { name: "cache.highAvailability", what: "a cache replica with automatic failover", holds: c => c.cache.highAvailability },
    { name: "observability.enabled", what: "metrics, alerts, logs and traces", holds: c => c.observability.enabled },
    { name: "aws.natGateways", what: "a NAT gateway per availability zone", holds: c => (c.cloud === "aws" ? c.aws.natGateways === "perAz" : undefined) },
    { name: "aws.cacheHourlySnapshotsKept", what: "hourly cache snapshots (RPO 1 h)", holds: c => (c.cloud === "aws" ? c.aws.cacheHourlySnapshotsKept > 0 : undefined) },
];

/** A reason must say something a reviewer can check. */
export const minReasonLength = 20;

export interface ResilienceIssue {
    readonly propertyPath: string;
    readonly reason: string;
}

/** What is wrong with a production stack's guarantees and overrides (empty when all is well). */
export function resilienceIssues(c: StackConfig): ResilienceIssue[] {
    const issues: ResilienceIssue[] = [];
    const overrides = c.resilienceOverrides;
    const known = resilienceGuarantees.map(g => g.name);
    for (const [name, reason] of Object.entries(overrides)) {
        const guarantee = resilienceGuarantees.find(g => g.name === name);
        if (!guarantee) {
            issues.push({ propertyPath: `resilienceOverrides.${name}`, reason: `is not a resilience guarantee; known guarantees are ${known.join(", ")}` });
        } else if (c.environment !== "production" || guarantee.holds(c) !== false) {
            issues.push({ propertyPath: `resilienceOverrides.${name}`, reason: "overrides nothing: the stack keeps this guarantee; remove the override" });
        } else if (reason.trim().length < minReasonLength) {
            issues.push({ propertyPath: `resilienceOverrides.${name}`, reason: `must give the reason in at least ${minReasonLength} characters` });
        }
    }
    if (c.environment === "production") {
        for (const g of resilienceGuarantees) {
            if (g.holds(c) === false && !(g.name in overrides)) {
                issues.push({
                    propertyPath: g.name,
                    reason: `lowers a production guarantee (${g.what}); keep the default, or set bookkeep:resilienceOverrides.${g.name} to the reason`,
                });
            }
        }
    }
    return issues;
}

/** The overrides in force, as the plan prints them. */
export function resilienceOverridesInForce(c: StackConfig): string[] {
    return Object.entries(c.resilienceOverrides).map(([name, reason]) => `${name} lowered: ${reason}`);
}
