/**
 * The AWS bootstrap steps only the stack config knows: the plan's preflight
 * (offline/preflight/bootstrap.ts) derives every other step (the opt-in DR region, the Elastic IP
 * and other quotas, the zone delegation, the API path) from the planned resources and merges
 * these in, so each step has one source and the plan prints one checklist.
 */
import type { BootstrapStep } from "../../offline/preflight/bootstrap";
import { AwsStackConfig } from "../../stacks/schema";

/** The stack's config-only manual steps, in the order they must happen. */
export function awsBootstrapSteps(config: Pick<AwsStackConfig, "aws">): BootstrapStep[] {
    return [{
        id: "deploy-role",
        text: `Create the deploy role ${config.aws.deployRoleArn} (trusted by the CI runners' instance role and by operators for the first run) ` +
            "and run the first `pulumi up` as it: the cluster's only admin access entry is for it, and whoever creates the cluster gets none.",
        when: "before-up",
    }];
}
