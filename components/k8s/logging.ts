/**
 * Log shipping per the seed: Fluentd as a DaemonSet in bookkeep-system tails the BookKeep
 * containers' logs, parses their JSON lines and writes them to Elasticsearch in
 * bookkeep-monitoring (logstash format, prefix `bookkeep`, so one `bookkeep-YYYY.MM.DD` index a
 * day). An ILM policy deletes indices after `observability.logRetentionDays`.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { StackConfig } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { appLabels, platformPeers } from "../naming";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { inNamespace, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
import { nonRootUid, resources, restrictedContainer, restrictedPod } from "./security";

export interface LoggingArgs {
    readonly config: StackConfig;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The platform's explicit @pulumi/random provider (default providers are disabled). */
    readonly randomProvider: random.Provider;
    /** The kube-prometheus-stack chart (ServiceMonitor CRD) Fluentd's chart waits for. Default none. */
    readonly monitoringCrds?: pulumi.Resource;
}

/** Elasticsearch's Service is `elasticsearch` (fullnameOverride), as the seed's fluent.conf expects. */
export const elasticsearchService = "elasticsearch";
const esPort = 9200;
/** Labels of the Elasticsearch pods (the chart's `app: <fullname>`), for NetworkPolicy peers. */
export const elasticsearchPods: Readonly<Record<string, string>> = { app: elasticsearchService };
const esPods = elasticsearchPods;
/** Elastic's last chart (8.5.1) runs any 8.x image; this is a current 8.x patch release. */
export const elasticsearchImageTag = "8.19.0";
/** fluentd-kubernetes-daemonset built with the Elasticsearch 8 client (the chart defaults to its ES7 variant). */
export const fluentdImageTag = "v1.16.2-debian-elasticsearch8-1.1";
const bootstrapSecret = "elasticsearch-bootstrap";
const fluentdPods = { "app.kubernetes.io/name": "fluentd" };
const ilmPolicy = "bookkeep-logs";

/**
 * The seed's fluent.conf, adapted where the seed would ship nothing: kubelet names container log
 * files `<pod>_<namespace>_<container>-<id>.log`, so the seed's `bookkeep-*.log` glob would only
 * match pods *named* bookkeep-*; matching the bookkeep-* namespaces ships what it means to. Under
 * containerd each line is CRI-framed, so the CRI frame is parsed first and the service's JSON
 * (logrus) payload second.
 */
export function fluentdConfig(esHost: string): Record<string, string> {
    return {
        "01_sources.conf": `<source>
  @type tail
  @id bookkeep_containers
  path /var/log/containers/*_bookkeep-*_*.log
  pos_file /var/log/fluentd-containers.log.pos
  tag kubernetes.*
  read_from_head true
  <parse>
    @type cri
  </parse>
</source>

<source>
  @type prometheus
  port 24231
</source>
`,
        // Fluentd's own lines would otherwise be shipped, logged again on failure, and shipped
        // again: drop them before any filter sees them.
        "02_filters.conf": `<match kubernetes.var.log.containers.fluentd-**>
  @type null
</match>

<filter kubernetes.**>
  @type kubernetes_metadata
</filter>

<filter kubernetes.**>
  @type parser
  key_name message
  reserve_data true
  remove_key_name_field true
  emit_invalid_record_to_error false
  <parse>
    @type json
  </parse>
</filter>
`,
        "03_dispatch.conf": "",
        "04_outputs.conf": `<match kubernetes.**>
  @type elasticsearch
  @id bookkeep_elasticsearch
  host ${esHost}
  port ${esPort}
  scheme http
  logstash_format true
  logstash_prefix bookkeep
  suppress_type_name true
  <buffer>
    @type file
    path /var/log/fluentd-buffers/bookkeep.buffer
    flush_mode interval
    flush_interval 5s
    retry_type exponential_backoff
    retry_max_interval 30
    chunk_limit_size 8M
    total_limit_size 512M
    overflow_action drop_oldest_chunk
  </buffer>
</match>
`,
    };
}

export class Logging extends pulumi.ComponentResource {
    /** Elasticsearch host as services and Fluentd address it. */
    public readonly elasticsearchHost: string;

