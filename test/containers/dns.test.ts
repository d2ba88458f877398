// Containers whose resolver is cairn (`--dns` with `--dns-search`, and a resolv.conf of their own): short names
// through the search list, SRV, names outside every namespace forwarded to --upstream (another cairn on the
// Docker network stands in for an upstream) or REFUSED without one, and a private namespace answered only to
// containers whose subnet is in its --vpc.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreatePrivateDnsNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  RegisterInstanceCommand,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { containerIp } from '../../bench/lib/docker.ts';
import { Stack } from './support/stack.ts';

const stack = new Stack();
let inside: { name: string; subnet: string };
let outside: { name: string; subnet: string };
let main: Awaited<ReturnType<Stack['cairn']>>;
let bare: Awaited<ReturnType<Stack['cairn']>>;
let mainOutsideIp: string;
let upstreamIp: string;
let dir: string;

async function namespace(client: ServiceDiscoveryClient, Name: string, Vpc?: string): Promise<string> {
  const { OperationId } = await (Vpc === undefined
    ? client.send(new CreatePublicDnsNamespaceCommand({ Name }))
    : client.send(new CreatePrivateDnsNamespaceCommand({ Name, Vpc })));
  const { Operation } = await client.send(new GetOperationCommand({ OperationId }));
  return Operation!.Targets!.NAMESPACE!;
}

async function service(
  client: ServiceDiscoveryClient,
  NamespaceId: string,
  Name: string,
  instances: Record<string, string>[],
): Promise<void> {
  const { Service } = await client.send(
    new CreateServiceCommand({
      Name,
      NamespaceId,
      DnsConfig: {
        RoutingPolicy: 'MULTIVALUE',
        DnsRecords: [
          { Type: 'A', TTL: 0 },
          { Type: 'SRV', TTL: 0 },
        ],
      },
    }),
  );
  for (const [i, Attributes] of instances.entries()) {
    await client.send(new RegisterInstanceCommand({ ServiceId: Service!.Id, InstanceId: `${Name}-${i + 1}`, Attributes }));
  }
}

/** Runs a Node one-liner in a node:24-slim container on `network` with extra docker flags; its stdout. */
async function node(network: string, script: string, flags: string[] = []): Promise<string> {
  const r = await stack.once(['--network', network, ...flags, 'node:24-slim', 'node', '-e', script]);
  if (r.code !== 0) throw new Error(`node in a container exited ${r.code}: ${r.out}`);
  return r.out.trim();
}

/** busybox nslookup in a container on `network` whose resolver is `server`, with `search` as its search list; its output. */
async function nslookup(network: string, server: string, search: string | undefined, ...args: string[]): Promise<string> {
  const searchFlags = search !== undefined ? ['--dns-search', search] : [];
  return (await stack.once(['--network', network, '--dns', server, ...searchFlags, 'busybox:stable', 'nslookup', ...args])).out;
}

/** Asks `server` directly (c-ares, no search list) for `name`; prints the addresses or the error code. */
const ask = (server: string, name: string, type = 'A') =>
  `const r = new (require('dns').promises.Resolver)({ timeout: 2000, tries: 1 }); r.setServers(['${server}']);` +
  `r.resolve('${name}', '${type}').then((a) => console.log(JSON.stringify(a)), (e) => console.log(e.code));`;

beforeAll(async () => {
  inside = await stack.network('vpc');
  outside = await stack.network('other');
  // The stand-in upstream: a cairn that holds outside.test, which the resolving cairn does not.
  const upstream = await stack.cairn('upstream', [inside.name]);
  upstreamIp = upstream.ip;
  await service(upstream.client, await namespace(upstream.client, 'outside.test'), 'www', [
    { AWS_INSTANCE_IPV4: upstream.ip, AWS_INSTANCE_PORT: '8080' },
  ]);
  main = await stack.cairn('main', [inside.name, outside.name], ['--upstream', upstream.ip, '--vpc', `vpc-inside=${inside.subnet}`]);
  mainOutsideIp = await containerIp(main.name, outside.name);
  bare = await stack.cairn('bare', [inside.name]);
  for (const c of [main, bare]) {
    const kouzie = await namespace(c.client, 'kouzie.com');
    await service(c.client, kouzie, 'backend', [{ AWS_INSTANCE_IPV4: c.ip, AWS_INSTANCE_PORT: '8080' }]);
  }
  const priv = await namespace(main.client, 'private.test', 'vpc-inside');
  await service(main.client, priv, 'db', [{ AWS_INSTANCE_IPV4: main.ip, AWS_INSTANCE_PORT: '8080' }]);
  dir = mkdtempSync(join(tmpdir(), 'cairn-resolv-'));
});

