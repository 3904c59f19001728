/** The shape of one service catalog entry, and the catalog's validation. */
import { z } from "zod";
import { ConfigIssue, describeIssue, inputError, shorten } from "../stacks/errors";

export const backends = ["postgres", "redis", "nats"] as const;
export type Backend = typeof backends[number];

const quantityCpu = z.string().regex(/^\d+m$|^\d+(\.\d+)?$/, { message: "must be a CPU quantity such as 250m" });
const quantityMemory = z.string().regex(/^\d+(Mi|Gi)$/, { message: "must be a memory quantity such as 256Mi" });
const resourceSet = z.strictObject({ cpu: quantityCpu, memory: quantityMemory });
const port = z.number({ message: "must be a port number" }).int({ message: "must be a whole port number" })
    .min(1024, { message: "must be an unprivileged port (1024-65535)" })
    .max(65535, { message: "must be an unprivileged port (1024-65535)" });
const replicas = z.number().int().min(1, { message: "must be at least 1" }).max(100, { message: "must be at most 100" });

export const serviceSpecSchema = z.strictObject({
    /** Short name; Kubernetes objects are named `<name>-service` as in docs/requirements.md (Service shape). */
    name: z.string({ message: "is required: a lowercase DNS label such as invoice" }).regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, { message: "must be a lowercase DNS label such as invoice" }),
    /** Image repository under the fleet registry, such as `invoice-service`. */
    image: z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, { message: "must be an image repository name such as invoice-service" }),
    /** Container port; every service listens on 3100 (requirements: Service shape). */
    port,
    /** Port of the Prometheus /metrics endpoint (container and Service port named `metrics`). */
    metricsPort: port,
    /** API route prefix on api.<domain>, such as /v1/invoices. */
    routePrefix: z.string().regex(/^\/v\d+\/[a-z][a-z0-9-]*$/, { message: "must look like /v1/<resource>" }),
    /** What the service talks to; drives its env, its secrets and its NetworkPolicy egress. */
    backends: z.array(z.enum(backends)).refine(b => new Set(b).size === b.length, { message: "must not repeat a backend" }),
    /**
     * Whether the service gets JWT_SECRET from `bookkeeping-secrets`. Default false: only the service
     * that signs tokens holds the signing key, so a compromise elsewhere cannot mint tokens.
     */
    jwtSecret: z.boolean().default(false),
    resources: z.strictObject({ requests: resourceSet, limits: resourceSet }),
    scaling: z.strictObject({
        /** HPA utilisation targets, in percent. */
        cpuUtilization: z.number().int().min(10).max(95),
        memoryUtilization: z.number().int().min(10).max(95),
        /** Replica bounds for this service in every environment; default: the stack's fleet.minReplicas/maxReplicas. */
        minReplicas: replicas.optional(),
        maxReplicas: replicas.optional(),
    }).superRefine((s, ctx) => {
        if (s.minReplicas !== undefined && s.maxReplicas !== undefined && s.minReplicas > s.maxReplicas) {
            ctx.addIssue({ code: "custom", path: ["minReplicas"], message: `must not exceed scaling.maxReplicas (${s.maxReplicas})` });
        }
    }),
}).refine(s => s.port !== s.metricsPort, { message: "must differ from port", path: ["metricsPort"] });

/** A validated catalog entry. */
export type ServiceSpec = z.infer<typeof serviceSpecSchema>;
/** A catalog entry as written (defaults not yet applied). */
export type ServiceSpecInput = z.input<typeof serviceSpecSchema>;

/** Validates a catalog; throws one error naming each bad service and field. */
export function validateCatalog(entries: readonly unknown[]): ServiceSpec[] {
    const issues: ConfigIssue[] = [];
    const specs: ServiceSpec[] = [];
    if (entries.length === 0) {
        throw inputError("service catalog", [{ propertyPath: "services", reason: "must list at least one service" }]);
    }
    entries.forEach((entry, i) => {
        const label = typeof (entry as { name?: unknown })?.name === "string" ? (entry as { name: string }).name : `#${i}`;
        const r = serviceSpecSchema.safeParse(entry, { error: describeIssue });
        if (r.success) {
            specs.push(r.data);
        } else {
            for (const issue of r.error.issues) {
                const field = issue.path.join(".") || "(entry)";
                const got = issue.path.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<PropertyKey, unknown>)[k] : undefined), entry);
                const reason = issue.code === "unrecognized_keys" ? `unknown field(s) ${issue.keys.join(", ")}` : issue.message;
                issues.push({ propertyPath: `services.${label}.${field}`, reason: `${reason}${got === undefined || issue.code === "unrecognized_keys" ? "" : ` (got ${shorten(got)})`}` });
            }
        }
    });
    // Two Deployments named alike would overwrite each other; two Ingress paths alike route to one of them at random.
    const unique = (field: "name" | "routePrefix") => {
        const owners = new Map<string, string>();
        for (const s of specs) {
            const prior = owners.get(s[field]);
            if (prior !== undefined) {
                const reason = field === "name"
                    ? "is used by more than one entry; each service needs its own name"
                    : `duplicates ${prior}'s routePrefix ${JSON.stringify(s.routePrefix)}; each service needs its own`;
                issues.push({ propertyPath: `services.${s.name}.${field}`, reason });
            }
            owners.set(s[field], s.name);
        }
    };
    unique("name");
    unique("routePrefix");
    if (issues.length > 0) {
        throw inputError("service catalog", issues);
    }
    return specs;
}
