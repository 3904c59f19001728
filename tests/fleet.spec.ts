import * as k8s from "@pulumi/kubernetes";
import { expect } from "chai";
import { Fleet } from "../components/fleet";
import { platformPeers } from "../components/naming";
import { Evaluation } from "../offline/engine";
import { readStackFile } from "../offline/stackFile";
import { catalogEntries, defaultManifestPath, loadCatalog, loadRelease, releaseAt, ServiceSpecInput } from "../services";
import { parseStackConfig } from "../stacks/load";
import { Environment } from "../stacks/schema";
import { fakeFoundation } from "./fakeFoundation";
import { counts, expectInputError, ofType, one, present, run } from "./harness";

const T = {
    account: "kubernetes:core/v1:ServiceAccount",
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
    hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    route: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    configMap: "kubernetes:core/v1:ConfigMap",
    provider: "pulumi:providers:kubernetes",
    fleet: "bookkeep:fleet:Fleet",
    component: "bookkeep:fleet:Service",
};

/** Where every service's route attaches: the api listener of the Gateway in bookkeep-system. */
const apiListener = { group: "gateway.networking.k8s.io", kind: "Gateway", name: "bookkeep-gateway", namespace: "bookkeep-system", sectionName: "https-api" };
const prefixes: Record<string, string> = {
    auth: "/v1/auth", bookkeeping: "/v1/transactions", invoice: "/v1/invoices", tax: "/v1/tax", customer: "/v1/customers", report: "/v1/reports",
};

/** What each service uses, stated independently of the catalog code (catalog.spec checks they agree). */
const uses: Record<string, string[]> = {
    auth: ["postgres", "redis"],
    bookkeeping: ["postgres", "redis", "nats"],
    invoice: ["postgres", "redis", "nats"],
    tax: ["postgres", "nats"],
    customer: ["postgres", "redis"],
    report: ["postgres", "nats"],
};
const six = Object.keys(uses);
/** fakeFoundation's data-subnet peers (the managed Postgres and Redis live there). */
const dataPeers = [{ ipBlock: { cidr: "10.10.96.0/24" } }, { ipBlock: { cidr: "10.10.97.0/24" } }, { ipBlock: { cidr: "10.10.98.0/24" } }];

const payroll: ServiceSpecInput = {
    name: "payroll", image: "payroll-service", port: 3200, metricsPort: 9100, routePrefix: "/v1/payroll",
    backends: ["nats"], resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
    scaling: { cpuUtilization: 60, memoryUtilization: 75, maxReplicas: 4 },
};

interface Scenario {
    readonly stack: Environment;
    readonly cloud?: "aws" | "gcp" | "local";
    readonly overrides?: Record<string, unknown>;
    readonly extra?: ServiceSpecInput[];
}

/** Runs the Fleet alone on fakeFoundation, after a stand-in for the migration Job. */
function evaluateFleet(s: Scenario): Promise<Evaluation> {
    const config = parseStackConfig(readStackFile(s.stack, s.overrides).config);
    return run(() => {
        const f = fakeFoundation(s.cloud ?? "aws");
        const migration = new k8s.core.v1.ConfigMap("migration-stand-in", { metadata: { name: "migration" } }, { provider: f.k8sProvider });
        const catalog = loadCatalog([...catalogEntries, ...(s.extra ?? [])]);
        // The environment's manifest for the catalog's services; a test's extra services at v0.3.1.
        const release = { ...releaseAt(catalog, "v0.3.1"), ...loadRelease(defaultManifestPath(config.environment), loadCatalog()) };
        const fleet = new Fleet("bookkeep-fleet", {
            config, foundation: f, catalog, namespace: `bookkeep-${config.environment}`, release,
        }, { providers: [f.k8sProvider], dependsOn: [migration] });
        return { routes: fleet.routes };
    });
}

/** The recorded inputs of the one `type` object whose Kubernetes name is `name`. */
function k8sObject(ev: Evaluation, type: string, name: string): any {
    const found = ev.resources.filter(r => r.type === type && (r.inputs.metadata as any)?.name === name);
    expect(found.map(r => (r.inputs.metadata as any).name), `exactly one ${type} named ${name}`).to.deep.equal([name]);
    return found[0]!.inputs;
}

