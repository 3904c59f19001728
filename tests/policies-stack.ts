/**
 * How the pack specs evaluate a stack, so that mutation testing (stryker.config.json, coverage per
 * test) can tell which tests judge which policy code. Stryker charges the code that runs to the
 * test that started last: a policy evaluation in a `before` hook would be charged to the previous
 * suite's last test, and the mutants it covers would run against that test only. So a spec
 * registers its program once per process (registration runs no policy code) and evaluates the
 * pack inside every test that reads the report.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { Evaluation, RecordedResource } from "../offline/engine";
import { PolicyReport, runPolicies } from "../offline/policyRunner";
import { PolicyPackConfig } from "@pulumi/policy";
import { pack } from "../policies/pack";
import { expectPolicyInputsUnchanged } from "./harness";

export interface Evaluated {
    readonly ev: Evaluation;
    readonly report: PolicyReport;
}

/**
 * The recorded resources in new Structs: the analyzer's shared deserialised inputs are kept per
 * Struct (offline/sdk.ts), and a mutant that writes to them must not leave its writes behind for
 * the next run in the same process. (jspb's cloneMessage drops nested Structs.)
 */
function freshCopies(resources: readonly RecordedResource[]): RecordedResource[] {
    const fresh = (struct: unknown) => Struct.fromJavaScript((struct as Struct).toJavaScript());
    return resources.map(r => ({ ...r, inputsStruct: fresh(r.inputsStruct), stateStruct: fresh(r.stateStruct) }));
}

/**
 * A stack registered at most once (`registered`), and the pack evaluated over it afresh on every
 * call of `evaluate`, checking afterwards that no policy wrote to its inputs.
 */
export function stackUnderPolicies(register: () => Promise<Evaluation>, config: () => PolicyPackConfig = () => ({})): {
    registered(): Promise<Evaluation>;
    evaluate(): Promise<Evaluated>;
} {
    let registration: Promise<Evaluation> | undefined;
    const registered = () => (registration ??= register());
    return {
        registered,
        async evaluate() {
            const ev = await registered();
            const resources = freshCopies(ev.resources);
            const report = await runPolicies(pack, resources, config());
            expectPolicyInputsUnchanged(resources);
            return { ev: { ...ev, resources }, report };
        },
    };
}

/** Every resource's violations as sorted "policy: message" lines, by resource name. */
export function violationsByName(report: PolicyReport, messageOf: (policy: string, message: string) => string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const v of report.violations) {
        (out[v.urn.split("::").pop() ?? ""] ??= []).push(`${v.policy}: ${messageOf(v.policy, v.message)}`);
    }
    Object.values(out).forEach(lines => lines.sort());
    return out;
}

/** The expected [policy, message] pairs in the shape `violationsByName` reports. */
export function asLines(expected: Record<string, ReadonlyArray<readonly [string, string]>>): Record<string, string[]> {
    return Object.fromEntries(Object.entries(expected).filter(([, vs]) => vs.length > 0)
        .map(([name, vs]) => [name, vs.map(([policy, message]) => `${policy}: ${message}`).sort()]));
}
