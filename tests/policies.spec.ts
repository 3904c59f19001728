/**
 * The policy pack, evaluated by @pulumi/policy's own analyzer over resources the real SDKs
 * registered under the offline engine. Three evaluations: a compliant production stack with every
 * resource kind the pack judges (must be clean), a broken production stack in which each fixture
 * breaks one thing (every violation asserted exactly, per resource), and a staging stack (the
 * production-only rules must not apply). Each registers once; the tests judge it themselves
 * (tests/policies-stack.ts says why).
 */
import * as aws from "@pulumi/aws";
import * as cloudflare from "@pulumi/cloudflare";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { StackValidationArgs, StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import { expect } from "chai";
import { capacityPolicyNames } from "../policies/preflight";
import * as path from "path";
import { projectRoot } from "../offline/engine";
import { effectiveLevels, readPackConfig } from "../offline/policyRunner";
import * as helpers from "../policies/helpers";
import { dataPortsIn, environmentOf, podTemplateOf, podTemplatesOf, stackEnvironment, stackOfUrn } from "../policies/helpers";
import { imageTag, kubeApiAccessAnnotation } from "../policies/hardening";
import { pack } from "../policies/pack";
import { eksNetworkPolicyEnforced, eksPrivateNodes } from "../policies/cluster";
import { allowlisted, globalAllowlist } from "../policies/residency";
import * as schema from "../stacks/schema";
import { run } from "./harness";
import {
    appNamespace, chart, cloudSql, eksCluster, eksNodeGroup, gcsBucket, gkeCluster, gkeNodePool, hpa, kmsKey, memorystore, pdb,
    providers, rdsInstance, rdsParameterGroup, release, replicationGroup, s3Bucket, subnet, vpcCni, workload, WorkloadKind,
} from "./policies-fixtures";
import { evasions } from "./policies-evasion-cases";
import { alertingChecks, canaryRelease } from "./delivery-fixtures";
import { asLines, stackUnderPolicies, violationsByName } from "./policies-stack";

const policyConfig = (stack: string) => readPackConfig(path.join(projectRoot(), "policies", "config", `${stack}.json`));

const descriptions = new Map(pack.policies.map(p => [p.name, p.description ?? ""]));

/** The analyzer reports "<description>\n<message>"; specs assert the message part. */
function messageOf(policy: string, message: string): string {
    const prefix = `${descriptions.get(policy)}\n`;
    return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** A program registered once under the offline engine, judged by the pack inside each test (tests/policies-stack.ts). */
function underPolicies(program: () => void, stack: string) {
    return stackUnderPolicies(() => run(() => {
        program();
        return {};
    }, stack), () => policyConfig(stack));
}

describe("policy pack: shape", () => {
    const production = effectiveLevels(pack, policyConfig("production"));

    it("has at least 40 policies with unique kebab-case names and 'Checks whether' descriptions", () => {
        const names = pack.policies.map(p => p.name);
        expect(names.length).to.be.at.least(40);
        expect(new Set(names).size).to.equal(names.length);
        for (const p of pack.policies) {
            expect(p.name, p.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)*$/);
            expect(p.description, p.name).to.match(/^Checks whether /);
        }
    });

    it("makes every policy mandatory in production (at least 30), but the capacity maximum (issue 18)", () => {
        // autoscaler-reaches-hpa-maximum is advisory by design; fleet-fits-at-hpa-minimum holds on both clouds since issues 15/16.
        expect(production.filter(p => p.enforcementLevel !== "mandatory").map(p => `${p.name}=${p.enforcementLevel}`))
            .to.deep.equal(["autoscaler-reaches-hpa-maximum=advisory"]);
        expect(pack.policies.length).to.be.at.least(30);
    });

    it("downgrades only the named policies in staging and development", () => {
        const downgraded = (stack: string) => effectiveLevels(pack, policyConfig(stack)).filter(p => p.enforcementLevel !== "mandatory")
            .map(p => `${p.name}=${p.enforcementLevel}`).sort();
        expect(downgraded("staging")).to.deep.equal([
            "autoscaler-reaches-hpa-maximum=advisory", "cloud-sql-final-backup=advisory",
            "gke-control-plane-logging=advisory", "rds-final-snapshot=advisory",
        ]);
        expect(downgraded("development")).to.deep.equal([
            "autoscaler-reaches-hpa-maximum=advisory", "cloud-sql-final-backup=advisory", "deployment-has-pdb=advisory", "rds-final-snapshot=advisory",
            "workload-replicas-production=disabled",
        ]);
        // Config only names real policies: a typo would silently keep the default.
        const names = new Set(pack.policies.map(p => p.name));
        for (const stack of ["production", "staging", "development"]) {
            for (const key of Object.keys(policyConfig(stack))) {
                expect(key === "all" || names.has(key), `${stack}.json: ${key}`).to.equal(true);
            }
        }
    });

    it("names a reason for every global-services exception", () => {
        expect(globalAllowlist.map(e => e.id)).to.deep.equal([
            "cloudfront-certificate", "cloudfront", "route53", "iam", "gcp-private-services-access", "gcp-global-load-balancing", "gcp-dns",
        ]);
        for (const e of globalAllowlist) {
            expect(e.reason.length, e.id).to.be.greaterThan(30);
        }
    });

    it("tells the private services range from the load balancer's address by purpose", () => {
        const address = "gcp:compute/globalAddress:GlobalAddress";
        expect(allowlisted(address, { purpose: "VPC_PEERING", addressType: "INTERNAL", prefixLength: 16 })?.id).to.equal("gcp-private-services-access");
        expect(allowlisted(address, { addressType: "EXTERNAL", ipVersion: "IPV4" })?.id).to.equal("gcp-global-load-balancing");
        // A caller that knows only the type gets the entry it always got.
        expect(allowlisted(address)?.id).to.equal("gcp-global-load-balancing");
        expect(allowlisted("gcp:compute/globalNetworkEndpointGroup:GlobalNetworkEndpointGroup", { purpose: "VPC_PEERING" })).to.equal(undefined);
    });
});

describe("policy pack: helpers", () => {
    it("finds the pod spec of every workload kind", () => {
        const spec = { containers: [{ name: "c" }] };
        const template = { metadata: { labels: { a: "b" } }, spec };
        const cases: Array<[string, Record<string, unknown>, boolean]> = [
            ["kubernetes:core/v1:Pod", { spec }, true],
            ["kubernetes:apps/v1:Deployment", { spec: { template } }, true],
            ["kubernetes:apps/v1:StatefulSet", { spec: { template } }, true],
            ["kubernetes:apps/v1:DaemonSet", { spec: { template } }, true],
            ["kubernetes:apps/v1:ReplicaSet", { spec: { template } }, true],
            ["kubernetes:batch/v1:Job", { spec: { template } }, false],
            ["kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template } } } }, false],
        ];
        for (const [type, props, longRunning] of cases) {
            const pod = podTemplateOf(type, props, "x");
            expect(pod?.spec, type).to.deep.equal(spec);
            expect(pod?.longRunning, type).to.equal(longRunning);
        }
        expect(podTemplateOf("kubernetes:core/v1:Pod", { spec: { restartPolicy: "Never" } }, "x")?.longRunning).to.equal(false);
        const patch = podTemplateOf("kubernetes:apps/v1:DeploymentPatch", { spec: { template } }, "x");
        expect([patch?.kind, patch?.partial, patch?.spec]).to.deep.equal(["DeploymentPatch", true, spec]);
        expect(podTemplateOf("kubernetes:apps/v1:Deployment", { spec: { template } }, "x")?.partial).to.equal(false);
        expect(podTemplateOf("kubernetes:argoproj.io/v1alpha1:Rollout", { spec: { template } }, "x")).to.equal(undefined);
        expect(podTemplatesOf("kubernetes:argoproj.io/v1alpha1:Rollout", { metadata: { name: "r" }, spec: { template } }, "x"))
            .to.deep.equal([{ kind: "Rollout", name: "r", spec, metadata: template.metadata, longRunning: true, partial: false }]);
        expect(podTemplatesOf("kubernetes:networking.k8s.io/v1:Ingress", { spec: { template } }, "x")).to.deep.equal([]);
        expect(podTemplatesOf("kubernetes:cert-manager.io/v1:Issuer", { spec: { acme: { solvers: [{ http01: { ingress: { podTemplate: { spec: {} } } } }] } } }, "x")).to.deep.equal([]);
        expect(podTemplateOf("kubernetes:core/v1:Service", {}, "x")).to.equal(undefined);
    });

    it("parses image references", () => {
        expect(imageTag("ghcr.io/bookkeep/api:v1.0.0")).to.deep.equal({ tag: "v1.0.0" });
        expect(imageTag("localhost:5000/api")).to.deep.equal({});
        expect(imageTag("nginx")).to.deep.equal({});
        expect(imageTag("nginx@sha256:abc")).to.deep.equal({ digest: "sha256:abc" });
    });

    it("finds data ports in port ranges and protocols", () => {
        expect(dataPortsIn("tcp", 443, 443)).to.deep.equal([]);
        expect(dataPortsIn("tcp", 5000, 7000)).to.deep.equal([5432, 5601, 6379]);
        expect(dataPortsIn("-1", 0, 0).length).to.equal(16);
        expect(dataPortsIn("icmp", 0, 0)).to.deep.equal([]);
    });

    it("reads the environment from tags, provider tags and namespaces in an ad-hoc stack, and treats unknown as not production", () => {
        const base = { type: "aws:s3/bucket:Bucket", name: "b", urn: "u" };
        expect(environmentOf({ ...base, props: {}, provider: { type: "pulumi:providers:aws", name: "p", urn: "p", props: { defaultTags: "{\"tags\":{\"Environment\":\"production\"}}" } } })).to.equal("production");
        expect(environmentOf({ ...base, props: { tags: { Environment: "staging" } } })).to.equal("staging");
        expect(environmentOf({ ...base, type: "kubernetes:apps/v1:Deployment", props: { metadata: { namespace: "bookkeep-production" } } })).to.equal("production");
        expect(environmentOf({ ...base, props: {} })).to.equal(undefined);
        // Signals that disagree decide nothing.
        const productionProvider = { type: "pulumi:providers:aws", name: "p", urn: "p", props: { defaultTags: "{\"tags\":{\"Environment\":\"production\"}}" } };
        expect(environmentOf({ ...base, props: { tags: { Environment: "staging" } }, provider: productionProvider })).to.equal(undefined);
        expect(environmentOf({ ...base, props: { tags: { Environment: "Production" } }, provider: productionProvider })).to.equal("production");
    });

    it("takes a resource's environment from the stack its URN names, exactly", () => {
        const subject = (stack: string, props: Record<string, unknown> = {}) =>
            ({ type: "aws:s3/bucket:Bucket", name: "b", urn: `urn:pulumi:${stack}::bookkeep::aws:s3/bucket:Bucket::b`, props });
        expect(stackOfUrn("urn:pulumi:production::bookkeep::pulumi:pulumi:Stack::bookkeep-production")).to.equal("production");
        expect(stackOfUrn("u")).to.equal(undefined);
        expect(environmentOf(subject("production"))).to.equal("production");
        // The stack decides over a tag that says otherwise.
        expect(environmentOf(subject("production", { tags: { Environment: "staging" } }))).to.equal("production");
        expect(environmentOf(subject("staging", { tags: { Environment: "production" } }))).to.equal("staging");
        for (const stack of ["pre-production", "non-production", "bookkeep-production", "production2"]) {
            expect(environmentOf(subject(stack)), stack).to.equal(undefined);
        }
    });

    it("takes the stack's environment from the root stack's URN, exactly, else from resources that agree", () => {
        const resource = (stack: string, type: string, name: string, props: Record<string, unknown> = {}) =>
            ({ type, name, urn: `urn:pulumi:${stack}::bookkeep::${type}::${name}`, props, opts: {}, dependencies: [], propertyDependencies: {} });
        const args = (...resources: ReturnType<typeof resource>[]) =>
            ({ resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined }) as unknown as StackValidationArgs;
        const root = (stack: string) => resource(stack, "pulumi:pulumi:Stack", `bookkeep-${stack}`);
        const bucket = (stack: string, env?: string) => resource(stack, "aws:s3/bucket:Bucket", "b", env ? { tags: { Environment: env } } : {});
        expect(stackEnvironment(args(bucket("production", "staging"), root("production")))).to.equal("production");
        expect(stackEnvironment(args(root("staging")))).to.equal("staging");
        // The root stack of `pre-production` is named bookkeep-pre-production: not production.
        expect(stackEnvironment(args(root("pre-production"), bucket("pre-production")))).to.equal(undefined);
        expect(stackEnvironment(args(root("non-production"), bucket("non-production", "staging")))).to.equal("staging");
        expect(stackEnvironment(args(root("alice"), bucket("alice", "staging"), bucket("alice", "production")))).to.equal(undefined);
        // Without a root resource, any URN names the stack.
        expect(stackEnvironment(args(bucket("production")))).to.equal("production");
    });

    it("keeps its own copy of the stack schema's Indian regions and environments, equal to it", () => {
        expect(helpers.awsIndiaRegions).to.deep.equal([...schema.awsIndiaRegions]);
        expect(helpers.gcpIndiaRegions).to.deep.equal([...schema.gcpIndiaRegions]);
        expect([...helpers.environments]).to.deep.equal([...schema.environments]);
    });

    it("marks an input unknown during preview as unknown: the checks propagate it, only environment signals default it", () => {
        // What the analyzer's proxy throws (its sentinels are internal to @pulumi/policy).
        const unknown: Error = Object.create(UnknownValueError.prototype);
        const throwsUnknown = () => {
            throw unknown;
        };
        expect(() => helpers.safe(throwsUnknown)).to.throw(UnknownValueError);
        expect(helpers.safe(() => JSON.parse("{"))).to.equal(undefined);
        expect(helpers.whenKnown(throwsUnknown)).to.equal(undefined);
        const partly = Object.defineProperty({ region: "eu-west-1" }, "kmsKeyId", { enumerable: true, get: throwsUnknown });
        expect(helpers.knownEntries(partly)).to.deep.equal([["region", "eu-west-1"]]);
        const broken = Object.defineProperty({}, "bad", { enumerable: true, get: () => { throw new TypeError("not unknown"); } });
        expect(() => helpers.knownEntries(broken)).to.throw(TypeError);
    });
});

describe("policy pack: EKS stack checks over literal names and ids", () => {
    // A stack that names its cluster and subnets by value (no property dependencies), as the engine shows a stack's outputs.
    type Fake = { type: string; name: string; urn: string; props: Record<string, unknown>; propertyDependencies: Record<string, Fake[]> };
    const resource = (type: string, name: string, props: Record<string, unknown>): Fake =>
        ({ type, name, urn: `urn:pulumi:production::bookkeep::${type}::${name}`, props, propertyDependencies: {} });
    const validate = (policy: StackValidationPolicy, ...resources: Fake[]) => {
        const reported: string[] = [];
        const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as unknown as StackValidationArgs;
        void policy.validateStack(args, (message, urn) => reported.push(`${urn?.split("::").pop()}: ${message}`));
        return reported;
    };
    const unknown: Error = Object.create(UnknownValueError.prototype);
    const unknownAt = (props: Record<string, unknown>, key: string) => Object.defineProperty(props, key, { enumerable: true, get: () => { throw unknown; } });

    const cluster = resource("aws:eks/cluster:Cluster", "eks", { name: "bookkeep-production" });
    const cni = (clusterName: string, configurationValues: unknown) =>
        resource("aws:eks/addon:Addon", `cni-${clusterName}`, { clusterName, addonName: "vpc-cni", configurationValues });

    it("finds a cluster's vpc-cni add-on by its cluster name, with the agent on as a string or a boolean", () => {
        expect(validate(eksNetworkPolicyEnforced, cluster, cni("bookkeep-production", "{\"enableNetworkPolicy\":true}"))).to.deep.equal([]);
        expect(validate(eksNetworkPolicyEnforced, cluster, cni("bookkeep-production", "{ \"enableNetworkPolicy\": \"true\" }"))).to.deep.equal([]);
        expect(validate(eksNetworkPolicyEnforced, cluster, cni("other", "{\"enableNetworkPolicy\":\"true\"}"))).to.deep.equal([
            "eks: EKS cluster eks has no vpc-cni add-on, so NetworkPolicies are not enforced; add an aws.eks.Addon with addonName \"vpc-cni\", " +
            "clusterName set to the cluster's name and configurationValues: JSON.stringify({ enableNetworkPolicy: \"true\" }).",
        ]);
        expect(validate(eksNetworkPolicyEnforced, cluster, cni("bookkeep-production", "enableNetworkPolicy: true"))).to.deep.equal([
            "cni-bookkeep-production: vpc-cni add-on cni-bookkeep-production does not enforce NetworkPolicies (they are accepted and ignored); " +
            "set configurationValues: JSON.stringify({ enableNetworkPolicy: \"true\" }).",
        ]);
    });

    it("finds a node group's subnets and their route tables by id, and judges inline routes to an internet gateway", () => {
        const subnets = [
            resource("aws:ec2/subnet:Subnet", "private", { id: "subnet-1", mapPublicIpOnLaunch: false }),
            resource("aws:ec2/subnet:Subnet", "public", { id: "subnet-2", mapPublicIpOnLaunch: true }),
        ];
        const tables = [
            resource("aws:ec2/routeTable:RouteTable", "nat-rt", { id: "rtb-1", routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: "nat-1" }] }),
            resource("aws:ec2/routeTable:RouteTable", "igw-rt", { id: "rtb-2", routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-1" }] }),
        ];
        const association = (subnetId: string, routeTableId: string) =>
            resource("aws:ec2/routeTableAssociation:RouteTableAssociation", `${subnetId}-${routeTableId}`, { subnetId, routeTableId });
        const nodes = (...subnetIds: string[]) => resource("aws:eks/nodeGroup:NodeGroup", "nodes", { subnetIds });
        const stack = [...subnets, ...tables, association("subnet-1", "rtb-1"), association("subnet-2", "rtb-2")];
        expect(validate(eksPrivateNodes, ...stack, nodes("subnet-1"))).to.deep.equal([]);
        expect(validate(eksPrivateNodes, ...stack, nodes("subnet-1", "subnet-2"))).to.deep.equal([
            "nodes: Node group nodes runs in subnet public, which gives every node a public IP; set mapPublicIpOnLaunch: false or use the private subnets.",
            "nodes: Node group nodes runs in subnet public, whose route table igw-rt routes to an internet gateway; use private subnets that reach the internet through a NAT gateway.",
        ]);
        // Subnets from outside the stack cannot be judged here.
        expect(validate(eksPrivateNodes, ...stack, nodes("subnet-external"))).to.deep.equal([]);
    });

    it("lets an unknown judged input propagate (the analyzer's advisory), never reading it as unset", () => {
        expect(() => validate(eksNetworkPolicyEnforced, cluster, resource("aws:eks/addon:Addon", "cni",
            unknownAt({ clusterName: "bookkeep-production", addonName: "vpc-cni" }, "configurationValues")))).to.throw(UnknownValueError);
        const subnetProps = unknownAt({ id: "subnet-1" }, "mapPublicIpOnLaunch");
        expect(() => validate(eksPrivateNodes, resource("aws:ec2/subnet:Subnet", "s", subnetProps),
            resource("aws:eks/nodeGroup:NodeGroup", "nodes", { subnetIds: ["subnet-1"] }))).to.throw(UnknownValueError);
        // An unknown cluster name only means the add-on cannot be matched by value.
        const unmatched = resource("aws:eks/addon:Addon", "cni", unknownAt({ addonName: "vpc-cni", configurationValues: "{\"enableNetworkPolicy\":\"true\"}" }, "clusterName"));
        expect(validate(eksNetworkPolicyEnforced, cluster, unmatched).length).to.equal(1);
        expect(validate(eksNetworkPolicyEnforced, cluster, { ...unmatched, propertyDependencies: { clusterName: [cluster] } })).to.deep.equal([]);
    });
});

describe("policy pack: compliant production stack", () => {
    const stack = underPolicies(() => {
        const p = providers("production");
        // AWS: data layer, copies to Hyderabad, cluster, network, and the allowlisted globals.
        const cert = new aws.Provider("aws-us-east-1-cloudfront-cert", { region: "us-east-1", defaultTags: { tags: { Environment: "production" } } });
        new aws.acm.Certificate("cdn-certificate", { domainName: "cdn.bookkeep.app", validationMethod: "DNS" }, { provider: cert });
        new aws.route53.Zone("zone", { name: "bookkeep.app" }, { provider: cert });
        const key = kmsKey("data-key", p.mumbai);
        const group = rdsParameterGroup("bookkeep-pg16", p.mumbai);
        const db = rdsInstance("db", p.mumbai, group, { kmsKeyId: key.arn });
        new aws.rds.InstanceAutomatedBackupsReplication("db-dr", { sourceDbInstanceArn: db.arn, retentionPeriod: 14 }, { provider: p.hyderabad });
        replicationGroup("cache", p.mumbai);
        const documents = s3Bucket("documents", p.mumbai, key);
        const dr = s3Bucket("documents-dr", p.hyderabad, kmsKey("dr-key", p.hyderabad));
        new aws.s3.BucketReplicationConfig("documents-replication", {
            bucket: documents.id, role: "arn:aws:iam::123456789012:role/replication",
            rules: [{ id: "dr", status: "Enabled", destination: { bucket: dr.arn } }],
        }, { provider: p.mumbai });
        new aws.secretsmanager.Secret("app-secret", { replicas: [{ region: "ap-south-2" }] }, { provider: p.mumbai });
        const cluster = eksCluster("eks", p.mumbai, key);
        new aws.iam.OpenIdConnectProvider("eks-oidc", {
            url: cluster.endpoint.apply(() => "https://oidc.eks.ap-south-1.amazonaws.com/id/EXAMPLE"), clientIdLists: ["sts.amazonaws.com"],
        }, { provider: p.mumbai });
        const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.10.0.0/16" }, { provider: p.mumbai });
        vpcCni("eks-vpc-cni", p.mumbai, cluster);
        // Nodes in a private subnet (out through NAT) beside a public one that holds no nodes.
        const igw = new aws.ec2.InternetGateway("igw", { vpcId: vpc.id }, { provider: p.mumbai });
        subnet("public-a", p.mumbai, vpc, [{ destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }], { cidrBlock: "10.10.16.0/20" });
        const privateA = subnet("private-a", p.mumbai, vpc, [{ destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-0123456789abcdef0" }]);
        eksNodeGroup("eks-nodes", p.mumbai, cluster, [privateA]);
        new aws.ec2.FlowLog("vpc-flow", { vpcId: vpc.id, trafficType: "ALL", logDestination: "arn:aws:logs:ap-south-1:123456789012:log-group:flow" }, { provider: p.mumbai });
        const sg = new aws.ec2.SecurityGroup("lb-sg", {
            vpcId: vpc.id,
            ingress: [
                { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
                { protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.10.0.0/16"] },
            ],
        }, { provider: p.mumbai });
        new aws.vpc.SecurityGroupIngressRule("redis-from-vpc", { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv4: "10.10.0.0/16" }, { provider: p.mumbai });
        new aws.ec2.SecurityGroupRule("https-rule", { type: "ingress", securityGroupId: sg.id, protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }, { provider: p.mumbai });

        // GCP: the same layer on the alternate cloud.
        const ring = new gcp.kms.KeyRing("ring", { location: "asia-south1" }, { provider: p.gcp, protect: true });
        const cryptoKey = new gcp.kms.CryptoKey("crypto-key", { keyRing: ring.id, rotationPeriod: "7776000s" }, { provider: p.gcp, protect: true });
        const network = new gcp.compute.Network("network", { autoCreateSubnetworks: false }, { provider: p.gcp });
        new gcp.compute.Subnetwork("subnet", {
            network: network.id, region: "asia-south1", ipCidrRange: "10.10.0.0/20",
            logConfig: { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 0.5, metadata: "INCLUDE_ALL_METADATA" },
        }, { provider: p.gcp });
        new gcp.compute.Firewall("iap-ssh", { network: network.id, sourceRanges: ["35.235.240.0/20"], allows: [{ protocol: "tcp", ports: ["22"] }] }, { provider: p.gcp });
        new gcp.compute.Firewall("public-https", { network: network.id, sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["443"] }] }, { provider: p.gcp });
        cloudSql("sql", p.gcp, network);
        memorystore("redis", p.gcp);
        const assets = gcsBucket("assets", p.gcp, cryptoKey);
        new gcp.secretmanager.Secret("jwt", { secretId: "jwt", replication: { userManaged: { replicas: [{ location: "asia-south1" }, { location: "asia-south2" }] } } }, { provider: p.gcp });
        const gke = gkeCluster("gke", p.gcp, cryptoKey);
        gkeNodePool("gke-pool", p.gcp, gke);
        new gcp.compute.GlobalAddress("lb-address", { addressType: "EXTERNAL", ipVersion: "IPV4" }, { provider: p.gcp });
        new gcp.compute.GlobalAddress("psa-range", {
            network: network.id, purpose: "VPC_PEERING", addressType: "INTERNAL", address: "10.20.0.0", prefixLength: 16,
        }, { provider: p.gcp });
        new gcp.compute.BackendBucket("cdn-backend", { bucketName: assets.name, enableCdn: true }, { provider: p.gcp });
        new gcp.dns.ManagedZone("dns", { dnsName: "bookkeep.app." }, { provider: p.gcp });

        // Kubernetes: every workload kind, hardened.
        const ns = appNamespace("production", p.k8s);
        workload("Deployment", "api", p.k8s, { namespace: ns, labels: { "app.kubernetes.io/name": "api" } });
        hpa("api", ns, "api", 2, p.k8s);
        // A canary beside its stable track: one replica, no PDB of its own.
        workload("Deployment", "api-canary", p.k8s, { namespace: ns, replicas: 1, labels: { "app.kubernetes.io/name": "api", track: "canary" } });
        pdb("api", ns, { app: "api" }, p.k8s);
        workload("Deployment", "watcher", p.k8s, {
            namespace: ns, replicas: 2, annotations: { [kubeApiAccessAnnotation]: "lists Jobs to report migration status" },
            pod: { automountServiceAccountToken: undefined },
        });
        pdb("watcher", ns, { app: "watcher" }, p.k8s);
        workload("StatefulSet", "queue", p.k8s, { namespace: ns, replicas: 3 });
        workload("DaemonSet", "node-agent", p.k8s, { namespace: ns, container: { ports: [{ containerPort: 80 }], securityContext: { capabilities: { add: ["NET_BIND_SERVICE"] } } } });
        workload("ReplicaSet", "legacy", p.k8s, { namespace: ns });
        workload("Job", "migrate", p.k8s, { namespace: ns });
        workload("CronJob", "db-backup", p.k8s, { namespace: ns });
        workload("Pod", "debug", p.k8s, { namespace: ns, container: { image: "ghcr.io/bookkeep/api@sha256:0123" } });
        new k8s.core.v1.Service("api-svc", { metadata: { name: "api", namespace: ns }, spec: { selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080 }] } }, { provider: p.k8s });
        new k8s.networking.v1.Ingress("api-ingress", {
            metadata: { name: "api", namespace: ns },
            spec: {
                ingressClassName: "nginx",
                tls: [{ hosts: ["api.bookkeep.app"], secretName: "bookkeep-tls" }],
                rules: [{ host: "api.bookkeep.app", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } }],
            },
        }, { provider: p.k8s });
        chart("ingress-nginx", p.k8s);
        chart("nats", p.k8s, { chart: "oci://registry.example.com/charts/nats", version: "1.2.6", repositoryOpts: undefined });
        release("nats-release", p.k8s, { chart: "./charts/nats-2.12.3.tgz" });
        release("ingress-release", p.k8s);
    }, "production");

    it("registers every resource kind the pack judges", async () => {
        const types = new Set((await stack.registered()).resources.map(r => r.type));
        for (const t of [
            "pulumi:providers:aws", "pulumi:providers:gcp", "aws:rds/instance:Instance", "aws:elasticache/replicationGroup:ReplicationGroup",
            "aws:s3/bucket:Bucket", "aws:eks/cluster:Cluster", "aws:eks/addon:Addon", "aws:eks/nodeGroup:NodeGroup", "aws:ec2/subnet:Subnet",
            "aws:ec2/routeTable:RouteTable", "aws:ec2/route:Route", "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "gcp:compute/globalAddress:GlobalAddress", "gcp:sql/databaseInstance:DatabaseInstance", "gcp:redis/instance:Instance",
            "gcp:storage/bucket:Bucket", "gcp:container/cluster:Cluster", "kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet",
            "kubernetes:apps/v1:DaemonSet", "kubernetes:apps/v1:ReplicaSet", "kubernetes:batch/v1:Job", "kubernetes:batch/v1:CronJob",
            "kubernetes:core/v1:Pod", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release", "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        ]) {
            expect(types.has(t), t).to.equal(true);
        }
    });

    it("has no violations at all", async () => {
        const { report } = await stack.evaluate();
        expect(report.violations.map(v => `${v.policy} ${v.urn.split("::").pop()}: ${messageOf(v.policy, v.message)}`)).to.deep.equal([]);
    });

    it("lists every policy as evaluated, mandatory", async () => {
        const { report } = await stack.evaluate();
        expect(report.evaluated.map(e => e.name)).to.deep.equal(pack.policies.map(p => p.name));
        // Production keeps the capacity policies advisory until issues 15/16 size the nodes (policies/config/production.json).
        expect(report.evaluated.filter(e => !capacityPolicyNames.includes(e.name)).every(e => e.enforcementLevel === "mandatory")).to.equal(true);
    });
});

/** Broken fixtures: resource name -> exactly the violations it must raise. */
const expected: Record<string, Array<[string, string]>> = {
    // Residency
    "aws-frankfurt": [["aws-provider-region-india", "AWS provider region is \"eu-central-1\"; set region to ap-south-1 or ap-south-2: BookKeep data must stay in India."]],
    "frankfurt-logs": [["global-services-allowlisted", "aws:cloudwatch/logGroup:LogGroup is created in eu-central-1, outside India, and is not on the global-services allowlist; give it a provider in ap-south-1 or ap-south-2."]],
    "aws-us-east-1-cloudfront-cert": [["aws-provider-region-india", "The CloudFront certificate provider must use region us-east-1 (it has \"eu-west-1\"); set region: \"us-east-1\" or rename the provider."]],
    "aws-untagged": [["providers-tagged-with-environment", "Provider aws-untagged is tagged null in the production stack; set defaultTags: { tags: { Environment: \"production\" } } so environment guardrails and cost reports see it."]],
    "gcp-iowa": [["gcp-provider-region-india", "GCP provider region is \"us-central1\"; set region to asia-south1 or asia-south2: BookKeep data must stay in India."]],
    "internet-neg": [["global-services-allowlisted", "gcp:compute/globalNetworkEndpointGroup:GlobalNetworkEndpointGroup is a global resource that is not on the global-services allowlist; use a regional equivalent in asia-south1 or asia-south2."]],
    "global-ring": [["gcp-location-india", "location is \"global\", outside India; use asia-south1 or asia-south2 (or one of their zones)."]],
    "multi-region": [["gcs-bucket-single-region-india", "Bucket location is \"ASIA\"; set location to ASIA-SOUTH1 or ASIA-SOUTH2, or to ASIA with customPlacementConfig.dataLocations [ASIA-SOUTH1, ASIA-SOUTH2]: other multi- and dual-region buckets copy data outside India."]],
    "auto-secret": [["secret-manager-replicas-india", "Secret uses automatic replication, which copies it to any Google region; set replication.userManaged.replicas with locations asia-south1 or asia-south2."]],
    "abroad-secret": [["aws-resource-region-india", "replicas[0].region is \"eu-west-1\", outside India; replicas and copies may only go to ap-south-1 or ap-south-2."]],
    "abroad-replication": [["replication-targets-in-india", "S3 replication abroad-replication copies to bucket abroad-dr in eu-central-1, outside India; replicate only to a bucket in ap-south-1 or ap-south-2."]],
    "abroad-dr": [["global-services-allowlisted", "aws:s3/bucket:Bucket is created in eu-central-1, outside India, and is not on the global-services allowlist; give it a provider in ap-south-1 or ap-south-2."]],
    "abroad-dr-sse": [["global-services-allowlisted", "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration is created in eu-central-1, outside India, and is not on the global-services allowlist; give it a provider in ap-south-1 or ap-south-2."]],
    "abroad-dr-pab": [["global-services-allowlisted", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock is created in eu-central-1, outside India, and is not on the global-services allowlist; give it a provider in ap-south-1 or ap-south-2."]],
    "abroad-dr-tls": [["global-services-allowlisted", "aws:s3/bucketPolicy:BucketPolicy is created in eu-central-1, outside India, and is not on the global-services allowlist; give it a provider in ap-south-1 or ap-south-2."]],
    // Pod hardening: each workload kind breaks one thing.
    "cj-root": [["pod-run-as-non-root", "CronJob cj-root: container \"api\" may run as root; set securityContext.runAsNonRoot: true on the pod or the container."]],
    "job-uid0": [["pod-run-as-non-zero-uid", "Job job-uid0: container \"api\" sets securityContext.runAsUser 0 (root); use a non-zero id such as 1000."]],
    "ds-escalate": [["container-no-privilege-escalation", "DaemonSet ds-escalate: container \"api\" must set securityContext.allowPrivilegeEscalation: false."]],
    "rs-caps": [["container-drop-all-capabilities", "ReplicaSet rs-caps: container \"api\" adds capabilities NET_ADMIN; only NET_BIND_SERVICE may be added."]],
    "pod-unconfined": [["pod-seccomp-profile", "Pod pod-unconfined: container \"api\" has seccomp profile \"Unconfined\"; set securityContext.seccompProfile.type: RuntimeDefault on the pod."]],
    "sts-hostpath": [
        ["pod-restricted-volume-types", "StatefulSet sts-hostpath: volume \"tmp\" is of type hostPath; use one of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret."],
        ["pod-no-host-path", "StatefulSet sts-hostpath: volume \"tmp\" mounts hostPath \"/var/lib/data\"; use an emptyDir, a PersistentVolumeClaim or a projected volume instead."],
    ],
    "deploy-privileged": [["container-not-privileged", "Deployment deploy-privileged: container \"api\" is privileged; remove securityContext.privileged (it grants full host access)."]],
    "deploy-hostnet": [["pod-no-host-namespaces", "Deployment deploy-hostnet: hostNetwork is true; remove it so the pod does not share the node's namespaces."]],
    "pod-hostport": [["container-no-host-ports", "Pod pod-hostport: container \"api\" binds hostPort 8080; remove hostPort and expose the port through a Service."]],
    "pod-sysctl": [["pod-baseline-kernel-options", "Pod pod-sysctl: sysctl kernel.msgmax is not in the safe set; remove it from securityContext.sysctls."]],
    "job-rw": [["container-read-only-root-filesystem", "Job job-rw: container \"api\" must set securityContext.readOnlyRootFilesystem: true (mount an emptyDir where it must write)."]],
    "deploy-nolimits": [["container-resources-set", "Deployment deploy-nolimits: container \"api\" is missing resources limits.cpu, limits.memory; set CPU and memory requests and limits."]],
    "sts-noprobe": [["container-probes", "StatefulSet sts-noprobe: container \"api\" has no readinessProbe; add probes so Kubernetes restarts it and routes traffic only when it is ready."]],
    "deploy-latest": [
        ["container-image-pinned", "Deployment deploy-latest: container \"api\" image ghcr.io/bookkeep/api:latest is tagged latest; pin a version tag such as :v1.0.0 or a digest."],
        ["container-image-trusted", "Deployment deploy-latest: container \"api\" image ghcr.io/bookkeep/api:latest uses the floating tag \"latest\"; pin a release tag or a digest."],
    ],
    "deploy-edge": [["container-image-trusted", "Deployment deploy-edge: container \"api\" image ghcr.io/bookkeep/api:Edge uses the floating tag \"Edge\"; pin a release tag or a digest."]],
    "deploy-registry": [["container-image-trusted", "Deployment deploy-registry: container \"api\" image registry.example.com/bookkeep/api:v1.0.0 comes from registry.example.com, which is not an allowlisted registry; mirror it to ECR/Artifact Registry in India or add the registry to trustedRegistries (policies/charts.ts) after review."]],
    "pod-untagged": [["container-image-pinned", "Pod pod-untagged: container \"api\" image nginx is untagged; pin a version tag such as :v1.0.0 or a digest."]],
    "rs-token": [["pod-no-automounted-token", "ReplicaSet rs-token: the pod mounts a Kubernetes API token it does not need; set automountServiceAccountToken: false (or annotate the pod template bookkeep.app/kube-api-access: \"<why it calls the API>\")."]],
    "deploy-single": [["workload-replicas-production", "Deployment deploy-single runs 1 replica(s) in production; set spec.replicas to at least 2 or scale it with an HPA whose minReplicas is at least 2."]],
    "canary-orphan": [["workload-replicas-production", "Deployment canary-orphan runs 1 replica(s) in production; set spec.replicas to at least 2 or scale it with an HPA whose minReplicas is at least 2."]],
    "hpa-min1": [["workload-replicas-production", "HPA hpa-min1 lets Deployment deploy-hpa1 scale down to 1 replica(s) in production; set spec.minReplicas to at least 2."]],
    // Data protection
    "db-plain": [["rds-storage-encrypted", "RDS instance storage is not encrypted; set storageEncrypted: true (with kmsKeyId for a customer-managed key)."]],
    "db-nobackup": [["rds-backups-pitr", "RDS backupRetentionPeriod is 3 day(s); set it to at least 7 so automated backups and point-in-time recovery are kept."]],
    "db-single-az": [["rds-multi-az-production", "Production RDS instance is single-AZ; set multiAz: true."]],
    "db-deletable": [["rds-deletion-protection-production", "Production RDS instance can be deleted; set deletionProtection: true."]],
    "db-public": [["rds-not-public", "RDS instance is publicly accessible; set publiclyAccessible: false and reach it from private subnets."]],
    "db-nosnap": [["rds-final-snapshot", "RDS instance would be deleted without a final snapshot; set skipFinalSnapshot: false and a finalSnapshotIdentifier."]],
    "db-notls": [["rds-tls-required", "RDS instance db-notls accepts unencrypted connections; give it a parameter group (parameterGroupName) that sets rds.force_ssl = 1."]],
    "sql-sslmode": [["cloud-sql-tls-required", "Cloud SQL sslMode is \"ALLOW_UNENCRYPTED_AND_ENCRYPTED\"; set settings.ipConfiguration.sslMode: ENCRYPTED_ONLY."]],
    "sql-public": [["cloud-sql-private-ip-only", "Cloud SQL instance has a public IPv4 address (ipv4Enabled defaults to true); set settings.ipConfiguration.ipv4Enabled: false."]],
    "sql-nopitr": [["cloud-sql-backups-pitr", "Cloud SQL backups or point-in-time recovery are off; set settings.backupConfiguration.enabled and pointInTimeRecoveryEnabled to true."]],
    "sql-zonal": [["cloud-sql-regional-ha-production", "Production Cloud SQL instance is zonal; set settings.availabilityType: REGIONAL."]],
    "sql-deletable": [["cloud-sql-deletion-protection-production", "Production Cloud SQL instance can be deleted; set deletionProtection: true and settings.deletionProtectionEnabled: true."]],
    "sql-nofinal": [["cloud-sql-final-backup", "Cloud SQL instance would be deleted without a final backup; set settings.finalBackupConfig: { enabled: true, retentionDays }."]],
    "cache-plain": [["elasticache-encrypted", "ElastiCache accepts plaintext connections; set transitEncryptionEnabled: true (clients use rediss://)."]],
    "cache-single": [["elasticache-ha-production", "Production ElastiCache has no Multi-AZ failover; set numCacheClusters >= 2, automaticFailoverEnabled: true and multiAzEnabled: true."]],
    "cache-nosnap": [["cache-snapshots", "ElastiCache keeps no snapshots; set snapshotRetentionLimit to at least 1 day."]],
    "redis-plain": [["memorystore-tls-and-auth", "Memorystore accepts plaintext connections; set transitEncryptionMode: SERVER_AUTHENTICATION."]],
    "redis-basic": [["memorystore-ha-production", "Production Memorystore has no replica; set tier: STANDARD_HA."]],
    "redis-nopersist": [["cache-snapshots", "Memorystore keeps no RDB snapshots; set persistenceConfig: { persistenceMode: RDB, rdbSnapshotPeriod: ONE_HOUR }."]],
    "redis-daily": [["memorystore-hourly-snapshots-production", "Memorystore snapshots every TWENTY_FOUR_HOURS, which cannot meet the 1 h RPO; set persistenceConfig.rdbSnapshotPeriod to ONE_HOUR."]],
    "naked": [
        ["s3-bucket-encrypted", "S3 bucket naked has no KMS encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm aws:kms."],
        ["s3-public-access-blocked", "S3 bucket naked may become public; add a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true."],
        ["s3-bucket-tls-only", "S3 bucket naked accepts plain HTTP; add a BucketPolicy that denies s3:* when aws:SecureTransport is \"false\"."],
    ],
    "google-key": [["gcs-bucket-cmek", "Bucket uses Google-managed keys; set encryption.defaultKmsKeyName to a Cloud KMS key in the bucket's region."]],
    "public-gcs": [["gcs-public-access-prevented", "Bucket may become public; set publicAccessPrevention: enforced."]],
    "key-unprotected": [["stateful-resources-protected-production", "Key key-unprotected is stateful and unprotected in production; pass { protect: true } (protectStateful(environment))."]],
    "key-norotate": [["kms-key-rotation", "KMS key does not rotate; set enableKeyRotation: true."]],
    // Cluster
    "eks-bad": [
        ["eks-secrets-encryption", "EKS secrets are not envelope-encrypted; set encryptionConfig: { resources: [\"secrets\"], provider: { keyArn: <KMS key ARN> } }."],
        ["eks-control-plane-logging", "EKS control-plane logs audit, authenticator are off; add them to enabledClusterLogTypes."],
        ["eks-endpoint-restricted", "EKS API endpoint is open to the internet (publicAccessCidrs defaults to 0.0.0.0/0); set vpcConfig.publicAccessCidrs to the office/VPN ranges or endpointPublicAccess: false."],
        ["eks-oidc-provider", "EKS cluster eks-bad has no IAM OIDC provider; create an aws.iam.OpenIdConnectProvider for its issuer URL with client ID sts.amazonaws.com (IRSA)."],
        ["eks-network-policy-enforced", "EKS cluster eks-bad has no vpc-cni add-on, so NetworkPolicies are not enforced; add an aws.eks.Addon with addonName \"vpc-cni\", clusterName set to the cluster's name and configurationValues: JSON.stringify({ enableNetworkPolicy: \"true\" })."],
    ],
    "cni-nopolicy": [["eks-network-policy-enforced", "vpc-cni add-on cni-nopolicy does not enforce NetworkPolicies (they are accepted and ignored); set configurationValues: JSON.stringify({ enableNetworkPolicy: \"true\" })."]],
    "nodes-public": [
        ["eks-private-nodes", "Node group nodes-public runs in subnet subnet-public-ip, which gives every node a public IP; set mapPublicIpOnLaunch: false or use the private subnets."],
        ["eks-private-nodes", "Node group nodes-public runs in subnet subnet-igw, whose route table subnet-igw-rt routes to an internet gateway; use private subnets that reach the internet through a NAT gateway."],
    ],
    "gke-bad": [
        ["gcp-location-india", "location is \"us-central1\", outside India; use asia-south1 or asia-south2 (or one of their zones)."],
        ["gke-private-nodes", "GKE nodes have public IPs; set privateClusterConfig.enablePrivateNodes: true (with a masterIpv4CidrBlock)."],
        ["gke-master-authorized-networks", "GKE master authorized networks include 0.0.0.0/0; list only the office/VPN ranges."],
        ["gke-workload-identity", "GKE Workload Identity is off; set workloadIdentityConfig.workloadPool: \"<project>.svc.id.goog\"."],
        ["gke-network-policy-enforced", "GKE does not enforce NetworkPolicies; set datapathProvider: ADVANCED_DATAPATH (Dataplane V2)."],
        ["gke-secrets-encryption", "GKE secrets are not encrypted with Cloud KMS; set databaseEncryption: { state: ENCRYPTED, keyName: <crypto key id> }."],
        ["gke-shielded-nodes", "GKE shielded nodes are off; remove enableShieldedNodes: false (or set it to true)."],
        ["gke-control-plane-logging", "GKE control-plane logs APISERVER are off; add them to loggingConfig.enableComponents."],
    ],
    "pool-bad": [
        ["gke-workload-identity", "Node pool exposes the node's service account to pods; set nodeConfig.workloadMetadataConfig.mode: GKE_METADATA."],
        ["gke-shielded-nodes", "Node pool boots without secure boot; set nodeConfig.shieldedInstanceConfig.enableSecureBoot: true."],
    ],
    // Network
    "sg-open": [["security-group-no-public-data-ports", "Ingress from 0.0.0.0/0 reaches port(s) 5432; allow only the VPC, a security group or the office/VPN ranges."]],
    "sgr-open": [["security-group-no-public-data-ports", "Ingress from ::/0 reaches port(s) 22, 1433, 2379, 2380, 3306, 3389, 4222, 5432, 5601, 6379, 9092, 9200, 9300, 10250, 11211, 27017; allow only the VPC, a security group or the office/VPN ranges."]],
    "fw-open": [["firewall-no-public-data-ports", "Firewall admits 0.0.0.0/0 on port(s) 22; restrict sourceRanges to the VPC, IAP (35.235.240.0/20) or the office/VPN ranges."]],
    "vpc-nologs": [["vpc-flow-logs", "VPC vpc-nologs has no flow log; add an aws.ec2.FlowLog with vpcId set to it (trafficType ALL)."]],
    "subnet-nologs": [["vpc-flow-logs", "Subnetwork subnet-nologs does not log its flows; set logConfig (aggregationInterval, flowSampling, metadata)."]],
    "ing-plain": [["ingress-tls-required", "Ingress serves api.bookkeep.app over plain HTTP; list every host under spec.tls with a certificate secret."]],
    "gw-plain": [["gateway-listeners-tls", "Gateway listener web serves plain HTTP to routes from other namespaces; admit routes only from the Gateway's own namespace (allowedRoutes.namespaces.from: Same) and attach nothing but a redirect to HTTPS."]],
    "route-plain": [["gateway-http-redirect-only", "HTTPRoute bookkeep-production/route-plain attaches to plain-HTTP listener bookkeep-system/gw-plain/web and serves more than a redirect; on a plain-HTTP listener a route may only redirect to HTTPS (a RequestRedirect filter with scheme https and no backendRefs)."]],
    "route-elsewhere": [["gateway-hostnames-in-domain", "HTTPRoute answers api.example.org, outside the stack's domain bookkeep.app; use bookkeep.app or names under it, which the certificate, the DNS zone and the edge cover."]],
    "svc-lb": [
        ["app-services-internal", "Service is exposed as LoadBalancer; use type ClusterIP and route through the API Gateway (an HTTPRoute)."],
        ["origin-admits-only-edge", "Load balancer Service svc-lb admits every source while the Cloudflare edge is on, so clients can bypass the WAF; set loadBalancerSourceRanges " +
            "to Cloudflare's ranges (components/edge/cloudflareRanges.ts, as of 2026-02-11)."],
    ],
    // Edge
    "cf-unregional": [["edge-regional-hostnames-india", "Proxied hostname app.bookkeep.app has no regional hostname in region \"in\"; in production Cloudflare must terminate TLS and " +
        "process its requests in India (a RegionalHostname, bookkeep:edge.regionalServices)."]],
    "cf-logpush": [["cloudflare-types-residency", "cloudflare:index/logpushJob:LogpushJob is not known to keep request data in India (logs, caches, Workers and storage run or keep " +
        "data outside the Regional Services region); remove it, or add it to this policy's allowedTypes with the reason it keeps data in India."]],
    "app-namespace": [["namespace-default-deny", "Namespace bookkeep-production has no default-deny Ingress and Egress NetworkPolicy; add one with podSelector: {} and policyTypes [Ingress, Egress] and no rules."]],
    "deploy-nopdb": [["deployment-has-pdb", "Deployment deploy-nopdb in bookkeep-production has no PodDisruptionBudget; add one whose selector matches its pod labels (maxUnavailable: 1)."]],
    // Charts: a v3 Release shows the analyzer its inputs (a v4 Chart does not; see "chart-floating" below).
    "release-repo": [["helm-chart-vendored", "Chart \"ingress-nginx\" is not a vendored archive; copy the chart's release archive into charts/, record its sha256 in charts/SHA256SUMS and vendoredCharts (policies/charts.ts), and set chart to \"./charts/<name>-<version>.tgz\"."]],
    "release-unknown-archive": [["helm-chart-vendored", "Chart \"./charts/ingress-nginx-4.15.0.tgz\" is not a vendored archive; copy the chart's release archive into charts/, record its sha256 in charts/SHA256SUMS and vendoredCharts (policies/charts.ts), and set chart to \"./charts/<name>-<version>.tgz\"."]],
    "release-http": [["helm-chart-source-https", "Chart source \"http://charts.example.com\" is plain HTTP; install the vendored archive from charts/ instead."]],
    "release-latest": [["helm-values-no-latest-images", "Chart values use a floating image tag at values.controller.image.tag; remove the override (the chart pins its images) or pin a version."]],
    "release-stable": [["helm-values-no-latest-images", "Chart values use a floating image tag at values.controller.image; remove the override (the chart pins its images) or pin a version."]],
    // Alert delivery
    "alertmanager-chat-only": [["production-alerts-page", "Alertmanager sends critical alerts to \"chat\", which pages nobody; set observability.alerting.pager (service pagerduty or opsgenie, key as a Pulumi secret; README, Alert delivery)."]],
    // Progressive delivery (one broken property each; every case in tests/delivery-policies.spec.ts).
    "canary-ghost": [["canary-target-declared", "Canary canary-ghost-svc in bookkeep-production targets \"ghost-svc\", not a Deployment this stack declares there; Flagger clones its target into the primary, so target the service's own Deployment (targetRef kind Deployment)."]],
    "canary-nopdb": [["canary-primary-pdb", "Canary canary-nopdb-svc: Flagger's primary Deployment canary-nopdb-svc-primary has no PodDisruptionBudget (Flagger copies none); add one in bookkeep-production selecting app: canary-nopdb-svc-primary (maxUnavailable: 1)."]],
    "canary-noautoscaler": [["canary-autoscaler-ref", "Canary canary-noautoscaler-svc: HPA canary-noautoscaler-svc-hpa scales canary-noautoscaler-svc, but the Canary's autoscalerRef is unset; set autoscalerRef to { apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: canary-noautoscaler-svc-hpa }, or the primary runs a fixed replica count while the HPA scales the idle canary."]],
    "canary-lax": [["canary-analysis-as-strict-as-alerts", "Canary canary-lax-svc: metric bookkeep-error-rate fails only above 0.1, weaker than the HighErrorRate alert's 0.05; set thresholdRange.max to at most 0.05."]],
};

describe("policy pack: broken production stack", () => {
    const stack = underPolicies(() => {
        const p = providers("production");
        const tags = { tags: { Environment: "production" } };
        // Residency
        const frankfurt = new aws.Provider("aws-frankfurt", { region: "eu-central-1", defaultTags: tags });
        new aws.cloudwatch.LogGroup("frankfurt-logs", { retentionInDays: 30 }, { provider: frankfurt });
        new aws.Provider("aws-us-east-1-cloudfront-cert", { region: "eu-west-1", defaultTags: tags });
        new aws.Provider("aws-untagged", { region: "ap-south-1" });
        new gcp.Provider("gcp-iowa", { project: "bookkeep-production", region: "us-central1", defaultLabels: { environment: "production" } });
        new gcp.compute.GlobalNetworkEndpointGroup("internet-neg", { networkEndpointType: "INTERNET_FQDN_PORT" }, { provider: p.gcp });
        new gcp.kms.KeyRing("global-ring", { location: "global" }, { provider: p.gcp, protect: true });
        const ring = new gcp.kms.KeyRing("ring", { location: "asia-south1" }, { provider: p.gcp, protect: true });
        const cryptoKey = new gcp.kms.CryptoKey("crypto-key", { keyRing: ring.id, rotationPeriod: "7776000s" }, { provider: p.gcp, protect: true });
        gcsBucket("multi-region", p.gcp, cryptoKey, { location: "ASIA" });
        new gcp.secretmanager.Secret("auto-secret", { secretId: "auto", replication: { auto: {} } }, { provider: p.gcp });
        new aws.secretsmanager.Secret("abroad-secret", { replicas: [{ region: "eu-west-1" }] }, { provider: p.mumbai });
        const key = kmsKey("data-key", p.mumbai);
        const source = s3Bucket("source", p.mumbai, key);
        const abroad = s3Bucket("abroad-dr", frankfurt, key);
        new aws.s3.BucketReplicationConfig("abroad-replication", {
            bucket: source.id, role: "arn:aws:iam::123456789012:role/replication",
            rules: [{ id: "dr", status: "Enabled", destination: { bucket: abroad.arn } }],
        }, { provider: p.mumbai });

        // Pod hardening
        const ns = appNamespace("production", p.k8s, false);
        const fixtures = { tier: "fixtures" };
        pdb("fixtures", ns, fixtures, p.k8s);
        const broken = (kind: WorkloadKind, name: string, o: { pod?: Record<string, unknown>; container?: Record<string, unknown>; replicas?: number; labels?: Record<string, string> }) =>
            workload(kind, name, p.k8s, { namespace: ns, labels: o.labels ?? fixtures, replicas: o.replicas ?? 2, pod: o.pod, container: o.container });
        broken("CronJob", "cj-root", { pod: { securityContext: { runAsNonRoot: undefined } } });
        broken("Job", "job-uid0", { container: { securityContext: { runAsUser: 0 } } });
        broken("DaemonSet", "ds-escalate", { container: { securityContext: { allowPrivilegeEscalation: true } } });
        broken("ReplicaSet", "rs-caps", { container: { securityContext: { capabilities: { add: ["NET_ADMIN"] } } } });
        broken("Pod", "pod-unconfined", { pod: { securityContext: { seccompProfile: { type: "Unconfined" } } } });
        broken("StatefulSet", "sts-hostpath", { pod: { volumes: [{ name: "tmp", hostPath: { path: "/var/lib/data" } }] } });
        broken("Deployment", "deploy-privileged", { container: { securityContext: { privileged: true } } });
        broken("Deployment", "deploy-hostnet", { pod: { hostNetwork: true } });
        broken("Pod", "pod-hostport", { container: { ports: [{ containerPort: 8080, hostPort: 8080 }] } });
        broken("Pod", "pod-sysctl", { pod: { securityContext: { sysctls: [{ name: "kernel.msgmax", value: "65536" }] } } });
        broken("Job", "job-rw", { container: { securityContext: { readOnlyRootFilesystem: false } } });
        broken("Deployment", "deploy-nolimits", { container: { resources: { limits: undefined } } });
        broken("StatefulSet", "sts-noprobe", { container: { readinessProbe: undefined } });
        broken("Deployment", "deploy-latest", { container: { image: "ghcr.io/bookkeep/api:latest" } });
        broken("Deployment", "deploy-edge", { container: { image: "ghcr.io/bookkeep/api:Edge" } });
        broken("Deployment", "deploy-registry", { container: { image: "registry.example.com/bookkeep/api:v1.0.0" } });
        broken("Pod", "pod-untagged", { container: { image: "nginx" } });
        broken("ReplicaSet", "rs-token", { pod: { automountServiceAccountToken: undefined } });
        broken("Deployment", "deploy-single", { replicas: 1 });
        workload("Deployment", "deploy-hpa1", p.k8s, { namespace: ns, labels: fixtures });
        hpa("hpa-min1", ns, "deploy-hpa1", 1, p.k8s);
        broken("Deployment", "deploy-nopdb", { labels: { tier: "orphan" } });
        broken("Deployment", "canary-orphan", { replicas: 1, labels: { ...fixtures, "app.kubernetes.io/name": "orphan", track: "canary" } });

        // Data protection
        const group = rdsParameterGroup("bookkeep-pg16", p.mumbai);
        rdsInstance("db-plain", p.mumbai, group, { storageEncrypted: false });
        rdsInstance("db-nobackup", p.mumbai, group, { backupRetentionPeriod: 3 });
        rdsInstance("db-single-az", p.mumbai, group, { multiAz: false });
        rdsInstance("db-deletable", p.mumbai, group, { deletionProtection: false });
        rdsInstance("db-public", p.mumbai, group, { publiclyAccessible: true });
        rdsInstance("db-nosnap", p.mumbai, group, { skipFinalSnapshot: true });
        rdsInstance("db-notls", p.mumbai, group, { parameterGroupName: undefined });
        const network = new gcp.compute.Network("network", { autoCreateSubnetworks: false }, { provider: p.gcp });
        cloudSql("sql-sslmode", p.gcp, network, { settings: { ipConfiguration: { sslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED" } } });
        cloudSql("sql-public", p.gcp, network, { settings: { ipConfiguration: { ipv4Enabled: undefined } } });
        cloudSql("sql-nopitr", p.gcp, network, { settings: { backupConfiguration: { pointInTimeRecoveryEnabled: false } } });
        cloudSql("sql-zonal", p.gcp, network, { settings: { availabilityType: "ZONAL" } });
        cloudSql("sql-deletable", p.gcp, network, { settings: { deletionProtectionEnabled: false } });
        cloudSql("sql-nofinal", p.gcp, network, { settings: { finalBackupConfig: undefined } });
        replicationGroup("cache-plain", p.mumbai, { transitEncryptionEnabled: false });
        replicationGroup("cache-single", p.mumbai, { numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false });
        replicationGroup("cache-nosnap", p.mumbai, { snapshotRetentionLimit: 0 });
        memorystore("redis-plain", p.gcp, { transitEncryptionMode: "DISABLED" });
        memorystore("redis-basic", p.gcp, { tier: "BASIC", alternativeLocationId: undefined });
        memorystore("redis-nopersist", p.gcp, { persistenceConfig: undefined });
        memorystore("redis-daily", p.gcp, { persistenceConfig: { persistenceMode: "RDB", rdbSnapshotPeriod: "TWENTY_FOUR_HOURS" } });
        new aws.s3.Bucket("naked", { bucket: "bookkeep-naked" }, { provider: p.mumbai, protect: true });
        gcsBucket("google-key", p.gcp, cryptoKey, { encryption: undefined });
        gcsBucket("public-gcs", p.gcp, cryptoKey, { publicAccessPrevention: "inherited" });
        kmsKey("key-unprotected", p.mumbai, {}, {});
        kmsKey("key-norotate", p.mumbai, { enableKeyRotation: false });

        // Cluster
        const eksBad = eksCluster("eks-bad", p.mumbai, key, {
            encryptionConfig: undefined, enabledClusterLogTypes: ["api"], vpcConfig: { publicAccessCidrs: ["0.0.0.0/0"] },
        });
        const gke = gkeCluster("gke-bad", p.gcp, cryptoKey, {
            location: "us-central1", nodeLocations: undefined, privateClusterConfig: undefined, masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "0.0.0.0/0" }] },
            workloadIdentityConfig: undefined, datapathProvider: undefined, databaseEncryption: undefined, enableShieldedNodes: false,
            loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS"] },
        });
        gkeNodePool("pool-bad", p.gcp, gke, { nodeConfig: { workloadMetadataConfig: undefined, shieldedInstanceConfig: undefined } });
        // The agent switched off, on an add-on of a cluster outside the stack (eks-bad has none).
        vpcCni("cni-nopolicy", p.mumbai, eksBad, { clusterName: "eks-elsewhere", configurationValues: JSON.stringify({ enableNetworkPolicy: "false" }) });

        // Network
        const vpc = new aws.ec2.Vpc("vpc-nologs", { cidrBlock: "10.10.0.0/16" }, { provider: p.mumbai });
        const igw = new aws.ec2.InternetGateway("igw", { vpcId: vpc.id }, { provider: p.mumbai });
        const publicIp = subnet("subnet-public-ip", p.mumbai, vpc, [], { mapPublicIpOnLaunch: true });
        const routed = subnet("subnet-igw", p.mumbai, vpc, [{ destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id }], { cidrBlock: "10.10.16.0/20" });
        eksNodeGroup("nodes-public", p.mumbai, eksBad, [publicIp, routed]);
        const sg = new aws.ec2.SecurityGroup("sg-open", { vpcId: vpc.id, ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }] }, { provider: p.mumbai });
        new aws.vpc.SecurityGroupIngressRule("sgr-open", { securityGroupId: sg.id, ipProtocol: "-1", cidrIpv6: "::/0" }, { provider: p.mumbai });
        new gcp.compute.Firewall("fw-open", { network: network.id, sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["22", "443"] }] }, { provider: p.gcp });
        new gcp.compute.Subnetwork("subnet-nologs", { network: network.id, region: "asia-south1", ipCidrRange: "10.10.0.0/20" }, { provider: p.gcp });
        new k8s.networking.v1.Ingress("ing-plain", {
            metadata: { name: "ing-plain", namespace: ns },
            spec: { rules: [{ host: "api.bookkeep.app", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "api", port: { number: 80 } } } }] } }] },
        }, { provider: p.k8s });
        const gatewayApi = (name: string, kind: string, namespace: string, spec: Record<string, unknown>) => new k8s.apiextensions.CustomResource(name, {
            apiVersion: "gateway.networking.k8s.io/v1", kind, metadata: { name, namespace }, spec,
        }, { provider: p.k8s });
        gatewayApi("gw-plain", "Gateway", "bookkeep-system", {
            gatewayClassName: "envoy-gateway",
            listeners: [{ name: "web", protocol: "HTTP", port: 80, hostname: "*.bookkeep.app", allowedRoutes: { namespaces: { from: "All" } } }],
        });
        const backend = { backendRefs: [{ name: "api", port: 80 }] };
        gatewayApi("route-plain", "HTTPRoute", ns, { parentRefs: [{ name: "gw-plain", namespace: "bookkeep-system", sectionName: "web" }], hostnames: ["api.bookkeep.app"], rules: [backend] });
        gatewayApi("route-elsewhere", "HTTPRoute", ns, { parentRefs: [{ name: "bookkeep-gateway", namespace: "bookkeep-system", sectionName: "https-api" }], hostnames: ["api.example.org"], rules: [backend] });
        new k8s.core.v1.Service("svc-lb", { metadata: { name: "svc-lb", namespace: ns }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } }, { provider: p.k8s });

        // Edge: a zone makes every load balancer an origin only Cloudflare may reach (svc-lb above)
        const cf = new cloudflare.Provider("cloudflare", {});
        const zone = new cloudflare.Zone("cf-zone", { account: { id: "0123456789abcdef0123456789abcdef" }, name: "bookkeep.app" }, { provider: cf });
        new cloudflare.DnsRecord("cf-unregional", { zoneId: zone.id, name: "app.bookkeep.app", type: "A", content: "203.0.113.10", proxied: true, ttl: 1 }, { provider: cf });
        new cloudflare.LogpushJob("cf-logpush", { zoneId: zone.id, dataset: "http_requests", destinationConf: "s3://bookkeep-logs?region=ap-south-1" }, { provider: cf });

        // Charts
        release("release-repo", p.k8s, { chart: "ingress-nginx", version: "4.12.1", repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" } });
        release("release-unknown-archive", p.k8s, { chart: "./charts/ingress-nginx-4.15.0.tgz" });
        release("release-http", p.k8s, { repositoryOpts: { repo: "http://charts.example.com" } });
        release("release-latest", p.k8s, { values: { controller: { image: { tag: "latest" } } } });
        release("release-stable", p.k8s, { values: { controller: { image: "registry.k8s.io/ingress-nginx/controller:STABLE" } } });

        // Alert delivery: critical alerts to chat only (its compliant twin is the production plan's alertmanager-config).
        new k8s.core.v1.Secret("alertmanager-chat-only", {
            metadata: { name: "alertmanager-chat-only", namespace: "bookkeep-monitoring" },
            stringData: { "alertmanager.yaml": JSON.stringify({
                route: { receiver: "chat", routes: [{ matchers: ["severity = \"critical\""], receiver: "chat" }] },
                receivers: [{ name: "chat", slack_configs: [{ api_url_file: "/etc/alertmanager/secrets/alertmanager-receivers/slack-webhook-url", channel: "#alerts" }] }],
            }) },
        }, { provider: p.k8s });
        const floating = {
            chart: "ingress-nginx", version: "^4.0.0", repositoryOpts: { repo: "http://charts.example.com" }, values: { controller: { image: { tag: "latest" } } },
        };
        chart("chart-floating", p.k8s, floating);

        // Progressive delivery
        alertingChecks(ns, p.k8s);
        canaryRelease("canary-ghost", ns, p.k8s, { canary: { targetRef: { name: "ghost-svc" } } });
        canaryRelease("canary-nopdb", ns, p.k8s, { noPrimaryPdb: true });
        canaryRelease("canary-noautoscaler", ns, p.k8s, { canary: { autoscalerRef: undefined } });
        canaryRelease("canary-lax", ns, p.k8s, {
            canary: { analysis: { metrics: [
                { name: "bookkeep-error-rate", templateRef: { name: "bookkeep-error-rate", namespace: ns }, thresholdRange: { max: 0.1 }, interval: "5m" },
                { name: "latency", templateRef: { name: "bookkeep-latency-p99", namespace: ns }, thresholdRange: { max: 2 }, interval: "5m" },
            ] } },
        });
    }, "production");

    it("raises exactly the listed violations on each fixture, all mandatory, and none elsewhere", async () => {
        const { report } = await stack.evaluate();
        expect(violationsByName(report, messageOf)).to.deep.equal(asLines(expected));
        expect(report.violations.filter(v => v.enforcementLevel !== "mandatory")).to.deep.equal([]);
    });

    it("registers the Helm v4 Chart without inputs, so the pack judges its rendered objects instead", async () => {
        expect((await stack.registered()).resources.find(r => r.name === "chart-floating")?.remote).to.equal(true);
    });

    it("rejects a fixture for every policy in the pack", () => {
        const rejected = new Set([...Object.values(expected), ...Object.values(evasions)].flatMap(list => list.map(([policy]) => policy)));
        // The capacity policies have their own fixtures, one broken property each (tests/preflight-policy.spec.ts).
        expect(pack.policies.map(p => p.name).filter(n => !rejected.has(n) && !capacityPolicyNames.includes(n))).to.deep.equal([]);
    });
});

