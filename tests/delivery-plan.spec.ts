/**
 * Progressive delivery in every stack x cloud, through the real program, the rendered charts and
 * the real policy pack: Flagger and its load tester installed and hardened, one Canary per catalog
 * service (none in development), no routed object that Flagger generates also made by the program,
 * and the plan's per-service release rows.
 */
import { expect } from "chai";
import { catalogEntries, defaultManifestPath, loadCatalog, loadRelease } from "../services";
import { RecordedResource } from "../offline/engine";
import { PlanResult } from "../offline/plan";
import { prometheusPort, prometheusService } from "../components/k8s/flagger";
import { canaryChecks } from "../components/k8s/canaryChecks";
import { apiParentRef } from "../components/k8s/gateway";
import { plan, present } from "./harness";

type Obj = any;
const kind = (r: RecordedResource) => r.type.split(":").pop();
const meta = (r: RecordedResource): Obj => (r.inputs as Obj).metadata ?? {};
const objects = (p: PlanResult, k: string, namespace?: string) => p.evaluation.resources
    .filter(r => r.custom && kind(r) === k && (namespace === undefined || meta(r).namespace === namespace));
const named = (p: PlanResult, k: string, name: string, namespace?: string): Obj =>
    present(objects(p, k, namespace).find(r => meta(r).name === name), `${k} ${name}`).inputs;

const progressive: Array<[string, string, string]> = [
    ["staging", "bookkeep-staging", "staging.bookkeep.app"],
    ["staging-gcp", "bookkeep-staging", "staging.bookkeep.app"],
    ["production", "bookkeep-production", "bookkeep.app"],
    ["production-gcp", "bookkeep-production", "bookkeep.app"],
];

