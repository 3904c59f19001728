/**
 * policies/cluster.ts's control-plane rules, called as the analyzer calls them: each EKS and GKE
 * setting broken on its own next to the cluster that passes, and every way a stack links a cluster
 * to its OIDC provider, its vpc-cni add-on and its node subnets.
 */
import { expect } from "chai";
import {
    eksControlPlaneLogging, eksEndpointRestricted, eksNetworkPolicyEnforced, eksOidcProvider, eksPrivateNodes, eksSecretsEncryption, gkeControlPlaneLogging,
    gkeMasterAuthorizedNetworks, gkeNetworkPolicyEnforced, gkePrivateNodes, gkeSecretsEncryption, gkeShieldedNodes, gkeWorkloadIdentity,
} from "../policies/cluster";
import { check, checkStack, fake, Fake } from "./policies-units-harness";

const eks = "aws:eks/cluster:Cluster";
const gke = "gcp:container/cluster:Cluster";
const nodePool = "gcp:container/nodePool:NodePool";

describe("policy units: EKS control plane", () => {
    it("eks-secrets-encryption wants secrets among the resources and a KMS key", () => {
        const enc = (encryptionConfig: unknown) => check(eksSecretsEncryption, eks, { encryptionConfig });
        const unencrypted = ["EKS secrets are not envelope-encrypted; set encryptionConfig: { resources: [\"secrets\"], provider: { keyArn: <KMS key ARN> } }."];
        expect(enc({ resources: ["secrets"], provider: { keyArn: "arn:aws:kms:ap-south-1:1:key/k" } })).to.deep.equal([]);
        expect(enc({ resources: [], provider: { keyArn: "arn:aws:kms:ap-south-1:1:key/k" } })).to.deep.equal(unencrypted);
        expect(enc({ resources: ["secrets"], provider: {} })).to.deep.equal(unencrypted);
        expect(enc({ resources: ["secrets"] })).to.deep.equal(unencrypted);
        expect(check(eksSecretsEncryption, eks, {})).to.deep.equal(unencrypted);
        expect(check(eksSecretsEncryption, gke, {})).to.deep.equal([]);
    });

    it("eks-control-plane-logging names each log type that is off", () => {
        const logs = (enabledClusterLogTypes: unknown) => check(eksControlPlaneLogging, eks, { enabledClusterLogTypes });
        expect(logs(["api", "audit", "authenticator", "scheduler"])).to.deep.equal([]);
        expect(logs(["api", "authenticator"])).to.deep.equal(["EKS control-plane logs audit are off; add them to enabledClusterLogTypes."]);
        expect(logs(undefined)).to.deep.equal(["EKS control-plane logs api, audit, authenticator are off; add them to enabledClusterLogTypes."]);
    });

    it("eks-endpoint-restricted wants private access, and public access off or limited to ranges that are not the internet", () => {
        const endpoint = (vpcConfig: unknown) => check(eksEndpointRestricted, eks, { vpcConfig });
        const notPrivate = "EKS API endpoint is not reachable privately; set vpcConfig.endpointPrivateAccess: true so nodes stay inside the VPC.";
        const open = "EKS API endpoint is open to the internet (publicAccessCidrs defaults to 0.0.0.0/0); set vpcConfig.publicAccessCidrs to the office/VPN ranges or endpointPublicAccess: false.";
        expect(endpoint({ endpointPrivateAccess: true, endpointPublicAccess: false })).to.deep.equal([]);
        expect(endpoint({ endpointPrivateAccess: true, publicAccessCidrs: ["203.0.113.0/24"] })).to.deep.equal([]);
        expect(endpoint({ endpointPrivateAccess: false, endpointPublicAccess: false })).to.deep.equal([notPrivate]);
        expect(endpoint({ endpointPrivateAccess: true, endpointPublicAccess: true })).to.deep.equal([open]);
        expect(endpoint({ endpointPrivateAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] })).to.deep.equal([open]);
        expect(check(eksEndpointRestricted, eks, {})).to.deep.equal([notPrivate, open]);
    });
});

