/**
 * Log shipping per docs/requirements.md: Fluentd as a DaemonSet in bookkeep-system tails the BookKeep
 * containers' logs, parses their JSON lines and writes them to Elasticsearch in
 * bookkeep-monitoring (logstash format, prefix `bookkeep`, so one `bookkeep-YYYY.MM.DD` index a
 * day). An ILM policy deletes indices after `observability.logRetentionDays`.
 *
 * Elasticsearch runs with X-Pack security and password authentication, and TLS from two private
 * CAs that cert-manager keeps. The HTTP CA is a ClusterIssuer, as its clients live in two
 * namespaces: each client namespace gets a certificate from it only to carry its `ca.crt` (the
 * only key mounted). The transport CA is an Issuer in the monitoring namespace that signs nothing
 * but the nodes' own certificate, so no certificate a client can reach lets it join the cluster.
 * Fluentd and the OTel collector write as their own users, whose role may only create indices and
 * add documents to `bookkeep-*` (no updates or deletes); Grafana reads as its own `grafana` user,
 * which may only search them. The `elastic` superuser's generated password is used only by the
 * setup Job that creates these users.
 */
import * as crypto from "crypto";
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Environment } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { appLabels, platformPeers } from "../naming";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { PrivateCa } from "./pki";
import { inNamespace, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
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
}

/** Elasticsearch's Service is `elasticsearch` (fullnameOverride), as the described fluent.conf expects. */
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
/** The nodes' certificates: one for HTTP (from the HTTP CA), one for transport (from the transport CA). */
const nodeTls = { http: "elasticsearch-http-tls", transport: "elasticsearch-transport-tls" } as const;
const certsDir = "/usr/share/elasticsearch/config/certs";

/** A volume with only the `ca.crt` of a cert-manager Secret (never the client key beside it). */
export function caVolume(secretName: string): { name: string; secret: { secretName: string; items: { key: string; path: string }[] } } {
    return { name: "elasticsearch-ca", secret: { secretName, items: [{ key: "ca.crt", path: "ca.crt" }] } };
}

