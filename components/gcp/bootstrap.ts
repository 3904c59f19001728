/**
 * The GCP bootstrap steps only the stack config knows: what to check once the stack runs, and what
 * `pulumi destroy` needs of the machine that runs it. The plan's preflight
 * (offline/preflight/bootstrap.ts) derives the rest (the APIs, the SSD and other quotas, the zone
 * delegation, the API path) from the planned resources and merges these in: one checklist.
 */
import type { BootstrapStep } from "../../offline/preflight/bootstrap";
import { GcpStackConfig } from "../../stacks/schema";

/** The stack's config-only manual steps, in the order they must happen. */
export function gcpBootstrapSteps(config: Pick<GcpStackConfig, "domain" | "gcp">): BootstrapStep[] {
    const { project } = config.gcp;
    return [
        {
            id: "cdn-unsigned-fill",
            when: "after-first-up",
            text: `Check an unsigned CDN fill on cdn.${config.domain}: the assets bucket enforces public access prevention; only Cloud CDN's cache-fill agent may read it, and Cloud CDN ` +
                `does not require signatures on unsigned requests. Once the certificate is active, upload one object and check that it answers 200; ` +
                `a 403 means fills are refused, and the assets must be served with signed URLs.`,
            command: `curl -sI https://cdn.${config.domain}/<object>`,
        },
        {
            id: "destroy-gcloud",
            when: "before-destroy",
            text: "Log in with gcloud on the machine that runs `pulumi destroy`: the destroy removes the private-services peering from the VPC and disables the _Default log sink with gcloud, " +
                `as an account that may do both in ${project} (compute.networks.removePeering, logging.sinks.update). ` +
                `Production protects its data stores: their deletion is refused until protection is lifted on purpose.`,
        },
    ];
}