const secretRef = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: "bookkeeping-secrets", key } } });

function expectedEnv(name: string, tag: string, environment: string) {
    const u = uses[name] ?? [];
    return [
        ...(u.includes("postgres") ? [secretRef("DATABASE_URL", "database-url")] : []),
        ...(u.includes("redis") ? [secretRef("REDIS_URL", "redis-url")] : []),
        ...(u.includes("nats") ? [secretRef("NATS_URL", `nats-url-${name}`)] : []),
        ...(name === "auth" ? [secretRef("JWT_SECRET", "jwt-secret")] : []),
        { name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://otel-collector:4318" },
        { name: "OTEL_SERVICE_NAME", value: `${name}-service` },
        { name: "OTEL_RESOURCE_ATTRIBUTES", value: `service.version=${tag},deployment.environment=${environment}` },
    ];
}

function expectedEgress(backendsUsed: string[], environment: Environment) {
    const peers = platformPeers(environment);
    const tcp = (port: number) => ({ protocol: "TCP", port });
    return [
        { to: [peers.dns], ports: [{ protocol: "UDP", port: 53 }, tcp(53)] },
        ...(backendsUsed.includes("postgres") ? [{ to: dataPeers, ports: [tcp(5432)] }] : []),
        ...(backendsUsed.includes("redis") ? [{ to: dataPeers, ports: [tcp(6379)] }] : []),
        ...(backendsUsed.includes("nats") ? [{ to: [peers.nats], ports: [tcp(4222)] }] : []),
        { to: [peers.otelCollector], ports: [tcp(4318)] },
    ];
}

/** The hardened pod template every track of every service must have. */
function expectPodTemplate(pod: any, app: string, container: string, image: string, resources: unknown, ports = { http: 3100, metrics: 9090 }): void {
    expect(pod.metadata.labels).to.include({ app, "app.kubernetes.io/name": container, "app.kubernetes.io/part-of": "bookkeep" });
    const spec = pod.spec;
    expect(spec.serviceAccountName).to.equal(container);
    expect(spec.automountServiceAccountToken).to.equal(false);
    expect(spec.securityContext).to.deep.equal({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, seccompProfile: { type: "RuntimeDefault" } });
    expect(spec.affinity).to.deep.equal({
        podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
                weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { app } }, topologyKey: "kubernetes.io/hostname" },
            }],
        },
    });
    expect(spec.topologySpreadConstraints).to.deep.equal([{
        maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { app } }, matchLabelKeys: ["pod-template-hash"],
    }]);
    expect(spec.volumes).to.deep.equal([{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }]);
    expect(spec.containers).to.have.length(1);
    const c = spec.containers[0];
    expect(c.name).to.equal(container);
    expect(c.image).to.equal(image);
    expect(c.ports).to.deep.equal([
        { name: "http", containerPort: ports.http, protocol: "TCP" },
        { name: "metrics", containerPort: ports.metrics, protocol: "TCP" },
    ]);
    expect(c.resources).to.deep.equal(resources);
    expect(c.livenessProbe).to.deep.equal({ httpGet: { path: "/health", port: ports.http }, initialDelaySeconds: 10, periodSeconds: 10 });
    expect(c.readinessProbe).to.deep.equal({ httpGet: { path: "/ready", port: ports.http }, initialDelaySeconds: 5, periodSeconds: 5 });
    expect(c.securityContext).to.deep.equal({
        allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" },
    });
    expect(c.volumeMounts).to.deep.equal([{ name: "tmp", mountPath: "/tmp" }]);
}

const standardResources = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
const perService = { [T.account]: 1, [T.deployment]: 1, [T.service]: 1, [T.hpa]: 1, [T.pdb]: 1, [T.policy]: 1, [T.route]: 1 };
/** Exact counts of custom resources: the provider and migration stand-in, `services` x the seven objects, and extras. */
function expectedCounts(services: number, extra: Record<string, number> = {}): Record<string, number> {
    const out: Record<string, number> = { [T.provider]: 1, [T.configMap]: 1 };
    for (const [type, n] of Object.entries(perService)) {
        out[type] = n * services;
    }
    for (const [type, n] of Object.entries(extra)) {
        out[type] = (out[type] ?? 0) + n;
    }
    return out;
}

