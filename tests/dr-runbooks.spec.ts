/**
 * The runbooks (docs/runbooks) name real things: every `bookkeep-…` name in a code block that
 * follows `<!-- plan: <stack> <cloud> -->` exists in that stack's offline plan, so a rename in the
 * program fails here instead of in the middle of a recovery.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { plan } from "./harness";

const dir = path.join(__dirname, "..", "..", "docs", "runbooks");
const scenarios = ["database-corruption.md", "lost-object.md", "lost-cluster.md", "lost-region.md", "cache-restore.md"];

interface Block { readonly file: string; readonly stack: string; readonly cloud: string; readonly restore: boolean; readonly names: string[] }

/** The example restore of database-corruption.md, for blocks marked `restore`. */
const exampleRestore = { "bookkeep:database": { restore: { id: "r20261205", from: "pointInTime", sourceInstance: "bookkeep-production-postgres", time: "2026-12-05T03:15:00Z" } } };
/** The example cache restore of cache-restore.md (AWS only: GCP refuses it), also for blocks marked `restore`. */
const exampleCacheRestore = { "bookkeep:cache": { restore: { id: "c20261205", from: "snapshot", snapshotName: "bookkeep-production-redis-hourly-2026120503" } } };

/** Code blocks after a plan marker, with the `bookkeep-…` names they use. */
export function checkedBlocks(file: string, text: string): Block[] {
    const blocks: Block[] = [];
    let target: { stack: string; cloud: string; restore: boolean } | undefined;
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
        const marker = /^<!-- plan: (\S+) (aws|gcp)( restore)? -->$/.exec(lines[i]!);
        if (marker) {
            target = { stack: marker[1]!, cloud: marker[2]!, restore: marker[3] !== undefined };
        } else if (lines[i]!.startsWith("```") && lines[i]!.length > 3) {
            const end = lines.indexOf("```", i + 1);
            const body = lines.slice(i + 1, end).join("\n");
            if (target) {
                blocks.push({ file, ...target, names: [...new Set(body.match(/\bbookkeep-[a-z0-9-]*[a-z0-9]\b/g) ?? [])] });
            }
            target = undefined;
            i = end;
        }
    }
    return blocks;
}

/** Every `bookkeep-…` name a plan holds anywhere in its resources' inputs and its outputs. */
function namesIn(value: unknown, found = new Set<string>()): Set<string> {
    if (typeof value === "string") {
        (value.match(/\bbookkeep-[a-z0-9-]*[a-z0-9]\b/g) ?? []).forEach(n => found.add(n));
    } else if (value !== null && typeof value === "object") {
        Object.values(value).forEach(v => namesIn(v, found));
    }
    return found;
}

