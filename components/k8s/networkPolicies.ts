/**
 * NetworkPolicy building blocks. Each namespace starts from default-deny (namespaces.ts); every
 * component then admits exactly the flows it needs, on both ends (the server's ingress and the
 * client's egress), so removing a component removes its holes too.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { ServiceSpec } from "../../services/schema";
import { CloudFoundation } from "../foundation";
import { platformPeers, wellKnown } from "../naming";

type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Port = k8s.types.input.networking.v1.NetworkPolicyPort;
type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;
type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;
type LabelSelector = k8s.types.input.meta.v1.LabelSelector;

export interface PolicySpec {
    /** Pods the policy applies to; `{}` selects every pod of the namespace. */
    readonly podSelector: LabelSelector;
    readonly ingress?: IngressRule[];
    readonly egress?: EgressRule[];
}

/**
 * A NetworkPolicy named `policyName` in `namespace`; policyTypes follow the rules given. `labels`
 * are added to the policy's own metadata (the owner's labels), default none.
 */
export function networkPolicy(
    resourceName: string,
    policyName: string,
    namespace: pulumi.Input<string>,
    spec: PolicySpec,
    opts: pulumi.CustomResourceOptions,
    labels: Record<string, string> = {},
): k8s.networking.v1.NetworkPolicy {
    const policyTypes = [...(spec.ingress ? ["Ingress"] : []), ...(spec.egress ? ["Egress"] : [])];
    return new k8s.networking.v1.NetworkPolicy(resourceName, {
        metadata: { name: policyName, namespace, labels: { "app.kubernetes.io/part-of": "bookkeep", "app.kubernetes.io/managed-by": "pulumi", ...labels } },
        spec: { podSelector: spec.podSelector, policyTypes, ...(spec.ingress ? { ingress: spec.ingress } : {}), ...(spec.egress ? { egress: spec.egress } : {}) },
    }, opts);
}

export function tcp(...ports: number[]): Port[] {
    return ports.map(port => ({ port, protocol: "TCP" }));
}

/** Any address. Used only together with a port list. */
export const anywhere: Peer[] = [{ ipBlock: { cidr: "0.0.0.0/0" } }];

/** Every pod of one namespace. */
export function inNamespace(namespace: string, podLabels?: Record<string, string>): Peer {
    return {
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
        ...(podLabels ? { podSelector: { matchLabels: podLabels } } : {}),
    };
}

/** Cluster DNS, over UDP and TCP (large answers fall back to TCP). */
export function dnsEgress(environment: Environment): EgressRule {
    return {
        to: [platformPeers(environment).dns],
        ports: [{ port: wellKnown.ports.dns, protocol: "UDP" }, { port: wellKnown.ports.dns, protocol: "TCP" }],
    };
}

/**
 * The Kubernetes API server, for the controller pods that watch or write objects (each component
 * selects only those pods), at the addresses the foundation knows for it (EKS ENIs in the VPC, the
 * GKE control-plane range, anywhere on a laptop). 443 is the in-cluster Service port, 6443 the
 * endpoint port of self-managed control planes.
 */
export function kubeApiEgress(foundation: Pick<CloudFoundation, "apiServerPeers">): EgressRule {
    return { to: foundation.apiServerPeers, ports: tcp(443, 6443) };
}

/** What a workload-identity pod needs to fetch its credentials (GKE's metadata server); none elsewhere. */
export function identityEgress(foundation: Pick<CloudFoundation, "identityEgress">): EgressRule[] {
    return [...foundation.identityEgress];
}

/**
 * The fleet's pods (stable and canary tracks alike carry `app.kubernetes.io/name: <name>-service`).
 * Limited to the services that use `backend` when one is given.
 */
export function servicePods(catalog: readonly ServiceSpec[], backend?: ServiceSpec["backends"][number]): LabelSelector {
    const names = catalog.filter(s => backend === undefined || s.backends.includes(backend)).map(s => `${s.name}-service`);
    return { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: names }] };
}

/**
 * The fleet's pods that use `backend`, as a peer in the app namespace; undefined when none does
 * (an `In` selector needs at least one value).
 */
export function servicePodsPeer(appNamespace: string, catalog: readonly ServiceSpec[], backend: ServiceSpec["backends"][number]): Peer | undefined {
    if (!catalog.some(s => s.backends.includes(backend))) {
        return undefined;
    }
    return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": appNamespace } }, podSelector: servicePods(catalog, backend) };
}

/** Distinct container ports of the catalog (ingress targets), or of its metrics endpoints. */
export function catalogPorts(catalog: readonly ServiceSpec[], which: "port" | "metricsPort"): number[] {
    return [...new Set(catalog.map(s => s[which]))].sort((a, b) => a - b);
}