describe("policy units: eks-oidc-provider", () => {
    const cluster = (name: string) => fake(eks, name, {});
    const oidc = (name: string, clientIdLists: string[], issuerOf: Fake[] = []) =>
        fake("aws:iam/openIdConnectProvider:OpenIdConnectProvider", name, { clientIdLists }, { url: issuerOf });
    const missing = (name: string) => `${name}: EKS cluster ${name} has no IAM OIDC provider; create an aws.iam.OpenIdConnectProvider for its issuer URL with client ID sts.amazonaws.com (IRSA).`;

    it("counts only providers for sts.amazonaws.com", () => {
        const c = cluster("c");
        expect(checkStack(eksOidcProvider, c, oidc("irsa", ["sts.amazonaws.com"], [c]))).to.deep.equal([]);
        expect(checkStack(eksOidcProvider, c, oidc("other", ["example.com"], [c]))).to.deep.equal([missing("c")]);
        expect(checkStack(eksOidcProvider, c)).to.deep.equal([missing("c")]);
    });

    it("links a provider to its cluster by the issuer URL, else takes one provider per cluster as evidence", () => {
        const [a, b] = [cluster("a"), cluster("b")];
        expect(checkStack(eksOidcProvider, a, oidc("from-config", ["sts.amazonaws.com"]))).to.deep.equal([]);
        expect(checkStack(eksOidcProvider, a, b, oidc("for-a", ["sts.amazonaws.com"], [a]))).to.deep.equal([missing("b")]);
        expect(checkStack(eksOidcProvider, a, b, oidc("for-a", ["sts.amazonaws.com"], [a]), oidc("for-b", ["sts.amazonaws.com"], [b]))).to.deep.equal([]);
        expect(checkStack(eksOidcProvider, a, b, oidc("both", ["sts.amazonaws.com"], [a, b]))).to.deep.equal([]);
    });
});

describe("policy units: eks-network-policy-enforced", () => {
    const cluster = (name: string) => fake(eks, name, { name });
    const addon = (name: string, props: Record<string, unknown>, of: Fake[] = []) => fake("aws:eks/addon:Addon", name, { addonName: "vpc-cni", ...props }, { clusterName: of });
    const enforcing = JSON.stringify({ enableNetworkPolicy: "true" });
    const ignored = (name: string) => `${name}: vpc-cni add-on ${name} does not enforce NetworkPolicies (they are accepted and ignored); ` +
        "set configurationValues: JSON.stringify({ enableNetworkPolicy: \"true\" }).";
    const none = (name: string) => `${name}: EKS cluster ${name} has no vpc-cni add-on, so NetworkPolicies are not enforced; add an aws.eks.Addon with addonName "vpc-cni", ` +
        "clusterName set to the cluster's name and configurationValues: JSON.stringify({ enableNetworkPolicy: \"true\" }).";

    it("reads enableNetworkPolicy, true or \"true\", from the add-on's JSON configuration only", () => {
        const c = cluster("c");
        expect(checkStack(eksNetworkPolicyEnforced, c, addon("cni", { configurationValues: enforcing }, [c]))).to.deep.equal([]);
        expect(checkStack(eksNetworkPolicyEnforced, c, addon("cni", { configurationValues: "{\"enableNetworkPolicy\":true}" }, [c]))).to.deep.equal([]);
        for (const configurationValues of ["{\"enableNetworkPolicy\":\"false\"}", "{\"enableNetworkPolicy\":1}", "[true]", "{not json", undefined, [enforcing], { enableNetworkPolicy: "true" }]) {
            expect(checkStack(eksNetworkPolicyEnforced, c, addon("cni", { configurationValues }, [c])), JSON.stringify(configurationValues)).to.deep.equal([ignored("cni")]);
        }
        expect(checkStack(eksNetworkPolicyEnforced, c, addon("coredns", { addonName: "coredns" }, [c]))).to.deep.equal([none("c")]);
    });

    it("links the add-on to its cluster by dependency or by the cluster's literal name", () => {
        const [a, b] = [cluster("a"), cluster("b")];
        expect(checkStack(eksNetworkPolicyEnforced, a, b, addon("cni-a", { configurationValues: enforcing }, [a]), addon("cni-b", { configurationValues: enforcing, clusterName: "b" })))
            .to.deep.equal([]);
        expect(checkStack(eksNetworkPolicyEnforced, a, b, addon("cni-a", { configurationValues: enforcing, clusterName: "a" }))).to.deep.equal([none("b")]);
        expect(checkStack(eksNetworkPolicyEnforced, fake(eks, "unnamed", {}), addon("cni", { configurationValues: enforcing }))).to.deep.equal([none("unnamed")]);
    });
});

