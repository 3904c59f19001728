/**
 * Capacity as stack policies, so a real `pulumi preview --policy-pack policies` judges it too: the
 * CLI hands a stack policy every resource, chart-rendered objects included, which a check inside
 * the offline plan would never see. The model itself is a pure module (offline/preflight), shared
 * with the plan's preflight report; it imports no SDK, so the pack stays free of the program.
 */
import { PolicyResource, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { Capacity, capacity, Scenario } from "../offline/preflight/capacity";
import { PreflightResource } from "../offline/preflight/resources";

function planOf(args: StackValidationArgs): PreflightResource[] {
    return args.resources.map((r: PolicyResource) => ({
        type: r.type, urn: r.urn, name: r.name, parent: r.parent?.urn ?? null, provider: r.provider?.urn ?? null, inputs: r.props,
    }));
}

/** Where a violation shows: the first node pool (what the fix changes). */
function poolUrn(args: StackValidationArgs, cap: Capacity): string | undefined {
    return args.resources.find(r => r.name === cap.pools[0]?.name && /NodeGroup|NodePool/.test(r.type))?.urn;
}

/** Free text the stack's policy config may carry next to a lowered level (why, and until when). */
const configSchema = { properties: { pendingFix: { type: "string" as const } } };

export const fleetFitsAtMinimum: StackValidationPolicy = {
    name: "fleet-fits-at-hpa-minimum",
    description: "Checks whether every pod at its HPA minimum (DaemonSets on every node, the cloud's system pods included) fits the CPU, memory and pod slots " +
        "the nodes can have: fixed groups at their size, autoscaled pools (Karpenter NodePool limits, GKE autoscaling bounds) at their reach.",
    enforcementLevel: "mandatory",
    configSchema,
    validateStack: (args, report) => {
        const cap = capacity(planOf(args));
        const s: Scenario | undefined = cap.atMinimum;
        if (cap.applicable && s && s.shortfalls.length > 0) {
            report(`At the HPA minimum the pods do not fit the nodes: ${s.shortfalls.join("; ")}. Add nodes (cluster.nodeCount, minNodes, maxNodes: ` +
                "the reach of the node autoscaler), choose a larger node type, lower requests, or on AWS enable VPC CNI prefix delegation when pod slots are short.", poolUrn(args, cap));
        }
    },
};

export const autoscalerReachesMaximum: StackValidationPolicy = {
    name: "autoscaler-reaches-hpa-maximum",
    description: "Checks whether the pods at their HPA maximum fit the nodes an autoscaler in the stack can reach (maxNodes, Karpenter NodePool limits).",
    enforcementLevel: "advisory",
    configSchema,
    validateStack: (args, report) => {
        const cap = capacity(planOf(args));
        const s = cap.atMaximum;
        if (cap.applicable && s && s.shortfalls.length > 0) {
            const unreachable = cap.autoscaler === null && cap.pools.some(p => p.cloud === "aws" && p.maxNodes > p.reachableNodes)
                ? " No node autoscaler is in the stack, so maxNodes is never reached: install Karpenter or cluster-autoscaler." : "";
            report(`At the HPA maximum the pods do not fit the reachable nodes: ${s.shortfalls.join("; ")}.${unreachable} ` +
                "Raise maxNodes (or the NodePool limits) or lower fleet.maxReplicas.", poolUrn(args, cap));
        }
    },
};

export const preflightPolicies = [fleetFitsAtMinimum, autoscalerReachesMaximum];

/** Their names: specs that hold today's stacks to "no violation" set these advisories aside (issue 18 pins them). */
export const capacityPolicyNames: readonly string[] = preflightPolicies.map(p => p.name);
