// The reconcile planner, case by case: running containers' wishes and this agent's instances in, the calls out.
import { describe, expect, it } from 'vitest';
import { plan, type Owned, type Resolved } from '../../src/agent/index.ts';

const wish = (name: string, over: Partial<Resolved> = {}): Resolved => ({
  containerId: `id-${name}`,
  containerName: name,
  namespace: 'kouzie.com',
  service: 'web',
  serviceId: 'srv-web',
  customHealth: false,
  instanceId: name,
  attributes: { AWS_INSTANCE_IPV4: '172.20.0.5', 'cairn.agent': 'a', 'cairn.container-id': `id-${name}` },
  ...over,
});
const have = (name: string, over: Partial<Owned> = {}): Owned => ({
  serviceId: 'srv-web',
  instanceId: name,
  containerId: `id-${name}`,
  attributes: { AWS_INSTANCE_IPV4: '172.20.0.5', 'cairn.agent': 'a', 'cairn.container-id': `id-${name}` },
  ...over,
});
const summary = (p: ReturnType<typeof plan>) => ({
  register: p.register.map((r) => r.desired.instanceId),
  deregister: p.deregister.map((o) => o.instanceId),
  health: p.health.map((h) => `${h.desired.instanceId}=${h.status}`),
  conflicts: p.conflicts.map((c) => c.desired.containerName),
});

describe('the reconcile plan', () => {
  it.each<[string, Resolved[], Owned[], Map<string, string>, ReturnType<typeof summary>]>([
    ['nothing running, nothing owned', [], [], new Map(), { register: [], deregister: [], health: [], conflicts: [] }],
    ['a new container is registered', [wish('web-1')], [], new Map(), { register: ['web-1'], deregister: [], health: [], conflicts: [] }],
    [
      'an instance already as wanted is left alone',
      [wish('web-1')],
      [have('web-1')],
      new Map(),
      { register: [], deregister: [], health: [], conflicts: [] },
    ],
    [
      'an owned instance whose container is gone is deregistered',
      [],
      [have('web-1')],
      new Map(),
      { register: [], deregister: ['web-1'], health: [], conflicts: [] },
    ],
    [
      'a changed address is registered again',
      [wish('web-1', { attributes: { AWS_INSTANCE_IPV4: '172.20.0.9', 'cairn.agent': 'a', 'cairn.container-id': 'id-web-1' } })],
      [have('web-1')],
      new Map(),
      { register: ['web-1'], deregister: [], health: [], conflicts: [] },
    ],
    [
      'a container recreated under the same name replaces its instance',
      [
        wish('web-1', {
          containerId: 'new',
          attributes: { AWS_INSTANCE_IPV4: '172.20.0.5', 'cairn.agent': 'a', 'cairn.container-id': 'new' },
        }),
      ],
      [have('web-1')],
      new Map(),
      { register: ['web-1'], deregister: [], health: [], conflicts: [] },
    ],
    [
      'a moved instance: deregistered from the old service, registered in the new',
      [wish('web-1', { serviceId: 'srv-api' })],
      [have('web-1')],
      new Map(),
      { register: ['web-1'], deregister: ['web-1'], health: [], conflicts: [] },
    ],
    [
      "someone else's instance with the same id is left alone",
      [wish('web-1')],
      [],
      new Map([['srv-web/web-1', 'agent b']]),
      { register: [], deregister: [], health: [], conflicts: ['web-1'] },
    ],
    [
      'two containers asking for one instance id: the first by name wins',
      [wish('web-b', { instanceId: 'w' }), wish('web-a', { instanceId: 'w' })],
      [],
      new Map(),
      { register: ['w'], deregister: [], health: [], conflicts: ['web-b'] },
    ],
    [
      'custom health that changed is updated without registering again',
      [wish('web-1', { customHealth: true, health: 'UNHEALTHY' })],
      [have('web-1', { health: 'HEALTHY' })],
      new Map(),
      { register: [], deregister: [], health: ['web-1=UNHEALTHY'], conflicts: [] },
    ],
    [
      'custom health that is already right needs nothing',
      [wish('web-1', { customHealth: true, health: 'HEALTHY' })],
      [have('web-1', { health: 'HEALTHY' })],
      new Map(),
      { register: [], deregister: [], health: [], conflicts: [] },
    ],
    [
      'health is not custom: the container’s health does not matter',
      [wish('web-1', { customHealth: false, health: 'UNHEALTHY' })],
      [have('web-1')],
      new Map(),
      { register: [], deregister: [], health: [], conflicts: [] },
    ],
  ])('%s', (_, desired, owned, taken, expected) => {
    expect(summary(plan(desired, owned, taken))).toEqual(expected);
  });

  it('registers with AWS_INIT_HEALTH_STATUS from the container when the service has custom health', () => {
    const p = plan([wish('web-1', { customHealth: true, health: 'UNHEALTHY' }), wish('web-2', { customHealth: true })], []);
    expect(p.register.map((r) => r.attributes.AWS_INIT_HEALTH_STATUS)).toEqual(['UNHEALTHY', undefined]);
    expect(
      plan([wish('web-1', { customHealth: false, health: 'UNHEALTHY' })], []).register[0]!.attributes.AWS_INIT_HEALTH_STATUS,
    ).toBeUndefined();
  });

  it('does not count the stored AWS_INIT_HEALTH_STATUS as a difference', () => {
    const owned = have('web-1', { attributes: { ...have('web-1').attributes, AWS_INIT_HEALTH_STATUS: 'UNHEALTHY' }, health: 'HEALTHY' });
    expect(summary(plan([wish('web-1', { customHealth: true, health: 'HEALTHY' })], [owned]))).toEqual({
      register: [],
      deregister: [],
      health: [],
      conflicts: [],
    });
  });
});
