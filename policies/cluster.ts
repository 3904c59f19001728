/**
 * Kubernetes control planes (EKS / GKE): secrets encryption, control-plane logging, an API
 * endpoint that is not open to the world, workload identity, private nodes, network-policy
 * enforcement, shielded nodes.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { internetWide } from "./cidrs";
import { asArray, forTypes, isObject, knownEntries, ofType, Props, referenced, safe, whenKnown } from "./helpers";

const eks = ["aws:eks/cluster:Cluster"];
const gke = ["gcp:container/cluster:Cluster"];
const gkeNodePools = ["gcp:container/nodePool:NodePool"];

/** EKS control-plane log types that must reach CloudWatch (who called the API, and how). */
export const requiredEksLogTypes: readonly string[] = ["api", "audit", "authenticator"];

export const eksSecretsEncryption: ResourceValidationPolicy = {
    name: "eks-secrets-encryption",
    description: "Checks whether every EKS cluster envelope-encrypts Kubernetes secrets with a KMS key.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(eks, (args, report) => {
        const enc: Props = safe(() => args.props.encryptionConfig) ?? {};
        if (!asArray(enc.resources).includes("secrets") || !enc.provider?.keyArn) {
            report("EKS secrets are not envelope-encrypted; set encryptionConfig: { resources: [\"secrets\"], provider: { keyArn: <KMS key ARN> } }.");
        }
    }),
};

export const eksControlPlaneLogging: ResourceValidationPolicy = {
    name: "eks-control-plane-logging",
    description: `Checks whether every EKS cluster sends the ${requiredEksLogTypes.join(", ")} control-plane logs to CloudWatch.`,
    enforcementLevel: "mandatory",
    validateResource: forTypes(eks, (args, report) => {
        const enabled = asArray(safe(() => args.props.enabledClusterLogTypes));
        const missing = requiredEksLogTypes.filter(t => !enabled.includes(t));
        if (missing.length > 0) {
            report(`EKS control-plane logs ${missing.join(", ")} are off; add them to enabledClusterLogTypes.`);
        }
    }),
};

export const eksEndpointRestricted: ResourceValidationPolicy = {
    name: "eks-endpoint-restricted",
    description: "Checks whether every EKS API endpoint is private or limited to named CIDRs that together admit no large share of the internet (0.0.0.0/0 is the default).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(eks, (args, report) => {
        const vpc: Props = safe(() => args.props.vpcConfig) ?? {};
        if (vpc.endpointPrivateAccess !== true) {
            report("EKS API endpoint is not reachable privately; set vpcConfig.endpointPrivateAccess: true so nodes stay inside the VPC.");
        }
        if (vpc.endpointPublicAccess === false) {
            return;
        }
        const cidrs = asArray(vpc.publicAccessCidrs);
        if (cidrs.length === 0 || internetWide(cidrs).length > 0) {
            report("EKS API endpoint is open to the internet (publicAccessCidrs defaults to 0.0.0.0/0); set vpcConfig.publicAccessCidrs to the office/VPN ranges or endpointPublicAccess: false.");
        }
    }),
};

export const eksOidcProvider: StackValidationPolicy = {
    name: "eks-oidc-provider",
    description: "Checks whether every EKS cluster has an IAM OIDC provider, so pods get AWS access through IRSA rather than node credentials.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const oidc = ofType(args, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
            .filter(p => asArray(safe(() => p.props.clientIdLists)).includes("sts.amazonaws.com"));
        const clusters = ofType(args, ...eks);
        for (const c of clusters) {
            const linked = oidc.some(p => referenced(p, "url").some(x => x.urn === c.urn));
            // Without a property dependency (a URL from config), one provider per cluster is the best evidence.
            if (!linked && oidc.length < clusters.length) {
                report(`EKS cluster ${c.name} has no IAM OIDC provider; create an aws.iam.OpenIdConnectProvider for its issuer URL with client ID sts.amazonaws.com (IRSA).`, c.urn);
            }
        }
    },
};

/**
 * Whether `r` refers to `target` through input `key`: by property dependency (how a program
 * passes another resource's output, and the only link while that output is unknown), else by
 * value (`target`'s `targetKey` output, as a stack built from literal names or ids shows it).
 */
function refersTo(r: PolicyResource, key: string, target: PolicyResource, targetKey: string): boolean {
    if (referenced(r, key).some(x => x.urn === target.urn)) {
        return true;
    }
    const wanted = whenKnown(() => target.props[targetKey]);
    const value = whenKnown(() => r.props[key]);
    const values = Array.isArray(value) ? knownEntries(value).map(([, v]) => v) : [value];
    return typeof wanted === "string" && values.includes(wanted);
}

const enableNetworkPolicyFix = "configurationValues: JSON.stringify({ enableNetworkPolicy: \"true\" })";

