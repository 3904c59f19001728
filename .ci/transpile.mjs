// The fast loop behind `npm run plan` and `npm run bench`: TypeScript to bin/ one file at a time,
// only the files changed since their output was written, without type-checking (that stays in
// `npm test`, CI and the editor; tsconfig.json's isolatedModules keeps every file transpilable
// alone). A run with nothing changed only compares modification times.
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";

const root = path.resolve(import.meta.dirname, "..");
// TRANSPILE_OUT lets a test transpile into a scratch directory instead of bin/.
const outDir = path.resolve(root, process.env.TRANSPILE_OUT ?? "bin");
const sources = ["index.ts", "components", "stacks", "services", "policies", "offline", "tests"];

function* walk(rel) {
    const full = path.join(root, rel);
    const stat = fs.statSync(full, { throwIfNoEntry: false });
    if (stat?.isFile()) {
        yield [rel, stat];
    } else if (stat?.isDirectory()) {
        for (const entry of fs.readdirSync(full)) {
            if (entry !== "node_modules") {
                yield* walk(path.join(rel, entry));
            }
        }
    }
}

let esbuild;
let written = 0;
const newer = (src, out) => src.mtimeMs > (fs.statSync(out, { throwIfNoEntry: false })?.mtimeMs ?? -1);
for (const [rel, stat] of walk(".")) {
    if (!rel.endsWith(".ts") || rel.endsWith(".d.ts") || !sources.some(s => rel === s || rel.startsWith(s + path.sep))) {
        continue;
    }
    const out = path.join(outDir, rel.replace(/\.ts$/, ".js"));
    if (!newer(stat, out)) {
        continue;
    }
    esbuild ??= createRequire(import.meta.url)("esbuild");
    const source = fs.readFileSync(path.join(root, rel), "utf8");
    const { code } = esbuild.transformSync(source, {
        loader: "ts", format: "cjs", target: "es2022", platform: "node", sourcefile: rel,
        // As tsc emits for module commonjs: import() becomes require(), which resolves ./x to
        // ./x.js; a native import() of an extensionless path fails (ERR_MODULE_NOT_FOUND).
        supported: { "dynamic-import": false },
        tsconfigRaw: { compilerOptions: { target: "ES2022", esModuleInterop: true } },
    });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, code);
    written++;
    // JSON the file imports (resolveJsonModule) sits next to its output, as tsc emits it.
    for (const [, json] of source.matchAll(/from "(\.{1,2}\/[^"]+\.json)"/g)) {
        const src = path.join(root, path.dirname(rel), json);
        const copy = path.join(outDir, path.dirname(rel), json);
        if (newer(fs.statSync(src), copy)) {
            fs.mkdirSync(path.dirname(copy), { recursive: true });
            fs.copyFileSync(src, copy);
        }
    }
}
if (written > 0) {
    process.stderr.write(`transpiled ${written} file(s) to bin/\n`);
}
