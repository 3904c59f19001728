/**
 * Small pure helpers the policy modules share: where a resource lives, which environment it
 * belongs to, and where a workload keeps its pod spec. The pack has its own package.json, so
 * nothing here imports the program or the cloud SDKs: resources are matched by type string and
 * read from their inputs (`props`), as the engine hands them to the analyzer.
 */
import {
    PolicyProviderResource, PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs, StackValidationArgs, UnknownValueError,
    validateResourceOfType,
} from "@pulumi/policy";
import { internetWide } from "./cidrs";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource properties as policies receive them: untyped provider JSON
export type Props = Record<string, any>;

/** What both resource and stack validations see of a resource. */
export interface Subject {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Props;
    readonly provider?: PolicyProviderResource;
}

export const awsIndiaRegions: readonly string[] = ["ap-south-1", "ap-south-2"];
export const gcpIndiaRegions: readonly string[] = ["asia-south1", "asia-south2"];
export const environments = ["development", "staging", "production"] as const;
export type Environment = typeof environments[number];

/**
 * Type tokens of the Helm chart resources: the v4 Chart and v3 Chart components (their rendered
 * objects are their children) and the v3 Release (one custom resource; Helm installs the objects).
 */
export const helmChartTypes: readonly string[] = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v3:Release"];

const appNamespacePattern = /^bookkeep-(development|staging|production)$/;

/** The application namespace's environment (`bookkeep-<environment>`), if `ns` is one. */
export function appNamespaceEnvironment(ns: unknown): Environment | undefined {
    return typeof ns === "string" ? appNamespacePattern.exec(ns)?.[1] as Environment | undefined : undefined;
}

export function isAppNamespace(ns: unknown): ns is string {
    return appNamespaceEnvironment(ns) !== undefined;
}

/**
 * The analyzer's proxy throws this when a policy reads an input that is unknown during preview;
 * left to propagate, the analyzer reports "can't run policy ... during preview" as advisory.
 */
export function isUnknownValue(e: unknown): e is UnknownValueError {
    return e instanceof UnknownValueError;
}

/**
 * Reads a value that may be malformed (undefined then). An unknown (a preview-time computed input)
 * propagates: a check must never mistake "not known yet" for "not set".
 */
export function safe<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch (e) {
        if (isUnknownValue(e)) {
            throw e;
        }
        return undefined;
    }
}

/**
 * Reads a hint for which a default is right when it is unknown: environment signals, names for
 * messages, and name matches that back up a property dependency (which an unknown always has).
 * Never for a value a policy judges.
 */
export function whenKnown<T>(read: () => T): T | undefined {
    try {
        return read();
    } catch {
        return undefined;
    }
}

/**
 * The entries of an object or array the analyzer proxies, skipping those whose value is unknown
 * during preview: a scan over many leaves judges the known ones rather than none.
 */
export function knownEntries(v: unknown): Array<[string, unknown]> {
    const out: Array<[string, unknown]> = [];
    if (typeof v !== "object" || v === null) {
        return out;
    }
    for (const key of Object.keys(v)) {
        try {
            out.push([key, (v as Props)[key]]);
        } catch (e) {
            if (!isUnknownValue(e)) {
                throw e;
            }
        }
    }
    return out;
}

/**
 * Reads once, on first call, and answers every later call the same way, including by throwing
 * what the first read threw (an unknown during preview): a stack policy that compares every pair
 * of two kinds of resources reads each one's inputs once, and still meets an unknown exactly
 * where a read in its place would have.
 */
export function readOnce<T>(read: () => T): () => T {
    let outcome: { value: T } | { error: unknown } | undefined;
    return () => {
        if (outcome === undefined) {
            try {
                outcome = { value: read() };
            } catch (error) {
                outcome = { error };
            }
        }
        if ("error" in outcome) {
            throw outcome.error;
        }
        return outcome.value;
    };
}

/** Provider inputs that are objects arrive JSON-encoded (the AWS and GCP SDKs stringify them). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever JSON the provider input held
export function decoded(v: unknown): any {
    if (typeof v === "string" && (v.startsWith("{") || v.startsWith("["))) {
        try {
            return JSON.parse(v);
        } catch {
            return v;
        }
    }
    return v;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- elements of untyped provider JSON
export function asArray(v: unknown): any[] {
    return Array.isArray(v) ? v : [];
}

export function isObject(v: unknown): v is Props {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function asEnvironment(v: unknown): Environment | undefined {
    return (environments as readonly string[]).includes(v as string) ? v as Environment : undefined;
}

/** Tags and labels are written by hand: `Production` means production. */
function tagEnvironment(v: unknown): Environment | undefined {
    return asEnvironment(typeof v === "string" ? v.toLowerCase() : v);
}

