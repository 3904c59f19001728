/**
 * The release manifest (`releases/<environment>.yaml`): which build of each service runs. It is the
 * one file a release changes; the catalog keeps what a service is (ports, paths, resources), this
 * keeps which image of it runs. Validated here, before any resource registers.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { z } from "zod";
import { ConfigIssue, inputError, shorten } from "../stacks/errors";
import { allowedRegistries, imageRegistry, mutableTags } from "../stacks/rules";

/** One service's image as the fleet deploys it. */
export interface ImageRef {
    /** `<registry>/<repository>`, such as ghcr.io/bookkeep/auth-service (a canary's tag goes on this). */
    readonly repository: string;
    /** The full reference the pods pull: `<repository>:<tag>`, `<repository>@sha256:…` or both. */
    readonly reference: string;
    /** What the pods report as their version (label `app.kubernetes.io/version`, OTel `service.version`). */
    readonly version: string;
}

/** Service name -> its image. */
export type Release = Readonly<Record<string, ImageRef>>;

/**
 * A build, not a branch: a commit SHA as the pipeline tags it, or a semantic version. Anything
 * else could be moved to another build after review, and the manifest would no longer say what runs.
 */
const commitSha = /^[0-9a-f]{7,40}$/;
const semver = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const digest = /^sha256:[0-9a-f]{64}$/;
const reference = /^(?<repository>[^:@\s]+)(?::(?<tag>[^@\s]+))?(?:@(?<digest>[^\s]+))?$/;

const allowedTags = "a commit SHA (7-40 lowercase hex), a version such as v1.4.2, or a digest @sha256:<64 hex>";

/** The manifest's shape; each image reference is checked against the catalog afterwards. */
const manifestSchema = z.strictObject({
    services: z.record(z.string(), z.string({ message: "must be an image reference such as ghcr.io/bookkeep/auth-service:3f9c2ab" })),
});

/** Where a stack's manifest lives unless `bookkeep:releaseManifest` says otherwise: one per environment. */
export function defaultManifestPath(environment: string): string {
    return `releases/${environment}.yaml`;
}

/** The project root (services/.. both as TypeScript and compiled under bin/). */
function projectRoot(): string {
    const up = path.resolve(__dirname, "..");
    return path.basename(up) === "bin" ? path.dirname(up) : up;
}

/**
 * Reads and validates a manifest (`file` relative to the project root) against the catalog's
 * services and image repositories. Throws one input error naming the file and every bad entry.
 */
export function loadRelease(file: string, catalog: readonly { readonly name: string; readonly image: string }[]): Release {
    const full = path.join(projectRoot(), file);
    if (!fs.existsSync(full)) {
        throw inputError(`release manifest ${file}`, [{ propertyPath: file, reason: "does not exist; every environment needs releases/<environment>.yaml listing each service's image" }]);
    }
    return parseRelease(file, fs.readFileSync(full, "utf8"), catalog);
}

/** Validates a manifest's text (`file` names it in messages). */
export function parseRelease(file: string, text: string, catalog: readonly { readonly name: string; readonly image: string }[]): Release {
    const what = `release manifest ${file}`;
    let raw: unknown;
    try {
        raw = parse(text);
    } catch (err) {
        throw inputError(what, [{ propertyPath: file, reason: `is not valid YAML: ${(err as Error).message.split("\n")[0]}` }]);
    }
    const shape = manifestSchema.safeParse(raw);
    if (!shape.success) {
        throw inputError(what, shape.error.issues.map(i => ({
            propertyPath: i.path.join(".") || "(file)",
            reason: i.code === "unrecognized_keys" ? `unknown key(s) ${i.keys.join(", ")}; the manifest has one key, services` : i.path.length === 0 ? "must be a map with one key, services" : i.message,
        })));
    }
    const issues: ConfigIssue[] = [];
    const names = catalog.map(s => s.name);
    const release: Record<string, ImageRef> = {};
    for (const [name, value] of Object.entries(shape.data.services)) {
        const key = `services.${name}`;
        const service = catalog.find(s => s.name === name);
        if (service === undefined) {
            issues.push({ propertyPath: key, reason: `is not a service in the catalog; known services are ${names.join(", ")} (got ${shorten(value)})` });
            continue;
        }
        const problem = checkReference(value, service.image);
        if (problem !== undefined) {
            issues.push({ propertyPath: key, reason: `${problem} (got ${shorten(value)})` });
            continue;
        }
        release[name] = toImageRef(value);
    }
    for (const service of catalog) {
        if (!Object.prototype.hasOwnProperty.call(shape.data.services, service.name)) {
            issues.push({ propertyPath: `services.${service.name}`, reason: `is missing; every service in the catalog needs its image, such as ${service.name}: ghcr.io/bookkeep/${service.image}:<commit SHA>` });
        }
    }
    if (issues.length > 0) {
        throw inputError(what, issues);
    }
    return release;
}

/** Why `value` is not an allowed image of repository `image`, or undefined when it is. */
function checkReference(value: string, image: string): string | undefined {
    const m = reference.exec(value)?.groups;
    if (m === undefined || m.repository === undefined) {
        return `must be an image reference <registry>/${image}:<tag> or @sha256:<digest>`;
    }
    const slash = m.repository.lastIndexOf("/");
    const registry = m.repository.slice(0, Math.max(slash, 0));
    const repository = m.repository.slice(slash + 1);
    if (!imageRegistry.safeParse(registry).success) {
        return `must come from an allowed registry: ${allowedRegistries.map(a => a.example).join(", ")}`;
    }
    if (repository !== image) {
        return `must be the service's repository ${image} (the catalog's image), such as ${registry}/${image}:<commit SHA>`;
    }
    if (m.tag === undefined && m.digest === undefined) {
        return `must name one build: ${allowedTags}`;
    }
    if (m.tag !== undefined && (mutableTags as readonly string[]).includes(m.tag.toLowerCase())) {
        return `must name one build, not the moving tag ${m.tag}: ${allowedTags}`;
    }
    if (m.tag !== undefined && !commitSha.test(m.tag) && !semver.test(m.tag)) {
        return `must have a tag that names one build: ${allowedTags}`;
    }
    if (m.digest !== undefined && !digest.test(m.digest)) {
        return `must have a digest sha256:<64 lowercase hex>: ${allowedTags}`;
    }
    return undefined;
}

function toImageRef(value: string): ImageRef {
    const m = reference.exec(value)?.groups ?? {};
    // A label value allows no ':'; a digest-only release reports the digest's first 12 hex digits.
    const version = m.tag ?? `sha256-${(m.digest ?? "").slice("sha256:".length, "sha256:".length + 12)}`;
    return { repository: m.repository ?? "", reference: value, version };
}

/** Every service at one tag of ghcr.io/bookkeep: a release for fleets no manifest describes (the benchmark's synthetic ones). */
export function releaseAt(catalog: readonly { readonly name: string; readonly image: string }[], tag: string): Release {
    return Object.fromEntries(catalog.map(s => [s.name, toImageRef(`ghcr.io/bookkeep/${s.image}:${tag}`)]));
}
