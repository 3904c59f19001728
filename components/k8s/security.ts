/**
 * Pod Security Standards `restricted` settings for every pod this layer defines, and the same
 * settings shaped as Helm values for the charts that accept them.
 */
import * as k8s from "./sdk";

type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type ResourceRequirements = k8s.types.input.core.v1.ResourceRequirements;

/** The distroless `nonroot` uid; our own pods run as it unless an image needs another. */
export const nonRootUid = 65532;

export function restrictedPod(uid: number = nonRootUid): PodSecurityContext & Record<string, unknown> {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export function restrictedContainer(): SecurityContext & Record<string, unknown> {
    return {
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export function resources(requests: { cpu: string; memory: string }, limits: { cpu: string; memory: string }): ResourceRequirements & Record<string, unknown> {
    return { requests: { ...requests }, limits: { ...limits } };
}

/** Labels that put a namespace under Pod Security Admission. `audit`/`warn` stay `restricted` everywhere. */
export function podSecurityLabels(enforce: "restricted" | "baseline" | "privileged"): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
    };
}
