/**
 * What fake Kubernetes and Helm resources report back. Objects echo their inputs (so names set in
 * `metadata.name` read back as given); these add the status a real apply would report, for code
 * that waits on it. The Kubernetes layer makes no invokes.
 */
import { CloudMocks } from "./types";

export const kubernetesMocks: CloudMocks = {
    outputs: {
        "kubernetes:core/v1:Namespace": () => ({ status: { phase: "Active" } }),
        // Pulumi awaits a Job's completion; the fake one has completed.
        "kubernetes:batch/v1:Job": () => ({ status: { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] } }),
        "kubernetes:helm.sh/v4:Chart": () => ({ resources: [] }),
    },
    calls: {},
};
