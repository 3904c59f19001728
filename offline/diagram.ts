/**
 * Draws the architecture of a plan as SVG with Graphviz (@viz-js/viz): the cloud foundation and
 * its data layer, each namespace with its workloads and charts, and the traffic paths (internet →
 * load balancer → ingress → services → data stores), all derived from the recorded resources.
 */
import type { Graph } from "@viz-js/viz";
import { RecordedResource } from "./engine";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- recorded inputs are untyped provider JSON, read by path
type Obj = Record<string, any>;

const dataStoreTypes: Record<string, "postgres" | "redis" | "objects"> = {
    "aws:rds/instance:Instance": "postgres",
    "gcp:sql/databaseInstance:DatabaseInstance": "postgres",
    "aws:elasticache/replicationGroup:ReplicationGroup": "redis",
    "gcp:redis/instance:Instance": "redis",
    "aws:s3/bucket:Bucket": "objects",
    "aws:s3/bucketV2:BucketV2": "objects",
    "gcp:storage/bucket:Bucket": "objects",
};
const workloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job"];
const envToStore: Record<string, string> = { DATABASE_URL: "postgres", REDIS_URL: "redis", NATS_URL: "nats" };

function kindOf(r: RecordedResource): string {
    return r.type.split(":")[2] ?? "";
}

function id(text: string): string {
    return text.replace(/[^A-Za-z0-9_]/g, "_");
}

function containersOf(r: RecordedResource): Obj[] {
    const spec = r.inputs.spec as Obj | undefined;
    const pod = kindOf(r) === "CronJob" ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
    return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
}

