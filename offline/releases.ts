/**
 * Per service, what a release changes and who runs it: the image reference, how it is rolled out
 * (a Flagger Canary's steps and checks, a manual canary, or a plain rolling update) and who owns the
 * replica count. Read from the recorded resources, so it shows what would be deployed.
 */
import type { RecordedResource } from "./engine";

type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- recorded Kubernetes inputs: untyped JSON

export interface ReplicaOwner {
    /** `hpa`: the service's HPA scales its Deployment; `flagger-primary-hpa`: Flagger's copy of it scales `<svc>-primary`; `fixed`: spec.replicas. */
    readonly owner: "hpa" | "flagger-primary-hpa" | "fixed";
    /** The HPA (as Flagger names its copy) or the Deployment that holds the count. */
    readonly by: string;
    readonly min: number;
    readonly max: number;
}

export interface ServiceRelease {
    readonly service: string;
    readonly image: string;
    /** The Flagger Canary's analysis, when Flagger releases the service. */
    readonly canary: {
        readonly stepWeight: number; readonly maxWeight: number; readonly interval: string; readonly threshold: number;
        readonly checks: { readonly metric: string; readonly max: number; readonly interval: string }[];
        readonly webhooks: string[];
    } | null;
    /** A manual canary's image and share (`bookkeep:fleet.canaries`). */
    readonly manualCanary: { readonly image: string; readonly weight: number | null } | null;
    readonly replicas: ReplicaOwner;
}

const childrenOf = (resources: readonly RecordedResource[], parent: string) => resources.filter(r => r.parent === parent);
const inputs = (r: RecordedResource | undefined): Props => (r?.inputs ?? {}) as Props;

export function serviceReleases(resources: readonly RecordedResource[]): ServiceRelease[] {
    return resources.filter(r => r.type === "bookkeep:fleet:Service").map(component => {
        const own = childrenOf(resources, component.urn);
        const nested = own.filter(r => !r.custom).flatMap(c => childrenOf(resources, c.urn));
        const all = [...own, ...nested];
        const deployments = all.filter(r => r.type === "kubernetes:apps/v1:Deployment").map(inputs);
        const stable = deployments.find(d => d.metadata?.labels?.track !== "canary") ?? {};
        const manual = deployments.find(d => d.metadata?.labels?.track === "canary");
        const name: string = stable.metadata?.name ?? component.name;
        const hpa = inputs(all.find(r => r.type === "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"));
        const canary = inputs(all.find(r => r.type === "kubernetes:flagger.app/v1beta1:Canary"));
        const analysis: Props | undefined = canary.spec?.analysis;
        const weight = all.filter(r => r.type === "kubernetes:networking.k8s.io/v1:Ingress").map(inputs)
            .map(i => i.metadata?.annotations?.["nginx.ingress.kubernetes.io/canary-weight"]).find(w => w !== undefined);
        return {
            service: name,
            image: String(stable.spec?.template?.spec?.containers?.[0]?.image ?? ""),
            canary: analysis ? {
                stepWeight: analysis.stepWeight, maxWeight: analysis.maxWeight, interval: analysis.interval, threshold: analysis.threshold,
                checks: (analysis.metrics ?? []).map((m: Props) => ({ metric: m.name, max: m.thresholdRange?.max, interval: m.interval })),
                webhooks: (analysis.webhooks ?? []).map((w: Props) => `${w.name} (${w.type ?? "rollout"})`),
            } : null,
            manualCanary: manual ? { image: String(manual.spec?.template?.spec?.containers?.[0]?.image ?? ""), weight: weight === undefined ? null : Number(weight) } : null,
            replicas: replicaOwner(name, stable, hpa, canary),
        };
    });
}

function replicaOwner(name: string, deployment: Props, hpa: Props, canary: Props): ReplicaOwner {
    const scalesIt = hpa.spec?.scaleTargetRef?.name === name;
    const bounds = { min: Number(hpa.spec?.minReplicas ?? 1), max: Number(hpa.spec?.maxReplicas ?? 1) };
    if (canary.spec && scalesIt && canary.spec.autoscalerRef?.name === hpa.metadata?.name) {
        return { owner: "flagger-primary-hpa", by: `${hpa.metadata.name}-primary`, ...bounds };
    }
    if (scalesIt && !canary.spec) {
        return { owner: "hpa", by: String(hpa.metadata?.name), ...bounds };
    }
    const fixed = Number(deployment.spec?.replicas ?? 1);
    return { owner: "fixed", by: canary.spec ? `${name}-primary` : name, min: fixed, max: fixed };
}

/** The table the plan prints under "Releases". */
export function releaseRows(releases: readonly ServiceRelease[]): string[][] {
    return releases.map(r => [
        r.service,
        r.image,
        r.canary
            ? `Flagger: +${r.canary.stepWeight}% to ${r.canary.maxWeight}% every ${r.canary.interval}, rollback after ${r.canary.threshold} failed; ${r.canary.checks.map(c => `${c.metric} <= ${c.max} over ${c.interval}`).join(", ")}`
            : r.manualCanary ? `manual canary ${r.manualCanary.image} at ${r.manualCanary.weight ?? "?"}%` : "rolling update",
        r.replicas.owner === "fixed" ? `fixed ${r.replicas.min} (${r.replicas.by})` : `${r.replicas.owner} ${r.replicas.by} ${r.replicas.min}-${r.replicas.max}`,
    ]);
}
