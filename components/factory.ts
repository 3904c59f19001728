/**
 * The provider switch: the one place that turns `bookkeep:cloud` into a foundation implementation.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../stacks/schema";
import { AwsFoundation } from "./aws/foundation";
import { CloudFoundation } from "./foundation";
import { GcpFoundation } from "./gcp/foundation";
import { LocalFoundation } from "./local/foundation";

export function createFoundation(name: string, config: StackConfig, opts: pulumi.ComponentResourceOptions): CloudFoundation {
    switch (config.cloud) {
        case "aws":
            return new AwsFoundation(name, { config }, opts);
        case "gcp":
            return new GcpFoundation(name, { config }, opts);
        case "local":
            return new LocalFoundation(name, { config }, opts);
        default: {
            const exhaustive: never = config.cloud;
            throw new Error(`unknown cloud ${exhaustive}`);
        }
    }
}
