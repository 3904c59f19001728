/**
 * Pod hardening for every workload kind (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
 * CronJob, Pod, ...): all of the Pod Security Standards `restricted` and `baseline` profiles, plus
 * read-only root filesystems, requests and limits, probes, pinned images, no unused API tokens and
 * at least two replicas in production.
 */
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { withChartExemptions } from "./exemptions";
import {
    asArray, containersOf, effective, forPods, leftToObject, isCanaryWithStableTrack, isObject, isProductionIn, k8sName, k8sNamespace, ofType, referenced,
    readOnce, safe, whenKnown,
} from "./helpers";

const workload = (kind: string, name: string) => `${kind} ${name}`;

export const podRunAsNonRoot: ResourceValidationPolicy = {
    name: "pod-run-as-non-root",
    description: "Checks whether every container runs with runAsNonRoot: true (pod or container securityContext; PSS restricted).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const c of containersOf(pod.spec)) {
            const value = effective(pod.spec, c.container, "runAsNonRoot");
            if (value !== true && !leftToObject(pod, value)) {
                report(`${workload(pod.kind, pod.name)}: ${c.label} may run as root; set securityContext.runAsNonRoot: true on the pod or the container.`);
            }
        }
    }),
};

export const podRunAsNonZeroUid: ResourceValidationPolicy = {
    name: "pod-run-as-non-zero-uid",
    description: "Checks whether no pod or container sets runAsUser or runAsGroup 0 (PSS restricted).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const key of ["runAsUser", "runAsGroup"]) {
            // Stryker disable next-line OptionalChaining: safe() reads a missing parent as undefined either way
            if (safe(() => pod.spec.securityContext?.[key]) === 0) {
                report(`${workload(pod.kind, pod.name)}: pod securityContext.${key} is 0 (root); use a non-zero id such as 1000.`);
            }
            for (const c of containersOf(pod.spec)) {
                if (c.container.securityContext?.[key] === 0) {
                    report(`${workload(pod.kind, pod.name)}: ${c.label} sets securityContext.${key} 0 (root); use a non-zero id such as 1000.`);
                }
            }
        }
    }),
};

export const containerNoPrivilegeEscalation: ResourceValidationPolicy = {
    name: "container-no-privilege-escalation",
    description: "Checks whether every container sets allowPrivilegeEscalation: false (PSS restricted).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const c of containersOf(pod.spec)) {
            const value = c.container.securityContext?.allowPrivilegeEscalation;
            if (value !== false && !leftToObject(pod, value)) {
                report(`${workload(pod.kind, pod.name)}: ${c.label} must set securityContext.allowPrivilegeEscalation: false.`);
            }
        }
    }),
};

export const containerDropAllCapabilities: ResourceValidationPolicy = {
    name: "container-drop-all-capabilities",
    description: "Checks whether every container drops ALL capabilities and adds at most NET_BIND_SERVICE (PSS restricted).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const c of containersOf(pod.spec)) {
            const caps = c.container.securityContext?.capabilities ?? {};
            if (!asArray(caps.drop).includes("ALL") && !leftToObject(pod, caps.drop)) {
                report(`${workload(pod.kind, pod.name)}: ${c.label} must drop all capabilities: securityContext.capabilities.drop: ["ALL"].`);
            }
            const added = asArray(caps.add).filter(a => a !== "NET_BIND_SERVICE");
            if (added.length > 0) {
                report(`${workload(pod.kind, pod.name)}: ${c.label} adds capabilities ${added.join(", ")}; only NET_BIND_SERVICE may be added.`);
            }
        }
    }),
};

export const podSeccompProfile: ResourceValidationPolicy = {
    name: "pod-seccomp-profile",
    description: "Checks whether every container runs under a RuntimeDefault or Localhost seccomp profile (PSS restricted).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const c of containersOf(pod.spec)) {
            const type = effective(pod.spec, c.container, "seccompProfile")?.type;
            if (type !== "RuntimeDefault" && type !== "Localhost" && !leftToObject(pod, type)) {
                report(`${workload(pod.kind, pod.name)}: ${c.label} has seccomp profile ${JSON.stringify(type ?? null)}; set securityContext.seccompProfile.type: RuntimeDefault on the pod.`);
            }
        }
    }),
};

/** Volume types PSS restricted allows. */
const restrictedVolumeTypes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

export const podRestrictedVolumeTypes: ResourceValidationPolicy = {
    name: "pod-restricted-volume-types",
    description: "Checks whether pods use only the volume types PSS restricted allows (configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const v of asArray(pod.spec.volumes).filter(isObject)) {
            const types = Object.keys(v).filter(k => k !== "name");
            const bad = types.filter(t => !restrictedVolumeTypes.includes(t)).sort();
            if (bad.length > 0) {
                report(`${workload(pod.kind, pod.name)}: volume "${v.name}" is of type ${bad.join(", ")}; use one of ${restrictedVolumeTypes.join(", ")}.`);
            }
        }
    }),
};

