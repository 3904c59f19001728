/** Validated stack configs for specs, read from the stack files as the plan reads them, narrowed to their cloud. */
import { readStackFile } from "../offline/stackFile";
import { AwsStackConfig, Cloud, GcpStackConfig, LocalStackConfig, parseStackConfig, StackConfig } from "../stacks";

/** The stack's config on `cloud` (its variant file where the stack is on another cloud), with overrides merged. */
export function stackConfig(stack: string, cloud?: Cloud, overrides: Record<string, unknown> = {}): StackConfig {
    const file = readStackFile(stack, cloud === undefined ? overrides : { ...overrides, "bookkeep:cloud": cloud });
    return parseStackConfig(file.config, { stack: file.stack, secretKeys: file.secretKeys });
}

function narrow<C extends Cloud>(config: StackConfig, cloud: C): Extract<StackConfig, { cloud: C }> {
    if (config.cloud !== cloud) {
        throw new Error(`expected a ${cloud} stack, got ${config.cloud}`);
    }
    return config as Extract<StackConfig, { cloud: C }>;
}

export const awsConfig = (stack: string, overrides?: Record<string, unknown>): AwsStackConfig => narrow(stackConfig(stack, "aws", overrides), "aws");
export const gcpConfig = (stack: string, overrides?: Record<string, unknown>): GcpStackConfig => narrow(stackConfig(stack, "gcp", overrides), "gcp");
export const localConfig = (overrides?: Record<string, unknown>): LocalStackConfig => narrow(stackConfig("development", "local", overrides), "local");
