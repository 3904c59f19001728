import * as pulumi from "@pulumi/pulumi";

/** Extra outputs a fake resource of one type reports, beyond echoing its inputs. */
export type OutputsFn = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;
/** Result of a fake provider function (invoke). */
export type CallFn = (args: pulumi.runtime.MockCallArgs) => Record<string, unknown>;

export interface CloudMocks {
    /** Keyed by Pulumi type token, such as `aws:rds/instance:Instance`. */
    readonly outputs: Record<string, OutputsFn>;
    /** Keyed by function token, such as `aws:index/getCallerIdentity:getCallerIdentity`. */
    readonly calls: Record<string, CallFn>;
}