afterAll(async () => {
  await stack.clean();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('a container with --dns <cairn> --dns-search kouzie.com', () => {
  it('resolves a short name through the search list (busybox nslookup and the C library)', async () => {
    const out = await nslookup(inside.name, main.ip, 'kouzie.com', 'backend');
    expect(out).toContain('Name:\tbackend.kouzie.com');
    expect(out).toContain(`Address: ${main.ip}`);
    // getaddrinfo, as every program that opens a connection by name does.
    const libc = await node(inside.name, "require('dns').lookup('backend', { family: 4 }, (e, a) => console.log(e ? e.code : a))", [
      '--dns',
      main.ip,
      '--dns-search',
      'kouzie.com',
    ]);
    expect(libc).toBe(main.ip);
  });

  it('answers SRV for a short name through the search list', async () => {
    const out = await nslookup(inside.name, main.ip, 'kouzie.com', '-type=srv', 'backend');
    expect(out).toContain('backend.kouzie.com\tservice = 1 1 8080 backend-1.backend.kouzie.com');
  });

  it('gets names outside every namespace from the --upstream', async () => {
    const out = await nslookup(inside.name, main.ip, 'kouzie.com', 'www.outside.test');
    expect(out).toContain(`Address: ${upstreamIp}`);
    expect(await node(inside.name, ask(main.ip, 'www.outside.test'))).toBe(JSON.stringify([upstreamIp]));
  });

  it('gets REFUSED for them from a cairn without --upstream, and still its own names', async () => {
    expect(await node(inside.name, ask(bare.ip, 'www.outside.test'))).toBe('EREFUSED');
    expect(await node(inside.name, ask(bare.ip, 'backend.kouzie.com'))).toBe(JSON.stringify([bare.ip]));
    const out = await nslookup(inside.name, bare.ip, undefined, 'www.outside.test');
    expect(out).toContain('REFUSED');
  });
});

describe('a container with its own resolv.conf', () => {
  it('resolves short names and SRV through cairn with no Docker resolver in between', async () => {
    const conf = join(dir, 'resolv.conf');
    writeFileSync(conf, `nameserver ${main.ip}\nsearch kouzie.com\n`);
    const { out } = await stack.once([
      '--network',
      inside.name,
      '-v',
      `${conf}:/etc/resolv.conf:ro`,
      'busybox:stable',
      'sh',
      '-c',
      'cat /etc/resolv.conf; nslookup backend; nslookup -type=srv backend',
    ]);
    expect(out).not.toContain('127.0.0.11');
    expect(out).toContain(`Server:\t\t${main.ip}`);
    expect(out).toContain(`Address: ${main.ip}`);
    expect(out).toContain('service = 1 1 8080 backend-1.backend.kouzie.com');
  });
});

describe('a private namespace with --vpc vpc-inside=<subnet of one network>', () => {
  it('is answered to a container on that network', async () => {
    expect(await node(inside.name, ask(main.ip, 'db.private.test'))).toBe(JSON.stringify([main.ip]));
    const out = await nslookup(inside.name, main.ip, 'private.test', 'db');
    expect(out).toContain(`Address: ${main.ip}`);
  });

  it('is REFUSED to a container on another network, which still gets the public names', async () => {
    expect(await node(outside.name, ask(mainOutsideIp, 'db.private.test'))).toBe('EREFUSED');
    expect(await node(outside.name, ask(mainOutsideIp, 'backend.kouzie.com'))).toBe(JSON.stringify([main.ip]));
    const out = await nslookup(outside.name, mainOutsideIp, 'private.test', 'db');
    expect(out).not.toContain(`Address: ${main.ip}`);
  });
});
