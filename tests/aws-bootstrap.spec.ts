/**
 * Issue 15's first-apply settings: the AWS keys that say who may log in and where the API is
 * (validated with exact messages), the access entries they produce, the bootstrap steps each stack
 * prints, staging's delegation in a parent zone, and the API egress peers on every cloud.
 */
import { expect } from "chai";
import { AwsFoundation } from "../components/aws/foundation";
import { awsBootstrapSteps } from "../components/aws/bootstrap";
import { Evaluation } from "../offline/engine";
import { preflight } from "../offline/preflight";
import { readStackFile } from "../offline/stackFile";
import { cidrContains, kubernetesServiceCidr } from "../stacks/cidr";
import { parseStackConfig } from "../stacks/load";
import { awsConfig } from "./configs";
import { ofType, one, plan, present, run } from "./harness";

const F = "bookkeep-aws";
const entry = "aws:eks/accessEntry:AccessEntry";
const association = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
const deployArn = (stack: string) => `arn:aws:iam::123456789012:role/bookkeep-${stack}-deploy`;
const operatorsArn = "arn:aws:iam::123456789012:role/bookkeep-operators";

function rejection(stack: string, overrides: Record<string, unknown>): string {
    try {
        parseStackConfig(readStackFile(stack, overrides).config);
    } catch (err) {
        expect((err as Error).constructor.name).to.equal("InputPropertiesError");
        return (err as Error).message;
    }
    throw new Error("config was accepted");
}

describe("AWS first-apply config", () => {
    it("reads the access roles and the service range from the stack file and the defaults; the EIP quota is bookkeep:quotas.elasticIps only", () => {
        const c = awsConfig("production");
        expect(c.aws).to.include({ deployRoleArn: deployArn("production"), serviceCidr: "172.20.0.0/16" });
        expect(c.aws).not.to.have.property("elasticIpQuota");
        expect(rejection("production", { "bookkeep:aws": { elasticIpQuota: 6 } })).to.contain("bookkeep:aws: unknown setting(s) elasticIpQuota");
        expect(c.aws.parentZoneId).to.equal(undefined);
        expect(c.aws.operatorRoleArns).to.deep.equal([operatorsArn]);
    });

    const bad: Array<[string, string, Record<string, unknown>, string]> = [
        ["a deploy role that is no role ARN", "production", { "bookkeep:aws": { deployRoleArn: "bookkeep-deploy" } },
            'bookkeep:aws.deployRoleArn: must be an IAM role ARN, such as arn:aws:iam::123456789012:role/bookkeep-deploy (not an assumed-role session ARN) (got "bookkeep-deploy")'],
        ["an assumed-role session as the deploy role", "production", { "bookkeep:aws": { deployRoleArn: "arn:aws:sts::123456789012:assumed-role/deploy/ci" } },
            'bookkeep:aws.deployRoleArn: must be an IAM role ARN, such as arn:aws:iam::123456789012:role/bookkeep-deploy (not an assumed-role session ARN) (got "arn:aws:sts::123456789012:assumed-role/deploy/ci")'],
        ["an operator role that is a user", "production", { "bookkeep:aws": { operatorRoleArns: ["arn:aws:iam::123456789012:user/alice"] } },
            'bookkeep:aws.operatorRoleArns.0: must be an IAM role ARN, such as arn:aws:iam::123456789012:role/bookkeep-deploy (not an assumed-role session ARN) (got "arn:aws:iam::123456789012:user/alice")'],
        ["the deploy role again among the operators", "production", { "bookkeep:aws": { operatorRoleArns: [operatorsArn, deployArn("production")] } },
            `bookkeep:aws.operatorRoleArns.1: repeats bookkeep:aws.deployRoleArn ("${deployArn("production")}"); a role has one access entry, so list it once (got "${deployArn("production")}")`],
        ["an operator role listed twice", "production", { "bookkeep:aws": { operatorRoleArns: [operatorsArn, operatorsArn] } },
            `bookkeep:aws.operatorRoleArns.1: repeats an earlier entry; list each role once (got "${operatorsArn}")`],
        ["a service range inside the VPC", "production", { "bookkeep:aws": { serviceCidr: "10.10.0.0/20" } },
            'bookkeep:aws.serviceCidr: overlaps bookkeep:aws.vpcCidr ("10.10.0.0/16"); the Kubernetes service range must lie outside the VPC (got "10.10.0.0/20")'],
        ["a service range larger than EKS takes", "production", { "bookkeep:aws": { serviceCidr: "10.32.0.0/11" } },
            'bookkeep:aws.serviceCidr: must be a /12 to /24 (EKS\'s limits for the service range) (got "10.32.0.0/11")'],
        ["a parent zone for a registered domain", "production", { "bookkeep:aws": { parentZoneId: "Z0123456789ABCDEFGHIJ" } },
            'bookkeep:aws.parentZoneId: is set, but bookkeep:domain ("bookkeep.app") is a registered domain whose parent is a top-level domain; its registrar delegates it, so remove parentZoneId (got "Z0123456789ABCDEFGHIJ")'],
        ["a parent zone id that is no zone id", "staging", { "bookkeep:aws": { parentZoneId: "bookkeep.app" } },
            'bookkeep:aws.parentZoneId: must be a Route 53 hosted zone id, such as Z0123456789ABCDEFGHIJ (got "bookkeep.app")'],
        ["no room for Karpenter beside the system nodes", "staging", { "bookkeep:cluster": { minNodes: 1, nodeCount: 2, maxNodes: 2 } },
            "bookkeep:cluster.maxNodes: must exceed the 2 nodes of the system node group on AWS, or Karpenter can add none (got 2)"],
    ];
    for (const [what, stack, overrides, line] of bad) {
        it(`rejects ${what}`, () => {
            expect(rejection(stack, overrides)).to.contain(`  - ${line}`);
        });
    }

    it("requires a deploy role (the cluster's only admin) but no operators", () => {
        const raw = readStackFile("staging").config;
        const aws = JSON.parse(present(raw["bookkeep:aws"], "bookkeep:aws in the staging stack file"));
        delete aws.operatorRoleArns;
        expect(() => parseStackConfig({ ...raw, "bookkeep:aws": JSON.stringify(aws) })).not.to.throw();
        delete aws.deployRoleArn;
        expect(() => parseStackConfig({ ...raw, "bookkeep:aws": JSON.stringify(aws) })).to.throw(/ {2}- bookkeep:aws\.deployRoleArn: /);
    });
});