describe("policy units: eks-private-nodes", () => {
    const subnet = (name: string, props: Record<string, unknown> = {}) => fake("aws:ec2/subnet:Subnet", name, { id: `subnet-${name}`, ...props });
    const nodeGroup = (props: Record<string, unknown>, deps: Record<string, Fake[]> = {}) => fake("aws:eks/nodeGroup:NodeGroup", "ng", props, deps);
    const table = (name: string, props: Record<string, unknown> = {}, deps: Record<string, Fake[]> = {}) =>
        fake("aws:ec2/routeTable:RouteTable", name, { id: `rtb-${name}`, ...props }, deps);
    const associate = (s: Fake, t: Fake) => fake("aws:ec2/routeTableAssociation:RouteTableAssociation", `${s.name}-${t.name}`, { subnetId: s.props.id, routeTableId: t.props.id });
    const igw = fake("aws:ec2/internetGateway:InternetGateway", "igw", {});
    const publicIp = (s: string) => `ng: Node group ng runs in subnet ${s}, which gives every node a public IP; set mapPublicIpOnLaunch: false or use the private subnets.`;
    const routed = (s: string, t: string) => `ng: Node group ng runs in subnet ${s}, whose route table ${t} routes to an internet gateway; ` +
        "use private subnets that reach the internet through a NAT gateway.";

    it("refuses a node subnet that maps public IPs, referred to by dependency or by id", () => {
        const [pub, priv] = [subnet("pub", { mapPublicIpOnLaunch: true }), subnet("priv", { mapPublicIpOnLaunch: false })];
        expect(checkStack(eksPrivateNodes, pub, priv, nodeGroup({ subnetIds: ["subnet-priv"] }))).to.deep.equal([]);
        expect(checkStack(eksPrivateNodes, pub, priv, nodeGroup({ subnetIds: ["subnet-priv", "subnet-pub"] }))).to.deep.equal([publicIp("pub")]);
        expect(checkStack(eksPrivateNodes, pub, priv, nodeGroup({}, { subnetIds: [pub] }))).to.deep.equal([publicIp("pub")]);
        expect(checkStack(eksPrivateNodes, pub, nodeGroup({ subnetIds: ["subnet-other"] }))).to.deep.equal([]);
    });

    it("refuses a node subnet whose associated route table routes to an internet gateway, by a route resource or inline", () => {
        const s = subnet("s");
        const ng = nodeGroup({}, { subnetIds: [s] });
        const route = (name: string, props: Record<string, unknown>, deps: Record<string, Fake[]> = {}) => fake("aws:ec2/route:Route", name, props, deps);
        const rt = table("rt");
        expect(checkStack(eksPrivateNodes, s, ng, rt, associate(s, rt), igw, route("to-igw", { routeTableId: "rtb-rt" }, { gatewayId: [igw] }))).to.deep.equal([routed("s", "rt")]);
        expect(checkStack(eksPrivateNodes, s, ng, rt, associate(s, rt), route("to-igw", { routeTableId: "rtb-rt", gatewayId: "igw-123" }))).to.deep.equal([routed("s", "rt")]);
        expect(checkStack(eksPrivateNodes, s, ng, rt, associate(s, rt), route("to-nat", { routeTableId: "rtb-rt", gatewayId: "nat-123" }))).to.deep.equal([]);
        expect(checkStack(eksPrivateNodes, s, ng, rt, associate(s, rt), route("other-table", { routeTableId: "rtb-other", gatewayId: "igw-123" }))).to.deep.equal([]);
        const nat = fake("aws:ec2/natGateway:NatGateway", "nat", {});
        expect(checkStack(eksPrivateNodes, s, ng, rt, associate(s, rt), nat, route("to-nat", { routeTableId: "rtb-rt" }, { gatewayId: [nat] }))).to.deep.equal([]);

        const inline = table("inline", { routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-123" }] });
        expect(checkStack(eksPrivateNodes, s, ng, inline, associate(s, inline))).to.deep.equal([routed("s", "inline")]);
        const inlineDep = table("inline-dep", { routes: [{ cidrBlock: "0.0.0.0/0" }] }, { routes: [igw] });
        expect(checkStack(eksPrivateNodes, s, ng, inlineDep, associate(s, inlineDep), igw)).to.deep.equal([routed("s", "inline-dep")]);
        const viaNat = table("via-nat", { routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: "nat-123" }, null] });
        expect(checkStack(eksPrivateNodes, s, ng, viaNat, associate(s, viaNat))).to.deep.equal([]);
    });

    it("judges only the route tables associated with the node subnet", () => {
        const [s, other] = [subnet("s"), subnet("other")];
        const ng = nodeGroup({}, { subnetIds: [s] });
        const [pub, priv] = [table("pub", { routes: [{ gatewayId: "igw-1" }] }), table("priv", { routes: [{ natGatewayId: "nat-1" }] })];
        expect(checkStack(eksPrivateNodes, s, other, ng, pub, priv, associate(other, pub), associate(s, priv))).to.deep.equal([]);
        expect(checkStack(eksPrivateNodes, s, ng, pub, priv, associate(s, priv), associate(s, pub))).to.deep.equal([routed("s", "pub")]);
        expect(checkStack(eksPrivateNodes, s, ng, pub)).to.deep.equal([]);
    });
});

