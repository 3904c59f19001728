/**
 * Names shared across the cloud foundation and the Kubernetes layer: namespaces, labels, the
 * platform's peers and well-known object names. Both sides must agree on these, so they live in
 * one place (workload identities are in identities.ts).
 */
import { Environment } from "../stacks/schema";

export interface Namespaces {
    /** Application workloads: `bookkeep-<environment>`. */
    readonly app: string;
    /** The API gateway (Envoy Gateway and its proxies), cert-manager, sealed-secrets, Fluentd. */
    readonly system: string;
    /** Prometheus, Grafana, Elasticsearch, the OTel collector. */
    readonly monitoring: string;
    /** NATS. */
    readonly nats: string;
    /** In-cluster data stores of the local (development) foundation. */
    readonly data: string;
}

export function namespacesFor(environment: Environment): Namespaces {
    return {
        app: `bookkeep-${environment}`,
        system: "bookkeep-system",
        monitoring: "bookkeep-monitoring",
        nats: "bookkeep-nats",
        data: "bookkeep-data",
    };
}

/** Standard Kubernetes labels for objects this program owns. */
export function appLabels(name: string, component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "bookkeep",
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/**
 * Pod selectors of the shared platform pieces, as NetworkPolicy peers. The Kubernetes platform
 * sets these labels through chart values; the fleet's NetworkPolicies rely on them.
 */
export function platformPeers(environment: Environment) {
    const ns = namespacesFor(environment);
    const inNamespace = (namespace: string, podLabels: Record<string, string>) => ({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
        podSelector: { matchLabels: podLabels },
    });
    return {
        /**
         * The Envoy proxies of the API Gateway: Envoy Gateway labels every proxy pod it creates with
         * these, the last naming the Gateway they serve.
         */
        gatewayProxy: inNamespace(ns.system, {
            "app.kubernetes.io/name": "envoy",
            "app.kubernetes.io/component": "proxy",
            "gateway.envoyproxy.io/owning-gateway-name": wellKnown.gatewayName,
        }),
        /** The Envoy Gateway controller pods (its chart's labels). */
        gatewayController: inNamespace(ns.system, { "control-plane": "envoy-gateway", "app.kubernetes.io/instance": "envoy-gateway" }),
        /** Prometheus server pods of kube-prometheus-stack. */
        prometheus: inNamespace(ns.monitoring, { "app.kubernetes.io/name": "prometheus" }),
        /** NATS server pods. */
        nats: inNamespace(ns.nats, { "app.kubernetes.io/name": "nats" }),
        /** OpenTelemetry collector pods (OTLP HTTP 4318). */
        otelCollector: inNamespace(ns.monitoring, { "app.kubernetes.io/name": "opentelemetry-collector" }),
        /** Cluster DNS. */
        dns: inNamespace("kube-system", { "k8s-app": "kube-dns" }),
    };
}

/** Well-known in-cluster names the services are configured with. */
export const wellKnown = {
    /**
     * The app Secret, created by the Kubernetes platform: database-url (the services' least-privilege
     * role), database-owner-url (migration, backups), database-app-password, redis-url, jwt-secret, and
     * one `nats-url-<service>` per service that uses NATS (its own NATS user; see natsUrlKey).
     */
    appSecret: "bookkeeping-secrets",
    /** The app Secret's key holding one service's NATS URL, with that service's own credentials. */
    natsUrlKey: (service: string) => `nats-url-${service}`,
    /** OTLP HTTP endpoint; a Service named otel-collector exists in the app namespace, as the services' Go code expects (requirements: Observability). */
    otelEndpoint: "http://otel-collector:4318",
    /** The NATS client endpoint, without credentials (the app Secret's URLs add each service's user). */
    natsUrl: (environment: Environment) => `nats://nats.${namespacesFor(environment).nats}.svc.cluster.local:4222`,
    /** The wildcard certificate's Secret (api.<domain> and *.<domain>), next to the Gateway in the system namespace. */
    tlsSecret: "bookkeep-tls",
    /** The one Gateway in front of the API, in the system namespace. */
    gatewayName: "bookkeep-gateway",
    ports: { postgres: 5432, redis: 6379, nats: 4222, otlpHttp: 4318, dns: 53 },
} as const;
