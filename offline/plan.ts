/**
 * `npm run plan -- --stack <stack> [--cloud aws|gcp|local] [--json FILE]`
 *
 * Evaluates a stack offline from its Pulumi.<stack>.yaml, runs the policy pack over the result
 * with the real policy runtime, prints a summary and optionally writes the plan JSON.
 * Exit codes: 0 clean, 1 a mandatory policy violation, 2 invalid stack config or arguments.
 */
// First, before anything else loads: the SDKs' compile cache and deferred modules.
import "./startup";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { pack } from "../policies/pack";
import { clouds } from "../stacks/schema";
import { evaluate, Evaluation, projectRoot } from "./engine";
import { PolicyReport, readPackConfig, runPolicies } from "./policyRunner";
import { markdownSummary, planJson, PlanJson, textSummary, toJsonText } from "./report";
import { architectureSvg } from "./diagram";
import { writeManifests } from "./manifests";
import { checkOutputDir, checkOutputFile, clip, OutputPathError, writeOutputFile, writingInto } from "./outputs";
import { readStackFile } from "./stackFile";
import { withPlanChecks } from "./charts/checks";
import { preflight } from "./preflight";
import { parseStackConfig } from "../stacks/load";

export const exitCodes = { clean: 0, mandatoryViolation: 1, invalidInput: 2 } as const;

export interface PlanOptions {
    readonly stack: string;
    readonly cloud?: string;
    /** Extra config over the stack file, keys like `bookkeep:cluster` (objects deep-merged). */
    readonly overrides?: Record<string, unknown>;
    /** Program to run instead of index.ts (the benchmark's synthetic fleets). */
    readonly program?: () => unknown;
    /** Evaluate as a first `pulumi preview` would: computed outputs unknown. */
    readonly preview?: boolean;
}

export interface PlanResult {
    readonly plan: PlanJson;
    readonly evaluation: Evaluation;
    readonly policies: PolicyReport;
    readonly exitCode: number;
}

/** Evaluates a stack and its policies. Throws an InputPropertiesError for bad config. */
export async function planStack(options: PlanOptions): Promise<PlanResult> {
    const overrides = { ...(options.overrides ?? {}) };
    if (options.cloud !== undefined) {
        overrides["bookkeep:cloud"] = options.cloud;
    }
    const file = readStackFile(options.stack, overrides);
    const evaluation = await evaluate({
        stack: file.stack, config: file.config, secretKeys: file.secretKeys, program: options.program, preview: options.preview,
    });
    const policyConfig = readPackConfig(path.join(projectRoot(), "policies", "config", `${file.environment ?? file.stack}.json`), pack);
    const policies = withPlanChecks(await runPolicies(pack, evaluation.resources, policyConfig), evaluation.resources, evaluation.charts);
    // The validated choice (the program exports it), which may come from the environment's defaults.
    const cloud = String(evaluation.outputs.cloud ?? file.config["bookkeep:cloud"] ?? "");
    // Raised quotas and config-only bootstrap steps are stack config the plan's resources do not carry; the program already validated it.
    const stackConfig = parseStackConfig(file.config, { secretKeys: file.secretKeys, stack: file.stack });
    const plan = planJson(evaluation, cloud, policies, preflight(evaluation.resources, stackConfig));
    const mandatory = policies.violations.some(v => v.enforcementLevel === "mandatory");
    return { plan, evaluation, policies, exitCode: mandatory ? exitCodes.mandatoryViolation : exitCodes.clean };
}

function collectSet(pair: string, acc: Record<string, unknown>): Record<string, unknown> {
    const i = pair.indexOf("=");
    if (i <= 0) {
        throw new InvalidArgumentError(`expected key=value, got "${clip(pair)}"`);
    }
    const key = pair.slice(0, i);
    const text = pair.slice(i + 1);
    let value: unknown = text;
    try {
        value = JSON.parse(text);
    } catch {
        // A bare word is a string value, as with `pulumi config set`.
    }
    return { ...acc, [key]: value };
}

