/** What fake GCP resources report back: the computed outputs the program reads. */
import { CloudMocks } from "./types";

export const gcpMocks: CloudMocks = {
    outputs: {},
    calls: {},
};
