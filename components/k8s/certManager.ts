/**
 * cert-manager in bookkeep-system, running as the `cert-manager` workload identity so its DNS-01
 * solver can write challenge records into the cloud's DNS zone without static keys, and the
 * foundation's ClusterIssuer (or the edge's, when Cloudflare holds the domain's DNS). The required wildcard certificate for api.<domain> and *.<domain> is
 * made by cert-manager's ingress-shim from the fleet's main Ingress (its cluster-issuer and
 * private-key-* annotations, components/fleet.ts): one owner, so nothing fights over bookkeep-tls.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { CertificateIssuer, CloudFoundation } from "../foundation";
import { workloadSubject } from "../identities";
import { platformPeers } from "../naming";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { anywhere, identityEgress, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

export interface CertManagerArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    /** Whether the monitoring stack is installed (`bookkeep:observability.enabled`): ServiceMonitors and Prometheus' ingress only then. */
    readonly observability: boolean;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The chart that installs the ServiceMonitor CRD, when observability is on; the chart waits for it. Default none. */
    readonly monitoringCrds?: pulumi.Resource;
    /** The ClusterIssuer, when something other than the cloud owns the domain's DNS (the Cloudflare edge). Default the foundation's. */
    readonly issuer?: CertificateIssuer;
}

export class CertManager extends pulumi.ComponentResource {
    public readonly issuer: k8s.apiextensions.CustomResource;
    /** The chart: its CRDs and webhook must exist before any Issuer or Certificate. */
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:CertManager", name, {}, opts);
        const { environment, foundation, namespaces } = args;
        const production = environment === "production";
        const observability = args.observability;
        const subject = workloadSubject("cert-manager", environment);
        const hardened = (cpu: string, memory: string) => ({
            securityContext: restrictedPod(1000),
            containerSecurityContext: restrictedContainer(),
            resources: resources({ cpu, memory }, { cpu: "500m", memory: "512Mi" }),
        });

        const chart = this.chart = pinnedChart(`${name}-chart`, charts.certManager, "cert-manager", namespaces.system, {
            crds: { enabled: true, keep: true },
            // The chart defaults to kube-system for its leader-election lease.
            global: { leaderElection: { namespace: namespaces.names.system } },
            replicaCount: production ? 2 : 1,
            podDisruptionBudget: { enabled: production, minAvailable: 1 },
            serviceAccount: { create: true, name: subject.serviceAccount, annotations: foundation.serviceAccountAnnotations("cert-manager") },
            ...hardened("50m", "128Mi"),
            prometheus: { enabled: observability, servicemonitor: { enabled: observability } },
            webhook: { replicaCount: production ? 2 : 1, podDisruptionBudget: { enabled: production, minAvailable: 1 }, ...hardened("20m", "64Mi") },
            cainjector: { replicaCount: production ? 2 : 1, podDisruptionBudget: { enabled: production, minAvailable: 1 }, ...hardened("20m", "128Mi") },
            startupapicheck: hardened("10m", "32Mi"),
        }, { parent: this, dependsOn: [...(args.monitoringCrds ? [args.monitoringCrds] : []), ...foundation.identityGrants("cert-manager")] });

        const issuer = args.issuer ?? foundation.certificateIssuer;
        // A ClusterIssuer reads its solver's Secret from cert-manager's own namespace.
        const credentials = issuer.credentials
            ? [new k8s.core.v1.Secret(`${name}-solver-credentials`, {
                metadata: { name: issuer.credentials.name, namespace: namespaces.names.system },
                type: "Opaque",
                stringData: issuer.credentials.stringData,
            }, { parent: this, dependsOn: [namespaces] })]
            : [];
        this.issuer = new k8s.apiextensions.CustomResource(`${name}-issuer`, {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: issuer.name },
            spec: issuer.spec,
        }, { parent: this, dependsOn: [chart, ...credentials] });

        const instance = { "app.kubernetes.io/instance": "cert-manager" };
        networkPolicy(`${name}-api-netpol`, "cert-manager-kube-api", namespaces.system, {
            podSelector: { matchLabels: instance },
            egress: [kubeApiEgress(foundation)],
        }, { parent: this });
        networkPolicy(`${name}-controller-netpol`, "cert-manager-controller", namespaces.system, {
            podSelector: { matchLabels: { ...instance, "app.kubernetes.io/component": "controller" } },
            // ACME and the cloud DNS/STS APIs over HTTPS; DNS-01 self-checks query the zone's
            // authoritative nameservers directly, wherever they are.
            egress: [
                { to: anywhere, ports: tcp(443) },
                { to: anywhere, ports: [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }] },
                // The cloud credentials of its workload identity (GKE's metadata server).
                ...identityEgress(foundation),
            ],
            ingress: observability ? [{ from: [platformPeers(environment).prometheus], ports: tcp(9402) }] : [],
        }, { parent: this });
        networkPolicy(`${name}-webhook-netpol`, "cert-manager-webhook", namespaces.system, {
            podSelector: { matchLabels: { ...instance, "app.kubernetes.io/component": "webhook" } },
            // Called by the API server, whose source address is not stable across clouds.
            ingress: [{ from: anywhere, ports: tcp(10250) }],
        }, { parent: this });
        this.registerOutputs({ issuer: this.issuer });
    }
}
