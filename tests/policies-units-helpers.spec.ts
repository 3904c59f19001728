/**
 * policies/helpers.ts, the readers every rule shares: which ports a rule opens, which environment a
 * resource or stack is in, where a workload keeps its pod spec, which canary has a stable track.
 * Each case varies one input next to the one that is accepted.
 */
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import {
    awsRegionOf, containersOf, dataPorts, dataPortsIn, environmentOf, isCanaryWithStableTrack, isProductionIn, isWorldCidr,
    podTemplateOf, podTemplatesOf, providerEnvironment, stackEnvironment, stackOfUrn,
} from "../policies/helpers";

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::bookkeep::${type}::${name}`;
const res = (type: string, name: string, props: Record<string, unknown>, stack = "sandbox", provider?: Record<string, unknown>) =>
    ({ type, name, urn: urn(stack, type, name), props, propertyDependencies: {}, provider: provider && { props: provider } }) as unknown as PolicyResource;
const stack = (...resources: PolicyResource[]) => ({ resources }) as unknown as StackValidationArgs;

describe("policy units: ports a rule opens", () => {
    it("takes every protocol (-1, all) as every data port", () => {
        expect(dataPortsIn("-1", 80, 80)).to.deep.equal(dataPorts);
        expect(dataPortsIn("ALL", 80, 80)).to.deep.equal(dataPorts);
    });

    it("reads TCP and UDP by name or number and no other protocol", () => {
        for (const proto of ["tcp", "6", "udp", "17", undefined]) {
            expect(dataPortsIn(proto, 5432, 5432), String(proto)).to.deep.equal([5432]);
        }
        expect(dataPortsIn("icmp", 5432, 5432)).to.deep.equal([]);
    });

    it("reads a missing range as every port and a missing end as the start", () => {
        expect(dataPortsIn("tcp", undefined, undefined)).to.deep.equal(dataPorts);
        expect(dataPortsIn("tcp", 22, undefined)).to.deep.equal([22]);
        expect(dataPortsIn("tcp", 0, 22)).to.deep.equal([22]);
        expect(dataPortsIn("tcp", 5432, 0)).to.deep.equal([]);
    });

    it("takes one CIDR as world-open only when it opens the internet", () => {
        expect(isWorldCidr("0.0.0.0/0")).to.equal(true);
        expect(isWorldCidr("10.0.0.0/8")).to.equal(false);
    });
});

describe("policy units: environments", () => {
    it("reads the stack from a URN only when it is one", () => {
        expect(stackOfUrn("urn:pulumi:production::bookkeep::t::n")).to.equal("production");
        expect(stackOfUrn("urn:pulumi:production")).to.equal(undefined);
        expect(stackOfUrn("x:urn:pulumi:production::bookkeep")).to.equal(undefined);
    });

    it("reads a provider's default tags (either case, JSON or not) and default labels", () => {
        expect(providerEnvironment(undefined)).to.equal(undefined);
        expect(providerEnvironment({})).to.equal(undefined);
        expect(providerEnvironment({ defaultTags: { tags: { Environment: "Production" } } })).to.equal("production");
        expect(providerEnvironment({ defaultTags: JSON.stringify({ tags: { environment: "staging" } }) })).to.equal("staging");
        expect(providerEnvironment({ defaultLabels: JSON.stringify({ environment: "development" }) })).to.equal("development");
    });

    it("reads each signal a resource in an ad-hoc stack carries", () => {
        const cases: Array<[string, PolicyResource]> = [
            ["tags.Environment", res("aws:s3/bucket:Bucket", "b", { tags: { Environment: "Staging" } })],
            ["tags.environment", res("aws:s3/bucket:Bucket", "b", { tags: { environment: "staging" } })],
            ["labels", res("gcp:storage/bucket:Bucket", "b", { labels: { environment: "staging" } })],
            ["userLabels", res("gcp:sql/databaseInstance:DatabaseInstance", "db", { settings: { userLabels: { environment: "staging" } } })],
            ["resourceLabels", res("gcp:container/cluster:Cluster", "c", { resourceLabels: { environment: "staging" } })],
            ["provider resource", res("pulumi:providers:aws", "p", { defaultTags: { tags: { Environment: "staging" } } })],
            ["its provider", res("aws:s3/bucket:Bucket", "b", {}, "sandbox", { defaultTags: { tags: { Environment: "staging" } } })],
            ["namespace object", res("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "bookkeep-staging" } })],
            ["metadata.namespace", res("kubernetes:core/v1:Service", "s", { metadata: { namespace: "bookkeep-staging" } })],
            ["namespace", res("kubernetes:helm.sh/v3:Release", "r", { namespace: "bookkeep-staging" })],
        ];
        for (const [signal, r] of cases) {
            expect(environmentOf(r), signal).to.equal("staging");
        }
        expect(environmentOf(res("kubernetes:core/v1:Service", "s", { metadata: { name: "bookkeep-staging" } }))).to.equal(undefined);
    });

    it("takes the stack from its root resource wherever it is listed", () => {
        const other = res("aws:s3/bucket:Bucket", "b", {}, "development");
        const root = res("pulumi:pulumi:Stack", "bookkeep-production", {}, "production");
        expect(stackEnvironment(stack(other, root))).to.equal("production");
        expect(stackEnvironment(stack(res("aws:s3/bucket:Bucket", "b", { tags: { Environment: "staging" } })))).to.equal("staging");
    });

    it("counts an untagged resource of the production stack as production", () => {
        const plain = res("aws:s3/bucket:Bucket", "b", {});
        expect(isProductionIn(stack(res("pulumi:pulumi:Stack", "s", {}, "production"), plain), plain)).to.equal(true);
        expect(isProductionIn(stack(res("pulumi:pulumi:Stack", "s", {}, "staging"), plain), plain)).to.equal(false);
    });

    it("reads an AWS region from the resource, else from its provider", () => {
        expect(awsRegionOf(res("aws:s3/bucket:Bucket", "b", {}, "sandbox", { region: "ap-south-1" }))).to.equal("ap-south-1");
        expect(awsRegionOf(res("aws:s3/bucket:Bucket", "b", { region: "ap-south-2" }, "sandbox", { region: "ap-south-1" }))).to.equal("ap-south-2");
    });
});

describe("policy units: pod templates", () => {
    const spec = { containers: [{ name: "c" }] };

    it("finds the pod spec where each kind keeps it, and which kinds run to completion", () => {
        const cron = podTemplateOf("kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: { spec } } } } }, "cj");
        expect([cron?.spec, cron?.longRunning]).to.deep.equal([spec, false]);
        const tpl = podTemplateOf("kubernetes:core/v1:PodTemplate", { metadata: { name: "named" }, template: { spec } }, "pt");
        expect([tpl?.spec, tpl?.name, tpl?.longRunning]).to.deep.equal([spec, "named", true]);
        expect(podTemplateOf("kubernetes:batch/v1:Job", { spec: { template: { spec } } }, "j")?.longRunning).to.equal(false);
        expect(podTemplateOf("kubernetes:core/v1:Pod", { spec: { ...spec, restartPolicy: "OnFailure" } }, "p")?.longRunning).to.equal(false);
        expect(podTemplateOf("kubernetes:core/v1:Pod", { spec: { ...spec, restartPolicy: "Always" } }, "p")?.longRunning).to.equal(true);
    });

    it("finds pod specs a custom resource embeds, twelve levels deep but not thirteen", () => {
        const nest = (levels: number): Record<string, unknown> => (levels === 0 ? spec : { x: nest(levels - 1) });
        expect(podTemplatesOf("kubernetes:example.com/v1:Runner", { spec: nest(12) }, "r").map(p => p.spec)).to.deep.equal([spec]);
        expect(podTemplatesOf("kubernetes:example.com/v1:Runner", { spec: nest(13) }, "r")).to.deep.equal([]);
    });

    it("takes the metadata beside a spec key only", () => {
        const rollout = { spec: { template: { metadata: { labels: { a: "1" } }, spec } } };
        expect(podTemplatesOf("kubernetes:argoproj.io/v1alpha1:Rollout", rollout, "r").map(p => p.metadata)).to.deep.equal([{ labels: { a: "1" } }]);
        const beside = { spec: { template: { metadata: { labels: { a: "1" } }, pod: spec } } };
        expect(podTemplatesOf("kubernetes:example.com/v1:Runner", beside, "r").map(p => p.metadata)).to.deep.equal([{}]);
    });

    it("looks into Kubernetes custom resources only", () => {
        expect(podTemplatesOf("aws:ecs/service:Service", { spec: { template: { spec } } }, "s")).to.deep.equal([]);
        expect(podTemplatesOf("kubernetes:core/v1:ConfigMap", { spec: { template: { spec } } }, "c")).to.deep.equal([]);
    });

    it("labels init, app and ephemeral containers for messages", () => {
        const refs = containersOf({ initContainers: [{ name: "migrate" }], containers: [{ name: "api" }], ephemeralContainers: [{}] });
        expect(refs.map(r => [r.label, r.init])).to.deep.equal([['init container "migrate"', true], ['container "api"', false], ['ephemeral container "?"', true]]);
    });
});

describe("policy units: canary tracks", () => {
    const deploy = (name: string, labels: Record<string, string>, namespace = "bookkeep-production", type = "kubernetes:apps/v1:Deployment") =>
        res(type, name, { metadata: { name, namespace, labels } }, "production");
    const canary = deploy("api-canary", { "app.kubernetes.io/name": "api", track: "canary" });

    it("finds the stable track in the same namespace, of the same kind and app", () => {
        expect(isCanaryWithStableTrack(stack(canary, deploy("api", { "app.kubernetes.io/name": "api" })), canary)).to.equal(true);
        expect(isCanaryWithStableTrack(stack(canary), canary)).to.equal(false);
        expect(isCanaryWithStableTrack(stack(canary, deploy("api", { "app.kubernetes.io/name": "api" }, "bookkeep-staging")), canary)).to.equal(false);
        expect(isCanaryWithStableTrack(stack(canary, deploy("api", { "app.kubernetes.io/name": "api" }, undefined, "kubernetes:apps/v1:StatefulSet")), canary)).to.equal(false);
        expect(isCanaryWithStableTrack(stack(canary, deploy("web", { "app.kubernetes.io/name": "web" })), canary)).to.equal(false);
        expect(isCanaryWithStableTrack(stack(canary, deploy("api-canary-2", { "app.kubernetes.io/name": "api", track: "canary" })), canary)).to.equal(false);
    });

    it("takes only a Deployment labelled canary with an app name as a canary", () => {
        const stable = deploy("api", { "app.kubernetes.io/name": "api" });
        const noApp = deploy("c", { track: "canary" });
        expect(isCanaryWithStableTrack(stack(noApp, stable), noApp)).to.equal(false);
        expect(isCanaryWithStableTrack(stack(stable, deploy("api-2", { "app.kubernetes.io/name": "api" })), stable)).to.equal(false);
    });
});
