/**
 * The Envoy proxies Envoy Gateway creates at run time for a Gateway whose class names an
 * EnvoyProxy: no Deployment of them is in the plan, so their pods are read from the EnvoyProxy
 * resource (replicas, the envoy container's requests) plus the shutdown-manager sidecar Envoy
 * Gateway v1.9 adds to every proxy pod (requests 10m / 32Mi, its built-in default).
 */
import { isObject, mebibytes, millicores, PreflightResource } from "./resources";
import { Workload } from "./workload";

export const envoyProxyType = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy";
const shutdownManager = { cpuMillicores: 10, memoryMib: 32 };

export function envoyProxyWorkload(r: PreflightResource): Workload {
    const meta = isObject(r.inputs.metadata) ? r.inputs.metadata : {};
    const deployment = r.inputs.spec?.provider?.kubernetes?.envoyDeployment ?? {};
    const requests = deployment.container?.resources?.requests ?? {};
    const replicas = typeof deployment.replicas === "number" ? deployment.replicas : 1;
    return {
        id: `Deployment ${String(meta.namespace ?? "default")}/envoy proxies of ${String(meta.name ?? r.name)}`,
        kind: "Deployment", origin: "plan", minReplicas: replicas, maxReplicas: replicas,
        cpuMillicores: millicores(requests.cpu) + shutdownManager.cpuMillicores,
        memoryMib: mebibytes(requests.memory) + shutdownManager.memoryMib,
    };
}
