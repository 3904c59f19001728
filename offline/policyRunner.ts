/**
 * Evaluates the policy pack against recorded resources with `@pulumi/policy`'s own analyzer
 * functions — the code `pulumi preview --policy-pack` drives over gRPC — fed the same protobuf
 * requests the CLI would send. Nothing here re-implements how policies see resources.
 */
import { Policy, PolicyPackConfig } from "@pulumi/policy";
import * as fs from "fs";
import { RecordedResource } from "./engine";

const analyzerServer = require("@pulumi/policy/server");
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

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

export async function runPolicies(pack: PackDefinition, resources: readonly RecordedResource[], config: PolicyPackConfig = {}): Promise<PolicyReport> {
    const evaluated = effectiveLevels(pack, config);
    const levels = new Map(evaluated.map(e => [e.name, e.enforcementLevel]));
    const policies = pack.policies.map(p => ({ ...p, enforcementLevel: levels.get(p.name) }));
    const analyze = analyzerServer.makeAnalyzeRpcFun(pack.name, pack.version, pack.enforcementLevel, policies);
    const analyzeStack = analyzerServer.makeAnalyzeStackRpcFun(pack.name, pack.version, pack.enforcementLevel, policies);

    const byUrn = new Map(resources.map(r => [r.urn, r]));
    // One protobuf Struct per resource, shared by its own request, the stack request and every
    // resource whose provider it is: building Structs is the runner's own main cost.
    const structs = new Map<string, unknown>();
    const structOf = (r: RecordedResource) => {
        let struct = structs.get(r.urn);
        if (struct === undefined) {
            struct = Struct.fromJavaScript(r.rawInputs);
            structs.set(r.urn, struct);
        }
        return struct;
    };
    const providers = new Map<string, unknown>();
    const providerOf = (urn: string | null) => {
        const p = urn ? byUrn.get(urn) : undefined;
        if (!p) {
            return undefined;
        }
        let pr = providers.get(p.urn);
        if (pr === undefined) {
            pr = new analyzerProto.AnalyzerProviderResource();
            (pr as any).setType(p.type);
            (pr as any).setName(p.name);
            (pr as any).setUrn(p.urn);
            (pr as any).setProperties(structOf(p));
            providers.set(p.urn, pr);
        }
        return pr;
    };
    const violations: Violation[] = [];
    const collect = (response: any, fallbackUrn: string) => {
        for (const d of response.getDiagnosticsList()) {
            violations.push({
                policy: d.getPolicyname(),
                enforcementLevel: d.getEnforcementlevel() === analyzerProto.EnforcementLevel.MANDATORY ? "mandatory" : "advisory",
                urn: d.getUrn() || fallbackUrn,
                message: d.getMessage(),
            });
        }
    };

    // AnalyzeRequest (one resource) and AnalyzerResource (an entry of the stack request) share
    // these fields; the stack entry adds parent and dependencies.
    const describe = <T extends { setType(t: string): void; setName(n: string): void; setUrn(u: string): void;
        setProperties(s: unknown): void; setOptions(o: unknown): void; setProvider(p: unknown): void }>(msg: T, r: RecordedResource): T => {
        msg.setType(r.type);
        msg.setName(r.name);
        msg.setUrn(r.urn);
        msg.setProperties(structOf(r));
        msg.setOptions(options(r));
        const provider = providerOf(r.provider);
        if (provider) {
            msg.setProvider(provider);
        }
        return msg;
    };

    for (const r of resources) {
        collect(await call(analyze, describe(new analyzerProto.AnalyzeRequest(), r)), r.urn);
    }

    const stackReq = new analyzerProto.AnalyzeStackRequest();
    stackReq.setResourcesList(resources.map(r => {
        const ar = describe(new analyzerProto.AnalyzerResource(), r);
        if (r.parent) {
            ar.setParent(r.parent);
        }
        ar.setDependenciesList(r.dependsOn);
        for (const [k, urns] of Object.entries(r.propertyDependencies)) {
            const deps = new analyzerProto.AnalyzerPropertyDependencies();
            deps.setUrnsList(urns);
            ar.getPropertydependenciesMap().set(k, deps);
        }
        return ar;
    }));
    collect(await call(analyzeStack, stackReq), "");
    return { pack: pack.name, evaluated, violations };
}

function options(r: RecordedResource): any {
    const o = new analyzerProto.AnalyzerResourceOptions();
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

function call(fn: (call: unknown, cb: (err: unknown, resp: unknown) => void) => unknown, request: unknown): Promise<any> {
    return new Promise((resolve, reject) => {
        fn({ request }, (err, resp) => (err ? reject(err) : resolve(resp)));
    });
}
