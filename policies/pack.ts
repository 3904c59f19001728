/**
 * The pack's identity and its policies, importable without starting a server (policies/index.ts
 * serves them; the offline plan evaluates them in-process). Per-stack enforcement overrides live
 * in policies/config/<stack>.json (`pulumi preview --policy-pack-config`).
 */
import { Policy } from "@pulumi/policy";
import { alertingPolicies } from "./alerting";
import { chartPolicies } from "./charts";
import { clusterPolicies } from "./cluster";
import { dataProtectionPolicies } from "./dataProtection";
import { dataStoreTypesCovered } from "./dataStores";
import { edgePolicies } from "./edge";
import { gatewayPolicies } from "./gateway";
import { hardeningPolicies, manifestPolicies } from "./hardening";
import { networkPolicies } from "./network";
import { version } from "./package.json";
import { publicAccessPolicies } from "./publicAccess";
import { preflightPolicies } from "./preflight";
import { residencyPolicies } from "./residency";
import { queuePolicies } from "./queues";
import { residencyDestinationPolicies } from "./residencyDestinations";
import { recoveryPolicies } from "./recovery";

export const pack = {
    name: "bookkeep-guardrails",
    version,
    enforcementLevel: "mandatory" as const,
    policies: [
        ...residencyPolicies,
        ...residencyDestinationPolicies,
        ...hardeningPolicies,
        ...manifestPolicies,
        ...dataProtectionPolicies,
        ...queuePolicies,
        ...publicAccessPolicies,
        dataStoreTypesCovered,
        ...clusterPolicies,
        ...networkPolicies,
        ...gatewayPolicies,
        ...chartPolicies,
        ...preflightPolicies,
        ...alertingPolicies,
        ...recoveryPolicies,
        ...edgePolicies,
    ] as readonly Policy[],
};
