/**
 * The offline engine: runs the real program under Pulumi mocks and records every resource it
 * registers (type, name, inputs, parent, provider, dependsOn, protect), exactly as the engine
 * would receive them. Used by the plan command, the tests and the benchmark.
 *
 * It installs the SDK's own mocks (`pulumi.runtime.setMocks`) and runs the program as a stack
 * (`runInPulumiStack`); registrations are answered here, through offline/sdk.ts, the one module
 * that knows what the public mocks API does not show (the full registration request).
 */
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import type * as jspb from "google-protobuf";
import { JavaScriptValue, Struct, Value } from "google-protobuf/google/protobuf/struct_pb";
import { fakeMocks, fakeRegistration } from "./mocks";

import { installMocks, RegistrationRequest, waitForRPCs } from "./sdk";

const rpc = pulumi.runtime;

/**
 * The engine here is in-process: the SDK's request and response Structs never go on the wire,
 * and everyone who reads them (the SDK, the fakes, the policy analyzer) asks for their JavaScript
 * form. So a Struct built from JavaScript keeps that JavaScript and answers `toJavaScript()` with
 * it; its protobuf fields are built only if something reads them through the message's methods
 * (`getFieldsMap`, which serialisation, `toObject` and the accessors go through; `toArray`,
 * `clone`, `cloneMessage`, `toString`), and from then on it is an ordinary Struct. (jspb's static
 * `equals` and `copyInto` read the message array directly and would see an unread one as empty;
 * nothing here calls them.) Converting every registration's inputs and state to
 * protobuf and back was a third of a large plan's time. The JavaScript is shared, not copied:
 * the SDK's and the analyzer's deserialisers copy it, and tests/stacks.spec.ts checks after every
 * stack's plan that no policy wrote to what it was given.
 */
class KnownStruct extends Struct {
    private js: Record<string, JavaScriptValue> | undefined;

    static of(js: Record<string, JavaScriptValue>): KnownStruct {
        const struct = new KnownStruct();
        struct.js = js;
        return struct;
    }
    override toJavaScript(): Record<string, JavaScriptValue> {
        return this.js ?? super.toJavaScript();
    }
    override getFieldsMap(): jspb.Map<string, Value> {
        const fields = super.getFieldsMap();
        if (this.js !== undefined) {
            fromJavaScript(this.js).getFieldsMap().forEach((v, k) => fields.set(k, v));
            this.js = undefined;
        }
        return fields;
    }
    override toArray(): unknown[] {
        this.getFieldsMap();
        return super.toArray();
    }
    override cloneMessage(): this {
        this.getFieldsMap();
        return super.cloneMessage();
    }
    override clone(): this {
        this.getFieldsMap();
        return super.clone();
    }
    override toString(): string {
        this.getFieldsMap();
        return super.toString();
    }
}
const fromJavaScript = Struct.fromJavaScript.bind(Struct);
Struct.fromJavaScript = (js: Record<string, JavaScriptValue>) => KnownStruct.of(js);

export const projectName = "bookkeep";

/** A secret input value. Serialises as "[secret]" so plan JSON never carries the plaintext. */
export class SecretValue {
    constructor(readonly value: unknown) {}
    toJSON(): string {
        return "[secret]";
    }
}

export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent: string | null;
    readonly provider: string | null;
    /** Inputs as the program passed them; secrets are `SecretValue`s, resource references their URNs. */
    readonly inputs: Record<string, unknown>;
    /** The wire form of the inputs (secret signatures intact). */
    readonly rawInputs: Record<string, unknown>;
    /** The wire form of the state the (fake) provider returned: what stack policies see. */
    readonly rawState: Record<string, unknown>;
    /** The inputs and the state as the protobuf Structs the engine exchanged, for the analyzer. */
    readonly inputsStruct: unknown;
    readonly stateStruct: unknown;
    /** A multi-language component (such as a Helm v4 Chart), built by its provider. */
    readonly remote: boolean;
    readonly protect: boolean;
    readonly dependsOn: string[];
    readonly propertyDependencies: Record<string, string[]>;
    readonly ignoreChanges: string[];
    readonly deleteBeforeReplace: boolean;
    readonly additionalSecretOutputs: string[];
    readonly retainOnDelete: boolean;
    /** customTimeouts as given ("" where unset). */
    readonly customTimeouts: { readonly create: string; readonly update: string; readonly delete: string };
}