export const containerNotPrivileged: ResourceValidationPolicy = {
    name: "container-not-privileged",
    description: "Checks whether no container runs privileged (PSS baseline).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const c of containersOf(pod.spec)) {
            if (c.container.securityContext?.privileged === true) {
                report(`${workload(pod.kind, pod.name)}: ${c.label} is privileged; remove securityContext.privileged (it grants full host access).`);
            }
        }
    }),
};

export const podNoHostNamespaces: ResourceValidationPolicy = {
    name: "pod-no-host-namespaces",
    description: "Checks whether no pod shares the host's network, PID or IPC namespace (PSS baseline).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const key of ["hostNetwork", "hostPID", "hostIPC"]) {
            if (pod.spec[key] === true) {
                report(`${workload(pod.kind, pod.name)}: ${key} is true; remove it so the pod does not share the node's namespaces.`);
            }
        }
    }),
};

export const podNoHostPath: ResourceValidationPolicy = {
    name: "pod-no-host-path",
    description: "Checks whether no pod mounts a hostPath volume (PSS baseline).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const v of asArray(pod.spec.volumes).filter(isObject)) {
            if (v.hostPath !== undefined) {
                report(`${workload(pod.kind, pod.name)}: volume "${v.name}" mounts hostPath ${JSON.stringify(v.hostPath?.path ?? null)}; use an emptyDir, a PersistentVolumeClaim or a projected volume instead.`);
            }
        }
    }),
};

export const containerNoHostPorts: ResourceValidationPolicy = {
    name: "container-no-host-ports",
    description: "Checks whether no container binds a hostPort (PSS baseline).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const c of containersOf(pod.spec)) {
            for (const p of asArray(c.container.ports).filter(isObject)) {
                if (typeof p.hostPort === "number" && p.hostPort !== 0) {
                    report(`${workload(pod.kind, pod.name)}: ${c.label} binds hostPort ${p.hostPort}; remove hostPort and expose the port through a Service.`);
                }
            }
        }
    }),
};

/** Sysctls PSS baseline considers safe (namespaced, no effect outside the pod). */
const safeSysctls = [
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
];
const allowedSeLinuxTypes = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

export const podBaselineKernelOptions: ResourceValidationPolicy = {
    name: "pod-baseline-kernel-options",
    description: "Checks whether pods keep PSS baseline's kernel settings: default /proc mount, allowed SELinux types, safe sysctls, no unconfined AppArmor, no Windows host processes.",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        const where = workload(pod.kind, pod.name);
        for (const s of asArray(pod.spec.securityContext?.sysctls).filter(isObject)) {
            if (!safeSysctls.includes(s.name)) {
                report(`${where}: sysctl ${s.name} is not in the safe set; remove it from securityContext.sysctls.`);
            }
        }
        const contexts = [
            { label: "pod", sc: pod.spec.securityContext ?? {} },
            ...containersOf(pod.spec).map(c => ({ label: c.label, sc: c.container.securityContext ?? {} })),
        ];
        for (const { label, sc } of contexts) {
            if (sc.procMount !== undefined && sc.procMount !== "Default") {
                report(`${where}: ${label} sets procMount ${sc.procMount}; remove it (only Default is allowed).`);
            }
            const se = sc.seLinuxOptions ?? {};
            if ((se.type !== undefined && !allowedSeLinuxTypes.includes(se.type)) || se.user !== undefined || se.role !== undefined) {
                report(`${where}: ${label} sets seLinuxOptions beyond the container types; remove user/role and use type container_t.`);
            }
            if (sc.appArmorProfile?.type === "Unconfined") {
                report(`${where}: ${label} runs AppArmor Unconfined; use appArmorProfile.type RuntimeDefault.`);
            }
            if (sc.windowsOptions?.hostProcess === true) {
                report(`${where}: ${label} is a Windows host process; remove windowsOptions.hostProcess.`);
            }
        }
        // Only the AppArmor annotations are read: an unrelated unknown (a config checksum) does not stop the check.
        const annotations = pod.metadata.annotations ?? {};
        for (const k of Object.keys(annotations).filter(a => a.startsWith("container.apparmor.security.beta.kubernetes.io/"))) {
            if (annotations[k] === "unconfined") {
                report(`${where}: annotation ${k} is unconfined; use runtime/default.`);
            }
        }
    }),
};

export const containerReadOnlyRootFilesystem: ResourceValidationPolicy = {
    name: "container-read-only-root-filesystem",
    description: "Checks whether every container mounts its root filesystem read-only.",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const c of containersOf(pod.spec)) {
            const value = c.container.securityContext?.readOnlyRootFilesystem;
            if (value !== true && !leftToObject(pod, value)) {
                report(`${workload(pod.kind, pod.name)}: ${c.label} must set securityContext.readOnlyRootFilesystem: true (mount an emptyDir where it must write).`);
            }
        }
    }),
};

