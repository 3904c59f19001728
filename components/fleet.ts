/**
 * The service fleet: one BookKeepService per catalog entry, and the API Ingress that routes
 * api.<domain>/<prefix> to each of them with TLS from cert-manager and a per-client rate limit.
 */
import * as k8s from "./k8s/sdk";
import * as pulumi from "@pulumi/pulumi";
import { Release } from "../services/release";
import { ServiceSpec, validateCatalog } from "../services/schema";
import { ConfigIssue, inputError } from "../stacks/errors";
import { StackConfig } from "../stacks/schema";
import { CloudFoundation } from "./foundation";
import { ingressClass } from "./k8s/ingress";
import { appLabels, wellKnown } from "./naming";
import { BookKeepService } from "./service";

export interface FleetArgs {
    /** Validated stack config: domain, environment and the `fleet` settings (replica bounds, registry, canaries). */
    readonly config: StackConfig;
    /** Data-store peers and ports for the NetworkPolicies, and the cert-manager issuer for the Ingress. */
    readonly foundation: CloudFoundation;
    /** The service catalog (services/); validated again here, so a hand-built catalog fails just as early. */
    readonly catalog: readonly ServiceSpec[];
    /** The app namespace, `bookkeep-<environment>`. */
    readonly namespace: string;
    /** Which image each service runs: the validated release manifest (services/release.ts). */
    readonly release: Release;
    /** Requests per minute each client IP may make to the API. Default 100 (requirements: Ingress). */
    readonly rateLimitPerMinute?: number;
}

const defaults = { rateLimitPerMinute: 100 };

export class Fleet extends pulumi.ComponentResource {
    /** The services, keyed by catalog name. */
    public readonly services: Record<string, BookKeepService>;
    /** Service name -> public base URL, `https://api.<domain><routePrefix>`. */
    public readonly routes: Record<string, string>;
    public readonly ingress: k8s.networking.v1.Ingress;

    constructor(name: string, args: FleetArgs, opts?: pulumi.ComponentResourceOptions) {
        const { config, foundation, namespace, rateLimitPerMinute } = { ...defaults, ...args };
        const catalog = validateArgs(args, rateLimitPerMinute);
        super("bookkeep:fleet:Fleet", name, {}, opts);

        const apiHost = `api.${config.domain}`;
        // The wildcard lets tenant subdomains share the one DNS-01 certificate; the API itself is api.<domain>.
        const tlsHosts = [apiHost, `*.${config.domain}`];
        this.services = {};
        const paths: k8s.types.input.networking.v1.HTTPIngressPath[] = [];
        for (const spec of catalog) {
            const service = new BookKeepService(`${name}-${spec.name}`, {
                spec,
                environment: config.environment,
                namespace,
                image: present(args.release[spec.name]),
                minReplicas: config.fleet.minReplicas,
                maxReplicas: config.fleet.maxReplicas,
                compactResources: config.fleet.compactResources,
                postgres: foundation.postgres,
                redis: foundation.redis,
                ingress: { host: apiHost, tlsHosts, tlsSecret: wellKnown.tlsSecret },
                canary: config.fleet.canaries[spec.name],
            }, { parent: this, dependsOn: opts?.dependsOn });
            this.services[spec.name] = service;
            paths.push({ path: spec.routePrefix, pathType: "Prefix", backend: { service: { name: service.serviceName, port: { number: 80 } } } });
        }

        this.ingress = new k8s.networking.v1.Ingress(`${name}-ingress`, {
            metadata: {
                name: "bookkeep-ingress",
                namespace,
                labels: appLabels("bookkeep-api", "ingress"),
                annotations: {
                    // cert-manager's ingress-shim turns this Ingress's TLS block into the bookkeep-tls
                    // Certificate (wildcard included); the key settings ride along as annotations.
                    "cert-manager.io/cluster-issuer": foundation.certificateIssuer.name,
                    "cert-manager.io/private-key-algorithm": "ECDSA",
                    "cert-manager.io/private-key-size": "256",
                    "cert-manager.io/private-key-rotation-policy": "Always",
                    // The description's rate-limit/rate-limit-window are not ingress-nginx annotations; limit-rpm is
                    // (per client IP, which the controller sees because its Service keeps
                    // externalTrafficPolicy: Local). Its burst defaults to 5x the rate, which would admit
                    // 600 requests in the first minute, so the multiplier is 1. The counters live in each
                    // controller replica, not a shared store: with N replicas behind the load balancer a
                    // client can get up to N x the limit (2x in production). Over the limit, the
                    // controller answers 429 (limit-req-status-code in components/k8s/ingress.ts).
                    "nginx.ingress.kubernetes.io/limit-rpm": String(rateLimitPerMinute),
                    "nginx.ingress.kubernetes.io/limit-burst-multiplier": "1",
                },
            },
            spec: {
                // ingressClassName replaces the deprecated kubernetes.io/ingress.class annotation; setting
                // both is rejected by the API server.
                ingressClassName: ingressClass,
                tls: [{ hosts: tlsHosts, secretName: wellKnown.tlsSecret }],
                rules: [{
                    host: apiHost,
                    http: { paths },
                }],
            },
        }, { parent: this, dependsOn: opts?.dependsOn });

        this.routes = Object.fromEntries(catalog.map(spec => [spec.name, `https://${apiHost}${spec.routePrefix}`]));
        this.registerOutputs({ routes: this.routes });
    }
}

function validateArgs(args: FleetArgs, rateLimitPerMinute: number): ServiceSpec[] {
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
    if (!Number.isInteger(rateLimitPerMinute) || rateLimitPerMinute < 1) {
        issues.push({ propertyPath: "rateLimitPerMinute", reason: `must be a whole number of requests of at least 1 (got ${JSON.stringify(rateLimitPerMinute)})` });
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