function enforcesNetworkPolicy(configurationValues: unknown): boolean {
    let config: unknown;
    try {
        config = typeof configurationValues === "string" ? JSON.parse(configurationValues) : undefined;
    } catch {
        return false;
    }
    const flag = isObject(config) ? config.enableNetworkPolicy : undefined;
    return flag === true || flag === "true";
}

export const eksNetworkPolicyEnforced: StackValidationPolicy = {
    name: "eks-network-policy-enforced",
    description: "Checks whether every EKS cluster has the vpc-cni add-on with its network policy agent on (enableNetworkPolicy), so NetworkPolicies are enforced.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        // Every vpc-cni add-on is judged, whichever cluster it belongs to (one outside the stack too).
        const cnis = ofType(args, "aws:eks/addon:Addon").filter(a => safe(() => a.props.addonName) === "vpc-cni");
        for (const a of cnis) {
            if (!enforcesNetworkPolicy(safe(() => a.props.configurationValues))) {
                report(`vpc-cni add-on ${a.name} does not enforce NetworkPolicies (they are accepted and ignored); set ${enableNetworkPolicyFix}.`, a.urn);
            }
        }
        for (const c of ofType(args, ...eks)) {
            if (!cnis.some(a => refersTo(a, "clusterName", c, "name"))) {
                report(`EKS cluster ${c.name} has no vpc-cni add-on, so NetworkPolicies are not enforced; add an aws.eks.Addon with addonName "vpc-cni", ` +
                    `clusterName set to the cluster's name and ${enableNetworkPolicyFix}.`, c.urn);
            }
        }
    },
};

const subnetType = "aws:ec2/subnet:Subnet";
const internetGatewayType = "aws:ec2/internetGateway:InternetGateway";

/**
 * The route tables of `subnet` that route to an internet gateway (a standalone aws.ec2.Route or an
 * inline route), which make it a public subnet whatever its own settings. A subnet with no explicit
 * association uses the VPC's main route table, which the program never routes to the internet.
 */
function internetRouteTables(args: StackValidationArgs, subnet: PolicyResource): PolicyResource[] {
    const isIgw = (r: PolicyResource, key: string, gatewayIds: unknown[]) =>
        referenced(r, key).some(x => x.type === internetGatewayType) || gatewayIds.some(id => typeof id === "string" && id.startsWith("igw-"));
    const routes = ofType(args, "aws:ec2/route:Route").filter(r => isIgw(r, "gatewayId", [whenKnown(() => r.props.gatewayId)]));
    const inlineGateways = (t: PolicyResource) => knownEntries(whenKnown(() => t.props.routes)).map(([, route]) => whenKnown(() => (route as Props).gatewayId));
    const associations = ofType(args, "aws:ec2/routeTableAssociation:RouteTableAssociation").filter(a => refersTo(a, "subnetId", subnet, "id"));
    return ofType(args, "aws:ec2/routeTable:RouteTable")
        .filter(t => associations.some(a => refersTo(a, "routeTableId", t, "id")))
        .filter(t => routes.some(r => refersTo(r, "routeTableId", t, "id")) || isIgw(t, "routes", inlineGateways(t)));
}

export const eksPrivateNodes: StackValidationPolicy = {
    name: "eks-private-nodes",
    description: "Checks whether every EKS node group runs in private subnets: none maps public IPs on launch or routes to an internet gateway.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const subnets = ofType(args, subnetType);
        for (const ng of ofType(args, "aws:eks/nodeGroup:NodeGroup")) {
            // Subnets from outside the stack (ids from config) cannot be judged here.
            for (const s of subnets.filter(x => refersTo(ng, "subnetIds", x, "id"))) {
                if (safe(() => s.props.mapPublicIpOnLaunch) === true) {
                    report(`Node group ${ng.name} runs in subnet ${s.name}, which gives every node a public IP; set mapPublicIpOnLaunch: false or use the private subnets.`, ng.urn);
                }
                for (const t of internetRouteTables(args, s)) {
                    report(`Node group ${ng.name} runs in subnet ${s.name}, whose route table ${t.name} routes to an internet gateway; ` +
                        "use private subnets that reach the internet through a NAT gateway.", ng.urn);
                }
            }
        }
    },
};

export const gkePrivateNodes: ResourceValidationPolicy = {
    name: "gke-private-nodes",
    description: "Checks whether every GKE cluster gives its nodes private IPs only.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(gke, (args, report) => {
        if (safe(() => args.props.privateClusterConfig.enablePrivateNodes) !== true) {
            report("GKE nodes have public IPs; set privateClusterConfig.enablePrivateNodes: true (with a masterIpv4CidrBlock).");
        }
    }),
};

