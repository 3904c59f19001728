import { expect } from "chai";
import { catalogEntries, loadCatalog, serviceNames, ServiceSpecInput, validateCatalog } from "../services";

/** Validates `entries` and returns the error message; fails if the catalog is accepted. */
function rejection(entries: readonly unknown[]): string {
    try {
        validateCatalog(entries);
    } catch (err) {
        expect((err as Error).constructor.name).to.equal("InputPropertiesError");
        return (err as Error).message;
    }
    throw new Error("catalog was accepted");
}

const auth = catalogEntries.find(s => s.name === "auth")!;
/** The auth entry with `patch` applied; a key set to undefined is removed. */
function authWith(patch: Record<string, unknown>): Record<string, unknown> {
    const entry: Record<string, unknown> = { ...auth, ...patch };
    for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) {
            delete entry[k];
        }
    }
    return entry;
}
const header = "invalid service catalog:\n";

describe("service catalog", () => {
    it("lists the six BookKeep services with the required routes, port and sizing", () => {
        const catalog = loadCatalog();
        expect(catalog.map(s => s.name)).to.deep.equal(["auth", "bookkeeping", "invoice", "tax", "customer", "report"]);
        expect(serviceNames()).to.deep.equal(catalog.map(s => s.name));
        expect(Object.fromEntries(catalog.map(s => [s.name, s.routePrefix]))).to.deep.equal({
            auth: "/v1/auth", bookkeeping: "/v1/transactions", invoice: "/v1/invoices",
            tax: "/v1/tax", customer: "/v1/customers", report: "/v1/reports",
        });
        for (const s of catalog) {
            expect(s.port, s.name).to.equal(3100);
            expect(s.metricsPort, s.name).to.equal(9090);
            expect(s.image, s.name).to.equal(`${s.name}-service`);
            expect(s.resources, s.name).to.deep.equal({ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } });
            expect(s.scaling, s.name).to.deep.equal({ cpuUtilization: 70, memoryUtilization: 80 });
        }
    });

    it("states which backends each service uses, and only auth holds the JWT signing secret", () => {
        const catalog = loadCatalog();
        expect(Object.fromEntries(catalog.map(s => [s.name, s.backends]))).to.deep.equal({
            auth: ["postgres", "redis"],
            bookkeeping: ["postgres", "redis", "nats"],
            invoice: ["postgres", "redis", "nats"],
            tax: ["postgres", "nats"],
            customer: ["postgres", "redis"],
            report: ["postgres", "nats"],
        });
        expect(catalog.filter(s => s.jwtSecret).map(s => s.name)).to.deep.equal(["auth"]);
    });

    it("takes a seventh service as one more entry", () => {
        const payroll: ServiceSpecInput = {
            name: "payroll", image: "payroll-service", port: 3100, metricsPort: 9090, routePrefix: "/v1/payroll",
            backends: ["postgres"], resources: auth.resources, scaling: { cpuUtilization: 60, memoryUtilization: 75, maxReplicas: 4 },
        };
        const catalog = loadCatalog([...catalogEntries, payroll]);
        expect(catalog).to.have.length(7);
        expect(catalog[6]).to.deep.equal({ ...payroll, jwtSecret: false });
    });

    describe("rejects, naming the service and field", () => {
        it("an image tag, which belongs in the release manifest (releases/, services/release.ts)", () => {
            expect(rejection([authWith({ tag: "v1.0.0" })])).to.equal(`${header}  - services.auth.(entry): unknown field(s) tag`);
        });

        it("a privileged, out-of-range or non-numeric port", () => {
            expect(rejection([authWith({ port: 80 })])).to.equal(`${header}  - services.auth.port: must be an unprivileged port (1024-65535) (got 80)`);
            expect(rejection([authWith({ port: 70000 })])).to.equal(`${header}  - services.auth.port: must be an unprivileged port (1024-65535) (got 70000)`);
            expect(rejection([authWith({ port: "3100" })])).to.equal(`${header}  - services.auth.port: must be a port number (got "3100")`);
            expect(rejection([authWith({ metricsPort: 443 })])).to.equal(`${header}  - services.auth.metricsPort: must be an unprivileged port (1024-65535) (got 443)`);
        });

        it("a metrics port equal to the service port", () => {
            expect(rejection([authWith({ metricsPort: 3100 })])).to.equal(`${header}  - services.auth.metricsPort: must differ from port (got 3100)`);
        });

        it("minReplicas above maxReplicas", () => {
            const scaling = { ...auth.scaling, minReplicas: 3, maxReplicas: 2 };
            expect(rejection([authWith({ scaling })])).to.equal(`${header}  - services.auth.scaling.minReplicas: must not exceed scaling.maxReplicas (2) (got 3)`);
        });

        it("a duplicate name", () => {
            expect(rejection([auth, authWith({ routePrefix: "/v1/login" })]))
                .to.equal(`${header}  - services.auth.name: is used by more than one entry; each service needs its own name`);
        });

        it("a duplicate route prefix", () => {
            expect(rejection([auth, authWith({ name: "login", image: "login-service" })]))
                .to.equal(`${header}  - services.login.routePrefix: duplicates auth's routePrefix "/v1/auth"; each service needs its own`);
        });

        it("a malformed route prefix", () => {
            expect(rejection([authWith({ routePrefix: "auth" })])).to.equal(`${header}  - services.auth.routePrefix: must look like /v1/<resource> (got "auth")`);
        });

        it("an unknown backend, and a repeated one", () => {
            expect(rejection([authWith({ backends: ["postgres", "mysql"] })]))
                .to.equal(`${header}  - services.auth.backends.1: must be one of postgres, redis, nats (got "mysql")`);
            expect(rejection([authWith({ backends: ["redis", "redis"] })]))
                .to.equal(`${header}  - services.auth.backends: must not repeat a backend (got ["redis","redis"])`);
        });

        it("a missing name, labelling the entry by position", () => {
            expect(rejection([authWith({ name: undefined })])).to.equal(`${header}  - services.#0.name: is required: a lowercase DNS label such as invoice`);
        });

        it("an unknown field", () => {
            expect(rejection([authWith({ replicas: 3 })])).to.equal(`${header}  - services.auth.(entry): unknown field(s) replicas`);
        });

        it("an empty catalog", () => {
            expect(rejection([])).to.equal(`${header}  - services: must list at least one service`);
        });

        it("every problem at once, one line each", () => {
            const message = rejection([
                authWith({ port: 80 }),
                authWith({ name: "login", routePrefix: "/v1/login" }),
                authWith({ name: "signup", routePrefix: "/v1/login" }),
            ]);
            expect(message.split("\n")).to.deep.equal([
                "invalid service catalog:",
                "  - services.auth.port: must be an unprivileged port (1024-65535) (got 80)",
                "  - services.signup.routePrefix: duplicates login's routePrefix \"/v1/login\"; each service needs its own",
            ]);
        });
    });
});
