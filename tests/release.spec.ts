/**
 * The release manifest (services/release.ts): what it refuses, with exact messages, and that a
 * change to it alters only the fleet (two offline plans diffed, judged with the same target the
 * release workflow gives `pulumi up`).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { Fleet } from "../components/fleet";
import { projectRoot, RecordedResource } from "../offline/engine";
import { readStackFile } from "../offline/stackFile";
import { catalogEntries, defaultManifestPath, loadCatalog, loadRelease, parseRelease, releaseAt } from "../services";
import { parseStackConfig } from "../stacks/load";
import { fakeFoundation } from "./fakeFoundation";
import { expectInputError, plan, run } from "./harness";

const catalog = loadCatalog();
const file = "releases/staging.yaml";
const good: Record<string, string> = Object.fromEntries(catalog.map(s => [s.name, `ghcr.io/bookkeep/${s.image}:v1.0.0`]));
const manifest = (services: Record<string, string | undefined>) =>
    `services:\n${Object.entries(services).filter(([, v]) => v !== undefined).map(([k, v]) => `  ${k}: ${v}`).join("\n")}\n`;

/** Parses `services` (good entries patched) and returns the refusal; fails if accepted. */
function refusal(patch: Record<string, string | undefined>): string {
    try {
        parseRelease(file, manifest({ ...good, ...patch }), catalog);
    } catch (err) {
        expect((err as Error).constructor.name).to.equal("InputPropertiesError");
        return (err as Error).message;
    }
    throw new Error("manifest was accepted");
}

const header = `invalid release manifest ${file}:\n`;
const allowedTags = "a commit SHA (7-40 lowercase hex), a version such as v1.4.2, or a digest @sha256:<64 hex>";
const digest = `sha256:${"9b2c4f7e0d1a".repeat(5)}1234`;

