/**
 * Chart exemptions: what a real preview shows the pack (objects parented by a Helm chart
 * component), reproduced with a component whose type token is the chart's. One production
 * evaluation holds every case: the exempt workloads, and the same pods where an exemption must
 * not reach (our own typed workloads, the app namespace, a name the list does not name). It is
 * registered once and judged inside each test (tests/policies-stack.ts says why).
 */
import * as k8s from "@pulumi/kubernetes";
import { ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import * as path from "path";
import { projectRoot } from "../offline/engine";
import { PolicyReport, readPackConfig } from "../offline/policyRunner";
import { chartPolicies, vendoredCharts } from "../policies/charts";
import { chartExemptions, exemptionFor, isChartRendered } from "../policies/exemptions";
import { pack } from "../policies/pack";
import { present, run } from "./harness";
import { appNamespace, container, merge, Over, podSpec, providers } from "./policies-fixtures";
import { stackUnderPolicies } from "./policies-stack";

/**
 * Stands in for `k8s.helm.v4.Chart`: a real preview registers the rendered objects under it.
 * Registered as a remote component, as the real one is; its pinned inputs never reach the pack,
 * since the engine (and the offline runner) analyses a remote component without them.
 */
class FakeChart extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("kubernetes:helm.sh/v4:Chart", name, { chart: name, version: "1.0.0", repositoryOpts: { repo: "https://charts.example.com" } }, opts, true);
    }
}

/** A Helm v4 Chart exactly as a real engine shows it to the pack: a remote component with no inputs. */
class BareChart extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("kubernetes:helm.sh/v4:Chart", name, {}, opts, true);
    }
}

/** Runs a resource policy's validation as the analyzer would, recording its verdict. */
function verdict(policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>): { reports: string[]; notApplicable?: string } {
    const out: { reports: string[]; notApplicable?: string } = { reports: [] };
    const stop = new Error("not applicable");
    const args = {
        type, props, urn: `urn:pulumi:production::bookkeep::${type}::c`, name: "c", opts: {}, stackTags: new Map(),
        notApplicable: (reason?: string) => {
            out.notApplicable = reason;
            throw stop;
        },
    } as unknown as ResourceValidationArgs;
    try {
        void (policy.validateResource as ResourceValidation)(args, (message: string) => out.reports.push(message));
    } catch (e) {
        if (e !== stop) {
            throw e;
        }
    }
    return out;
}

/** The chart policies proper (container-image-trusted judges pods, not charts). */
const helmPolicies = chartPolicies.filter(p => p.name.startsWith("helm-"));

const descriptions = new Map(pack.policies.map(p => [p.name, p.description ?? ""]));
const messageOf = (policy: string, message: string) => message.slice(`${descriptions.get(policy)}\n`.length);

/** Every violation on the resource named `name`, as [policy, message] pairs, sorted. */
function on(report: PolicyReport, name: string): Array<[string, string]> {
    return report.violations.filter(v => v.urn.endsWith(`::${name}`)).map((v): [string, string] => [v.policy, messageOf(v.policy, v.message)]).sort();
}

/** Fluentd as components/k8s/logging.ts configures it: root, every capability dropped, /var/log from the node. */
function fluentdPod(containerOver?: Over): Over {
    return {
        automountServiceAccountToken: false,
        securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        containers: [container(merge({
            name: "fluentd",
            image: "fluent/fluentd-kubernetes-daemonset:v1.17.1-debian-elasticsearch8-1.0",
            ports: [{ containerPort: 24231 }],
            securityContext: { runAsNonRoot: false, runAsUser: 0 },
            volumeMounts: [{ name: "varlog", mountPath: "/var/log" }, { name: "tmp", mountPath: "/tmp" }],
        }, containerOver))],
        volumes: [{ name: "varlog", hostPath: { path: "/var/log" } }, { name: "tmp", emptyDir: {} }],
    };
}

