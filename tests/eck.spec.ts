/**
 * ECK (issue 22): the preflight counts the pods the operator creates from Elasticsearch and Kibana
 * resources (no Deployment or StatefulSet of theirs is in the plan), and the plan's reference check
 * knows the Secret the operator generates for the superuser.
 */
import { expect } from "chai";
import { runPlanChecks } from "../offline/charts/checks";
import { inventory } from "../offline/preflight/workloads";
import { PreflightResource } from "../offline/preflight/resources";

const es = (nodeSets: unknown[]): PreflightResource => ({
    type: "kubernetes:elasticsearch.k8s.elastic.co/v1:Elasticsearch", urn: "urn:es", name: "es",
    inputs: { metadata: { name: "logs", namespace: "mon" }, spec: { version: "8.19.11", nodeSets } },
});
const kibana = (spec: Record<string, unknown>): PreflightResource => ({
    type: "kubernetes:kibana.k8s.elastic.co/v1:Kibana", urn: "urn:kb", name: "kb", inputs: { metadata: { name: "kibana", namespace: "mon" }, spec },
});

describe("ECK resources in the preflight and the plan checks", () => {
    it("counts each node set's pods, requests and claims, and Kibana's replicas", () => {
        const main = { name: "elasticsearch", resources: { requests: { cpu: "1", memory: "4Gi" } } };
        const w = inventory([
            es([
                { name: "hot", count: 3, podTemplate: { spec: { containers: [main] } }, volumeClaimTemplates: [{ spec: { storageClassName: "gp3", resources: { requests: { storage: "100Gi" } } } }] },
                { name: "cold", podTemplate: { spec: { containers: [] } } },
            ]),
            kibana({ count: 2, podTemplate: { spec: { containers: [{ name: "kibana", resources: { requests: { cpu: "200m", memory: "1Gi" } } }] } } }),
        ]).workloads;
        expect(w).to.deep.equal([
            { id: "StatefulSet mon/logs-es-hot", kind: "StatefulSet", origin: "plan", minReplicas: 3, maxReplicas: 3, cpuMillicores: 1000, memoryMib: 4096, volumes: [{ storageClass: "gp3", gib: 100 }] },
            // ECK's defaults where the plan sets nothing: 2Gi memory and a 1Gi claim.
            { id: "StatefulSet mon/logs-es-cold", kind: "StatefulSet", origin: "plan", minReplicas: 1, maxReplicas: 1, cpuMillicores: 0, memoryMib: 2048, volumes: [{ storageClass: "(default)", gib: 1 }] },
            { id: "Deployment mon/kibana-kb", kind: "Deployment", origin: "plan", minReplicas: 2, maxReplicas: 2, cpuMillicores: 200, memoryMib: 1024 },
        ]);
        expect(inventory([kibana({})]).workloads.map(x => [x.minReplicas, x.memoryMib])).to.deep.equal([[1, 1024]]);
    });

    it("accepts a pod reading <name>-es-elastic-user only where an Elasticsearch of that name is in the same namespace", () => {
        const job = (namespace: string) => ({
            type: "kubernetes:batch/v1:Job", urn: `urn:job-${namespace}`, name: "setup", custom: true, parent: null,
            inputs: { metadata: { name: "setup", namespace }, spec: { template: { spec: { containers: [{ name: "c", env: [{ name: "P", valueFrom: { secretKeyRef: { name: "logs-es-elastic-user", key: "elastic" } } }] }] } } } },
        });
        const cluster = { ...es([]), custom: true, parent: null };
        const found = runPlanChecks([cluster, job("mon"), job("other")] as never, []);
        expect(found.map(v => [v.policy, v.urn])).to.deep.equal([["pod-references-deployed", "urn:job-other"]]);
    });
});
