// Validates .github/workflows/*.yml with GitHub's own workflow parser (@actions/workflow-parser):
// schema, expressions and job/step structure. Exits 1 listing every error.
import { NoOperationTraceWriter, convertWorkflowTemplate, parseWorkflow } from "@actions/workflow-parser";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const dir = ".github/workflows";
let errors = 0;
for (const name of readdirSync(dir).filter(f => /\.ya?ml$/.test(f))) {
    const content = readFileSync(join(dir, name), "utf8");
    const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
    const found = [...parsed.context.errors.getErrors()];
    if (parsed.value) {
        const template = await convertWorkflowTemplate(parsed.context, parsed.value);
        found.push(...(template.errors ?? []));
    } else if (found.length === 0) {
        found.push({ message: "empty workflow" });
    }
    for (const e of new Set(found.map(f => f.message ?? f.Message ?? JSON.stringify(f)))) {
        console.error(`${join(dir, name)}: ${e}`);
        errors++;
    }
    if (found.length === 0) {
        console.log(`${join(dir, name)}: ok`);
    }
}
process.exit(errors === 0 ? 0 : 1);
