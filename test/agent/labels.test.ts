// The agent's label rules, table by table: label sets in, the registration or one clear error out.
import { describe, expect, it } from 'vitest';
import { readLabels, type ContainerView } from '../../src/agent/index.ts';

const container = (over: Partial<ContainerView> = {}): ContainerView => ({
  id: 'c0ffee',
  name: 'web-1',
  image: 'nginx:1',
  running: true,
  labels: { 'cairn.service': 'web' },
  networks: [{ name: 'front', ipv4: '172.20.0.5' }],
  ...over,
});
const defaults = { agentId: 'host-a', namespace: 'kouzie.com' };
const own = { 'cairn.agent': 'host-a', 'cairn.container': 'web-1', 'cairn.container-id': 'c0ffee', 'cairn.image': 'nginx:1' };

describe('labels that ask for a registration', () => {
  it.each<[string, Partial<ContainerView>, object]>([
    [
      'the minimum: service, default namespace, the only network',
      {},
      { namespace: 'kouzie.com', service: 'web', instanceId: 'web-1', attributes: { AWS_INSTANCE_IPV4: '172.20.0.5', ...own } },
    ],
    [
      'namespace, port, instance id and attributes from labels',
      {
        labels: {
          'cairn.service': 'web',
          'cairn.namespace': 'other.test',
          'cairn.port': '8080',
          'cairn.instance-id': 'w1',
          'cairn.attributes.stage': 'beta',
          'cairn.attributes.version': '1.0',
        },
      },
      {
        namespace: 'other.test',
        instanceId: 'w1',
        attributes: { AWS_INSTANCE_IPV4: '172.20.0.5', AWS_INSTANCE_PORT: '8080', stage: 'beta', version: '1.0', ...own },
      },
    ],
    [
      'cairn.network picks the address among several networks',
      {
        labels: { 'cairn.service': 'web', 'cairn.network': 'back' },
        networks: [
          { name: 'front', ipv4: '172.20.0.5' },
          { name: 'back', ipv4: '10.9.0.7' },
        ],
      },
      { attributes: { AWS_INSTANCE_IPV4: '10.9.0.7', ...own } },
    ],
    [
      "cairn.network without compose's project prefix",
      {
        labels: { 'cairn.service': 'web', 'cairn.network': 'back', 'com.docker.compose.project': 'shop' },
        networks: [
          { name: 'shop_front', ipv4: '172.20.0.5' },
          { name: 'shop_back', ipv4: '10.9.0.7' },
        ],
      },
      { attributes: { AWS_INSTANCE_IPV4: '10.9.0.7', ...own } },
    ],
    [
      'an IPv6 address too',
      { networks: [{ name: 'front', ipv4: '172.20.0.5', ipv6: 'fd00::5' }] },
      { attributes: { AWS_INSTANCE_IPV4: '172.20.0.5', AWS_INSTANCE_IPV6: 'fd00::5', ...own } },
    ],
    [
      'a networkless container that is on one network with an address',
      { networks: [{ name: 'none' }, { name: 'front', ipv4: '172.20.0.5' }] },
      { attributes: { AWS_INSTANCE_IPV4: '172.20.0.5', ...own } },
    ],
    ['a healthy container', { health: 'healthy' }, { health: 'HEALTHY' }],
    ['a starting container counts as unhealthy', { health: 'starting' }, { health: 'UNHEALTHY' }],
    ['an unhealthy container', { health: 'unhealthy' }, { health: 'UNHEALTHY' }],
    [
      'port with leading zeros',
      { labels: { 'cairn.service': 'web', 'cairn.port': '0080' } },
      { attributes: { AWS_INSTANCE_IPV4: '172.20.0.5', AWS_INSTANCE_PORT: '80', ...own } },
    ],
  ])('%s', (_, over, expected) => {
    const r = readLabels(container(over), defaults);
    expect(r).toMatchObject({ ok: true, desired: { containerId: 'c0ffee', containerName: 'web-1', service: 'web', ...expected } });
    if (r?.ok === true && !('health' in expected)) expect(r.desired.health).toBeUndefined();
  });

  it('is not the agent’s business without cairn.service', () => {
    expect(readLabels(container({ labels: { 'com.example': 'x', 'cairn.port': '80' } }), defaults)).toBeUndefined();
  });
});

describe('bad labels: one clear error, nothing registered', () => {
  it.each<[string, Partial<ContainerView>, string, object?]>([
    [
      'a port that is not a number',
      { labels: { 'cairn.service': 'web', 'cairn.port': 'http' } },
      "cairn.port 'http' is not a port number (1-65535)",
    ],
    ['port 0', { labels: { 'cairn.service': 'web', 'cairn.port': '0' } }, "cairn.port '0' is not a port number (1-65535)"],
    ['port 65536', { labels: { 'cairn.service': 'web', 'cairn.port': '65536' } }, "cairn.port '65536' is not a port number (1-65535)"],
    [
      'a named network the container is not on',
      { labels: { 'cairn.service': 'web', 'cairn.network': 'back' } },
      "cairn.network 'back': the container is not on that network (networks: front)",
    ],
    [
      'no address on the named network',
      { labels: { 'cairn.service': 'web', 'cairn.network': 'host' }, networks: [{ name: 'host' }] },
      "cairn.network 'host': no address on that network",
    ],
    ['no address anywhere (host networking)', { networks: [{ name: 'host' }] }, 'no address on any network (networks: host)'],
    ['no network at all', { networks: [] }, 'no address on any network (networks: none)'],
    [
      'several networks and no cairn.network',
      {
        networks: [
          { name: 'a', ipv4: '10.0.0.2' },
          { name: 'b', ipv4: '10.1.0.2' },
        ],
      },
      'on several networks (a, b): say whose address to register with cairn.network',
    ],
    ['no namespace anywhere', {}, 'no namespace: set cairn.namespace or start the agent with --namespace', { agentId: 'host-a' }],
    ['an empty service', { labels: { 'cairn.service': ' ' } }, 'cairn.service is empty'],
    [
      'an instance id Cloud Map refuses',
      { labels: { 'cairn.service': 'web', 'cairn.instance-id': 'a b' } },
      "instance id 'a b' is not a Cloud Map instance id",
    ],
    ['a container name too long for an instance id', { name: 'x'.repeat(65) }, 'is not a Cloud Map instance id'],
    ['a misspelt label', { labels: { 'cairn.service': 'web', 'cairn.prot': '80' } }, 'unknown label cairn.prot'],
    [
      'an attribute the agent sets itself',
      { labels: { 'cairn.service': 'web', 'cairn.attributes.AWS_INSTANCE_IPV4': '1.2.3.4' } },
      'cairn.attributes.AWS_INSTANCE_IPV4: the agent sets AWS_INSTANCE_IPV4 itself',
    ],
    [
      'the owner mark as an attribute',
      { labels: { 'cairn.service': 'web', 'cairn.attributes.cairn.agent': 'someone' } },
      'the agent sets cairn.agent itself',
    ],
    ['an attribute label without a key', { labels: { 'cairn.service': 'web', 'cairn.attributes.': 'x' } }, 'needs a key'],
  ])('%s', (_, over, error, d = defaults) => {
    const r = readLabels(container(over), d as typeof defaults);
    expect(r?.ok).toBe(false);
    if (r?.ok === false) expect(r.error).toContain(error);
  });
});