describe("release manifest", () => {
    describe("refuses, naming the file, the service, the value and what is allowed", () => {
        it("a moving tag", () => {
            expect(refusal({ auth: "ghcr.io/bookkeep/auth-service:latest" })).to.equal(
                `${header}  - services.auth: must name one build, not the moving tag latest: ${allowedTags} (got "ghcr.io/bookkeep/auth-service:latest")`);
            expect(refusal({ auth: "ghcr.io/bookkeep/auth-service:Stable" })).to.contain("not the moving tag Stable");
        });

        it("a tag that names a branch rather than a build", () => {
            expect(refusal({ auth: "ghcr.io/bookkeep/auth-service:feature-x" })).to.equal(
                `${header}  - services.auth: must have a tag that names one build: ${allowedTags} (got "ghcr.io/bookkeep/auth-service:feature-x")`);
        });

        it("no tag or digest at all, and a short digest", () => {
            expect(refusal({ auth: "ghcr.io/bookkeep/auth-service" })).to.equal(
                `${header}  - services.auth: must name one build: ${allowedTags} (got "ghcr.io/bookkeep/auth-service")`);
            expect(refusal({ auth: "ghcr.io/bookkeep/auth-service@sha256:abc" })).to.equal(
                `${header}  - services.auth: must have a digest sha256:<64 lowercase hex>: ${allowedTags} (got "ghcr.io/bookkeep/auth-service@sha256:abc")`);
        });

        it("a registry outside the allowlist", () => {
            expect(refusal({ auth: "docker.io/bookkeep/auth-service:3f9c2ab" })).to.equal(
                `${header}  - services.auth: must come from an allowed registry: ghcr.io/bookkeep, 123456789012.dkr.ecr.ap-south-1.amazonaws.com/bookkeep, asia-south1-docker.pkg.dev/<project>/bookkeep (got "docker.io/bookkeep/auth-service:3f9c2ab")`);
            expect(refusal({ auth: "ghcr.io/bookkeep-evil/auth-service:3f9c2ab" })).to.contain("services.auth: must come from an allowed registry");
        });

        it("another service's image", () => {
            expect(refusal({ auth: "ghcr.io/bookkeep/invoice-service:3f9c2ab" })).to.equal(
                `${header}  - services.auth: must be the service's repository auth-service (the catalog's image), such as ghcr.io/bookkeep/auth-service:<commit SHA> (got "ghcr.io/bookkeep/invoice-service:3f9c2ab")`);
        });

        it("a service the catalog does not have", () => {
            expect(refusal({ payroll: "ghcr.io/bookkeep/payroll-service:v1.0.0" })).to.equal(
                `${header}  - services.payroll: is not a service in the catalog; known services are auth, bookkeeping, invoice, tax, customer, report (got "ghcr.io/bookkeep/payroll-service:v1.0.0")`);
        });

        it("a catalog service left out, by name", () => {
            expect(refusal({ tax: undefined })).to.equal(
                `${header}  - services.tax: is missing; every service in the catalog needs its image, such as tax: ghcr.io/bookkeep/tax-service:<commit SHA>`);
        });

        it("keys other than services, and every problem at once", () => {
            expect(() => parseRelease(file, `${manifest(good)}image: x\n`, catalog)).to.throw(
                `${header}  - (file): unknown key(s) image; the manifest has one key, services`);
            const message = refusal({ auth: "ghcr.io/bookkeep/auth-service:main", tax: undefined });
            expect(message.split("\n")).to.have.length(3);
        });
    });

    it("accepts a commit SHA, a version, a digest, and a tag with its digest", () => {
        const release = parseRelease(file, manifest({
            ...good,
            auth: "ghcr.io/bookkeep/auth-service:3f9c2ab",
            invoice: `ghcr.io/bookkeep/invoice-service:${"a1".repeat(20)}@${digest}`,
            tax: `ghcr.io/bookkeep/tax-service@${digest}`,
        }), catalog);
        expect(release.auth).to.deep.equal({ repository: "ghcr.io/bookkeep/auth-service", reference: "ghcr.io/bookkeep/auth-service:3f9c2ab", version: "3f9c2ab" });
        expect(release.invoice?.version).to.equal("a1".repeat(20));
        // A label value cannot hold ':'; a digest-only release reports the digest's first 12 hex digits.
        expect(release.tax).to.deep.equal({ repository: "ghcr.io/bookkeep/tax-service", reference: `ghcr.io/bookkeep/tax-service@${digest}`, version: "sha256-9b2c4f7e0d1a" });
        expect(release.report?.version).to.equal("v1.0.0");
    });

    it("ships a valid manifest for every environment, naming every catalog service", () => {
        for (const environment of ["development", "staging", "production"]) {
            const release = loadRelease(defaultManifestPath(environment), catalog);
            expect(Object.keys(release), environment).to.deep.equal(catalog.map(s => s.name));
        }
    });

    it("is chosen by bookkeep:releaseManifest, a .yaml path inside the project", () => {
        const config = (value: string) => () => parseStackConfig(readStackFile("staging", { "bookkeep:releaseManifest": value }).config);
        expect(config("tests/fixtures/releases/staging-b.yaml")().releaseManifest).to.equal("tests/fixtures/releases/staging-b.yaml");
        for (const bad of ["../releases/staging.yaml", "/etc/passwd.yaml", "releases/staging.json", "releases/../../x.yaml"]) {
            expect(config(bad), bad).to.throw(`bookkeep:releaseManifest: must be a .yaml file inside the project, as a relative path such as releases/staging.yaml (got ${JSON.stringify(bad)})`);
        }
        expect(() => loadRelease("releases/nowhere.yaml", catalog)).to.throw(
            "invalid release manifest releases/nowhere.yaml:\n  - releases/nowhere.yaml: does not exist; every environment needs releases/<environment>.yaml listing each service's image");
    });

    it("stops the program on a moving tag before the plan gets anywhere", async () => {
        await expectInputError(() => plan("staging", undefined, { "bookkeep:releaseManifest": "tests/fixtures/releases/staging-latest.yaml" }),
            "invalid release manifest tests/fixtures/releases/staging-latest.yaml:\n  - services.auth: must name one build, not the moving tag latest");
    });

    it("the fleet refuses a release that leaves a service out", async () => {
        const config = parseStackConfig(readStackFile("staging").config);
        const { auth: _dropped, ...release } = releaseAt(catalog, "v1.0.0");
        await expectInputError(() => run(() => {
            const f = fakeFoundation("aws", "staging");
            new Fleet("bookkeep-fleet", { config, foundation: f, catalog, namespace: "bookkeep-staging", release }, { providers: [f.k8sProvider] });
        }), "invalid fleet:\n  - release.auth: is missing; the release manifest must name an image for every service in the catalog");
    });
});

