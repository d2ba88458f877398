// The agent with real containers, a real engine and cairn in a container: labelled containers are registered
// on start and answered by DNS within 2 s, gone within 2 s of their end; bad labels are one line each; other
// instances are left alone; a restarted agent reconciles; health follows the HEALTHCHECK; and it catches up
// after losing Docker's event stream or Cloud Map. The agent runs in this process and reaches the engine
// through a socket relay the tests can cut.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DiscoverInstancesCommand,
  GetInstanceCommand,
  GetInstancesHealthStatusCommand,
  GetOperationCommand,
  ListInstancesCommand,
  RegisterInstanceCommand,
} from '@aws-sdk/client-servicediscovery';
import { runAgent, type Agent } from '../../src/agent/index.ts';
import { aRecords, containerIp, dnsQuery, dockerOk } from '../../bench/lib/docker.ts';
import { eventually } from '../support/eventually.ts';
import { Stack } from './support/stack.ts';

const stack = new Stack();
const NS = 'agent.test';
let network: string;
let cairn: Awaited<ReturnType<Stack['cairn']>>;
let web: string; // service ids
let plain: string;
let agent: Agent | undefined;
let relay: Relay;
let dir: string;
const lines: { level: string; msg: string; container?: string }[] = [];

/** A Unix socket that forwards to the engine's, and can be cut (every connection closed, the socket gone) and restored. */
class Relay {
  private server: net.Server | undefined;
  private readonly open = new Set<net.Socket>();
  readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  async up(): Promise<void> {
    this.server = net.createServer((client) => {
      const engine = net.connect('/var/run/docker.sock');
      for (const s of [client, engine]) {
        this.open.add(s);
        s.on('close', () => this.open.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(engine).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.path, resolve));
  }
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server?.close(() => resolve()));
    for (const s of this.open) s.destroy();
    await closed;
  }
}

const log = (level: string) => (obj: object, msg: string) => lines.push({ level, msg, ...(obj as { container?: string }) });
const collect = { debug: () => undefined, info: log('info'), warn: log('warn'), error: log('error') };

async function startAgent(): Promise<Agent> {
  return runAgent({
    endpoint: cairn.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    dockerSocket: relay.path,
    agentId: `test-${stack.id}`,
    namespace: NS,
    onlyLabel: `cairn-test.file=${stack.id}`,
    resyncIntervalMs: 60_000,
    callTimeoutMs: 1000,
    backoff: { firstMs: 100, maxMs: 1000 },
    log: collect,
  });
}

/** A labelled busybox container on the test network (docker-init as PID 1, so it stops at once). */
const labelled = (what: string, labels: Record<string, string>, extra: string[] = [], cmd = ['sleep', '100000']) =>
  stack.start(what, [
    '--network',
    network,
    '--init',
    ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    ...extra,
    'busybox:stable',
    ...cmd,
  ]);

const discover = async (service: string): Promise<string[]> =>
  (
    (await cairn.client.send(new DiscoverInstancesCommand({ NamespaceName: NS, ServiceName: service, HealthStatus: 'ALL' }))).Instances ??
    []
  ).map((i) => i.InstanceId!);
const listed = async (serviceId: string): Promise<string[]> =>
  ((await cairn.client.send(new ListInstancesCommand({ ServiceId: serviceId }))).Instances ?? []).map((i) => i.Id!).sort();
const answered = async (service: string): Promise<string[]> => aRecords(await dnsQuery(cairn.ip, 53, `${service}.${NS}`)).sort();
const warnings = (container: string) => lines.filter((l) => l.level === 'warn' && l.container === container);

beforeAll(async () => {
  network = (await stack.network('agent')).name;
  cairn = await stack.cairn('cairn', [network]);
  const { OperationId } = await cairn.client.send(new CreatePublicDnsNamespaceCommand({ Name: NS }));
  const nsId = (await cairn.client.send(new GetOperationCommand({ OperationId }))).Operation!.Targets!.NAMESPACE!;
  const create = async (Name: string, records: ('A' | 'SRV')[], custom: boolean) =>
    (
      await cairn.client.send(
        new CreateServiceCommand({
          Name,
          NamespaceId: nsId,
          DnsConfig: { RoutingPolicy: 'MULTIVALUE', DnsRecords: records.map((Type) => ({ Type, TTL: 0 })) },
          ...(custom ? { HealthCheckCustomConfig: {} } : {}),
        }),
      )
    ).Service!.Id!;
  web = await create('web', ['A', 'SRV'], true);
  plain = await create('plain', ['A'], false);
  dir = mkdtempSync(join(tmpdir(), 'cairn-agent-'));
  relay = new Relay(join(dir, 'docker.sock'));
  await relay.up();
  agent = await startAgent();
});

