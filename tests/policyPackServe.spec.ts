/**
 * The pack as `pulumi preview --policy-pack policies` starts it: node runs policies/index.ts
 * (TypeScript, from the pack's own folder, whose package.json names the pack's version) and the
 * analyzer prints the port of its gRPC server on stdout.
 */
import { spawn } from "child_process";
import { expect } from "chai";
import * as path from "path";
import { projectRoot } from "../offline/engine";

describe("policy pack entry point", () => {
    it("serves the analyzer from policies/index.ts, as the Pulumi CLI starts it", async () => {
        const cwd = path.join(projectRoot(), "policies");
        const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "index.ts"], {
            cwd, env: { ...process.env, TS_NODE_PROJECT: path.join(cwd, "tsconfig.json") },
        });
        const port = await new Promise<string>((resolve, reject) => {
            let out = "";
            let err = "";
            const timer = setTimeout(() => reject(new Error(`no port within 60 s; stderr: ${err}`)), 60_000);
            child.stdout.on("data", d => {
                out += d;
                if (/^\d+\s*$/m.test(out)) {
                    clearTimeout(timer);
                    resolve(out.trim());
                }
            });
            child.stderr.on("data", d => (err += d));
            child.on("exit", code => reject(new Error(`exited ${code}: ${err}`)));
        }).finally(() => child.kill());
        expect(Number(port)).to.be.within(1, 65535);
    });
});
