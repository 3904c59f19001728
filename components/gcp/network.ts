/**
 * The GCP network: a custom-mode VPC with one regional subnet for the nodes (pods and services
 * as its secondary ranges, for a VPC-native GKE cluster), Cloud NAT for egress from private nodes,
 * and a private services access range peered to Google's service producer network, where Cloud SQL
 * and Memorystore get their private IPs.
 */
import * as command from "@pulumi/command/local";
import * as gcp from "./sdk";
import * as pulumi from "@pulumi/pulumi";
import { Provider as CommandProvider } from "@pulumi/command/provider";
import { GcpConfig } from "../../stacks/schema";
import { eckWebhookPort } from "../k8s/eck";
import { sealedSecretsPort } from "../k8s/sealedSecrets";

/** Secondary range names on the node subnet, referenced by the GKE cluster. */
export const secondaryRanges = { pods: "pods", services: "services" } as const;

/** Network tag on GKE nodes, for firewall rules. */
export const nodeTag = "bookkeep-gke-node";

/**
 * Ports the control plane must reach on pods beyond GKE's default 443/10250: the Sealed Secrets
 * controller, which `kubeseal --fetch-cert` reaches through the API server's service proxy (8080),
 * and ECK's validating webhook (its failurePolicy Ignore would otherwise let every Elasticsearch
 * and Kibana write through unvalidated, after a timeout).
 */
export const webhookPorts = [sealedSecretsPort, eckWebhookPort] as const;

/**
 * Run by `pulumi destroy` on the machine that runs it (gcloud, logged in): removes the VPC side of
 * the private-services peering if it is still there. The connection itself cannot be deleted while
 * Cloud SQL holds it (up to days after the instance is gone), and the VPC cannot be deleted while
 * the peering exists; removing the peering from our side is what the console does.
 */
export const peeringCleanupScript = [
    `if gcloud compute networks peerings list --project="$PROJECT" --network="$NETWORK" --format='value(name)' | grep -qx "$PEERING"; then`,
    `  gcloud compute networks peerings delete "$PEERING" --project="$PROJECT" --network="$NETWORK" --quiet`,
    `fi`,
].join("\n");

export interface GcpNetworkArgs {
    /** Project of the VPC (for the teardown of the private-services peering). */
    readonly project: string;
    /** The subnet's primary and GKE secondary ranges, the private-services and control-plane ranges (`bookkeep:gcp`). */
    readonly network: Pick<GcpConfig, "subnetCidr" | "podsCidr" | "servicesCidr" | "privateServicesCidr" | "controlPlaneCidr">;
    /** Region of the subnet, router and NAT. */
    readonly region: string;
    readonly provider: gcp.Provider;
    /** Runs the peering teardown on `pulumi destroy`; explicit because default providers are disabled. */
    readonly commandProvider: CommandProvider;
}

export class GcpNetwork extends pulumi.ComponentResource {
    public readonly vpc: gcp.compute.Network;
    public readonly subnet: gcp.compute.Subnetwork;
    public readonly router: gcp.compute.Router;
    public readonly nat: gcp.compute.RouterNat;
    /** The allocated range for private services access (Cloud SQL, Memorystore). */
    public readonly privateServicesRange: gcp.compute.GlobalAddress;
    /** The service networking peering; data stores with private IPs must wait for it. */
    public readonly privateServicesConnection: gcp.servicenetworking.Connection;
    /**
     * Removes the peering on destroy. Data stores on the peering depend on it, so a destroy deletes
     * them first, then the peering, then the range and the VPC.
     */
    public readonly peeringCleanup: command.Command;

    constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("bookkeep:gcp:Network", name, {}, opts);
        const { network, region, provider } = args;
        const childOpts = { parent: this, provider };

        this.vpc = new gcp.compute.Network(`${name}-vpc`, {
            // Custom mode: auto mode would create a subnet in every region of the world.
            autoCreateSubnetworks: false,
            routingMode: "REGIONAL",
        }, childOpts);

