/**
 * policies/hardening.ts's pod rules, called as the analyzer calls them: a compliant Deployment,
 * and beside it the same Deployment with one property broken, each with its exact message.
 */
import { ResourceValidationPolicy, StackValidationArgs } from "@pulumi/policy";
import { expect } from "chai";
import {
    containerDropAllCapabilities, containerImagePinned, containerNoHostPorts, containerNoPrivilegeEscalation, containerNotPrivileged, containerProbes,
    containerReadOnlyRootFilesystem, containerResourcesSet, imageTag, kubeApiAccessAnnotation, persistentVolumeNoHostPath, podBaselineKernelOptions,
    podNoAutomountedToken, podNoHostNamespaces, podNoHostPath, podRestrictedVolumeTypes, podRunAsNonRoot, podRunAsNonZeroUid, podSeccompProfile,
    workloadReplicasProduction,
} from "../policies/hardening";
import { check } from "./policies-units-harness";

type Props = Record<string, unknown>;

const deploymentType = "kubernetes:apps/v1:Deployment";
const patchType = "kubernetes:apps/v1:DeploymentPatch";

/** A container that passes every rule; `over` replaces its fields (undefined removes one). */
const container = (over: Props = {}): Props => ({
    name: "api",
    image: "ghcr.io/bookkeep/api:1.4.2",
    securityContext: {
        runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" },
    },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
    readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
    ...over,
});
const secured = (sc: Props): Props => container({ securityContext: { ...(container().securityContext as Props), ...sc } });

/** A Deployment named api whose pod spec is `pod` (plus `containers` unless `pod` names them). */
const deployment = (pod: Props = {}, template: Props = {}): Props =>
    ({ metadata: { name: "api" }, spec: { replicas: 2, template: { ...template, spec: { automountServiceAccountToken: false, containers: [container()], ...pod } } } });
const withContainer = (c: Props) => deployment({ containers: [c] });

const run = (policy: ResourceValidationPolicy, props: Props, type = deploymentType) => check(policy, type, props);

