/**
 * The provider switch: the one place that turns `bookkeep:cloud` into a foundation implementation.
 * Each implementation is loaded when chosen, so a stack loads only its own cloud's SDK.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../stacks/schema";
import type * as awsImpl from "./aws/foundation";
import { CloudFoundation } from "./foundation";
import type * as gcpImpl from "./gcp/foundation";
import type * as localImpl from "./local/foundation";

export function createFoundation(name: string, config: StackConfig, opts: pulumi.ComponentResourceOptions): CloudFoundation {
    switch (config.cloud) {
        case "aws": {
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads only the chosen cloud's provider SDK, not all three
            const { AwsFoundation } = require("./aws/foundation") as typeof awsImpl;
            return new AwsFoundation(name, { config }, opts);
        }
        case "gcp": {
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads only the chosen cloud's provider SDK, not all three
            const { GcpFoundation } = require("./gcp/foundation") as typeof gcpImpl;
            return new GcpFoundation(name, { config }, opts);
        }
        case "local": {
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads only the chosen cloud's provider SDK, not all three
            const { LocalFoundation } = require("./local/foundation") as typeof localImpl;
            return new LocalFoundation(name, { config }, opts);
        }
        default: {
            const exhaustive: never = config;
            throw new Error(`unknown cloud ${JSON.stringify(exhaustive)}`);
        }
    }
}
