/**
 * The parts of `@pulumi/kubernetes` this program uses, each from its own module. The package's
 * root module also loads `helm.v3` and `yaml` (with their file-globbing dependencies), about 35 ms
 * of every run that this program never uses. Components import this as `k8s` and write
 * `k8s.apps.v1.Deployment` as usual.
 */
export * as apiextensions from "@pulumi/kubernetes/apiextensions";
export * as apps from "@pulumi/kubernetes/apps";
export * as autoscaling from "@pulumi/kubernetes/autoscaling";
export * as batch from "@pulumi/kubernetes/batch";
export * as core from "@pulumi/kubernetes/core";
export * as helm from "./sdkHelm";
export * as networking from "@pulumi/kubernetes/networking";
export * as policy from "@pulumi/kubernetes/policy";
export * as storage from "@pulumi/kubernetes/storage";
export { Provider } from "@pulumi/kubernetes/provider";
export type * as types from "@pulumi/kubernetes/types";
