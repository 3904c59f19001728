/**
 * The OpenTelemetry collector in bookkeep-monitoring, receiving OTLP from the services and storing
 * traces in the log Elasticsearch (one `bookkeep-traces-YYYY.MM.DD` index a day, so the
 * `bookkeep-*` ILM policy deletes them after the same retention as the logs). The services'
 * Go code exports to `otel-collector:4318`, a name relative to the service's own namespace, so an
 * ExternalName Service of that name in the app namespace points at the collector. It writes to
 * Elasticsearch over TLS, verified against the logging CA, as its own `otel-collector` user.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { platformPeers, wellKnown } from "../naming";
import { charts, pinnedChart } from "./charts";
import { caVolume, elasticsearchCaDir, elasticsearchCaSecrets, elasticsearchPods, elasticsearchService, elasticsearchWriters } from "./logging";
import { PlatformNamespaces } from "./namespaces";
import { inNamespace, networkPolicy, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

export interface TracingArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    readonly namespaces: PlatformNamespaces;
    /** What makes the collector's Elasticsearch user and CA certificate exist (Logging.writers). */
    readonly elasticsearchWriters: pulumi.Resource[];
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
            // The contrib distribution carries the Elasticsearch exporter.
            image: { repository: "otel/opentelemetry-collector-contrib" },
            replicaCount: production ? 2 : 1,
            podDisruptionBudget: { enabled: production, minAvailable: 1 },
            resources: resources({ cpu: "100m", memory: "256Mi" }, { cpu: "500m", memory: "512Mi" }),
            podSecurityContext: restrictedPod(10001),
            securityContext: restrictedContainer(),
            // No k8sattributes processor: the collector never calls the Kubernetes API.
            serviceAccount: { create: true, automountServiceAccountToken: false },
            extraEnvs: [{ name: "ELASTICSEARCH_PASSWORD", valueFrom: { secretKeyRef: { name: elasticsearchWriters.secret, key: elasticsearchWriters.collector } } }],
            extraVolumes: [caVolume(elasticsearchCaSecrets.monitoring)],
            extraVolumeMounts: [{ name: "elasticsearch-ca", mountPath: elasticsearchCaDir, readOnly: true }],
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
                    elasticsearch: {
                        endpoint: `https://${elasticsearchService}.${namespaces.names.monitoring}.svc:9200`,
                        user: elasticsearchWriters.collector,
                        password: "${env:ELASTICSEARCH_PASSWORD}",
                        tls: { ca_file: `${elasticsearchCaDir}/ca.crt`, min_version: "1.2" },
                        // The default "otel" mapping writes only to data streams; these are dated
                        // indices under the bookkeep-* template, so documents go as they are.
                        mapping: { mode: "raw" },
                        // A fixed index would never roll over, and ILM deletes whole indices: a dated
                        // index a day lets the bookkeep-* retention drop old traces like old logs.
                        traces_index: "bookkeep-traces",
                        logstash_format: { enabled: true, prefix_separator: "-", date_format: "%Y.%m.%d" },
                    },
                    debug: {},
                },
                service: {
                    pipelines: {
                        traces: { ...pipeline, exporters: ["elasticsearch"] },
                        // Services export only traces today; metrics and logs go to Prometheus and Fluentd.
                        metrics: { ...pipeline, exporters: ["debug"] },
                        logs: { ...pipeline, exporters: ["debug"] },
                    },
                },
            },
        }, { parent: this, dependsOn: args.elasticsearchWriters });

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
            egress: [{ to: [{ podSelector: { matchLabels: elasticsearchPods } }], ports: tcp(9200) }],
        }, { parent: this });
        this.registerOutputs({ collectorHost: this.collectorHost });
    }
}
