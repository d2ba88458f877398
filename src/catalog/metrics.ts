// The catalog's metric families: what this replica's view of the registry holds, read when scraped.
import { Gauge, type Registry } from 'prom-client';
import type { Catalog } from './catalog.ts';

export function registerCatalogMetrics(registry: Registry, catalog: Catalog): void {
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge('cairn_catalog_namespaces', "Namespaces in this replica's catalog", () => catalog.sizes().namespaces);
  gauge('cairn_catalog_services', "Services in this replica's catalog", () => catalog.sizes().services);
  gauge('cairn_catalog_instances', "Instances in this replica's catalog", () => catalog.sizes().instances);
  gauge('cairn_catalog_revision', "The store revision of the last change this replica's catalog applied", () => catalog.revision);
}
