/**
 * Validation rules shared by the stack config and the service catalog, defined once: image tags,
 * image registries, canary weights, domains and network ranges. Validated where input enters
 * (stacks/load.ts, services/schema.ts); components trust the types they are given.
 */
import { z } from "zod";
import { isCanonicalCidr, isPrivateCidr } from "./cidr";

/**
 * Tags that name a moving target rather than a build: deploying one makes a rollout unrepeatable
 * and a rollback impossible. Compared case-insensitively.
 */
export const mutableTags = ["latest", "stable", "main", "master", "edge", "head", "dev", "develop", "nightly", "current", "release", "prod", "production"] as const;

export const imageTag = z.string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { message: "must be an image tag such as v1.0.0 (letters, digits, _ . -; at most 128)" })
    .refine(t => !(mutableTags as readonly string[]).includes(t.toLowerCase()), {
        message: `must name one build, such as v1.4.2 or a commit SHA; moving tags (${mutableTags.join(", ")}) are not allowed`,
    });

/**
 * Registries the fleet may pull from: the organisation's GitHub packages, or a registry of the
 * organisation's own in an Indian region (ECR in ap-south-1/2, Artifact Registry in asia-south1/2).
 */
const pathSegment = "[a-z0-9]+(?:[._-][a-z0-9]+)*";
export const allowedRegistries: readonly { readonly pattern: RegExp; readonly example: string }[] = [
    { pattern: new RegExp(`^ghcr\\.io/bookkeep(?:/${pathSegment})*$`), example: "ghcr.io/bookkeep" },
    { pattern: new RegExp(`^\\d{12}\\.dkr\\.ecr\\.ap-south-[12]\\.amazonaws\\.com(?:/${pathSegment})*$`), example: "123456789012.dkr.ecr.ap-south-1.amazonaws.com/bookkeep" },
    { pattern: new RegExp(`^asia-south[12]-docker\\.pkg\\.dev/[a-z][a-z0-9-]{4,28}[a-z0-9](?:/${pathSegment})+$`), example: "asia-south1-docker.pkg.dev/<project>/bookkeep" },
];

export const imageRegistry = z.string().refine(r => allowedRegistries.some(a => a.pattern.test(r)), {
    message: `must be an allowed registry: ${allowedRegistries.map(a => a.example).join(", ")}`,
});

/** Share of traffic, in percent, a canary receives while it is judged: at most half. */
export const canaryWeight = z.number().int().min(1, { message: "must be 1-50 (percent)" }).max(50, { message: "must be 1-50 (percent)" });

export const canary = z.strictObject({
    tag: imageTag,
    /** Share of traffic, in percent, the ingress sends to the canary. */
    weight: canaryWeight,
});

/** The longest name the program derives from the domain is `api.<domain>` / `cdn.<domain>`. */
const derivedPrefix = "api.";
const label = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const tld = "(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})";
const domainPattern = new RegExp(`^(?:${label}\\.)+${tld}$`);

export const domain = z.string()
    .regex(domainPattern, { message: "must be a lowercase DNS domain such as bookkeep.app (punycode labels such as xn--h2brj9c allowed)" })
    .refine(d => derivedPrefix.length + d.length <= 253, {
        message: `must leave room for the names derived from it: api.<domain> must fit DNS's 253 characters (at most ${253 - derivedPrefix.length})`,
    });

/** An IPv4 network, written canonically. */
export const cidr = z.string().refine(isCanonicalCidr, {
    message: "must be an IPv4 network in canonical CIDR form, such as 10.10.0.0/16 (no host bits, no leading zeros)",
});

/** A range laid out inside a VPC: canonical and in RFC 1918 private space. */
export const privateCidr = cidr.refine(c => !isCanonicalCidr(c) || isPrivateCidr(c), {
    message: "must be RFC 1918 private space (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)",
});

export const count = (min: number, max: number) => z.number().int().min(min).max(max);
