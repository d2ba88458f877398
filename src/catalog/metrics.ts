// The catalog's metric families: what this replica's view of the registry holds, read when scraped.
import { Gauge, type Registry } from 'prom-client';
import type { Catalog } from './catalog.ts';

export function registerCatalogMetrics(registry: Registry, catalog: Catalog): void {
  const sizes = (pick: (s: ReturnType<Catalog['sizes']>) => number) =>
    function (this: Gauge): void {
      this.set(pick(catalog.sizes()));
    };
  new Gauge({
    name: 'cairn_catalog_namespaces',
    help: "Namespaces in this replica's catalog",
    registers: [registry],
    collect: sizes((s) => s.namespaces),
  });
  new Gauge({
    name: 'cairn_catalog_services',
    help: "Services in this replica's catalog",
    registers: [registry],
    collect: sizes((s) => s.services),
  });
  new Gauge({
    name: 'cairn_catalog_instances',
    help: "Instances in this replica's catalog",
    registers: [registry],
    collect: sizes((s) => s.instances),
  });
  new Gauge({
    name: 'cairn_catalog_revision',
    help: "The store revision of the last change this replica's catalog applied",
    registers: [registry],
    collect() {
      this.set(catalog.revision);
    },
  });
}
