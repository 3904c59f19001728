/**
 * The pack's identity and its policies, importable without starting a server (policies/index.ts
 * serves them; the offline plan evaluates them in-process).
 */
import { Policy } from "@pulumi/policy";
import { version } from "./package.json";

export const pack = {
    name: "bookkeep-guardrails",
    version,
    enforcementLevel: "mandatory" as const,
    policies: [] as readonly Policy[],
};
