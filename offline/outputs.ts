/**
 * Where the plan command writes (--json, --summary, --diagram, --manifests), checked before the
 * plan runs and guarded while it writes: a bad path is one line naming the path and the reason
 * (exit 2), never a stack trace. Missing folders are made one level at a time: Node's recursive
 * mkdir spins forever under a path such as /proc/nope.
 */
import * as fs from "fs";
import * as path from "path";

export class OutputPathError extends Error {
    constructor(readonly option: string, readonly file: string, reason: string) {
        super(`${option} ${clip(file)}: ${reason}`);
        this.name = "OutputPathError";
    }
}

/** A value cut to a length a one-line message can carry. */
export function clip(text: string, max = 120): string {
    return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

function reasonOf(err: unknown): string {
    const e = err as NodeJS.ErrnoException;
    switch (e.code) {
        case "EACCES":
        case "EPERM":
        case "EROFS":
            return "not writable";
        case "ENOTDIR":
            return "a part of the path is not a folder";
        case "EISDIR":
            return "is a folder";
        case "ENOENT":
            return "cannot be created there";
        default:
            return e.code ?? (err instanceof Error ? err.message : String(err));
    }
}

/** Makes `dir` and any missing parents, one level at a time. */
function ensureDir(option: string, file: string, dir: string): void {
    const stat = fs.statSync(dir, { throwIfNoEntry: false });
    if (stat) {
        if (!stat.isDirectory()) {
            throw new OutputPathError(option, file, `${clip(dir)} is not a folder`);
        }
        return;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
        throw new OutputPathError(option, file, "no such file system root");
    }
    ensureDir(option, file, parent);
    try {
        fs.mkdirSync(dir);
    } catch (err) {
        throw new OutputPathError(option, file, `cannot create folder ${clip(dir)}: ${reasonOf(err)}`);
    }
}

/** Checks that `file` can be written (making its folder); throws an OutputPathError if not. */
export function checkOutputFile(option: string, file: string): void {
    const full = path.resolve(file);
    if (fs.statSync(full, { throwIfNoEntry: false })?.isDirectory()) {
        throw new OutputPathError(option, file, "is a folder; give a file name");
    }
    ensureDir(option, file, path.dirname(full));
    try {
        fs.accessSync(path.dirname(full), fs.constants.W_OK);
    } catch (err) {
        throw new OutputPathError(option, file, reasonOf(err));
    }
}

/** Checks that `dir` is (or can be made) a writable folder. */
export function checkOutputDir(option: string, dir: string): void {
    ensureDir(option, dir, path.resolve(dir));
    try {
        fs.accessSync(dir, fs.constants.W_OK);
    } catch (err) {
        throw new OutputPathError(option, dir, reasonOf(err));
    }
}

/** Writes `text` to `file`, or throws an OutputPathError naming the path and the reason. */
export function writeOutputFile(option: string, file: string, text: string): void {
    checkOutputFile(option, file);
    try {
        fs.writeFileSync(file, text);
    } catch (err) {
        throw new OutputPathError(option, file, reasonOf(err));
    }
}

/** Runs a writer of many files into `dir`, turning a file-system failure into an OutputPathError. */
export function writingInto<T>(option: string, dir: string, write: () => T): T {
    checkOutputDir(option, dir);
    try {
        return write();
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === undefined) {
            throw err;
        }
        const where = (err as NodeJS.ErrnoException).path ?? dir;
        throw new OutputPathError(option, dir, `${clip(where)}: ${reasonOf(err)}`);
    }
}
