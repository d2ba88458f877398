// The in-memory view of the registry that DNS, discovery and health read, and the follower that keeps it
// current from the store's change feed.
export { Catalog, catalogTables, type CatalogListener } from './catalog.ts';
export { CatalogFollower } from './follow.ts';
export { registerCatalogMetrics } from './metrics.ts';
