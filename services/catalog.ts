/**
 * The BookKeep service catalog: one entry per service. Adding a service is adding an entry here;
 * the fleet, ingress routes, NetworkPolicies, dashboards and policies pick it up.
 */
import { ServiceSpec } from "./schema";

/** The seed's Deployment sizing, shared by every service unless an entry says otherwise. */
const seedResources = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
const seedScaling = { cpuUtilization: 70, memoryUtilization: 80 };
const seedPorts = { port: 3100, metricsPort: 9090 };

export const catalogEntries: readonly ServiceSpec[] = [
    { name: "auth", image: "auth-service", tag: "v1.0.0", ...seedPorts, routePrefix: "/v1/auth", backends: ["postgres", "redis"], resources: seedResources, scaling: seedScaling },
    { name: "bookkeeping", image: "bookkeeping-service", tag: "v1.0.0", ...seedPorts, routePrefix: "/v1/transactions", backends: ["postgres", "redis", "nats"], resources: seedResources, scaling: seedScaling },
    { name: "invoice", image: "invoice-service", tag: "v1.0.0", ...seedPorts, routePrefix: "/v1/invoices", backends: ["postgres", "redis", "nats"], resources: seedResources, scaling: seedScaling },
    { name: "tax", image: "tax-service", tag: "v1.0.0", ...seedPorts, routePrefix: "/v1/tax", backends: ["postgres", "nats"], resources: seedResources, scaling: seedScaling },
    { name: "customer", image: "customer-service", tag: "v1.0.0", ...seedPorts, routePrefix: "/v1/customers", backends: ["postgres", "redis"], resources: seedResources, scaling: seedScaling },
    { name: "report", image: "report-service", tag: "v1.0.0", ...seedPorts, routePrefix: "/v1/reports", backends: ["postgres", "nats"], resources: seedResources, scaling: seedScaling },
];
