/**
 * The one GCP provider of a stack, built from validated config. Every GCP resource takes it
 * explicitly (default providers are disabled in the stack files), so project and region are never
 * picked up from a developer's gcloud settings.
 */
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { GcpStackConfig } from "../../stacks/schema";

/** Labels every labellable GCP resource carries (cost reports, audits). */
export function gcpLabels(config: GcpStackConfig): Record<string, string> {
    return { project: "bookkeep", environment: config.environment, "managed-by": "pulumi" };
}

export function gcpProvider(name: string, config: GcpStackConfig, opts: pulumi.CustomResourceOptions): gcp.Provider {
    return new gcp.Provider(name, {
        project: config.gcp.project,
        // Resources that take no explicit location land here: Mumbai (or Delhi), never abroad.
        region: config.gcp.region,
        defaultLabels: gcpLabels(config),
    }, opts);
}
