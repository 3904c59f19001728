/**
 * The one test harness: evaluates stacks with the offline engine (the real program under mocks,
 * the real policy runtime) and memoises each evaluation, so every spec file shares them.
 */
import { expect } from "chai";
import { policyInputsOf } from "../offline/sdk";
import { evaluate, Evaluation, RecordedResource, SecretValue } from "../offline/engine";
import { planStack, PlanOptions, PlanResult } from "../offline/plan";

const cache = new Map<string, Promise<PlanResult>>();
let queue: Promise<unknown> = Promise.resolve();

/** Evaluations share the SDK's global state, so they run one at a time. */
function serialised<T>(fn: () => Promise<T>): Promise<T> {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
}

/** Plans a stack (memoised by stack, cloud and overrides). */
export function plan(stack: string, cloud?: string, overrides?: Record<string, unknown>): Promise<PlanResult> {
    const key = JSON.stringify([stack, cloud ?? null, overrides ?? null]);
    let p = cache.get(key);
    if (!p) {
        const options: PlanOptions = { stack, cloud, overrides };
        p = serialised(() => planStack(options));
        cache.set(key, p);
    }
    return p;
}

/** Runs an arbitrary program (a component under test) under the offline engine. */
export function run(program: () => unknown, stack = "test", config: Record<string, string> = {}): Promise<Evaluation> {
    return serialised(() => evaluate({ stack, config, program }));
}

/**
 * After a policy run: the analyzer gave the policies copies, never the JavaScript a recorded Struct
 * shares with the SDK (offline/engine.ts, KnownStruct), so no policy can have written to a record.
 */
export function expectPolicyInputsUnchanged(resources: readonly RecordedResource[]): void {
    expect(resources.length, "resources to check").to.be.greaterThan(0);
    for (const r of resources) {
        for (const struct of [r.inputsStruct, r.stateStruct] as Array<{ toJavaScript(): unknown }>) {
            // The copy every policy shared still equals a fresh one: no policy wrote to its inputs.
            const { shared, afresh } = policyInputsOf(struct);
            expect(shared, `${r.urn}: inputs the policies shared`).to.deep.equal(afresh);
            // And the policies were given copies, never the engine's own record.
            const recorded = objectsIn(struct.toJavaScript());
            expect([...objectsIn(shared)].filter(o => recorded.has(o)), `${r.urn}: objects shared with the engine's record`).to.have.length(0);
        }
    }
}

function objectsIn(value: unknown, found = new Set<object>()): Set<object> {
    if (value !== null && typeof value === "object" && !found.has(value)) {
        found.add(value);
        Object.values(value).forEach(v => objectsIn(v, found));
    }
    return found;
}

export function ofType(resources: readonly RecordedResource[], type: string): RecordedResource[] {
    return resources.filter(r => r.type === type);
}

/** The one resource of `type` named `name`; fails the test if there is not exactly one. */
export function one(resources: readonly RecordedResource[], type: string, name: string): RecordedResource {
    const found = resources.filter(r => r.type === type && r.name === name);
    expect(found.map(r => r.name), `exactly one ${type} named ${name}`).to.deep.equal([name]);
    return found[0]!;
}

/** `value`, failing the test when it is missing; `what` names it in the failure. */
export function present<T>(value: T | undefined, what: string): T {
    if (value === undefined) {
        expect.fail(`expected ${what}, found none`);
    }
    return value;
}

export function isSecret(v: unknown): v is SecretValue {
    return v instanceof SecretValue;
}

/** The inputs of a resource with secrets unwrapped (for asserting on secret-bearing values). */
export function reveal(v: unknown): unknown {
    if (v instanceof SecretValue) {
        return reveal(v.value);
    }
    if (Array.isArray(v)) {
        return v.map(reveal);
    }
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    }
    return v;
}

/** Counts custom resources by type. */
export function counts(resources: readonly RecordedResource[], prefix = ""): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of resources) {
        if (r.custom && r.type.startsWith(prefix)) {
            out[r.type] = (out[r.type] ?? 0) + 1;
        }
    }
    return out;
}

/** Expects `fn` to reject with an InputPropertiesError whose message contains every fragment. */
export async function expectInputError(fn: () => Promise<unknown>, ...fragments: string[]): Promise<string> {
    try {
        await fn();
    } catch (err) {
        const message = (err as Error).message;
        expect((err as Error).constructor.name === "InputPropertiesError" || message.startsWith("invalid "), message).to.equal(true);
        for (const f of fragments) {
            expect(message).to.contain(f);
        }
        return message;
    }
    throw new Error(`expected an input error containing ${fragments.join(", ")}`);
}
