/**
 * Log shipping per docs/requirements.md: Fluentd as a DaemonSet in bookkeep-system tails the BookKeep
 * containers' logs, parses their JSON lines and writes them to Elasticsearch in
 * bookkeep-monitoring (logstash format, prefix `bookkeep`, so one `bookkeep-YYYY.MM.DD` index a
 * day). An ILM policy deletes indices after `observability.logRetentionDays`.
 *
 * Elasticsearch is an ECK resource (elasticsearch.ts) with X-Pack security and password
 * authentication. Its HTTP certificate comes from a private CA that cert-manager keeps, a
 * ClusterIssuer, as its clients live in two namespaces: each client namespace gets a certificate
 * from it only to carry its `ca.crt` (the only key mounted). Transport TLS is the operator's own
 * per-cluster CA, which signs nothing but the nodes.
 * Fluentd and the OTel collector write as their own users, whose role may only create indices and
 * add documents to `bookkeep-*` (no updates or deletes); Grafana reads as its own `grafana` user,
 * which may only search them; the metrics exporter (esExporter.ts) reads cluster, SLM and snapshot
 * stats as its own user, with no index privilege. The `elastic` superuser's password, which ECK
 * generates, is used only by the setup Job that creates these users, the ILM policy, the
 * snapshot repository and the SLM policy.
 */
import * as crypto from "crypto";
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Environment } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { appLabels, platformPeers } from "../naming";
import { charts, pinnedChart } from "./charts";
import { eckOperatorName } from "./eck";
import {
    elasticsearchClusterResources, elasticsearchExporterPods, elasticsearchMonitor, elasticsearchNodes, elasticsearchPods, elasticsearchService, elasticUserSecret, monitorRole,
    slmPolicy as slm, snapshotRepository, SnapshotRepositoryBody, snapshotRepositoryBody,
} from "./elasticsearch";
import { kibanaPods } from "./kibana";
import { PlatformNamespaces } from "./namespaces";
import { PrivateCa } from "./pki";
import { anywhere, identityEgress, inNamespace, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
import { nonRootUid, resources, restrictedContainer, restrictedPod } from "./security";

export interface LoggingArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    /** Days of logs (and traces) kept before the ILM policy deletes them (`bookkeep:observability.logRetentionDays`). */
    readonly logRetentionDays: number;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The platform's explicit @pulumi/random provider (default providers are disabled). */
    readonly randomProvider: random.Provider;
    /** The kube-prometheus-stack chart (ServiceMonitor CRD) Fluentd's chart waits for. Default none. */
    readonly monitoringCrds?: pulumi.Resource;
    /** cert-manager (its CRDs and webhook), which issues Elasticsearch's certificates. */
    readonly certManager: pulumi.Resource;
    /** The ECK operator and its CRDs (Eck.ready), which run Elasticsearch. */
    readonly eck: pulumi.Resource[];
}

export { elasticsearchPods, elasticsearchService };
const esPods = elasticsearchPods;
const esPort = 9200;
/** fluentd-kubernetes-daemonset built with the Elasticsearch 8 client (the chart defaults to its ES7 variant). */
export const fluentdImageTag = "v1.16.2-debian-elasticsearch8-1.1";
const fluentdPods = { "app.kubernetes.io/name": "fluentd" };
const ilmPolicy = "bookkeep-logs";
const setupPods = { "app.kubernetes.io/name": "elasticsearch-setup" };

/** The users that write to Elasticsearch, and the Secret in bookkeep-monitoring holding their passwords. */
export const elasticsearchWriters = { secret: "elasticsearch-writers", fluentd: "fluentd", collector: "otel-collector" } as const;
/** The role they share: create `bookkeep-*` indices and add documents to them; no updates, no deletes. */
const writerRole = {
    cluster: ["monitor"],
    indices: [{ names: ["bookkeep-*"], privileges: ["create_index", "create_doc", "auto_configure", "view_index_metadata"] }],
};
/** The user Grafana reads logs as, and the Secret in bookkeep-monitoring holding its password. */
export const elasticsearchReaders = { secret: "elasticsearch-readers", grafana: "grafana" } as const;
/** Its role: search `bookkeep-*` (logs and trace spans), nothing else. */
const readerRole = { indices: [{ names: ["bookkeep-*"], privileges: ["read", "view_index_metadata"] }] };
/** Labels of Grafana's pods (kube-prometheus-stack), which query Elasticsearch. */
const grafanaPods = { "app.kubernetes.io/name": "grafana" };
/** Secrets (cert-manager's) whose `ca.crt` a client mounts to verify Elasticsearch, per client namespace. */
export const elasticsearchCaSecrets = { monitoring: "elasticsearch-client-tls", system: "fluentd-elasticsearch-tls" } as const;
/** Where clients mount that `ca.crt`. */
export const elasticsearchCaDir = "/etc/elasticsearch-ca";
/** The Secret in bookkeep-system with Fluentd's password. */
const fluentdPasswordSecret = "fluentd-elasticsearch";
/** The nodes' HTTP certificate (from the HTTP CA). */
const httpTlsSecret = "elasticsearch-http-tls";

