/**
 * NATS with JetStream in bookkeep-nats: a 3-node cluster in production (one replica elsewhere),
 * file storage on persistent volumes, a PodDisruptionBudget, and the pod labels the fleet's
 * NetworkPolicies expect (platformPeers().nats).
 */
import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../../services/schema";
import { StackConfig } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { platformPeers, wellKnown } from "../naming";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { networkPolicy, servicePodsPeer, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

export interface NatsArgs {
    readonly config: StackConfig;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** Only the services with the `nats` backend are admitted (their own policies open the egress). */
    readonly catalog: readonly ServiceSpec[];
    /** The chart that installs the PodMonitor CRD, when observability is on; the chart waits for it. Default none. */
    readonly monitoringCrds?: pulumi.Resource;
}

const ports = { client: wellKnown.ports.nats, cluster: 6222, monitor: 8222, metrics: 7777 };

export class Nats extends pulumi.ComponentResource {
    public readonly replicas: number;

    constructor(name: string, args: NatsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Nats", name, {}, opts);
        const { config, foundation, namespaces, catalog } = args;
        const production = config.environment === "production";
        const observability = config.observability.enabled;
        const peers = platformPeers(config.environment);
        // Three nodes is the smallest JetStream cluster that keeps quorum through one node loss.
        this.replicas = production ? 3 : 1;
        const natsUid = 1000;

        pinnedChart(`${name}-chart`, charts.nats, "nats", namespaces.nats, {
            config: {
                cluster: { enabled: this.replicas > 1, replicas: this.replicas },
                jetstream: {
                    enabled: true,
                    memoryStore: { enabled: false },
                    fileStore: {
                        enabled: true,
                        dir: "/data",
                        pvc: {
                            enabled: true,
                            size: production ? "20Gi" : "5Gi",
                            ...(foundation.storageClass ? { storageClassName: foundation.storageClass } : {}),
                        },
                    },
                },
                monitor: { enabled: true, port: ports.monitor },
            },
            container: {
                merge: {
                    resources: production
                        ? resources({ cpu: "500m", memory: "1Gi" }, { cpu: "1", memory: "2Gi" })
                        : resources({ cpu: "100m", memory: "256Mi" }, { cpu: "500m", memory: "512Mi" }),
                    securityContext: restrictedContainer(),
                },
            },
            reloader: { enabled: true, merge: { resources: resources({ cpu: "10m", memory: "32Mi" }, { cpu: "50m", memory: "64Mi" }), securityContext: restrictedContainer() } },
            promExporter: {
                enabled: observability,
                merge: { resources: resources({ cpu: "10m", memory: "32Mi" }, { cpu: "100m", memory: "64Mi" }), securityContext: restrictedContainer() },
                podMonitor: { enabled: observability },
            },
            // The reloader signals the server process, so both run as the same non-root uid.
            podTemplate: { merge: { spec: { securityContext: restrictedPod(natsUid), automountServiceAccountToken: false } } },
            podDisruptionBudget: { enabled: true },
            // nats-box is an interactive debugging shell; nothing in production needs it.
            natsBox: { enabled: false },
            // No client authentication yet: any admitted pod may publish and subscribe. The
            // NetworkPolicy below is the wall (only the catalog's NATS users and Prometheus). Per-
            // service users need a generated password per service and a per-service nats-url in
            // bookkeeping-secrets, which changes the seed's one shared nats-url key: a follow-up.
        }, { parent: this, dependsOn: args.monitoringCrds ? [args.monitoringCrds] : [] });

        const server = { matchLabels: peers.nats.podSelector.matchLabels };
        const clients = servicePodsPeer(namespaces.names.app, catalog, "nats");
        networkPolicy(`${name}-server-netpol`, "nats-server", namespaces.nats, {
            podSelector: server,
            ingress: [
                ...(clients ? [{ from: [clients], ports: tcp(ports.client) }] : []),
                { from: [{ podSelector: server }], ports: tcp(ports.cluster) },
                ...(observability ? [{ from: [peers.prometheus], ports: tcp(ports.metrics, ports.monitor) }] : []),
            ],
            egress: [{ to: [{ podSelector: server }], ports: tcp(ports.cluster) }],
        }, { parent: this });
        this.registerOutputs({ replicas: this.replicas });
    }
}