describe("fleet", () => {
    describe("production on aws", () => {
        let ev: Evaluation;
        before(async () => {
            ev = await evaluateFleet({ stack: "production" });
        });

        it("creates exactly seven objects per service (its HTTPRoute included), all on the stack's k8s provider", () => {
            expect(counts(ev.resources)).to.deep.equal(expectedCounts(6));
            const provider = one(ev.resources, T.provider, "fake-k8s");
            for (const r of ev.resources.filter(x => x.custom && x.type.startsWith("kubernetes:"))) {
                expect(r.provider, r.name).to.equal(provider.urn);
            }
        });

        it("names every object after its service, in the app namespace, parented to its component", () => {
            const fleet = one(ev.resources, T.fleet, "bookkeep-fleet");
            expect(ofType(ev.resources, T.component).map(r => r.name)).to.deep.equal(six.map(n => `bookkeep-fleet-${n}`));
            for (const name of six) {
                const component = one(ev.resources, T.component, `bookkeep-fleet-${name}`);
                expect(component.parent).to.equal(fleet.urn);
                const objects: [string, string, string][] = [
                    [T.account, "sa", `${name}-service`], [T.deployment, "deployment", `${name}-service`], [T.service, "svc", `${name}-service`],
                    [T.hpa, "hpa", `${name}-service-hpa`], [T.pdb, "pdb", `${name}-service-pdb`], [T.policy, "netpol", `${name}-service-policy`],
                    [T.route, "route", name],
                ];
                for (const [type, suffix, k8sName] of objects) {
                    const r = one(ev.resources, type, `bookkeep-fleet-${name}-${suffix}`);
                    expect(r.parent, r.name).to.equal(component.urn);
                    expect(r.inputs.metadata, r.name).to.include({ name: k8sName, namespace: "bookkeep-production" });
                }
            }
        });

        it("gives each service an account without an automounted token", () => {
            for (const name of six) {
                expect(k8sObject(ev, T.account, `${name}-service`).automountServiceAccountToken, name).to.equal(false);
            }
        });

        it("shapes each Deployment as the requirements' service shape, hardened, with no replicas field (the HPA owns it)", () => {
            for (const name of six) {
                const d = k8sObject(ev, T.deployment, `${name}-service`);
                expect(d.spec.replicas, name).to.equal(undefined);
                expect(d.spec.selector).to.deep.equal({ matchLabels: { app: `${name}-service` } });
                expect(d.spec.strategy).to.deep.equal({ type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
                expectPodTemplate(d.spec.template, `${name}-service`, `${name}-service`, `ghcr.io/bookkeep/${name}-service:v1.0.0`, standardResources);
            }
        });

        it("passes each service only the secrets of the backends it uses, from bookkeeping-secrets, plus OTel settings", () => {
            for (const name of six) {
                const env = k8sObject(ev, T.deployment, `${name}-service`).spec.template.spec.containers[0].env;
                expect(env, name).to.deep.equal(expectedEnv(name, "v1.0.0", "production"));
            }
            const tax = k8sObject(ev, T.deployment, "tax-service").spec.template.spec.containers[0].env.map((e: any) => e.name);
            expect(tax).to.not.include("REDIS_URL");
            expect(tax).to.not.include("JWT_SECRET");
        });

        it("waits for what the fleet waits for (migration, the gateway's CRDs) before any Deployment or HTTPRoute", () => {
            const migration = one(ev.resources, T.configMap, "migration-stand-in");
            for (const d of [...ofType(ev.resources, T.deployment), ...ofType(ev.resources, T.route)]) {
                expect(d.dependsOn, d.name).to.include(migration.urn);
            }
            // Services, HPAs and policies need neither, and do not wait.
            expect(one(ev.resources, T.policy, "bookkeep-fleet-auth-netpol").dependsOn).to.not.include(migration.urn);
        });

        it("exposes port 80 to the http port and a metrics port the ServiceMonitor selects", () => {
            for (const name of six) {
                const s = k8sObject(ev, T.service, `${name}-service`);
                expect(s.metadata.labels).to.include({ monitoring: "enabled", app: `${name}-service` });
                expect(s.spec).to.deep.equal({
                    type: "ClusterIP",
                    selector: { app: `${name}-service` },
                    ports: [
                        { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
                        { name: "metrics", port: 9090, targetPort: "metrics", protocol: "TCP" },
                    ],
                });
            }
        });

        it("scales each Deployment 2-10 on CPU 70 % and memory 80 %", () => {
            for (const name of six) {
                expect(k8sObject(ev, T.hpa, `${name}-service-hpa`).spec, name).to.deep.equal({
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: `${name}-service` },
                    minReplicas: 2,
                    maxReplicas: 10,
                    metrics: [
                        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
                        { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } },
                    ],
                });
            }
        });

        it("lets a drain take at most one pod of a service at a time", () => {
            for (const name of six) {
                expect(k8sObject(ev, T.pdb, `${name}-service-pdb`).spec, name)
                    .to.deep.equal({ maxUnavailable: 1, selector: { matchLabels: { app: `${name}-service` } } });
            }
        });

        it("admits traffic only from the gateway's Envoy proxies on 3100 and Prometheus on metrics", () => {
            const peers = platformPeers("production");
            for (const name of six) {
                const p = k8sObject(ev, T.policy, `${name}-service-policy`).spec;
                expect(p.policyTypes).to.deep.equal(["Ingress", "Egress"]);
                expect(p.podSelector).to.deep.equal({ matchLabels: { "app.kubernetes.io/name": `${name}-service`, "app.kubernetes.io/part-of": "bookkeep" } });
                expect(p.ingress, name).to.deep.equal([
                    { from: [peers.gatewayProxy], ports: [{ protocol: "TCP", port: 3100 }] },
                    { from: [peers.prometheus], ports: [{ protocol: "TCP", port: 9090 }] },
                ]);
                const pod = k8sObject(ev, T.deployment, `${name}-service`).spec.template.metadata.labels;
                expect(pod, `${name} pods are selected by their policy`).to.include(p.podSelector.matchLabels);
            }
        });

        it("lets each service reach only DNS, the OTel collector and the backends the catalog says it uses", () => {
            for (const name of six) {
                expect(k8sObject(ev, T.policy, `${name}-service-policy`).spec.egress, name).to.deep.equal(expectedEgress(present(uses[name], `${name}'s backends`), "production"));
            }
            const egressPorts = (name: string) => k8sObject(ev, T.policy, `${name}-service-policy`).spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port));
            expect(egressPorts("tax")).to.deep.equal([53, 53, 5432, 4222, 4318]);
            expect(egressPorts("auth")).to.deep.equal([53, 53, 5432, 6379, 4318]);
        });

        it("routes api.bookkeep.app/<prefix> to each service with one HTTPRoute named after it, on the Gateway's api listener", () => {
            expect(ofType(ev.resources, T.route).map(r => (r.inputs.metadata as any).name)).to.deep.equal(six);
            for (const name of six) {
                const route = k8sObject(ev, T.route, name);
                expect(route.metadata.namespace).to.equal("bookkeep-production");
                expect(route.spec, name).to.deep.equal({
                    parentRefs: [apiListener],
                    hostnames: ["api.bookkeep.app"],
                    rules: [{ matches: [{ path: { type: "PathPrefix", value: prefixes[name] } }], backendRefs: [{ name: `${name}-service`, port: 80 }] }],
                });
                expect(one(ev.resources, T.route, `bookkeep-fleet-${name}-route`).parent).to.equal(one(ev.resources, T.component, `bookkeep-fleet-${name}`).urn);
            }
        });

        it("matches every route's prefix to the catalog's", () => {
            const catalog = loadCatalog([...catalogEntries]);
            for (const spec of catalog) {
                expect(k8sObject(ev, T.route, spec.name).spec.rules[0].matches[0].path.value, spec.name).to.equal(spec.routePrefix);
            }
        });

        it("exports each service's public route", () => {
            expect(ev.outputs.routes).to.deep.equal({
                auth: "https://api.bookkeep.app/v1/auth", bookkeeping: "https://api.bookkeep.app/v1/transactions",
                invoice: "https://api.bookkeep.app/v1/invoices", tax: "https://api.bookkeep.app/v1/tax",
                customer: "https://api.bookkeep.app/v1/customers", report: "https://api.bookkeep.app/v1/reports",
            });
        });
    });

    describe("staging", () => {
        let ev: Evaluation;
        before(async () => {
            ev = await evaluateFleet({ stack: "staging" });
        });

        it("has the same objects, in bookkeep-staging, on the staging host", () => {
            expect(counts(ev.resources)).to.deep.equal(expectedCounts(6));
            for (const r of ev.resources.filter(x => x.custom && x.type.startsWith("kubernetes:"))) {
                if (r.type !== T.configMap) {
                    expect((r.inputs.metadata as any).namespace, r.name).to.equal("bookkeep-staging");
                }
            }
            for (const name of six) {
                expect(k8sObject(ev, T.route, name).spec.hostnames, name).to.deep.equal(["api.staging.bookkeep.app"]);
            }
        });

        it("scales 1-2, and a single replica stays drainable", () => {
            for (const name of six) {
                expect(k8sObject(ev, T.hpa, `${name}-service-hpa`).spec, name).to.include({ minReplicas: 1, maxReplicas: 2 });
                expect(k8sObject(ev, T.pdb, `${name}-service-pdb`).spec.maxUnavailable, name).to.equal(1);
                expect(k8sObject(ev, T.pdb, `${name}-service-pdb`).spec.minAvailable, name).to.equal(undefined);
            }
        });

        it("keeps the standard resources, hardening and egress", () => {
            for (const name of six) {
                const d = k8sObject(ev, T.deployment, `${name}-service`);
                expectPodTemplate(d.spec.template, `${name}-service`, `${name}-service`, `ghcr.io/bookkeep/${name}-service:v1.0.0`, standardResources);
                expect(k8sObject(ev, T.policy, `${name}-service-policy`).spec.egress, name).to.deep.equal(expectedEgress(present(uses[name], `${name}'s backends`), "staging"));
            }
        });
    });

    describe("development on the local foundation", () => {
        let ev: Evaluation;
        before(async () => {
            ev = await evaluateFleet({ stack: "development", cloud: "local" });
        });

        it("runs one replica of each service with compact requests and the catalog's limits", () => {
            expect(counts(ev.resources)).to.deep.equal(expectedCounts(6));
            for (const name of six) {
                expect(k8sObject(ev, T.hpa, `${name}-service-hpa`).spec, name).to.include({ minReplicas: 1, maxReplicas: 1 });
                const d = k8sObject(ev, T.deployment, `${name}-service`);
                expectPodTemplate(d.spec.template, `${name}-service`, `${name}-service`, `ghcr.io/bookkeep/${name}-service:v1.0.0`,
                    { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
                expect(d.metadata.namespace).to.equal("bookkeep-development");
            }
            expect(k8sObject(ev, T.route, "auth").spec.hostnames).to.deep.equal(["api.bookkeep.localhost"]);
        });
    });

    describe("production on gcp", () => {
        let aws: Evaluation;
        let gcp: Evaluation;
        before(async () => {
            aws = await evaluateFleet({ stack: "production" });
            gcp = await evaluateFleet({ stack: "production", cloud: "gcp" });
        });

        it("yields the same objects with the same inputs as on aws", () => {
            const shape = (ev: Evaluation) => ev.resources
                .filter(r => r.type.startsWith("kubernetes:") || r.type.startsWith("bookkeep:"))
                .map(r => ({ type: r.type, name: r.name, inputs: r.inputs }));
            expect(shape(gcp)).to.have.length(6 * 8 + 2);
            expect(JSON.stringify(shape(gcp))).to.equal(JSON.stringify(shape(aws)));
        });
    });

    describe("with a canary for auth", () => {
        let ev: Evaluation;
        before(async () => {
            ev = await evaluateFleet({ stack: "production", overrides: { "bookkeep:fleet": { canaries: { auth: { tag: "v1.1.0", weight: 10 } } } } });
        });

        it("adds exactly a canary Deployment and Service for auth alone, and no second route", () => {
            expect(counts(ev.resources)).to.deep.equal(expectedCounts(6, { [T.deployment]: 1, [T.service]: 1 }));
            const auth = one(ev.resources, T.component, "bookkeep-fleet-auth");
            for (const [type, name] of [[T.deployment, "deployment"], [T.service, "svc"]] as const) {
                expect(one(ev.resources, type, `bookkeep-fleet-auth-canary-${name}`).parent).to.equal(auth.urn);
            }
            expect(ev.resources.filter(r => r.name.includes("canary")).map(r => r.name).sort()).to.deep.equal([
                "bookkeep-fleet-auth-canary-deployment", "bookkeep-fleet-auth-canary-svc",
            ]);
        });

        it("runs the canary tag with the same hardening, secrets and probes, one replica, after the migration", () => {
            const d = k8sObject(ev, T.deployment, "auth-service-canary");
            expect(d.spec.replicas).to.equal(1);
            expect(d.spec.selector).to.deep.equal({ matchLabels: { app: "auth-service-canary" } });
            expectPodTemplate(d.spec.template, "auth-service-canary", "auth-service", "ghcr.io/bookkeep/auth-service:v1.1.0", standardResources);
            expect(d.spec.template.spec.containers[0].env).to.deep.equal(expectedEnv("auth", "v1.1.0", "production"));
            const migration = one(ev.resources, T.configMap, "migration-stand-in");
            expect(one(ev.resources, T.deployment, "bookkeep-fleet-auth-canary-deployment").dependsOn).to.include(migration.urn);
            expect(one(ev.resources, T.route, "bookkeep-fleet-auth-route").dependsOn).to.include(migration.urn);
            const stable = k8sObject(ev, T.deployment, "auth-service");
            expect(stable.spec.template.spec.containers[0].image).to.equal("ghcr.io/bookkeep/auth-service:v1.0.0");
        });

        it("keeps the tracks apart: each Service selects only its own pods, the NetworkPolicy both", () => {
            const canaryPods = k8sObject(ev, T.deployment, "auth-service-canary").spec.template.metadata.labels;
            const stablePods = k8sObject(ev, T.deployment, "auth-service").spec.template.metadata.labels;
            const stable = k8sObject(ev, T.service, "auth-service");
            const canary = k8sObject(ev, T.service, "auth-service-canary");
            expect(canary.spec.selector).to.deep.equal({ app: "auth-service-canary" });
            expect(canary.spec.ports).to.deep.equal(stable.spec.ports);
            expect(canary.metadata.labels).to.include({ monitoring: "enabled", track: "canary" });
            expect(canaryPods).to.not.include(stable.spec.selector);
            expect(stablePods).to.not.include(canary.spec.selector);
            const policy = k8sObject(ev, T.policy, "auth-service-policy").spec.podSelector.matchLabels;
            expect(canaryPods).to.include(policy);
            expect(stablePods).to.include(policy);
        });

        it("sends 10 % of the auth route to the canary as a weighted backend of the same HTTPRoute", () => {
            expect(k8sObject(ev, T.route, "auth").spec.rules).to.deep.equal([{
                matches: [{ path: { type: "PathPrefix", value: "/v1/auth" } }],
                backendRefs: [{ name: "auth-service", port: 80, weight: 90 }, { name: "auth-service-canary", port: 80, weight: 10 }],
            }]);
            // Only auth's route is split.
            expect(k8sObject(ev, T.route, "tax").spec.rules[0].backendRefs).to.deep.equal([{ name: "tax-service", port: 80 }]);
        });
    });

    describe("with a seventh service in the catalog", () => {
        let ev: Evaluation;
        before(async () => {
            ev = await evaluateFleet({ stack: "production", extra: [payroll] });
        });

        it("gives it every object the others have", () => {
            expect(counts(ev.resources)).to.deep.equal(expectedCounts(7));
            for (const [type, k8sName] of [[T.account, "payroll-service"], [T.deployment, "payroll-service"], [T.service, "payroll-service"],
                [T.hpa, "payroll-service-hpa"], [T.pdb, "payroll-service-pdb"], [T.policy, "payroll-service-policy"]] as const) {
                k8sObject(ev, type, k8sName);
            }
        });

        it("deploys it from its entry: image, ports, resources, env and its own scaling bounds", () => {
            const d = k8sObject(ev, T.deployment, "payroll-service");
            expectPodTemplate(d.spec.template, "payroll-service", "payroll-service", "ghcr.io/bookkeep/payroll-service:v0.3.1",
                payroll.resources, { http: 3200, metrics: 9100 });
            expect(d.spec.template.spec.containers[0].env.map((e: any) => e.name))
                .to.deep.equal(["NATS_URL", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"]);
            // Its own NATS user's URL.
            expect(d.spec.template.spec.containers[0].env[0]).to.deep.equal(secretRef("NATS_URL", "nats-url-payroll"));
            expect(k8sObject(ev, T.hpa, "payroll-service-hpa").spec).to.deep.include({ minReplicas: 2, maxReplicas: 4 });
            expect(k8sObject(ev, T.hpa, "payroll-service-hpa").spec.metrics.map((m: any) => m.resource.target.averageUtilization)).to.deep.equal([60, 75]);
            expect(k8sObject(ev, T.service, "payroll-service").spec.ports)
                .to.deep.equal([{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }, { name: "metrics", port: 9100, targetPort: "metrics", protocol: "TCP" }]);
        });

        it("walls it in by its own ports and backends", () => {
            const p = k8sObject(ev, T.policy, "payroll-service-policy").spec;
            const peers = platformPeers("production");
            expect(p.ingress).to.deep.equal([
                { from: [peers.gatewayProxy], ports: [{ protocol: "TCP", port: 3200 }] },
                { from: [peers.prometheus], ports: [{ protocol: "TCP", port: 9100 }] },
            ]);
            expect(p.egress).to.deep.equal(expectedEgress(["nats"], "production"));
        });

        it("routes /v1/payroll to it and exports the route", () => {
            expect(ofType(ev.resources, T.route)).to.have.length(7);
            expect(k8sObject(ev, T.route, "payroll").spec.rules).to.deep.equal([{
                matches: [{ path: { type: "PathPrefix", value: "/v1/payroll" } }], backendRefs: [{ name: "payroll-service", port: 80 }],
            }]);
            expect((ev.outputs.routes as Record<string, string>).payroll).to.equal("https://api.bookkeep.app/v1/payroll");
        });
    });

    describe("rejects bad arguments with an input error naming the field", () => {
        const config = () => parseStackConfig(readStackFile("staging", { "bookkeep:fleet": { canaries: { auth: { tag: "v1.1.0", weight: 10 } } } }).config);
        const attempt = (catalog: unknown[], namespace = "bookkeep-staging") => () => run(() => {
            const f = fakeFoundation("aws");
            const specs = loadCatalog(catalog);
            new Fleet("bookkeep-fleet", { config: config(), foundation: f, catalog: specs, namespace, release: releaseAt(specs, "v1.0.0") }, { providers: [f.k8sProvider] });
        });

        it("a canary for a service the catalog does not have", async () => {
            await expectInputError(attempt(catalogEntries.filter(s => s.name !== "auth")),
                "invalid fleet:", "bookkeep:fleet.canaries.auth: is not a service in the catalog; known services are bookkeeping, invoice, tax, customer, report");
        });

        it("a service whose own minReplicas exceeds the stack's maxReplicas", async () => {
            await expectInputError(attempt([...catalogEntries, { ...payroll, scaling: { cpuUtilization: 60, memoryUtilization: 75, minReplicas: 3 } }]),
                "invalid service payroll:", "services.payroll.minReplicas: must not exceed maxReplicas (2); got 3 (from the catalog)");
        });

        it("a namespace that is not a Kubernetes name", async () => {
            await expectInputError(attempt([...catalogEntries], "Bookkeep_Staging"),
                "namespace: must be a Kubernetes namespace name such as bookkeep-production (got \"Bookkeep_Staging\")");
        });

        it("while the same arguments with a valid catalog evaluate", async () => {
            const registered = (await attempt([...catalogEntries])()).resources;
            expect(ofType(registered, T.route)).to.have.length(6);
        });
    });
});