export const containerResourcesSet: ResourceValidationPolicy = {
    name: "container-resources-set",
    description: "Checks whether every container declares CPU and memory requests and limits.",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const c of containersOf(pod.spec).filter(x => !x.label.startsWith("ephemeral"))) {
            const missing = ["requests", "limits"].flatMap(k => ["cpu", "memory"]
                .filter(r => c.container.resources?.[k]?.[r] === undefined && !pod.partial)
                .map(r => `${k}.${r}`));
            if (missing.length > 0) {
                report(`${workload(pod.kind, pod.name)}: ${c.label} is missing resources ${missing.join(", ")}; set CPU and memory requests and limits.`);
            }
        }
    }),
};

export const containerProbes: ResourceValidationPolicy = {
    name: "container-probes",
    description: "Checks whether every container of a long-running workload has liveness and readiness probes (Jobs and CronJobs are exempt).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        if (!pod.longRunning || pod.partial) {
            return;
        }
        for (const c of containersOf(pod.spec).filter(x => !x.init)) {
            const missing = ["livenessProbe", "readinessProbe"].filter(p => c.container[p] === undefined);
            if (missing.length > 0) {
                report(`${workload(pod.kind, pod.name)}: ${c.label} has no ${missing.join(" or ")}; add probes so Kubernetes restarts it and routes traffic only when it is ready.`);
            }
        }
    }),
};

/** `repo/name:tag` or `repo/name@sha256:...`; the tag is after the last colon that follows the last slash. */
export function imageTag(image: string): { tag?: string; digest?: string } {
    const at = image.indexOf("@");
    if (at >= 0) {
        return { digest: image.slice(at + 1) };
    }
    const lastSlash = image.lastIndexOf("/");
    const colon = image.indexOf(":", lastSlash + 1);
    return colon >= 0 ? { tag: image.slice(colon + 1) } : {};
}

export const containerImagePinned: ResourceValidationPolicy = {
    name: "container-image-pinned",
    description: "Checks whether every container image is pinned to a version tag or digest (never latest or untagged).",
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        for (const c of containersOf(pod.spec)) {
            const image = c.container.image;
            if (typeof image !== "string") {
                if (!leftToObject(pod, image)) {
                    report(`${workload(pod.kind, pod.name)}: ${c.label} has no image; set an image pinned to a version tag.`);
                }
                continue;
            }
            const { tag, digest } = imageTag(image);
            if (!digest && (!tag || tag === "latest")) {
                report(`${workload(pod.kind, pod.name)}: ${c.label} image ${image} is ${tag ? "tagged latest" : "untagged"}; pin a version tag such as :v1.0.0 or a digest.`);
            }
        }
    }),
};

/**
 * Pods that genuinely call the Kubernetes API say so with this annotation on the pod template,
 * its value naming why; everything else must not carry a mounted API token.
 */
export const kubeApiAccessAnnotation = "bookkeep.app/kube-api-access";

export const podNoAutomountedToken: ResourceValidationPolicy = {
    name: "pod-no-automounted-token",
    description: `Checks whether pods set automountServiceAccountToken: false unless their template is annotated ${kubeApiAccessAnnotation} with the reason they call the Kubernetes API.`,
    enforcementLevel: "mandatory",
    validateResource: forPods((pod, report) => {
        const reason = pod.metadata.annotations?.[kubeApiAccessAnnotation];
        const automount = pod.spec.automountServiceAccountToken;
        if (automount !== false && !leftToObject(pod, automount) && !(typeof reason === "string" && reason.trim() !== "")) {
            report(`${workload(pod.kind, pod.name)}: the pod mounts a Kubernetes API token it does not need; set automountServiceAccountToken: false ` +
                `(or annotate the pod template ${kubeApiAccessAnnotation}: "<why it calls the API>").`);
        }
    }),
};

const scalable = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet"];
// Stryker disable next-line StringLiteral: split always yields a last element, so the default never applies
const kindOf = (type: string) => type.split(":").pop() ?? "";

