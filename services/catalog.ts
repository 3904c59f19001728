/**
 * The BookKeep service catalog: one entry per service. Adding a service is adding an entry here;
 * the fleet (Deployment, Service, HPA, PDB, NetworkPolicy, Ingress path), the ServiceMonitor and
 * the policies pick it up. Which build of each service runs is not here but in the release
 * manifest (releases/<environment>.yaml, services/release.ts), so a release touches only that file.
 */
import { ServiceSpecInput } from "./schema";

/** The service shape's sizing (requirements: Service shape), shared by every service unless an entry says otherwise. */
const standardResources = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
/** The HPA targets (requirements: Service shape); replica bounds come from the stack (staging 1-2, production 2-10). */
const standardScaling = { cpuUtilization: 70, memoryUtilization: 80 };
const standardPorts = { port: 3100, metricsPort: 9090 };
const standard = { ...standardPorts, resources: standardResources, scaling: standardScaling };

export const catalogEntries: readonly ServiceSpecInput[] = [
    // Signs the JWTs, so it alone holds jwt-secret; sessions and login throttling live in Redis.
    { name: "auth", image: "auth-service", routePrefix: "/v1/auth", backends: ["postgres", "redis"], jwtSecret: true, ...standard },
    { name: "bookkeeping", image: "bookkeeping-service", routePrefix: "/v1/transactions", backends: ["postgres", "redis", "nats"], ...standard },
    { name: "invoice", image: "invoice-service", routePrefix: "/v1/invoices", backends: ["postgres", "redis", "nats"], ...standard },
    // GST computation and filings: reacts to invoice/transaction events, no cache.
    { name: "tax", image: "tax-service", routePrefix: "/v1/tax", backends: ["postgres", "nats"], ...standard },
    { name: "customer", image: "customer-service", routePrefix: "/v1/customers", backends: ["postgres", "redis"], ...standard },
    // Builds reports from events and the database; long-running exports are queued over NATS.
    { name: "report", image: "report-service", routePrefix: "/v1/reports", backends: ["postgres", "nats"], ...standard },
];
