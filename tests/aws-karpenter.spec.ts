/**
 * Karpenter on the AWS stacks: the vendored charts (digests pinned), the controller's IRSA role
 * and its scoped policy, the interruption queue and its EventBridge rules, the node role's access
 * entry, and the EC2NodeClass/NodePool: private, IMDSv2-only, encrypted, matrix floor, maxNodes limit.
 */
import { expect } from "chai";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { AwsFoundation } from "../components/aws/foundation";
import { interruptionEvents, karpenterChart } from "../components/aws/karpenter";
import { instanceShape, karpenterInstanceTypes, nodePoolLimits } from "../components/aws/karpenterPool";
import { Evaluation, projectRoot, RecordedResource } from "../offline/engine";
import { awsConfig } from "./configs";
import { vendoredArchive } from "../policies/charts";
import { kubeApiAccessAnnotation } from "../policies/hardening";
import { ofType, one, present, reveal, run } from "./harness";

const F = "bookkeep-aws";
const K = `${F}-karpenter`;
const T = {
    chart: "kubernetes:helm.sh/v4:Chart",
    nodeClass: "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
    nodePool: "kubernetes:karpenter.sh/v1:NodePool",
    queue: "aws:sqs/queue:Queue",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    subnet: "aws:ec2/subnet:Subnet",
} as const;

const deps = (r: RecordedResource, key: string) => r.propertyDependencies[key] ?? [];
const json = (v: unknown) => JSON.parse(reveal(v) as string);

describe("Karpenter chart archives", () => {
    it("vendors both charts under charts/ with the digests recorded in charts/SHA256SUMS (and in ../shared/charts/README.md)", () => {
        const sums = new Map(fs.readFileSync(path.join(projectRoot(), "charts", "SHA256SUMS"), "utf8").trim().split("\n")
            .map(l => l.split(/\s+/)).map(([digest, file]) => [file, digest]));
        const expected: Record<string, string> = {
            [karpenterChart.chart]: "7bcf2c1180b01aef2b92c9610bbbac339b292bbcb93bdc662ec823b88189fd12",
            [karpenterChart.crdChart]: "89a897c3e51b6df81314ca4268fa0f27ab76c3238d607a2e36e72894338dbad0",
        };
        for (const [chart, digest] of Object.entries(expected)) {
            expect(chart).to.match(new RegExp(`^\\./charts/karpenter(-crd)?-${karpenterChart.version.replace(/\./g, "\\.")}\\.tgz$`));
            const bytes = fs.readFileSync(path.join(projectRoot(), chart));
            expect(crypto.createHash("sha256").update(bytes).digest("hex"), chart).to.equal(digest);
            expect(sums.get(path.basename(chart)), chart).to.equal(digest);
        }
    });
});

describe("Karpenter's vendored archives", () => {
    it("are archives the pack knows by digest, and nothing that only resembles one is", () => {
        expect(vendoredArchive(karpenterChart.chart)).to.equal("karpenter-1.14.1.tgz");
        expect(vendoredArchive(karpenterChart.crdChart)).to.equal("karpenter-crd-1.14.1.tgz");
        for (const chart of ["karpenter-1.14.1.tgz", "/tmp/charts/karpenter-1.14.1.tgz", "charts/../karpenter-1.14.1.tgz", "charts/karpenter.tgz", "charts/karpenter-1.14.tgz"]) {
            expect(vendoredArchive(chart), chart).to.equal(undefined);
        }
    });
});

describe("Karpenter node shapes", () => {
    it("knows the shape of every offered type, and refuses others", () => {
        expect(instanceShape("t3.medium")).to.deep.equal({ vcpu: 2, memoryMiB: 4096 });
        expect(instanceShape("t3.large")).to.deep.equal({ vcpu: 2, memoryMiB: 8192 });
        expect(instanceShape("c6i.xlarge")).to.deep.equal({ vcpu: 4, memoryMiB: 8192 });
        expect(instanceShape("r6g.4xlarge")).to.deep.equal({ vcpu: 16, memoryMiB: 131072 });
        expect(() => instanceShape("p5.48xlarge")).to.throw("no known shape for instance type p5.48xlarge");
    });

    it("launches nothing smaller than the matrix type, of its architecture", () => {
        const production = karpenterInstanceTypes("t3.large");
        expect(production).to.include.members(["t3.large", "m5.large", "r5.large", "c5.xlarge", "m6i.4xlarge"]);
        expect(production).not.to.include.members(["t3.medium", "t3a.medium", "c5.large"]);
        expect(production.some(t => /^[a-z]+\dg\./.test(t))).to.equal(false);
        const graviton = karpenterInstanceTypes("t4g.large");
        expect(graviton.length).to.be.greaterThan(0);
        expect(graviton.every(t => /^[a-z]+\dg\./.test(t))).to.equal(true);
    });

    it("limits the pool to maxNodes of the matrix type less the two system nodes", () => {
        expect(nodePoolLimits("t3.medium", 4)).to.deep.equal({ cpu: "4", memory: "8Gi" });
        expect(nodePoolLimits("t3.large", 10)).to.deep.equal({ cpu: "16", memory: "64Gi" });
    });
});