export const workloadReplicasProduction: StackValidationPolicy = {
    name: "workload-replicas-production",
    description: "Checks whether every Deployment and StatefulSet in production runs at least 2 replicas, or is scaled by an HPA with minReplicas of at least 2 (a canary beside its stable track excepted).",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        const hpaFor = hpasByTarget(ofType(args, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "kubernetes:autoscaling/v1:HorizontalPodAutoscaler"));
        for (const w of args.resources.filter(r => scalable.includes(r.type))) {
            if (!isProductionIn(args, w) || isCanaryWithStableTrack(args, w)) {
                continue;
            }
            const name = k8sName(w);
            const hpa = hpaFor(w, name);
            if (hpa) {
                // Stryker disable next-line OptionalChaining: safe() reads a missing parent as undefined either way
                const min = safe(() => hpa.props.spec?.minReplicas) ?? 1;
                if (typeof min === "number" && min < 2) {
                    report(`HPA ${k8sName(hpa)} lets ${kindOf(w.type)} ${name} scale down to ${min} replica(s) in production; set spec.minReplicas to at least 2.`, hpa.urn);
                }
                continue;
            }
            // Stryker disable next-line OptionalChaining: safe() reads a missing parent as undefined either way
            const replicas = safe(() => w.props.spec?.replicas) ?? 1;
            if (typeof replicas === "number" && replicas < 2) {
                report(`${kindOf(w.type)} ${name} runs ${replicas} replica(s) in production; set spec.replicas to at least 2 or scale it with an HPA whose minReplicas is at least 2.`, w.urn);
            }
        }
    },
};

/**
 * The HPA scaling a workload: the first in stack order whose spec depends on the workload, or
 * whose scaleTargetRef names it (namespace, kind and name). Each HPA's inputs are read once, and
 * only when a workload's search reaches it, so an unknown stops the search where it always did.
 */
function hpasByTarget(hpas: PolicyResource[]): (w: PolicyResource, name: string) => PolicyResource | undefined {
    const targets = hpas.map(h => ({
        hpa: h,
        references: new Set(referenced(h, "spec").map(x => x.urn)),
        namespace: readOnce(() => k8sNamespace(h)),
        // Stryker disable next-line OptionalChaining: whenKnown() reads a missing parent as undefined either way
        name: readOnce(() => whenKnown(() => h.props.spec?.scaleTargetRef?.name)),
        // Stryker disable next-line OptionalChaining: whenKnown() reads a missing parent as undefined either way
        kind: readOnce(() => whenKnown(() => h.props.spec?.scaleTargetRef?.kind)),
    }));
    return (w, name) => {
        const ns = k8sNamespace(w);
        return targets.find(t => t.references.has(w.urn) || (t.namespace() === ns && t.name() === name && t.kind() === kindOf(w.type)))?.hpa;
    };
}

export const persistentVolumeNoHostPath: ResourceValidationPolicy = {
    name: "persistent-volume-no-host-path",
    description: "Checks whether no PersistentVolume is backed by a hostPath or local node directory (a claim on it mounts the node's filesystem).",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (!/^kubernetes:core\/v1:PersistentVolume(Patch)?$/.test(args.type)) {
            return;
        }
        for (const source of ["hostPath", "local"]) {
            // Stryker disable next-line OptionalChaining: safe() reads a missing parent as undefined either way
            const volume = safe(() => args.props.spec?.[source]);
            if (volume !== undefined) {
                report(`PersistentVolume ${k8sName(args)} is a ${source} volume on ${JSON.stringify(volume?.path ?? null)}; use a StorageClass that provisions cloud disks (CSI).`);
            }
        }
    },
};

/** Components whose objects the provider renders out of the program's sight (and the offline plan's). */
const opaqueManifestTypes: readonly string[] = ["kubernetes:yaml/v2:ConfigGroup", "kubernetes:yaml/v2:ConfigFile", "kubernetes:kustomize/v2:Directory"];

export const manifestsVisibleToPolicies: ResourceValidationPolicy = {
    name: "manifests-visible-to-policies",
    description: "Checks whether Kubernetes objects are declared as resources the pack can judge, not inside yaml/v2 ConfigGroup or ConfigFile or kustomize/v2 Directory components.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (opaqueManifestTypes.includes(args.type)) {
            report(`${args.type.split(":").pop()} ${args.name} creates objects the policy pack never sees before they are applied; declare them as typed resources (k8s.apps.v1.Deployment, ...) or install them as a pinned Helm chart.`);
        }
    },
};

/** As the pack runs them: chart-rendered workloads named in `chartExemptions` are waived per policy. */
export const hardeningPolicies = [
    podRunAsNonRoot, podRunAsNonZeroUid, containerNoPrivilegeEscalation, containerDropAllCapabilities, podSeccompProfile,
    podRestrictedVolumeTypes, containerNotPrivileged, podNoHostNamespaces, podNoHostPath, containerNoHostPorts,
    podBaselineKernelOptions, containerReadOnlyRootFilesystem, containerResourcesSet, containerProbes, containerImagePinned,
    podNoAutomountedToken, workloadReplicasProduction,
].map(p => withChartExemptions(p));

/** Not waived for charts: no chart the program installs declares either. */
export const manifestPolicies = [persistentVolumeNoHostPath, manifestsVisibleToPolicies];