const fluentdViolations = (name: string): Array<[string, string]> => [
    ["pod-no-host-path", `DaemonSet ${name}: volume "varlog" mounts hostPath "/var/log"; use an emptyDir, a PersistentVolumeClaim or a projected volume instead.`],
    ["pod-restricted-volume-types", `DaemonSet ${name}: volume "varlog" is of type hostPath; use one of configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret.`],
    ["pod-run-as-non-root", `DaemonSet ${name}: container "fluentd" may run as root; set securityContext.runAsNonRoot: true on the pod or the container.`],
    ["pod-run-as-non-zero-uid", `DaemonSet ${name}: container "fluentd" sets securityContext.runAsUser 0 (root); use a non-zero id such as 1000.`],
];

/** The labels fluentd-0.5.3.tgz renders on its DaemonSet as release `fluentd`. */
const fluentdChart = { "helm.sh/chart": "fluentd-0.5.3", "app.kubernetes.io/instance": "fluentd" };
/** kube-prometheus-stack 82.14.1 labels its operator the older way. */
const operatorChart = { chart: "kube-prometheus-stack-82.14.1", release: "kube-prometheus-stack" };

describe("policy pack: chart exemptions", () => {
    const resourceNames: string[] = [];
    const stack = stackUnderPolicies(() => run(() => {
        const p = providers("production");
        const ns = appNamespace("production", p.k8s);
        const k8sOpts = (parent?: pulumi.Resource): pulumi.CustomResourceOptions => ({ provider: p.k8s, parent });
        const daemonSet = (id: string, name: string, namespace: string, spec: Over, parent?: pulumi.Resource, helm: Record<string, string> = fluentdChart) => {
            resourceNames.push(id);
            const labels = { app: name };
            return new k8s.apps.v1.DaemonSet(id, {
                metadata: { name, namespace, labels: { ...labels, ...helm } },
                spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: spec as k8s.types.input.core.v1.PodSpec } },
            }, k8sOpts(parent));
        };
        const deployment = (id: string, name: string, namespace: string, replicas: number, parent?: pulumi.Resource, helm: Record<string, string> = operatorChart) => {
            resourceNames.push(id);
            const labels = { app: name };
            return new k8s.apps.v1.Deployment(id, {
                metadata: { name, namespace, labels: { ...labels, ...helm } },
                spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec() as k8s.types.input.core.v1.PodSpec } },
            }, k8sOpts(parent));
        };

        const fluentd = new FakeChart("logging-fluentd", { provider: p.k8s });
        daemonSet("chart-fluentd", "fluentd", "bookkeep-system", fluentdPod(), fluentd);
        const privileged = new FakeChart("logging-fluentd-privileged", { provider: p.k8s });
        daemonSet("chart-fluentd-privileged", "fluentd", "bookkeep-system", fluentdPod({ securityContext: { privileged: true } }), privileged);
        daemonSet("own-fluentd", "fluentd", "bookkeep-system", fluentdPod());
        const inApp = new FakeChart("app-fluentd", { provider: p.k8s });
        daemonSet("chart-fluentd-app", "fluentd", ns, fluentdPod(), inApp);
        const other = new FakeChart("log-agent", { provider: p.k8s });
        daemonSet("chart-log-agent", "log-agent", "bookkeep-system", fluentdPod(), other);
        // A component that borrows the Helm chart type token: without the archive's chart label
        // and the release's label on what it makes, nothing it makes is exempt.
        const imitation = new FakeChart("imitation", { provider: p.k8s });
        daemonSet("imitated-fluentd", "fluentd", "bookkeep-system", fluentdPod(), imitation, {});
        daemonSet("other-release-fluentd", "fluentd", "bookkeep-system", fluentdPod(), imitation, { ...fluentdChart, "app.kubernetes.io/instance": "logs" });
        daemonSet("other-archive-fluentd", "fluentd", "bookkeep-system", fluentdPod(), imitation, { ...fluentdChart, "helm.sh/chart": "fluentd-0.5.2" });

        // Single-replica controllers: only the named ones, and only as the chart renders them.
        const monitoring = new FakeChart("monitoring-chart", { provider: p.k8s });
        deployment("chart-operator", "kube-prometheus-stack-operator", "bookkeep-monitoring", 1, monitoring);
        deployment("own-operator", "kube-prometheus-stack-operator", "bookkeep-monitoring", 1);
        const ingress = new FakeChart("ingress-chart", { provider: p.k8s });
        deployment("chart-ingress-controller", "ingress-nginx-controller", "bookkeep-system", 1, ingress);
        const appChart = new FakeChart("app-chart", { provider: p.k8s });
        deployment("chart-app-deployment", "kube-prometheus-stack-operator", ns, 1, appChart);
        new BareChart("bare-chart", { provider: p.k8s });
        return {};
    }, "production"), () => readPackConfig(path.join(projectRoot(), "policies", "config", "production.json")));

    it("waives the named policies for the chart-rendered Fluentd in bookkeep-system", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "chart-fluentd")).to.deep.equal([]);
    });

    it("still reports what the exemption does not name (a privileged container)", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "chart-fluentd-privileged")).to.deep.equal([
            ["container-not-privileged", "DaemonSet fluentd: container \"fluentd\" is privileged; remove securityContext.privileged (it grants full host access)."],
        ]);
    });

    it("never exempts our own typed workload of the same name and namespace", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "own-fluentd")).to.deep.equal(fluentdViolations("fluentd"));
    });

    it("never exempts a chart's workload in the app namespace", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "chart-fluentd-app")).to.deep.equal(fluentdViolations("fluentd"));
    });

    it("never exempts a chart's workload whose name the list does not name", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "chart-log-agent")).to.deep.equal(fluentdViolations("log-agent"));
    });

    it("never exempts what carries another archive's or release's labels, or none, whatever its parent's type", async () => {
        const { report } = await stack.evaluate();
        for (const name of ["imitated-fluentd", "other-release-fluentd", "other-archive-fluentd"]) {
            expect(on(report, name), name).to.deep.equal(fluentdViolations("fluentd"));
        }
    });

    it("waives replicas for a named single-replica chart controller, and leaves PDBs to the chart outside the app namespace", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "chart-operator")).to.deep.equal([]);
    });

    it("still requires two production replicas of a chart workload the list does not name", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "chart-ingress-controller")).to.deep.equal([
            ["workload-replicas-production", "Deployment ingress-nginx-controller runs 1 replica(s) in production; set spec.replicas to at least 2 or scale it with an HPA whose minReplicas is at least 2."],
        ]);
    });

    it("holds our own Deployments and charts' Deployments in the app namespace to replicas and PDBs", async () => {
        const { report } = await stack.evaluate();
        expect(on(report, "own-operator")).to.deep.equal([
            ["deployment-has-pdb", "Deployment kube-prometheus-stack-operator in bookkeep-monitoring has no PodDisruptionBudget; add one whose selector matches its pod labels (maxUnavailable: 1)."],
            ["workload-replicas-production", "Deployment kube-prometheus-stack-operator runs 1 replica(s) in production; set spec.replicas to at least 2 or scale it with an HPA whose minReplicas is at least 2."],
        ]);
        expect(on(report, "chart-app-deployment")).to.deep.equal([
            ["deployment-has-pdb", "Deployment kube-prometheus-stack-operator in bookkeep-production has no PodDisruptionBudget; add one whose selector matches its pod labels (maxUnavailable: 1)."],
            ["workload-replicas-production", "Deployment kube-prometheus-stack-operator runs 1 replica(s) in production; set spec.replicas to at least 2 or scale it with an HPA whose minReplicas is at least 2."],
        ]);
    });

    it("finds the chart policies not applicable to a Helm v4 Chart registered without inputs, as every real engine registers it", async () => {
        const { report } = await stack.evaluate();
        expect(report.violations.filter(v => v.urn.endsWith("::bare-chart") || v.policy.startsWith("helm-"))).to.deep.equal([]);
        for (const policy of helmPolicies) {
            const { reports, notApplicable } = verdict(policy, "kubernetes:helm.sh/v4:Chart", {});
            expect(reports, policy.name).to.deep.equal([]);
            expect(notApplicable, policy.name).to.match(/registered without its inputs/);
        }
    });

    it("still holds a chart whose inputs the pack sees to the chart rules", () => {
        const floating = { chart: "ingress-nginx", version: "~4.12", repositoryOpts: { repo: "http://charts.example.com" }, values: { image: "nginx:latest" } };
        for (const type of ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"]) {
            for (const policy of helmPolicies) {
                const { reports, notApplicable } = verdict(policy, type, floating);
                expect(notApplicable, `${type} ${policy.name}`).to.equal(undefined);
                expect(reports.length, `${type} ${policy.name}`).to.equal(1);
            }
        }
        // A Release without a chart is broken, not a component: the rules apply.
        expect(verdict(present(chartPolicies[0], "a chart policy"), "kubernetes:helm.sh/v3:Release", {}).reports.length).to.equal(1);
    });

    it("reports nothing beyond the fixtures' own violations, all mandatory", async () => {
        const { report } = await stack.evaluate();
        const named = new Set(resourceNames);
        const elsewhere = report.violations.filter(v => !named.has(v.urn.split("::").pop() ?? ""));
        expect(elsewhere.map(v => `${v.policy} ${v.urn}`)).to.deep.equal([]);
        expect(report.violations.length).to.equal(1 + 4 * 6 + 1 + 2 * 2);
        expect(report.violations.every(v => v.enforcementLevel === "mandatory")).to.equal(true);
    });
});