/** A volume with only the `ca.crt` of a cert-manager Secret (never the client key beside it). */
export function caVolume(secretName: string): { name: string; secret: { secretName: string; items: { key: string; path: string }[] } } {
    return { name: "elasticsearch-ca", secret: { secretName, items: [{ key: "ca.crt", path: "ca.crt" }] } };
}

/**
 * The described fluent.conf, adapted where the required config would ship nothing: kubelet names container log
 * files `<pod>_<namespace>_<container>-<id>.log`, so the described `bookkeep-*.log` glob would only
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
  scheme https
  ssl_verify true
  ssl_version TLSv1_2
  ca_file ${elasticsearchCaDir}/ca.crt
  user ${elasticsearchWriters.fluentd}
  password "#{ENV['ELASTICSEARCH_PASSWORD']}"
  write_operation create
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
    /** The writers' passwords and the CA certificate for clients in bookkeep-monitoring, once they exist. */
    public readonly writers: pulumi.Resource[];

    constructor(name: string, args: LoggingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Logging", name, {}, opts);
        const { environment, foundation, namespaces } = args;
        const peers = platformPeers(environment);
        const days = args.logRetentionDays;
        this.elasticsearchHost = `${elasticsearchService}.${namespaces.names.monitoring}.svc`;

        const writerPasswords = {
            fluentd: new random.RandomPassword(`${name}-fluentd-password`, { length: 32, special: false }, { parent: this, provider: args.randomProvider }).result,
            collector: new random.RandomPassword(`${name}-collector-password`, { length: 32, special: false }, { parent: this, provider: args.randomProvider }).result,
        };
        const writers = new k8s.core.v1.Secret(`${name}-writers`, {
            metadata: { name: elasticsearchWriters.secret, namespace: namespaces.monitoring, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: { [elasticsearchWriters.fluentd]: writerPasswords.fluentd, [elasticsearchWriters.collector]: writerPasswords.collector },
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });
        const readers = new k8s.core.v1.Secret(`${name}-readers`, {
            metadata: { name: elasticsearchReaders.secret, namespace: namespaces.monitoring, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: { [elasticsearchReaders.grafana]: new random.RandomPassword(`${name}-grafana-password`, { length: 32, special: false }, { parent: this, provider: args.randomProvider }).result },
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });
        const monitor = new k8s.core.v1.Secret(`${name}-monitor`, {
            metadata: { name: elasticsearchMonitor.secret, namespace: namespaces.monitoring, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: { [elasticsearchMonitor.key]: new random.RandomPassword(`${name}-monitor-password`, { length: 32, special: false }, { parent: this, provider: args.randomProvider }).result },
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });
        const fluentdPassword = new k8s.core.v1.Secret(`${name}-fluentd-password`, {
            metadata: { name: fluentdPasswordSecret, namespace: namespaces.system, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: { password: writerPasswords.fluentd },
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });
        const certificates = this.certificates(name, args);

        const elasticsearch = elasticsearchClusterResources(`${name}-elasticsearch`, {
            environment, foundation, namespace: namespaces.monitoring, httpCertificateSecret: httpTlsSecret, dependsOn: [...args.eck, certificates.node],
        }, this);

        const setup = this.setupJob(name, args, days, [elasticsearch, writers, readers, monitor, certificates.monitoringClients]);
        this.writers = [writers, certificates.monitoringClients, setup];

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
            volumes: [{ name: "tmp", emptyDir: {} }, caVolume(elasticsearchCaSecrets.system)],
            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }, { name: "elasticsearch-ca", mountPath: elasticsearchCaDir, readOnly: true }],
            env: [{ name: "ELASTICSEARCH_PASSWORD", valueFrom: { secretKeyRef: { name: fluentdPasswordSecret, key: "password" } } }],
            // Our 01_sources.conf already serves metrics on 24231; the chart's optional prometheus
            // ConfigMap would bind the same port a second time.
            configMapConfigs: [],
            metrics: { serviceMonitor: { enabled: true } },
        }, { parent: this, dependsOn: [setup, fluentdPassword, certificates.fluentd, ...(args.monitoringCrds ? [args.monitoringCrds] : [])] });

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
                        { podSelector: { matchLabels: setupPods } },
                        { podSelector: { matchLabels: peers.otelCollector.podSelector.matchLabels } },
                        { podSelector: { matchLabels: grafanaPods } },
                        { podSelector: { matchLabels: kibanaPods } },
                        { podSelector: { matchLabels: elasticsearchExporterPods } },
                        // The operator: cluster health, settings, node shutdown during rolling changes.
                        inNamespace(namespaces.names.system, { "app.kubernetes.io/name": eckOperatorName }),
                    ],
                    ports: tcp(esPort),
                },
                { from: [{ podSelector: { matchLabels: esPods } }], ports: tcp(9300) },
            ],
            egress: [
                { to: [{ podSelector: { matchLabels: esPods } }], ports: tcp(9300) },
                // The snapshot repository: S3 / Cloud Storage (and STS) over HTTPS, with the
                // workload identity's credentials (GKE's metadata server).
                ...(snapshotRepositoryBody(foundation) ? [{ to: anywhere, ports: tcp(443) }, ...identityEgress(foundation)] : []),
            ],
        }, { parent: this });
        networkPolicy(`${name}-setup-netpol`, "elasticsearch-setup", namespaces.monitoring, {
            podSelector: { matchLabels: setupPods },
            egress: [{ to: [{ podSelector: { matchLabels: esPods } }], ports: tcp(esPort) }],
        }, { parent: this });
        this.registerOutputs({ elasticsearchHost: this.elasticsearchHost });
    }

    /**
     * The HTTP CA as a ClusterIssuer (its key in cert-manager's own namespace) with the nodes' HTTP
     * certificate and one certificate per client namespace that brings the CA certificate there.
     */
    private certificates(name: string, args: LoggingArgs): { node: pulumi.Resource; monitoringClients: pulumi.Resource; fluentd: pulumi.Resource } {
        const { namespaces } = args;
        const labels = { "app.kubernetes.io/part-of": "bookkeep", "app.kubernetes.io/component": "logging-tls" };
        const http = new PrivateCa(`${name}-tls`, {
            kind: "ClusterIssuer",
            issuerName: "bookkeep-logging-ca",
            rootSecret: "elasticsearch-ca",
            commonName: "bookkeep-logging-ca",
            namespace: namespaces.system,
            labels,
            certManager: args.certManager,
        }, this);
        const mon = namespaces.names.monitoring;
        // Clients (and Kibana, through ECK) reach the nodes only through ECK's HTTP Service.
        const nodeNames = {
            commonName: `${elasticsearchService}.${mon}.svc`,
            dnsNames: [elasticsearchService, `${elasticsearchService}.${mon}`, `${elasticsearchService}.${mon}.svc`, `${elasticsearchService}.${mon}.svc.cluster.local`],
        };
        // The client namespaces' certificates only carry the CA certificate; being server-only,
        // their keys could not pass as a client anywhere, were they ever mounted.
        const caCarrier = (suffix: string, secret: string, namespace: pulumi.Input<string>, commonName: string) =>
            http.certificate(suffix, secret, namespace, { commonName, usages: ["server auth"] });
        return {
            node: http.certificate("http-certificate", httpTlsSecret, namespaces.monitoring, { ...nodeNames, usages: ["server auth"] }),
            monitoringClients: caCarrier("client-certificate", elasticsearchCaSecrets.monitoring, namespaces.monitoring, "bookkeep-monitoring-clients"),
            fluentd: caCarrier("fluentd-certificate", elasticsearchCaSecrets.system, namespaces.system, "fluentd"),
        };
    }

    /**
     * A Job that, as the `elastic` superuser, installs the ILM policy and the index template
     * applying it to `bookkeep-*` indices, the writers' role and the writers, the reader, and where
     * the cloud keeps snapshots the snapshot repository and the nightly SLM policy. Its name carries the
     * retention and a digest of what it installs, so a change runs it again. (A writer's password
     * is generated once; replacing one means replacing this Job too: `pulumi up --replace` it.)
     */
    private setupJob(name: string, args: LoggingArgs, days: number, dependsOn: pulumi.Resource[]): k8s.batch.v1.Job {
        const { namespaces } = args;
        const url = `https://${this.elasticsearchHost}:${esPort}`;
        const policy = JSON.stringify({ policy: { phases: { hot: { actions: {} }, delete: { min_age: `${days}d`, actions: { delete: {} } } } } });
        // A replica can never be assigned on a single node, which would hold every index at yellow.
        const replicas = Math.min(1, elasticsearchNodes(args.environment) - 1);
        const template = JSON.stringify({ index_patterns: ["bookkeep-*"], priority: 200, template: { settings: { "index.lifecycle.name": ilmPolicy, "index.number_of_replicas": replicas } } });
        const role = JSON.stringify(writerRole);
        const reader = JSON.stringify(readerRole);
        const monitorRoleBody = JSON.stringify(monitorRole);
        // Passwords never go on a command line: the superuser's in a curl config file on the
        // pod's private /tmp, the writers' on stdin.
        const curl = `curl -fsS --retry 30 --retry-all-errors --retry-delay 10 --cacert ${elasticsearchCaDir}/ca.crt -K /tmp/elastic.curlrc -H 'Content-Type: application/json' -X PUT`;
        const user = (name: string, env: string, roleName = "bookkeep-writer") =>
            `printf '{"password":"%s","roles":["${roleName}"]}' "$${env}" | ${curl} '${url}/_security/user/${name}' -d @-`;
        const repository = snapshotRepositoryBody(args.foundation);
        const slmPolicy = JSON.stringify({
            schedule: slm.schedule, name: "<nightly-{now/d}>", repository: snapshotRepository.name,
            config: { indices: ["bookkeep-*"], include_global_state: false },
            retention: { expire_after: `${slm.expireDays}d`, min_count: 3, max_count: 60 },
        });
        const snapshots = (body: SnapshotRepositoryBody | undefined) => body ? [
            `${curl} '${url}/_snapshot/${snapshotRepository.name}' -d '${JSON.stringify(body)}'`,
            `${curl} '${url}/_slm/policy/${slm.policy}' -d '${slmPolicy}'`,
        ] : [];
        const script = pulumi.output(repository).apply(body => [
            "set -eu",
            "umask 077",
            `printf 'user = "elastic:%s"\\n' "$ELASTIC_PASSWORD" > /tmp/elastic.curlrc`,
            `${curl} '${url}/_ilm/policy/${ilmPolicy}' -d '${policy}'`,
            `${curl} '${url}/_index_template/${ilmPolicy}' -d '${template}'`,
            `${curl} '${url}/_security/role/bookkeep-writer' -d '${role}'`,
            user(elasticsearchWriters.fluentd, "FLUENTD_PASSWORD"),
            user(elasticsearchWriters.collector, "COLLECTOR_PASSWORD"),
            `${curl} '${url}/_security/role/bookkeep-reader' -d '${reader}'`,
            user(elasticsearchReaders.grafana, "GRAFANA_PASSWORD", "bookkeep-reader"),
            `${curl} '${url}/_security/role/bookkeep-monitor' -d '${monitorRoleBody}'`,
            user(elasticsearchMonitor.user, "MONITOR_PASSWORD", "bookkeep-monitor"),
            ...snapshots(body),
        ].join("\n"));
        const jobName = script.apply(text => `elasticsearch-setup-${days}d-${crypto.createHash("sha256").update(text).digest("hex").slice(0, 8)}`);
        const labels = appLabels("elasticsearch-setup", "logging");
        const fromSecret = (envName: string, secret: string, key: string) => ({ name: envName, valueFrom: { secretKeyRef: { name: secret, key } } });
        return new k8s.batch.v1.Job(`${name}-setup`, {
            metadata: { name: jobName, namespace: namespaces.monitoring, labels },
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
                            name: "setup",
                            image: "curlimages/curl:8.11.1",
                            command: ["/bin/sh", "-c", script],
                            env: [
                                fromSecret("ELASTIC_PASSWORD", elasticUserSecret.name, elasticUserSecret.key),
                                fromSecret("FLUENTD_PASSWORD", elasticsearchWriters.secret, elasticsearchWriters.fluentd),
                                fromSecret("COLLECTOR_PASSWORD", elasticsearchWriters.secret, elasticsearchWriters.collector),
                                fromSecret("GRAFANA_PASSWORD", elasticsearchReaders.secret, elasticsearchReaders.grafana),
                                fromSecret("MONITOR_PASSWORD", elasticsearchMonitor.secret, elasticsearchMonitor.key),
                            ],
                            securityContext: restrictedContainer(),
                            resources: resources({ cpu: "10m", memory: "16Mi" }, { cpu: "100m", memory: "64Mi" }),
                            volumeMounts: [{ name: "elasticsearch-ca", mountPath: elasticsearchCaDir, readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
                        }],
                        volumes: [caVolume(elasticsearchCaSecrets.monitoring), { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }],
                    },
                },
            },
        }, {
            parent: this, dependsOn, deleteBeforeReplace: true,
            // On a first run ES may take longer than Pulumi's default 10-minute wait for a Job to
            // answer (operator, certificate, volumes, a new node, the image); the writers wait on it.
            customTimeouts: { create: "30m", update: "30m" },
        });
    }
}
