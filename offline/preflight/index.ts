/**
 * Preflight over a plan: will it fit, is the account ready, and what will it cost. Pure functions
 * of the recorded resources (and the stack's validated config: its raised quotas and the bootstrap
 * steps only the config knows), so the plan, the policy pack and the tests compute the same figures.
 */
import { awsBootstrapSteps } from "../../components/aws/bootstrap";
import { gcpBootstrapSteps } from "../../components/gcp/bootstrap";
import type { StackConfig } from "../../stacks/schema";
import { bootstrap, BootstrapStep } from "./bootstrap";
import { Capacity, capacity } from "./capacity";
import { cost, CostEstimate } from "./cost";
import { QuotaRow, quotas } from "./quotas";
import { PreflightResource } from "./resources";

export type { PreflightResource } from "./resources";
export type { QuotaOverrides } from "./quotas";

export interface Preflight {
    readonly capacity: Capacity;
    readonly quotas: QuotaRow[];
    readonly bootstrap: BootstrapStep[];
    readonly cost: CostEstimate;
}

function configSteps(stack: StackConfig | undefined): BootstrapStep[] {
    switch (stack?.cloud) {
    case "aws": return awsBootstrapSteps(stack);
    case "gcp": return gcpBootstrapSteps(stack);
    default: return [];
    }
}

/** `stack` is the validated stack config; without it, the defaults of a new account and only the plan's own steps. */
export function preflight(resources: readonly PreflightResource[], stack?: StackConfig): Preflight {
    const cap = capacity(resources);
    const rows = quotas(resources, cap, stack?.quotas ?? {});
    return { capacity: cap, quotas: rows, bootstrap: bootstrap(resources, rows, configSteps(stack)), cost: cost(resources, cap) };
}
