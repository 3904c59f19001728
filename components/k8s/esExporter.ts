/**
 * Elasticsearch's metrics for Prometheus: prometheus-community's elasticsearch_exporter (vendored
 * chart prometheus-elasticsearch-exporter), which neither ECK nor Elasticsearch provide. It reads
 * cluster health, node stats, SLM stats and the snapshot repository over HTTPS, verified against
 * the logging CA as Fluentd and the collector verify it, as its own user `elasticsearch-exporter`
 * (elasticsearch.ts `monitorRole`: no index privilege, created by the logging setup Job).
 *
 * Index, shard and mapping collectors are off: they need index privileges and make one series per
 * daily index. The snapshot collector lists the repository on each scrape, a few object-store GETs,
 * so the scrape runs once a minute. The SLM alerts live with the other backup alerts
 * (backupAlerts.ts); the "exporter is down" one is its metrics target (platform.ts).
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { Namespaces, platformPeers } from "../naming";
import { AlertRule, MetricsTarget } from "./alerts";
import { charts, pinnedChart } from "./charts";
import { elasticsearchExporterPods, elasticsearchMonitor, elasticsearchPods, elasticsearchService } from "./elasticsearch";
import { caVolume, elasticsearchCaDir, elasticsearchCaSecrets } from "./logging";
import { PlatformNamespaces } from "./namespaces";
import { dnsEgress, networkPolicy, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

/** Helm release; also the chart's fullname (its Deployment, Service and ServiceMonitor) and the scrape job. */
export const elasticsearchExporterRelease = "elasticsearch-exporter";
/** The exporter's image: the chart's appVersion, named so the pack sees the pinned tag. */
export const elasticsearchExporterImage = { repository: "quay.io/prometheuscommunity/elasticsearch-exporter", tag: "v1.11.0" } as const;
const metricsPort = 9108;

/** The exporter's scrape target, whose absence pages (platform.ts passes it to Monitoring). */
export function elasticsearchExporterTarget(namespaces: Namespaces): MetricsTarget {
    return { job: elasticsearchExporterRelease, namespace: namespaces.monitoring };
}

/**
 * Cluster health: red (a primary shard is unassigned: writes to it fail) pages; yellow (a replica
 * is unassigned: one node more and data is lost) warns, except on a single data node, where
 * replicas can never be assigned and yellow is its normal state.
 */
export const clusterHealthRules: readonly AlertRule[] = [
    {
        alert: "ElasticsearchClusterRed",
        expr: 'max by (cluster) (elasticsearch_cluster_health_status{color="red"}) == 1',
        for: "5m",
        labels: { severity: "critical" },
        annotations: {
            summary: "Elasticsearch cluster {{ $labels.cluster }} is red",
            description: "A primary shard is unassigned: logs and trace spans for its index are not written. GET _cluster/allocation/explain says why.",
        },
    },
    {
        alert: "ElasticsearchClusterYellow",
        expr: 'max by (cluster) (elasticsearch_cluster_health_status{color="yellow"}) == 1 and on (cluster) max by (cluster) (elasticsearch_cluster_health_number_of_data_nodes) > 1',
        for: "30m",
        labels: { severity: "warning" },
        annotations: {
            summary: "Elasticsearch cluster {{ $labels.cluster }} is yellow",
            description: "A replica shard has been unassigned for 30 minutes: losing one more node loses data. GET _cluster/allocation/explain says why.",
        },
    },
];

export interface ElasticsearchExporterArgs {
    readonly environment: Environment;
    readonly namespaces: PlatformNamespaces;
    /** The chart that installs the ServiceMonitor/PrometheusRule CRDs. */
    readonly monitoringCrds: pulumi.Resource;
    /** The exporter's user and the CA certificate in the monitoring namespace (Logging.writers). */
    readonly dependsOn: pulumi.Resource[];
}

export class ElasticsearchExporter extends pulumi.ComponentResource {
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: ElasticsearchExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:ElasticsearchExporter", name, {}, opts);
        const { environment, namespaces } = args;
        const child = { parent: this };
        const monitoring = namespaces.names.monitoring;
        const ca = caVolume(elasticsearchCaSecrets.monitoring);

        this.chart = pinnedChart(`${name}-chart`, charts.elasticsearchExporter, elasticsearchExporterRelease, namespaces.monitoring, {
            fullnameOverride: elasticsearchExporterRelease,
            image: { ...elasticsearchExporterImage },
            // The chart has no pod-level switch (policies/exemptions.ts): the account turns the token off.
            serviceAccount: { create: true, name: elasticsearchExporterRelease, automountServiceAccountToken: false },
            podSecurityContext: restrictedPod(),
            securityContext: restrictedContainer(),
            // A few hundred series from a handful of JSON answers a minute: small and mostly idle.
            resources: resources({ cpu: "10m", memory: "32Mi" }, { cpu: "100m", memory: "96Mi" }),
            env: { ES_USERNAME: elasticsearchMonitor.user },
            extraEnvSecrets: { ES_PASSWORD: { secret: elasticsearchMonitor.secret, key: elasticsearchMonitor.key } },
            es: {
                uri: `https://${elasticsearchService}.${monitoring}.svc:9200`,
                all: true,
                indices: false,
                indices_settings: false,
                indices_mappings: false,
                shards: false,
                aliases: false,
                snapshots: true,
                slm: true,
                cluster_settings: false,
                ilm: false,
                data_stream: false,
                timeout: "20s",
                sslSkipVerify: false,
                // Only the CA from the logging CA's carrier Secret: no client certificate (the
                // user authenticates with its password), and the chart's own cert Secret is not made.
                ssl: { enabled: true, useExistingSecrets: true, ca: { path: `${elasticsearchCaDir}/ca.crt` }, client: { enabled: false } },
            },
            extraVolumes: [ca],
            extraVolumeMounts: [{ name: ca.name, mountPath: elasticsearchCaDir, readOnly: true }],
            serviceMonitor: {
                enabled: true,
                interval: "60s",
                scrapeTimeout: "30s",
                // The job is the release name, which the absent-target rule names.
                jobLabel: "app.kubernetes.io/instance",
            },
        }, { ...child, dependsOn: [args.monitoringCrds, ...args.dependsOn] });

        networkPolicy(`${name}-netpol`, elasticsearchExporterRelease, namespaces.monitoring, {
            podSelector: { matchLabels: elasticsearchExporterPods },
            ingress: [{ from: [platformPeers(environment).prometheus], ports: tcp(metricsPort) }],
            egress: [dnsEgress(environment), { to: [{ podSelector: { matchLabels: elasticsearchPods } }], ports: tcp(9200) }],
        }, child);

        new k8s.apiextensions.CustomResource(`${name}-rules`, {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "bookkeep-elasticsearch-alerts", namespace: namespaces.monitoring },
            spec: { groups: [{ name: "bookkeep-elasticsearch", rules: clusterHealthRules }] },
        }, { ...child, dependsOn: [args.monitoringCrds] });
        this.registerOutputs({});
    }
}
