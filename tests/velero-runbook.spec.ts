/**
 * docs/runbooks/lost-cluster.md restores from Velero Schedules and into namespaces by name: each
 * name it uses exists in the plans of both clouds, so renaming a Schedule fails here first.
 */
import { expect } from "chai";
import * as fs from "fs";
import * as path from "path";
import { RecordedResource } from "../offline/engine";
import { ofType, plan } from "./harness";

const runbook = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "runbooks", "lost-cluster.md"), "utf8");
const metaName = (r: RecordedResource) => String((r.inputs.metadata as { name?: unknown }).name);

/** The `velero …` commands of the runbook's code blocks, continuation lines joined. */
export function veleroCommands(text: string): string[] {
    const code = [...text.matchAll(/```bash\n([\s\S]*?)```/g)].map(m => m[1]!.replace(/\s*\\\n\s*/g, " "));
    return code.flatMap(c => c.split("\n")).map(l => l.trim()).filter(l => l.startsWith("velero "));
}

const flagValues = (commands: readonly string[], flag: string) =>
    commands.flatMap(c => [...c.matchAll(new RegExp(`${flag} (\\S+)`, "g"))].flatMap(m => m[1]!.split(",")));

describe("velero: the lost-cluster runbook's names", () => {
    const commands = veleroCommands(runbook);

    it("reads the commands, continuation lines included", () => {
        expect(veleroCommands("```bash\nvelero restore create a \\\n  --from-schedule s\nkubectl x\n```\n")).to.deep.equal(["velero restore create a --from-schedule s"]);
        expect(commands.length).to.be.greaterThan(3);
    });

    for (const cloud of ["aws", "gcp"] as const) {
        it(`restores only from Schedules, and into namespaces, that production on ${cloud} has`, async () => {
            const rs = (await plan("production", cloud)).evaluation.resources;
            const schedules = ofType(rs, "kubernetes:velero.io/v1:Schedule").map(metaName);
            const namespaces = ofType(rs, "kubernetes:core/v1:Namespace").map(metaName);
            const server = ofType(rs, "kubernetes:apps/v1:Deployment").find(d => metaName(d) === "velero");
            const veleroNamespace = (server?.inputs.metadata as { namespace?: string } | undefined)?.namespace;
            expect(flagValues(commands, "--from-schedule")).to.have.length.greaterThan(0);
            expect(flagValues(commands, "--from-schedule").filter(s => !schedules.includes(s))).to.deep.equal([]);
            const used = [...flagValues(commands, "--include-namespaces"), ...flagValues(commands, "--exclude-namespaces")];
            expect(used.filter(n => !namespaces.includes(n))).to.deep.equal([]);
            expect([...new Set(flagValues(commands, "-n"))]).to.deep.equal([veleroNamespace]);
        });
    }
});
