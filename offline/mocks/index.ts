/**
 * The fake providers behind the offline engine. A resource reports its inputs back as its state,
 * plus a fake `id`, `arn` (AWS) and whatever computed outputs its type registers in a per-cloud file.
 * An invoke with no registered fake fails loudly: offline runs must not depend on silent guesses.
 */
import * as pulumi from "@pulumi/pulumi";
import { accountId, awsMocks } from "./aws";
import { gcpMocks } from "./gcp";
import { kubernetesMocks } from "./kubernetes";
import { randomMocks } from "./random";
import { CloudMocks } from "./types";

const all: CloudMocks[] = [awsMocks, gcpMocks, kubernetesMocks, randomMocks];
const outputs = Object.assign({}, ...all.map(m => m.outputs)) as CloudMocks["outputs"];
const calls = Object.assign({}, ...all.map(m => m.calls)) as CloudMocks["calls"];

/**
 * The fake providers. In `preview` mode they know what the engine knows during a first preview:
 * the inputs. Ids and computed outputs are left out, so the SDK resolves them as unknown.
 */
export function fakeMocks(preview = false): pulumi.runtime.Mocks {
    return preview ? previewMocks : updateMocks;
}

const previewMocks: pulumi.runtime.Mocks = {
    newResource: args => ({ id: "", state: args.inputs }),
    call: args => updateMocks.call(args),
};

const updateMocks: pulumi.runtime.Mocks = {
    newResource(args) {
        const extra = outputs[args.type]?.(args) ?? {};
        const state: Record<string, unknown> = { ...args.inputs, ...extra };
        if (args.type.startsWith("aws:") && state.arn === undefined) {
            const service = args.type.split(":")[1].split("/")[0];
            state.arn = `arn:aws:${service}:ap-south-1:${accountId}:${args.name}`;
        }
        return { id: (extra.id as string | undefined) ?? `${args.name}-id`, state };
    },
    call(args) {
        const fn = calls[args.token];
        if (!fn) {
            throw new Error(`offline engine: no fake for invoke ${args.token}; add one to offline/mocks/`);
        }
        return fn(args);
    },
};
