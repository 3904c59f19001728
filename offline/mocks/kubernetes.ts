/** What fake Kubernetes and Helm resources report back. */
import { CloudMocks } from "./types";

export const kubernetesMocks: CloudMocks = {
    outputs: {},
    calls: {},
};
