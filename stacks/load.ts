/**
 * Loads and validates the stack's config. This is the only place that reads stack config;
 * everything else receives the typed, validated `StackConfig`.
 *
 * Every problem becomes one line naming the key, the value (`[secret]` for a secret key, long
 * values shortened) and what is allowed; no raw zod message reaches a user.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { catalogEntries } from "../services/catalog";
import { defaultsFor, deepMerge, StackConfigInput } from "./defaults";
import { ConfigIssue, describeIssue, inputError, shorten } from "./errors";
import { resilienceIssues } from "./resilience";
import { Cloud, clouds, Environment, environments, StackConfig, stackConfigSchema, stackSections } from "./schema";

const namespace = "bookkeep";
const stringKeys = ["environment", "cloud", "domain", "acmeEmail", "releaseManifest"] as const;
const objectKeys = ["aws", "gcp", "local", "cluster", "database", "cache", "fleet", "observability", "resilienceOverrides", "quotas", "edge"] as const;
export const configKeys: readonly string[] = [...stringKeys, ...objectKeys];
/** Namespaces a stack file may use: this project's, and the engine's own (`pulumi:disable-default-providers`). */
const engineNamespace = "pulumi";
/**
 * The one provider setting a stack file may hold: the Cloudflare API token, which no validated
 * bookkeep:* value may carry in plain text. Read by `cloudflareApiToken()`, and only as a secret.
 */
export const cloudflareTokenKey = "cloudflare:apiToken";
/** Keys that would rewrite an object's prototype when merged (`__proto__` under fleet.canaries dropped a canary). */
const prototypeKeys = new Set(["__proto__", "constructor", "prototype"]);

export interface ParseOptions {
    /** Full keys (`bookkeep:database`) whose values are secret: never echoed. */
    readonly secretKeys?: readonly string[];
    /** The Pulumi stack: its environment must match (`production`, or `production-<variant>`). */
    readonly stack?: string;
    /** Services that per-service settings may name; default the catalog's. */
    readonly serviceNames?: readonly string[];
}

/** Reads the running stack's config (as `pulumi up` or the offline engine set it) and validates it. */
export function loadStackConfig(serviceNames?: readonly string[]): StackConfig {
    const raw = pulumi.runtime.allConfig();
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret(k: string): boolean }).isConfigSecret;
    const secretKeys = Object.keys(raw).filter(k => isSecret(k));
    return parseStackConfig(raw, { secretKeys, stack: pulumi.getStack(), serviceNames });
}

/**
 * The Cloudflare API token (`cloudflare:apiToken`, a secret; the loader refuses it in plain text).
 * Unset, the Cloudflare provider reads CLOUDFLARE_API_TOKEN from the environment; the offline plan
 * needs neither.
 */
export function cloudflareApiToken(): pulumi.Output<string> | undefined {
    return new pulumi.Config("cloudflare").getSecret("apiToken");
}

/**
 * Validates raw config (`{"bookkeep:cloud": "aws", "bookkeep:cluster": "{...}"}`, values as the
 * Pulumi engine passes them: strings, objects JSON-encoded) and merges per-environment defaults.
 * Throws an `InputPropertiesError` naming every bad key, its value and what is allowed.
 */
