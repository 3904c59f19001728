/**
 * The offline engine's one seam with what `@pulumi/pulumi` does not document. Everything else
 * goes through the public API: `pulumi.runtime.setMocks` installs the mock monitor and the
 * feature set, `getMonitor` returns it, `runInPulumiStack` runs a program as a stack and the
 * wire signatures (`specialSigKey`, ...) are exported from `pulumi.runtime`.
 *
 * What remains is named here, and tests/engine.spec.ts ("SDK adapter contract") checks each piece
 * against the installed SDK, so an upgrade that changes one fails that test by name instead of
 * drifting silently:
 * - the registration request the SDK sends its monitor: the getters `RegistrationRequest` lists
 *   (the public mocks API shows a resource's inputs but not its parent, provider, options or
 *   dependencies, which the plan and the policies need);
 * - the monitor's `registerResource` / `registerResourceOutputs` calls, answered here, and the
 *   `RegisterResourceResponse` message they answer with;
 * - `waitForRPCs`, which the SDK exports but marks internal: the one way to know a program's
 *   last registration has been answered;
 * - a failed invoke reaches the program as `new Error(err.details)`: the SDK reads the gRPC error's
 *   `details`, so an error thrown by a fake must carry its message there (`monitorError`);
 * - the policy analyzer's own request handlers (`@pulumi/policy/server`) and the analyzer's
 *   protobuf messages (`@pulumi/pulumi/proto/analyzer_pb`): the code `pulumi preview
 *   --policy-pack` drives over gRPC, called in process.
 */
import * as pulumi from "@pulumi/pulumi";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** The getters of the SDK's RegisterResourceRequest that the engine reads. */
export const requestGetters = [
    "getType", "getName", "getParent", "getCustom", "getRemote", "getObject", "getProvider", "getProtect",
    "getDependenciesList", "getPropertydependenciesMap", "getIgnorechangesList", "getDeletebeforereplace",
    "getAdditionalsecretoutputsList", "getRetainondelete", "getCustomtimeouts",
] as const;

export interface RegistrationRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getRemote(): boolean;
    getObject(): Struct | undefined;
    getProvider(): string;
    getProtect(): boolean;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, key: string) => void): void };
    getIgnorechangesList(): string[];
    getDeletebeforereplace(): boolean;
    getAdditionalsecretoutputsList(): string[];
    getRetainondelete(): boolean;
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
}

/** What the engine answers a registration with. */
export interface RegistrationAnswer {
    readonly urn: string;
    readonly id: string;
    /** The resource's state in wire form. */
    readonly state: Struct;
}

export interface MonitorHooks {
    /** Answers one resource registration (custom, component or remote component). */
    register(req: RegistrationRequest): RegistrationAnswer;
    /** A resource's outputs, in wire form (`registerOutputs`). */
    outputs(urn: string, outputs: Record<string, unknown>): void;
}

type Callback = (err: unknown, resp: unknown) => void;
interface MonitorCalls {
    registerResource(req: unknown, callback: Callback): unknown;
    registerResourceOutputs(req: unknown, callback: Callback): unknown;
}

interface ResponseMessage {
    setUrn(urn: string): void;
    setId(id: string): void;
    setObject(state: Struct): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- generated protobuf code; the SDK ships it without type declarations
const resourceProto = require("@pulumi/pulumi/proto/resource_pb") as { RegisterResourceResponse?: new () => ResponseMessage };

function contractBroken(what: string): Error {
    return new Error(`offline engine: @pulumi/pulumi ${sdkVersion()} no longer provides ${what}; update offline/sdk.ts`);
}

export function sdkVersion(): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed SDK's own version, for the message above
    return (require("@pulumi/pulumi/package.json") as { version: string }).version;
}

/**
 * Installs the SDK's mocks for one evaluation, with registrations answered by `hooks`; invokes
 * and reads still go to `mocks`.
 */
export async function installMocks(mocks: pulumi.runtime.Mocks, project: string, stack: string, preview: boolean, hooks: MonitorHooks): Promise<void> {
    await pulumi.runtime.setMocks(mocks, project, stack, preview);
    const monitor = pulumi.runtime.getMonitor() as unknown as Partial<MonitorCalls> | undefined;
    if (typeof monitor?.registerResource !== "function" || typeof monitor.registerResourceOutputs !== "function") {
        throw contractBroken("a mock monitor with registerResource and registerResourceOutputs");
    }
    const Response = resourceProto.RegisterResourceResponse;
    if (typeof Response !== "function") {
        throw contractBroken("proto/resource_pb RegisterResourceResponse");
    }
    monitor.registerResource = (req: unknown, callback: Callback) => {
        let response: ResponseMessage;
        try {
            const answer = hooks.register(req as RegistrationRequest);
            response = new Response();
            response.setUrn(answer.urn);
            response.setId(answer.id);
            response.setObject(answer.state);
        } catch (err) {
            callback(err, undefined);
            return;
        }
        callback(null, response);
    };
    monitor.registerResourceOutputs = (req: unknown, callback: Callback) => {
        try {
            const r = req as { getUrn(): string; getOutputs(): Struct | undefined };
            hooks.outputs(r.getUrn(), r.getOutputs()?.toJavaScript() ?? {});
        } catch (err) {
            callback(err, undefined);
            return;
        }
        callback(null, {});
    };
}

