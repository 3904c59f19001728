/**
 * The Sealed Secrets controller in bookkeep-system, so teams can keep encrypted Secrets in Git
 * (the required SealedSecret). Secrets derived from the foundation (bookkeeping-secrets) are written
 * directly by this program instead: their source of truth is Pulumi state, encrypted.
 */
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { platformPeers } from "../naming";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { anywhere, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
import { resources } from "./security";

export interface SealedSecretsArgs {
    /** The environment: object names, replica counts and production-only settings follow it. */
    readonly environment: Environment;
    /** Whether the monitoring stack is installed (`bookkeep:observability.enabled`): ServiceMonitors and Prometheus' ingress only then. */
    readonly observability: boolean;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** The chart that installs the ServiceMonitor CRD, when observability is on; the chart waits for it. Default none. */
    readonly monitoringCrds?: pulumi.Resource;
}

/** kubeseal's default controller name; pass `--controller-namespace bookkeep-system`. */
export const sealedSecretsController = "sealed-secrets-controller";
/** The controller's HTTP port (the chart's default), which serves the public certificate. */
export const sealedSecretsPort = 8080;

export class SealedSecrets extends pulumi.ComponentResource {
    constructor(name: string, args: SealedSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:SealedSecrets", name, {}, opts);
        const { environment, foundation, namespaces } = args;
        const observability = args.observability;

        pinnedChart(`${name}-chart`, charts.sealedSecrets, "sealed-secrets", namespaces.system, {
            fullnameOverride: sealedSecretsController,
            resources: resources({ cpu: "50m", memory: "64Mi" }, { cpu: "200m", memory: "256Mi" }),
            podSecurityContext: { enabled: true, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
            containerSecurityContext: {
                enabled: true,
                runAsNonRoot: true,
                runAsUser: 1001,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            },
            metrics: { serviceMonitor: { enabled: observability } },
        }, { parent: this, dependsOn: args.monitoringCrds ? [args.monitoringCrds] : [] });

        networkPolicy(`${name}-netpol`, "sealed-secrets-controller", namespaces.system, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": "sealed-secrets" } },
            ingress: [
                // kubeseal fetches the public certificate through the API server's service proxy.
                { from: anywhere, ports: tcp(sealedSecretsPort) },
                ...(observability ? [{ from: [platformPeers(environment).prometheus], ports: tcp(8081) }] : []),
            ],
            egress: [kubeApiEgress(foundation)],
        }, { parent: this });
        this.registerOutputs({});
    }
}
