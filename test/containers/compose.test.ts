// docker-compose.yml as a user runs it (Compose v1, `docker-compose`): `up -d` gives a working stack — Redis
// with AOF, two replicas, the agent, the example web container registered by its labels and found by name
// from the client, whose resolver is cairn — and `down -v` removes it. The project, subnet and host ports are
// the run's own, through the variables the compose file documents.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { DiscoverInstancesCommand, type ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { aRecords, dnsQuery, docker, dockerOk } from '../../bench/lib/docker.ts';
import { freePort } from '../../bench/lib/ports.ts';
import { eventually } from '../support/eventually.ts';
import { sdkClient } from '../support/server.ts';
import { repoRoot } from './support/global.ts';

const project = `cairntest${inject('runId')}`;
let env: NodeJS.ProcessEnv;
let subnet: string;
let apiPort: number;
let dnsPort: number;
let client: ServiceDiscoveryClient | undefined;

const compose = (args: string[], timeoutMs = 60_000) =>
  docker(['-p', project, ...args], { command: 'docker-compose', cwd: repoRoot, env, timeoutMs });
const composeOk = async (args: string[], timeoutMs = 60_000) => {
  const r = await compose(args, timeoutMs);
  if (r.code !== 0)
    throw new Error(`docker-compose ${args.join(' ')} exited ${r.code}: ${r.stderr.trim().split('\n').slice(-8).join(' | ')}`);
  return r.stdout;
};

/** A /24 under 172.30 that no Docker network uses, as its first three octets. */
async function freeSubnet(): Promise<string> {
  const used = await dockerOk([
    'network',
    'inspect',
    '-f',
    '{{range .IPAM.Config}}{{.Subnet}} {{end}}',
    ...(await dockerOk(['network', 'ls', '-q'])).split('\n'),
  ]);
  for (let third = 100 + Math.floor(Math.random() * 100); third < 255; third++) {
    const prefix = `172.30.${third}`;
    if (!used.includes(`${prefix}.`) && !used.includes('172.30.0.0/16')) return prefix;
  }
  throw new Error('no free /24 under 172.30');
}

beforeAll(async () => {
  subnet = await freeSubnet();
  apiPort = await freePort();
  dnsPort = await freePort();
  env = {
    ...process.env,
    CAIRN_IMAGE: inject('image'),
    CAIRN_SUBNET: subnet,
    CAIRN_API_PORT: String(apiPort),
    CAIRN_DNS_PORT: String(dnsPort),
  };
  await composeOk(['up', '-d'], 240_000);
  client = sdkClient(`http://127.0.0.1:${apiPort}`);
}, 300_000);

afterAll(async () => {
  client?.destroy();
  await compose(['down', '-v', '--remove-orphans'], 120_000);
});

describe('docker-compose up -d', () => {
  it('lets the client find the example web container by its short name, answered by cairn', async () => {
    const webIp = (await composeOk(['exec', '-T', 'example-web', 'hostname', '-i'])).trim();
    const answer = await eventually(
      async () => {
        const out = await composeOk(['exec', '-T', 'example-client', 'nslookup', 'web']);
        expect(out).toContain('Name:\tweb.kouzie.com');
        expect(out).toContain(`Address: ${webIp}`);
        return out;
      },
      10_000,
      250,
    );
    expect(answer).toContain('web.kouzie.com');
    // Straight from each replica (the client's `dns:` lists both), and the name works for a real request.
    for (const replica of ['11', '12']) {
      expect(await composeOk(['exec', '-T', 'example-client', 'nslookup', 'web.kouzie.com', `${subnet}.${replica}`])).toContain(
        `Address: ${webIp}`,
      );
    }
    expect(await composeOk(['exec', '-T', 'example-client', 'wget', '-q', '-O', '-', 'http://web/'])).toMatch(/^hello from /);
  });

  it("registers the web container with its labels' attributes and custom health from its HEALTHCHECK", async () => {
    const webIp = (await composeOk(['exec', '-T', 'example-web', 'hostname', '-i'])).trim();
    const found = await eventually(
      async () => {
        const { Instances } = await client!.send(
          new DiscoverInstancesCommand({ NamespaceName: 'kouzie.com', ServiceName: 'web', HealthStatus: 'HEALTHY' }),
        );
        expect(Instances).toHaveLength(1);
        return Instances![0]!;
      },
      15_000,
      250,
    );
    expect(found.InstanceId).toBe(`${project}_example-web_1`);
    expect(found.Attributes).toMatchObject({
      AWS_INSTANCE_IPV4: webIp,
      AWS_INSTANCE_PORT: '80',
      stage: 'example',
      'cairn.image': 'busybox:stable',
    });
    // cairn-1's DNS as published on the host's loopback.
    expect(aRecords(await dnsQuery('127.0.0.1', dnsPort, 'web.kouzie.com'))).toEqual([webIp]);
  });

  it('runs Redis with AOF and both replicas healthy', async () => {
    expect(await composeOk(['exec', '-T', 'redis', 'redis-cli', 'config', 'get', 'appendonly'])).toContain('yes');
    const ps = await composeOk(['ps']);
    expect(ps).toMatch(new RegExp(`${project}_cairn-1_1 .* Up \\(healthy\\)`));
    expect(ps).toMatch(new RegExp(`${project}_cairn-2_1 .* Up \\(healthy\\)`));
    expect(ps).toMatch(new RegExp(`${project}_setup_1 .* Exit 0`));
  });
});
