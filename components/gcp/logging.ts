/**
 * Where the project's logs live and what is audited. Cloud Logging's `_Default` bucket is in the
 * `global` location, so GKE workload and system logs, VPC flow logs, Cloud NAT and Cloud DNS logs
 * would be stored outside India. The `_Default` sink is re-pointed at a log bucket in `gcp.region`
 * with the configured retention. Data Access audit logs (off by default) are turned on for the two
 * services that hold key material and credentials.
 */
import * as command from "@pulumi/command/local";
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Provider as CommandProvider } from "@pulumi/command/provider";
import { Environment } from "../../stacks/schema";

/**
 * The `_Default` sink's own filter: everything except what the `_Required` sink already routes
 * (Admin Activity, System Event and Access Transparency audit logs, which Google keeps 400 days in
 * the `_Required` bucket; its location is fixed when the project is created, so it is set with the
 * organization's default storage location, outside this program).
 */
export const defaultSinkFilter = [
    "cloudaudit.googleapis.com/activity", "externalaudit.googleapis.com/activity",
    "cloudaudit.googleapis.com/system_event", "externalaudit.googleapis.com/system_event",
    "cloudaudit.googleapis.com/access_transparency", "externalaudit.googleapis.com/access_transparency",
].map(id => `NOT LOG_ID("${id}")`).join(" AND ");

/** Services whose Data Access (read and write) audit logs are enabled. */
export const dataAccessAuditedServices = ["cloudkms.googleapis.com", "secretmanager.googleapis.com"] as const;

/** Cloud Logging buckets keep logs 1 to 3650 days. */
export const maxLogBucketRetentionDays = 3650;

/**
 * Run by `pulumi destroy` before the log bucket goes: `_Default` cannot be deleted, and left as it
 * is it would route every log to a bucket pending deletion. Disabled, it stores nothing (and
 * nothing abroad); the `_Required` audit logs still flow. A new stack enables it again.
 */
export const releaseDefaultSinkScript = `gcloud logging sinks update _Default --disabled --project="$PROJECT" --quiet`;

export interface ProjectLoggingArgs {
    /** Project whose `_Default` sink is re-pointed. */
    readonly project: string;
    /** Region of the log bucket. */
    readonly region: string;
    /** Names the bucket. */
    readonly environment: Environment;
    /** Days the bucket keeps logs (`observability.logRetentionDays`; capped at 3650). */
    readonly retentionDays: number;
    readonly provider: gcp.Provider;
    /** For the bucket id's suffix; explicit because default providers are disabled. */
    readonly randomProvider: random.Provider;
    /** Runs the `_Default` sink's release on `pulumi destroy`. */
    readonly commandProvider: CommandProvider;
}

export class ProjectLogging extends pulumi.ComponentResource {
    public readonly bucket: gcp.logging.ProjectBucketConfig;

    constructor(name: string, args: ProjectLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:ProjectLogging", name, {}, opts);
        const { project, region, environment, provider } = args;
        const childOpts = { parent: this, provider };

        // A deleted log bucket stays pending deletion for 7 days under its id, and a stack recreated
        // within them would take that bucket over (and lose it when the 7 days end): each
        // bucket gets an id of its own.
        const suffix = new random.RandomId(`${name}-bucket-suffix`, { byteLength: 3 }, { parent: this, provider: args.randomProvider });
        this.bucket = new gcp.logging.ProjectBucketConfig(`${name}-bucket`, {
            project,
            location: region,
            bucketId: pulumi.interpolate`bookkeep-${environment}-logs-${suffix.hex}`,
            description: `BookKeep ${environment}: every log except the _Required audit logs, kept in India`,
            retentionDays: Math.min(args.retentionDays, maxLogBucketRetentionDays),
        }, childOpts);

        // A sink named _Default takes over the sink Cloud Logging created with the project (it cannot
        // be created or deleted, only updated) and sends its logs to the regional bucket instead of
        // the global one. A second sink beside it would store every entry twice, once abroad.
        // On destroy the sink goes first, then the release disables it, then the bucket goes.
        const release = new command.Command(`${name}-default-sink-release`, {
            delete: releaseDefaultSinkScript,
            environment: { PROJECT: project },
        }, { parent: this, provider: args.commandProvider, dependsOn: [this.bucket] });
        new gcp.logging.ProjectSink(`${name}-default-sink`, {
            project,
            name: "_Default",
            destination: pulumi.interpolate`logging.googleapis.com/${this.bucket.name}`,
            filter: defaultSinkFilter,
            // Enabled again after an earlier stack's destroy disabled it.
            disabled: false,
            // The destination is a log bucket of the same project: no writer identity to grant.
            description: "Routes the project's logs to the regional bucket in India",
        }, { ...childOpts, dependsOn: [release] });

        for (const service of dataAccessAuditedServices) {
            new gcp.projects.IAMAuditConfig(`${name}-audit-${service.split(".")[0]}`, {
                project,
                service,
                auditLogConfigs: [{ logType: "DATA_READ" }, { logType: "DATA_WRITE" }],
            }, childOpts);
        }

        this.registerOutputs({ bucket: this.bucket.name });
    }
}
