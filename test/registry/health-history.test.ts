// The console's flip history as a catalog listener: it records flips in order, keeps the newest N, starts
// over when an instance is registered again, and after a reload from a snapshot keeps what it saw.
import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/index.ts';
import { emptyTables, type Mutation } from '../../src/model/changes.ts';
import type { HealthStatus, InstanceRecord } from '../../src/model/records.ts';
import { HealthHistory } from '../../src/registry/index.ts';

const instance: InstanceRecord = { serviceId: 'srv-1', id: 'i-1', attributes: {}, createDate: 1, seq: 1 };
const health = (status: HealthStatus, since: number): Mutation => ({ table: 'health', key: 'srv-1/i-1', value: { status, since } });
const registration: Mutation[] = [{ table: 'instances', key: 'srv-1/i-1', value: instance }, health('HEALTHY', 10)];

function setup(perInstance: number): { catalog: Catalog; history: HealthHistory; apply: (...m: Mutation[]) => void } {
  const catalog = new Catalog();
  const history = new HealthHistory(perInstance);
  catalog.subscribe(history);
  const apply = (...mutations: Mutation[]): void => {
    catalog.apply({ revision: catalog.revision + 1, mutations });
  };
  return { catalog, history, apply };
}

describe('HealthHistory', () => {
  it('records each flip in order and keeps only the newest ones', () => {
    const { history, apply } = setup(3);
    apply(...registration);
    apply(health('UNHEALTHY', 20));
    apply(health('HEALTHY', 30));
    apply(health('UNHEALTHY', 40));
    expect(history.of('srv-1', 'i-1')).toEqual([
      { status: 'UNHEALTHY', at: 20 },
      { status: 'HEALTHY', at: 30 },
      { status: 'UNHEALTHY', at: 40 },
    ]);
  });

  it('starts over when the instance is registered again, and forgets it when it is deregistered', () => {
    const { history, apply } = setup(10);
    apply(...registration);
    apply(health('UNHEALTHY', 20));
    apply({ table: 'instances', key: 'srv-1/i-1', value: { ...instance, createDate: 50 } }, health('HEALTHY', 50));
    expect(history.of('srv-1', 'i-1')).toEqual([{ status: 'HEALTHY', at: 50 }]);
    apply({ table: 'instances', key: 'srv-1/i-1', value: null }, { table: 'health', key: 'srv-1/i-1', value: null });
    expect(history.of('srv-1', 'i-1')).toEqual([]);
    expect(history.size).toBe(0);
  });

  it('keeps what it saw across a reload, adding the current status once, and drops instances that are gone', () => {
    const { catalog, history, apply } = setup(10);
    apply(...registration);
    apply(health('UNHEALTHY', 20));
    const tables = emptyTables();
    tables.instances.set('srv-1/i-1', instance);
    tables.health.set('srv-1/i-1', { status: 'HEALTHY', since: 35 });
    tables.services.set('srv-1', {
      id: 'srv-1',
      name: 's',
      namespaceId: 'ns-1',
      type: 'HTTP',
      createDate: 1,
      attributes: {},
      instancesRevision: 3,
      healthCheckCustomConfig: { failureThreshold: 1 },
    });
    catalog.reset({ revision: 9, tables });
    catalog.reset({ revision: 9, tables }); // the same snapshot again adds nothing
    expect(history.of('srv-1', 'i-1').map((p) => p.at)).toEqual([10, 20, 35]);
    catalog.reset({ revision: 10, tables: emptyTables() });
    expect(history.size).toBe(0);
  });

  it('keeps nothing with a bound of 0', () => {
    const { history, apply } = setup(0);
    apply(...registration);
    expect(history.size).toBe(0);
  });
});
