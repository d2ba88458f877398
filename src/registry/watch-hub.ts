// Watches (docs/cloud-map-api.md#watching): per service, the open event streams and the waiting blocking
// queries, woken by the catalog changes that touch that service only. A catalog listener the server
// subscribes, so a change from another replica's feed wakes watchers here as one made here does. Each
// event is serialised once and the same bytes go to every stream of its service; the writes to sockets
// happen just after the change, so the write that made it does not wait for thousands of sockets.
import type { Catalog, CatalogListener } from '../catalog/index.ts';
import type { Change } from '../model/changes.ts';
import { ServiceNotFound, ServiceUnavailable, TooManyWatches } from '../model/errors.ts';
import { hasHealth, type ServiceRecord } from '../model/records.ts';
import type { TimerHandle, Timers } from '../model/timers.ts';
import { instanceSummaryJson } from './discovery-cache.ts';
import { eventFrame, FORGET_ID, HEARTBEAT, touchesOf, watchChanges, type ServiceTouch } from './watch-events.ts';
import { WatchHistory } from './watch-history.ts';

/** Where a stream's bytes go (the API's server-sent events response). */
export interface WatchSink {
  write(bytes: Buffer): void;
  end(): void;
}

export interface WatchHubOptions {
  /** Streams and blocking queries open at once. */
  maxWatches: number;
  /** Bytes of recent events kept for resuming streams. */
  historyBytes: number;
  /** How often every stream gets a comment line. */
  heartbeatMs: number;
  timers: Timers;
}

interface Stream {
  sink: WatchSink;
  state: ServiceState;
  /** The revision the client has: events up to it were written (or it resumed from it). */
  sent: number;
}

interface Waiter {
  state: ServiceState;
  revision: number;
  timer: TimerHandle | undefined;
  wake: () => void;
}

interface Pending {
  to: number;
  frame: Buffer;
}

/** Events to write to the streams a service had when they were made; no events: a heartbeat to all. */
interface Job {
  frames: Pending[] | undefined;
  streams: Stream[];
  /** The index of the next stream to write to. */
  next: number;
  /** The bytes each stream gets, by the index of the first event it lacks. */
  joined: Map<number, Buffer>;
}

/**
 * Streams written to per turn of the event loop: a socket write costs microseconds (loopback runs the
 * reader's side in the same call), so ten thousand at once would hold DNS and the API for tens of ms.
 */
const FLUSH_SLICE = 500;

interface ServiceState {
  readonly id: string;
  revision: number;
  tracked: boolean;
  streams: Set<Stream> | undefined;
  waiters: Set<Waiter> | undefined;
  /** Events made since the last flush, for the streams. */
  pending: Pending[];
  /** The snapshot event at `revision`, made when a stream opened. */
  snapshot: Pending | undefined;
}

export interface Wait {
  /** Resolves when the revision moves, the wait ends, the service goes or the hub closes. */
  done: Promise<void>;
  cancel: () => void;
}

const stateOf = (s: ServiceRecord): ServiceState => ({
  id: s.id,
  revision: s.instancesRevision,
  tracked: hasHealth(s),
  streams: undefined,
  waiters: undefined,
  pending: [],
  snapshot: undefined,
});

export class WatchHub implements CatalogListener {
  private readonly options: WatchHubOptions;
  private readonly history: WatchHistory;
  private catalog: Catalog | undefined;
  private readonly states = new Map<string, ServiceState>();
  private readonly streams = new Set<Stream>();
  private open = 0;
  private closing = false;
  private readonly dirty = new Set<ServiceState>();
  private jobs: Job[] = [];
  private flushing: NodeJS.Immediate | undefined;
  private heartbeat: TimerHandle | undefined;

  constructor(options: WatchHubOptions) {
    this.options = options;
    this.history = new WatchHistory(options.historyBytes);
  }

  /** Streams and blocking queries open now. */
  get watches(): number {
    return this.open;
  }

  /** Whether close() was called (the server is stopping). */
  get closed(): boolean {
    return this.closing;
  }

  /** Throws when no watch can be opened now: the cap is reached, or the server is stopping. */
  admit(): void {
    if (this.closing) throw new ServiceUnavailable('The server is shutting down');
    if (this.open >= this.options.maxWatches) throw new TooManyWatches(this.options.maxWatches);
  }

