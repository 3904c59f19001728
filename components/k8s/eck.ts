/**
 * Elastic Cloud on Kubernetes (ECK), the operator that runs the log store (Elasticsearch) and
 * Kibana as custom resources (logging.ts, kibana.ts): Elastic's maintained way to run them, since
 * its own Elasticsearch chart was archived at 8.5.1.
 *
 * The CRDs are their own chart (the operator chart's CRD subchart is off), installed first and
 * kept by Helm on uninstall. The operator runs in bookkeep-system and watches only the monitoring
 * namespace. Its validating webhook's certificate is the operator's own: it writes the chart's
 * empty `elastic-operator-webhook-cert` Secret and the configuration's caBundle when it starts
 * (`webhook.manageCerts`); the chart's failurePolicy Ignore is kept, so a stopped operator never
 * blocks an API request (the operator validates the same rules again when it reconciles).
 */
import * as pulumi from "@pulumi/pulumi";
import { Environment } from "../../stacks/schema";
import { CloudFoundation } from "../foundation";
import { charts, pinnedChart } from "./charts";
import { PlatformNamespaces } from "./namespaces";
import { anywhere, inNamespace, kubeApiEgress, networkPolicy, tcp } from "./networkPolicies";
import { resources, restrictedContainer, restrictedPod } from "./security";

/** The operator's name (the chart's fullnameOverride default); names its pods, webhook and Secret. */
export const eckOperatorName = "elastic-operator";
/** Port of the operator's webhook server (the chart's `webhook.port`). */
export const eckWebhookPort = 9443;

export interface EckArgs {
    readonly environment: Environment;
    readonly foundation: CloudFoundation;
    readonly namespaces: PlatformNamespaces;
    /** Labels of the Elasticsearch pods the operator calls (cluster health, settings, rolling restarts). */
    readonly elasticsearchPods: Readonly<Record<string, string>>;
}

export class Eck extends pulumi.ComponentResource {
    /** The CRDs and the operator: an Elasticsearch or Kibana resource must wait for both. */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: EckArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:k8s:Eck", name, {}, opts);
        const { foundation, namespaces } = args;
        const production = args.environment === "production";

        const crds = pinnedChart(`${name}-crds`, charts.eckOperatorCrds, "eck-operator-crds", namespaces.system, {}, { parent: this });
        const operator = pinnedChart(`${name}-operator`, charts.eckOperator, eckOperatorName, namespaces.system, {
            installCRDs: false,
            // Leader-elected: the second replica takes over when the first's node goes away.
            replicaCount: production ? 2 : 1,
            podDisruptionBudget: { enabled: production, minAvailable: 1 },
            managedNamespaces: [namespaces.names.monitoring],
            podSecurityContext: restrictedPod(),
            securityContext: restrictedContainer(),
            resources: resources({ cpu: "100m", memory: "150Mi" }, { cpu: "1", memory: "512Mi" }),
            // Usage telemetry is written into Kibana and sent to Elastic from there: off.
            telemetry: { disabled: true },
            config: { metrics: { port: "0" } },
            serviceMonitor: { enabled: false },
            webhook: { enabled: true, manageCerts: true, failurePolicy: "Ignore", port: eckWebhookPort },
        }, { parent: this, dependsOn: [crds] });

        networkPolicy(`${name}-netpol`, eckOperatorName, namespaces.system, {
            podSelector: { matchLabels: { "app.kubernetes.io/name": eckOperatorName } },
            // Admission calls from the API server, whose source address is not stable across clouds.
            ingress: [{ from: anywhere, ports: tcp(eckWebhookPort) }],
            egress: [
                kubeApiEgress(foundation),
                { to: [inNamespace(namespaces.names.monitoring, { ...args.elasticsearchPods })], ports: tcp(9200) },
            ],
        }, { parent: this });
        this.ready = [crds, operator];
        this.registerOutputs({});
    }
}