/** Resolves once every registration and invoke the program started has been answered. */
export function waitForRPCs(): Promise<void> {
    const wait = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
    if (typeof wait !== "function") {
        throw contractBroken("runtime.waitForRPCs");
    }
    return wait();
}

/** The analyzer's request handlers, as `@pulumi/policy/server` makes them for the gRPC server. */
export interface AnalyzerRuntime {
    readonly analyzerServer: {
        makeAnalyzeRpcFun(name: string, version: string, level: string, policies: unknown[]): AnalyzerCall;
        makeAnalyzeStackRpcFun(name: string, version: string, level: string, policies: unknown[]): AnalyzerCall;
    };
    /** `@pulumi/pulumi/proto/analyzer_pb`: AnalyzeRequest, AnalyzeStackRequest, AnalyzerResource, ... */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- generated protobuf classes without type declarations
    readonly analyzerProto: any;
}
export type AnalyzerCall = (call: unknown, callback: Callback) => unknown;

export const analyzerMessages = ["AnalyzeRequest", "AnalyzeStackRequest", "AnalyzerResource", "AnalyzerResourceOptions",
    "AnalyzerProviderResource", "AnalyzerPropertyDependencies", "EnforcementLevel"] as const;

let analyzer: AnalyzerRuntime | undefined;

type Deserialise = (struct: object, proxySecrets: boolean) => unknown;
let deserialiseAfresh: Deserialise | undefined;

/**
 * The analyzer deserialises a resource's properties (and its provider's) afresh for every policy
 * that reads them: with rendered charts and this pack, 529 resources x 88 policies in production,
 * and the largest share of a plan's policy time and garbage. The copies are identical and no policy
 * writes to its inputs (tests/harness.ts `expectPolicyInputsUnchanged`, after every stack's plan),
 * so offline each message is deserialised once and the policies reading it share the result.
 * Measured on the production plan, median of 5: 2.05 s without, 1.66 s with (the engine's bar for a
 * patch of a third-party module is 10 %).
 */
function deserialiseOncePerMessage(): void {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the analyzer's internal deserialiser, untyped
    const module = require("@pulumi/policy/deserialize") as { deserializeProperties?: Deserialise };
    const deserialise = module.deserializeProperties;
    if (typeof deserialise !== "function") {
        throw new Error("offline engine: @pulumi/policy no longer provides deserialize.deserializeProperties; update offline/sdk.ts");
    }
    deserialiseAfresh = deserialise;
    const done = new WeakMap<object, unknown>();
    module.deserializeProperties = (struct, proxySecrets) => {
        if (proxySecrets) {
            return deserialise(struct, proxySecrets);
        }
        if (!done.has(struct)) {
            done.set(struct, deserialise(struct, false));
        }
        return done.get(struct);
    };
}

/**
 * For tests: what the policies were given of a message (the shared copy) and what the analyzer's
 * own deserialisation makes of it now. They differ only if a policy wrote to its inputs.
 */
export function policyInputsOf(struct: object): { shared: unknown; afresh: unknown } {
    analyzerRuntime();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the analyzer's internal deserialiser, untyped
    const module = require("@pulumi/policy/deserialize") as { deserializeProperties: Deserialise };
    if (!deserialiseAfresh) {
        throw new Error("offline engine: the analyzer runtime is not loaded");
    }
    return { shared: module.deserializeProperties(struct, false), afresh: deserialiseAfresh(struct, false) };
}

/** Loaded on first use: a plan loads the analyzer only when it evaluates policies. */
export function analyzerRuntime(): AnalyzerRuntime {
    if (!analyzer) {
        /* eslint-disable @typescript-eslint/no-require-imports -- internal modules without type declarations, loaded on first use */
        const server = require("@pulumi/policy/server") as Partial<AnalyzerRuntime["analyzerServer"]>;
        const proto = require("@pulumi/pulumi/proto/analyzer_pb") as Record<string, unknown>;
        /* eslint-enable @typescript-eslint/no-require-imports -- only the two lines above */
        if (typeof server.makeAnalyzeRpcFun !== "function" || typeof server.makeAnalyzeStackRpcFun !== "function") {
            throw new Error("offline engine: @pulumi/policy no longer provides server.makeAnalyzeRpcFun / makeAnalyzeStackRpcFun; update offline/sdk.ts");
        }
        const missing = analyzerMessages.filter(m => proto[m] === undefined);
        if (missing.length > 0) {
            throw contractBroken(`proto/analyzer_pb ${missing.join(", ")}`);
        }
        deserialiseOncePerMessage();
        analyzer = { analyzerServer: server as AnalyzerRuntime["analyzerServer"], analyzerProto: proto };
    }
    return analyzer;
}

/** An error for the SDK to pass on to the program: it reads a monitor error's gRPC `details`. */
export function monitorError(message: string): Error {
    return Object.assign(new Error(message), { details: message });
}