describe("Karpenter", function () {
    const evaluated: Record<string, Evaluation> = {};
    before(async () => {
        for (const stack of ["staging", "production"]) {
            const config = awsConfig(stack);
            evaluated[stack] = await run(() => ({ outputs: new AwsFoundation(F, { config }).outputs }), stack);
        }
    });

    for (const [stack, type, limits] of [["staging", "t3.medium", { cpu: "6", memory: "12Gi" }], ["production", "t3.large", { cpu: "16", memory: "64Gi" }]] as const) {
        describe(stack, () => {
            let res: RecordedResource[];
            before(() => (res = present(evaluated[stack], `the ${stack} evaluation`).resources));

            it("installs the vendored chart in kube-system with its CRDs from their own chart, bound to the IRSA role and the queue", () => {
                const crd = one(res, T.chart, `${K}-crd`);
                expect(crd.inputs).to.deep.include({ chart: "./charts/karpenter-crd-1.14.1.tgz", name: "karpenter-crd", namespace: "kube-system" });
                const chart = one(res, T.chart, K);
                expect(chart.inputs).to.deep.include({ chart: "./charts/karpenter-1.14.1.tgz", name: "karpenter", namespace: "kube-system", skipCrds: true });
                expect(chart.inputs.repositoryOpts).to.equal(undefined);
                const values = reveal(chart.inputs.values) as any;
                expect(values.settings).to.deep.equal({ clusterName: `bookkeep-${stack}`, interruptionQueue: `bookkeep-${stack}-karpenter` });
                expect(values.serviceAccount.name).to.equal("karpenter");
                expect(values.serviceAccount.annotations["eks.amazonaws.com/role-arn"]).to.match(/^arn:aws:iam::123456789012:role\/bookkeep-aws-karpenter-controller-role-/);
                expect(values.controller.resources.requests).to.deep.equal(values.controller.resources.limits);
                expect(values.podAnnotations[kubeApiAccessAnnotation]).to.match(/\S/);
                expect(chart.dependsOn).to.include.members([crd.urn, one(res, "aws:eks/accessEntry:AccessEntry", `${K}-node`).urn]);
                expect(chart.provider).to.equal(one(res, "pulumi:providers:kubernetes", `${F}-cluster-k8s`).urn);
            });

            it("lets the controller launch and end only this cluster's nodes, pass only the node role, and read only its queue", () => {
                const statements = json(one(res, "aws:iam/rolePolicy:RolePolicy", `${K}-controller-policy`).inputs.policy).Statement as any[];
                const sid = (id: string) => statements.find(s => s.Sid === id);
                expect(sid("EndItsOwnInstances").Condition).to.deep.equal({
                    StringEquals: { [`aws:ResourceTag/kubernetes.io/cluster/bookkeep-${stack}`]: "owned" },
                    StringLike: { "aws:ResourceTag/karpenter.sh/nodepool": "*" },
                });
                expect(sid("LaunchFromItsOwnTemplates")).to.deep.include({ Resource: "arn:aws:ec2:ap-south-1:*:launch-template/*", Condition: sid("EndItsOwnInstances").Condition });
                expect(sid("LaunchTaggedForThisCluster").Condition.StringEquals).to.deep.equal({ [`aws:RequestTag/kubernetes.io/cluster/bookkeep-${stack}`]: "owned" });
                const nodeRole = one(res, "aws:iam/role:Role", `${K}-node`);
                expect(sid("PassOnlyTheNodeRole")).to.deep.include({ Action: "iam:PassRole", Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } } });
                expect(sid("PassOnlyTheNodeRole").Resource).to.match(new RegExp(`^arn:aws:iam::123456789012:role/${K}-node-`));
                expect(sid("ReadInterruptions").Resource).to.match(/^arn:aws:sqs:ap-south-1:123456789012:/);
                expect(deps(one(res, "aws:iam/rolePolicy:RolePolicy", `${K}-controller-policy`), "policy")).to.include(one(res, T.queue, `${K}-interruptions`).urn);
                expect(sid("ReadTheCluster").Resource).to.match(new RegExp(`^arn:aws:eks:ap-south-1:123456789012:cluster/bookkeep-${stack}$`));
                expect(nodeRole.inputs.assumeRolePolicy).to.not.equal(undefined);
            });

            it("feeds EC2 and AWS Health interruption events to an encrypted, short-retention queue only EventBridge may write to", () => {
                const queue = one(res, T.queue, `${K}-interruptions`);
                expect(queue.inputs).to.include({ name: `bookkeep-${stack}-karpenter`, messageRetentionSeconds: 300, sqsManagedSseEnabled: true });
                const rules = ofType(res, T.rule);
                expect(rules.map(r => r.name)).to.have.members(Object.keys(interruptionEvents).map(k => `${K}-${k}`));
                for (const [key, pattern] of Object.entries(interruptionEvents)) {
                    expect(JSON.parse(one(res, T.rule, `${K}-${key}`).inputs.eventPattern as string)).to.deep.equal(pattern);
                    expect(deps(one(res, T.target, `${K}-${key}`), "arn")).to.deep.equal([queue.urn]);
                }
                const [send, tls] = json(one(res, "aws:sqs/queuePolicy:QueuePolicy", `${K}-interruptions`).inputs.policy).Statement;
                expect(send.Principal).to.deep.equal({ Service: ["events.amazonaws.com", "sqs.amazonaws.com"] });
                expect(send.Action).to.equal("sqs:SendMessage");
                expect(tls).to.deep.include({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
            });

            it("lets Karpenter's nodes join through an EC2_LINUX access entry for their own role and instance profile", () => {
                const nodeRole = one(res, "aws:iam/role:Role", `${K}-node`);
                const accessEntry = one(res, "aws:eks/accessEntry:AccessEntry", `${K}-node`);
                expect(accessEntry.inputs).to.include({ clusterName: `bookkeep-${stack}`, type: "EC2_LINUX" });
                expect(deps(accessEntry, "principalArn")).to.deep.equal([nodeRole.urn]);
                expect(deps(one(res, "aws:iam/instanceProfile:InstanceProfile", `${K}-node`), "role")).to.deep.equal([nodeRole.urn]);
            });

            it("keeps Karpenter's nodes in the private subnets, IMDSv2-only, on encrypted gp3, with the cluster and node security groups", () => {
                const nc = one(res, T.nodeClass, `${K}-bookkeep`);
                const spec = nc.inputs.spec as any;
                const privateSubnets = ofType(res, T.subnet).filter(s => s.name.includes("-private-"));
                expect(spec.subnetSelectorTerms).to.have.length(3);
                expect(deps(nc, "spec")).to.include.members(privateSubnets.map(s => s.urn));
                ofType(res, T.subnet).filter(s => !s.name.includes("-private-")).forEach(s => expect(deps(nc, "spec")).not.to.include(s.urn));
                expect(spec.associatePublicIPAddress).to.equal(false);
                expect(spec.metadataOptions).to.deep.equal({ httpEndpoint: "enabled", httpProtocolIPv6: "disabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
                expect(spec.blockDeviceMappings).to.deep.equal([{ deviceName: "/dev/xvda", ebs: { volumeSize: "50Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true } }]);
                expect(spec.securityGroupSelectorTerms).to.have.length(2);
                expect(deps(nc, "spec")).to.include.members([
                    one(res, "aws:eks/cluster:Cluster", `${F}-cluster-eks`).urn, one(res, "aws:ec2/securityGroup:SecurityGroup", `${F}-cluster-nodes`).urn,
                    one(res, "aws:iam/instanceProfile:InstanceProfile", `${K}-node`).urn,
                ]);
                expect(spec.kubelet).to.deep.equal({ maxPods: 110 });
                expect(nc.inputs.metadata).to.deep.equal({ name: "bookkeep" });
            });

            it(`sizes the NodePool from ${type} up, on demand, in the stack's zones, at most ${limits.cpu} vCPU (maxNodes less the system nodes)`, () => {
                const pool = one(res, T.nodePool, `${K}-general`);
                const spec = pool.inputs.spec as any;
                expect(spec.limits).to.deep.equal(limits);
                const req = Object.fromEntries((spec.template.spec.requirements as any[]).map(r => [r.key, r]));
                expect(req["node.kubernetes.io/instance-type"].values).to.deep.equal(karpenterInstanceTypes(type));
                expect(req["node.kubernetes.io/instance-type"].values[0]).to.equal(stack === "staging" ? "t3.medium" : "t3.large");
                expect(req["karpenter.sh/capacity-type"]).to.deep.equal({ key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] });
                expect(req["kubernetes.io/arch"].values).to.deep.equal(["amd64"]);
                expect(req["topology.kubernetes.io/zone"].values).to.deep.equal(["ap-south-1a", "ap-south-1b", "ap-south-1c"]);
                expect(spec.template.spec.nodeClassRef).to.deep.equal({ group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "bookkeep" });
                expect(spec.disruption).to.deep.equal({ consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "5m", budgets: [{ nodes: "1" }] });
                // CRDs before the objects, the controller and its node class before the pool.
                expect(pool.dependsOn).to.include.members([one(res, T.chart, `${K}-crd`).urn, one(res, T.chart, K).urn, one(res, T.nodeClass, `${K}-bookkeep`).urn]);
            });
        });
    }
});