/** The stack a URN belongs to: every URN is `urn:pulumi:<stack>::<project>::<type chain>::<name>`. */
export function stackOfUrn(urn: string): string | undefined {
    const prefix = "urn:pulumi:";
    return urn.startsWith(prefix) && urn.includes("::") ? urn.slice(prefix.length).split("::")[0] : undefined;
}

/** The environment the stack in `urn` is named after (the stacks are named exactly so), if any. */
export function urnEnvironment(urn: string): Environment | undefined {
    return asEnvironment(stackOfUrn(urn));
}

type Read = <T>(read: () => T) => T | undefined;

/**
 * The environment a provider's default tags (AWS) or default labels (GCP) stamp on its resources.
 * As a signal an unknown reads as unset; `read = safe` lets an unknown propagate instead.
 */
export function providerEnvironment(props: Props | undefined, read: Read = whenKnown): Environment | undefined {
    if (!props) {
        return undefined;
    }
    const tags = read(() => decoded(props.defaultTags)?.tags);
    const labels = read(() => decoded(props.defaultLabels));
    return tagEnvironment(read(() => tags?.Environment ?? tags?.environment)) ?? tagEnvironment(read(() => labels?.environment));
}

/** What the resource's own data says of its environment: tags/labels, its provider's, its namespace. */
function environmentSignals(r: Subject): Set<Environment> {
    const p = r.props;
    const reads = [
        () => p.tags?.Environment, () => p.tags?.environment, () => p.labels?.environment,
        () => p.settings?.userLabels?.environment, () => p.resourceLabels?.environment,
        () => r.type.startsWith("pulumi:providers:") ? providerEnvironment(p) : providerEnvironment(r.provider?.props),
        () => appNamespaceEnvironment(r.type === "kubernetes:core/v1:Namespace" ? p.metadata?.name : p.metadata?.namespace ?? p.namespace),
    ];
    const found = new Set<Environment>();
    for (const read of reads) {
        const env = tagEnvironment(whenKnown(read));
        if (env) {
            found.add(env);
        }
    }
    return found;
}

/**
 * Which environment a resource belongs to. The stack in its URN decides when it is named after an
 * environment; otherwise (an ad-hoc stack) its tags/labels, its provider's default tags/labels and
 * its Kubernetes namespace (`bookkeep-<environment>`) decide, if they agree. Undefined when
 * nothing or conflicting signals say; callers treat that as "not production".
 */
export function environmentOf(r: Subject): Environment | undefined {
    const fromUrn = urnEnvironment(r.urn);
    if (fromUrn) {
        return fromUrn;
    }
    const signals = environmentSignals(r);
    return signals.size === 1 ? [...signals][0] : undefined;
}

export function isProduction(r: Subject): boolean {
    return environmentOf(r) === "production";
}

// Stack policies ask once per resource; the answer is the same for the whole analysis.
const stackEnvironments = new WeakMap<StackValidationArgs, { env: Environment | undefined }>();

/**
 * The stack's environment: the stack named in the root `pulumi:pulumi:Stack` resource's URN (any
 * URN names the same stack). For a stack not named after an environment, what the resources say,
 * if they all agree.
 */
export function stackEnvironment(args: StackValidationArgs): Environment | undefined {
    if (!stackEnvironments.has(args)) {
        stackEnvironments.set(args, { env: findStackEnvironment(args) });
    }
    return stackEnvironments.get(args)?.env;
}

function findStackEnvironment(args: StackValidationArgs): Environment | undefined {
    const root = args.resources.find(r => r.type === "pulumi:pulumi:Stack") ?? args.resources[0];
    const fromUrn = root ? urnEnvironment(root.urn) : undefined;
    if (fromUrn) {
        return fromUrn;
    }
    const signals = new Set(args.resources.flatMap(r => [...environmentSignals(r)]));
    return signals.size === 1 ? [...signals][0] : undefined;
}

/** A resource is production if it says so, or if the stack it is in is the production stack. */
export function isProductionIn(args: StackValidationArgs, r: Subject): boolean {
    return isProduction(r) || stackEnvironment(args) === "production";
}

export function ofType(args: StackValidationArgs, ...types: string[]): PolicyResource[] {
    return args.resources.filter(r => types.includes(r.type));
}

/** Resources that `r` references through input `key` (the engine's property dependencies). */
export function referenced(r: PolicyResource, key: string): PolicyResource[] {
    return r.propertyDependencies?.[key] ?? [];
}