describe("policy units: pod security (PSS restricted)", () => {
    it("passes the compliant Deployment under every rule", () => {
        for (const policy of [podRunAsNonRoot, podRunAsNonZeroUid, containerNoPrivilegeEscalation, containerDropAllCapabilities, podSeccompProfile,
            podRestrictedVolumeTypes, containerNotPrivileged, podNoHostNamespaces, podNoHostPath, containerNoHostPorts, podBaselineKernelOptions,
            containerReadOnlyRootFilesystem, containerResourcesSet, containerProbes, containerImagePinned, podNoAutomountedToken]) {
            expect(run(policy, deployment()), policy.name).to.deep.equal([]);
        }
    });

    it("requires runAsNonRoot: true on the container or, failing that, the pod", () => {
        const root = "Deployment api: container \"api\" may run as root; set securityContext.runAsNonRoot: true on the pod or the container.";
        expect(run(podRunAsNonRoot, withContainer(secured({ runAsNonRoot: false })))).to.deep.equal([root]);
        expect(run(podRunAsNonRoot, withContainer(secured({ runAsNonRoot: undefined })))).to.deep.equal([root]);
        expect(run(podRunAsNonRoot, deployment({ securityContext: { runAsNonRoot: true }, containers: [secured({ runAsNonRoot: undefined })] }))).to.deep.equal([]);
        expect(run(podRunAsNonRoot, deployment({ securityContext: { runAsNonRoot: true }, containers: [secured({ runAsNonRoot: false })] }))).to.deep.equal([root]);
        expect(run(podRunAsNonRoot, deployment({ initContainers: [{ name: "migrate", image: "a:1" }] }))).to.deep.equal([
            "Deployment api: init container \"migrate\" may run as root; set securityContext.runAsNonRoot: true on the pod or the container.",
        ]);
    });

    it("refuses user or group 0 on the pod and on each container", () => {
        const pod = (key: string) => `Deployment api: pod securityContext.${key} is 0 (root); use a non-zero id such as 1000.`;
        const own = (key: string) => `Deployment api: container "api" sets securityContext.${key} 0 (root); use a non-zero id such as 1000.`;
        expect(run(podRunAsNonZeroUid, deployment({ securityContext: { runAsUser: 0 } }))).to.deep.equal([pod("runAsUser")]);
        expect(run(podRunAsNonZeroUid, deployment({ securityContext: { runAsGroup: 0 } }))).to.deep.equal([pod("runAsGroup")]);
        expect(run(podRunAsNonZeroUid, deployment({ securityContext: { runAsUser: 1000, runAsGroup: 1000 } }))).to.deep.equal([]);
        expect(run(podRunAsNonZeroUid, withContainer(secured({ runAsUser: 0 })))).to.deep.equal([own("runAsUser")]);
        expect(run(podRunAsNonZeroUid, withContainer(secured({ runAsGroup: 0 })))).to.deep.equal([own("runAsGroup")]);
        expect(run(podRunAsNonZeroUid, withContainer(secured({ runAsUser: 1000, runAsGroup: 1 })))).to.deep.equal([]);
        expect(run(podRunAsNonZeroUid, withContainer(container({ securityContext: undefined })))).to.deep.equal([]);
    });

    it("requires allowPrivilegeEscalation: false on every container", () => {
        const escalates = "Deployment api: container \"api\" must set securityContext.allowPrivilegeEscalation: false.";
        expect(run(containerNoPrivilegeEscalation, withContainer(secured({ allowPrivilegeEscalation: true })))).to.deep.equal([escalates]);
        expect(run(containerNoPrivilegeEscalation, withContainer(secured({ allowPrivilegeEscalation: undefined })))).to.deep.equal([escalates]);
        expect(run(containerNoPrivilegeEscalation, withContainer(container({ securityContext: undefined })))).to.deep.equal([escalates]);
        expect(run(containerNoPrivilegeEscalation, withContainer(container({ securityContext: undefined })), patchType)).to.deep.equal([]);
        expect(run(containerNoPrivilegeEscalation, withContainer(secured({ allowPrivilegeEscalation: true })), patchType)).to.deep.equal([
            "DeploymentPatch api: container \"api\" must set securityContext.allowPrivilegeEscalation: false.",
        ]);
    });

    it("requires dropping ALL capabilities and adding none but NET_BIND_SERVICE", () => {
        const keeps = "Deployment api: container \"api\" must drop all capabilities: securityContext.capabilities.drop: [\"ALL\"].";
        expect(run(containerDropAllCapabilities, withContainer(secured({ capabilities: { drop: ["NET_RAW"] } })))).to.deep.equal([keeps]);
        expect(run(containerDropAllCapabilities, withContainer(secured({ capabilities: undefined })))).to.deep.equal([keeps]);
        expect(run(containerDropAllCapabilities, withContainer(container({ securityContext: undefined })))).to.deep.equal([keeps]);
        expect(run(containerDropAllCapabilities, withContainer(container({ securityContext: undefined })), patchType)).to.deep.equal([]);
        expect(run(containerDropAllCapabilities, withContainer(secured({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })))).to.deep.equal([]);
        expect(run(containerDropAllCapabilities, withContainer(secured({ capabilities: { drop: ["ALL"], add: ["NET_ADMIN", "NET_BIND_SERVICE", "SYS_TIME"] } }))))
            .to.deep.equal(["Deployment api: container \"api\" adds capabilities NET_ADMIN, SYS_TIME; only NET_BIND_SERVICE may be added."]);
    });

    it("requires a RuntimeDefault or Localhost seccomp profile, the pod's serving its containers", () => {
        const profile = (type: string) => `Deployment api: container "api" has seccomp profile ${type}; set securityContext.seccompProfile.type: RuntimeDefault on the pod.`;
        expect(run(podSeccompProfile, withContainer(secured({ seccompProfile: { type: "Unconfined" } })))).to.deep.equal([profile("\"Unconfined\"")]);
        expect(run(podSeccompProfile, withContainer(secured({ seccompProfile: undefined })))).to.deep.equal([profile("null")]);
        expect(run(podSeccompProfile, withContainer(secured({ seccompProfile: { type: "Localhost", localhostProfile: "p.json" } })))).to.deep.equal([]);
        expect(run(podSeccompProfile, deployment({ securityContext: { seccompProfile: { type: "RuntimeDefault" } }, containers: [secured({ seccompProfile: undefined })] })))
            .to.deep.equal([]);
        expect(run(podSeccompProfile, withContainer(secured({ seccompProfile: undefined })), patchType)).to.deep.equal([]);
    });

    it("allows only the restricted volume types, naming each other type once", () => {
        const allowed = "configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret";
        const volumes = (...vs: unknown[]) => run(podRestrictedVolumeTypes, deployment({ volumes: vs }));
        expect(volumes({ name: "tmp", emptyDir: {} }, { name: "cfg", configMap: { name: "c" } }, "not-a-volume")).to.deep.equal([]);
        expect(volumes({ name: "tmp", emptyDir: {} }, { name: "odd", hostPath: { path: "/" }, gitRepo: { repository: "r" } })).to.deep.equal([
            `Deployment api: volume "odd" is of type gitRepo, hostPath; use one of ${allowed}.`,
        ]);
        expect(volumes({ name: "nfs", nfs: { server: "s", path: "/" } })).to.deep.equal([`Deployment api: volume "nfs" is of type nfs; use one of ${allowed}.`]);
    });
});

