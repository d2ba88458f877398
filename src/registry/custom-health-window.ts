// AWS's window semantics for UpdateInstanceCustomHealthStatus when --custom-health-delay is set: a
// change applies `delay` after the FIRST request asking for it, repeats within the window do not speed
// it up, and a request back to the current status cancels the pending change. The window lives in this
// process (a replica restart forgets pending changes; a request on another replica opens its own).
import type { HealthStatus, InstanceRecord } from '../model/records.ts';
import { instanceKey } from '../model/records.ts';
import type { TimerHandle } from '../model/timers.ts';
import type { RegistryContext } from './context.ts';
import { setHealth } from './health-writes.ts';

interface Pending {
  status: HealthStatus;
  timer: TimerHandle;
}

export class CustomHealthWindow {
  private readonly pending = new Map<string, Pending>();
  private readonly ctx: RegistryContext;
  private readonly delayMs: number;

  constructor(ctx: RegistryContext, delayMs: number) {
    this.ctx = ctx;
    this.delayMs = delayMs;
  }

  /** Opens, keeps or cancels the window for one instance; the caller has checked that it exists. */
  request(serviceId: string, instance: InstanceRecord, status: HealthStatus): void {
    const key = instanceKey(serviceId, instance.id);
    const service = this.ctx.catalog.service(serviceId);
    if (!service) return;
    const current = this.ctx.catalog.healthOf(service, instance.id);
    const waiting = this.pending.get(key);
    if (status === current) {
      if (waiting) {
        this.ctx.timers.clearTimeout(waiting.timer);
        this.pending.delete(key);
      }
      return;
    }
    if (waiting?.status === status) return;
    if (waiting) this.ctx.timers.clearTimeout(waiting.timer);
    // A pending change does not keep the process alive (Timers' contract).
    const timer = this.ctx.timers.setTimeout(() => this.apply(key, serviceId, instance, status), this.delayMs);
    this.pending.set(key, { status, timer });
  }

  /** Pending status for an instance (tests and diagnostics). */
  pendingStatus(serviceId: string, instanceId: string): HealthStatus | undefined {
    return this.pending.get(instanceKey(serviceId, instanceId))?.status;
  }

  private apply(key: string, serviceId: string, instance: InstanceRecord, status: HealthStatus): void {
    this.pending.delete(key);
    // Re-registration replaces the record (and resets health): a change asked for the old one is void.
    if (this.ctx.catalog.instance(serviceId, instance.id) !== instance) return;
    this.ctx.writer.write(setHealth(serviceId, instance.id, status, this.ctx.now())).catch(() => {
      // The store was unavailable or the server stopped: the change is lost, as AWS's would be on a
      // failed apply; the caller can ask again.
    });
  }

  close(): void {
    for (const p of this.pending.values()) this.ctx.timers.clearTimeout(p.timer);
    this.pending.clear();
  }
}

const windows = new WeakMap<RegistryContext, CustomHealthWindow>();

/** The window of a replica (one per registry context, created on first use). */
export function customHealthWindow(ctx: RegistryContext): CustomHealthWindow {
  let w = windows.get(ctx);
  if (!w) windows.set(ctx, (w = new CustomHealthWindow(ctx, ctx.customHealthDelayMs)));
  return w;
}