    constructor(name: string, args: LoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Logging", name, {}, opts);
        const { config, foundation, namespaces } = args;
        const production = config.environment === "production";
        const peers = platformPeers(config.environment);
        const days = config.observability.logRetentionDays;
        this.elasticsearchHost = `${elasticsearchService}.${namespaces.names.monitoring}.svc`;
        const esReplicas = production ? 3 : 1;

        // Security is off (below), so this password guards nothing today. It exists because the
        // chart's readiness probe exits 1 when ELASTIC_PASSWORD is empty even with security off
        // (elastic/helm-charts#1772); generated rather than a placeholder, so it is already a real
        // secret the day X-Pack security is turned on, and never sits in the chart's values.
        const password = new random.RandomPassword(`${name}-elasticsearch-password`, { length: 32, special: false }, { parent: this, provider: args.randomProvider });
        const bootstrap = new k8s.core.v1.Secret(`${name}-elasticsearch-bootstrap`, {
            metadata: { name: bootstrapSecret, namespace: namespaces.monitoring, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: { password: password.result },
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });

        const elasticsearch = pinnedChart(`${name}-elasticsearch`, charts.elasticsearch, "elasticsearch", namespaces.monitoring, {
            fullnameOverride: elasticsearchService,
            imageTag: elasticsearchImageTag,
            extraEnvs: [{ name: "ELASTIC_PASSWORD", valueFrom: { secretKeyRef: { name: bootstrapSecret, key: "password" } } }],
            replicas: esReplicas,
            minimumMasterNodes: production ? 2 : 1,
            clusterHealthCheckParams: production ? "wait_for_status=green&timeout=1s" : "wait_for_status=yellow&timeout=1s",
            // Reachable only from Fluentd, the collector and the retention Job (NetworkPolicies
            // below); the chart's self-signed TLS would leave its clients in other namespaces
            // unable to verify it anyway. Turning X-Pack security on is the next step once a
            // CA is shared across namespaces.
            createCert: false,
            protocol: "http",
            secret: { enabled: false },
            esConfig: {
                "elasticsearch.yml": "xpack.security.enabled: false\n# Avoids the chart's privileged sysctl init container (vm.max_map_count).\nnode.store.allow_mmap: false\n",
            },
            sysctlInitContainer: { enabled: false },
            esJavaOpts: production ? "-Xms2g -Xmx2g" : "-Xms1g -Xmx1g",
            resources: production
                ? resources({ cpu: "1", memory: "4Gi" }, { cpu: "2", memory: "4Gi" })
                : resources({ cpu: "500m", memory: "2Gi" }, { cpu: "1", memory: "2Gi" }),
            volumeClaimTemplate: {
                ...(foundation.storageClass ? { storageClassName: foundation.storageClass } : {}),
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: production ? "100Gi" : "30Gi" } },
            },
            podSecurityContext: restrictedPod(1000),
            // Elasticsearch writes its keystore and temp files under its install directory.
            securityContext: { ...restrictedContainer(), readOnlyRootFilesystem: false, runAsUser: 1000 },
            maxUnavailable: 1,
            tests: { enabled: false },
        }, { parent: this, dependsOn: [bootstrap] });

        const retention = this.retentionJob(name, args, days, [elasticsearch]);