describe("policy units: pod security (PSS baseline)", () => {
    it("refuses privileged containers only when privileged is true", () => {
        expect(run(containerNotPrivileged, withContainer(secured({ privileged: true })))).to.deep.equal([
            "Deployment api: container \"api\" is privileged; remove securityContext.privileged (it grants full host access).",
        ]);
        expect(run(containerNotPrivileged, withContainer(secured({ privileged: false })))).to.deep.equal([]);
        expect(run(containerNotPrivileged, withContainer(container({ securityContext: undefined })))).to.deep.equal([]);
    });

    it("refuses each host namespace the pod shares", () => {
        for (const key of ["hostNetwork", "hostPID", "hostIPC"]) {
            expect(run(podNoHostNamespaces, deployment({ [key]: true })), key).to.deep.equal([
                `Deployment api: ${key} is true; remove it so the pod does not share the node's namespaces.`,
            ]);
            expect(run(podNoHostNamespaces, deployment({ [key]: false })), key).to.deep.equal([]);
        }
    });

    it("refuses hostPath volumes, naming the path", () => {
        expect(run(podNoHostPath, deployment({ volumes: [{ name: "root", hostPath: { path: "/" } }, { name: "tmp", emptyDir: {} }, null] }))).to.deep.equal([
            "Deployment api: volume \"root\" mounts hostPath \"/\"; use an emptyDir, a PersistentVolumeClaim or a projected volume instead.",
        ]);
        expect(run(podNoHostPath, deployment({ volumes: [{ name: "odd", hostPath: null }] }))).to.deep.equal([
            "Deployment api: volume \"odd\" mounts hostPath null; use an emptyDir, a PersistentVolumeClaim or a projected volume instead.",
        ]);
    });

    it("refuses a non-zero numeric hostPort", () => {
        const ports = (...ps: unknown[]) => run(containerNoHostPorts, withContainer(container({ ports: ps })));
        expect(ports({ containerPort: 8080, hostPort: 8080 }, { containerPort: 9090 })).to.deep.equal([
            "Deployment api: container \"api\" binds hostPort 8080; remove hostPort and expose the port through a Service.",
        ]);
        expect(ports({ containerPort: 8080, hostPort: 0 }, null, { containerPort: 8080, hostPort: "8080" })).to.deep.equal([]);
    });

    it("keeps sysctls, /proc, SELinux, AppArmor and Windows host processes at baseline", () => {
        const kernel = (pod: Props, c: Props = {}, annotations?: Props) =>
            check(podBaselineKernelOptions, deploymentType, deployment({ ...pod, containers: [secured(c)] }, annotations ? { metadata: { annotations } } : {}));
        const where = "Deployment api: ";
        expect(kernel({ securityContext: { sysctls: [{ name: "net.ipv4.tcp_syncookies", value: "1" }, "x"] } })).to.deep.equal([]);
        expect(kernel({ securityContext: { sysctls: [{ name: "kernel.msgmax", value: "1" }] } })).to.deep.equal([
            `${where}sysctl kernel.msgmax is not in the safe set; remove it from securityContext.sysctls.`,
        ]);
        expect(kernel({ securityContext: { procMount: "Unmasked" } })).to.deep.equal([`${where}pod sets procMount Unmasked; remove it (only Default is allowed).`]);
        expect(kernel({}, { procMount: "Unmasked" })).to.deep.equal([`${where}container "api" sets procMount Unmasked; remove it (only Default is allowed).`]);
        expect(kernel({ securityContext: { procMount: "Default" } })).to.deep.equal([]);
        const selinux = `${where}container "api" sets seLinuxOptions beyond the container types; remove user/role and use type container_t.`;
        expect(kernel({}, { seLinuxOptions: { type: "spc_t" } })).to.deep.equal([selinux]);
        expect(kernel({}, { seLinuxOptions: { type: "container_t", user: "system_u" } })).to.deep.equal([selinux]);
        expect(kernel({}, { seLinuxOptions: { role: "sysadm_r" } })).to.deep.equal([selinux]);
        expect(kernel({}, { seLinuxOptions: { type: "container_init_t", level: "s0:c1,c2" } })).to.deep.equal([]);
        expect(kernel({ securityContext: { appArmorProfile: { type: "Unconfined" } } })).to.deep.equal([
            `${where}pod runs AppArmor Unconfined; use appArmorProfile.type RuntimeDefault.`,
        ]);
        expect(kernel({}, { appArmorProfile: { type: "RuntimeDefault" } })).to.deep.equal([]);
        expect(kernel({}, { windowsOptions: { hostProcess: true } })).to.deep.equal([
            `${where}container "api" is a Windows host process; remove windowsOptions.hostProcess.`,
        ]);
        expect(kernel({}, { windowsOptions: { hostProcess: false } })).to.deep.equal([]);
        const apparmor = "container.apparmor.security.beta.kubernetes.io/api";
        expect(kernel({}, {}, { [apparmor]: "unconfined" })).to.deep.equal([`${where}annotation ${apparmor} is unconfined; use runtime/default.`]);
        expect(kernel({}, {}, { [apparmor]: "runtime/default", "bookkeep.app/mode": "unconfined" })).to.deep.equal([]);
        expect(check(podBaselineKernelOptions, deploymentType, withContainer(container({ securityContext: undefined })))).to.deep.equal([]);
    });
});