/** `name` for Kubernetes objects (metadata.name, else the Pulumi name the provider auto-names from). */
export function k8sName(r: Subject): string {
    return safe(() => r.props.metadata?.name) ?? r.name;
}

export function k8sNamespace(r: Subject): string {
    return safe(() => r.props.metadata?.namespace) ?? "default";
}

/** AWS region of a resource: its own `region` input (provider v7 allows one) or its provider's. */
export function awsRegionOf(r: Subject): string | undefined {
    return safe(() => r.props.region) ?? safe(() => r.provider?.props.region);
}

// ---- CIDRs and ports ---------------------------------------------------------------------------

/** Whether `cidr` on its own opens a rule to the internet (see `internetWide` for a union). */
export function isWorldCidr(cidr: unknown): boolean {
    return internetWide([cidr]).length > 0;
}

/**
 * Ports that carry data or administrative access and must never face the internet (ascending):
 * SSH, SQL Server, etcd, MySQL, RDP, NATS, PostgreSQL, Kibana, Redis, Kafka, Elasticsearch, the
 * kubelet, Memcached, MongoDB.
 */
export const dataPorts: readonly number[] = [22, 1433, 2379, 2380, 3306, 3389, 4222, 5432, 5601, 6379, 9092, 9200, 9300, 10250, 11211, 27017];

/** Data ports inside an inclusive range; "all protocols" (-1) means every port. */
export function dataPortsIn(protocol: unknown, from: unknown, to: unknown): number[] {
    const proto = String(protocol ?? "").toLowerCase();
    if (proto === "-1" || proto === "all") {
        return [...dataPorts];
    }
    if (proto !== "" && proto !== "tcp" && proto !== "6" && proto !== "udp" && proto !== "17") {
        return [];
    }
    const lo = typeof from === "number" ? from : 0;
    const hi = typeof to === "number" ? to : lo;
    if (lo === 0 && hi === 0) {
        return [...dataPorts];
    }
    return dataPorts.filter(p => p >= lo && p <= hi);
}

// ---- Pod templates -----------------------------------------------------------------------------

export const workloadKinds = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController", "PodTemplate"] as const;
const workloadType = /^kubernetes:(?:core|apps|batch|extensions)\/v[0-9a-z]+:(Pod|Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob|ReplicationController|PodTemplate)(Patch)?$/;
/** API groups of Kubernetes itself; any other group is a custom resource that may embed pod templates. */
const builtInGroup = /^kubernetes:(core|apps|batch|extensions|policy|autoscaling|rbac\.authorization\.k8s\.io|[a-z.]*\.k8s\.io|helm\.sh|yaml|kustomize)\//;

export interface PodTemplate {
    /** A workload kind, or the kind of a custom resource that embeds a pod template (an Argo Rollout). */
    readonly kind: string;
    /** The object's own name, for messages. */
    readonly name: string;
    readonly spec: Props;
    readonly metadata: Props;
    /** Jobs, CronJobs and run-to-completion Pods end on their own; the rest are expected to serve. */
    readonly longRunning: boolean;
    /**
     * A server-side patch (`DeploymentPatch`, ...) sets only some fields of an object that exists:
     * what it sets is judged, what it leaves unset is the object's own.
     */
    readonly partial: boolean;
}

/** Whether `value` is a field a patch leaves as it is, so a check that wants it set must not judge it. */
export function leftToObject(pod: PodTemplate, value: unknown): boolean {
    return pod.partial && value === undefined;
}

/** The pod spec of any workload kind, wherever its kind keeps it. */
export function podTemplateOf(type: string, props: Props, name: string): PodTemplate | undefined {
    const match = workloadType.exec(type);
    if (!match) {
        return undefined;
    }
    const [, kind, patch] = match;
    if (kind === undefined) {
        throw new Error(`workloadType matched ${type} without capturing its kind`);
    }
    const template = kind === "Pod" ? props
        : kind === "CronJob" ? props.spec?.jobTemplate?.spec?.template
        : kind === "PodTemplate" ? props.template
        : props.spec?.template;
    const spec: Props = isObject(template?.spec) ? template.spec : {};
    const runToCompletion = kind === "Job" || kind === "CronJob" || (kind === "Pod" && ["Never", "OnFailure"].includes(spec.restartPolicy));
    return {
        kind: patch ? `${kind}Patch` : kind,
        name: whenKnown(() => props.metadata?.name) ?? name,
        spec,
        metadata: isObject(template?.metadata) ? template.metadata : {},
        longRunning: !runToCompletion,
        partial: match[2] !== undefined,
    };
}

