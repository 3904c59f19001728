/**
 * BookKeep platform program: validated stack config in, one Platform out, stack outputs exported.
 */
import * as pulumi from "@pulumi/pulumi";
import { Platform } from "./components/platform";
import { defaultManifestPath, loadCatalog, loadRelease } from "./services";
import { cloudflareApiToken, loadStackConfig, resilienceOverridesInForce } from "./stacks";

const catalog = loadCatalog();
const config = loadStackConfig(catalog.map(s => s.name));
// A lowered production guarantee is allowed only with a reason; say it on every run.
const overrides = resilienceOverridesInForce(config);
overrides.forEach(o => void pulumi.log.warn(`resilience override: ${o}`));
// Read before any resource registers, so a bad manifest stops the run with nothing half-done.
const release = loadRelease(config.releaseManifest ?? defaultManifestPath(config.environment), catalog);
const platform = new Platform("bookkeep", { config, catalog, release, cloudflareApiToken: cloudflareApiToken() });
const outputs = platform.foundation.outputs;

export const environment = config.environment;
export const cloud = config.cloud;
export const resilienceOverrides = overrides;
export const clusterName = outputs.clusterName;
export const kubeconfig = pulumi.secret(outputs.kubeconfig);
export const postgresHost = outputs.postgresHost;
export const redisHost = outputs.redisHost;
export const documentsBucket = outputs.documentsBucket;
export const backupsBucket = outputs.backupsBucket;
export const apiUrl = pulumi.interpolate`https://${outputs.apiHostname}`;
export const cdnHostname = outputs.cdnHostname;
// With the edge on, Cloudflare is authoritative: the registrar points at its name servers.
export const nameServers = platform.edge?.nameServers ?? outputs.nameServers;
export const services = platform.fleet.routes;