describe("dr: runbooks", () => {
    it("has one runbook per scenario, each stating its RPO, RTO and the expected duration of its steps", () => {
        for (const file of scenarios) {
            const text = fs.readFileSync(path.join(dir, file), "utf8");
            expect(text, file).to.match(/\*\*RPO\*\*/);
            expect(text, file).to.match(/\*\*RTO\*\*/);
            expect(text.match(/\(\d+(–\d+)? (min|h)|~\d+ (min|h)/g) ?? [], `${file}: step durations`).to.have.length.greaterThan(1);
        }
    });

    it("finds the names of a block and only after a marker (the parser the next test relies on)", () => {
        const blocks = checkedBlocks("x.md", "```bash\nbookkeep-unchecked\n```\n<!-- plan: production aws -->\n```bash\naws s3 ls s3://bookkeep-a-1/x bookkeep-b\n```\n");
        expect(blocks).to.deep.equal([{ file: "x.md", stack: "production", cloud: "aws", restore: false, names: ["bookkeep-a-1", "bookkeep-b"] }]);
    });

    it("unprotects, before releasing the original instance, exactly the protected resources the release drops (or the up refuses)", async function () {
        this.timeout(240000);
        const text = fs.readFileSync(path.join(dir, "database-corruption.md"), "utf8");
        const step = text.slice(text.indexOf("## 5."), text.indexOf("\n## ", text.indexOf("## 5.")));
        const unprotected = [...step.matchAll(/^pulumi state unprotect '<URN of (\S+)>'$/gm)].map(m => m[1]!);
        const restore = exampleRestore["bookkeep:database"].restore;
        const dropped: string[] = [];
        for (const [cloud, sourceInstance] of [["aws", restore.sourceInstance], ["gcp", "production-foundation-sql-1a2b3c4"]] as const) {
            const keep = await plan("production", cloud, { "bookkeep:database": { restore: { ...restore, sourceInstance } } });
            const release = await plan("production", cloud, { "bookkeep:database": { restore: { ...restore, sourceInstance, original: "release" } } });
            const left = new Set(release.plan.resources.map(r => r.urn));
            dropped.push(...keep.plan.resources.filter(r => !left.has(r.urn) && r.protect).map(r => r.name));
        }
        expect(dropped).to.have.length.greaterThan(1);
        expect([...unprotected].sort()).to.deep.equal([...dropped].sort());
    });

    it("unprotects, before releasing the original cache, exactly the protected resources the release drops", async function () {
        this.timeout(240000);
        const text = fs.readFileSync(path.join(dir, "cache-restore.md"), "utf8");
        const step = text.slice(text.indexOf("3. **Release the old group**"), text.indexOf("\n## ", text.indexOf("3. **Release the old group**")));
        const unprotected = [...step.matchAll(/^pulumi state unprotect '<URN of (\S+)>'$/gm)].map(m => m[1]!);
        const restore = exampleCacheRestore["bookkeep:cache"].restore;
        const keep = await plan("production", "aws", { "bookkeep:cache": { restore } });
        const release = await plan("production", "aws", { "bookkeep:cache": { restore: { ...restore, original: "release" } } });
        const left = new Set(release.plan.resources.map(r => r.urn));
        const dropped = keep.plan.resources.filter(r => !left.has(r.urn) && r.protect).map(r => r.name);
        expect(dropped).to.have.length.greaterThan(0);
        expect([...unprotected].sort()).to.deep.equal([...dropped].sort());
    });

    it("brings the fleet back from zero explicitly: the Deployments set no replicas, and an HPA does not scale up from zero", async () => {
        const p = await plan("production", "aws");
        const deployments = p.plan.resources.filter(r => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as any).metadata?.namespace === "bookkeep-production");
        expect(deployments.filter(d => (d.inputs as any).spec?.replicas === undefined)).to.have.length.greaterThan(0);
        const text = fs.readFileSync(path.join(dir, "database-corruption.md"), "utf8");
        const stop = text.slice(text.indexOf("## 1."), text.indexOf("## 2."));
        const back = text.slice(text.indexOf("## 4."), text.indexOf("## 5."));
        expect(stop).to.contain("> replicas-before.txt");
        expect(back).to.match(/kubectl -n bookkeep-production scale deployment "\$deployment" --replicas="\$replicas"\ndone < replicas-before.txt/);
    });

    it("names only buckets, instances, clusters and namespaces that exist in the plan of the stack it runs against", async () => {
        const blocks = scenarios.flatMap(f => checkedBlocks(f, fs.readFileSync(path.join(dir, f), "utf8")));
        expect(blocks.length).to.be.greaterThan(8);
        const missing: string[] = [];
        for (const target of [...new Set(blocks.map(b => `${b.stack} ${b.cloud} ${b.restore}`))]) {
            const [stack, cloud, restore] = target.split(" ");
            const p = await plan(stack!, cloud, restore === "true" ? { ...exampleRestore, ...(cloud === "aws" ? exampleCacheRestore : {}) } : undefined);
            const known = namesIn([p.plan.resources.map(r => [r.name, r.inputs]), p.plan.outputs]);
            for (const b of blocks.filter(x => `${x.stack} ${x.cloud} ${x.restore}` === target)) {
                missing.push(...b.names.filter(n => !known.has(n)).map(n => `${b.file} (${target}): ${n}`));
            }
        }
        expect(missing).to.deep.equal([]);
    });
});
