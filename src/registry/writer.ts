// The one way anything is written: plan against the catalog, commit atomically if the store is still at
// the catalog's revision, apply locally (read-your-writes), and on a conflict catch up and plan again.
// A commit that got no answer may still be applied: the 503 says so, and the request's token finds it.
import type { Catalog } from '../catalog/index.ts';
import type { Mutation } from '../model/changes.ts';
import type { Store } from '../store/index.ts';
import { ServiceUnavailable, StoreUnreachable, WriteOutcomeUnknown } from '../model/errors.ts';

export interface Plan<T> {
  mutations: Mutation[];
  result: T;
}
/** Mutations that ride along with every write (reads the catalog only). */
export type Housekeeping = (catalog: Catalog) => Mutation[];

/** Reads the catalog, enforces the rules (throwing typed errors) and says what to write. Must be pure. */
export type Planner<T> = (catalog: Catalog) => Plan<T>;

/**
 * The request member holding the idempotency token (CreatorRequestId, UpdaterRequestId), given when the
 * request has one: the planner then returns the first outcome for a retry, which a 503 tells clients.
 */
export type TokenMember = 'CreatorRequestId' | 'UpdaterRequestId';

/** The member to name in a 503, when the request carries a token in it. */
export const tokenIn = (member: TokenMember, value: string | undefined): TokenMember | undefined =>
  value === undefined ? undefined : member;

/**
 * How long a write keeps retrying after conflicts. A time budget rather than a count: the loser of a
 * race is always one round trip behind, so a count runs out while another replica's burst of writes
 * is still going, and that burst ends well within this.
 */
const RETRY_BUDGET_MS = 5000;

export interface WriterOptions {
  store: Pick<Store, 'commit'>;
  /** The replica's catalog: plans read it, accepted writes are applied to it before the write returns. */
  catalog: Catalog;
  /** Brings the catalog to the store's head (after losing a race to another replica). */
  catchUp: () => Promise<void>;
  /**
   * Mutations added to every write that changes something (pruning expired operations), so the rule
   * lives here once instead of in each planner.
   */
  housekeeping?: Housekeeping;
}

export class Writer {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly store: Pick<Store, 'commit'>;
  private readonly catalog: Catalog;
  private readonly catchUp: () => Promise<void>;
  private readonly housekeeping: Housekeeping;

  constructor(o: WriterOptions) {
    this.store = o.store;
    this.catalog = o.catalog;
    this.catchUp = o.catchUp;
    this.housekeeping = o.housekeeping ?? (() => []);
  }

  /** Writes are serialised within a replica, so concurrent requests never plan from the same revision. */
  write<T>(planner: Planner<T>, token?: TokenMember): Promise<T> {
    const run = this.queue.then(() => this.attempt(planner, token));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async attempt<T>(planner: Planner<T>, token: TokenMember | undefined): Promise<T> {
    const deadline = Date.now() + RETRY_BUDGET_MS;
    while (Date.now() < deadline) {
      const expected = this.catalog.revision;
      const plan = planner(this.catalog);
      if (plan.mutations.length === 0) return plan.result;
      const mutations = [...plan.mutations, ...this.housekeeping(this.catalog)];
      let outcome;
      try {
        outcome = await this.store.commit(expected, mutations);
      } catch (e) {
        // The catalog stays at `expected`: if Redis applies the commit later, the feed brings it, and a
        // retry's commit loses on the revision until then, catches up and finds its token.
        if (e instanceof WriteOutcomeUnknown) throw new WriteOutcomeUnknown(token);
        throw e;
      }
      if (outcome.ok) {
        this.catalog.apply({ revision: outcome.revision, mutations });
        return plan.result;
      }
      // Another replica wrote first: read what it wrote, then decide again on the new state.
      try {
        await this.catchUp();
      } catch (e) {
        // This commit lost on the revision, so nothing was written.
        if (e instanceof ServiceUnavailable) throw new StoreUnreachable();
        throw e;
      }
    }
    throw new ServiceUnavailable('Too many concurrent writes; try again');
  }
}