export async function main(argv: string[]): Promise<number> {
    const program = new Command()
        .name("plan")
        .description("Evaluate a BookKeep stack offline and check it against the policy pack.")
        .requiredOption("--stack <name>", "stack to evaluate (a Pulumi.<name>.yaml)")
        .addOption(new Option("--cloud <cloud>", "override bookkeep:cloud").choices([...clouds]))
        .option("--json <file>", "write the plan JSON here")
        .option("--set <key=value>", "override one config key for this plan, e.g. bookkeep:cloud=gcp or " +
            "'bookkeep:database={\"deletionProtection\":false}' (JSON values; objects deep-merge). Repeatable.", collectSet, {})
        .option("--manifests <dir>", "write every Kubernetes object as YAML (one file each) into this folder")
        .option("--diagram <file.svg>", "draw the architecture from the component tree as SVG")
        .option("--summary <file.md>", "write a short, diff-friendly Markdown summary (for PR comments)")
        .option("--preview", "evaluate as a first `pulumi preview`: ids and computed outputs unknown, as policies then see them")
        .option("--quiet", "print only mandatory violations and the verdict line")
        .exitOverride()
        // commander quotes a bad argument whole; a line of a message stays a line.
        .configureOutput({ writeErr: s => process.stderr.write(s.split("\n").map(line => clip(line, 300)).join("\n")) });
    try {
        program.parse(argv, { from: "user" });
    } catch (err) {
        if (err instanceof CommanderError) {
            return err.exitCode === 0 ? 0 : exitCodes.invalidInput;
        }
        throw err;
    }
    const opts = program.opts<{
        stack: string; cloud?: string; json?: string; manifests?: string; diagram?: string; summary?: string; quiet?: boolean; preview?: boolean;
        set: Record<string, unknown>;
    }>();
    try {
        return await planAndWrite(opts);
    } catch (err) {
        if (pulumi.InputPropertiesError.isInstance(err) || err instanceof OutputPathError) {
            process.stderr.write(`error: ${err.message}\n`);
            return exitCodes.invalidInput;
        }
        throw err;
    }
}

async function planAndWrite(opts: {
    stack: string; cloud?: string; json?: string; manifests?: string; diagram?: string; summary?: string; quiet?: boolean; preview?: boolean;
    set: Record<string, unknown>;
}): Promise<number> {
    // Bad output paths fail before the plan runs, not after.
    for (const [option, file] of [["--json", opts.json], ["--diagram", opts.diagram], ["--summary", opts.summary]] as const) {
        if (file !== undefined) {
            checkOutputFile(option, file);
        }
    }
    if (opts.manifests !== undefined) {
        checkOutputDir("--manifests", opts.manifests);
    }
    const result = await planStack({ stack: opts.stack, cloud: opts.cloud, overrides: opts.set, preview: opts.preview });
    if (opts.json) {
        writeOutputFile("--json", opts.json, toJsonText(result.plan));
    }
    const written: string[] = [];
    if (opts.json) {
        written.push(`plan JSON ${opts.json}`);
    }
    if (opts.manifests) {
        const dir = opts.manifests;
        const n = writingInto("--manifests", dir, () => writeManifests(dir, result.evaluation.resources));
        written.push(`${n.objects} manifests + ${n.charts} chart releases (${n.rendered} rendered objects) in ${opts.manifests}`);
    }
    if (opts.diagram) {
        writeOutputFile("--diagram", opts.diagram, await architectureSvg(result.evaluation.resources, `BookKeep ${result.plan.stack} on ${result.plan.cloud}`));
        written.push(`diagram ${opts.diagram}`);
    }
    if (opts.summary) {
        writeOutputFile("--summary", opts.summary, markdownSummary(result.plan, result.evaluation));
        written.push(`summary ${opts.summary}`);
    }
    if (!opts.quiet) {
        process.stdout.write(textSummary(result.plan, result.evaluation) + "\n");
    }
    const mandatory = result.policies.violations.filter(v => v.enforcementLevel === "mandatory").length;
    if (opts.quiet) {
        // Even the short form says what failed and where.
        for (const v of result.policies.violations.filter(x => x.enforcementLevel === "mandatory")) {
            process.stdout.write(`[mandatory] ${v.policy}: ${v.urn}\n`);
        }
    }
    const resourceCount = result.evaluation.resources.filter(r => r.custom).length;
    process.stdout.write(`\n${mandatory === 0 ? "PASS" : "FAIL"}: ${resourceCount} resources, ` +
        `${mandatory} mandatory policy violation(s)${written.length > 0 ? `; wrote ${written.join(", ")}` : ""}\n`);
    return result.exitCode;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        code => process.exit(code),
        err => {
            process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
            process.exit(3);
        },
    );
}
