/**
 * NATS with JetStream in bookkeep-nats: a 3-node cluster in production (one replica elsewhere),
 * file storage on persistent volumes, a PodDisruptionBudget, and the pod labels the fleet's
 * NetworkPolicies expect (platformPeers().nats).
 *
 * Clients authenticate: one NATS user per catalog service with the `nats` backend (user = the
 * service name), each with its own generated password. The passwords live only in a Secret in
 * the NATS namespace and reach the server as container env vars, which the server config names
 * (`$NATS_PASSWORD_<SERVICE>`); the chart values and the rendered ConfigMap never hold them.
 *
 * Cluster routes (production's three nodes) use mutual TLS: cert-manager keeps a private CA in the
 * NATS namespace and issues the servers one route certificate, so only a holder of a certificate
 * and key issued by that CA joins the cluster, and replication traffic is encrypted.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ServiceSpec } from "../../services/schema";
import { Environment } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { platformPeers, wellKnown } from "../naming";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { PrivateCa } from "./pki";
import { networkPolicy, servicePodsPeer, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

export interface NatsArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    /** Whether the monitoring stack is installed (`bookkeep:observability.enabled`): ServiceMonitors and Prometheus' ingress only then. */
    readonly observability: boolean;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** Only the services with the `nats` backend are admitted (their own policies open the egress). */
    readonly catalog: readonly ServiceSpec[];
    /** The chart that installs the PodMonitor CRD, when observability is on; the chart waits for it. Default none. */
    readonly monitoringCrds?: pulumi.Resource;
    /** The layer's explicit @pulumi/random provider (default providers are disabled). */
    readonly randomProvider: random.Provider;
    /** cert-manager (its CRDs and webhook), which issues the route certificates. */
    readonly certManager: pulumi.Resource;
}

/** The Secret cert-manager keeps the route certificate in (tls.crt, tls.key, ca.crt), and where the chart mounts it. */
const natsRouteTlsSecret = "nats-route-tls";
const natsRouteCertsDir = "/etc/nats-certs/cluster";

/** The Secret in the NATS namespace holding one client password per NATS user, keyed by service name. */
export const natsClientSecret = "nats-client-passwords";

