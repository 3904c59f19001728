/**
 * The release workflows: they parse with GitHub's own parser, the service pipeline pushes
 * SHA-tagged, attested, signed images for the nodes' architecture, and release.yml updates the
 * fleet alone, production behind its environment.
 */
import { expect } from "chai";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { projectRoot } from "../offline/engine";
import { plan } from "./harness";

const root = projectRoot();
const text = (f: string) => fs.readFileSync(path.join(root, ".github", "workflows", f), "utf8");
const workflow = (f: string): any => parse(text(f));
const stepUsing = (steps: any[], action: string) => steps.filter(s => String(s.uses).startsWith(`${action}@`));

describe("release workflows", () => {
    it("parse with GitHub's workflow parser (the lint CI runs)", () => {
        const lint = spawnSync(process.execPath, ["--no-warnings", "--loader", "./.ci/json-loader.mjs", ".ci/lint-workflows.mjs"], { cwd: root, encoding: "utf8" });
        expect(lint.stderr).to.equal("");
        expect(lint.stdout).to.contain(".github/workflows/service-pipeline.yml: ok");
        expect(lint.stdout).to.contain(".github/workflows/release.yml: ok");
        expect(lint.status).to.equal(0);
    });

    describe("service-pipeline.yml", () => {
        const wf = workflow("service-pipeline.yml");

        it("is a reusable workflow taking the service, its image and the Go version", () => {
            expect(Object.keys(wf.on)).to.deep.equal(["workflow_call"]);
            expect(wf.on.workflow_call.inputs.service.required).to.equal(true);
            expect(wf.on.workflow_call.inputs.image.required).to.equal(true);
            expect(wf.on.workflow_call.inputs["go-version"].type).to.equal("string");
            expect(wf.permissions).to.deep.equal({});
        });

        it("tests with the race detector and coverage before anything is built", () => {
            const runs = wf.jobs.test.steps.map((s: any) => s.run).filter(Boolean);
            expect(runs).to.include("go test -race -covermode=atomic -coverprofile=coverage.out ./...");
            expect(stepUsing(wf.jobs.test.steps, "actions/setup-go")[0].with["go-version"]).to.equal("${{ inputs.go-version }}");
            expect(wf.jobs.image.needs).to.equal("test");
        });

        it("pushes ghcr.io/bookkeep/<image>:<commit SHA> with provenance and an SBOM, for the nodes' architecture", async () => {
            const job = wf.jobs.image;
            expect(job.env.IMAGE).to.equal("ghcr.io/bookkeep/${{ inputs.image }}");
            const [build] = stepUsing(job.steps, "docker/build-push-action");
            expect(build.with.tags).to.equal("${{ env.IMAGE }}:${{ github.sha }}");
            expect(build.with).to.include({ push: true, provenance: true, sbom: true });
            // The architecture Karpenter's pool admits on AWS; GCP's e2 machine types are x86 only.
            const staging = await plan("staging");
            const pools = staging.evaluation.resources.filter(r => r.type === "kubernetes:karpenter.sh/v1:NodePool");
            expect(pools).to.have.length.greaterThan(0);
            const arches = new Set(pools.flatMap(p => (p.inputs as any).spec.template.spec.requirements
                .filter((r: any) => r.key === "kubernetes.io/arch").flatMap((r: any) => r.values)));
            expect([...arches]).to.deep.equal(["amd64"]);
            const gcp = await plan("staging", "gcp");
            for (const pool of gcp.evaluation.resources.filter(r => r.type === "gcp:container/nodePool:NodePool")) {
                expect((pool.inputs as any).nodeConfig.machineType).to.match(/^e2-/);
            }
            expect(build.with.platforms).to.equal(`linux/${[...arches][0]}`);
            expect(stepUsing(job.steps, "docker/setup-buildx-action")).to.have.length(1);
        });

        it("signs the pushed digest keyless with cosign, with an OIDC token and no key", () => {
            const job = wf.jobs.image;
            expect(job.permissions).to.deep.equal({ contents: "read", packages: "write", "id-token": "write" });
            const names = job.steps.map((s: any) => s.uses ?? s.run);
            const build = names.findIndex((n: string) => n.startsWith("docker/build-push-action@"));
            const installer = names.findIndex((n: string) => n.startsWith("sigstore/cosign-installer@"));
            const sign = job.steps.findIndex((s: any) => /^cosign sign --yes "\$\{IMAGE\}@\$\{DIGEST\}"$/.test(s.run ?? ""));
            expect(build).to.be.greaterThan(-1);
            expect(installer).to.be.greaterThan(build);
            expect(sign).to.be.greaterThan(installer);
            expect(job.steps[sign].env.DIGEST).to.equal("${{ steps.build.outputs.digest }}");
            expect(text("service-pipeline.yml")).not.to.match(/--key|COSIGN_PRIVATE_KEY|COSIGN_PASSWORD/);
        });

        it("opens the pull request that changes the service's line in releases/staging.yaml, on the staging branch", () => {
            const job = wf.jobs["release-pr"];
            expect(job.needs).to.equal("image");
            const checkout = stepUsing(job.steps, "actions/checkout")[0];
            expect(checkout.with.ref).to.equal("staging");
            const script = job.steps.at(-1).run as string;
            expect(script).to.contain("file=releases/staging.yaml");
            expect(script).to.contain('sed -i "s|^  ${SERVICE}: .*|  ${SERVICE}: ${REFERENCE}|" "$file"');
            expect(script).to.contain("gh pr create --base staging");
            expect(wf.jobs.image.steps.at(-1).run).to.equal('echo "reference=${IMAGE}:${GITHUB_SHA}@${DIGEST}" >> "$GITHUB_OUTPUT"');
        });

        it("is called, as docs/releases.md shows, by a job granting every permission its jobs ask for", () => {
            const doc = fs.readFileSync(path.join(root, "docs", "releases.md"), "utf8");
            const block = /## Calling the pipeline[^]*?```yaml\n([^]*?)```/.exec(doc);
            expect(block, "a caller example in docs/releases.md").not.to.equal(null);
            const caller = Object.values(parse(block![1]!).jobs as Record<string, any>)[0];
            expect(caller.uses).to.match(/^bookkeep\/platform\/\.github\/workflows\/service-pipeline\.yml@[0-9a-f]{40}$/);
            expect(caller.secrets).to.equal("inherit");
            const required = Object.entries(wf.on.workflow_call.inputs).filter(([, i]: [string, any]) => i.required).map(([k]) => k);
            expect(Object.keys(caller.with)).to.include.members(required);
            const rank = { none: 0, read: 1, write: 2 } as Record<string, number>;
            for (const [job, spec] of Object.entries(wf.jobs as Record<string, any>)) {
                for (const [scope, level] of Object.entries(spec.permissions ?? {}) as [string, string][]) {
                    expect(rank[caller.permissions?.[scope] ?? "none"], `${job} asks ${scope}: ${level}`).to.be.at.least(rank[level]!);
                }
            }
        });

        it("pins every action to a full commit SHA", () => {
            for (const [, ref] of text("service-pipeline.yml").matchAll(/uses: ([^\s]+)/g)) {
                expect(ref, ref).to.match(/@[0-9a-f]{40}$/);
            }
        });
    });

    describe("release.yml", () => {
        const wf = workflow("release.yml");

        it("runs on manifest changes to the two deploying branches, in deploy.yml's concurrency group", () => {
            expect(wf.on.push).to.deep.equal({ branches: ["main", "staging"], paths: ["releases/**"] });
            expect(wf.concurrency).to.deep.equal(workflow("deploy.yml").concurrency);
            expect(wf.env.STACK).to.equal("${{ github.ref_name == 'main' && 'production' || 'staging' }}");
        });

        it("leaves a manifest-only push to it, and a mixed push to deploy.yml's full update", () => {
            expect(workflow("deploy.yml").on.push["paths-ignore"]).to.deep.equal(["releases/**"]);
            expect(wf.jobs.gate.if).to.equal("needs.scope.outputs.fleet-only == 'true'");
            expect(wf.jobs.scope.steps.at(-1).run).to.contain(`others=$(echo "$changed" | grep -v '^releases/' || true)`);
        });

        it("updates only the fleet, production behind its environment's approval", () => {
            const up = wf.jobs.up;
            expect(up.needs).to.equal("gate");
            expect(up.environment).to.equal("${{ github.ref_name == 'main' && 'production' || 'staging' }}");
            expect(up.permissions).to.deep.equal({ contents: "read", "id-token": "write" });
            const [pulumi] = stepUsing(up.steps, "pulumi/actions");
            expect(pulumi.with).to.include({
                command: "up",
                target: "urn:pulumi:${{ env.STACK }}::bookkeep::bookkeep:index:Platform$bookkeep:fleet:Fleet**",
                policyPacks: "policies",
            });
            expect(pulumi.with).not.to.have.property("target-dependents");
        });

        it("proposes production only after staging's update succeeded", () => {
            const promote = wf.jobs.promote;
            expect(promote.needs).to.deep.equal(["scope", "up"]);
            expect(promote.if).to.equal("github.ref_name == 'staging' && needs.scope.outputs.services != ''");
            const script = promote.steps.at(-1).run as string;
            expect(script).to.contain("releases/production.yaml");
            expect(script).to.contain("gh pr create --base main");
        });
    });

    describe("release.yml's scope step, run by bash in a scratch repository", () => {
        const script = () => (workflow("release.yml").jobs.scope.steps as any[]).find(s => s.id === "diff").run as string;
        const git = (cwd: string, ...args: string[]) => {
            const r = spawnSync("git", args, { cwd, encoding: "utf8" });
            expect(r.status, r.stderr).to.equal(0);
            return r.stdout.trim();
        };
        const scope = (before: (repo: string, first: string) => string) => {
            const repo = fs.mkdtempSync(path.join(os.tmpdir(), "bookkeep-release-"));
            try {
                git(repo, "init", "-q");
                git(repo, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-q", "--allow-empty", "-m", "base");
                const first = git(repo, "rev-parse", "HEAD");
                fs.mkdirSync(path.join(repo, "releases"));
                fs.writeFileSync(path.join(repo, "releases", "staging.yaml"), "services:\n  auth: ghcr.io/bookkeep/auth:0123456\n");
                git(repo, "add", ".");
                git(repo, "-c", "user.email=ci@example.com", "-c", "user.name=ci", "commit", "-q", "-m", "release");
                const out = path.join(repo, "out");
                fs.writeFileSync(out, "");
                const r = spawnSync("bash", ["-c", script()], { cwd: repo, encoding: "utf8",
                    env: { ...process.env, BEFORE: before(repo, first), GITHUB_SHA: git(repo, "rev-parse", "HEAD"), STACK: "staging", GITHUB_OUTPUT: out } });
                expect(r.status, r.stderr).to.equal(0);
                return fs.readFileSync(out, "utf8");
            } finally {
                fs.rmSync(repo, { recursive: true, force: true });
            }
        };

        it("finds a manifest-only change from the push's before", () => {
            expect(scope((_repo, first) => first)).to.contain("fleet-only=true");
        });

        it("compares with the parent on a branch's first push, whose before is all zeros", () => {
            expect(scope(() => "0".repeat(40))).to.contain("fleet-only=true");
        });
    });
});
