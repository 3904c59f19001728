import { catalogEntries } from "./catalog";
import { ServiceSpec, validateCatalog } from "./schema";

export * from "./schema";
export * from "./release";
export { catalogEntries } from "./catalog";

/** The validated catalog (defaults applied). */
export function loadCatalog(entries: readonly unknown[] = catalogEntries): ServiceSpec[] {
    return validateCatalog(entries);
}

/** Names of the catalog's services, for config that refers to them (per-service canaries). */
export function serviceNames(): string[] {
    return catalogEntries.map(s => s.name);
}
