/**
 * The parts of `@pulumi/gcp` this program uses, each from its own module. The package's root
 * module loads every one of its service namespaces (about 80 ms of every run, real or offline) to
 * reach these; importing them one by one loads only what the program uses. Components import
 * this as `gcp` and write `gcp.compute.Network` as usual.
 */
export * as compute from "@pulumi/gcp/compute";
export * as container from "@pulumi/gcp/container";
export * as dns from "@pulumi/gcp/dns";
export * as kms from "@pulumi/gcp/kms";
export * as logging from "@pulumi/gcp/logging";
export * as organizations from "@pulumi/gcp/organizations";
export * as projects from "@pulumi/gcp/projects";
export * as redis from "@pulumi/gcp/redis";
export * as secretmanager from "@pulumi/gcp/secretmanager";
export * as serviceaccount from "@pulumi/gcp/serviceaccount";
export * as servicenetworking from "@pulumi/gcp/servicenetworking";
export * as sql from "@pulumi/gcp/sql";
export * as storage from "@pulumi/gcp/storage";
export { Provider } from "@pulumi/gcp/provider";
export type * as types from "@pulumi/gcp/types";
