import * as pulumi from "@pulumi/pulumi";

export interface ConfigIssue {
    /** Full path of the bad input, such as `bookkeep:cluster.nodeCount` or `services.tax.port`. */
    readonly propertyPath: string;
    readonly reason: string;
}

/**
 * The one error type for bad input (stack config, catalog entries, component args): a
 * `pulumi.InputPropertiesError` whose message lists every problem. The offline plan maps it to exit 2.
 */
export function inputError(what: string, errors: ConfigIssue[]): pulumi.InputPropertiesError {
    const lines = errors.map(e => `  - ${e.propertyPath}: ${e.reason}`).join("\n");
    return new pulumi.InputPropertiesError({ message: `invalid ${what}:\n${lines}`, errors });
}
