/**
 * Process start-up for the offline tools (plan, bench). Import it first, before anything that
 * loads `@pulumi/pulumi`: module loading is most of a plan's wall time (`npm run bench`).
 *
 * - V8's compiled code for every module is kept between runs (compileCache.ts).
 * - `@pulumi/pulumi` loads `typescript`, `normalize-package-data` and its automation API eagerly,
 *   for closure serialisation (`pulumi.runtime.serializeFunction`, dynamic providers), computing
 *   a program's code paths and driving the CLI, and an offline plan uses none of them. They are deferred (with zod's locales): each becomes a
 *   stand-in that loads the real module on first use, so anything that does use them still gets
 *   the real thing.
 */
import "./compileCache";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- Module's constructor and cache are only typed through the CommonJS import
import Module = require("module");
import * as path from "path";

const sdk = path.dirname(require.resolve("@pulumi/pulumi"));
const zod = path.dirname(require.resolve("zod"));

/** Modules that are required at load time but used only on demand, if at all, offline. */
const deferredModules: Record<string, string> = {
    // @pulumi/pulumi: closure serialisation, a program's code paths (package.json
    // normalisation), the automation API.
    "typescript": require.resolve("typescript", { paths: [sdk] }),
    "@pulumi/pulumi/automation": path.join(sdk, "automation", "index.js"),
    "normalize-package-data": require.resolve("normalize-package-data", { paths: [sdk] }),
    // zod: its 40 message locales (its English messages are loaded on their own).
    "zod locales": path.join(zod, "v4", "locales", "index.cjs"),
};

const pending = new Set<string>();

/** The deferred modules nothing has used yet (so they are not loaded). */
export function stillDeferred(): string[] {
    return [...pending];
}

/**
 * Puts a stand-in for the module in `file` (called `id` in `stillDeferred`) in the module cache.
 * The stand-in answers as an ES module (`__esModule`, `default` = the module) so TypeScript's
 * `__importStar` keeps it as is, and loads the real module on the first other property access;
 * reads, writes, `in` and key listings all go to the real module from then on. It is an object,
 * so it only stands in for modules whose importers use their properties (`new arborist.Arborist`,
 * `ts.createSourceFile`), never call or construct the module itself: true of every module listed.
 */
function deferModule(id: string, file: string): void {
    if (require.cache[file]) {
        return;
    }
    let real: object | undefined;
    pending.add(id);
    const load = (): object => {
        if (real === undefined) {
            pending.delete(id);
            delete require.cache[file];
            // eslint-disable-next-line @typescript-eslint/no-require-imports -- loads the deferred module by file on first use
            real = require(file) as object;
        }
        return real;
    };
    const esModule = (key: PropertyKey) => key === "__esModule";
    const standIn = new Proxy({}, {
        get: (_, key) => (esModule(key) ? true : key === "default" ? load() : Reflect.get(load(), key)),
        has: (_, key) => esModule(key) || Reflect.has(load(), key),
        set: (_, key, value) => Reflect.set(load(), key, value),
        defineProperty: (_, key, descriptor) => Reflect.defineProperty(load(), key, descriptor),
        deleteProperty: (_, key) => Reflect.deleteProperty(load(), key),
        ownKeys: () => Reflect.ownKeys(load()),
        getOwnPropertyDescriptor: (_, key) => {
            const d = Reflect.getOwnPropertyDescriptor(load(), key);
            return d && { ...d, configurable: true };
        },
    });
    const m = new Module(file, module);
    m.filename = file;
    m.loaded = true;
    m.exports = standIn;
    require.cache[file] = m;
}

Object.entries(deferredModules).forEach(([id, file]) => deferModule(id, file));
