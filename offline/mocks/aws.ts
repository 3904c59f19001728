/** What fake AWS resources report back: the computed outputs the program reads. */
import { CloudMocks } from "./types";

export const accountId = "123456789012";

export const awsMocks: CloudMocks = {
    outputs: {},
    calls: {},
};
