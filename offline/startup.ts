/**
 * Process start-up for the offline tools (plan, bench). Import it first, before anything that
 * loads `@pulumi/pulumi`: module loading is most of a plan's wall time (`npm run bench`).
 *
 * - `v8-compile-cache` keeps V8's compiled code for the SDKs' modules between runs (Node 20 has no
 *   built-in compile cache).
 * - `@pulumi/pulumi` loads `typescript` and `@npmcli/arborist` eagerly, for closure serialisation
 *   (`pulumi.runtime.serializeFunction`, dynamic providers) and for computing a program's code
 *   paths; together about 40 % of loading the SDK, and an offline plan uses neither. They are
 *   deferred: each becomes a stand-in that loads the real module on first use, so anything that
 *   does use them still gets the real thing.
 */
import "v8-compile-cache";
import Module = require("module");

/** Modules `@pulumi/pulumi` requires at load time but only uses on demand. */
export const deferredModules = ["typescript", "@npmcli/arborist", "@pulumi/pulumi/automation"] as const;

const pending = new Set<string>();

/** The deferred modules nothing has used yet (so they are not loaded). */
export function stillDeferred(): string[] {
    return [...pending];
}

/**
 * Puts a stand-in for `id` (as resolved from `from`) in the module cache. The stand-in answers as
 * an ES module (`__esModule`, `default` = the module) so TypeScript's `__importStar` keeps it as is,
 * and loads the real module on the first other property access.
 */
export function deferModule(id: string, from: string): void {
    const file = require.resolve(id, { paths: [from] });
    if (require.cache[file]) {
        return;
    }
    let real: object | undefined;
    pending.add(id);
    const load = (): object => {
        if (real === undefined) {
            pending.delete(id);
            delete require.cache[file];
            real = require(file) as object;
        }
        return real;
    };
    const standIn = new Proxy({}, {
        get: (_, key) => (key === "__esModule" ? true : key === "default" ? load() : Reflect.get(load(), key)),
        has: (_, key) => Reflect.has(load(), key),
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

const sdk = require.resolve("@pulumi/pulumi");
deferredModules.forEach(id => deferModule(id, sdk));
