/**
 * A resource policy called as the analyzer calls it, for the rule-level specs: the messages it
 * reports for one resource, or the reason it gives for not applying (the analyzer's
 * notApplicable throws, so nothing after it runs).
 */
import { ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";

export interface Verdict {
    reports: string[];
    notApplicable?: string;
}

export function verdict(policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, name = "r"): Verdict {
    const out: Verdict = { reports: [] };
    const stop = new Error("not applicable");
    const args = {
        type, props, name, urn: `urn:pulumi:production::bookkeep::${type}::${name}`, opts: {},
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
export function check(policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, name = "r"): string[] {
    return verdict(policy, type, props, name).reports;
}
