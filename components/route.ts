/**
 * A service's public route: one HTTPRoute, named after the service, on the Gateway's api listener,
 * sending api.<domain><routePrefix> to the service (and, with a manual canary, a weighted share to
 * the canary's Service). The only place routes are made, so a rollout controller that owns a
 * service's route (Flagger) can take it over by switching this off for that service.
 */
import * as k8s from "./k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import { appLabels } from "./naming";

export interface ServiceRouteArgs {
    /** The catalog name; the HTTPRoute is named after it. */
    readonly service: string;
    readonly namespace: string;
    /** api.<domain>. */
    readonly host: string;
    readonly routePrefix: string;
    /** The Gateway listener the route attaches to (components/k8s/gateway.ts `apiParentRef`). */
    readonly parentRef: Record<string, string>;
    /** The stable track's Service (port 80). */
    readonly backend: pulumi.Input<string>;
    /** The canary's Service and its share of traffic in percent; default none. */
    readonly canary?: { readonly backend: pulumi.Input<string>; readonly weight: number };
}

export function serviceRoute(name: string, args: ServiceRouteArgs, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
    const { canary } = args;
    const backendRefs = canary
        ? [{ name: args.backend, port: 80, weight: 100 - canary.weight }, { name: canary.backend, port: 80, weight: canary.weight }]
        : [{ name: args.backend, port: 80 }];
    return new k8s.apiextensions.CustomResource(name, {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: args.service, namespace: args.namespace, labels: appLabels(`${args.service}-service`, "route") },
        spec: {
            parentRefs: [args.parentRef],
            hostnames: [args.host],
            rules: [{ matches: [{ path: { type: "PathPrefix", value: args.routePrefix } }], backendRefs }],
        },
    }, opts);
}
