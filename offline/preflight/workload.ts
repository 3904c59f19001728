/** One workload's pods as the capacity model counts them. */
export interface Workload {
    /** `Kind namespace/name`, or the chart and object it was estimated from. */
    readonly id: string;
    readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
    /** Where the figure comes from: the plan's object, a chart's values, or the cloud's add-ons. */
    readonly origin: "plan" | "chart values" | "cloud system";
    /** Replicas at the HPA minimum and maximum (equal without an HPA); DaemonSets: per node. */
    readonly minReplicas: number;
    readonly maxReplicas: number;
    /** Requests of one pod (init containers counted as the scheduler does: the larger of init and the sum). */
    readonly cpuMillicores: number;
    readonly memoryMib: number;
    /** Persistent volume claims per replica, GiB, with the storage class asked for. */
    readonly volumes?: readonly { readonly storageClass: string; readonly gib: number }[];
}
