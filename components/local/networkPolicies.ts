/**
 * NetworkPolicies of the in-cluster data namespace: deny everything, then admit exactly the
 * flows the data layer needs. Pure specs keyed by purpose, so the tests read them directly.
 */
import * as k8s from "../k8s/sdk";
import { anywhere, dnsEgress, tcp } from "../k8s/networkPolicies";
import { Namespaces } from "../naming";
import { Environment } from "../../stacks/schema";
import { podLabels, ports } from "./charts";

type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type NetworkPolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/**
 * The Kubernetes API server. Its address differs per laptop cluster (kind, minikube, k3d, Docker
 * Desktop) and is not a pod, so no selector can name it: allow its two usual ports to any address.
 */
const apiServer = { to: anywhere, ports: tcp(443, 6443) };

export function dataNetworkPolicies(environment: Environment, ns: Namespaces): Record<string, NetworkPolicySpec> {
    const appNamespace: NetworkPolicyPeer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns.app } } };
    const local = (labels: Record<string, string>): NetworkPolicyPeer => ({ podSelector: { matchLabels: labels } });
    return {
        "default-deny": { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        "allow-dns": {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [dnsEgress(environment)],
        },
        postgres: {
            podSelector: { matchLabels: podLabels.postgres },
            policyTypes: ["Ingress", "Egress"],
            ingress: [
                // Services, the migration Job and the backup CronJob all run in the app namespace.
                { from: [appNamespace], ports: tcp(ports.postgres) },
                // The operator probes each instance's status endpoint and connects for management.
                { from: [local(podLabels.cnpgOperator)], ports: tcp(ports.postgres, ports.cnpgStatus) },
            ],
            // CNPG's instance manager reconciles its Cluster through the API server.
            egress: [apiServer],
        },
        "cnpg-operator": {
            podSelector: { matchLabels: podLabels.cnpgOperator },
            policyTypes: ["Ingress", "Egress"],
            // Admission webhooks are called by the API server, whose address no selector can name.
            ingress: [{ ports: tcp(ports.cnpgWebhook) }],
            egress: [apiServer, { to: [local(podLabels.postgres)], ports: tcp(ports.postgres, ports.cnpgStatus) }],
        },
        redis: {
            podSelector: { matchLabels: podLabels.valkey },
            policyTypes: ["Ingress"],
            ingress: [{ from: [appNamespace], ports: tcp(ports.redis) }],
        },
        "object-store": {
            podSelector: { matchLabels: podLabels.minio },
            policyTypes: ["Ingress"],
            ingress: [
                // The services (documents) and the backup CronJob (uploads) run in the app namespace.
                { from: [appNamespace], ports: tcp(ports.objectStore) },
                { from: [local(podLabels.minioJob)], ports: tcp(ports.objectStore) },
            ],
        },
        "object-store-provisioning": {
            podSelector: { matchLabels: podLabels.minioJob },
            policyTypes: ["Egress"],
            egress: [{ to: [local(podLabels.minio)], ports: tcp(ports.objectStore) }],
        },
    };
}
