// GET /readyz: whether a load balancer should send this replica traffic. 503 while it starts (the catalog
// loading, listeners binding) and once it drains; 200 in between, even while the store is away: every
// replica shares the one Redis and serves reads and DNS from memory, so taking them all out helps nobody.
import type { FastifyInstance } from 'fastify';

/** Where a replica is in its life. */
export type Phase = 'starting' | 'serving' | 'draining';

export interface ReadinessSource {
  phase(): Phase;
  /** Whether the store answers, and for how long it has not (0 while it does). */
  store(): { up: boolean; downMs: number };
  /** The catalog's revision: how far this replica has read the registry. */
  revision(): number;
}

/** Always serving, with a store that is always up: for an API built without a server around it. */
export const alwaysReady = (revision: () => number): ReadinessSource => ({
  phase: () => 'serving',
  store: () => ({ up: true, downMs: 0 }),
  revision,
});

const STATUS: Record<Phase, string> = { starting: 'starting', serving: 'ready', draining: 'draining' };

export function readiness(source: ReadinessSource) {
  return (app: FastifyInstance): void => {
    app.get('/readyz', async (_request, reply) => {
      const phase = source.phase();
      const store = source.store();
      return reply.code(phase === 'serving' ? 200 : 503).send({
        status: STATUS[phase],
        store: store.up ? 'up' : 'down',
        revision: source.revision(),
        storeDownSeconds: Math.floor(store.downMs / 100) / 10,
      });
    });
  };
}