export interface Evaluation {
    readonly project: string;
    readonly stack: string;
    readonly resources: RecordedResource[];
    /** Stack outputs; secrets as `SecretValue`s. */
    readonly outputs: Record<string, unknown>;
    /** Each rendered Helm chart's deployed objects and hooks (offline/charts). */
    readonly charts: readonly import("./charts/children").ChartRender[];
}

export interface EvaluateOptions {
    readonly stack: string;
    /** Full config map, `namespace:key` to the string the engine would pass. */
    readonly config: Record<string, string>;
    readonly secretKeys?: string[];
    /** The program; defaults to the compiled `index.ts`, freshly loaded. */
    readonly program?: () => unknown;
    /**
     * Evaluate as a first `pulumi preview`: ids and computed outputs are unknown, so everything
     * derived from them is too (and policies must cope, as they must in a real preview).
     */
    readonly preview?: boolean;
    /** Capture stack traces per promise, as the SDK does by default (slow; off unless debugging). */
    readonly stackTraces?: boolean;
}

/** Walks a wire-form value into the recorded form: secrets wrapped, references reduced to URNs. */
export function fromWire(value: unknown): unknown {
    if (value === rpc.unknownValue) {
        return "[unknown]";
    }
    if (Array.isArray(value)) {
        return value.map(fromWire);
    }
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        switch (obj[rpc.specialSigKey]) {
            case rpc.specialSecretSig:
                return new SecretValue(fromWire(obj.value));
            case rpc.specialResourceSig:
                return obj.urn;
            case rpc.specialAssetSig:
            case rpc.specialArchiveSig:
                return "[asset]";
            case rpc.specialOutputValueSig:
                return obj.secret ? new SecretValue(fromWire(obj.value)) : fromWire(obj.value);
            default:
                return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fromWire(v)]));
        }
    }
    return value;
}

function providerUrn(ref: string): string | null {
    if (!ref) {
        return null;
    }
    const i = ref.lastIndexOf("::");
    return i < 0 ? ref : ref.slice(0, i);
}

/**
 * Runs a program under the fake providers and returns what it registered. Rejects with the
 * program's own error (an `InputPropertiesError` for bad input) if it fails.
 */
export async function evaluate(options: EvaluateOptions): Promise<Evaluation> {
    const resources: RecordedResource[] = [];
    let rawOutputs: Record<string, unknown> = {};
    let stackUrn: string | undefined;
    // Registrations are answered here rather than by the SDK's mock monitor, which deserialises
    // each resource's inputs into live values and serialises them back as its state (a second
    // pass of the SDK's serialiser over every input: a quarter of a large plan's time). The
    // fakes answer in the wire form directly; what the SDK receives is the same.
    await installMocks(fakeMocks(options.preview), projectName, options.stack, options.preview === true, {
        register(req) {
            const type = req.getType();
            const name = req.getName();
            const urn = newUrn(options.stack, req.getParent(), type, name);
            const inputs = req.getObject()?.toJavaScript() ?? {};
            // Every registration (custom resource, component, remote component such as a Helm v4
            // Chart) is answered by the fake providers in offline/mocks, keyed by type.
            const fake = fakeRegistration(type, name, inputs, options.preview);
            const state = Struct.fromJavaScript(withAdditionalSecretOutputs(fake.state, req.getAdditionalsecretoutputsList()) as Record<string, JavaScriptValue>);
            resources.push(recordRequest(req, urn, state));
            if (type === "pulumi:pulumi:Stack") {
                stackUrn = urn;
            }
            return { urn, id: fake.id, state };
        },
        outputs(urn, outputs) {
            if (urn === stackUrn) {
                rawOutputs = outputs;
            }
        },
    });
    pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);

    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    const traceLimit = Error.stackTraceLimit;
    if (!options.stackTraces) {
        // The SDK records a stack trace for every promise it creates; offline, nobody reads them.
        Error.stackTraceLimit = 0;
    }
    try {
        const program = options.program ?? (() => loadProgram());
        await pulumi.runtime.runInPulumiStack(async () => {
            Error.stackTraceLimit = options.stackTraces ? traceLimit : 0;
            return program();
        });
        await waitForRPCs();
    } catch (err) {
        failures.unshift(err);
    } finally {
        Error.stackTraceLimit = traceLimit;
        // Let rejections already queued for this turn arrive before detaching the listener.
        await new Promise(resolve => setImmediate(resolve));
        process.off("unhandledRejection", onRejection);
    }
    if (failures.length > 0) {
        throw failures[0];
    }
    // Rendered as the provider renders them, once the plan's own CRDs are known; loaded only when needed.
    const charts = resources.some(r => r.type === "kubernetes:helm.sh/v4:Chart")
        ? await (await import("./charts/children")).withChartChildren(resources, options.config, projectRoot())
        : { resources, renders: [] };
    return {
        project: projectName,
        stack: options.stack,
        resources: charts.resources,
        charts: charts.renders,
        outputs: fromWire(rawOutputs) as Record<string, unknown>,
    };
}

