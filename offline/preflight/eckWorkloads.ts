/**
 * The pods the ECK operator creates at run time for an Elasticsearch or Kibana resource: none of
 * them is in the plan, so they are read from the resource (each node set's count, the main
 * container's requests and the volume claims; Kibana's count and requests). Containers the plan
 * leaves without requests get ECK 3.5's defaults (Elasticsearch 2Gi memory, Kibana 1Gi), and the
 * Elasticsearch pods' init containers (under 100m / 50Mi together) are not counted.
 */
import { asArray, isObject, mebibytes, millicores, PreflightResource } from "./resources";
import { Workload } from "./workload";

export const eckTypes = {
    elasticsearch: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch",
    kibana: "kubernetes:kibana.k8s.elastic.co/v1:Kibana",
} as const;

const defaults = { elasticsearch: { memory: "2Gi" }, kibana: { memory: "1Gi" } } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a pod template: untyped JSON
function requestsOf(podTemplate: any, container: keyof typeof defaults): { cpuMillicores: number; memoryMib: number } {
    const main = asArray(podTemplate?.spec?.containers).find(c => isObject(c) && c.name === container);
    const requests = isObject(main?.resources?.requests) ? main.resources.requests : defaults[container];
    return { cpuMillicores: millicores(requests.cpu), memoryMib: mebibytes(requests.memory) };
}

export function eckWorkloads(r: PreflightResource): Workload[] {
    const meta = isObject(r.inputs.metadata) ? r.inputs.metadata : {};
    const spec = isObject(r.inputs.spec) ? r.inputs.spec : {};
    const where = `${String(meta.namespace ?? "default")}/${String(meta.name ?? r.name)}`;
    if (r.type === eckTypes.kibana) {
        const n = typeof spec.count === "number" ? spec.count : 1;
        return [{ id: `Deployment ${where}-kb`, kind: "Deployment", origin: "plan", minReplicas: n, maxReplicas: n, ...requestsOf(spec.podTemplate, "kibana") }];
    }
    return asArray(spec.nodeSets).filter(isObject).map(set => {
        const n = typeof set.count === "number" ? set.count : 1;
        const volumes = asArray(set.volumeClaimTemplates).map(t => ({
            storageClass: String(t?.spec?.storageClassName ?? "(default)"),
            gib: mebibytes(t?.spec?.resources?.requests?.storage) / 1024,
        }));
        return {
            id: `StatefulSet ${where}-es-${String(set.name)}`, kind: "StatefulSet" as const, origin: "plan" as const, minReplicas: n, maxReplicas: n,
            ...requestsOf(set.podTemplate, "elasticsearch"),
            // ECK's default claim when the node set names none: 1Gi.
            volumes: volumes.length > 0 ? volumes : [{ storageClass: "(default)", gib: 1 }],
        };
    });
}
