/**
 * The one GCP provider of a stack, built from validated config. Every GCP resource takes it
 * explicitly (default providers are disabled in the stack files), so project and region are never
 * picked up from a developer's gcloud settings.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";

/** What the provider is built from: the stack's project, region and environment. */
export interface GcpProviderArgs {
    readonly project: string;
    /** Where resources that take no explicit location land. */
    readonly region: string;
    /** Labels every labellable resource. */
    readonly environment: Environment;
}

/** Labels every labellable GCP resource carries (cost reports, audits). */
export function gcpLabels(environment: Environment): Record<string, string> {
    return { project: "bookkeep", environment, "managed-by": "pulumi" };
}

export function gcpProvider(name: string, args: GcpProviderArgs, opts: pulumi.CustomResourceOptions): gcp.Provider {
    return new gcp.Provider(name, {
        project: args.project,
        // Resources that take no explicit location land here: Mumbai (or Delhi), never abroad.
        region: args.region,
        defaultLabels: gcpLabels(args.environment),
    }, opts);
}
