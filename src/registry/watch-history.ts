// The recent change events of every service, kept so a watch stream that reconnects with Last-Event-ID
// gets only what it missed. One byte budget for all services together: the oldest event goes first,
// whichever service it belongs to (docs/cloud-map-api.md#watching).

interface Entry {
  serviceId: string;
  /** The service's InstancesRevision before and after the event. */
  from: number;
  to: number;
  frame: Buffer;
  /** Dropped with its service but still in the global queue until it reaches the front. */
  dead: boolean;
}

/** What an entry costs beyond its frame's bytes (the object, its array slots). */
const ENTRY_OVERHEAD = 96;
const NOTHING = Buffer.alloc(0);

export class WatchHistory {
  private readonly maxBytes: number;
  private readonly byService = new Map<string, Entry[]>();
  /** Every live entry in the order it was added; `head` is the index of the oldest. */
  private queue: Entry[] = [];
  private head = 0;
  private bytes = 0;
  private deadInQueue = 0;

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Records that the service moved from revision `from` to `to` with this event. */
  add(serviceId: string, from: number, to: number, frame: Buffer): void {
    const cost = frame.length + ENTRY_OVERHEAD;
    if (cost > this.maxBytes) {
      this.drop(serviceId); // a gap: what is kept must be contiguous
      return;
    }
    const entry: Entry = { serviceId, from, to, frame, dead: false };
    let list = this.byService.get(serviceId);
    if (!list) this.byService.set(serviceId, (list = []));
    list.push(entry);
    this.queue.push(entry);
    this.bytes += cost;
    while (this.bytes > this.maxBytes) this.evictOldest();
  }

  /**
   * The frames that take a client from revision `after` to the newest one kept, or undefined when they
   * are not all here (evicted, the replica started later, or `after` is no revision this service had).
   */
  since(serviceId: string, after: number): Buffer[] | undefined {
    const list = this.byService.get(serviceId);
    if (!list) return undefined;
    // The first event past `after` (revisions rise along the list); it must start where the client is.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.to > after) hi = mid;
      else lo = mid + 1;
    }
    const i = lo;
    if (i === list.length || list[i]!.from !== after) return undefined;
    return list.slice(i).map((e) => e.frame);
  }

  /** Forgets a service's events (it was deleted, or its events no longer follow one another). */
  drop(serviceId: string): void {
    const list = this.byService.get(serviceId);
    if (!list) return;
    this.byService.delete(serviceId);
    for (const e of list) this.kill(e);
    this.compact();
  }

  get size(): number {
    return this.bytes;
  }

  private evictOldest(): void {
    const e = this.queue[this.head++]!;
    if (e.dead) this.deadInQueue--;
    else {
      const list = this.byService.get(e.serviceId)!;
      list.shift(); // the service's oldest: the queue keeps each service's events in order
      if (list.length === 0) this.byService.delete(e.serviceId);
      this.bytes -= e.frame.length + ENTRY_OVERHEAD;
    }
    this.compact();
  }

  private kill(e: Entry): void {
    this.bytes -= e.frame.length + ENTRY_OVERHEAD;
    e.dead = true;
    e.frame = NOTHING; // the bytes go now; the entry waits in the queue until compacted
    this.deadInQueue++;
  }

  /** Drops dead entries from the front; rebuilds the queue when most of it is spent or dead. */
  private compact(): void {
    while (this.head < this.queue.length && this.queue[this.head]!.dead) {
      this.head++;
      this.deadInQueue--;
    }
    const live = this.queue.length - this.head;
    if ((this.head > 1024 && this.head > live) || (this.deadInQueue > 1024 && this.deadInQueue * 2 > live)) {
      this.queue = this.queue.slice(this.head).filter((e) => !e.dead);
      this.head = 0;
      this.deadInQueue = 0;
    }
  }
}
