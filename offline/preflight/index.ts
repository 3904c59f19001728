/**
 * Preflight over a plan: will it fit, is the account ready, and what will it cost. Pure functions
 * of the recorded resources (and the stack's quota overrides), so the plan, the policy pack and
 * the tests compute the same figures.
 */
import { bootstrap, BootstrapStep } from "./bootstrap";
import { Capacity, capacity } from "./capacity";
import { cost, CostEstimate } from "./cost";
import { QuotaOverrides, QuotaRow, quotas } from "./quotas";
import { PreflightResource } from "./resources";

export type { PreflightResource } from "./resources";
export type { QuotaOverrides } from "./quotas";

export interface Preflight {
    readonly capacity: Capacity;
    readonly quotas: QuotaRow[];
    readonly bootstrap: BootstrapStep[];
    readonly cost: CostEstimate;
}

export function preflight(resources: readonly PreflightResource[], quotaOverrides: QuotaOverrides = {}): Preflight {
    const cap = capacity(resources);
    const rows = quotas(resources, cap, quotaOverrides);
    return { capacity: cap, quotas: rows, bootstrap: bootstrap(resources, rows), cost: cost(resources, cap) };
}
