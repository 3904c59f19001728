/**
 * Loads and validates the stack's `bookkeep:*` config. This is the only place that reads stack
 * config; everything else receives the typed, validated `StackConfig`.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { serviceNames } from "../services";
import { ConfigIssue, inputError } from "./errors";
import { defaultsFor, deepMerge, StackConfigInput } from "./defaults";
import { environments, StackConfig, stackConfigSchema } from "./schema";

const namespace = "bookkeep";
const objectKeys = ["aws", "gcp", "local", "network", "cluster", "database", "cache", "fleet", "observability"] as const;
const stringKeys = ["environment", "cloud", "domain", "acmeEmail"] as const;
export const configKeys: readonly string[] = [...stringKeys, ...objectKeys];

/** Reads the running stack's config (as `pulumi up` or the offline engine set it) and validates it. */
export function loadStackConfig(): StackConfig {
    const raw = pulumi.runtime.allConfig();
    const secret = Object.keys(raw).filter(k => (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret(k));
    return parseStackConfig(raw, secret);
}

/**
 * Validates raw config (`{"bookkeep:cloud": "aws", "bookkeep:cluster": "{...}"}`, values as the
 * Pulumi engine passes them: strings, objects JSON-encoded) and merges per-environment defaults.
 * Throws an `InputPropertiesError` naming every bad key, its value and what is allowed.
 */
export function parseStackConfig(raw: Record<string, string>, secretConfigKeys: readonly string[] = []): StackConfig {
    const secretKeys = new Set(secretConfigKeys);
    const issues: ConfigIssue[] = [];
    const input: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(raw)) {
        const [ns, key] = splitKey(fullKey);
        if (ns !== namespace) {
            continue;
        }
        if ((objectKeys as readonly string[]).includes(key)) {
            const parsed = parseJson(value);
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
                issues.push({ propertyPath: fullKey, reason: `must be an object of settings (got ${JSON.stringify(value)})` });
                continue;
            }
            input[key] = parsed;
        } else if ((stringKeys as readonly string[]).includes(key)) {
            input[key] = value;
        } else {
            issues.push({ propertyPath: fullKey, reason: `is not a known key; allowed keys are ${configKeys.map(k => `${namespace}:${k}`).join(", ")}` });
        }
    }
    const environment = input.environment;
    if (!(environments as readonly unknown[]).includes(environment)) {
        issues.push({
            propertyPath: `${namespace}:environment`,
            reason: `must be one of ${environments.join(", ")} (got ${JSON.stringify(environment ?? null)})`,
        });
        throw inputError("stack config", issues);
    }
    const merged = deepMerge(defaultsFor(environment as StackConfig["environment"]), input as StackConfigInput);
    const result = stackConfigSchema.safeParse(merged);
    if (!result.success) {
        issues.push(...result.error.issues.map(i => toConfigIssue(i, merged, secretKeys)));
    } else {
        const known = serviceNames();
        for (const name of Object.keys(result.data.fleet.canaries)) {
            if (!known.includes(name)) {
                issues.push({
                    propertyPath: `${namespace}:fleet.canaries.${name}`,
                    reason: `is not a service in the catalog; known services are ${known.join(", ")}`,
                });
            }
        }
    }
    if (issues.length > 0) {
        throw inputError("stack config", issues);
    }
    return result.data!;
}

function splitKey(fullKey: string): [string, string] {
    const i = fullKey.indexOf(":");
    return i < 0 ? ["", fullKey] : [fullKey.slice(0, i), fullKey.slice(i + 1)];
}

function parseJson(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

function toConfigIssue(issue: z.core.$ZodIssue, input: unknown, secretKeys: ReadonlySet<string>): ConfigIssue {
    const [top, ...rest] = issue.path.map(String);
    const propertyPath = `${namespace}:${[top, ...rest].filter(p => p !== undefined).join(".")}`;
    if (issue.code === "unrecognized_keys") {
        const section = (stackConfigSchema.shape as Record<string, { shape?: Record<string, unknown> }>)[top]?.shape;
        const allowed = section ? `; allowed settings are ${Object.keys(section).join(", ")}` : "";
        return { propertyPath, reason: `unknown setting(s) ${issue.keys.join(", ")}${allowed}` };
    }
    const reason = issue.message;
    const got = valueAt(input, issue.path);
    // A `secure:` value is never echoed, even when it is wrong.
    const shown = secretKeys.has(`${namespace}:${top}`) ? "[secret]" : JSON.stringify(got);
    return { propertyPath, reason: got === undefined ? `${reason} (not set)` : `${reason} (got ${shown})` };
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((o, k) => (o !== null && typeof o === "object" ? (o as Record<PropertyKey, unknown>)[k] : undefined), obj);
}
