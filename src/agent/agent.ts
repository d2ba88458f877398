// The agent's loop: Docker events mark containers to look at again, and one worker brings each one's instance
// in step (level-triggered: it acts on what the container is now, not on what the event said). At start,
// after a lost event stream, after a failure and every resync interval it reconciles everything instead.
import type { Log } from '../model/log.ts';
import { backoffWait, defaultBackoff, type Backoff } from './backoff.ts';
import { CloudMap, describeError, isPermanent, type Credentials } from './cloud-map.ts';
import { DockerSide } from './docker.ts';
import { ATTRIBUTE, readLabels, type ContainerView } from './labels.ts';
import { instanceKey, plan, type Owned, type Plan, type Resolved } from './planner.ts';

export interface AgentOptions {
  /** Cloud Map API endpoint, e.g. cairn's http://cairn:8080; undefined: AWS Cloud Map. */
  endpoint?: string;
  region: string;
  credentials?: Credentials;
  dockerSocket: string;
  /** The mark on the instances this agent owns; default: the Docker engine's ID. */
  agentId?: string;
  /** Namespace of containers without a `cairn.namespace` label. */
  namespace?: string;
  /** Only containers with this label (KEY or KEY=VALUE) are looked at: several agents on one host, one per stack. */
  onlyLabel?: string;
  resyncIntervalMs: number;
  callTimeoutMs: number;
  backoff?: Backoff;
  log: Log;
}

export interface Agent {
  readonly agentId: string;
  /** Stops watching and working; the registered instances stay (the next start reconciles them). */
  stop(): Promise<void>;
}

/** Starts the agent once the Docker engine has told its ID (retrying while it is away). */
export async function runAgent(o: AgentOptions): Promise<Agent> {
  const backoff = o.backoff ?? defaultBackoff;
  const docker = new DockerSide(o.dockerSocket, o.onlyLabel);
  const stopping = new AbortController();
  let agentId = o.agentId;
  for (let failures = 0; agentId === undefined; failures++) {
    try {
      agentId = await docker.hostId();
    } catch (e) {
      if (failures === 0) o.log.warn({ error: (e as Error).message, socket: o.dockerSocket }, 'waiting for the Docker engine');
      await backoffWait(backoff, failures, stopping.signal);
    }
  }
  const cloud = new CloudMap({
    endpoint: o.endpoint,
    region: o.region,
    credentials: o.credentials,
    callTimeoutMs: o.callTimeoutMs,
    log: o.log,
  });
  const worker = new Worker(agentId, o, docker, cloud, backoff, stopping.signal);
  const watching = docker.watch(
    { connected: () => worker.reconcileSoon(), changed: (id) => worker.look(id) },
    stopping.signal,
    backoff,
    o.log,
  );
  const resync = setInterval(() => worker.reconcileSoon(), o.resyncIntervalMs);
  const working = worker.run();
  o.log.info({ agentId, endpoint: o.endpoint ?? 'AWS Cloud Map', socket: o.dockerSocket }, 'agent started');
  return {
    agentId,
    stop: async () => {
      clearInterval(resync);
      stopping.abort();
      await Promise.all([watching, working]);
      cloud.close();
    },
  };
}

class Worker {
  /** The instances this agent has registered, by service/instance key. */
  private registered = new Map<string, Owned>();
  private readonly dirty = new Set<string>();
  private full = true;
  private wake: (() => void) | undefined;
  /** The last problem logged per container, so each is one line and not one per retry. */
  private readonly reported = new Map<string, string>();
  private outageSince: number | undefined;

  private readonly agentId: string;
  private readonly o: AgentOptions;
  private readonly docker: DockerSide;
  private readonly cloud: CloudMap;
  private readonly backoff: Backoff;
  private readonly signal: AbortSignal;

  constructor(agentId: string, o: AgentOptions, docker: DockerSide, cloud: CloudMap, backoff: Backoff, signal: AbortSignal) {
    this.agentId = agentId;
    this.o = o;
    this.docker = docker;
    this.cloud = cloud;
    this.backoff = backoff;
    this.signal = signal;
    // Stopping ends the wait for work, so run() returns.
    signal.addEventListener('abort', () => this.wake?.(), { once: true });
  }

  look(containerId: string): void {
    this.dirty.add(containerId);
    this.wake?.();
  }

  reconcileSoon(): void {
    this.full = true;
    this.wake?.();
  }