describe("policy pack: chart exemption list", () => {
    const policyNames = new Set(pack.policies.map(p => p.name));

    it("names each exemption once, with a reason, real policies, a system namespace and an anchored pattern", () => {
        expect(chartExemptions.map(e => e.id)).to.deep.equal([
            "fluentd-node-logs", "node-exporter-host-metrics",
            "grafana-writable-root", "single-replica-controllers", "sealed-secrets-single-replica",
            "envoy-gateway-uses-kube-api", "cert-manager-uses-kube-api", "cert-manager-probe-endpoints", "sealed-secrets-uses-kube-api",
            "fluentd-kube-metadata", "monitoring-controllers-use-kube-api", "nats-config-reloader",
            "eck-operator-uses-kube-api", "eck-operator-no-probe-endpoint", "cnpg-operator-uses-kube-api",
            "minio-server-unrestricted", "minio-chart-gaps", "flagger-uses-kube-api", "flagger-loadtester-token-off-by-account",
            "velero-single-replica", "velero-uses-kube-api",
            "elasticsearch-exporter-token-off-by-account", "elasticsearch-exporter-single-replica",
        ]);
        for (const e of chartExemptions) {
            expect(e.reason.length, e.id).to.be.greaterThan(40);
            expect(e.policies.length, e.id).to.be.greaterThan(0);
            expect(e.policies.filter(p => !policyNames.has(p)), e.id).to.deep.equal([]);
            expect(e.namespace, e.id).to.be.oneOf(["bookkeep-system", "bookkeep-monitoring", "bookkeep-nats", "bookkeep-data", "bookkeep-node-exporter"]);
            expect(e.name.source, e.id).to.match(/^\^.*\$$/);
            expect(Object.keys(vendoredCharts), e.id).to.include(e.chart.archive);
            expect(e.chart.labels.length, e.id).to.be.greaterThan(0);
        }
    });

    it("waives only what the charts need: Fluentd keeps every capability rule, nothing may run privileged, unpinned or unbounded, and only API controllers keep a token", () => {
        expect(chartExemptions.find(e => e.id === "fluentd-node-logs")?.policies).to.deep.equal([
            "pod-run-as-non-root", "pod-run-as-non-zero-uid", "pod-no-host-path", "pod-restricted-volume-types",
        ]);
        const never = ["container-not-privileged", "pod-baseline-kernel-options", "container-image-pinned", "container-resources-set"];
        const waived = chartExemptions.flatMap(e => e.policies);
        expect(waived.filter(p => never.includes(p))).to.deep.equal([]);
        expect(chartExemptions.filter(e => e.policies.includes("pod-no-automounted-token")).map(e => e.id)).to.deep.equal([
            "envoy-gateway-uses-kube-api", "cert-manager-uses-kube-api", "sealed-secrets-uses-kube-api", "fluentd-kube-metadata",
            "monitoring-controllers-use-kube-api", "eck-operator-uses-kube-api", "cnpg-operator-uses-kube-api", "minio-chart-gaps", "flagger-uses-kube-api",
            // Its ServiceAccount (components/k8s/flagger.ts) mounts no token; the chart cannot say so on the pod.
            "flagger-loadtester-token-off-by-account",
            "velero-uses-kube-api",
            // Its ServiceAccount (components/k8s/esExporter.ts) mounts no token, as the loadtester's.
            "elasticsearch-exporter-token-off-by-account",
        ]);
    });

    it("recognises chart-rendered objects by the Helm chart among their URN's ancestors", () => {
        const chain = "pulumi:pulumi:Stack$bookkeep:index:Platform$bookkeep:k8s:Platform$bookkeep:k8s:Logging";
        const urn = (types: string) => `urn:pulumi:production::bookkeep::${types}::fluentd`;
        expect(isChartRendered(urn(`${chain}$kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:DaemonSet`))).to.equal(true);
        expect(isChartRendered(urn(`${chain}$kubernetes:helm.sh/v3:Chart$kubernetes:apps/v1:DaemonSet`))).to.equal(true);
        expect(isChartRendered(urn(`${chain}$kubernetes:apps/v1:DaemonSet`))).to.equal(false);
        // The chart resource itself is not one of its rendered objects.
        expect(isChartRendered(urn(`${chain}$kubernetes:helm.sh/v4:Chart`))).to.equal(false);
        expect(isChartRendered("not-a-urn")).to.equal(false);
    });

    it("matches kind, namespace and name exactly", () => {
        const chartUrn = (type: string) => `urn:pulumi:production::bookkeep::pulumi:pulumi:Stack$kubernetes:helm.sh/v4:Chart$${type}::x`;
        const labels: Record<string, Record<string, string>> = {
            fluentd: fluentdChart,
            "kube-prometheus-stack-prometheus-node-exporter": { "helm.sh/chart": "prometheus-node-exporter-4.52.2", "app.kubernetes.io/instance": "kube-prometheus-stack" },
        };
        const subject = (type: string, name: string, namespace: string) =>
            ({ type, name, urn: chartUrn(type), props: { metadata: { name, namespace, labels: labels[name] ?? fluentdChart }, spec: { template: { spec: {} } } } });
        const ds = "kubernetes:apps/v1:DaemonSet";
        expect(exemptionFor("pod-no-host-path", subject(ds, "fluentd", "bookkeep-system"))?.id).to.equal("fluentd-node-logs");
        expect(exemptionFor("container-not-privileged", subject(ds, "fluentd", "bookkeep-system"))).to.equal(undefined);
        expect(exemptionFor("pod-no-host-path", subject("kubernetes:apps/v1:Deployment", "fluentd", "bookkeep-system"))).to.equal(undefined);
        expect(exemptionFor("pod-no-host-path", subject(ds, "fluentd", "bookkeep-monitoring"))).to.equal(undefined);
        expect(exemptionFor("pod-no-host-path", subject(ds, "fluentd-extra", "bookkeep-system"))).to.equal(undefined);
        expect(exemptionFor("pod-no-host-namespaces", subject(ds, "kube-prometheus-stack-prometheus-node-exporter", "bookkeep-node-exporter"))?.id)
            .to.equal("node-exporter-host-metrics");
        // bookkeep-monitoring enforces restricted: node-exporter is not exempt there any more.
        expect(exemptionFor("pod-no-host-namespaces", subject(ds, "kube-prometheus-stack-prometheus-node-exporter", "bookkeep-monitoring"))).to.equal(undefined);
        // Even an exemption naming an app namespace would not apply there.
        const rogue = [{ ...present(chartExemptions[0], "a chart exemption"), namespace: "bookkeep-staging" }];
        expect(exemptionFor("pod-no-host-path", subject(ds, "fluentd", "bookkeep-staging"), rogue)).to.equal(undefined);
    });
});
