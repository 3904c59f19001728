/**
 * The pods each cloud runs on every cluster before ours: managed add-ons and system DaemonSets.
 * They are not in the plan (the cloud creates them), so they are pinned here.
 */
import { Sourced } from "./nodeTypes";
import { Workload } from "./workload";

const sys = (id: string, kind: Workload["kind"], replicas: number, cpuMillicores: number, memoryMib: number): Workload =>
    ({ id, kind, origin: "cloud system", minReplicas: replicas, maxReplicas: replicas, cpuMillicores, memoryMib });

/** EKS with the add-ons components/aws/cluster.ts installs (vpc-cni, kube-proxy, coredns, aws-ebs-csi-driver, metrics-server). */
export const eksSystemPods: readonly Workload[] = [
    sys("DaemonSet kube-system/aws-node", "DaemonSet", 1, 25, 0),
    sys("DaemonSet kube-system/kube-proxy", "DaemonSet", 1, 100, 0),
    sys("DaemonSet kube-system/ebs-csi-node", "DaemonSet", 1, 30, 120),
    sys("Deployment kube-system/coredns", "Deployment", 2, 100, 70),
    sys("Deployment kube-system/ebs-csi-controller", "Deployment", 2, 60, 240),
    sys("Deployment kube-system/metrics-server", "Deployment", 2, 100, 200),
];

export const eksSystemSource: Sourced = {
    source: "amazon-vpc-cni-k8s config/master/aws-k8s-cni.yaml (aws-node cpu 25m); EKS kube-proxy DaemonSet (cpu 100m); eks-charts coredns (2 x 100m/70Mi); " +
        "aws-ebs-csi-driver chart values (10m/40Mi per container: node 3, controller 6, 2 replicas); metrics-server EKS add-on (2 x 100m/200Mi)",
    date: "2026-12-05",
};

/**
 * GKE Standard with Dataplane V2 and Workload Identity. Google publishes no manifest for these;
 * the figures are what a new regional cluster of this shape schedules, rounded up.
 */
export const gkeSystemPods: readonly Workload[] = [
    sys("DaemonSet kube-system/anetd", "DaemonSet", 1, 100, 100),
    sys("DaemonSet kube-system/fluentbit-gke", "DaemonSet", 1, 100, 200),
    sys("DaemonSet kube-system/gke-metrics-agent", "DaemonSet", 1, 13, 60),
    sys("DaemonSet kube-system/gke-metadata-server", "DaemonSet", 1, 100, 100),
    sys("DaemonSet kube-system/pdcsi-node", "DaemonSet", 1, 15, 40),
    sys("Deployment kube-system/kube-dns", "Deployment", 2, 260, 110),
    sys("Deployment kube-system/konnectivity-agent", "Deployment", 3, 10, 30),
    sys("Deployment kube-system/metrics-server", "Deployment", 1, 48, 105),
    sys("Deployment kube-system/event-exporter-gke", "Deployment", 1, 10, 40),
];

export const gkeSystemSource: Sourced = {
    source: "estimate: kube-system requests of a GKE 1.3x regional Standard cluster with Dataplane V2 and Workload Identity (kubectl describe nodes), " +
        "rounded up; no upstream manifest pins them, so re-check on a real cluster",
    date: "2026-12-05",
};
