// The Docker side of the agent (dockerode over the engine's Unix socket): containers as the agent sees them,
// and the engine's event stream, reconnected with backoff whenever it ends, so the agent can catch up.
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import type { Log } from '../model/log.ts';
import { backoffWait, type Backoff } from './backoff.ts';
import { LABEL, type ContainerView } from './labels.ts';

/** Container events after which a container may want to be registered, changed or deregistered. */
const EVENTS = ['start', 'restart', 'die', 'stop', 'destroy', 'rename', 'health_status', 'pause', 'unpause'];

export interface WatchHandlers {
  /** The stream is open: events from now on arrive, so whatever happened before must be caught up. */
  connected(): void;
  changed(containerId: string): void;
}

export class DockerSide {
  private readonly docker: Docker;
  /** Docker's label filters: `cairn.service`, and the agent's --only-label (filters of one kind must all match). */
  private readonly labels: string[];

  constructor(socketPath: string, onlyLabel?: string) {
    this.docker = new Docker({ socketPath });
    this.labels = [LABEL.service, ...(onlyLabel !== undefined ? [onlyLabel] : [])];
  }

  /** The engine's ID: unique per Docker host, so the default mark of the instances this host's agent owns. */
  async hostId(): Promise<string> {
    const info = (await this.docker.info()) as { ID?: string; Name?: string };
    const id = info.ID ?? info.Name;
    if (id === undefined || id === '') throw new Error('the Docker engine reported neither an ID nor a name');
    return id;
  }

  /** Every running container that has a `cairn.service` label. */
  async listLabelled(): Promise<ContainerView[]> {
    const list = await this.docker.listContainers({ filters: { label: this.labels, status: ['running'] } });
    const out: ContainerView[] = [];
    for (const c of list) {
      const view = await this.inspect(c.Id);
      if (view?.running === true) out.push(view);
    }
    return out;
  }

  /** The container now, or undefined once it is gone. */
  async inspect(id: string): Promise<ContainerView | undefined> {
    try {
      return toView(await this.docker.getContainer(id).inspect());
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) return undefined;
      throw e;
    }
  }

  /** Follows the container events until `signal` aborts, reopening the stream with backoff when it ends. */
  async watch(handlers: WatchHandlers, signal: AbortSignal, backoff: Backoff, log: Log): Promise<void> {
    let failures = 0;
    let lostAt: number | undefined;
    while (!signal.aborted) {
      try {
        const stream = await this.docker.getEvents({ filters: { type: ['container'], event: EVENTS, label: this.labels } });
        if (lostAt !== undefined) log.info({ afterMs: Date.now() - lostAt }, 'the Docker event stream is back');
        lostAt = undefined;
        failures = 0;
        handlers.connected();
        await readEvents(stream, handlers, signal);
        if (signal.aborted) return;
        throw new Error('the engine closed the event stream');
      } catch (e) {
        if (signal.aborted) return;
        if (lostAt === undefined) {
          lostAt = Date.now();
          log.warn({ error: (e as Error).message }, 'lost the Docker event stream; reconnecting');
        } else log.debug({ error: (e as Error).message }, 'Docker still away');
        await backoffWait(backoff, failures++, signal);
      }
    }
  }
}

async function readEvents(stream: NodeJS.ReadableStream, handlers: WatchHandlers, signal: AbortSignal): Promise<void> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  // Ends the loop below whether the engine closes the stream or the agent stops.
  const close = () => {
    lines.close();
    (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
  };
  stream.once('close', close);
  stream.once('error', close);
  signal.addEventListener('abort', close, { once: true });
  try {
    for await (const line of lines) {
      const id = eventContainer(line);
      if (id !== undefined) handlers.changed(id);
    }
  } finally {
    signal.removeEventListener('abort', close);
  }
}

/** The container id of one line of the event stream, if it is a container event. */
export function eventContainer(line: string): string | undefined {
  try {
    const ev = JSON.parse(line) as { Type?: string; Actor?: { ID?: string }; id?: string };
    if (ev.Type !== undefined && ev.Type !== 'container') return undefined;
    const id = ev.Actor?.ID ?? ev.id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}

function toView(info: Docker.ContainerInspectInfo): ContainerView {
  const health = info.State.Health?.Status;
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    image: info.Config.Image,
    running: info.State.Running && !info.State.Restarting,
    labels: info.Config.Labels ?? {},
    networks: Object.entries(info.NetworkSettings.Networks ?? {}).map(([name, n]) => ({
      name,
      ...(n.IPAddress ? { ipv4: n.IPAddress } : {}),
      ...(n.GlobalIPv6Address ? { ipv6: n.GlobalIPv6Address } : {}),
    })),
    ...(health === 'starting' || health === 'healthy' || health === 'unhealthy' ? { health } : {}),
  };
}
