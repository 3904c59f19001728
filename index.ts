/**
 * BookKeep platform program: validated stack config in, one Platform out, stack outputs exported.
 */
import * as pulumi from "@pulumi/pulumi";
import { Platform } from "./components/platform";
import { loadCatalog } from "./services";
import { loadStackConfig } from "./stacks";

const config = loadStackConfig();
const platform = new Platform("bookkeep", { config, catalog: loadCatalog() });
const outputs = platform.foundation.outputs;

export const environment = config.environment;
export const cloud = config.cloud;
export const clusterName = outputs.clusterName;
export const kubeconfig = pulumi.secret(outputs.kubeconfig);
export const postgresHost = outputs.postgresHost;
export const redisHost = outputs.redisHost;
export const documentsBucket = outputs.documentsBucket;
export const backupsBucket = outputs.backupsBucket;
export const apiUrl = pulumi.interpolate`https://${outputs.apiHostname}`;
export const cdnHostname = outputs.cdnHostname;
export const nameServers = outputs.nameServers;
export const services = platform.fleet.routes;
