/**
 * Evaluates the policy pack against recorded resources with `@pulumi/policy`'s own analyzer
 * functions — the code `pulumi preview --policy-pack` drives over gRPC — fed the same protobuf
 * requests the CLI would send. Nothing here re-implements how policies see resources.
 */
import { Policy, PolicyPackConfig } from "@pulumi/policy";
import * as fs from "fs";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ConfigIssue, inputError } from "../stacks/errors";
import { RecordedResource } from "./engine";
import { analyzerRuntime } from "./sdk";

export type Level = "advisory" | "mandatory" | "remediate" | "disabled";

export interface EvaluatedPolicy {
    readonly name: string;
    readonly enforcementLevel: Level;
}

export interface Violation {
    readonly policy: string;
    readonly enforcementLevel: "advisory" | "mandatory";
    readonly urn: string;
    readonly message: string;
}

export interface PolicyReport {
    readonly pack: string;
    readonly evaluated: EvaluatedPolicy[];
    readonly violations: Violation[];
}

/** What `policies/pack.ts` exports and `policies/index.ts` serves. */
export interface PackDefinition {
    readonly name: string;
    readonly version: string;
    readonly enforcementLevel: Level;
    readonly policies: readonly Policy[];
}

const levels: readonly Level[] = ["advisory", "mandatory", "remediate", "disabled"];

/**
 * Reads and checks a policy-pack config file (the JSON `pulumi preview --policy-pack-config`
 * takes): `{ "<policy>" | "all": "<level>" | { "enforcementLevel": "<level>", ... } }`. A missing
 * file is an empty config; anything the CLI would reject is an input error naming the key (policy
 * names are checked when the pack is given).
 */
export function readPackConfig(file: string, pack?: PackDefinition): PolicyPackConfig {
    if (!fs.existsSync(file)) {
        return {};
    }
    let config: unknown;
    try {
        config = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw inputError("policy config", [{ propertyPath: file, reason: `is not valid JSON: ${(err as Error).message}` }]);
    }
    if (config === null || typeof config !== "object" || Array.isArray(config)) {
        throw inputError("policy config", [{ propertyPath: file, reason: "must be a JSON object of policy names to enforcement levels" }]);
    }
    const names = pack ? new Set(pack.policies.map(p => p.name)) : undefined;
    const issues: ConfigIssue[] = [];
    for (const [key, value] of Object.entries(config)) {
        const level = typeof value === "string" ? value : (value as { enforcementLevel?: unknown } | null)?.enforcementLevel;
        if (names && key !== "all" && !names.has(key)) {
            issues.push({ propertyPath: `${file}: ${key}`, reason: `is not a policy of ${pack!.name}; use "all" or a policy name` });
        }
        if (!(typeof value === "string" || (value !== null && typeof value === "object")) ||
            (level !== undefined && !(levels as readonly unknown[]).includes(level))) {
            issues.push({ propertyPath: `${file}: ${key}`, reason: `must be one of ${levels.join(", ")} (got ${JSON.stringify(level ?? value)})` });
        }
    }
    if (issues.length > 0) {
        throw inputError("policy config", issues);
    }
    return config as PolicyPackConfig;
}

/**
 * A policy whose `getConfig()` returns its properties from the config file (all but its level), as
 * the CLI's `configure` call makes the analyzer do; `@pulumi/policy` keeps that call's state
 * private, so the offline runner hands the properties to the policy itself.
 */
function withConfig(p: PackDefinition["policies"][number], entry: unknown): PackDefinition["policies"][number] {
    if (entry === null || typeof entry !== "object") {
        return p;
    }
    const { enforcementLevel: _level, ...properties } = entry as Record<string, unknown>;
    const configured = <A extends object>(args: A) => ({ ...args, getConfig: () => properties });
    const r = p as { validateResource?: unknown; validateStack?: unknown };
    if (typeof r.validateResource === "function") {
        const validate = r.validateResource as (args: object, report: unknown) => unknown;
        return { ...p, validateResource: (args: object, report: unknown) => validate(configured(args), report) } as typeof p;
    }
    if (typeof r.validateStack === "function") {
        const validate = r.validateStack as (args: object, report: unknown) => unknown;
        return { ...p, validateStack: (args: object, report: unknown) => validate(configured(args), report) } as typeof p;
    }
    return p;
}

