/**
 * A private GKE control plane reaches pods only on 443, 10250 and the ports of the
 * control-plane-webhooks firewall: every admission webhook the GCP plan registers must listen on one
 * of them, and its pods' NetworkPolicy must admit that port from anywhere (the API server's source
 * address is not a pod's). A webhook outside both times out, and with failurePolicy Ignore the
 * write goes through unvalidated with no error anywhere.
 */
import { expect } from "chai";
import { RecordedResource } from "../offline/engine";
import { ofType, plan, present } from "./harness";

interface Meta { name: string; namespace?: string; labels?: Record<string, string> }
interface Port { name?: string; port?: number; targetPort?: number | string; containerPort?: number }
const meta = (r: RecordedResource) => r.inputs.metadata as Meta;
const gkeDefaultPorts = [443, 10250];
const subset = (small: Record<string, string> = {}, big: Record<string, string> = {}) =>
    Object.entries(small).every(([k, v]) => big[k] === v);

/** The container port a Service port sends to, through the pods its selector picks. */
function containerPort(rs: readonly RecordedResource[], namespace: string, selector: Record<string, string>, target: number | string): number {
    if (typeof target === "number") {
        return target;
    }
    const templates = rs.filter(r => r.type === "kubernetes:apps/v1:Deployment" && meta(r).namespace === namespace)
        .map(r => (r.inputs.spec as { template: { metadata: Meta; spec: { containers: Array<{ ports?: Port[] }> } } }).template)
        .filter(t => subset(selector, t.metadata.labels));
    const port = templates.flatMap(t => t.spec.containers.flatMap(c => c.ports ?? [])).find(p => p.name === target);
    return present(port?.containerPort, `container port ${target} behind ${JSON.stringify(selector)}`);
}

describe("GKE: the control plane reaches every admission webhook", () => {
    let rs: readonly RecordedResource[];
    before(async () => {
        rs = (await plan("production", "gcp")).evaluation.resources;
    });

    it("finds each webhook's port in GKE's rule or the control-plane-webhooks firewall, and in its pods' NetworkPolicy", () => {
        const firewall = present(ofType(rs, "gcp:compute/firewall:Firewall").find(f => f.name.endsWith("-control-plane-webhooks")), "webhook firewall");
        const open = [...gkeDefaultPorts, ...(firewall.inputs.allows as Array<{ ports: string[] }>).flatMap(a => a.ports.map(Number))];
        const reached: string[] = [];
        for (const config of rs.filter(r => /^kubernetes:admissionregistration\.k8s\.io\/v1:(Validating|Mutating)WebhookConfiguration$/.test(r.type))) {
            for (const hook of config.inputs.webhooks as Array<{ clientConfig: { service: { name: string; namespace: string; port?: number } } }>) {
                const ref = hook.clientConfig.service;
                const service = present(ofType(rs, "kubernetes:core/v1:Service").find(s => meta(s).name === ref.name && meta(s).namespace === ref.namespace), `Service ${ref.namespace}/${ref.name}`);
                const spec = service.inputs.spec as { selector: Record<string, string>; ports: Port[] };
                const servicePort = present(spec.ports.find(p => p.port === (ref.port ?? 443)), `port of ${ref.name}`);
                const port = containerPort(rs, ref.namespace, spec.selector, servicePort.targetPort ?? servicePort.port ?? 443);
                expect(open, `${ref.name} listens on ${port}`).to.include(port);
                const admitted = ofType(rs, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
                    .filter(n => meta(n).namespace === ref.namespace)
                    .map(n => n.inputs.spec as { podSelector: { matchLabels?: Record<string, string> }; ingress?: Array<{ from?: Array<{ ipBlock?: { cidr: string } }>; ports?: Port[] }> })
                    .filter(n => subset(n.podSelector.matchLabels, spec.selector))
                    .some(n => (n.ingress ?? []).some(i => (i.from ?? []).some(f => f.ipBlock?.cidr === "0.0.0.0/0") && (i.ports ?? []).some(p => p.port === port)));
                expect(admitted, `NetworkPolicy admits ${ref.name} on ${port}`).to.equal(true);
                reached.push(`${ref.name}:${port}`);
            }
        }
        // The webhooks this reasoning covers: ECK's (9443, the firewall's) and cert-manager's (10250, GKE's).
        expect([...new Set(reached)].sort()).to.deep.equal(["cert-manager-webhook:10250", "elastic-operator-webhook:9443"]);
    });
});