/** Pod specs (objects with a `containers` list) anywhere inside a custom resource's inputs, with the metadata beside them. */
function embeddedPodSpecs(v: unknown, metadata: unknown, out: Array<{ spec: Props; metadata: Props }>, depth: number): void {
    if (depth > 12 || typeof v !== "object" || v === null) {
        return;
    }
    if (isObject(v) && Array.isArray(v.containers)) {
        out.push({ spec: v, metadata: isObject(metadata) ? metadata : {} });
        return;
    }
    for (const [key, x] of knownEntries(v)) {
        embeddedPodSpecs(x, key === "spec" && isObject(v) ? v.metadata : undefined, out, depth + 1);
    }
}

/**
 * Every pod template a resource carries: a workload's (or a workload patch's), or those a custom
 * resource embeds (Argo Rollouts, Knative Services, operator kinds that run pods from a template).
 */
export function podTemplatesOf(type: string, props: Props, name: string): PodTemplate[] {
    const own = podTemplateOf(type, props, name);
    if (own) {
        return [own];
    }
    if (!type.startsWith("kubernetes:") || builtInGroup.test(type)) {
        return [];
    }
    const found: Array<{ spec: Props; metadata: Props }> = [];
    embeddedPodSpecs(props.spec, undefined, found, 0);
    const kind = type.split(":").pop() ?? type;
    return found.map(f => ({ kind, name: whenKnown(() => props.metadata?.name) ?? name, spec: f.spec, metadata: f.metadata, longRunning: true, partial: false }));
}

export interface ContainerRef {
    readonly container: Props;
    /** `container "api"`, `init container "migrate"`, for messages. */
    readonly label: string;
    readonly init: boolean;
}

export function containersOf(spec: Props): ContainerRef[] {
    const list = (key: string, prefix: string, init: boolean) =>
        asArray(spec[key]).filter(isObject).map(c => ({ container: c, label: `${prefix}"${c.name ?? "?"}"`, init }));
    return [
        ...list("initContainers", "init container ", true),
        ...list("containers", "container ", false),
        ...list("ephemeralContainers", "ephemeral container ", true),
    ];
}

/** A container's effective security setting: the container's own, else the pod's. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a security-context field of untyped provider JSON
export function effective(pod: Props, c: Props, key: string): any {
    return c.securityContext?.[key] ?? pod.securityContext?.[key];
}

/** Runs `check` on every pod template a resource carries; resources without one are not applicable. */
export function forPods(check: (pod: PodTemplate, report: ReportViolation, args: ResourceValidationArgs) => void) {
    return (args: ResourceValidationArgs, report: ReportViolation) => {
        for (const pod of podTemplatesOf(args.type, args.props, args.name)) {
            check(pod, report, args);
        }
    };
}

/**
 * Validation over one or more resource types, matched by type string. For a single type it goes
 * through `validateResourceOfType` with that type token, as an SDK class would (its static
 * `__pulumiType`): the analyzer then skips every other resource without deserialising it, which
 * is most of a policy pack's cost on a large stack.
 */
export function forTypes(types: readonly string[], check: (args: ResourceValidationArgs, report: ReportViolation) => void): ResourceValidation {
    if (types.length === 1) {
        const typeToken = { __pulumiType: types[0], isInstance: () => false } as unknown as Parameters<typeof validateResourceOfType>[0];
        return validateResourceOfType(typeToken, (_props, args, report) => check(args, report));
    }
    return (args: ResourceValidationArgs, report: ReportViolation) => {
        if (types.includes(args.type)) {
            check(args, report);
        }
    };
}

/**
 * A canary Deployment (label `track: canary`) whose stable track — a Deployment in the same
 * namespace with the same `app.kubernetes.io/name` — exists. The stable track carries the
 * replicas and the PodDisruptionBudget; the canary is one disposable pod taking a small share of
 * traffic, which must not hold up a node drain.
 */
export function isCanaryWithStableTrack(args: StackValidationArgs, d: PolicyResource): boolean {
    const labels = (r: PolicyResource): Props => safe(() => r.props.metadata?.labels) ?? {};
    const own = labels(d);
    const app = own["app.kubernetes.io/name"];
    if (own.track !== "canary" || app === undefined) {
        return false;
    }
    return args.resources.some(r => r.type === d.type && r.urn !== d.urn && k8sNamespace(r) === k8sNamespace(d) &&
        labels(r)["app.kubernetes.io/name"] === app && labels(r).track !== "canary");
}
