/**
 * How the rule-level policy specs call a policy: with the arguments the analyzer passes, and the
 * reports collected in order. A resource's provider and its property dependencies are what the
 * residency and control-plane rules read besides its inputs.
 */
import { ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

export interface Provider { name: string; props: Record<string, unknown> }

/** The messages a resource policy reports for one resource. */
export function check(policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, name = "r", provider?: Provider): string[] {
    const reports: string[] = [];
    const args = {
        type, props, name, urn: `urn:pulumi:production::bookkeep::${type}::${name}`, opts: {}, provider,
        isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === type,
        notApplicable: () => undefined,
    } as unknown as ResourceValidationArgs;
    // This pack's resource policies are synchronous: the reports are in once the call returns.
    void (policy.validateResource as ResourceValidation)(args, (message: string) => reports.push(message));
    return reports;
}

export interface Fake { type: string; name: string; urn: string; props: Record<string, unknown>; propertyDependencies: Record<string, Fake[]>; opts: Record<string, unknown>; provider?: Provider }

/** A resource of the production stack as a stack policy sees it. */
export const fake = (type: string, name: string, props: Record<string, unknown>, deps: Record<string, Fake[]> = {}, provider?: Provider): Fake =>
    ({ type, name, urn: `urn:pulumi:production::bookkeep::${type}::${name}`, props, propertyDependencies: deps, opts: {}, provider });

/** The `name: message` lines a stack policy reports. */
export function checkStack(policy: StackValidationPolicy, ...resources: Fake[]): string[] {
    const reported: string[] = [];
    const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as unknown as StackValidationArgs;
    void policy.validateStack(args, (message, urn) => reported.push(`${urn?.split("::").pop()}: ${message}`));
    return reported;
}
