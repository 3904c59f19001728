import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

export interface ConfigIssue {
    /** Full path of the bad input, such as `bookkeep:cluster.nodeCount` or `services.tax.port`. */
    readonly propertyPath: string;
    readonly reason: string;
}

/**
 * The one error type for bad input (stack config, catalog entries, component args): a
 * `pulumi.InputPropertiesError` whose message lists every problem. The offline plan maps it to exit 2.
 */
/** Longest value a message echoes. */
const maxShown = 60;

/** A value as a message shows it: JSON, cut short when long (a 1 MB value is not repeated back). */
export function shorten(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > maxShown ? `${text.slice(0, maxShown)}… (${text.length} characters)` : text;
}

export function inputError(what: string, errors: ConfigIssue[]): pulumi.InputPropertiesError {
    const lines = errors.map(e => `  - ${e.propertyPath}: ${e.reason}`).join("\n");
    return new pulumi.InputPropertiesError({ message: `invalid ${what}:\n${lines}`, errors });
}

/** zod's issue, said in the project's words (used where a schema gives no message of its own). */
export function describeIssue(iss: z.core.$ZodRawIssue): string {
    switch (iss.code) {
        case "invalid_type":
            return iss.input === undefined ? "is required" : `must be ${article(String(iss.expected))}`;
        case "invalid_value":
            return iss.values.length === 1 ? `must be ${String(iss.values[0])}` : `must be one of ${iss.values.map(String).join(", ")}`;
        case "too_small":
            return bound("at least", iss.origin, Number(iss.minimum), iss.exact === true);
        case "too_big":
            return bound("at most", iss.origin, Number(iss.maximum), iss.exact === true);
        case "invalid_union":
            return "matches none of the allowed shapes";
        case "invalid_format":
            return `must be a valid ${iss.format}`;
        case "invalid_key":
            return "has a key that is not allowed";
        default:
            return "is not allowed here";
    }
}

function bound(which: string, origin: string, n: number, exact: boolean): string {
    if (origin === "array") {
        return exact ? `must list exactly ${n} item(s)` : `must list ${which} ${n} item(s)`;
    }
    if (origin === "string") {
        return n <= 1 && which === "at least" ? "must not be empty" : `must be ${which} ${n} characters`;
    }
    return `must be ${which} ${n}`;
}

function article(expected: string): string {
    const names: Record<string, string> = { object: "an object of settings", array: "a list", boolean: "true or false", number: "a number", string: "a string" };
    return names[expected] ?? expected;
}

