/**
 * Sizing of the app namespace's ResourceQuota from the service catalog: the quota should stop a
 * runaway rollout, never a legitimate scale-out, so it is derived from the same numbers the fleet
 * scales to rather than typed in.
 */
import { ServiceSpec } from "../../services/schema";
import { FleetConfig } from "../../stacks/schema";

/** CPU quantity ("250m", "0.5", "2") in millicores. */
export function milliCpu(quantity: string): number {
    const m = /^(\d+)m$/.exec(quantity);
    if (m) {
        return Number(m[1]);
    }
    if (/^\d+(\.\d+)?$/.test(quantity)) {
        return Math.round(Number(quantity) * 1000);
    }
    throw new Error(`not a CPU quantity: ${quantity}`);
}

/** Memory quantity ("256Mi", "1Gi") in MiB. */
export function mebibytes(quantity: string): number {
    const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
    if (!m) {
        throw new Error(`not a memory quantity: ${quantity}`);
    }
    return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

export interface PodBudget {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/**
 * Hard limits for the app namespace: every service at its HPA's maxReplicas (the catalog's
 * scaling.maxReplicas, else fleet.maxReplicas) plus one surge pod during a rolling update, plus its
 * canary, plus the platform's own pods there (`extraPods`: the migration, one pod per backup
 * schedule, since their runs can overlap).
 */
export function appQuota(fleet: Pick<FleetConfig, "maxReplicas" | "canaries">, catalog: readonly ServiceSpec[], extraPods: readonly PodBudget[]): Record<string, string> {
    let pods = 0;
    const total = { requestsCpu: 0, requestsMemory: 0, limitsCpu: 0, limitsMemory: 0 };
    const add = (budget: PodBudget, count: number) => {
        pods += count;
        total.requestsCpu += count * milliCpu(budget.requests.cpu);
        total.requestsMemory += count * mebibytes(budget.requests.memory);
        total.limitsCpu += count * milliCpu(budget.limits.cpu);
        total.limitsMemory += count * mebibytes(budget.limits.memory);
    };
    for (const s of catalog) {
        const canary = fleet.canaries[s.name] ? 1 : 0;
        add(s.resources, (s.scaling.maxReplicas ?? fleet.maxReplicas) + 1 + canary);
    }
    extraPods.forEach(p => add(p, 1));
    return {
        pods: String(pods),
        "requests.cpu": `${total.requestsCpu}m`,
        "requests.memory": `${total.requestsMemory}Mi`,
        "limits.cpu": `${total.limitsCpu}m`,
        "limits.memory": `${total.limitsMemory}Mi`,
        // The app namespace holds stateless services only: data lives in the managed stores, and
        // the only way in is the ingress controller.
        persistentvolumeclaims: "0",
        "services.loadbalancers": "0",
        "services.nodeports": "0",
    };
}
