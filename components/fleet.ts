/**
 * The service fleet: one BookKeepService per catalog entry, each with its HTTPRoute on the API
 * Gateway's api listener (api.<domain>/<prefix>); TLS, the per-client rate limit and the other
 * limits are the Gateway's (components/k8s/gateway.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { Release } from "../services/release";
import { ServiceSpec, validateCatalog } from "../services/schema";
import { ConfigIssue, inputError } from "../stacks/errors";
import { StackConfig } from "../stacks/schema";
import { CloudFoundation } from "./foundation";
import { apiParentRef } from "./k8s/gateway";
import { namespacesFor } from "./naming";
import { BookKeepService } from "./service";

export interface FleetArgs {
    /** Validated stack config: domain, environment and the `fleet` settings (replica bounds, registry, canaries). */
    readonly config: StackConfig;
    /** Data-store peers and ports for the NetworkPolicies. */
    readonly foundation: CloudFoundation;
    /** The service catalog (services/); validated again here, so a hand-built catalog fails just as early. */
    readonly catalog: readonly ServiceSpec[];
    /** The app namespace, `bookkeep-<environment>`. */
    readonly namespace: string;
    /** Which image each service runs: the validated release manifest (services/release.ts). */
    readonly release: Release;
}

export class Fleet extends pulumi.ComponentResource {
    /** The services, keyed by catalog name. */
    public readonly services: Record<string, BookKeepService>;
    /** Service name -> public base URL, `https://api.<domain><routePrefix>`. */
    public readonly routes: Record<string, string>;

    constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
        const { config, foundation, namespace } = args;
        const catalog = validateArgs(args);
        super("bookkeep:fleet:Fleet", name, {}, opts);

        const apiHost = `api.${config.domain}`;
        const route = { host: apiHost, parentRef: apiParentRef(namespacesFor(config.environment)) };
        this.services = {};
        for (const spec of catalog) {
            this.services[spec.name] = new BookKeepService(`${name}-${spec.name}`, {
                spec,
                environment: config.environment,
                namespace,
                image: present(args.release[spec.name]),
                minReplicas: config.fleet.minReplicas,
                maxReplicas: config.fleet.maxReplicas,
                compactResources: config.fleet.compactResources,
                postgres: foundation.postgres,
                redis: foundation.redis,
                route,
                canary: config.fleet.canaries[spec.name],
            }, { parent: this, dependsOn: opts?.dependsOn });
        }

        this.routes = Object.fromEntries(catalog.map(spec => [spec.name, `https://${apiHost}${spec.routePrefix}`]));
        this.registerOutputs({ routes: this.routes });
    }
}

function validateArgs(args: FleetArgs): ServiceSpec[] {
    const catalog = validateCatalog(args.catalog);
    const issues: ConfigIssue[] = [];
    const names = catalog.map(s => s.name);
    for (const service of Object.keys(args.config.fleet.canaries)) {
        if (!names.includes(service)) {
            issues.push({ propertyPath: `bookkeep:fleet.canaries.${service}`, reason: `is not a service in the catalog; known services are ${names.join(", ")}` });
        }
    }
    for (const service of names.filter(n => args.release[n] === undefined)) {
        issues.push({ propertyPath: `release.${service}`, reason: `is missing; the release manifest must name an image for every service in the catalog` });
    }
    if (issues.length > 0) {
        throw inputError("fleet", issues);
    }
    return catalog;
}

/** validateArgs has refused a catalog service without a release, so the lookup cannot miss. */
function present<T>(value: T | undefined): T {
    if (value === undefined) {
        throw new Error("unreachable: a service without a release passed validation");
    }
    return value;
}