/** The release workflow's `--target` for a stack, as `pulumi up` receives it. */
function releaseTarget(stack: string): string {
    const workflow = parse(fs.readFileSync(path.join(projectRoot(), ".github", "workflows", "release.yml"), "utf8"));
    const step = workflow.jobs.up.steps.find((s: { uses?: string }) => String(s.uses).startsWith("pulumi/actions@"));
    return String(step.with.target).replace("${{ env.STACK }}", stack);
}

/** Pulumi's URN glob (pkg/resource/deploy/snapshot.go, GlobUrn): `**` any text, `*` any text without ':'. */
function globMatcher(pattern: string): (urn: string) => boolean {
    const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const source = pattern.split("**").map(seg => seg.split("*").map(quote).join("[^:]*")).join(".*");
    const re = new RegExp(`^${source}$`);
    return urn => re.test(urn);
}

/** What the engine compares for a resource: its inputs and options. */
function fingerprint(r: RecordedResource): string {
    return JSON.stringify({
        inputs: r.inputs, parent: r.parent, provider: r.provider, dependsOn: [...r.dependsOn].sort(), protect: r.protect,
        ignoreChanges: r.ignoreChanges, deleteBeforeReplace: r.deleteBeforeReplace, retainOnDelete: r.retainOnDelete,
    });
}

describe("a release changes only the fleet", () => {
    for (const [stack, cloud] of [["staging", "aws"], ["staging", "gcp"]] as const) {
        it(`${stack} on ${cloud}: manifest A vs B differ only in fleet resources, all inside the workflow's --target`, async () => {
            const a = await plan(stack, cloud);
            const b = await plan(stack, cloud, { "bookkeep:releaseManifest": "tests/fixtures/releases/staging-b.yaml" });
            expect(a.exitCode).to.equal(0);
            expect(b.exitCode).to.equal(0);
            const before = new Map(a.evaluation.resources.map(r => [r.urn, r]));
            const after = new Map(b.evaluation.resources.map(r => [r.urn, r]));
            expect([...after.keys()].sort(), "the same resources, none added or removed").to.deep.equal([...before.keys()].sort());
            const changed = [...after.values()].filter(r => fingerprint(r) !== fingerprint(before.get(r.urn)!));

            // The two services whose lines changed, their Deployments and nothing else.
            expect(changed.map(r => `${r.type} ${(r.inputs.metadata as { name?: string } | undefined)?.name}`).sort()).to.deep.equal([
                "kubernetes:apps/v1:Deployment auth-service",
                "kubernetes:apps/v1:Deployment tax-service",
            ]);
            const byName = (name: string) => changed.find(r => (r.inputs.metadata as { name: string }).name === name)!.inputs as any;
            expect(byName("auth-service").spec.template.spec.containers[0].image).to.equal("ghcr.io/bookkeep/auth-service:3f9c2ab");
            expect(byName("auth-service").spec.template.metadata.labels["app.kubernetes.io/version"]).to.equal("3f9c2ab");
            expect(byName("tax-service").spec.template.spec.containers[0].image).to.match(/^ghcr\.io\/bookkeep\/tax-service@sha256:9b2c4f7e0d1a[0-9a-f]{52}$/);

            const target = globMatcher(releaseTarget(a.evaluation.stack));
            for (const r of changed) {
                expect(target(r.urn), `${r.urn} is inside the release target`).to.equal(true);
                expect(r.type, r.urn).not.to.match(/^(aws|gcp):/);
                expect(r.urn, r.urn).not.to.contain("helm.sh");
            }
            // The target is the fleet's subtree, exactly: no cloud resource, chart or platform object is in it.
            const fleet = a.evaluation.resources.find(r => r.type === "bookkeep:fleet:Fleet")!;
            const underFleet = (r: RecordedResource): boolean => r.urn === fleet.urn || (r.parent !== null && underFleet(before.get(r.parent) ?? ({ parent: null, urn: "" } as unknown as RecordedResource)));
            for (const r of a.evaluation.resources) {
                expect(target(r.urn), r.urn).to.equal(underFleet(r));
            }
            expect(a.evaluation.resources.filter(r => target(r.urn)).length).to.be.greaterThan(40);
        });
    }
});

describe("releases stay out of the catalog", () => {
    it("no catalog entry carries an image tag", () => {
        for (const entry of catalogEntries) {
            expect(Object.keys(entry), entry.name).not.to.include("tag");
        }
    });
});