/** The NATS container env var carrying a service's password (service names are DNS labels, so this is unique). */
export function natsPasswordEnv(service: string): string {
    return `NATS_PASSWORD_${service.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * What every service may do. The services share event streams and the catalog states no
 * per-service subjects, so each may publish and subscribe to any application subject, including
 * JetStream's API (`$JS.API.>`) and reply inboxes (`_INBOX.>`). Only the system subjects are
 * denied: they expose server internals and account events no service needs. What the users buy is
 * that a client must hold a service's password at all, and that each service is identifiable in
 * the server's connection list; narrower subjects are a one-line change here once the services
 * document theirs.
 */
const clientPermissions = {
    publish: { allow: [">"], deny: ["$SYS.>"] },
    subscribe: { allow: [">"], deny: ["$SYS.>"] },
};

const ports = { client: wellKnown.ports.nats, cluster: 6222, monitor: 8222, metrics: 7777 };

export class Nats extends pulumi.ComponentResource {
    public readonly replicas: number;
    /** Each NATS user's generated password (a Pulumi secret), keyed by service name: only the catalog's NATS users. */
    public readonly clientPasswords: Readonly<Record<string, pulumi.Output<string>>>;

    constructor(name: string, args: NatsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Nats", name, {}, opts);
        const { environment, foundation, namespaces, catalog, randomProvider } = args;
        const production = environment === "production";
        const observability = args.observability;
        const peers = platformPeers(environment);
        // Three nodes is the smallest JetStream cluster that keeps quorum through one node loss.
        this.replicas = production ? 3 : 1;
        const natsUid = 1000;

        const users = catalog.filter(s => s.backends.includes("nats")).map(s => s.name);
        // Alphanumeric: it travels inside each service's nats:// URL with nothing to escape.
        this.clientPasswords = Object.fromEntries(users.map(user => [user, new random.RandomPassword(`${name}-${user}-password`,
            { length: 32, special: false }, { parent: this, provider: randomProvider }).result]));
        // No users, no Secret: then the NetworkPolicy below admits no client at all.
        const passwords = users.length === 0 ? undefined : new k8s.core.v1.Secret(`${name}-client-passwords`, {
            metadata: { name: natsClientSecret, namespace: namespaces.nats, labels: { "app.kubernetes.io/part-of": "bookkeep" } },
            type: "Opaque",
            // The server parses an env var's value as a config value, so an unquoted password that
            // starts with digits could be read as a number or a size; quoted, it is always a string.
            stringData: Object.fromEntries(users.map(user => [user, pulumi.secret(pulumi.interpolate`"${this.clientPasswords[user]}"`)])),
        }, { parent: this, additionalSecretOutputs: ["data", "stringData"] });

        const clustered = this.replicas > 1;
        const routeCertificate = clustered ? this.routeCertificate(name, namespaces, args.certManager) : undefined;

        pinnedChart(`${name}-chart`, charts.nats, "nats", namespaces.nats, {
            config: {
                cluster: {
                    enabled: clustered,
                    replicas: this.replicas,
                    // Routes as tls://nats-<i>.nats-headless:6222, the Secret mounted at the chart's
                    // /etc/nats-certs/cluster. The server requires and verifies a client certificate
                    // on routes; ca_file makes the route CA the only one it trusts.
                    ...(clustered ? { tls: { enabled: true, secretName: natsRouteTlsSecret, merge: { ca_file: `${natsRouteCertsDir}/ca.crt`, verify: true } } } : {}),
                },
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
                // `<< $VAR >>` renders unquoted in nats.conf, i.e. a reference to the container env
                // var below. Users only exist in the global account, so the system account stays
                // without clients; the HTTP monitor port (probes, the exporter, Prometheus) is not
                // client-authenticated and keeps working.
                ...(users.length === 0 ? {} : {
                    merge: {
                        authorization: {
                            users: users.map(user => ({ user, password: `<< $${natsPasswordEnv(user)} >>`, permissions: clientPermissions })),
                        },
                    },
                }),
            },
            container: {
                env: Object.fromEntries(users.map(user => [natsPasswordEnv(user), { valueFrom: { secretKeyRef: { name: natsClientSecret, key: user } } }])),
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
                merge: {
                    resources: resources({ cpu: "10m", memory: "32Mi" }, { cpu: "100m", memory: "64Mi" }),
                    securityContext: restrictedContainer(),
                    // Its only endpoint is /metrics, which answers once it can read the server's monitor port.
                    livenessProbe: { httpGet: { path: "/metrics", port: 7777 }, periodSeconds: 30 },
                    readinessProbe: { httpGet: { path: "/metrics", port: 7777 }, periodSeconds: 10 },
                },
                podMonitor: { enabled: observability },
            },
            // The reloader signals the server process, so both run as the same non-root uid.
            podTemplate: { merge: { spec: { securityContext: restrictedPod(natsUid), automountServiceAccountToken: false } } },
            podDisruptionBudget: { enabled: true },
            // nats-box is an interactive debugging shell; nothing in production needs it.
            natsBox: { enabled: false },
        }, { parent: this, dependsOn: [...(args.monitoringCrds ? [args.monitoringCrds] : []), ...(passwords ? [passwords] : []), ...(routeCertificate ? [routeCertificate] : [])] });

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
        this.registerOutputs({ replicas: this.replicas, users });
    }

    /**
     * A private CA as an Issuer in the NATS namespace, and the servers' route certificate from it
     * (the chart's reloader picks renewals up). One certificate serves every node: its names cover
     * each pod's stable name behind the headless Service, and it is both server and client certificate.
     */
    private routeCertificate(name: string, namespaces: PlatformNamespaces, certManager: pulumi.Resource): k8s.apiextensions.CustomResource {
        const namespace = namespaces.names.nats;
        const ca = new PrivateCa(`${name}-route`, {
            kind: "Issuer",
            issuerName: "nats-route-ca",
            rootSecret: "nats-route-ca",
            commonName: "bookkeep-nats-route-ca",
            namespace: namespaces.nats,
            labels: { "app.kubernetes.io/part-of": "bookkeep", "app.kubernetes.io/component": "nats-routes" },
            certManager,
        }, this);
        const headless = "nats-headless";
        return ca.certificate("certificate", natsRouteTlsSecret, namespaces.nats, {
            commonName: `nats.${namespace}`,
            dnsNames: [`*.${headless}`, `*.${headless}.${namespace}`, `*.${headless}.${namespace}.svc`, `*.${headless}.${namespace}.svc.cluster.local`],
            usages: ["server auth", "client auth"],
        });
    }
}
