/**
 * Every pod-running object in the plan, wherever it sits (the program's own and a chart's
 * rendered children alike), with its replicas at the HPA minimum and maximum; charts whose objects
 * are not in the plan are estimated from their values (chartWorkloads.ts), and the Envoy proxies
 * from their EnvoyProxy (envoyProxies.ts), Elasticsearch and Kibana from their ECK resources (eckWorkloads.ts).
 */
import type { Props } from "../../policies/helpers";
import { chartWorkloads } from "./chartWorkloads";
import { eckTypes, eckWorkloads } from "./eckWorkloads";
import { envoyProxyType, envoyProxyWorkload } from "./envoyProxies";
import { asArray, chartTypes, isObject, mebibytes, millicores, PreflightResource } from "./resources";
import { Workload } from "./workload";

const workloadKinds: Record<string, Workload["kind"]> = {
    "kubernetes:apps/v1:Deployment": "Deployment",
    "kubernetes:apps/v1:StatefulSet": "StatefulSet",
    "kubernetes:apps/v1:DaemonSet": "DaemonSet",
    // The Prometheus operator turns these into StatefulSets of `replicas` pods.
    "kubernetes:monitoring.coreos.com/v1:Prometheus": "StatefulSet",
    "kubernetes:monitoring.coreos.com/v1:Alertmanager": "StatefulSet",
};
const hpaTypes = ["kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kubernetes:autoscaling/v1:HorizontalPodAutoscaler"];

interface PodRequests {
    readonly cpuMillicores: number;
    readonly memoryMib: number;
}

/** The scheduler's view of a pod: the sum of its containers, or its largest init container if larger. */
function podRequests(podSpec: unknown): PodRequests {
    const req = (c: Props) => ({ cpu: millicores(c?.resources?.requests?.cpu), mem: mebibytes(c?.resources?.requests?.memory) });
    const spec = isObject(podSpec) ? podSpec : {};
    const main = asArray(spec.containers).map(req).reduce((a, b) => ({ cpu: a.cpu + b.cpu, mem: a.mem + b.mem }), { cpu: 0, mem: 0 });
    const init = asArray(spec.initContainers).map(req).reduce((a, b) => ({ cpu: Math.max(a.cpu, b.cpu), mem: Math.max(a.mem, b.mem) }), { cpu: 0, mem: 0 });
    return { cpuMillicores: Math.max(main.cpu, init.cpu), memoryMib: Math.max(main.mem, init.mem) };
}

function claims(templates: unknown): Workload["volumes"] {
    const list = asArray(templates).map(t => ({
        storageClass: String(t?.spec?.storageClassName ?? "(default)"),
        gib: mebibytes(t?.spec?.resources?.requests?.storage) / 1024,
    }));
    return list.length > 0 ? list : undefined;
}

function fromObject(r: PreflightResource, kind: Workload["kind"], hpas: Map<string, { min: number; max: number }>): Workload {
    const meta = isObject(r.inputs.metadata) ? r.inputs.metadata : {};
    const spec = isObject(r.inputs.spec) ? r.inputs.spec : {};
    const name = String(meta.name ?? r.name);
    const namespace = String(meta.namespace ?? "default");
    const operator = r.type.includes("monitoring.coreos.com");
    const requests = operator ? podRequests({ containers: [{ resources: spec.resources }] }) : podRequests(spec.template?.spec);
    const volumes = operator ? claims(spec.storage?.volumeClaimTemplate ? [spec.storage.volumeClaimTemplate] : []) : claims(spec.volumeClaimTemplates);
    const replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
    const hpa = kind === "DaemonSet" ? undefined : hpas.get(`${namespace}/${kind}/${name}`);
    return {
        id: `${kind} ${namespace}/${name}`, kind, origin: "plan",
        minReplicas: kind === "DaemonSet" ? 1 : hpa?.min ?? replicas,
        maxReplicas: kind === "DaemonSet" ? 1 : hpa?.max ?? replicas,
        ...requests, ...(volumes ? { volumes } : {}),
    };
}

export interface WorkloadInventory {
    readonly workloads: Workload[];
    /** Charts with neither rendered objects in the plan nor a reader: their pods are not counted. */
    readonly uncountedCharts: string[];
    /** Jobs and CronJobs: they run briefly, so they are left out of the fit and need headroom. */
    readonly batch: number;
}

export function inventory(resources: readonly PreflightResource[]): WorkloadInventory {
    const hpas = new Map<string, { min: number; max: number }>();
    for (const r of resources.filter(x => hpaTypes.includes(x.type))) {
        const spec = r.inputs.spec ?? {};
        const ns = String(r.inputs.metadata?.namespace ?? "default");
        const target = spec.scaleTargetRef ?? {};
        hpas.set(`${ns}/${target.kind}/${target.name}`, { min: spec.minReplicas ?? 1, max: spec.maxReplicas ?? spec.minReplicas ?? 1 });
    }
    const parents = new Set(resources.map(r => r.parent).filter((p): p is string => typeof p === "string"));
    const workloads: Workload[] = [];
    const uncountedCharts: string[] = [];
    for (const r of resources) {
        const kind = workloadKinds[r.type];
        if (kind) {
            workloads.push(fromObject(r, kind, hpas));
        } else if (r.type === envoyProxyType) {
            workloads.push(envoyProxyWorkload(r));
        } else if (r.type === eckTypes.elasticsearch || r.type === eckTypes.kibana) {
            workloads.push(...eckWorkloads(r));
        } else if (chartTypes.includes(r.type) && !parents.has(r.urn)) {
            const chart = String(r.inputs.chart ?? r.name);
            const estimated = chartWorkloads(chart, r.inputs.values);
            if (estimated) {
                workloads.push(...estimated);
            } else {
                uncountedCharts.push(`${chart} ${String(r.inputs.version ?? "")}`.trim());
            }
        }
    }
    const batch = resources.filter(r => r.type === "kubernetes:batch/v1:Job" || r.type === "kubernetes:batch/v1:CronJob").length;
    return { workloads, uncountedCharts: uncountedCharts.sort(), batch };
}