/** The Graphviz graph of a plan. */
export function architectureGraph(resources: readonly RecordedResource[], title: string): Graph {
    const nodes = new Map<string, Obj>();
    const edges: Obj[] = [];
    const clusters = new Map<string, { label: string; nodes: string[] }>();
    const addNode = (name: string, label: string, attributes: Obj = {}, cluster?: string) => {
        nodes.set(name, { name, attributes: { label, ...attributes } });
        if (cluster) {
            clusters.get(cluster)?.nodes.push(name);
        }
    };
    const cluster = (key: string, label: string) => {
        if (!clusters.has(key)) {
            clusters.set(key, { label, nodes: [] });
        }
        return key;
    };

    addNode("internet", "Users\n(Cloudflare CDN/WAF)", { shape: "oval" });

    // Cloud foundation: its sub-components, and the data stores it provisions.
    const foundation = resources.find(r => !r.custom && /^bookkeep:(aws|gcp|local):Foundation$/.test(r.type));
    if (foundation) {
        const fc = cluster("foundation", `Cloud foundation (${foundation.type.split(":")[1]})`);
        for (const c of resources.filter(r => !r.custom && r.parent === foundation.urn)) {
            addNode(id(c.urn), `${c.type.split(":")[2]}\n${c.name}`, { shape: "component" }, fc);
        }
    }
    const data = cluster("data", "Data layer");
    const stores = new Set<string>();
    for (const r of resources) {
        const store = dataStoreTypes[r.type];
        if (store) {
            stores.add(store);
            addNode(id(r.urn), `${r.type.split(":")[2]}\n${r.name}`, { shape: "cylinder" }, data);
            edges.push({ tail: store, head: id(r.urn), attributes: { style: "dotted", arrowhead: "none" } });
        }
    }
    for (const store of ["postgres", "redis", "objects"]) {
        addNode(store, { postgres: "PostgreSQL", redis: "Redis", objects: "Object store" }[store]!, { shape: "cylinder", style: "bold" }, data);
    }

    // Namespaces with their charts and workloads.
    const nsOf = (r: RecordedResource): string | undefined =>
        (r.inputs.metadata as Obj | undefined)?.namespace ?? (r.inputs.namespace as string | undefined);
    for (const ns of resources.filter(r => r.type === "kubernetes:core/v1:Namespace")) {
        const name = (ns.inputs.metadata as Obj | undefined)?.name ?? ns.name;
        cluster(`ns_${name}`, `namespace ${name}`);
    }
    const workloadByName = new Map<string, string>();
    // Helm v4 charts register as (remote) components, so they are not custom resources. What a
    // chart renders is drawn as the chart (its object count on the node), not object by object.
    const charts = new Set(resources.filter(x => x.type.startsWith("kubernetes:helm.sh/")).map(x => x.urn));
    const rendered = new Map<string, number>();
    resources.filter(x => x.parent !== null && charts.has(x.parent)).forEach(x => rendered.set(x.parent!, (rendered.get(x.parent!) ?? 0) + 1));
    for (const r of resources.filter(x => (x.custom && !(x.parent !== null && charts.has(x.parent))) || charts.has(x.urn))) {
        const ns = nsOf(r);
        const key = ns && clusters.has(`ns_${ns}`) ? `ns_${ns}` : undefined;
        if (r.type.startsWith("kubernetes:helm.sh/")) {
            const chart = String(r.inputs.chart ?? r.name);
            const objects = rendered.get(r.urn);
            addNode(id(r.urn), `${chart.split("/").pop()}\n${objects === undefined ? String(r.inputs.version ?? "") : `${objects} objects`}`, { shape: "box3d" }, key);
            if (/gateway-helm/.test(chart)) {
                edges.push({ tail: "lb", head: id(r.urn), attributes: { label: "HTTPS" } });
                workloadByName.set("ingress", id(r.urn));
            }
            if (/nats/.test(chart)) {
                workloadByName.set("nats", id(r.urn));
            }
            if (/postgresql/.test(chart)) {
                edges.push({ tail: "postgres", head: id(r.urn), attributes: { style: "dotted", arrowhead: "none" } });
            }
            if (/redis/.test(chart)) {
                edges.push({ tail: "redis", head: id(r.urn), attributes: { style: "dotted", arrowhead: "none" } });
            }
            if (/minio/.test(chart)) {
                edges.push({ tail: "objects", head: id(r.urn), attributes: { style: "dotted", arrowhead: "none" } });
            }
        } else if (workloadKinds.includes(kindOf(r))) {
            const name = (r.inputs.metadata as Obj | undefined)?.name ?? r.name;
            addNode(id(r.urn), `${kindOf(r)}\n${name}`, { shape: kindOf(r) === "Deployment" ? "box" : "hexagon" }, key);
            workloadByName.set(name, id(r.urn));
            const envs = new Set(containersOf(r).flatMap(c => (c.env ?? []).map((e: Obj) => e.name as string)));
            for (const [env, store] of Object.entries(envToStore)) {
                if (envs.has(env)) {
                    edges.push({ tail: id(r.urn), head: store === "nats" ? "nats_target" : store });
                }
            }
            if (kindOf(r) === "CronJob") {
                edges.push({ tail: id(r.urn), head: "objects", attributes: { label: "backups" } });
            }
        }
    }
    addNode("lb", "Load balancer\n(L4, TLS passthrough to the gateway)", { shape: "trapezium" });
    edges.push({ tail: "internet", head: "lb" });

    // HTTPRoutes: the API gateway → service workload, labelled with the path (and a canary's weight).
    for (const route of resources.filter(r => r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")) {
        for (const rule of ((route.inputs.spec as Obj | undefined)?.rules ?? []) as Obj[]) {
            const path = (rule.matches ?? []).map((m: Obj) => m.path?.value).find((v: unknown) => typeof v === "string");
            const refs = (rule.backendRefs ?? []) as Obj[];
            for (const ref of refs) {
                const target = workloadByName.get(ref.name);
                if (target && path && workloadByName.has("ingress")) {
                    edges.push({
                        tail: workloadByName.get("ingress"), head: target,
                        attributes: { label: `${path}${refs.length > 1 ? ` (${ref.weight}%)` : ""}` },
                    });
                }
            }
        }
    }
    const nats = workloadByName.get("nats");
    const finalEdges = edges
        .map(e => (e.head === "nats_target" ? (nats ? { ...e, head: nats } : undefined) : e))
        .filter((e): e is Obj => e !== undefined)
        .filter((e, i, all) => all.findIndex(o => o.tail === e.tail && o.head === e.head && o.attributes?.label === e.attributes?.label) === i);

    const inCluster = new Set([...clusters.values()].flatMap(c => c.nodes));
    return {
        directed: true,
        graphAttributes: { label: title, labelloc: "t", rankdir: "LR", fontname: "Helvetica", compound: true },
        nodeAttributes: { fontname: "Helvetica", fontsize: 10 },
        edgeAttributes: { fontname: "Helvetica", fontsize: 9 },
        nodes: [...nodes.values()].filter(n => !inCluster.has(n.name)) as Graph["nodes"],
        edges: finalEdges as Graph["edges"],
        subgraphs: [...clusters.entries()].filter(([, c]) => c.nodes.length > 0).map(([key, c]) => ({
            name: `cluster_${id(key)}`,
            graphAttributes: { label: c.label, style: "rounded" },
            nodes: c.nodes.map(n => nodes.get(n)!) as Graph["nodes"],
        })),
    };
}

/** Renders the architecture of a plan as an SVG document. */
export async function architectureSvg(resources: readonly RecordedResource[], title: string): Promise<string> {
    // Graphviz (WebAssembly) loads only when a diagram is asked for.
    const { instance } = await import("@viz-js/viz");
    const viz = await instance();
    return viz.renderString(architectureGraph(resources, title), { format: "svg" });
}