  async run(): Promise<void> {
    let failures = 0;
    while (!this.signal.aborted) {
      if (!this.full && this.dirty.size === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      try {
        if (this.full) {
          this.full = false;
          this.dirty.clear(); // the reconcile below reads every container after this moment
          await this.reconcile();
        } else {
          const ids = [...this.dirty];
          this.dirty.clear();
          for (const id of ids) await this.syncOne(id);
        }
        failures = 0;
        if (this.outageSince !== undefined) this.o.log.info({ afterMs: Date.now() - this.outageSince }, 'caught up after the outage');
        this.outageSince = undefined;
      } catch (e) {
        if (this.signal.aborted) return;
        this.full = true; // whatever was in flight, the next round reconciles everything
        if (this.outageSince === undefined) {
          this.outageSince = Date.now();
          this.o.log.warn({ error: describeError(e) }, 'cannot reach Docker or Cloud Map; retrying with backoff');
        } else this.o.log.debug({ error: describeError(e) }, 'still failing');
        await backoffWait(this.backoff, failures++, this.signal);
      }
    }
  }

  private async reconcile(): Promise<void> {
    const containers = await this.docker.listLabelled();
    const { owned, taken } = await this.cloud.listAll(this.agentId);
    const desired: Resolved[] = [];
    for (const c of containers) {
      const d = await this.resolve(c);
      if (d !== undefined) desired.push(d);
    }
    const running = new Set(containers.map((c) => c.id));
    for (const id of this.reported.keys()) if (!running.has(id)) this.reported.delete(id);
    this.registered = new Map(owned.map((i) => [instanceKey(i.serviceId, i.instanceId), i]));
    const p = plan(desired, owned, taken);
    this.o.log.debug(
      { containers: containers.length, owned: owned.length, register: p.register.length, deregister: p.deregister.length },
      'reconciled',
    );
    await this.apply(p);
  }

  private async syncOne(containerId: string): Promise<void> {
    const view = await this.docker.inspect(containerId);
    if (view?.running !== true) this.reported.delete(containerId);
    const d = view?.running === true ? await this.resolve(view) : undefined;
    const owned = [...this.registered.values()].filter((i) => i.containerId === containerId);
    const taken = new Map<string, string>();
    if (d !== undefined) {
      const key = instanceKey(d.serviceId, d.instanceId);
      const have = this.registered.get(key);
      if (have !== undefined && have.containerId !== containerId)
        taken.set(key, `container ${have.attributes[ATTRIBUTE.container] ?? have.containerId}`);
      else if (have === undefined) {
        // Not registered by this agent as far as it knows: look, so that someone else's instance is left alone.
        const attributes = await this.cloud.getInstance(d.serviceId, d.instanceId);
        if (attributes?.[ATTRIBUTE.agent] === this.agentId) owned.push({ serviceId: d.serviceId, instanceId: d.instanceId, attributes });
        else if (attributes !== undefined)
          taken.set(
            key,
            attributes[ATTRIBUTE.agent] !== undefined ? `agent ${attributes[ATTRIBUTE.agent]}` : 'an instance not registered by an agent',
          );
      }
    }
    await this.apply(plan(d !== undefined ? [d] : [], owned, taken));
  }

  /** The container's wish with its service looked up, or undefined (nothing to register; a problem is logged). */
  private async resolve(c: ContainerView): Promise<Resolved | undefined> {
    const r = readLabels(c, { agentId: this.agentId, namespace: this.o.namespace });
    if (r === undefined) return undefined;
    if (!r.ok) return this.report(c.id, c.name, r.error);
    const ref = await this.cloud.resolve(r.desired.namespace, r.desired.service);
    if (ref instanceof Error) return this.report(c.id, c.name, ref.message);
    return { ...r.desired, ...ref };
  }

  private async apply(p: Plan): Promise<void> {
    for (const i of p.deregister) {
      await this.cloud.deregister(i.serviceId, i.instanceId);
      this.registered.delete(instanceKey(i.serviceId, i.instanceId));
      this.o.log.info({ instance: i.instanceId, serviceId: i.serviceId }, 'deregistered');
    }
    for (const { desired: d, attributes } of p.register) {
      try {
        await this.cloud.register(d.serviceId, d.instanceId, attributes);
      } catch (e) {
        if (!isPermanent(e)) throw e;
        this.report(d.containerId, d.containerName, `Cloud Map refused the registration: ${describeError(e)}`);
        continue;
      }
      const health = attributes.AWS_INIT_HEALTH_STATUS;
      this.registered.set(instanceKey(d.serviceId, d.instanceId), {
        serviceId: d.serviceId,
        instanceId: d.instanceId,
        containerId: d.containerId,
        attributes,
        ...(health === 'HEALTHY' || health === 'UNHEALTHY' ? { health } : {}),
      });
      this.reported.delete(d.containerId);
      const address = `${attributes.AWS_INSTANCE_IPV4 ?? attributes.AWS_INSTANCE_IPV6}${attributes.AWS_INSTANCE_PORT !== undefined ? `:${attributes.AWS_INSTANCE_PORT}` : ''}`;
      this.o.log.info(
        { container: d.containerName, instance: d.instanceId, service: `${d.service}.${d.namespace}`, address, health },
        'registered',
      );
    }
    for (const { desired: d, status } of p.health) {
      try {
        await this.cloud.setHealth(d.serviceId, d.instanceId, status);
      } catch (e) {
        if (!isPermanent(e)) throw e;
        this.report(d.containerId, d.containerName, `Cloud Map refused the health update: ${describeError(e)}`);
        continue;
      }
      const have = this.registered.get(instanceKey(d.serviceId, d.instanceId));
      if (have !== undefined) have.health = status;
      this.o.log.info({ container: d.containerName, instance: d.instanceId, service: `${d.service}.${d.namespace}`, status }, 'health');
    }
    for (const c of p.conflicts) this.report(c.desired.containerId, c.desired.containerName, c.error);
  }

  private report(containerId: string, name: string, error: string): undefined {
    if (this.reported.get(containerId) === error) return undefined;
    this.reported.set(containerId, error);
    this.o.log.warn({ container: name }, `container ${name}: ${error}; nothing registered for it`);
    return undefined;
  }
}
