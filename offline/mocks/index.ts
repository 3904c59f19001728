/**
 * The fake providers behind the offline engine. A resource reports its inputs back as its state,
 * plus a fake `id`, `arn` (AWS) and whatever computed outputs its type registers in a per-cloud file.
 * An invoke with no registered fake fails loudly: offline runs must not depend on silent guesses.
 */
import * as pulumi from "@pulumi/pulumi";
import { accountId, awsMocks } from "./aws";
import { cloudflareMocks } from "./cloudflare";
import { gcpMocks } from "./gcp";
import { kubernetesMocks } from "./kubernetes";
import { randomMocks } from "./random";
import { monitorError } from "../sdk";
import { CloudMocks } from "./types";

const rpc = pulumi.runtime;

const all: CloudMocks[] = [awsMocks, gcpMocks, kubernetesMocks, randomMocks, cloudflareMocks];
const outputs = Object.assign({}, ...all.map(m => m.outputs)) as CloudMocks["outputs"];
const calls = Object.assign({}, ...all.map(m => m.calls)) as CloudMocks["calls"];

/**
 * A fake provider's answer to a registration, in the engine's wire form: the resource's inputs
 * (wire form, as registered) as its state, plus its type's computed outputs and a fake id. In
 * `preview` mode it knows what the engine knows during a first preview: the inputs; ids and
 * computed outputs are left out, so the SDK resolves them as unknown.
 */
export function fakeRegistration(type: string, name: string, inputs: Record<string, unknown>, preview = false): { id: string; state: Record<string, unknown> } {
    if (preview) {
        // A shallow copy: the request's inputs and the response's state are separate objects.
        return { id: "", state: { ...inputs } };
    }
    const extra = withoutUndefined(outputs[type]?.({ type, name, inputs: readable(inputs), custom: true }) ?? {});
    const state: Record<string, unknown> = { ...inputs };
    for (const [key, value] of Object.entries(extra)) {
        // An output whose input was secret stays secret, as the engine keeps it.
        state[key] = isSecret(inputs[key]) ? { [rpc.specialSigKey]: rpc.specialSecretSig, value } : value;
    }
    if (type.startsWith("aws:") && state.arn === undefined) {
        const [, module = ""] = type.split(":");
        const service = module.split("/")[0];
        state.arn = `arn:aws:${service}:ap-south-1:${accountId}:${name}`;
    }
    return { id: (extra.id as string | undefined) ?? `${name}-id`, state };
}

function isSecret(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[rpc.specialSigKey] === rpc.specialSecretSig;
}

/** The inputs as the fakes read them: top-level secrets unwrapped (the fakes read names and sizes). */
function readable(inputs: Record<string, unknown>): Record<string, unknown> {
    return Object.values(inputs).some(isSecret)
        ? Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, isSecret(v) ? v.value : v]))
        : inputs;
}

/**
 * The fakes' outputs in wire form, as the SDK's serialiser would make them: a key without a value
 * is absent, an array element without one is null. The fakes return plain JSON only.
 */
function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
    const clean = (v: unknown): unknown => Array.isArray(v) ? v.map(x => (x === undefined ? null : clean(x)))
        : v !== null && typeof v === "object" ? withoutUndefined(v as Record<string, unknown>) : v;
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, clean(v)]));
}

/**
 * The fakes as the SDK's mocks interface: what the mock monitor asks for invokes (`call`) and for
 * reads of existing resources. Registrations go through `fakeRegistration` (see engine.ts).
 */
export function fakeMocks(preview = false): pulumi.runtime.Mocks {
    return {
        newResource: args => fakeRegistration(args.type, args.name, args.inputs, preview),
        call(args) {
            const fn = calls[args.token];
            if (!fn) {
                throw monitorError(`offline engine: no fake for invoke ${args.token}; add one to offline/mocks/`);
            }
            return fn(args);
        },
    };
}