/**
 * URNs as the engine makes them: a resource's type is qualified by its ancestors' types (all but
 * the root stack), not only its parent's as the SDK's mock monitor does. Policies and exemptions
 * read that chain.
 */
export function newUrn(stack: string, parent: string, type: string, name: string): string {
    const parentType = parent ? parent.split("::")[2] : undefined;
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${projectName}::${qualified}::${name}`;
}

/**
 * The engine marks the outputs a resource names in `additionalSecretOutputs` as secret (a
 * RandomPassword's `result`, for one); the fakes do not, so this does it here.
 */
function withAdditionalSecretOutputs(state: Record<string, unknown>, names: string[]): Record<string, unknown> {
    let marked = state;
    for (const name of names) {
        const value = state[name];
        const alreadySecret = value !== null && typeof value === "object" && (value as Record<string, unknown>)[rpc.specialSigKey] === rpc.specialSecretSig;
        if (value !== undefined && !alreadySecret) {
            marked = { ...marked, [name]: { [rpc.specialSigKey]: rpc.specialSecretSig, value } };
        }
    }
    return marked;
}

function recordRequest(req: RegistrationRequest, urn: string, stateStruct: Struct): RecordedResource {
    const inputsStruct = req.getObject() ?? new Struct();
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => {
        propertyDependencies[k] = v.getUrnsList();
    });
    const record = {
        urn,
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        parent: req.getParent() || null,
        provider: providerUrn(req.getProvider()),
        remote: req.getRemote() === true,
        protect: req.getProtect() === true,
        dependsOn: req.getDependenciesList(),
        propertyDependencies,
        ignoreChanges: req.getIgnorechangesList(),
        deleteBeforeReplace: req.getDeletebeforereplace() === true,
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        retainOnDelete: req.getRetainondelete() === true,
        customTimeouts: {
            create: req.getCustomtimeouts()?.getCreate() ?? "",
            update: req.getCustomtimeouts()?.getUpdate() ?? "",
            delete: req.getCustomtimeouts()?.getDelete() ?? "",
        },
    } as RecordedResource;
    // The wire messages are kept as they are, for the policy analyzer, which takes exactly these;
    // the JavaScript forms are built on first use (a plan of a large fleet reads few of them).
    const lazy = <T>(key: string, make: () => T, enumerable = true) => {
        let value: T | undefined;
        Object.defineProperty(record, key, { enumerable, get: () => (value ??= make()) });
    };
    Object.defineProperty(record, "inputsStruct", { value: inputsStruct, enumerable: false });
    Object.defineProperty(record, "stateStruct", { value: stateStruct, enumerable: false });
    lazy("rawInputs", () => inputsStruct.toJavaScript() as Record<string, unknown>);
    lazy("rawState", () => stateStruct.toJavaScript() as Record<string, unknown>);
    lazy("inputs", () => fromWire(record.rawInputs) as Record<string, unknown>);
    return record;
}

/** The project root: the nearest folder above this file (or the working directory) with Pulumi.yaml. */
export function projectRoot(): string {
    for (const start of [__dirname, process.cwd()]) {
        let dir = start;
        for (;;) {
            if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
                return dir;
            }
            const up = path.dirname(dir);
            if (up === dir) {
                break;
            }
            dir = up;
        }
    }
    return process.cwd();
}

/** Loads the compiled program entry point afresh, so each evaluation runs it from the top. */
export function loadProgram(): unknown {
    const entry = require.resolve(path.join(__dirname, "..", "index"));
    delete require.cache[entry];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled program is loaded afresh by path on every evaluation
    return require(entry);
}
