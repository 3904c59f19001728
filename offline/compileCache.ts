/**
 * V8's compiled code for every module, kept between runs (Node 20 has no built-in compile cache):
 * `v8-compile-cache`, with its compile step corrected. Version 2.4 asks V8 to produce cache data
 * on every compile (`produceCachedData`), which V8 has done since Node 10 even when it accepted
 * the cache it was given: every run re-serialised each of ~560 modules and rewrote the whole
 * 9 MB cache file, about a seventh of a plan and more of a large one. Here an accepted cache is used
 * as it is, and a module without one gets its cache made at exit, when it also holds the
 * functions the run compiled lazily. Imported first by offline/startup.ts and the bench's floor.
 */
import "v8-compile-cache";
import * as crypto from "crypto";
import Module = require("module");
import * as vm from "vm";

interface BlobStore {
    get(filename: string, invalidationKey: string): Buffer | undefined;
    set(filename: string, invalidationKey: string, buffer: Buffer): void;
}

const { NativeCompileCache } = require("v8-compile-cache").__TEST__ as {
    NativeCompileCache: { prototype: { _moduleCompile(this: { _cacheStore: BlobStore }, filename: string, content: string): unknown } };
};
const uncached: Array<{ store: BlobStore; filename: string; key: string; script: vm.Script }> = [];

NativeCompileCache.prototype._moduleCompile = function (filename: string, content: string) {
    // As v8-compile-cache: drop a shebang line, wrap as CommonJS, key the cache by the source.
    const newline = content.indexOf("\n");
    const source = !content.startsWith("#!") ? content : newline < 0 ? "" : content.slice(newline);
    const key = crypto.createHash("sha1").update(source, "utf8").digest("hex");
    const cachedData = this._cacheStore.get(filename, key);
    const script = new vm.Script(Module.wrap(source), { filename, lineOffset: 0, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) {
        uncached.push({ store: this._cacheStore, filename, key, script });
    }
    return script.runInThisContext({ filename, lineOffset: 0, columnOffset: 0, displayErrors: true });
};

// Before v8-compile-cache's own exit handler, which writes the store out.
process.prependOnceListener("exit", () => {
    for (const { store, filename, key, script } of uncached) {
        store.set(filename, key, script.createCachedData());
    }
});