describe("policy pack: staging stack", () => {
    const stack = underPolicies(() => {
        const p = providers("staging");
        const group = rdsParameterGroup("bookkeep-pg16", p.mumbai);
        // Staging sizing: single-AZ, deletable, short backups, unprotected; production-only rules must not fire.
        rdsInstance("db", p.mumbai, group, { multiAz: false, deletionProtection: false, backupRetentionPeriod: 1, skipFinalSnapshot: true }, {});
        replicationGroup("cache", p.mumbai, { numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false }, {});
        const network = new gcp.compute.Network("network", { autoCreateSubnetworks: false }, { provider: p.gcp });
        cloudSql("sql", p.gcp, network, { settings: { availabilityType: "ZONAL", deletionProtectionEnabled: false } }, {});
        memorystore("redis", p.gcp, { tier: "BASIC", alternativeLocationId: undefined }, {});
        const ns = appNamespace("staging", p.k8s);
        workload("Deployment", "api", p.k8s, { namespace: ns, replicas: 1 });
        pdb("api", ns, { app: "api" }, p.k8s);
        workload("Deployment", "scaled", p.k8s, { namespace: ns });
        hpa("scaled", ns, "scaled", 1, p.k8s);
        pdb("scaled", ns, { app: "scaled" }, p.k8s);
    }, "staging");

    it("applies no production-only rule, and downgrades the final-snapshot rule to advisory", async () => {
        const { report } = await stack.evaluate();
        expect(report.violations.map(v => [v.policy, v.enforcementLevel, v.urn.split("::").pop()])).to.deep.equal([
            ["rds-final-snapshot", "advisory", "db"],
        ]);
    });
});