for (const [stack, ns, domain] of progressive) {
    describe(`delivery: ${stack} plans with Flagger`, () => {
        let p: PlanResult;
        before(async () => {
            p = await plan(stack);
        });

        it("plans clean, with Flagger's and the load tester's charts rendered and checked", () => {
            expect(p.exitCode).to.equal(0);
            expect(p.policies.violations.filter(v => v.enforcementLevel === "mandatory")).to.deep.equal([]);
            const rendered = (release: string) => present(p.evaluation.charts.find(c => c.chart.inputs.name === release), `chart ${release}`);
            expect(rendered("flagger").objects.map(o => `${o.kind}/${o.metadata.name}`)).to.include.members([
                "CustomResourceDefinition/canaries.flagger.app", "CustomResourceDefinition/metrictemplates.flagger.app", "Deployment/flagger",
            ]);
            expect(rendered("flagger-loadtester").objects.map(o => `${o.kind}/${o.metadata.name}`)).to.include.members(["Deployment/flagger-loadtester", "Service/flagger-loadtester"]);
        });

        it("runs Flagger on the Gateway API provider, judging on the cluster's Prometheus, restricted to the app namespace", () => {
            const flagger = named(p, "Deployment", "flagger", "bookkeep-system");
            const c = flagger.spec.template.spec.containers[0];
            expect(c.command).to.include.members([
                "-mesh-provider=gatewayapi:v1", `-metrics-server=http://${prometheusService}.bookkeep-monitoring:${prometheusPort}`, `-namespace=${ns}`,
            ]);
            // That Service is what kube-prometheus-stack renders, on that port.
            const prometheus = named(p, "Service", prometheusService, "bookkeep-monitoring");
            expect(prometheus.spec.ports.map((x: Obj) => x.port)).to.include(prometheusPort);
            expect(c.securityContext).to.include({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
            expect(c.securityContext.capabilities).to.deep.equal({ drop: ["ALL"] });
            expect(c.resources.limits).to.have.keys("cpu", "memory");
            const loadtester = named(p, "Deployment", "flagger-loadtester", "bookkeep-system").spec.template.spec;
            expect(loadtester.serviceAccountName).to.equal("flagger-loadtester");
            expect(named(p, "ServiceAccount", "flagger-loadtester", "bookkeep-system").automountServiceAccountToken).to.equal(false);
            const replicas = stack.startsWith("production") ? 2 : 1;
            expect([flagger.spec.replicas, named(p, "Deployment", "flagger-loadtester", "bookkeep-system").spec.replicas]).to.deep.equal([replicas, replicas]);
        });

        it("opens Flagger's flows on both ends: the API server, Prometheus' 9090, the load tester; the load tester to the services' port", () => {
            const flagger = named(p, "NetworkPolicy", "flagger", "bookkeep-system").spec;
            expect(flagger.podSelector).to.deep.equal({ matchLabels: { "app.kubernetes.io/name": "flagger" } });
            expect(flagger.egress[0].ports).to.deep.equal([{ port: 443, protocol: "TCP" }, { port: 6443, protocol: "TCP" }]);
            expect(flagger.egress.slice(1)).to.deep.equal([
                { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "bookkeep-monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }], ports: [{ port: 9090, protocol: "TCP" }] },
                { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "bookkeep-system" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "loadtester" } } }], ports: [{ port: 8080, protocol: "TCP" }] },
            ]);
            expect(named(p, "NetworkPolicy", "prometheus-from-flagger", "bookkeep-monitoring").spec.ingress).to.deep.equal([
                { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "bookkeep-system" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "flagger" } } }], ports: [{ port: 9090, protocol: "TCP" }] },
            ]);
            expect(named(p, "NetworkPolicy", "flagger-loadtester", "bookkeep-system").spec.egress).to.deep.equal([
                { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } }], ports: [{ port: 3100, protocol: "TCP" }] },
            ]);
            for (const s of catalogEntries) {
                expect(named(p, "NetworkPolicy", `${s.name}-service-from-loadtester`, ns).spec.ingress, s.name).to.deep.equal([
                    { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "bookkeep-system" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "loadtester" } } }], ports: [{ port: s.port, protocol: "TCP" }] },
                ]);
            }
        });

        it("has one Canary per catalog service, on its Deployment and HPA, routed on the Gateway at the service's prefix", () => {
            const canaries = objects(p, "Canary", ns).map(r => r.inputs as Obj);
            expect(canaries.map(c => c.metadata.name).sort()).to.deep.equal(catalogEntries.map(s => `${s.name}-service`).sort());
            for (const s of catalogEntries) {
                const svc = `${s.name}-service`;
                const c = present(canaries.find(x => x.metadata.name === svc), svc).spec;
                const hpa = named(p, "HorizontalPodAutoscaler", `${svc}-hpa`, ns);
                expect(hpa.spec.scaleTargetRef.name).to.equal(svc);
                named(p, "Deployment", svc, ns);
                expect(c.targetRef).to.deep.equal({ apiVersion: "apps/v1", kind: "Deployment", name: svc });
                expect(c.autoscalerRef).to.deep.equal({ apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: `${svc}-hpa` });
                expect(c.service).to.deep.equal({
                    port: 80, targetPort: "http", portName: "http", gatewayRefs: [apiParentRef({ system: "bookkeep-system" })],
                    hosts: [`api.${domain}`], match: [{ uri: { prefix: s.routePrefix } }],
                });
                expect([c.analysis.interval, c.analysis.stepWeight, c.analysis.maxWeight, c.analysis.threshold]).to.deep.equal(["1m", 10, 50, 5]);
                expect(c.analysis.metrics.map((m: Obj) => [m.templateRef.name, m.thresholdRange.max, m.interval]))
                    .to.deep.equal(canaryChecks().map(x => [x.template, x.max, x.window]));
                expect(c.analysis.webhooks.map((w: Obj) => [w.name, w.type, w.url, w.metadata.cmd])).to.deep.equal([
                    ["acceptance-test", "pre-rollout", "http://flagger-loadtester.bookkeep-system/", `curl -sf http://${svc}-canary.${ns}/ready`],
                    ["load-test", "rollout", "http://flagger-loadtester.bookkeep-system/", `hey -z 1m -q 10 -c 2 http://${svc}-canary.${ns}${s.routePrefix}`],
                ]);
                // Flagger copies no PDB: the primary's is the program's.
                expect(named(p, "PodDisruptionBudget", `${svc}-primary-pdb`, ns).spec).to.deep.equal({ maxUnavailable: 1, selector: { matchLabels: { app: `${svc}-primary` } } });
                // pulumi up does not wait on an analysis, nor on the Deployment Flagger scales to zero.
                expect(named(p, "Deployment", svc, ns).metadata.annotations).to.deep.equal({ "pulumi.com/skipAwait": "true" });
            }
        });

        it("leaves the routed Services and the HTTPRoute to Flagger: none of them is also made by the program", () => {
            const generated = catalogEntries.flatMap(s => [`${s.name}-service`, `${s.name}-service-primary`, `${s.name}-service-canary`]);
            expect(objects(p, "Service", ns).map(r => meta(r).name).filter(n => generated.includes(n))).to.deep.equal([]);
            // Flagger's HTTPRoute routes each service's prefix; no route of the program may also match one.
            const prefixes = (r: RecordedResource): string[] => ((r.inputs as Obj).spec?.rules ?? []).flatMap((rule: Obj) => (rule.matches ?? []).map((m: Obj) => m.path?.value));
            const routed = objects(p, "HTTPRoute", ns).flatMap(prefixes);
            expect(routed.filter(x => catalogEntries.some(s => s.routePrefix === x))).to.deep.equal([]);
            expect(objects(p, "HTTPRoute", ns).map(r => meta(r).name).filter(n => generated.includes(n))).to.deep.equal([]);
            // The ServiceMonitor still finds every service: a scrape-only Service over both tracks.
            for (const s of catalogEntries) {
                const m = named(p, "Service", `${s.name}-service-metrics`, ns);
                expect(m.metadata.labels.monitoring).to.equal("enabled");
                expect(m.spec.selector).to.deep.equal({ "app.kubernetes.io/name": `${s.name}-service`, "app.kubernetes.io/part-of": "bookkeep" });
                expect(m.spec.ports).to.deep.equal([{ name: "metrics", port: s.metricsPort, targetPort: "metrics", protocol: "TCP" }]);
            }
        });

        it("shows per service the image of the release manifest, the Canary's steps and checks, and Flagger's primary HPA as the replica owner", () => {
            const [min, max] = stack.startsWith("production") ? [2, 10] : [1, 2];
            const manifest = loadRelease(defaultManifestPath(stack.replace(/-gcp$/, "")), loadCatalog());
            expect(p.plan.releases.map(r => [r.service, r.image, r.replicas])).to.deep.equal(catalogEntries.map(s => [
                `${s.name}-service`, present(manifest[s.name], s.name).reference, { owner: "flagger-primary-hpa", by: `${s.name}-service-hpa-primary`, min, max },
            ]));
            for (const r of p.plan.releases) {
                expect(r.canary).to.deep.equal({
                    stepWeight: 10, maxWeight: 50, interval: "1m", threshold: 5,
                    checks: canaryChecks().map(c => ({ metric: c.template.replace(/^bookkeep-/, ""), max: c.max, interval: c.window })),
                    webhooks: ["acceptance-test (pre-rollout)", "load-test (rollout)"],
                });
                expect(r.manualCanary).to.equal(null);
            }
        });
    });
}

