/**
 * The OpenTelemetry collector in bookkeep-monitoring, receiving OTLP from the services and
 * exporting traces over OTLP to Tempo (tempo.ts). The services' Go code exports to
 * `otel-collector:4318`, a name relative to the service's own namespace, so an ExternalName
 * Service of that name in the app namespace points at the collector.
 *
 * Traces went to Elasticsearch before, one document per span: searchable, but Grafana could not
 * show them as traces, and every span loaded the log store. Tempo stores them as traces in object
 * storage, and the collector speaks its native protocol, so it needs no Elasticsearch user or CA.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { platformPeers, wellKnown } from "../naming";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { inNamespace, networkPolicy, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";
import { tempoOtlpPorts, tempoPods, tempoRelease } from "./tempo";

export interface TracingArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    readonly namespaces: PlatformNamespaces;
    /** Tempo's chart: the collector starts exporting once its Service exists. */
    readonly tempo: pulumi.Resource;
}

/** Name of the collector's Service in bookkeep-monitoring and of its alias in the app namespace. */
export const collectorService = "otel-collector";
const otlpGrpc = 4317;

export class Tracing extends pulumi.ComponentResource {
    /** The collector's in-cluster DNS name. */
    public readonly collectorHost: string;

    constructor(name: string, args: TracingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Tracing", name, {}, opts);
        const { environment, namespaces } = args;
        const production = environment === "production";
        const peers = platformPeers(environment);
        const otlpHttp = wellKnown.ports.otlpHttp;
        this.collectorHost = `${collectorService}.${namespaces.names.monitoring}.svc.cluster.local`;
        const pipeline = { receivers: ["otlp"], processors: ["memory_limiter", "batch"] };

        pinnedChart(`${name}-chart`, charts.openTelemetryCollector, "otel-collector", namespaces.monitoring, {
            mode: "deployment",
            fullnameOverride: collectorService,
            // The chart sets no image of its own.
            image: { repository: "otel/opentelemetry-collector-contrib" },
            replicaCount: production ? 2 : 1,
            podDisruptionBudget: { enabled: production, minAvailable: 1 },
            // Without the Elasticsearch exporter's bulk buffers the collector idles well under 128Mi; the
            // request outside production is what made room for Tempo on staging's nodes (preflight).
            resources: resources({ cpu: "100m", memory: production ? "256Mi" : "128Mi" }, { cpu: "500m", memory: "512Mi" }),
            podSecurityContext: restrictedPod(10001),
            securityContext: restrictedContainer(),
            // No k8sattributes processor: the collector never calls the Kubernetes API.
            serviceAccount: { create: true, automountServiceAccountToken: false },
            ports: {
                otlp: { enabled: true },
                "otlp-http": { enabled: true },
                "jaeger-compact": { enabled: false },
                "jaeger-thrift": { enabled: false },
                "jaeger-grpc": { enabled: false },
                zipkin: { enabled: false },
                metrics: { enabled: true },
            },
            config: {
                receivers: {
                    otlp: {
                        protocols: {
                            grpc: { endpoint: `\${env:MY_POD_IP}:${otlpGrpc}` },
                            http: { endpoint: `\${env:MY_POD_IP}:${otlpHttp}` },
                        },
                    },
                },
                processors: {
                    batch: {},
                    memory_limiter: { check_interval: "5s", limit_percentage: 80, spike_limit_percentage: 25 },
                },
                exporters: {
                    // Plain gRPC inside bookkeep-monitoring, as the services' OTLP to the collector is;
                    // both NetworkPolicies admit only this one flow.
                    "otlp/tempo": {
                        endpoint: `${tempoRelease}.${namespaces.names.monitoring}.svc:${tempoOtlpPorts.grpc}`,
                        tls: { insecure: true },
                        sending_queue: { enabled: true },
                        retry_on_failure: { enabled: true },
                    },
                    debug: {},
                },
                service: {
                    pipelines: {
                        traces: { ...pipeline, exporters: ["otlp/tempo"] },
                        // Services export only traces today; metrics and logs go to Prometheus and Fluentd.
                        metrics: { ...pipeline, exporters: ["debug"] },
                        logs: { ...pipeline, exporters: ["debug"] },
                    },
                },
            },
        }, { parent: this, dependsOn: [args.tempo] });

        new k8s.core.v1.Service(`${name}-alias`, {
            metadata: { name: collectorService, namespace: namespaces.app, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            spec: {
                type: "ExternalName",
                externalName: this.collectorHost,
                ports: [{ name: "otlp-http", port: otlpHttp, protocol: "TCP" }],
            },
        }, { parent: this });

        const collector = { matchLabels: peers.otelCollector.podSelector.matchLabels };
        networkPolicy(`${name}-collector-netpol`, "otel-collector", namespaces.monitoring, {
            podSelector: collector,
            ingress: [
                { from: [inNamespace(namespaces.names.app)], ports: tcp(otlpHttp, otlpGrpc) },
                { from: [peers.prometheus], ports: tcp(8888) },
            ],
            egress: [{ to: [{ podSelector: { matchLabels: tempoPods } }], ports: tcp(tempoOtlpPorts.grpc) }],
        }, { parent: this });
        this.registerOutputs({ collectorHost: this.collectorHost });
    }
}
