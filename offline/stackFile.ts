/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI hands config to a program: every value a
 * string, structured values JSON-encoded, keys without a namespace put in the project's.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { inputError } from "../stacks/errors";
import { clip } from "./outputs";
import { deepMerge } from "../stacks/defaults";
import { projectName, projectRoot } from "./engine";

export interface StackConfigFile {
    /** The stack read: the one asked for, or its variant on another cloud (`production-gcp`). */
    readonly stack: string;
    /** Its `bookkeep:environment` as written (policy enforcement levels are per environment). */
    readonly environment: string | undefined;
    readonly config: Record<string, string>;
    /** Keys whose values are `secure:` ciphertext; offline they carry a placeholder. */
    readonly secretKeys: string[];
}

export function stackNames(root = projectRoot()): string[] {
    return fs.readdirSync(root)
        .map(f => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/**
 * Reads a stack file. `overrides` (keys like `bookkeep:cluster`) are merged over the file: objects
 * deep-merged, anything else replaced. A `bookkeep:cloud` override other than the file's own cloud
 * reads the stack's variant on that cloud, `Pulumi.<stack>-<cloud>.yaml`, where there is one (a
 * stack file carries one cloud's section). Throws an input error for an unknown stack.
 */
export function readStackFile(stack: string, overrides: Record<string, unknown> = {}, root = projectRoot()): StackConfigFile {
    const cloud = overrides[`${projectName}:cloud`];
    if (typeof cloud === "string" && !stack.endsWith(`-${cloud}`) && fs.existsSync(path.join(root, `Pulumi.${stack}-${cloud}.yaml`))) {
        const own = readStackFile(stack, {}, root);
        if (own.config[`${projectName}:cloud`] !== cloud) {
            return readStackFile(`${stack}-${cloud}`, overrides, root);
        }
    }
    const file = path.join(root, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw inputError("stack", [{ propertyPath: "--stack", reason: `no Pulumi.${stack}.yaml; known stacks are ${stackNames(root).join(", ")} (got ${clip(JSON.stringify(stack))})` }]);
    }
    let doc: { config?: Record<string, unknown> };
    try {
        doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as typeof doc;
    } catch (err) {
        throw inputError("stack file", [{ propertyPath: `Pulumi.${stack}.yaml`, reason: `is not valid YAML: ${(err as Error).message}` }]);
    }
    const values: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    // As the CLI does, a key without a namespace belongs to the project.
    const qualify = (key: string) => (key.includes(":") ? key : `${projectName}:${key}`);
    for (const [rawKey, value] of Object.entries(doc.config ?? {})) {
        const key = qualify(rawKey);
        if (value !== null && typeof value === "object" && "secure" in value) {
            secretKeys.push(key);
            values[key] = "[secret]";
        } else {
            // `pulumi config set --secret --path a.b` nests the ciphertext; the CLI then treats the whole key as secret.
            const masked = maskNestedSecrets(value);
            if (masked.found) {
                secretKeys.push(key);
            }
            values[key] = masked.value;
        }
    }
    for (const [rawKey, value] of Object.entries(overrides)) {
        const key = qualify(rawKey);
        values[key] = deepMerge(values[key], value);
    }
    const config = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
    const environment = values[`${projectName}:environment`];
    return { stack, environment: typeof environment === "string" ? environment : undefined, config, secretKeys };
}

/** Replaces each nested `{ secure: ... }` with the offline placeholder. */
function maskNestedSecrets(value: unknown): { value: unknown; found: boolean } {
    if (value === null || typeof value !== "object") {
        return { value, found: false };
    }
    if (!Array.isArray(value) && "secure" in value) {
        return { value: "[secret]", found: true };
    }
    let found = false;
    const walk = (v: unknown) => {
        const m = maskNestedSecrets(v);
        found ||= m.found;
        return m.value;
    };
    const out = Array.isArray(value) ? value.map(walk) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return { value: out, found };
}
