/** The shape of one service catalog entry, and the catalog's validation. */
import { z } from "zod";
import { ConfigIssue, inputError } from "../stacks/errors";

export const backends = ["postgres", "redis", "nats"] as const;
export type Backend = typeof backends[number];

const quantityCpu = z.string().regex(/^\d+m$|^\d+(\.\d+)?$/, { message: "must be a CPU quantity such as 250m" });
const quantityMemory = z.string().regex(/^\d+(Mi|Gi)$/, { message: "must be a memory quantity such as 256Mi" });
const resourceSet = z.strictObject({ cpu: quantityCpu, memory: quantityMemory });

export const serviceSpecSchema = z.strictObject({
    /** Short name; Kubernetes objects are named `<name>-service` as in the seed. */
    name: z.string().regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, { message: "must be a lowercase DNS label such as invoice" }),
    /** Image repository under the fleet registry, such as `invoice-service`. */
    image: z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, { message: "must be an image repository name such as invoice-service" }),
    /** Pinned image tag. Never `latest`. */
    tag: z.string({ message: "is required: pin an image tag such as v1.0.0" })
        .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { message: "must be an image tag such as v1.0.0" })
        .refine(t => t !== "latest", { message: "must pin a version; 'latest' is not allowed" }),
    /** Container port; the seed runs every service on 3100. */
    port: z.number().int().min(1024, { message: "must be an unprivileged port (1024-65535)" }).max(65535),
    /** Port of the Prometheus /metrics endpoint (Service port named `metrics`). */
    metricsPort: z.number().int().min(1024, { message: "must be an unprivileged port (1024-65535)" }).max(65535),
    /** API route prefix on api.<domain>, such as /v1/invoices. */
    routePrefix: z.string().regex(/^\/v\d+\/[a-z][a-z0-9-]*$/, { message: "must look like /v1/<resource>" }),
    /** What the service talks to; drives its env, its secrets and its NetworkPolicy egress. */
    backends: z.array(z.enum(backends)).refine(b => new Set(b).size === b.length, { message: "must not repeat a backend" }),
    resources: z.strictObject({ requests: resourceSet, limits: resourceSet }),
    /** HPA utilisation targets, in percent. */
    scaling: z.strictObject({
        cpuUtilization: z.number().int().min(10).max(95),
        memoryUtilization: z.number().int().min(10).max(95),
    }),
}).refine(s => s.port !== s.metricsPort, { message: "metricsPort must differ from port", path: ["metricsPort"] });

export type ServiceSpec = z.infer<typeof serviceSpecSchema>;

/** Validates a catalog; throws one error naming each bad service and field. */
export function validateCatalog(entries: readonly unknown[]): ServiceSpec[] {
    const issues: ConfigIssue[] = [];
    const specs: ServiceSpec[] = [];
    entries.forEach((entry, i) => {
        const label = typeof (entry as { name?: unknown })?.name === "string" ? (entry as { name: string }).name : `#${i}`;
        const r = serviceSpecSchema.safeParse(entry);
        if (r.success) {
            specs.push(r.data);
        } else {
            for (const issue of r.error.issues) {
                const field = issue.path.join(".") || "(entry)";
                const got = issue.path.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<PropertyKey, unknown>)[k] : undefined), entry);
                issues.push({ propertyPath: `services.${label}.${field}`, reason: `${issue.message}${got === undefined ? "" : ` (got ${JSON.stringify(got)})`}` });
            }
        }
    });
    const seen = (field: "name" | "routePrefix") => {
        const owners = new Map<string, string>();
        for (const s of specs) {
            const prior = owners.get(s[field]);
            if (prior !== undefined) {
                issues.push({ propertyPath: `services.${s.name}.${field}`, reason: `duplicates ${prior}'s ${field} ${JSON.stringify(s[field])}; each service needs its own` });
            }
            owners.set(s[field], s.name);
        }
    };
    seen("name");
    seen("routePrefix");
    if (issues.length > 0) {
        throw inputError("service catalog", issues);
    }
    return specs;
}
