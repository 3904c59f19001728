import { catalogEntries } from "./catalog";
import { ServiceSpec, validateCatalog } from "./schema";

export * from "./schema";
export { catalogEntries } from "./catalog";

/** The validated catalog. */
export function loadCatalog(entries: readonly unknown[] = catalogEntries): ServiceSpec[] {
    return validateCatalog(entries);
}

export function serviceNames(): string[] {
    return catalogEntries.map(s => s.name);
}