describe("policy units: container hygiene", () => {
    it("requires a read-only root filesystem on every container", () => {
        const writable = "Deployment api: container \"api\" must set securityContext.readOnlyRootFilesystem: true (mount an emptyDir where it must write).";
        expect(run(containerReadOnlyRootFilesystem, withContainer(secured({ readOnlyRootFilesystem: false })))).to.deep.equal([writable]);
        expect(run(containerReadOnlyRootFilesystem, withContainer(container({ securityContext: undefined })))).to.deep.equal([writable]);
        expect(run(containerReadOnlyRootFilesystem, withContainer(container({ securityContext: undefined })), patchType)).to.deep.equal([]);
    });

    it("requires CPU and memory requests and limits, except on ephemeral containers and patches", () => {
        const missing = (what: string) => [`Deployment api: container "api" is missing resources ${what}; set CPU and memory requests and limits.`];
        const resources = (r: unknown, type = deploymentType) => run(containerResourcesSet, withContainer(container({ resources: r })), type);
        expect(resources({ requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1" } })).to.deep.equal(missing("limits.memory"));
        expect(resources({ limits: { cpu: "1", memory: "1Gi" } })).to.deep.equal(missing("requests.cpu, requests.memory"));
        expect(resources(undefined)).to.deep.equal(missing("requests.cpu, requests.memory, limits.cpu, limits.memory"));
        expect(resources(undefined, patchType)).to.deep.equal([]);
        expect(run(containerResourcesSet, deployment({ ephemeralContainers: [{ name: "debug", image: "busybox:1.36" }] }))).to.deep.equal([]);
        expect(run(containerResourcesSet, deployment({ initContainers: [{ name: "migrate", image: "a:1" }] }))).to.deep.equal([
            "Deployment api: init container \"migrate\" is missing resources requests.cpu, requests.memory, limits.cpu, limits.memory; set CPU and memory requests and limits.",
        ]);
    });

    it("requires liveness and readiness probes on long-running containers only", () => {
        const noProbe = (what: string) => [`Deployment api: container "api" has no ${what}; add probes so Kubernetes restarts it and routes traffic only when it is ready.`];
        expect(run(containerProbes, withContainer(container({ readinessProbe: undefined })))).to.deep.equal(noProbe("readinessProbe"));
        expect(run(containerProbes, withContainer(container({ livenessProbe: undefined, readinessProbe: undefined })))).to.deep.equal(noProbe("livenessProbe or readinessProbe"));
        expect(run(containerProbes, deployment({ initContainers: [{ name: "migrate", image: "a:1" }] }))).to.deep.equal([]);
        expect(check(containerProbes, "kubernetes:batch/v1:Job", { metadata: { name: "once" }, spec: { template: { spec: { containers: [{ name: "once" }] } } } })).to.deep.equal([]);
        expect(check(containerProbes, "kubernetes:core/v1:Pod", { metadata: { name: "once" }, spec: { restartPolicy: "Never", containers: [{ name: "once" }] } })).to.deep.equal([]);
        expect(check(containerProbes, "kubernetes:core/v1:Pod", { metadata: { name: "web" }, spec: { restartPolicy: "Always", containers: [container({ livenessProbe: undefined })] } }))
            .to.deep.equal(["Pod web: container \"api\" has no livenessProbe; add probes so Kubernetes restarts it and routes traffic only when it is ready."]);
        expect(run(containerProbes, withContainer(container({ livenessProbe: undefined, readinessProbe: undefined })), patchType)).to.deep.equal([]);
    });

    it("reads the tag after the last path segment's colon, and a digest after @", () => {
        expect(imageTag("ghcr.io/bookkeep/api:1.4.2")).to.deep.equal({ tag: "1.4.2" });
        expect(imageTag("localhost:5000/api")).to.deep.equal({});
        expect(imageTag("localhost:5000/team/api:2")).to.deep.equal({ tag: "2" });
        expect(imageTag("api:1@sha256:abc")).to.deep.equal({ digest: "sha256:abc" });
        expect(imageTag("api")).to.deep.equal({});
        expect(imageTag("registry:/api")).to.deep.equal({});
        expect(imageTag(":1")).to.deep.equal({ tag: "1" });
        expect(imageTag("@sha256:abc")).to.deep.equal({ digest: "sha256:abc" });
    });

    it("requires an image pinned to a version tag or a digest", () => {
        const image = (i: unknown, type = deploymentType) => run(containerImagePinned, withContainer(container({ image: i })), type);
        expect(image("ghcr.io/bookkeep/api")).to.deep.equal([
            "Deployment api: container \"api\" image ghcr.io/bookkeep/api is untagged; pin a version tag such as :v1.0.0 or a digest.",
        ]);
        expect(image("localhost:5000/api")).to.have.length(1);
        expect(image("ghcr.io/bookkeep/api:latest")).to.deep.equal([
            "Deployment api: container \"api\" image ghcr.io/bookkeep/api:latest is tagged latest; pin a version tag such as :v1.0.0 or a digest.",
        ]);
        expect(image("ghcr.io/bookkeep/api@sha256:0123")).to.deep.equal([]);
        expect(image("ghcr.io/bookkeep/api:latest@sha256:0123")).to.deep.equal([]);
        expect(image(undefined)).to.deep.equal(["Deployment api: container \"api\" has no image; set an image pinned to a version tag."]);
        expect(image(undefined, patchType)).to.deep.equal([]);
    });

    it("refuses a mounted API token unless the template says why the pod calls the API", () => {
        const token = "Deployment api: the pod mounts a Kubernetes API token it does not need; set automountServiceAccountToken: false " +
            `(or annotate the pod template ${kubeApiAccessAnnotation}: "<why it calls the API>").`;
        const pod = (automount: unknown, reason?: unknown, type = deploymentType) => check(podNoAutomountedToken, type,
            deployment({ automountServiceAccountToken: automount }, reason === undefined ? {} : { metadata: { annotations: { [kubeApiAccessAnnotation]: reason } } }));
        expect(pod(true)).to.deep.equal([token]);
        expect(pod(undefined)).to.deep.equal([token]);
        expect(pod(undefined, "  ")).to.deep.equal([token]);
        expect(pod(true, 1)).to.deep.equal([token]);
        expect(pod(true, "watches Leases for leader election")).to.deep.equal([]);
        expect(pod(undefined, undefined, patchType)).to.deep.equal([]);
        expect(pod(true, undefined, patchType)).to.deep.equal([token.replace("Deployment", "DeploymentPatch")]);
    });
});

interface Fake { type: string; name: string; urn: string; props: Props; propertyDependencies: Record<string, Fake[]>; opts: Props }
const fake = (type: string, name: string, props: Props, deps: Record<string, Fake[]> = {}, stack = "production"): Fake =>
    ({ type, name, urn: `urn:pulumi:${stack}::bookkeep::${type}::${name}`, props, propertyDependencies: deps, opts: {} });

function replicas(...resources: Fake[]): string[] {
    const reported: string[] = [];
    const args = { resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined } as unknown as StackValidationArgs;
    void workloadReplicasProduction.validateStack(args, (message, urn) => reported.push(`${urn?.split("::").pop()}: ${message}`));
    return reported;
}

describe("policy units: workload-replicas-production", () => {
    const ns = "bookkeep-production";
    const deploy = (name: string, spec: Props, labels: Props = {}, stack = "production") =>
        fake("kubernetes:apps/v1:Deployment", name, { metadata: { name, namespace: ns, labels }, spec }, {}, stack);
    const hpa = (name: string, spec: Props, deps: Record<string, Fake[]> = {}, namespace = ns) =>
        fake("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", name, { metadata: { name, namespace }, spec }, deps);
    const tooFew = (kind: string, name: string, n: number) =>
        `${name}: ${kind} ${name} runs ${n} replica(s) in production; set spec.replicas to at least 2 or scale it with an HPA whose minReplicas is at least 2.`;
    const hpaTooLow = (h: string, name: string, n: number) => `${h}: HPA ${h} lets Deployment ${name} scale down to ${n} replica(s) in production; set spec.minReplicas to at least 2.`;

    it("requires two replicas of each Deployment and StatefulSet in production, one by default", () => {
        expect(replicas(deploy("api", { replicas: 1 }))).to.deep.equal([tooFew("Deployment", "api", 1)]);
        expect(replicas(deploy("api", {}))).to.deep.equal([tooFew("Deployment", "api", 1)]);
        expect(replicas(deploy("api", { replicas: 2 }))).to.deep.equal([]);
        expect(replicas(deploy("api", { replicas: "1" }))).to.deep.equal([]);
        expect(replicas(fake("kubernetes:apps/v1:StatefulSet", "db", { metadata: { name: "db", namespace: ns }, spec: { replicas: 0 } }))).to.deep.equal([tooFew("StatefulSet", "db", 0)]);
        expect(replicas(fake("kubernetes:apps/v1:DaemonSet", "agent", { metadata: { name: "agent", namespace: ns }, spec: {} }))).to.deep.equal([]);
        expect(replicas(deploy("api", { replicas: 1 }, {}, "staging"))).to.deep.equal([]);
    });

    it("excepts a canary beside its stable track", () => {
        const app = { "app.kubernetes.io/name": "api" };
        expect(replicas(deploy("api-canary", { replicas: 1 }, { ...app, track: "canary" }), deploy("api", { replicas: 2 }, app))).to.deep.equal([]);
        expect(replicas(deploy("api-canary", { replicas: 1 }, { ...app, track: "canary" }))).to.deep.equal([tooFew("Deployment", "api-canary", 1)]);
    });

    it("judges the HPA instead when one scales the workload, by reference or by target", () => {
        const api = deploy("api", { replicas: 1 });
        const target = { kind: "Deployment", name: "api" };
        expect(replicas(api, hpa("api-hpa", { minReplicas: 2 }, { spec: [api] }))).to.deep.equal([]);
        expect(replicas(api, hpa("api-hpa", { minReplicas: 1 }, { spec: [api] }))).to.deep.equal([hpaTooLow("api-hpa", "api", 1)]);
        expect(replicas(api, hpa("api-hpa", {}, { spec: [api] }))).to.deep.equal([hpaTooLow("api-hpa", "api", 1)]);
        // A count that is no number is the API server's to refuse, not this rule's to read.
        expect(replicas(api, hpa("api-hpa", { minReplicas: "1" }, { spec: [api] }))).to.deep.equal([]);
        expect(replicas(api, hpa("api-hpa", { minReplicas: 3, scaleTargetRef: target }))).to.deep.equal([]);
        expect(replicas(api, hpa("api-hpa", { minReplicas: 1, scaleTargetRef: target }))).to.deep.equal([hpaTooLow("api-hpa", "api", 1)]);
        for (const miss of [hpa("other", { minReplicas: 3, scaleTargetRef: { kind: "StatefulSet", name: "api" } }),
            hpa("other", { minReplicas: 3, scaleTargetRef: { kind: "Deployment", name: "web" } }),
            hpa("other", { minReplicas: 3, scaleTargetRef: target }, {}, "bookkeep-staging")]) {
            expect(replicas(api, miss), miss.urn).to.deep.equal([tooFew("Deployment", "api", 1)]);
        }
        const v1 = fake("kubernetes:autoscaling/v1:HorizontalPodAutoscaler", "v1-hpa", { metadata: { name: "v1-hpa", namespace: ns }, spec: { minReplicas: 2, scaleTargetRef: target } });
        expect(replicas(api, v1)).to.deep.equal([]);
    });
});

describe("policy units: persistent-volume-no-host-path", () => {
    it("judges PersistentVolumes and their patches only, each source by name", () => {
        const pv = (type: string, spec: Props) => check(persistentVolumeNoHostPath, type, { metadata: { name: "pv" }, spec });
        expect(pv("kubernetes:core/v1:PersistentVolume", { hostPath: { path: "/" }, local: { path: "/mnt" } })).to.deep.equal([
            "PersistentVolume pv is a hostPath volume on \"/\"; use a StorageClass that provisions cloud disks (CSI).",
            "PersistentVolume pv is a local volume on \"/mnt\"; use a StorageClass that provisions cloud disks (CSI).",
        ]);
        expect(pv("kubernetes:core/v1:PersistentVolume", { local: null })).to.deep.equal([
            "PersistentVolume pv is a local volume on null; use a StorageClass that provisions cloud disks (CSI).",
        ]);
        expect(pv("kubernetes:core/v1:PersistentVolume", { csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-1" } })).to.deep.equal([]);
        expect(pv("kubernetes:core/v1:PersistentVolumePatchList", { hostPath: { path: "/" } })).to.deep.equal([]);
        expect(pv("x-kubernetes:core/v1:PersistentVolume", { hostPath: { path: "/" } })).to.deep.equal([]);
    });
});