describe("delivery: development plans without Flagger", () => {
    it("installs no Flagger chart and no Canary; each service's own HPA owns its replica count", async () => {
        const p = await plan("development");
        expect(p.exitCode).to.equal(0);
        expect(p.evaluation.resources.filter(r => r.type === "kubernetes:helm.sh/v4:Chart").map(r => r.inputs.name)).to.not.include.members(["flagger", "flagger-loadtester"]);
        expect(objects(p, "Canary")).to.deep.equal([]);
        expect(objects(p, "MetricTemplate")).to.deep.equal([]);
        expect(p.plan.releases.map(r => [r.service, r.canary, r.replicas])).to.deep.equal(catalogEntries.map(s => [
            `${s.name}-service`, null, { owner: "hpa", by: `${s.name}-service-hpa`, min: 1, max: 1 },
        ]));
        // The routed Service and each service's HTTPRoute are the program's own there.
        expect(objects(p, "HTTPRoute", "bookkeep-development").flatMap(r => (r.inputs as Obj).spec.rules[0].matches.map((m: Obj) => m.path.value)))
            .to.have.members(catalogEntries.map(s => s.routePrefix));
        expect(named(p, "Service", "auth-service", "bookkeep-development").spec.selector).to.deep.equal({ app: "auth-service" });
    });
});
