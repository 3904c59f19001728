/**
 * How the rule-level specs (tests/policies-units*.spec.ts) call a policy as the analyzer calls it:
 * one resource for a resource policy, a handful of fakes for a stack policy, each in a stack named
 * after its environment (production unless a case says otherwise).
 */
import { ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

const urnOf = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::bookkeep::${type}::${name}`;

/** The messages a resource policy reports for one resource. */
export function check(policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, name = "r", stack = "production"): string[] {
    const reports: string[] = [];
    const args = {
        type, props, name, urn: urnOf(stack, type, name), opts: {},
        isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === type,
        notApplicable: () => undefined,
    } as unknown as ResourceValidationArgs;
    // This pack's resource policies are synchronous: the reports are in once the call returns.
    void (policy.validateResource as ResourceValidation)(args, (message: string) => reports.push(message));
    return reports;
}

export interface Fake { type: string; name: string; urn: string; props: Record<string, unknown>; propertyDependencies: Record<string, Fake[]>; opts: Record<string, unknown> }

export const fake = (type: string, name: string, props: Record<string, unknown>, deps: Record<string, Fake[]> = {}, opts: Record<string, unknown> = {}, stack = "production"): Fake =>
    ({ type, name, urn: urnOf(stack, type, name), props, propertyDependencies: deps, opts });

/** The `name: message` lines a stack policy reports. */
export function checkStack(policy: StackValidationPolicy, ...resources: Fake[]): string[] {
    const reported: string[] = [];
    const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as unknown as StackValidationArgs;
    void policy.validateStack(args, (message, urn) => reported.push(`${urn?.split("::").pop()}: ${message}`));
    return reported;
}
