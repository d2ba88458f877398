// Keeps a catalog current from a store's change feed: applies changes in order, catches up over gaps,
// and reloads a snapshot when the feed cannot fill one. Serving goes on from the old view meanwhile,
// and a failed catch-up or reload (the store is away) is retried with back-off, never left to crash.
// The store logs its own outages once; the retries they cause log at debug.
import type { Log } from '../model/log.ts';
import { catalogTables, type Catalog } from './catalog.ts';
import { ServiceUnavailable } from '../model/errors.ts';
import type { Change, ChangeFeed } from '../model/changes.ts';

const RETRY_REASON = 'retry after a failed sync';

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5000;

export class CatalogFollower {
  private stop: (() => void) | undefined;
  private syncing: Promise<void> | undefined;
  private closed = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly store: ChangeFeed;
  private readonly catalog: Catalog;
  private readonly log: Log;

  constructor(store: ChangeFeed, catalog: Catalog, log: Log) {
    this.store = store;
    this.catalog = catalog;
    this.log = log;
  }

  /** Loads the catalog and starts following the feed. */
  async start(): Promise<void> {
    this.catalog.reset(await this.store.snapshot(catalogTables));
    this.subscribe();
  }

  private subscribe(): void {
    this.stop?.();
    this.stop = this.store.follow(this.catalog.revision, {
      change: (c) => this.onChange(c),
      reset: () => {
        this.background(this.reload('feed reset'));
      },
    });
  }

  private onChange(change: Change): void {
    if (this.catalog.apply(change)) return;
    this.background(this.catchUp());
  }

  /** Runs a sync off the request path; on failure retries a full reload with back-off. */
  private background(sync: Promise<void>): void {
    sync.then(
      () => {
        this.retryMs = RETRY_MIN_MS;
      },
      (e: unknown) => {
        if (this.closed) return;
        const away = e instanceof ServiceUnavailable;
        this.log[away ? 'debug' : 'warn'](
          { err: (e as Error).message, retryInMs: this.retryMs },
          'catalog sync failed; serving the last known state',
        );
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.background(this.reload(RETRY_REASON)), this.retryMs);
        this.retryTimer.unref();
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
      },
    );
  }

  /** Brings the catalog to the store's head (used before retrying a conflicting write, too). */
  catchUp(): Promise<void> {
    this.syncing ??= this.doCatchUp().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async doCatchUp(): Promise<void> {
    const changes = await this.store.changesSince(this.catalog.revision);
    if (changes === null) return this.doReload('feed no longer holds the missing changes');
    for (const c of changes) {
      if (!this.catalog.apply(c)) return this.doReload('gap in the change feed');
    }
  }

  private reload(reason: string): Promise<void> {
    this.syncing ??= this.doReload(reason).finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async doReload(reason: string): Promise<void> {
    if (this.closed) return;
    this.log[reason === RETRY_REASON ? 'debug' : 'warn'](
      { reason, revision: this.catalog.revision },
      'reloading the catalog from the store',
    );
    const snapshot = await this.store.snapshot(catalogTables);
    if (this.closed) return;
    this.catalog.reset(snapshot);
    this.subscribe();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.stop?.();
  }
}