export function parseStackConfig(raw: Record<string, string>, options: ParseOptions = {}): StackConfig {
    const secret = new Set(options.secretKeys ?? []);
    const isSecretPath = (path: string) => secret.has(`${namespace}:${path.split(".")[0]}`);
    const show = (path: string, value: unknown) => (isSecretPath(path) ? "[secret]" : shorten(value));
    const issues: ConfigIssue[] = [];
    const fail = (path: string, reason: string) => issues.push({ propertyPath: `${namespace}:${path}`, reason });

    const input: Record<string, unknown> = {};
    for (const [fullKey, value] of Object.entries(raw)) {
        const [ns, key] = splitKey(fullKey);
        if (ns === engineNamespace) {
            continue;
        }
        if (fullKey === cloudflareTokenKey) {
            if (!secret.has(fullKey)) {
                issues.push({ propertyPath: fullKey, reason: `must be a secret, never plain text in the stack file: pulumi config set --secret ${cloudflareTokenKey} <token>` });
            }
            continue;
        }
        if (ns !== namespace) {
            issues.push({ propertyPath: fullKey, reason: foreignKeyReason(ns) });
            continue;
        }
        if ((objectKeys as readonly string[]).includes(key)) {
            const parsed = parseJson(value);
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
                fail(key, `must be an object of settings (got ${show(key, value)})`);
                continue;
            }
            const bad = prototypePaths(parsed, key);
            bad.forEach(p => fail(p, "is not an allowed key: __proto__, constructor and prototype would rewrite the config object"));
            if (bad.length === 0) {
                input[key] = parsed;
            }
        } else if ((stringKeys as readonly string[]).includes(key)) {
            input[key] = value;
        } else {
            fail(key, `is not a known key; allowed keys are ${configKeys.map(k => `${namespace}:${k}`).join(", ")}`);
        }
    }

    const environment = input.environment;
    if (!(environments as readonly unknown[]).includes(environment)) {
        fail("environment", `must be one of ${environments.join(", ")} (${environment === undefined ? "not set" : `got ${show("environment", environment)}`})`);
        throw inputError("stack config", issues);
    }
    const env = environment as Environment;
    if (options.stack !== undefined && options.stack !== env && !options.stack.startsWith(`${env}-`)) {
        fail("environment", `must match the stack: stack ${JSON.stringify(options.stack)} runs ${show("environment", env)}; name the stack ${env} or ${env}-<variant>, or change the environment`);
    }
    const cloud = (input.cloud ?? (env === "development" ? "local" : "aws")) as Cloud;
    if (!(clouds as readonly unknown[]).includes(cloud)) {
        fail("cloud", `must be one of ${clouds.join(", ")} (got ${show("cloud", cloud)})`);
        throw inputError("stack config", issues);
    }
    if (env === "development" && cloud !== "local") {
        fail("cloud", `must be local for the development environment (got ${show("cloud", cloud)}); a cloud environment is staging or production`);
    }
    for (const section of objectKeys) {
        if (input[section] !== undefined && !stackSections[cloud].includes(section)) {
            const owner = clouds.find(c => c === section);
            fail(section, owner
                ? `is not read when bookkeep:cloud is ${cloud}; remove it, or set bookkeep:cloud to ${owner} (a stack carries its own cloud's section only)`
                : `is not read when bookkeep:cloud is ${cloud}; remove it`);
        }
    }
    if (issues.length > 0) {
        throw inputError("stack config", issues);
    }

    const region = (input[cloud] as { region?: unknown } | undefined)?.region;
    const merged = deepMerge(defaultsFor(env, cloud, typeof region === "string" ? region : undefined), { ...input, cloud } as StackConfigInput);
    const result = stackConfigSchema.safeParse(merged, { error: describeIssue });
    if (!result.success) {
        for (const i of result.error.issues) {
            const path = i.path.map(String).join(".");
            const reason = fillReferences(i.code === "unrecognized_keys" ? unknownSettings(i, cloud) : i.message, merged, show);
            const got = valueAt(merged, i.path);
            const shown = i.code === "unrecognized_keys" || reason === "is required" ? "" : got === undefined ? " (not set)" : ` (got ${show(path, got)})`;
            fail(path, `${reason}${shown}`);
        }
        throw inputError("stack config", issues);
    }
    const config = result.data;
    const known = options.serviceNames ?? catalogEntries.map(s => s.name);
    for (const name of Object.keys(config.fleet.canaries)) {
        if (!known.includes(name)) {
            fail(`fleet.canaries.${name}`, `is not a service in the catalog; known services are ${known.join(", ")}`);
        }
    }
    for (const i of resilienceIssues(config)) {
        fail(i.propertyPath, i.reason);
    }
    if (issues.length > 0) {
        throw inputError("stack config", issues);
    }
    return config;
}

function foreignKeyReason(ns: string): string {
    const allowed = `this program reads only ${namespace}:<key> (and ${engineNamespace}:* engine settings)`;
    if (["aws", "gcp", "google", "kubernetes", "random", "cloudflare"].includes(ns)) {
        return `is a provider setting the program does not read: it builds every provider from validated ${namespace}:* config; remove it (${allowed})`;
    }
    return ns === "" ? `has no namespace; ${allowed}` : `is in an unknown namespace "${ns}"; ${allowed}`;
}

function unknownSettings(i: z.core.$ZodIssue, cloud: Cloud): string {
    const keys = i.code === "unrecognized_keys" ? i.keys : [];
    const section = i.path[0] === undefined ? undefined : String(i.path[0]);
    const schema = stackConfigSchema.options.find(o => o.shape.cloud.value === cloud);
    const shape = section === undefined ? undefined : (schema?.shape as Record<string, { shape?: Record<string, unknown> }> | undefined)?.[section]?.shape;
    const allowed = shape ? `; allowed settings are ${Object.keys(shape).join(", ")}` : "";
    return `unknown setting(s) ${keys.join(", ")}${allowed}`;
}

/** Replaces `{{section.key}}` in a schema message with `bookkeep:section.key (value)`, the value redacted when secret. */
function fillReferences(message: string, config: unknown, show: (path: string, value: unknown) => string): string {
    return message.replace(/\{\{([a-zA-Z0-9.]+)\}\}/g, (_, path: string) => `${namespace}:${path} (${show(path, valueAt(config, path.split(".")))})`);
}

function prototypePaths(value: unknown, path: string): string[] {
    if (value === null || typeof value !== "object") {
        return [];
    }
    return Object.keys(value).flatMap(k => (prototypeKeys.has(k)
        ? [`${path}.${k}`]
        : prototypePaths((value as Record<string, unknown>)[k], `${path}.${k}`)));
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

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
    return path.reduce<unknown>((o, k) => (o !== null && typeof o === "object" && Object.prototype.hasOwnProperty.call(o, k) ? (o as Record<PropertyKey, unknown>)[k] : undefined), obj);
}
