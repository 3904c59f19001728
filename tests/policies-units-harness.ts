/**
 * How the rule-level specs (tests/policies-units*.spec.ts) call a policy as the analyzer calls it:
 * one resource for a resource policy, a handful of fakes for a stack policy, each in a stack named
 * after its environment (production unless a case says otherwise). A resource's provider and its
 * property dependencies are what the residency and control-plane rules read besides its inputs.
 */
import { ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

export interface Provider { name: string; props: Record<string, unknown> }

/** Where a resource sits: its stack (default production) and its provider. */
export interface At { stack?: string; provider?: Provider }

const urnOf = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::bookkeep::${type}::${name}`;

/** What a resource policy says about one resource: its reports, or the reason it does not apply. */
export interface Verdict {
    reports: string[];
    notApplicable?: string;
}

export function verdict(policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, name = "r", at: At = {}): Verdict {
    const out: Verdict = { reports: [] };
    // The analyzer's notApplicable throws, so nothing after it runs.
    const stop = new Error("not applicable");
    const args = {
        type, props, name, urn: urnOf(at.stack ?? "production", type, name), opts: {}, provider: at.provider, stackTags: new Map(),
        isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === type,
        notApplicable: (reason?: string) => {
            out.notApplicable = reason;
            throw stop;
        },
    } as unknown as ResourceValidationArgs;
    try {
        // This pack's resource policies are synchronous: the reports are in once the call returns.
        void (policy.validateResource as ResourceValidation)(args, (message: string) => out.reports.push(message));
    } catch (e) {
        if (e !== stop) {
            throw e;
        }
    }
    return out;
}

/** The messages a resource policy reports for one resource. */
export function check(policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, name = "r", at: At = {}): string[] {
    return verdict(policy, type, props, name, at).reports;
}

export interface Fake { type: string; name: string; urn: string; props: Record<string, unknown>; propertyDependencies: Record<string, Fake[]>; opts: Record<string, unknown>; provider?: Provider }

/** A resource as a stack policy sees it. */
export const fake = (type: string, name: string, props: Record<string, unknown>, deps: Record<string, Fake[]> = {}, at: At & { opts?: Record<string, unknown> } = {}): Fake =>
    ({ type, name, urn: urnOf(at.stack ?? "production", type, name), props, propertyDependencies: deps, opts: at.opts ?? {}, provider: at.provider });

/** The `name: message` lines a stack policy reports. */
export function checkStack(policy: StackValidationPolicy, ...resources: Fake[]): string[] {
    const reported: string[] = [];
    const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as unknown as StackValidationArgs;
    void policy.validateStack(args, (message, urn) => reported.push(`${urn?.split("::").pop()}: ${message}`));
    return reported;
}