/** The policies' effective levels, with the CLI's precedence: policy config, "all", policy, pack. */
export function effectiveLevels(pack: PackDefinition, config: PolicyPackConfig): EvaluatedPolicy[] {
    const levelOf = (v: unknown): Level | undefined =>
        typeof v === "string" ? v as Level : (v as { enforcementLevel?: Level } | undefined)?.enforcementLevel;
    return pack.policies.map(p => {
        const level = levelOf(config[p.name]) ?? levelOf(config.all) ?? (p.enforcementLevel as Level | undefined) ?? pack.enforcementLevel;
        // A policy without a remediation reports as mandatory at remediate level, as the analyzer does.
        return { name: p.name, enforcementLevel: level === "remediate" ? "mandatory" : level };
    });
}

/** What the analyzer needs of a recorded resource. */
export type AnalyzedResource = Pick<RecordedResource,
    "urn" | "type" | "name" | "parent" | "provider" | "inputsStruct" | "stateStruct" | "remote" | "protect" | "dependsOn" | "propertyDependencies" |
    "ignoreChanges" | "deleteBeforeReplace" | "additionalSecretOutputs">;

/**
 * One policy evaluation: each resource is analysed as it is added (as the CLI calls `Analyze` for
 * each registration during a preview), the stack once all are in (`AnalyzeStack`).
 */
export class PolicySession {
    private readonly evaluated: EvaluatedPolicy[];
    private readonly analyze: (call: unknown, cb: (err: unknown, resp: unknown) => void) => unknown;
    private readonly analyzeStack: (call: unknown, cb: (err: unknown, resp: unknown) => void) => unknown;
    private readonly resources: AnalyzedResource[] = [];
    private readonly byUrn = new Map<string, AnalyzedResource>();
    private readonly providers = new Map<string, unknown>();
    private readonly violations: Violation[] = [];
    private pending: Promise<void> = Promise.resolve();
    private readonly runtime = analyzerRuntime();
    private readonly proto = this.runtime.analyzerProto;
    private readonly empty = new Struct();

    constructor(private readonly pack: PackDefinition, config: PolicyPackConfig = {}) {
        this.evaluated = effectiveLevels(pack, config);
        const levels = new Map(this.evaluated.map(e => [e.name, e.enforcementLevel]));
        const policies = pack.policies.map(p => ({ ...withConfig(p, config[p.name]), enforcementLevel: levels.get(p.name) }));
        const { analyzerServer } = this.runtime;
        this.analyze = analyzerServer.makeAnalyzeRpcFun(pack.name, pack.version, pack.enforcementLevel, policies);
        this.analyzeStack = analyzerServer.makeAnalyzeStackRpcFun(pack.name, pack.version, pack.enforcementLevel, policies);
    }

    /** Queues a resource's own analysis. Providers arrive before the resources that use them. */
    add(r: AnalyzedResource): void {
        this.resources.push(r);
        this.byUrn.set(r.urn, r);
        this.pending = this.pending.then(async () => {
            this.collect(await call(this.analyze, this.describe(new this.proto.AnalyzeRequest(), r)), r.urn);
        });
    }

