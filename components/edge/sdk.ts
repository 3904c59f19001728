/**
 * The parts of `@pulumi/cloudflare` this program uses, each from its own module: the package's
 * root module loads every one of its ~400 resource modules. Components import this as `cloudflare`.
 */
export { AuthenticatedOriginPullsSettings } from "@pulumi/cloudflare/authenticatedOriginPullsSettings";
export { DnsRecord } from "@pulumi/cloudflare/dnsRecord";
export { Provider } from "@pulumi/cloudflare/provider";
export { RegionalHostname } from "@pulumi/cloudflare/regionalHostname";
export { Ruleset } from "@pulumi/cloudflare/ruleset";
export { Zone } from "@pulumi/cloudflare/zone";
export { AccountToken } from "@pulumi/cloudflare/accountToken";
export { ZoneSetting } from "@pulumi/cloudflare/zoneSetting";
export type * as types from "@pulumi/cloudflare/types";
export { ZoneSubscription } from "@pulumi/cloudflare/zoneSubscription";
