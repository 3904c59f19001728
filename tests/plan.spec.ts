import { spawnSync } from "child_process";
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { projectRoot } from "../offline/engine";
import { fakePasswordPrefix } from "../offline/mocks/random";

const planScript = path.join(__dirname, "..", "offline", "plan.js");
const root = projectRoot();

function planCli(...args: string[]) {
    const r = spawnSync(process.execPath, [planScript, ...args], { cwd: root, encoding: "utf8", timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("offline start-up", () => {
    // In a child process: start-up changes how modules load, which the test process should not.
    const probe = (script: string) => {
        const r = spawnSync(process.execPath, ["-e", `const startup = require(${JSON.stringify(path.join(__dirname, "..", "offline", "startup.js"))}); ${script}`],
            { cwd: root, encoding: "utf8", timeout: 60_000 });
        expect(r.stderr).to.equal("");
        expect(r.status).to.equal(0);
        return JSON.parse(r.stdout);
    };
    const loaded = (id: string) => `Object.keys(require.cache).some(f => f.includes(${JSON.stringify(id)}))`;

    it("loads @pulumi/pulumi without typescript or the automation API", () => {
        expect(probe(`require("@pulumi/pulumi"); console.log(JSON.stringify([startup.stillDeferred(), ${loaded("/automation/localWorkspace")}]))`))
            .to.deep.equal([["typescript", "@pulumi/pulumi/automation", "normalize-package-data", "zod locales"], false]);
    });

    it("still gives the real modules to whoever uses them", () => {
        expect(probe(`const z = require("zod"); console.log(JSON.stringify([Object.keys(z.locales).length > 30, typeof z.locales.de,
            z.object({ a: z.string() }).safeParse({ a: 1 }).error.issues[0].message, startup.stillDeferred().includes("zod locales")]))`))
            .to.deep.equal([true, "function", "Invalid input: expected string, received number", false]);
        expect(probe(`const pulumi = require("@pulumi/pulumi"); const ts = require("typescript");
            pulumi.automation.bookkeepProbe = 1;
            console.log(JSON.stringify([typeof pulumi.automation.LocalWorkspace.create, typeof ts.createSourceFile, ts.createSourceFile === require("typescript/lib/typescript.js").createSourceFile,
                require("@pulumi/pulumi/automation").bookkeepProbe, "LocalWorkspace" in pulumi.automation,
                typeof pulumi.runtime.computeCodePaths, ${loaded("/automation/localWorkspace")}, startup.stillDeferred()]))`))
            .to.deep.equal(["function", "function", true, 1, true, "function", true, ["normalize-package-data", "zod locales"]]);
    });
});

describe("offline compile cache", () => {
    it("enables Node's compile cache in the project's folder, and the next run compiles from it", () => {
        const compileCache = path.join(__dirname, "..", "offline", "compileCache.js");
        const script = `const c = require(${JSON.stringify(compileCache)}); console.log(JSON.stringify([c.compileCache.directory === c.compileCacheDir, c.compileCacheDir]));
            require("@pulumi/kubernetes/core/v1");`;
        const runOnce = () => {
            const env: NodeJS.ProcessEnv = { ...process.env, NODE_DEBUG_NATIVE: "COMPILE_CACHE" };
            delete env.NODE_COMPILE_CACHE;
            const r = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8", env });
            expect(r.status, r.stderr).to.equal(0);
            return { out: JSON.parse(r.stdout.trim().split("\n").pop()!) as [boolean, string], log: r.stderr };
        };
        runOnce();
        const second = runOnce();
        expect(second.out).to.deep.equal([true, path.join(root, "node_modules", ".cache", "bookkeep-compile-cache")]);
        expect(second.log).to.match(/cache for \S+\/@pulumi\/kubernetes\/core\/v1\/index\.js was accepted/);
    });
});

describe("plan command", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "bookkeep-plan-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("exits 2 for an unknown stack, listing the known ones", () => {
        const r = planCli("--stack", "qa");
        expect(r.code).to.equal(2);
        expect(r.stderr).to.contain("--stack: no Pulumi.qa.yaml; known stacks are development, production, production-gcp, staging, staging-gcp");
    });

    it("exits 2 for a cloud outside the switch", () => {
        const r = planCli("--stack", "production", "--cloud", "azure");
        expect(r.code).to.equal(2);
        expect(r.stderr).to.contain("Allowed choices are aws, gcp, local");
    });

    it("exits 2 for invalid stack config, naming the key, the value and what is allowed", () => {
        const r = planCli("--stack", "staging", "--set", "bookkeep:aws={\"region\":\"eu-west-1\"}");
        expect(r.code).to.equal(2);
        expect(r.stderr).to.contain("bookkeep:aws.region");
        expect(r.stderr).to.contain("\"eu-west-1\"");
        expect(r.stderr).to.contain("must be one of ap-south-1, ap-south-2");
    });

    it("exits 2 for a malformed --set", () => {
        const r = planCli("--stack", "staging", "--set", "bookkeep:cloud");
        expect(r.code).to.equal(2);
        expect(r.stderr).to.contain("expected key=value");
    });

    describe("bad output paths exit 2 with one line naming the path and the reason, before planning", () => {
        const cases: Array<[string[], string]> = [
            [["--json", "/"], "error: --json /: is a folder; give a file name\n"],
            [["--diagram", "/"], "error: --diagram /: is a folder; give a file name\n"],
            [["--summary", "/dev/null/x.md"], "error: --summary /dev/null/x.md: /dev/null is not a folder\n"],
            [["--manifests", "/dev/null"], "error: --manifests /dev/null: /dev/null is not a folder\n"],
            [["--json", "/proc/nope/x.json"], "error: --json /proc/nope/x.json: cannot create folder /proc/nope: cannot be created there\n"],
        ];
        for (const [args, line] of cases) {
            it(args.join(" "), () => {
                const r = planCli("--stack", "development", "--quiet", ...args);
                expect([r.code, r.stderr, r.stdout]).to.deep.equal([2, line, ""]);
            });
        }
    });

    it("cuts a long bad value to a line", () => {
        const r = planCli("--stack", "staging", "--set", "x".repeat(100_000));
        expect(r.code).to.equal(2);
        expect(r.stderr.length).to.be.lessThan(400);
        expect(r.stderr).to.match(/x… \(\d{6} characters\)/);
    });

    it("exits 1 on a mandatory violation, naming the policy and the resource", () => {
        const r = planCli("--stack", "production", "--quiet", "--set", "bookkeep:database={\"deletionProtection\":false}",
            "--set", "bookkeep:resilienceOverrides={\"database.deletionProtection\":\"a what-if: does the pack still catch it?\"}");
        expect(r.code, r.stderr).to.equal(1);
        expect(r.stdout).to.contain("FAIL: ");
        expect(r.stdout).to.contain("1 mandatory policy violation(s)");
        expect(r.stdout).to.match(/\[mandatory\] rds-deletion-protection-production: urn:pulumi:production::bookkeep::\S+::bookkeep-aws-database-postgres\n/);
    });

    it("takes --set keys without a namespace as the project's, as the CLI does", () => {
        const r = planCli("--stack", "staging", "--quiet", "--set", "cloud=azure");
        expect(r.code).to.equal(2);
        expect(r.stderr).to.contain("bookkeep:cloud");
    });

    it("evaluates a first preview (--preview): unknown outputs, still no mandatory violation", () => {
        const r = planCli("--stack", "production", "--cloud", "gcp", "--preview", "--json", path.join(dir, "preview.json"));
        expect(r.code, r.stderr + r.stdout).to.equal(0);
        const plan = JSON.parse(fs.readFileSync(path.join(dir, "preview.json"), "utf8"));
        expect(JSON.stringify(plan.resources)).to.contain("[unknown]");
    });

    it("writes manifests into a folder without deleting what else is there", () => {
        const out = path.join(dir, "manifests");
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(path.join(out, "keep.txt"), "mine");
        fs.writeFileSync(path.join(out, "999_stale_object.yaml"), "kind: Stale");
        const r = planCli("--stack", "development", "--quiet", "--manifests", out);
        expect(r.code, r.stderr).to.equal(0);
        expect(fs.readFileSync(path.join(out, "keep.txt"), "utf8")).to.equal("mine");
        expect(fs.existsSync(path.join(out, "999_stale_object.yaml"))).to.equal(false);
        expect(fs.readdirSync(out).filter(f => f.endsWith(".yaml")).length).to.be.greaterThan(20);
    });

    for (const [stack, cloud] of [["production", "aws"], ["staging", "gcp"]] as const) {
        describe(`${stack} on ${cloud}`, () => {
            let run: ReturnType<typeof planCli>;
            let plan: any;
            const file = () => path.join(dir, `${stack}-${cloud}.json`);
            before(() => {
                run = planCli("--stack", stack, "--cloud", cloud, "--json", file());
                plan = JSON.parse(fs.readFileSync(file(), "utf8"));
            });

            it("exits 0 with no mandatory violation and says so", () => {
                expect(run.code, run.stderr + run.stdout).to.equal(0);
                expect(run.stdout).to.match(/PASS: \d+ resources, 0 mandatory policy violation\(s\)/);
                // The stack on another cloud is its variant (Pulumi.<stack>-<cloud>.yaml).
                expect(run.stdout).to.match(new RegExp(`Stack ${stack}(-${cloud})? on ${cloud}`));
                expect(run.stdout).to.contain("Resources by type:");
            });

            it("writes the plan JSON of the design contract", () => {
                expect(Object.keys(plan)).to.deep.equal(["stack", "cloud", "resources", "policies", "outputs", "preflight"]);
                expect([stack, `${stack}-${cloud}`]).to.include(plan.stack);
                expect(plan.cloud).to.equal(cloud);
                expect(plan.resources.length).to.be.greaterThan(50);
                for (const r of plan.resources) {
                    expect(Object.keys(r)).to.deep.equal(["urn", "type", "name", "parent", "provider", "inputs", "protect", "dependsOn"]);
                }
                expect(plan.policies.pack).to.equal("bookkeep-guardrails");
                expect(plan.policies.evaluated.length).to.be.at.least(40);
                for (const p of plan.policies.evaluated) {
                    expect(["mandatory", "advisory", "disabled"]).to.include(p.enforcementLevel);
                }
                expect(plan.policies.violations.filter((v: any) => v.enforcementLevel === "mandatory")).to.deep.equal([]);
                expect(plan.outputs.kubeconfig).to.equal("[secret]");
            });

            it("records every resource's parent and provider by URN", () => {
                const urns = new Set(plan.resources.map((r: any) => r.urn));
                for (const r of plan.resources) {
                    if (r.parent !== null) {
                        expect(urns.has(r.parent), `${r.urn} parent`).to.equal(true);
                    }
                    if (r.provider !== null) {
                        expect(urns.has(r.provider), `${r.urn} provider`).to.equal(true);
                    }
                }
                const cloudResources = plan.resources.filter((r: any) => r.type.startsWith(`${cloud}:`));
                expect(cloudResources.length).to.be.greaterThan(10);
                for (const r of cloudResources) {
                    expect(r.provider, r.urn).to.match(new RegExp(`pulumi:providers:${cloud}::`));
                }
            });

            it("never carries a secret in plain text", () => {
                const text = fs.readFileSync(file(), "utf8");
                expect(text).to.contain("[secret]");
                expect(text).not.to.match(/postgres:\/\/[^"]*:[^"@]+@/);
                expect(text).not.to.match(/rediss?:\/\/:[^"@]+@/);
                expect(text).not.to.contain(fakePasswordPrefix);
            });
        });
    }
});

describe("npm run plan's transpile (.ci/transpile.mjs)", () => {
    it("emits require() for import(), as tsc does, so a fresh clone's plan can load its lazy modules", function () {
        this.timeout(120_000);
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "bookkeep-transpile-"));
        try {
            const r = spawnSync(process.execPath, [path.join(root, ".ci", "transpile.mjs")],
                { cwd: root, encoding: "utf8", env: { ...process.env, TRANSPILE_OUT: out } });
            expect(r.status, r.stderr).to.equal(0);
            const engine = fs.readFileSync(path.join(out, "offline", "engine.js"), "utf8");
            expect(engine).to.include(`require("./charts/children")`);
            // Node's native import() does not add ".js" to a relative specifier: ERR_MODULE_NOT_FOUND.
            const nativeRelative = /\bimport\(\s*["']\.{1,2}\//;
            const offenders = fs.readdirSync(out, { recursive: true, encoding: "utf8" })
                .filter(f => f.endsWith(".js") && nativeRelative.test(fs.readFileSync(path.join(out, f), "utf8")));
            expect(offenders).to.deep.equal([]);
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    });
});