    /** Waits for every resource's analysis, analyses the stack, and reports. */
    async finish(): Promise<PolicyReport> {
        await this.pending;
        const stackReq = new this.proto.AnalyzeStackRequest();
        stackReq.setResourcesList(this.resources.map(r => {
            const ar = this.describe(new this.proto.AnalyzerResource(), r, "state");
            if (r.parent) {
                ar.setParent(r.parent);
            }
            ar.setDependenciesList(r.dependsOn);
            for (const [k, urns] of Object.entries(r.propertyDependencies)) {
                const deps = new this.proto.AnalyzerPropertyDependencies();
                deps.setUrnsList(urns);
                ar.getPropertydependenciesMap().set(k, deps);
            }
            return ar;
        }));
        this.collect(await call(this.analyzeStack, stackReq), "");
        return { pack: this.pack.name, evaluated: this.evaluated, violations: this.violations };
    }

    /**
     * What the engine shows a policy of a resource: its inputs when it registers, its outputs at
     * the end (stack policies). A multi-language component such as a Helm v4 Chart is registered
     * by its provider without inputs, so it shows none here either.
     */
    private structOf(r: AnalyzedResource, view: "inputs" | "state" = "inputs"): unknown {
        if (r.remote) {
            return this.empty;
        }
        return view === "inputs" ? r.inputsStruct : r.stateStruct;
    }

    private providerOf(urn: string | null): unknown {
        const p = urn ? this.byUrn.get(urn) : undefined;
        if (!p) {
            return undefined;
        }
        let pr = this.providers.get(p.urn);
        if (pr === undefined) {
            const msg = new this.proto.AnalyzerProviderResource();
            msg.setType(p.type);
            msg.setName(p.name);
            msg.setUrn(p.urn);
            msg.setProperties(this.structOf(p));
            this.providers.set(p.urn, pr = msg);
        }
        return pr;
    }

    /**
     * AnalyzeRequest (one resource) and AnalyzerResource (an entry of the stack request) share
     * these fields; the stack entry adds parent and dependencies.
     */
    private describe<T extends { setType(t: string): void; setName(n: string): void; setUrn(u: string): void;
        setProperties(s: unknown): void; setOptions(o: unknown): void; setProvider(p: unknown): void }>(msg: T, r: AnalyzedResource, view: "inputs" | "state" = "inputs"): T {
        msg.setType(r.type);
        msg.setName(r.name);
        msg.setUrn(r.urn);
        msg.setProperties(this.structOf(r, view));
        msg.setOptions(this.options(r));
        const provider = this.providerOf(r.provider);
        if (provider) {
            msg.setProvider(provider);
        }
        return msg;
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a generated analyzer protobuf message, untyped
    private options(r: AnalyzedResource): any {
        const o = new this.proto.AnalyzerResourceOptions();
        o.setProtect(r.protect);
        o.setIgnorechangesList(r.ignoreChanges);
        o.setAdditionalsecretoutputsList(r.additionalSecretOutputs);
        o.setDeletebeforereplace(r.deleteBeforeReplace);
        o.setDeletebeforereplacedefined(true);
        if (r.parent) {
            o.setParent(r.parent);
        }
        return o;
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a generated analyzer protobuf message, untyped
    private collect(response: any, fallbackUrn: string): void {
        for (const d of response.getDiagnosticsList()) {
            this.violations.push({
                policy: d.getPolicyname(),
                enforcementLevel: d.getEnforcementlevel() === this.proto.EnforcementLevel.MANDATORY ? "mandatory" : "advisory",
                urn: d.getUrn() || fallbackUrn,
                message: d.getMessage(),
            });
        }
    }
}

/** Evaluates the pack over a finished list of resources, in this thread. */
export async function runPolicies(pack: PackDefinition, resources: readonly RecordedResource[], config: PolicyPackConfig = {}): Promise<PolicyReport> {
    const session = new PolicySession(pack, config);
    resources.forEach(r => session.add(r));
    return session.finish();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the analyzer's generated response messages are untyped
function call(fn: (call: unknown, cb: (err: unknown, resp: unknown) => void) => unknown, request: unknown): Promise<any> {
    return new Promise((resolve, reject) => {
        fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp)));
    });
}