  /**
   * Opens a stream on a service: writes what the client lacks (the events after `lastEventId` when the
   * history holds them all, nothing when it is current, a snapshot otherwise), then every event. Returns
   * the function that closes it (the client went away).
   */
  openStream(serviceId: string, lastEventId: number | undefined, sink: WatchSink): () => void {
    this.admit();
    const state = this.requireState(serviceId);
    let frames: Buffer[] | undefined;
    if (lastEventId === state.revision) frames = [];
    else if (lastEventId !== undefined && lastEventId < state.revision) frames = this.history.since(serviceId, lastEventId);
    frames ??= [this.snapshotOf(state)];
    const stream: Stream = { sink, state, sent: state.revision };
    (state.streams ??= new Set()).add(stream);
    this.streams.add(stream);
    this.open++;
    if (frames.length > 0) sink.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
    this.armHeartbeat();
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.forget(stream);
    };
  }

  /** Waits until the service's revision is not `revision`, at most `ms`. */
  wait(serviceId: string, revision: number, ms: number): Wait {
    this.admit();
    const state = this.requireState(serviceId);
    if (state.revision !== revision) return { done: Promise.resolve(), cancel: () => undefined };
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const waiter: Waiter = {
      state,
      revision,
      timer: undefined,
      wake: () => {
        if (!state.waiters?.delete(waiter)) return;
        if (waiter.timer !== undefined) this.options.timers.clearTimeout(waiter.timer);
        this.open--;
        resolve();
      },
    };
    (state.waiters ??= new Set()).add(waiter);
    this.open++;
    waiter.timer = this.options.timers.setTimeout(waiter.wake, ms);
    return { done, cancel: waiter.wake };
  }

  /** Ends every stream and answers every blocking query; opens none from now on. */
  close(): void {
    this.closing = true;
    this.drain();
    for (const stream of [...this.streams]) {
      this.forget(stream);
      stream.sink.end();
    }
    for (const state of this.states.values()) this.wakeAll(state);
    if (this.heartbeat !== undefined) this.options.timers.clearTimeout(this.heartbeat);
    this.heartbeat = undefined;
  }

  reset(catalog: Catalog): void {
    this.catalog = catalog;
    const present = new Set<string>();
    for (const service of catalog.services()) {
      present.add(service.id);
      const state = this.states.get(service.id);
      if (!state) this.states.set(service.id, stateOf(service));
      else this.reloaded(state, service);
    }
    for (const id of [...this.states.keys()]) if (!present.has(id)) this.gone(id);
  }

  changed(change: Change, catalog: Catalog): void {
    this.catalog = catalog;
    for (const [serviceId, touch] of touchesOf(change)) {
      if (touch.service === null) {
        this.gone(serviceId);
        continue;
      }
      const service = touch.service ?? catalog.service(serviceId);
      if (!service) continue;
      const state = this.states.get(serviceId);
      if (!state) this.states.set(serviceId, stateOf(service));
      else this.touched(state, service, touch, change.revision);
    }
  }

  /** A change wrote this service or its instances: one event, if its instance set moved. */
  private touched(state: ServiceState, service: ServiceRecord, touch: ServiceTouch, revision: number): void {
    const from = state.revision;
    const to = service.instancesRevision;
    const tracked = hasHealth(service);
    const changes = watchChanges(touch, revision);
    if (to === from && tracked === state.tracked && changes.length === 0) return; // a description, a TTL, an attribute
    const trackedChanged = tracked !== state.tracked;
    state.revision = to;
    state.tracked = tracked;
    state.snapshot = undefined;
    // A health check added or removed changes every instance's status: a snapshot says it in one event.
    const frame = trackedChanged ? this.snapshotOf(state) : this.changeFrame(state, service, touch, changes);
    if (to > from) this.history.add(state.id, from, to, frame);
    else this.history.drop(state.id); // the revision did not move: resuming from it could not tell
    this.emit(state, to, frame);
  }

  /** After a reload: a service whose instance set moved gets a snapshot (what changed is not known). */
  private reloaded(state: ServiceState, service: ServiceRecord): void {
    const from = state.revision;
    const to = service.instancesRevision;
    const tracked = hasHealth(service);
    if (to === from && tracked === state.tracked) return;
    state.revision = to;
    state.tracked = tracked;
    state.snapshot = undefined;
    if (!state.streams?.size) {
      this.history.drop(state.id);
      this.wakeAll(state);
      return;
    }
    const frame = this.snapshotOf(state);
    if (to > from) this.history.add(state.id, from, to, frame);
    else this.history.drop(state.id);
    this.emit(state, to, frame);
  }

  /** The service was deleted: its streams get what is pending and end; its blocking queries answer. */
  private gone(serviceId: string): void {
    const state = this.states.get(serviceId);
    if (!state) return;
    this.states.delete(serviceId);
    this.history.drop(serviceId);
    this.drain(); // its last events (the deregistrations) go out before the end
    for (const stream of [...(state.streams ?? [])]) {
      this.forget(stream);
      stream.sink.write(FORGET_ID);
      stream.sink.end();
    }
    this.wakeAll(state);
  }

  private changeFrame(state: ServiceState, service: ServiceRecord, touch: ServiceTouch, changes: ReturnType<typeof watchChanges>): Buffer {
    const catalog = this.catalog!;
    const names = this.namesOf(service);
    const instances: string[] = [];
    const seen = new Set<string>();
    for (const c of changes) {
      if (c.type === 'deregister' || seen.has(c.instanceId)) continue;
      seen.add(c.instanceId);
      const record = touch.written.get(c.instanceId) ?? catalog.instance(service.id, c.instanceId);
      if (record) instances.push(instanceSummaryJson(record, catalog.healthOf(service, c.instanceId), names.namespace, names.service));
    }
    return eventFrame('change', { ...names, revision: state.revision, instances, changes });
  }

  /** The snapshot event of the service as the catalog holds it now (made once per revision). */
  private snapshotOf(state: ServiceState): Buffer {
    if (state.snapshot?.to === state.revision) return state.snapshot.frame;
    const catalog = this.catalog!;
    const service = catalog.service(state.id);
    if (!service) throw new ServiceNotFound(state.id);
    const names = this.namesOf(service);
    const instances: string[] = [];
    for (const i of catalog.instancesOf(service.id).values()) {
      instances.push(instanceSummaryJson(i, catalog.healthOf(service, i.id), names.namespace, names.service));
    }
    const frame = eventFrame('snapshot', { ...names, revision: state.revision, instances, changes: [] });
    state.snapshot = { to: state.revision, frame };
    return frame;
  }

  private namesOf(service: ServiceRecord): { namespace: string; service: string } {
    return { namespace: this.catalog!.namespace(service.namespaceId)?.httpName ?? '', service: service.name };
  }

  private requireState(serviceId: string): ServiceState {
    const state = this.states.get(serviceId);
    if (!state) throw new ServiceNotFound(serviceId);
    return state;
  }

  /** Queues the event for the service's streams and answers the blocking queries it ends. */
  private emit(state: ServiceState, to: number, frame: Buffer): void {
    this.wakeAll(state);
    if (!state.streams?.size) return;
    state.pending.push({ to, frame });
    this.dirty.add(state);
    this.flushing ??= setImmediate(() => this.flush());
  }

  private wakeAll(state: ServiceState): void {
    if (!state.waiters) return;
    for (const w of [...state.waiters]) if (w.revision !== state.revision || !this.states.has(state.id) || this.closing) w.wake();
  }

  /** Writes what is pending, at most FLUSH_SLICE streams per turn of the event loop. */
  private flush(): void {
    this.flushing = undefined;
    this.takePending();
    let budget = FLUSH_SLICE;
    while (this.jobs.length > 0 && budget > 0) {
      const job = this.jobs[0]!;
      budget -= this.runJob(job, budget);
      if (job.next >= job.streams.length) this.jobs.shift();
    }
    if (this.jobs.length > 0) this.flushing = setImmediate(() => this.flush());
  }

  /** Writes everything pending now (before streams end). */
  private drain(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    this.takePending();
    for (const job of this.jobs) this.runJob(job, Infinity);
    this.jobs = [];
  }

  /** Turns each service's pending events into a job over the streams it has now. */
  private takePending(): void {
    for (const state of this.dirty) {
      if (state.pending.length === 0) continue;
      this.jobs.push({ frames: state.pending, streams: [...(state.streams ?? [])], next: 0, joined: new Map() });
      state.pending = [];
    }
    this.dirty.clear();
  }

  /**
   * Writes a job's events to up to `budget` of its streams, the bytes each lacks: one buffer shared by
   * every stream that lacks the same events. Returns how many streams it took.
   */
  private runJob(job: Job, budget: number): number {
    const frames = job.frames;
    const end = Math.min(job.streams.length, job.next + budget);
    const taken = end - job.next;
    if (!frames) {
      for (; job.next < end; job.next++) {
        const stream = job.streams[job.next]!;
        if (this.streams.has(stream)) stream.sink.write(HEARTBEAT);
      }
      return taken;
    }
    const last = frames[frames.length - 1]!.to;
    for (; job.next < end; job.next++) {
      const stream = job.streams[job.next]!;
      // Closed since; or opened after these events (its snapshot had them).
      if (!this.streams.has(stream) || stream.sent >= last) continue;
      let first = 0;
      while (first < frames.length && frames[first]!.to <= stream.sent) first++;
      let bytes = job.joined.get(first);
      if (!bytes) {
        const rest = frames.slice(first);
        bytes = rest.length === 1 ? rest[0]!.frame : Buffer.concat(rest.map((p) => p.frame));
        job.joined.set(first, bytes);
      }
      stream.sent = last;
      stream.sink.write(bytes);
    }
    return taken;
  }

  private forget(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    stream.state.streams?.delete(stream);
    this.open--;
  }

  private armHeartbeat(): void {
    if (this.heartbeat !== undefined || this.closing) return;
    this.heartbeat = this.options.timers.setTimeout(() => {
      this.heartbeat = undefined;
      if (this.streams.size === 0) return;
      this.jobs.push({ frames: undefined, streams: [...this.streams], next: 0, joined: new Map() });
      this.flushing ??= setImmediate(() => this.flush());
      this.armHeartbeat();
    }, this.options.heartbeatMs);
  }
}
