/**
 * `helm template` with the real Helm 4, as the provider's `helm.v4.Chart` renders: the release
 * name, namespace, values, the cluster's Kubernetes version and the API versions the plan
 * installs, CRDs included unless skipped. Hook objects (`helm.sh/hook`) are split off, because
 * `helm.v4.Chart` never deploys them. Renders are cached by archive digest and every argument,
 * so a warm plan spawns no Helm process.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import { cacheDir, helmBinary, sha256 } from "./helm";

export type K8sObject = Record<string, unknown> & {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly annotations?: Record<string, string>; readonly labels?: Record<string, string> };
};

export interface RenderRequest {
    /** Absolute path of the chart archive. */
    readonly archive: string;
    readonly release: string;
    readonly namespace: string;
    /** Plain JSON values (secrets already unwrapped). */
    readonly values: unknown;
    readonly kubeVersion: string;
    readonly apiVersions: readonly string[];
    readonly includeCrds: boolean;
}

export interface Rendered {
    /** What `helm.v4.Chart` deploys. */
    readonly objects: K8sObject[];
    /** Objects annotated `helm.sh/hook`: rendered by Helm, never deployed by `helm.v4.Chart`. */
    readonly hooks: K8sObject[];
}

export function isHook(o: K8sObject): boolean {
    return o.metadata?.annotations?.["helm.sh/hook"] !== undefined;
}

const digests = new Map<string, string>();

/** sha256 of an archive, once per process. */
export function archiveDigest(archive: string): string {
    let d = digests.get(archive);
    if (d === undefined) {
        d = sha256(fs.readFileSync(archive));
        digests.set(archive, d);
    }
    return d;
}

export function renderKey(req: RenderRequest): string {
    const { archive, ...rest } = req;
    return sha256(Buffer.from(JSON.stringify({ archive: archiveDigest(archive), ...rest, apiVersions: [...req.apiVersions].sort() })));
}

/** Splits `helm template` output into deployed objects and hooks; empty documents are dropped. */
export function parseManifest(text: string): Rendered {
    const all = parseAllDocuments(text).map(d => d.toJS() as K8sObject | null).filter((o): o is K8sObject => o !== null && typeof o === "object");
    return { objects: all.filter(o => !isHook(o)), hooks: all.filter(isHook) };
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    return new Promise((resolve, reject) => {
        execFile(bin, args, { env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) =>
            err ? reject(new Error(`helm ${args.slice(0, 3).join(" ")} failed: ${stderr || err.message}`)) : resolve(stdout));
    });
}

/** Renders already read in this process (a test run or the benchmark evaluates many plans). Never mutated. */
const memo = new Map<string, Promise<Rendered>>();

/**
 * Renders a chart, from the cache when this exact render was made before. The result is shared:
 * callers copy what they change.
 */
export function renderChart(root: string, req: RenderRequest): Promise<Rendered> {
    const key = renderKey(req);
    let rendered = memo.get(key);
    if (rendered === undefined) {
        rendered = renderUncached(root, req, key);
        memo.set(key, rendered);
        rendered.catch(() => memo.delete(key));
    }
    return rendered;
}

async function renderUncached(root: string, req: RenderRequest, key: string): Promise<Rendered> {
    const dir = path.join(cacheDir(root), "renders");
    const cached = path.join(dir, `${key}.json`);
    if (fs.existsSync(cached)) {
        return JSON.parse(fs.readFileSync(cached, "utf8")) as Rendered;
    }
    fs.mkdirSync(dir, { recursive: true });
    const valuesFile = `${cached}.${process.pid}.values.json`;
    fs.writeFileSync(valuesFile, JSON.stringify(req.values ?? {}));
    const home = path.join(cacheDir(root), "home");
    // Helm's own config, cache and data stay inside the project cache; nothing is fetched.
    const env = { PATH: process.env.PATH, HELM_CONFIG_HOME: path.join(home, "config"), HELM_CACHE_HOME: path.join(home, "cache"), HELM_DATA_HOME: path.join(home, "data") };
    const args = [
        "template", req.release, req.archive, "--namespace", req.namespace, "-f", valuesFile, "--kube-version", req.kubeVersion,
        ...req.apiVersions.flatMap(v => ["--api-versions", v]),
        ...(req.includeCrds ? ["--include-crds"] : []),
    ];
    try {
        const rendered = parseManifest(await run(helmBinary(root), args, env));
        const partial = `${cached}.${process.pid}.tmp`;
        fs.writeFileSync(partial, JSON.stringify(rendered));
        fs.renameSync(partial, cached);
        return rendered;
    } finally {
        fs.rmSync(valuesFile, { force: true });
    }
}

export interface CrdInfo {
    /** group/version and group/version/Kind of every CRD rendered, for `--api-versions`. */
    readonly versions: string[];
    /** Kinds of those CRDs that are cluster-scoped. */
    readonly clusterKinds: string[];
}

/** What CRDs a render installs, from every object given. */
export function crdInfo(objects: readonly Record<string, unknown>[]): CrdInfo {
    const versions: string[] = [];
    const clusterKinds: string[] = [];
    for (const o of objects) {
        if (o.kind !== "CustomResourceDefinition") {
            continue;
        }
        const spec = o.spec as { group: string; scope?: string; names: { kind: string }; versions?: { name: string }[] };
        for (const v of spec.versions ?? []) {
            versions.push(`${spec.group}/${v.name}`, `${spec.group}/${v.name}/${spec.names.kind}`);
        }
        if (spec.scope === "Cluster") {
            clusterKinds.push(spec.names.kind);
        }
    }
    return { versions, clusterKinds };
}

/**
 * The CRDs a chart installs, kept in a small file of their own next to the render: the plan needs
 * them from every chart before it renders any chart for good, and a chart's CRDs (their schemas)
 * are most of its render.
 */
export async function renderCrds(root: string, req: RenderRequest): Promise<CrdInfo> {
    const file = path.join(cacheDir(root), "renders", `${renderKey(req)}.crds.json`);
    if (fs.existsSync(file)) {
        return JSON.parse(fs.readFileSync(file, "utf8")) as CrdInfo;
    }
    const info = crdInfo((await renderChart(root, req)).objects);
    fs.writeFileSync(file, JSON.stringify(info));
    return info;
}

