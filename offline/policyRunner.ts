/**
 * Evaluates the policy pack against recorded resources with `@pulumi/policy`'s own analyzer
 * functions — the code `pulumi preview --policy-pack` drives over gRPC — fed the same protobuf
 * requests the CLI would send. Nothing here re-implements how policies see resources.
 */
import { Policy, PolicyPackConfig } from "@pulumi/policy";
import * as fs from "fs";
import { RecordedResource } from "./engine";

// The analyzer runtime is loaded on first use, not when the module's types are imported.
let runtime: { analyzerServer: any; analyzerProto: any; Struct: any } | undefined;
function analyzerRuntime() {
    return runtime ??= {
        analyzerServer: require("@pulumi/policy/server"),
        analyzerProto: require("@pulumi/pulumi/proto/analyzer_pb"),
        Struct: require("google-protobuf/google/protobuf/struct_pb").Struct,
    };
}

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

/**
 * Reads a policy-pack config file (the JSON `pulumi preview --policy-pack-config` takes):
 * `{ "<policy>": "advisory" | { "enforcementLevel": "..." }, "all": "..." }`.
 */
export function readPackConfig(file: string): PolicyPackConfig {
    return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) as PolicyPackConfig : {};
}

/** The policies' effective levels, with the CLI's precedence: policy config, "all", policy, pack. */
export function effectiveLevels(pack: PackDefinition, config: PolicyPackConfig): EvaluatedPolicy[] {
    const levelOf = (v: unknown): Level | undefined =>
        typeof v === "string" ? v as Level : (v as { enforcementLevel?: Level } | undefined)?.enforcementLevel;
    return pack.policies.map(p => ({
        name: p.name,
        enforcementLevel: levelOf(config[p.name]) ?? levelOf(config.all) ?? (p.enforcementLevel as Level | undefined) ?? pack.enforcementLevel,
    }));
}

/** What the analyzer needs of a recorded resource. */
export type AnalyzedResource = Pick<RecordedResource,
    "urn" | "type" | "name" | "parent" | "provider" | "rawInputs" | "protect" | "dependsOn" | "propertyDependencies" |
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
    // One protobuf Struct per resource, shared by its own request, the stack request and every
    // resource whose provider it is: building Structs is the runner's own main cost.
    private readonly structs = new Map<string, unknown>();
    private readonly providers = new Map<string, unknown>();
    private readonly violations: Violation[] = [];
    private pending: Promise<void> = Promise.resolve();
    private readonly runtime = analyzerRuntime();
    private readonly proto = this.runtime.analyzerProto;

    constructor(private readonly pack: PackDefinition, config: PolicyPackConfig = {}) {
        this.evaluated = effectiveLevels(pack, config);
        const levels = new Map(this.evaluated.map(e => [e.name, e.enforcementLevel]));
        const policies = pack.policies.map(p => ({ ...p, enforcementLevel: levels.get(p.name) }));
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
            const ar = this.describe(new this.proto.AnalyzerResource(), r);
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

    private structOf(r: AnalyzedResource): unknown {
        let struct = this.structs.get(r.urn);
        if (struct === undefined) {
            struct = this.runtime.Struct.fromJavaScript(r.rawInputs);
            this.structs.set(r.urn, struct);
        }
        return struct;
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
        setProperties(s: unknown): void; setOptions(o: unknown): void; setProvider(p: unknown): void }>(msg: T, r: AnalyzedResource): T {
        msg.setType(r.type);
        msg.setName(r.name);
        msg.setUrn(r.urn);
        msg.setProperties(this.structOf(r));
        msg.setOptions(this.options(r));
        const provider = this.providerOf(r.provider);
        if (provider) {
            msg.setProvider(provider);
        }
        return msg;
    }

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

function call(fn: (call: unknown, cb: (err: unknown, resp: unknown) => void) => unknown, request: unknown): Promise<any> {
    return new Promise((resolve, reject) => {
        fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp)));
    });
}
