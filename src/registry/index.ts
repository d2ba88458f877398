// Cloud Map's rules, the only writer of the store: the registry context and how to make it, the table of
// operation handlers the API dispatches to, the health write the probes use, and the watches.
export { createRegistry, defaultLimits, type Limits, type RegistryContext, type RegistryOptions } from './context.ts';
export { handlers, type Handler, type HandlerTable } from './handlers.ts';
export { setHealth } from './health-writes.ts';
export type { Planner, Plan, Writer } from './writer.ts';
export type { DiscoveryCache } from './discovery-cache.ts';
export { discoverInstances, discoveredService } from './discovery.ts';
export { WatchHub, type WatchHubOptions, type WatchSink, type Wait } from './watch-hub.ts';
export { HealthHistory, type HealthPoint } from './health-history.ts';