describe("AWS access entries, bootstrap steps and delegation", function () {
    const evaluations: Record<string, Evaluation> = {};
    const evaluate = async (key: string, stack: string, overrides?: Record<string, unknown>) => {
        const config = awsConfig(stack, overrides);
        evaluations[key] = await run(() => ({ outputs: new AwsFoundation(F, { config }).outputs }), stack);
    };
    const evaluation = (key: string) => present(evaluations[key], `the ${key} evaluation`);
    before(async () => {
        await evaluate("staging", "staging");
        await evaluate("production", "production");
        // Route 53 is authoritative only without the Cloudflare edge (docs/edge.md).
        await evaluate("staging-parent", "staging", { "bookkeep:aws": { parentZoneId: "Z0123456789ABCDEFGHIJ", operatorRoleArns: [] }, "bookkeep:edge": { enabled: false } });
    });

    for (const stack of ["staging", "production"]) {
        it(`gives ${stack}'s deploy role cluster-admin and the operators' role admin, cluster-wide, keyed by role name`, () => {
            const res = evaluation(stack).resources;
            const grant = (key: string) => [one(res, entry, `${F}-cluster-access-${key}`).inputs, one(res, association, `${F}-cluster-access-${key}`).inputs];
            const [deployEntry, deployPolicy] = grant("deploy");
            expect(deployEntry).to.include({ clusterName: `bookkeep-${stack}`, principalArn: deployArn(stack), type: "STANDARD" });
            expect(deployPolicy).to.deep.include({ principalArn: deployArn(stack), policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } });
            const [operatorEntry, operatorPolicy] = grant("operator-bookkeep-operators");
            expect(operatorEntry).to.include({ principalArn: operatorsArn, type: "STANDARD" });
            expect(operatorPolicy).to.deep.include({ policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy", accessScope: { type: "cluster" } });
        });

        it(`counts ${stack}'s Elastic IPs (a NAT gateway ${stack === "production" ? "per AZ" : "in all"}, one ingress address per AZ) in the one EIP quota row`, () => {
            const row = preflight(evaluation(stack).resources, awsConfig(stack)).quotas.find(q => q.key === "elasticIps")!;
            expect(ofType(evaluation(stack).resources, "aws:ec2/eip:Eip").length).to.equal(stack === "production" ? 6 : 4);
            expect(row).to.include({ used: stack === "production" ? 6 : 4, limit: 5, exceeded: stack === "production" });
        });
    }

    it("admits the CI runner pool's security group, and nothing else new, to the private endpoint on 443; runners only send HTTPS", () => {
        const res = evaluation("production").resources;
        const runners = one(res, "aws:ec2/securityGroup:SecurityGroup", `${F}-ci-runners-sg`);
        expect(runners.inputs.tags).to.deep.equal({ Name: "bookkeep-production-ci-runners" });
        const api = one(res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `${F}-ci-runners-api`);
        expect(api.inputs).to.include({ ipProtocol: "tcp", fromPort: 443, toPort: 443 });
        expect(api.inputs.cidrIpv4).to.equal(undefined);
        expect(api.propertyDependencies.referencedSecurityGroupId).to.deep.equal([runners.urn]);
        expect(api.propertyDependencies.securityGroupId).to.deep.equal([one(res, "aws:eks/cluster:Cluster", `${F}-cluster-eks`).urn]);
        const egress = ofType(res, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule");
        expect(egress.map(r => [r.name, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4])).to.deep.equal([[`${F}-ci-runners-https`, 443, 443, "0.0.0.0/0"]]);
    });

    it("creates only the deploy role's entry when no operators are listed", () => {
        const res = evaluation("staging-parent").resources;
        expect(ofType(res, association).map(r => r.name)).to.deep.equal([`${F}-cluster-access-deploy`]);
    });

    const checklist = (key: string, stack: string, overrides?: Record<string, unknown>) => preflight(evaluation(key).resources, awsConfig(stack, overrides)).bootstrap;

    it("lists production's steps once, in order: DR region opt-in, the EIP quota (6 > 5), the deploy role, registrar delegation, the API path", () => {
        const steps = checklist("production", "production");
        expect(steps.map(s => s.id)).to.deep.equal(["opt-in-ap-south-2", "quota-elasticIps", "deploy-role", "delegate-bookkeep.app", "cluster-api-path"]);
        expect(steps[0]!.command).to.equal("aws account enable-region --region-name ap-south-2 && aws account get-region-opt-status --region-name ap-south-2 && " +
            "aws rds describe-source-regions --region ap-south-2 --region-name ap-south-1 --query 'SourceRegions[0].SupportsDBInstanceAutomatedBackupsReplication'");
        expect(steps[1]!.command).to.equal("aws service-quotas request-service-quota-increase --region ap-south-1 --service-code ec2 --quota-code L-0263D0A3 --desired-value 6");
        expect(steps[1]!.text).to.contain("then set `bookkeep:quotas.elasticIps: 6` in the stack file");
        expect(steps[3]!.text).to.contain("set the domain's name servers at the registrar of bookkeep.app");
        expect(steps[3]!.command).to.match(/^pulumi up --target 'urn:pulumi:production::[^:]+::.*\$aws:route53\/zone:Zone::bookkeep-aws-dns-zone'$/);
        expect(steps[4]!.text).to.contain("the first run is from an operator machine");
    });

    it("takes from awsBootstrapSteps only what the plan cannot know (the deploy role), so no step is printed twice", () => {
        expect(awsBootstrapSteps(awsConfig("production")).map(s => s.id)).to.deep.equal(["deploy-role"]);
        expect(present(awsBootstrapSteps(awsConfig("production"))[0], "the deploy-role step").text).to.contain(deployArn("production"));
    });

    it("drops the EIP step once bookkeep:quotas.elasticIps covers the stack", () => {
        expect(checklist("production", "production", { "bookkeep:quotas": { elasticIps: 6 } }).map(s => s.id)).not.to.include("quota-elasticIps");
    });

    it("lists staging's steps: no DR region, 4 EIPs within the default quota, delegation by an NS record in the parent zone", () => {
        const steps = checklist("staging", "staging");
        expect(steps.map(s => s.id)).to.deep.equal(["deploy-role", "delegate-staging.bookkeep.app", "cluster-api-path"]);
        expect(steps[1]!.text).to.contain("create an NS record set for staging.bookkeep.app in the parent zone bookkeep.app");
    });

    it("delegates staging from a parent zone this account holds, and validates through the zone only after that", () => {
        expect(checklist("staging-parent", "staging", { "bookkeep:aws": { parentZoneId: "Z0123456789ABCDEFGHIJ", operatorRoleArns: [] }, "bookkeep:edge": { enabled: false } }).map(s => s.id))
            .to.deep.equal(["deploy-role", "cluster-api-path"]);
        const res = evaluation("staging-parent").resources;
        const ns = one(res, "aws:route53/record:Record", `${F}-dns-delegation`);
        expect(ns.inputs).to.deep.include({ zoneId: "Z0123456789ABCDEFGHIJ", name: "staging.bookkeep.app", type: "NS", ttl: 172800 });
        expect(ns.inputs.records).to.deep.equal(["ns-101.awsdns-12.com", "ns-1201.awsdns-22.org", "ns-601.awsdns-07.net", "ns-1801.awsdns-33.co.uk"]);
        const validation = one(res, "aws:acm/certificateValidation:CertificateValidation", `${F}-cdn-cert`);
        const cnames = ofType(res, "aws:route53/record:Record").filter(r => r.name.startsWith(`${F}-cdn-cert-validation`));
        expect(cnames.length).to.be.greaterThan(0);
        cnames.forEach(r => expect(r.propertyDependencies.zoneId ?? [], r.name).to.include(ns.urn));
        expect(validation).to.not.equal(undefined);
        expect(ofType(evaluation("staging").resources, "aws:route53/record:Record").map(r => r.name)).not.to.include(`${F}-dns-delegation`);
    });
});

describe("Kubernetes API egress on every cloud", function () {
    // kind and kubeadm's default service range: the laptop clusters the local stack targets.
    const cases = [
        ["production", "aws", "172.20.0.0/16"],
        ["production", "gcp", "10.104.0.0/20"],
        ["development", "local", "10.96.0.0/12"],
    ] as const;
    for (const [stack, cloud, serviceRange] of cases) {
        it(`admits ${stack} on ${cloud}'s controllers to the kubernetes Service address (${kubernetesServiceCidr(serviceRange)}), judged before DNAT`, async () => {
            const { evaluation } = await plan(stack, cloud);
            const kubeApi = ofType(evaluation.resources, "kubernetes:networking.k8s.io/v1:NetworkPolicy")
                .filter(r => (r.inputs.metadata as { name: string }).name.endsWith("kube-api"));
            expect(kubeApi.length).to.be.greaterThan(0);
            for (const np of kubeApi) {
                const peers = (np.inputs.spec as { egress: Array<{ to: Array<{ ipBlock: { cidr: string; except?: string[] } }> }> }).egress.flatMap(e => e.to);
                const admits = peers.some(p => cidrContains(p.ipBlock.cidr, kubernetesServiceCidr(serviceRange)) && !(p.ipBlock.except ?? []).length);
                expect(admits, np.name).to.equal(true);
            }
        });
    }

    it("takes the first host of the range as the kubernetes Service address", () => {
        expect(kubernetesServiceCidr("172.20.0.0/16")).to.equal("172.20.0.1/32");
        expect(kubernetesServiceCidr("10.104.0.0/20")).to.equal("10.104.0.1/32");
    });
});