describe("policy units: GKE control plane and node pools", () => {
    it("gke-private-nodes wants private nodes on", () => {
        const nodes = ["GKE nodes have public IPs; set privateClusterConfig.enablePrivateNodes: true (with a masterIpv4CidrBlock)."];
        expect(check(gkePrivateNodes, gke, { privateClusterConfig: { enablePrivateNodes: true } })).to.deep.equal([]);
        expect(check(gkePrivateNodes, gke, { privateClusterConfig: { enablePrivateNodes: false } })).to.deep.equal(nodes);
        expect(check(gkePrivateNodes, gke, {})).to.deep.equal(nodes);
    });

    it("gke-master-authorized-networks wants named ranges that are not the internet, and no Google-wide access", () => {
        const networks = (config: unknown) => check(gkeMasterAuthorizedNetworks, gke, config === undefined ? {} : { masterAuthorizedNetworksConfig: config });
        const open = "GKE API endpoint is open to the internet; set masterAuthorizedNetworksConfig.cidrBlocks to the office/VPN ranges.";
        const google = "GKE API endpoint admits all Google Cloud public IPs; set masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled: false.";
        expect(networks({ cidrBlocks: [{ cidrBlock: "203.0.113.0/24" }], gcpPublicCidrsAccessEnabled: false })).to.deep.equal([]);
        expect(networks(undefined)).to.deep.equal([open]);
        expect(networks({})).to.deep.equal([open]);
        expect(networks({ cidrBlocks: ["203.0.113.0/24"] })).to.deep.equal([open]);
        expect(networks({ cidrBlocks: [{ cidrBlock: "0.0.0.0/1" }, { cidrBlock: "128.0.0.0/1" }, { cidrBlock: "10.0.0.0/8" }] }))
            .to.deep.equal(["GKE master authorized networks include 0.0.0.0/1, 128.0.0.0/1; list only the office/VPN ranges."]);
        expect(networks({ cidrBlocks: [{ cidrBlock: "203.0.113.0/24" }], gcpPublicCidrsAccessEnabled: true })).to.deep.equal([google]);
        expect(networks({ gcpPublicCidrsAccessEnabled: "true" })).to.deep.equal([open]);
    });

    it("gke-workload-identity wants a .svc.id.goog pool on the cluster and the GKE metadata server on every pool", () => {
        const identity = ["GKE Workload Identity is off; set workloadIdentityConfig.workloadPool: \"<project>.svc.id.goog\"."];
        expect(check(gkeWorkloadIdentity, gke, { workloadIdentityConfig: { workloadPool: "p.svc.id.goog" } })).to.deep.equal([]);
        expect(check(gkeWorkloadIdentity, gke, { workloadIdentityConfig: { workloadPool: "p.example" } })).to.deep.equal(identity);
        expect(check(gkeWorkloadIdentity, gke, {})).to.deep.equal(identity);
        const metadata = ["Node pool exposes the node's service account to pods; set nodeConfig.workloadMetadataConfig.mode: GKE_METADATA."];
        expect(check(gkeWorkloadIdentity, nodePool, { nodeConfig: { workloadMetadataConfig: { mode: "GKE_METADATA" } } })).to.deep.equal([]);
        expect(check(gkeWorkloadIdentity, nodePool, { nodeConfig: { workloadMetadataConfig: { mode: "GCE_METADATA" } } })).to.deep.equal(metadata);
        expect(check(gkeWorkloadIdentity, nodePool, { workloadIdentityConfig: { workloadPool: "p.svc.id.goog" } })).to.deep.equal(metadata);
        expect(check(gkeWorkloadIdentity, "gcp:container/registry:Registry", {})).to.deep.equal([]);
    });

    it("gke-network-policy-enforced takes Dataplane V2 or the network-policy add-on", () => {
        const unenforced = ["GKE does not enforce NetworkPolicies; set datapathProvider: ADVANCED_DATAPATH (Dataplane V2)."];
        expect(check(gkeNetworkPolicyEnforced, gke, { datapathProvider: "ADVANCED_DATAPATH" })).to.deep.equal([]);
        expect(check(gkeNetworkPolicyEnforced, gke, { networkPolicy: { enabled: true } })).to.deep.equal([]);
        expect(check(gkeNetworkPolicyEnforced, gke, { datapathProvider: "LEGACY_DATAPATH", networkPolicy: { enabled: false } })).to.deep.equal(unenforced);
        expect(check(gkeNetworkPolicyEnforced, gke, {})).to.deep.equal(unenforced);
    });

    it("gke-secrets-encryption wants the ENCRYPTED state and a key", () => {
        const plain = ["GKE secrets are not encrypted with Cloud KMS; set databaseEncryption: { state: ENCRYPTED, keyName: <crypto key id> }."];
        const key = "projects/p/locations/asia-south1/keyRings/r/cryptoKeys/k";
        expect(check(gkeSecretsEncryption, gke, { databaseEncryption: { state: "ENCRYPTED", keyName: key } })).to.deep.equal([]);
        expect(check(gkeSecretsEncryption, gke, { databaseEncryption: { state: "ENCRYPTED" } })).to.deep.equal(plain);
        expect(check(gkeSecretsEncryption, gke, { databaseEncryption: { state: "DECRYPTED", keyName: key } })).to.deep.equal(plain);
        expect(check(gkeSecretsEncryption, gke, {})).to.deep.equal(plain);
    });

    it("gke-shielded-nodes refuses shielded nodes turned off, and a pool without secure boot", () => {
        expect(check(gkeShieldedNodes, gke, {})).to.deep.equal([]);
        expect(check(gkeShieldedNodes, gke, { enableShieldedNodes: false })).to.deep.equal(["GKE shielded nodes are off; remove enableShieldedNodes: false (or set it to true)."]);
        const boot = ["Node pool boots without secure boot; set nodeConfig.shieldedInstanceConfig.enableSecureBoot: true."];
        expect(check(gkeShieldedNodes, nodePool, { nodeConfig: { shieldedInstanceConfig: { enableSecureBoot: true } } })).to.deep.equal([]);
        expect(check(gkeShieldedNodes, nodePool, { nodeConfig: { shieldedInstanceConfig: { enableSecureBoot: false } } })).to.deep.equal(boot);
        expect(check(gkeShieldedNodes, nodePool, { enableShieldedNodes: true })).to.deep.equal(boot);
    });

    it("gke-control-plane-logging names each component that is off", () => {
        const logging = (enableComponents?: string[]) => check(gkeControlPlaneLogging, gke, enableComponents ? { loggingConfig: { enableComponents } } : {});
        expect(logging(["SYSTEM_COMPONENTS", "APISERVER", "WORKLOADS"])).to.deep.equal([]);
        expect(logging(["SYSTEM_COMPONENTS"])).to.deep.equal(["GKE control-plane logs APISERVER are off; add them to loggingConfig.enableComponents."]);
        expect(logging()).to.deep.equal(["GKE control-plane logs SYSTEM_COMPONENTS, APISERVER are off; add them to loggingConfig.enableComponents."]);
    });
});
