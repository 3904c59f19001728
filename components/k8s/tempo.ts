/**
 * Grafana Tempo, the trace store (issue 22): the single-binary chart in bookkeep-monitoring,
 * receiving OTLP from the collector and answering Grafana's TraceQL on 3200. It runs as Tempo's
 * "scalable monolithic" target: every replica is distributor, ingester, querier and compactor, and
 * the replicas find each other by memberlist (their ingester and compactor rings), so production
 * runs two of them against the same bucket. On a cloud it keeps
 * trace blocks in the foundation's traces bucket through the `tempo` workload identity (IRSA, GKE
 * Workload Identity: no keys anywhere), with only its write-ahead log on a volume; on a laptop the
 * blocks stay on that volume. The compactor deletes traces after observability.logRetentionDays,
 * like the logs; the bucket's lifecycle is the backstop (components/traceStore.ts).
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { CloudFoundation, TraceStoreTarget } from "../foundation";
import { workloadSubject } from "../identities";
import { platformPeers } from "../naming";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { dnsEgress, identityEgress, networkPolicy, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

/** Helm release and fullname: the StatefulSet, its Service (`tempo`) and the ServiceMonitor. */
export const tempoRelease = "tempo";
/** Tempo's HTTP port: the query API Grafana reads, /metrics and /ready. */
export const tempoHttpPort = 3200;
export const tempoOtlpPorts = { grpc: 4317, http: 4318 } as const;
/** Between replicas: gRPC (distributor to ingester, querier to ingester) and memberlist gossip. */
export const tempoPeerPorts = { grpc: 9095, gossip: 7946 } as const;
/** The StatefulSet's serviceName, which the chart names but does not create; memberlist joins through it. */
export const tempoHeadless = `${tempoRelease}-headless`;
/** Labels the chart puts on Tempo's pod. */
export const tempoPods = { "app.kubernetes.io/name": "tempo", "app.kubernetes.io/instance": tempoRelease };
/** kube-prometheus-stack's Grafana pods, in bookkeep-monitoring. */
const grafanaPods = { podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } } };
/** Where the WAL (and, on a laptop, the blocks) live: the chart mounts its volume there. */
const dataDir = "/var/tempo";

export interface TempoArgs {
    readonly environment: Environment;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** Days traces are kept (observability.logRetentionDays). */
    readonly retentionDays: number;
    /** The chart that installs the ServiceMonitor CRD. */
    readonly monitoringCrds: pulumi.Resource;
}

/** Tempo's in-cluster query URL, as Grafana's data source names it. */
export function tempoUrl(monitoringNamespace: string): string {
    return `http://${tempoRelease}.${monitoringNamespace}.svc:${tempoHttpPort}`;
}

/** Tempo's `storage.trace`: the cloud's bucket, or the local volume. */
export function traceStorage(store: TraceStoreTarget | undefined): pulumi.OutputInstance<Record<string, unknown>> {
    const wal = { path: `${dataDir}/wal` };
    if (store === undefined) {
        return pulumi.output<Record<string, unknown>>({ backend: "local", local: { path: `${dataDir}/traces` }, wal });
    }
    const bucketKey = store.backend === "s3" ? "bucket" : "bucket_name";
    return pulumi.all([store.bucket, pulumi.output(store.config)]).apply(([bucket, config]): Record<string, unknown> =>
        ({ backend: store.backend, [store.backend]: { [bucketKey]: bucket, ...config }, wal }));
}

/**
 * tempo.yaml. Written whole rather than through the chart's template, which always enables the
 * Jaeger receivers and Grafana Labs' usage reporting; JSON is YAML, and carries no `{{` for the
 * chart's `tpl` to trip on.
 */