        this.subnet = new gcp.compute.Subnetwork(`${name}-nodes`, {
            network: this.vpc.id,
            region,
            ipCidrRange: network.subnetCidr,
            secondaryIpRanges: [
                { rangeName: secondaryRanges.pods, ipCidrRange: network.podsCidr },
                { rangeName: secondaryRanges.services, ipCidrRange: network.servicesCidr },
            ],
            // Private nodes reach Google APIs (GCS, Artifact Registry, Secret Manager) without NAT.
            privateIpGoogleAccess: true,
            logConfig: {
                aggregationInterval: "INTERVAL_5_SEC",
                flowSampling: 0.5,
                metadata: "INCLUDE_ALL_METADATA",
            },
        }, childOpts);

        this.router = new gcp.compute.Router(`${name}-router`, { network: this.vpc.id, region }, childOpts);
        // Cloud NAT is a regional, Google-managed service with no per-zone gateways to lose, so the
        // AWS side's single/perAz choice has no GCP counterpart: one NAT serves every zone.
        this.nat = new gcp.compute.RouterNat(`${name}-nat`, {
            router: this.router.name,
            region,
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        }, childOpts);

        const [base, prefix] = network.privateServicesCidr.split("/");
        this.privateServicesRange = new gcp.compute.GlobalAddress(`${name}-psa`, {
            network: this.vpc.id,
            purpose: "VPC_PEERING",
            addressType: "INTERNAL",
            address: base,
            prefixLength: Number(prefix),
        }, childOpts);
        this.privateServicesConnection = new gcp.servicenetworking.Connection(`${name}-psa`, {
            network: this.vpc.id,
            service: "servicenetworking.googleapis.com",
            reservedPeeringRanges: [this.privateServicesRange.name],
            // Cloud SQL holds the connection for days after an instance is deleted, so deleting it
            // would fail `pulumi destroy`. Abandoning alone leaves the peering on the VPC, which
            // then cannot be deleted either: peeringCleanup removes it.
            deletionPolicy: "ABANDON",
        }, childOpts);
        this.peeringCleanup = new command.Command(`${name}-psa-peering-cleanup`, {
            delete: peeringCleanupScript,
            environment: { PROJECT: args.project, NETWORK: this.vpc.name, PEERING: this.privateServicesConnection.peering },
        }, { parent: this, provider: args.commandProvider, dependsOn: [this.privateServicesConnection] });

        // A private cluster's control plane may reach nodes only on 443 and 10250 (GKE's own rule).
        // Admission webhooks and service proxies on other ports time out. (cert-manager's and the
        // Prometheus operator's webhooks listen on 10250, already open; Envoy Gateway's topology
        // injector webhook is off; Flagger, Velero and Sealed Secrets register none.)
        new gcp.compute.Firewall(`${name}-control-plane-webhooks`, {
            network: this.vpc.id,
            direction: "INGRESS",
            priority: 1000,
            description: "GKE control plane to admission webhooks on the nodes",
            sourceRanges: [network.controlPlaneCidr],
            targetTags: [nodeTag],
            allows: [{ protocol: "tcp", ports: webhookPorts.map(String) }],
        }, childOpts);

        // Makes the implied deny of unsolicited ingress explicit and logged. GKE adds its own,
        // higher-priority allow rules (control plane to nodes, load balancer health checks).
        new gcp.compute.Firewall(`${name}-deny-ingress`, {
            network: this.vpc.id,
            direction: "INGRESS",
            priority: 65534,
            denies: [{ protocol: "all" }],
            sourceRanges: ["0.0.0.0/0"],
            logConfig: { metadata: "INCLUDE_ALL_METADATA" },
        }, childOpts);

        this.registerOutputs({ vpc: this.vpc.id, subnet: this.subnet.id });
    }
}