/** Elasticsearch's settings: X-Pack security with TLS on both layers, each from its own certificate. */
function elasticsearchYml(): string {
    const tls = (layer: "http" | "transport") => [
        `xpack.security.${layer}.ssl.enabled: true`,
        `xpack.security.${layer}.ssl.key: ${certsDir}/${layer}/tls.key`,
        `xpack.security.${layer}.ssl.certificate: ${certsDir}/${layer}/tls.crt`,
        `xpack.security.${layer}.ssl.certificate_authorities: ${certsDir}/${layer}/ca.crt`,
    ];
    return [
        "xpack.security.enabled: true",
        ...tls("http"),
        ...tls("transport"),
        // Nodes reach each other at their pod IPs once discovered, which no certificate can name
        // ahead of time: transport checks the chain to the transport CA (which signs nothing else),
        // not the host name.
        "xpack.security.transport.ssl.verification_mode: certificate",
        "# Avoids the chart's privileged sysctl init container (vm.max_map_count).",
        "node.store.allow_mmap: false",
        "",
    ].join("\n");
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
        const production = environment === "production";
        const peers = platformPeers(environment);
        const days = args.logRetentionDays;
        this.elasticsearchHost = `${elasticsearchService}.${namespaces.names.monitoring}.svc`;
        const esReplicas = production ? 3 : 1;

        // The `elastic` superuser's password: the chart's readiness probe and the setup Job use it,
        // nothing else. Generated, and kept out of the chart's values.
        const password = new random.RandomPassword(`${name}-elasticsearch-password`, { length: 32, special: false }, { parent: this, provider: args.randomProvider });
        const bootstrap = new k8s.core.v1.Secret(`${name}-elasticsearch-bootstrap`, {
            metadata: { name: bootstrapSecret, namespace: namespaces.monitoring, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: { password: password.result },
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });

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
        const fluentdPassword = new k8s.core.v1.Secret(`${name}-fluentd-password`, {
            metadata: { name: fluentdPasswordSecret, namespace: namespaces.system, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            stringData: { password: writerPasswords.fluentd },
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });
        const certificates = this.certificates(name, args);

        const elasticsearch = pinnedChart(`${name}-elasticsearch`, charts.elasticsearch, "elasticsearch", namespaces.monitoring, {
            fullnameOverride: elasticsearchService,
            imageTag: elasticsearchImageTag,
            extraEnvs: [{ name: "ELASTIC_PASSWORD", valueFrom: { secretKeyRef: { name: bootstrapSecret, key: "password" } } }],
            replicas: esReplicas,
            minimumMasterNodes: production ? 2 : 1,
            clusterHealthCheckParams: production ? "wait_for_status=green&timeout=1s" : "wait_for_status=yellow&timeout=1s",
            // TLS from cert-manager's certificate, not the chart's own: the chart generates a new
            // CA on every render (a diff on every `pulumi up`) that no client could verify.
            createCert: false,
            protocol: "https",
            secret: { enabled: false },
            secretMounts: (["http", "transport"] as const).map(layer => ({ name: nodeTls[layer], secretName: nodeTls[layer], path: `${certsDir}/${layer}` })),
            esConfig: { "elasticsearch.yml": elasticsearchYml() },
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
            // Elasticsearch never calls the Kubernetes API.
            rbac: { automountToken: false },
            tests: { enabled: false },
        }, { parent: this, dependsOn: [bootstrap, ...certificates.nodes] });

        const setup = this.setupJob(name, args, days, [elasticsearch, writers, readers, certificates.monitoringClients]);
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
                    ],
                    ports: tcp(esPort),
                },
                { from: [{ podSelector: { matchLabels: esPods } }], ports: tcp(9300) },
            ],
            egress: [{ to: [{ podSelector: { matchLabels: esPods } }], ports: tcp(9300) }],
        }, { parent: this });
        networkPolicy(`${name}-setup-netpol`, "elasticsearch-setup", namespaces.monitoring, {
            podSelector: { matchLabels: setupPods },
            egress: [{ to: [{ podSelector: { matchLabels: esPods } }], ports: tcp(esPort) }],
        }, { parent: this });
        this.registerOutputs({ elasticsearchHost: this.elasticsearchHost });
    }

    /**
     * The HTTP CA as a ClusterIssuer (its key in cert-manager's own namespace) with the nodes' HTTP
     * certificate and one certificate per client namespace that brings the CA certificate there;
     * the transport CA as an Issuer in the monitoring namespace with the nodes' transport certificate.
     */
    private certificates(name: string, args: LoggingArgs): { nodes: pulumi.Resource[]; monitoringClients: pulumi.Resource; fluentd: pulumi.Resource } {
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
        const transport = new PrivateCa(`${name}-transport`, {
            kind: "Issuer",
            issuerName: "elasticsearch-transport-ca",
            rootSecret: "elasticsearch-transport-ca",
            commonName: "bookkeep-elasticsearch-transport-ca",
            namespace: namespaces.monitoring,
            labels,
            certManager: args.certManager,
        }, this);
        const mon = namespaces.names.monitoring;
        const headless = `${elasticsearchService}-headless`;
        const nodeNames = {
            commonName: `${elasticsearchService}.${mon}.svc`,
            dnsNames: [
                elasticsearchService, `${elasticsearchService}.${mon}`, `${elasticsearchService}.${mon}.svc`, `${elasticsearchService}.${mon}.svc.cluster.local`,
                `*.${headless}`, `*.${headless}.${mon}`, `*.${headless}.${mon}.svc`, `*.${headless}.${mon}.svc.cluster.local`,
            ],
        };
        // The client namespaces' certificates only carry the CA certificate; being server-only,
        // their keys could not pass as a client anywhere, were they ever mounted.
        const caCarrier = (suffix: string, secret: string, namespace: pulumi.Input<string>, commonName: string) =>
            http.certificate(suffix, secret, namespace, { commonName, usages: ["server auth"] });
        return {
            nodes: [
                http.certificate("http-certificate", nodeTls.http, namespaces.monitoring, { ...nodeNames, usages: ["server auth"] }),
                // Transport connections are mutual: each node is also the other's client.
                transport.certificate("certificate", nodeTls.transport, namespaces.monitoring, { ...nodeNames, usages: ["server auth", "client auth"] }),
            ],
            monitoringClients: caCarrier("client-certificate", elasticsearchCaSecrets.monitoring, namespaces.monitoring, "bookkeep-monitoring-clients"),
            fluentd: caCarrier("fluentd-certificate", elasticsearchCaSecrets.system, namespaces.system, "fluentd"),
        };
    }

    /**
     * A Job that, as the `elastic` superuser, installs the ILM policy and the index template
     * applying it to `bookkeep-*` indices, the writers' role and the writers. Its name carries the
     * retention and a digest of what it installs, so a change runs it again. (A writer's password
     * is generated once; replacing one means replacing this Job too: `pulumi up --replace` it.)
     */
    private setupJob(name: string, args: LoggingArgs, days: number, dependsOn: pulumi.Resource[]): k8s.batch.v1.Job {
        const { namespaces } = args;
        const url = `https://${this.elasticsearchHost}:${esPort}`;
        const policy = JSON.stringify({ policy: { phases: { hot: { actions: {} }, delete: { min_age: `${days}d`, actions: { delete: {} } } } } });
        const template = JSON.stringify({ index_patterns: ["bookkeep-*"], priority: 200, template: { settings: { "index.lifecycle.name": ilmPolicy } } });
        const role = JSON.stringify(writerRole);
        const reader = JSON.stringify(readerRole);
        // Passwords never go on a command line: the superuser's in a curl config file on the
        // pod's private /tmp, the writers' on stdin.
        const curl = `curl -fsS --retry 30 --retry-all-errors --retry-delay 10 --cacert ${elasticsearchCaDir}/ca.crt -K /tmp/elastic.curlrc -H 'Content-Type: application/json' -X PUT`;
        const user = (name: string, env: string, roleName = "bookkeep-writer") =>
            `printf '{"password":"%s","roles":["${roleName}"]}' "$${env}" | ${curl} '${url}/_security/user/${name}' -d @-`;
        const script = [
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
        ].join("\n");
        const digest = crypto.createHash("sha256").update(script).digest("hex").slice(0, 8);
        const labels = appLabels("elasticsearch-setup", "logging");
        const fromSecret = (envName: string, secret: string, key: string) => ({ name: envName, valueFrom: { secretKeyRef: { name: secret, key } } });
        return new k8s.batch.v1.Job(`${name}-setup`, {
            metadata: { name: `elasticsearch-setup-${days}d-${digest}`, namespace: namespaces.monitoring, labels },
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
                                fromSecret("ELASTIC_PASSWORD", bootstrapSecret, "password"),
                                fromSecret("FLUENTD_PASSWORD", elasticsearchWriters.secret, elasticsearchWriters.fluentd),
                                fromSecret("COLLECTOR_PASSWORD", elasticsearchWriters.secret, elasticsearchWriters.collector),
                                fromSecret("GRAFANA_PASSWORD", elasticsearchReaders.secret, elasticsearchReaders.grafana),
                            ],
                            securityContext: restrictedContainer(),
                            resources: resources({ cpu: "10m", memory: "16Mi" }, { cpu: "100m", memory: "64Mi" }),
                            volumeMounts: [{ name: "elasticsearch-ca", mountPath: elasticsearchCaDir, readOnly: true }, { name: "tmp", mountPath: "/tmp" }],
                        }],
                        volumes: [caVolume(elasticsearchCaSecrets.monitoring), { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } }],
                    },
                },
            },
        }, { parent: this, dependsOn, deleteBeforeReplace: true });
    }
}