export function tempoConfig(storage: Record<string, unknown>, retentionDays: number, monitoringNamespace: string): string {
    return JSON.stringify({
        stream_over_http_enabled: false,
        multitenancy_enabled: false,
        usage_report: { reporting_enabled: false },
        server: { http_listen_port: tempoHttpPort, grpc_listen_port: tempoPeerPorts.grpc, log_level: "info" },
        memberlist: {
            cluster_label: `${tempoRelease}.${monitoringNamespace}`,
            bind_port: tempoPeerPorts.gossip,
            join_members: [`dns+${tempoHeadless}.${monitoringNamespace}.svc.cluster.local:${tempoPeerPorts.gossip}`],
            // The first replica has nobody to join.
            abort_if_cluster_join_fails: false,
        },
        // One copy of each trace: a replica's restart delays its recent traces (its WAL replays)
        // rather than losing them, and a second copy would double what the bucket stores.
        ingester: { lifecycler: { ring: { replication_factor: 1 } } },
        // Each replica's querier serves its own query frontend; it reads the others' ingesters through the ring.
        querier: { frontend_worker: { frontend_address: `127.0.0.1:${tempoPeerPorts.grpc}` } },
        distributor: {
            receivers: {
                otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${tempoOtlpPorts.grpc}` }, http: { endpoint: `0.0.0.0:${tempoOtlpPorts.http}` } } },
            },
        },
        compactor: { compaction: { block_retention: `${retentionDays * 24}h` } },
        storage: { trace: storage },
        overrides: { per_tenant_override_config: "/conf/overrides.yaml" },
    });
}

export class Tempo extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: TempoArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Tempo", name, {}, opts);
        const { environment, foundation, namespaces } = args;
        const child = { parent: this };
        const store = foundation.traceStore;
        const peers = platformPeers(environment);
        const subject = workloadSubject("tempo", environment);
        const production = environment === "production";
        const replicas = production ? 2 : 1;
        const size = production
            ? { requests: { cpu: "100m", memory: "512Mi" }, limits: { cpu: "1" }, limitMi: 1024 }
            : { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m" }, limitMi: 512 };

        this.chart = pinnedChart(`${name}-chart`, charts.tempo, tempoRelease, namespaces.monitoring, {
            fullnameOverride: tempoRelease,
            replicas,
            tempo: {
                extraArgs: { target: "scalable-single-binary" },
                // The ballast (1 GiB by default) would raise the Go GC target past the memory limit.
                memBallastSizeMbs: 0,
                // Only the OTLP ports on the Service: without an endpoint the chart leaves a receiver's port out.
                receivers: {
                    jaeger: { protocols: { grpc: { endpoint: null }, thrift_binary: { endpoint: null }, thrift_compact: { endpoint: null }, thrift_http: { endpoint: null } } },
                },
                resources: resources(size.requests, { cpu: size.limits.cpu, memory: `${size.limitMi}Mi` }),
                // The Go runtime collects harder as it nears 90 % of the limit instead of being killed at it.
                extraEnv: [{ name: "GOMEMLIMIT", value: `${Math.floor(size.limitMi * 0.9)}MiB` }],
                securityContext: restrictedContainer(),
                // /ready waits for the WAL replay and the ring; liveness only asks that the server
                // answers, so a long replay is not killed halfway (the chart's default uses /ready).
                livenessProbe: { httpGet: null, tcpSocket: { port: tempoHttpPort }, initialDelaySeconds: 30, periodSeconds: 30, timeoutSeconds: 5, failureThreshold: 5, successThreshold: 1 },
                extraVolumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
            extraVolumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
            config: pulumi.all([traceStorage(store), namespaces.monitoring]).apply(([storage, ns]) => tempoConfig(storage, args.retentionDays, ns)),
            affinity: {
                podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [{
                        weight: 100,
                        podAffinityTerm: { labelSelector: { matchLabels: tempoPods }, topologyKey: "kubernetes.io/hostname" },
                    }],
                },
            },
            securityContext: restrictedPod(10001),
            serviceAccount: {
                create: true,
                name: subject.serviceAccount,
                annotations: foundation.serviceAccountAnnotations("tempo"),
                // Tempo never calls the Kubernetes API; IRSA projects its own token, GKE uses the metadata server.
                automountServiceAccountToken: false,
            },
            // The WAL survives a restart; on a laptop the blocks too.
            persistence: {
                enabled: true,
                size: store ? "10Gi" : "5Gi",
                ...(foundation.storageClass ? { storageClassName: foundation.storageClass } : {}),
            },
            serviceMonitor: { enabled: true },
        }, { ...child, dependsOn: [args.monitoringCrds, ...foundation.identityGrants("tempo")] });

        new k8s.core.v1.Service(`${name}-headless`, {
            metadata: { name: tempoHeadless, namespace: namespaces.monitoring, labels: { ...tempoPods, "app.kubernetes.io/part-of": "bookkeep" } },
            spec: {
                clusterIP: "None",
                // A starting replica must be found before it is ready: readiness waits for the ring.
                publishNotReadyAddresses: true,
                selector: tempoPods,
                ports: [
                    { name: "grpc", port: tempoPeerPorts.grpc, targetPort: tempoPeerPorts.grpc, protocol: "TCP" },
                    { name: "gossip", port: tempoPeerPorts.gossip, targetPort: tempoPeerPorts.gossip, protocol: "TCP" },
                ],
            },
        }, child);
        if (replicas > 1) {
            new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
                metadata: { name: tempoRelease, namespace: namespaces.monitoring, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
                spec: { maxUnavailable: 1, selector: { matchLabels: tempoPods } },
            }, child);
        }

        const tempo = { matchLabels: tempoPods };
        const peerPorts = [...tcp(tempoPeerPorts.grpc, tempoPeerPorts.gossip), { port: tempoPeerPorts.gossip, protocol: "UDP" }];
        networkPolicy(`${name}-netpol`, "tempo", namespaces.monitoring, {
            podSelector: tempo,
            ingress: [
                { from: [peers.otelCollector], ports: tcp(tempoOtlpPorts.grpc, tempoOtlpPorts.http) },
                { from: [grafanaPods, peers.prometheus], ports: tcp(tempoHttpPort) },
                { from: [{ podSelector: tempo }], ports: peerPorts },
            ],
            egress: [
                dnsEgress(environment),
                { to: [{ podSelector: tempo }], ports: peerPorts },
                ...(store ? [...identityEgress(foundation), { to: store.networkPeers, ports: tcp(443) }] : []),
            ],
        }, child);
        // Grafana's half of the query path, kept here so it goes with Tempo.
        networkPolicy(`${name}-grafana-netpol`, "grafana-to-tempo", namespaces.monitoring, {
            podSelector: { matchLabels: grafanaPods.podSelector.matchLabels },
            egress: [{ to: [{ podSelector: tempo }], ports: tcp(tempoHttpPort) }],
        }, child);
        this.registerOutputs({});
    }
}