afterAll(async () => {
  await agent?.stop();
  await relay?.cut();
  await stack.clean();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  lines.length = 0;
});

describe('the agent', () => {
  it('registers a labelled container when it starts: answered by DNS and DiscoverInstances within 2 s, with its attributes', async () => {
    const name = await labelled('web-a', { 'cairn.service': 'web', 'cairn.port': '80', 'cairn.attributes.stage': 'beta' });
    const started = Date.now();
    const ip = await containerIp(name, network);
    await eventually(async () => expect(await answered('web')).toContain(ip), 2000, 20);
    await eventually(async () => expect(await discover('web')).toContain(name), 2000, 20);
    expect(Date.now() - started).toBeLessThan(2000);
    const { Instance } = await cairn.client.send(new GetInstanceCommand({ ServiceId: web, InstanceId: name }));
    const id = await dockerOk(['inspect', '-f', '{{.Id}}', name]);
    expect(Instance?.Attributes).toEqual({
      AWS_INSTANCE_IPV4: ip,
      AWS_INSTANCE_PORT: '80',
      AWS_INIT_HEALTH_STATUS: undefined,
      stage: 'beta',
      'cairn.agent': `test-${stack.id}`,
      'cairn.container': name,
      'cairn.container-id': id,
      'cairn.image': 'busybox:stable',
    });
    const srv = await dnsQuery(cairn.ip, 53, `web.${NS}`, 'SRV');
    expect(srv?.answers?.map((a) => (a as { data: { port: number } }).data.port)).toContain(80);
  });

  it('deregisters a container within 2 s of its end: killed, stopped, removed', async () => {
    const names = await Promise.all(
      ['end-kill', 'end-stop', 'end-rm'].map((w) => labelled(w, { 'cairn.service': 'plain', 'cairn.instance-id': w })),
    );
    await eventually(async () => expect(await listed(plain)).toEqual(expect.arrayContaining(['end-kill', 'end-rm', 'end-stop'])), 3000, 20);
    const ends: string[][] = [
      ['kill', names[0]!],
      ['stop', '-t', '5', names[1]!],
      ['rm', '-f', names[2]!],
    ];
    for (const [i, cmd] of ends.entries()) {
      const instance = ['end-kill', 'end-stop', 'end-rm'][i]!;
      const address = await containerIp(names[i]!, network);
      expect(await answered('plain')).toContain(address);
      const before = Date.now();
      await dockerOk(cmd);
      await eventually(async () => expect(await listed(plain)).not.toContain(instance), 2000, 20);
      await eventually(async () => expect(await answered('plain')).not.toContain(address), 2000, 20);
      expect(Date.now() - before).toBeLessThan(2000);
    }
  });

  it('logs one line per container with bad labels, registers nothing for them, and keeps working', async () => {
    const bad = {
      port: await labelled('bad-port', { 'cairn.service': 'plain', 'cairn.port': 'http' }),
      service: await labelled('bad-service', { 'cairn.service': 'nope' }),
      network: await labelled('bad-network', { 'cairn.service': 'plain', 'cairn.network': 'elsewhere' }),
      none: await stack.start('bad-none', [
        '--network',
        'none',
        '--init',
        '--label',
        'cairn.service=plain',
        'busybox:stable',
        'sleep',
        '100000',
      ]),
    };
    const good = await labelled('after-bad', { 'cairn.service': 'plain' });
    await eventually(async () => expect(await listed(plain)).toContain(good), 3000, 20);
    await eventually(() => expect(Object.values(bad).every((c) => warnings(c).length > 0)).toBe(true), 3000, 20);
    // A reconcile (here after a lost event stream) looks at them all again: still one line each.
    await relay.cut();
    await relay.up();
    await eventually(() => expect(lines.some((l) => l.msg === 'the Docker event stream is back')).toBe(true), 3000, 20);
    await new Promise((r) => setTimeout(r, 300));
    expect(Object.fromEntries(Object.entries(bad).map(([k, c]) => [k, warnings(c).map((l) => l.msg)]))).toEqual({
      port: [`container ${bad.port}: cairn.port 'http' is not a port number (1-65535); nothing registered for it`],
      service: [
        `container ${bad.service}: service 'nope' does not exist in namespace '${NS}' (the agent registers into existing services; create it first); nothing registered for it`,
      ],
      network: [expect.stringContaining(`cairn.network 'elsewhere': the container is not on that network`)],
      none: [`container ${bad.none}: no address on any network (networks: none); nothing registered for it`],
    });
    expect(await listed(plain)).not.toEqual(expect.arrayContaining([bad.port, bad.network, bad.none]));
  });

  it("leaves alone instances it did not register, even one with a container's instance id", async () => {
    await cairn.client.send(
      new RegisterInstanceCommand({ ServiceId: plain, InstanceId: 'by-hand', Attributes: { AWS_INSTANCE_IPV4: cairn.ip } }),
    );
    await cairn.client.send(
      new RegisterInstanceCommand({ ServiceId: plain, InstanceId: 'taken', Attributes: { AWS_INSTANCE_IPV4: cairn.ip } }),
    );
    const name = await labelled('wants-taken', { 'cairn.service': 'plain', 'cairn.instance-id': 'taken' });
    await eventually(
      () =>
        expect(warnings(name).map((l) => l.msg)).toEqual([expect.stringContaining("instance 'taken' of service plain is already held by")]),
      3000,
      20,
    );
    await agent!.stop();
    agent = await startAgent(); // a reconcile, which deregisters whatever it owns without a container
    await new Promise((r) => setTimeout(r, 500));
    for (const id of ['by-hand', 'taken']) {
      const { Instance } = await cairn.client.send(new GetInstanceCommand({ ServiceId: plain, InstanceId: id }));
      expect(Instance?.Attributes).toEqual({ AWS_INSTANCE_IPV4: cairn.ip });
    }
  });

  it('reconciles after a restart: containers started while it was away are registered, ended ones deregistered', async () => {
    const before = await labelled('restart-old', { 'cairn.service': 'plain' });
    await eventually(async () => expect(await listed(plain)).toContain(before), 3000, 20);
    await agent!.stop();
    agent = undefined;
    const during = await labelled('restart-new', { 'cairn.service': 'plain' });
    await dockerOk(['rm', '-f', before]);
    await new Promise((r) => setTimeout(r, 200));
    expect(await listed(plain)).toContain(before); // nobody has told Cloud Map yet
    expect(await listed(plain)).not.toContain(during);
    agent = await startAgent();
    await eventually(
      async () => {
        const now = await listed(plain);
        expect(now).toContain(during);
        expect(now).not.toContain(before);
      },
      3000,
      20,
    );
  });

  it("turns the container's HEALTHCHECK into custom health: starting and unhealthy are UNHEALTHY, healthy is HEALTHY", async () => {
    const name = await labelled('health', { 'cairn.service': 'web', 'cairn.port': '80' }, [
      '--health-cmd',
      'test -f /tmp/ok',
      '--health-interval',
      '300ms',
      '--health-retries',
      '1',
    ]);
    const status = async () =>
      (await cairn.client.send(new GetInstancesHealthStatusCommand({ ServiceId: web, Instances: [name] }))).Status?.[name];
    await eventually(async () => expect(await status()).toBe('UNHEALTHY'), 3000, 20);
    await dockerOk(['exec', name, 'touch', '/tmp/ok']);
    await eventually(async () => expect(await status()).toBe('HEALTHY'), 3000, 20);
    const ip = await containerIp(name, network);
    expect(await answered('web')).toContain(ip);
    await dockerOk(['exec', name, 'rm', '/tmp/ok']);
    await eventually(async () => expect(await status()).toBe('UNHEALTHY'), 3000, 20);
    await dockerOk(['exec', name, 'touch', '/tmp/ok']);
    await eventually(async () => expect(await status()).toBe('HEALTHY'), 3000, 20);
  });

  it("catches up after losing Docker's event stream", async () => {
    const gone = await labelled('blip-gone', { 'cairn.service': 'plain' });
    await eventually(async () => expect(await listed(plain)).toContain(gone), 3000, 20);
    await relay.cut();
    const born = await labelled('blip-born', { 'cairn.service': 'plain' });
    await dockerOk(['rm', '-f', gone]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await listed(plain)).not.toContain(born);
    expect(lines.some((l) => l.level === 'warn' && l.msg.startsWith('lost the Docker event stream'))).toBe(true);
    await relay.up();
    await eventually(
      async () => {
        const now = await listed(plain);
        expect(now).toContain(born);
        expect(now).not.toContain(gone);
      },
      4000,
      20,
    );
  });

  it('retries while Cloud Map does not answer and catches up when it does', async () => {
    await dockerOk(['pause', cairn.name]);
    let paused = true;
    try {
      const name = await labelled('paused', { 'cairn.service': 'plain' });
      await eventually(() => expect(lines.some((l) => l.msg.startsWith('cannot reach Docker or Cloud Map'))).toBe(true), 5000, 50);
      await dockerOk(['unpause', cairn.name]);
      paused = false;
      await eventually(async () => expect(await listed(plain)).toContain(name), 5000, 50);
      expect(lines.some((l) => l.msg === 'caught up after the outage')).toBe(true);
    } finally {
      if (paused) await dockerOk(['unpause', cairn.name]);
    }
  });
});