        pinnedChart(`${name}-fluentd`, charts.fluentd, "fluentd", namespaces.system, {
            kind: "DaemonSet",
            image: { tag: fluentdImageTag },
            fileConfigs: fluentdConfig(this.elasticsearchHost),
            // Root, with every capability dropped: kubelet writes container logs as root:root
            // 0640, which only their owner can read without CAP_DAC_OVERRIDE.
            podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } },
            securityContext: { ...restrictedContainer(), runAsNonRoot: false, runAsUser: 0 },
            resources: resources({ cpu: "100m", memory: "256Mi" }, { cpu: "500m", memory: "512Mi" }),
            // The chart mounts the node's /var/log itself (mountVarLogDirectory, default true); under
            // containerd there is no /var/lib/docker/containers to mount.
            mountVarLogDirectory: true,
            mountDockerContainersDirectory: false,
            volumes: [{ name: "tmp", emptyDir: {} }],
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            // Our 01_sources.conf already serves metrics on 24231; the chart's optional prometheus
            // ConfigMap would bind the same port a second time.
            configMapConfigs: [],
            metrics: { serviceMonitor: { enabled: true } },
        }, { parent: this, dependsOn: [retention, ...(args.monitoringCrds ? [args.monitoringCrds] : [])] });

        networkPolicy(`${name}-fluentd-netpol`, "fluentd", namespaces.system, {
            podSelector: { matchLabels: fluentdPods },
            ingress: [{ from: [peers.prometheus], ports: tcp(24231) }],
            // The kubernetes_metadata filter looks pods up in the API.
            egress: [{ to: [inNamespace(namespaces.names.monitoring, esPods)], ports: tcp(esPort) }, kubeApiEgress(foundation)],
        }, { parent: this });
        networkPolicy(`${name}-elasticsearch-netpol`, "elasticsearch", namespaces.monitoring, {
            podSelector: { matchLabels: esPods },
            ingress: [
                {
                    from: [
                        inNamespace(namespaces.names.system, fluentdPods),
                        { podSelector: { matchLabels: { "app.kubernetes.io/name": "elasticsearch-retention" } } },
                        { podSelector: { matchLabels: peers.otelCollector.podSelector.matchLabels } },
                    ],
                    ports: tcp(esPort),
                },
                { from: [{ podSelector: { matchLabels: esPods } }], ports: tcp(9300) },
            ],
            egress: [{ to: [{ podSelector: { matchLabels: esPods } }], ports: tcp(9300) }],
        }, { parent: this });
        networkPolicy(`${name}-retention-netpol`, "elasticsearch-retention", namespaces.monitoring, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "elasticsearch-retention" } },
            egress: [{ to: [{ podSelector: { matchLabels: esPods } }], ports: tcp(esPort) }],
        }, { parent: this });
        this.registerOutputs({ elasticsearchHost: this.elasticsearchHost });
    }

    /**
     * A Job that installs the ILM policy and the index template applying it to `bookkeep-*`
     * indices. Its name carries the retention, so changing the setting runs it again.
     */
    private retentionJob(name: string, args: LoggingArgs, days: number, dependsOn: pulumi.Resource[]): k8s.batch.v1.Job {
        const { namespaces } = args;
        const url = `http://${this.elasticsearchHost}:${esPort}`;
        const policy = JSON.stringify({ policy: { phases: { hot: { actions: {} }, delete: { min_age: `${days}d`, actions: { delete: {} } } } } });
        const template = JSON.stringify({ index_patterns: ["bookkeep-*"], priority: 200, template: { settings: { "index.lifecycle.name": ilmPolicy } } });
        const curl = "curl -fsS --retry 30 --retry-all-errors --retry-delay 10 -H 'Content-Type: application/json' -X PUT";
        const labels = appLabels("elasticsearch-retention", "logging");
        return new k8s.batch.v1.Job(`${name}-retention`, {
            metadata: { name: `elasticsearch-retention-${days}d`, namespace: namespaces.monitoring, labels },
            spec: {
                backoffLimit: 6,
                ttlSecondsAfterFinished: 7 * 24 * 3600,
                template: {
                    metadata: { labels },
                    spec: {
                        restartPolicy: "OnFailure",
                        automountServiceAccountToken: false,
                        securityContext: restrictedPod(nonRootUid),
                        containers: [{
                            name: "ilm",
                            image: "curlimages/curl:8.11.1",
                            command: ["/bin/sh", "-c", [
                                "set -eu",
                                `${curl} '${url}/_ilm/policy/${ilmPolicy}' -d '${policy}'`,
                                `${curl} '${url}/_index_template/${ilmPolicy}' -d '${template}'`,
                            ].join("\n")],
                            securityContext: restrictedContainer(),
                            resources: resources({ cpu: "10m", memory: "16Mi" }, { cpu: "100m", memory: "64Mi" }),
                        }],
                    },
                },
            },
        }, { parent: this, dependsOn, deleteBeforeReplace: true });
    }
}
