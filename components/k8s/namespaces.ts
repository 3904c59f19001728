/**
 * The required namespaces, each under Pod Security Admission and starting from default-deny
 * networking with only cluster DNS allowed; the app namespace also gets a ResourceQuota and a
 * LimitRange. Other components add the flows they need. With observability on, node-exporter gets
 * a namespace of its own, the one place host access is allowed besides Fluentd's.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../../services/schema";
import { Environment, FleetConfig } from "../../stacks/schema";
import { Namespaces, namespacesFor } from "../naming";
import { dnsEgress, networkPolicy } from "./networkPolicies";
import { appQuota, PodBudget } from "./quota";
import { podSecurityLabels } from "./security";

export interface PlatformNamespacesArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    /** Whether the monitoring stack is installed (`bookkeep:observability.enabled`): ServiceMonitors and Prometheus' ingress only then. */
    readonly observability: boolean;
    /** Replica bounds and canaries of the fleet, for the app namespace's quota. */
    readonly fleet: Pick<FleetConfig, "maxReplicas" | "canaries">;
    /** Sizes the app namespace's ResourceQuota. */
    readonly catalog: readonly ServiceSpec[];
    /** Pods the platform itself runs in the app namespace (migration, backups), added to the quota. */
    readonly platformPods: readonly PodBudget[];
}

/** node-exporter's own namespace (kube-prometheus-stack's prometheus-node-exporter.namespaceOverride). */
export const nodeExporterNamespace = "bookkeep-node-exporter";

type Managed = "app" | "system" | "monitoring" | "nats" | "nodeExporter";

/**
 * Enforced Pod Security level per namespace. `audit` and `warn` are `restricted` everywhere, so
 * anything short of restricted still shows up in audit logs and `kubectl` warnings.
 */
const enforcement: Record<Managed, "restricted" | "privileged"> = {
    app: "restricted",
    // Fluentd's DaemonSet mounts the node's /var/log (hostPath), which baseline already forbids.
    // It stays here rather than in a namespace of its own because its config (docs/requirements.md's
    // fluentd-config) lives in bookkeep-system; the other system pods are restricted-compliant,
    // which audit/warn `restricted` keeps visible.
    system: "privileged",
    // Prometheus, Alertmanager, Grafana, Elasticsearch and the collector all meet restricted.
    monitoring: "restricted",
    nats: "restricted",
    // prometheus-node-exporter needs hostNetwork, hostPID and hostPath to read node metrics, and
    // nothing else runs here.
    nodeExporter: "privileged",
};

export class PlatformNamespaces extends pulumi.ComponentResource {
    /** Namespace names (`data` is the local foundation's own and is not created here). */
    public readonly names: Namespaces;
    /** Names as outputs of the Namespace objects: using them makes a child wait for its namespace. */
    public readonly app: pulumi.Output<string>;
    public readonly system: pulumi.Output<string>;
    public readonly monitoring: pulumi.Output<string>;
    public readonly nats: pulumi.Output<string>;
    /** node-exporter's namespace; created only with observability on (its name is constant either way). */
    public readonly nodeExporter: pulumi.Output<string>;

    constructor(name: string, args: PlatformNamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Namespaces", name, {}, opts);
        const { environment } = args;
        this.names = namespacesFor(environment);
        const create = (key: Managed, id: string, nsName: string): pulumi.Output<string> => {
            const ns = new k8s.core.v1.Namespace(`${name}-${id}`, {
                metadata: {
                    name: nsName,
                    labels: { ...podSecurityLabels(enforcement[key]), "app.kubernetes.io/part-of": "bookkeep", "bookkeep.app/environment": environment },
                },
            }, { parent: this });
            networkPolicy(`${name}-${id}-default-deny`, "default-deny", ns.metadata.name,
                { podSelector: {}, ingress: [], egress: [] }, { parent: this });
            networkPolicy(`${name}-${id}-allow-dns`, "allow-dns", ns.metadata.name,
                { podSelector: {}, egress: [dnsEgress(environment)] }, { parent: this });
            return ns.metadata.name;
        };
        this.app = create("app", "app", this.names.app);
        this.system = create("system", "system", this.names.system);
        this.monitoring = create("monitoring", "monitoring", this.names.monitoring);
        this.nats = create("nats", "nats", this.names.nats);
        this.nodeExporter = args.observability
            ? create("nodeExporter", "node-exporter", nodeExporterNamespace)
            : pulumi.output(nodeExporterNamespace);

        new k8s.core.v1.ResourceQuota(`${name}-app-quota`, {
            metadata: { name: "bookkeep-quota", namespace: this.app },
            spec: { hard: appQuota(args.fleet, args.catalog, args.platformPods) },
        }, { parent: this });
        // Defaults for any container that forgets its resources, and a ceiling no single
        // container may exceed.
        new k8s.core.v1.LimitRange(`${name}-app-limits`, {
            metadata: { name: "bookkeep-limits", namespace: this.app },
            spec: {
                limits: [{
                    type: "Container",
                    defaultRequest: { cpu: "100m", memory: "128Mi" },
                    default: { cpu: "500m", memory: "512Mi" },
                    max: { cpu: "2", memory: "4Gi" },
                }],
            },
        }, { parent: this });
        this.registerOutputs({ app: this.app, system: this.system, monitoring: this.monitoring, nats: this.nats, nodeExporter: this.nodeExporter });
    }
}