export const gkeMasterAuthorizedNetworks: ResourceValidationPolicy = {
    name: "gke-master-authorized-networks",
    description: "Checks whether every GKE control plane is limited to master authorized networks that together admit no large share of the internet.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(gke, (args, report) => {
        const config = safe(() => args.props.masterAuthorizedNetworksConfig);
        const blocks = asArray(config?.cidrBlocks).filter(isObject);
        if (!isObject(config) || blocks.length === 0) {
            report("GKE API endpoint is open to the internet; set masterAuthorizedNetworksConfig.cidrBlocks to the office/VPN ranges.");
        } else if (internetWide(blocks.map(b => b.cidrBlock)).length > 0) {
            report(`GKE master authorized networks include ${internetWide(blocks.map(b => b.cidrBlock)).join(", ")}; list only the office/VPN ranges.`);
        }
        if (config?.gcpPublicCidrsAccessEnabled === true) {
            report("GKE API endpoint admits all Google Cloud public IPs; set masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled: false.");
        }
    }),
};

export const gkeWorkloadIdentity: ResourceValidationPolicy = {
    name: "gke-workload-identity",
    description: "Checks whether every GKE cluster enables Workload Identity and every node pool serves the GKE metadata server.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([...gke, ...gkeNodePools], (args, report) => {
        if (args.type === gke[0]) {
            const pool = safe(() => args.props.workloadIdentityConfig.workloadPool);
            if (typeof pool !== "string" || !pool.endsWith(".svc.id.goog")) {
                report("GKE Workload Identity is off; set workloadIdentityConfig.workloadPool: \"<project>.svc.id.goog\".");
            }
            return;
        }
        if (safe(() => args.props.nodeConfig.workloadMetadataConfig.mode) !== "GKE_METADATA") {
            report("Node pool exposes the node's service account to pods; set nodeConfig.workloadMetadataConfig.mode: GKE_METADATA.");
        }
    }),
};

export const gkeNetworkPolicyEnforced: ResourceValidationPolicy = {
    name: "gke-network-policy-enforced",
    description: "Checks whether every GKE cluster enforces NetworkPolicies (Dataplane V2 or the network-policy add-on).",
    enforcementLevel: "mandatory",
    validateResource: forTypes(gke, (args, report) => {
        const dataplaneV2 = safe(() => args.props.datapathProvider) === "ADVANCED_DATAPATH";
        const addon = safe(() => args.props.networkPolicy.enabled) === true;
        if (!dataplaneV2 && !addon) {
            report("GKE does not enforce NetworkPolicies; set datapathProvider: ADVANCED_DATAPATH (Dataplane V2).");
        }
    }),
};

export const gkeSecretsEncryption: ResourceValidationPolicy = {
    name: "gke-secrets-encryption",
    description: "Checks whether every GKE cluster encrypts Kubernetes secrets in etcd with a Cloud KMS key.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(gke, (args, report) => {
        const enc = safe(() => args.props.databaseEncryption);
        if (enc?.state !== "ENCRYPTED" || !enc.keyName) {
            report("GKE secrets are not encrypted with Cloud KMS; set databaseEncryption: { state: ENCRYPTED, keyName: <crypto key id> }.");
        }
    }),
};

export const gkeShieldedNodes: ResourceValidationPolicy = {
    name: "gke-shielded-nodes",
    description: "Checks whether every GKE cluster uses shielded nodes and every node pool enables secure boot.",
    enforcementLevel: "mandatory",
    validateResource: forTypes([...gke, ...gkeNodePools], (args, report) => {
        if (args.type === gke[0]) {
            if (safe(() => args.props.enableShieldedNodes) === false) {
                report("GKE shielded nodes are off; remove enableShieldedNodes: false (or set it to true).");
            }
            return;
        }
        if (safe(() => args.props.nodeConfig.shieldedInstanceConfig.enableSecureBoot) !== true) {
            report("Node pool boots without secure boot; set nodeConfig.shieldedInstanceConfig.enableSecureBoot: true.");
        }
    }),
};

export const gkeControlPlaneLogging: ResourceValidationPolicy = {
    name: "gke-control-plane-logging",
    description: "Checks whether every GKE cluster sends API server and system component logs to Cloud Logging.",
    enforcementLevel: "mandatory",
    validateResource: forTypes(gke, (args, report) => {
        const components = asArray(safe(() => args.props.loggingConfig.enableComponents));
        const missing = ["SYSTEM_COMPONENTS", "APISERVER"].filter(c => !components.includes(c));
        if (missing.length > 0) {
            report(`GKE control-plane logs ${missing.join(", ")} are off; add them to loggingConfig.enableComponents.`);
        }
    }),
};

export const clusterPolicies = [
    eksSecretsEncryption, eksControlPlaneLogging, eksEndpointRestricted, eksOidcProvider, eksNetworkPolicyEnforced, eksPrivateNodes,
    gkePrivateNodes, gkeMasterAuthorizedNetworks, gkeWorkloadIdentity, gkeNetworkPolicyEnforced, gkeSecretsEncryption, gkeShieldedNodes,
    gkeControlPlaneLogging,
];
