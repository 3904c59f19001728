/**
 * ingress-nginx in bookkeep-system, behind the cloud's load balancer (the Service type and
 * annotations come from the foundation), serving the required api.<domain> routes with the wildcard
 * certificate as its default.
 */
import * as k8s from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { ServiceSpec } from "../../services/schema";
import { Environment } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { platformPeers, wellKnown } from "../naming";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { anywhere, catalogPorts, inNamespace, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
import { resources } from "./security";

export interface IngressControllerArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    /** Whether the monitoring stack is installed (`bookkeep:observability.enabled`): ServiceMonitors and Prometheus' ingress only then. */
    readonly observability: boolean;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The services it routes to: their container ports are opened from the controller. */
    readonly catalog: readonly ServiceSpec[];
    /** The chart that installs the ServiceMonitor CRD, when observability is on; the chart waits for it. Default none. */
    readonly monitoringCrds?: pulumi.Resource;
    /** cert-manager's chart: the admission webhook's certificate and CA bundle come from it, so the chart waits for it. */
    readonly certManager: pulumi.Resource;
    /** The only client sources the load balancer admits (an edge's ranges). Default: anyone. */
    readonly sourceRanges?: readonly string[];
}

/** The IngressClass every Ingress of the fleet names. */
export const ingressClass = "nginx";

/** The controller's uid/gid in the upstream image (www-data). */
const nginxUid = 101;
const nginxGid = 82;

export class IngressController extends pulumi.ComponentResource {
    /** IngressClass the fleet's Ingress objects use. */
    public readonly ingressClassName: string = ingressClass;
    /** The release; its admission webhook validates every Ingress, so the fleet waits for it. */
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: IngressControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:IngressController", name, {}, opts);
        const { environment, foundation, namespaces, catalog } = args;
        const production = environment === "production";
        const observability = args.observability;
        const peers = platformPeers(environment);
        const appPorts = catalogPorts(catalog, "port");

        this.chart = pinnedChart(`${name}-chart`, charts.ingressNginx, "ingress-nginx", namespaces.system, {
            controller: {
                replicaCount: production ? 2 : 1,
                // The chart renders a PodDisruptionBudget with this floor whenever replicas > 1.
                minAvailable: 1,
                ingressClass: this.ingressClassName,
                ingressClassResource: { name: this.ingressClassName, enabled: true, default: true },
                // Snippets let any Ingress author inject raw nginx config (CVE-2021-25742 and kin).
                allowSnippetAnnotations: false,
                config: {
                    "server-tokens": "false",
                    "ssl-protocols": "TLSv1.2 TLSv1.3",
                    "hsts": "true",
                    "hsts-include-subdomains": "true",
                    "annotations-risk-level": "High",
                    // limit-rpm rejections answer 429 Too Many Requests, not the default 503.
                    "limit-req-status-code": "429",
                },
                extraArgs: { "default-ssl-certificate": `${namespaces.names.app}/${wellKnown.tlsSecret}` },
                // Local keeps the client's source address (no SNAT to another node), so limit-rpm
                // counts per client rather than per node.
                service: {
                    type: foundation.ingressService.type, annotations: foundation.ingressService.annotations, externalTrafficPolicy: "Local",
                    // The cloud turns these into the load balancer's security group / firewall rules.
                    ...(args.sourceRanges ? { loadBalancerSourceRanges: [...args.sourceRanges] } : {}),
                },
                metrics: { enabled: observability, serviceMonitor: { enabled: observability } },
                resources: resources({ cpu: "100m", memory: "128Mi" }, { cpu: "1", memory: "512Mi" }),
                podSecurityContext: { seccompProfile: { type: "RuntimeDefault" }, fsGroup: nginxGid },
                // The chart builds the container securityContext from these. Binding :80/:443 as
                // non-root needs NET_BIND_SERVICE, the one capability `restricted` permits. The
                // root filesystem stays writable: nginx rewrites /etc/nginx and its temp paths on
                // every reload.
                image: {
                    runAsNonRoot: true,
                    runAsUser: nginxUid,
                    runAsGroup: nginxGid,
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: false,
                    seccompProfile: { type: "RuntimeDefault" },
                },
                affinity: production ? {
                    podAntiAffinity: {
                        preferredDuringSchedulingIgnoredDuringExecution: [{
                            weight: 100,
                            podAffinityTerm: { labelSelector: { matchLabels: peers.ingressController.podSelector.matchLabels }, topologyKey: "kubernetes.io/hostname" },
                        }],
                    },
                } : {},
                // The validating webhook's serving certificate and CA bundle come from cert-manager
                // (the chart's own come from hook Jobs, which helm.v4.Chart never runs).
                admissionWebhooks: { certManager: { enabled: true } },
            },
            defaultBackend: { enabled: false },
        }, { parent: this, dependsOn: [args.certManager, ...(args.monitoringCrds ? [args.monitoringCrds] : [])] });

        const controller = { matchLabels: peers.ingressController.podSelector.matchLabels };
        networkPolicy(`${name}-controller-netpol`, "ingress-nginx-controller", namespaces.system, {
            podSelector: controller,
            ingress: [
                // Client traffic arrives from the load balancer with arbitrary source addresses.
                { from: anywhere, ports: tcp(80, 443) },
                // The validating webhook is called by the API server.
                { from: anywhere, ports: tcp(8443) },
                ...(observability ? [{ from: [peers.prometheus], ports: tcp(10254) }] : []),
            ],
            egress: [{ to: [inNamespace(namespaces.names.app)], ports: tcp(...appPorts) }, kubeApiEgress(foundation)],
        }, { parent: this });
        this.registerOutputs({ ingressClassName: this.ingressClassName });
    }
}
