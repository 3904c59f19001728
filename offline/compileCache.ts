/**
 * V8's compiled code for every module, kept between runs by Node's own compile cache
 * (`module.enableCompileCache`, Node 22.1+): loading the SDKs is most of a plan's wall time, and
 * most of loading is compiling. It only covers modules loaded after it is enabled, so
 * offline/startup.ts imports this first. The cache lives with the project's dependencies
 * (node_modules/.cache), so a fresh `npm ci` starts a fresh one.
 */
import * as nodeModule from "module";
import * as path from "path";

export const compileCacheDir = path.join(__dirname, "..", "..", "node_modules", ".cache", "bookkeep-compile-cache");

export const compileCache = nodeModule.enableCompileCache?.(compileCacheDir);
