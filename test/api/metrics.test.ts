// GET /metrics on the API port and on a listener of its own, and the API's request metrics: requests by
// operation and status, timed by operation, with label values a client cannot add to.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { CreateServiceCommand, GetNamespaceCommand, ListNamespacesCommand } from '@aws-sdk/client-servicediscovery';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { moved, scrape, type Scrape } from '../support/prometheus.ts';
import { rawCall, startTestServer, type TestServer } from '../support/server.ts';

const TARGET = 'Route53AutoNaming_v20170314';
const labelValues = (s: Scrape, name: string, label: string): Set<string> => new Set(s.all(name).map((x) => x.labels[label]!));

describe('API request metrics', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('counts requests by operation and HTTP status (errors too) and times them by operation', async () => {
    const before = await scrape(t.endpoint);
    await t.client.send(new ListNamespacesCommand({}));
    await t.client.send(new ListNamespacesCommand({}));
    await expect(t.client.send(new GetNamespaceCommand({ Id: 'ns-doesnotexist0000' }))).rejects.toMatchObject({
      name: 'NamespaceNotFound',
    });
    await expect(t.client.send(new CreateServiceCommand({ Name: 'x', NamespaceId: 'ns-doesnotexist0000' }))).rejects.toMatchObject({
      name: 'NamespaceNotFound',
    });
    expect((await rawCall(t.endpoint, `${TARGET}.ListServices`, '{not json')).status).toBe(400);
    expect((await rawCall(t.endpoint, `${TARGET}.ListServices`, 'x'.repeat(1024 * 1024 + 1))).status).toBe(413);
    expect((await rawCall(t.endpoint, `${TARGET}.NoSuchOperation`, '{}')).status).toBe(400);
    expect((await fetch(`${t.endpoint}/nowhere`)).status).toBe(404);
    expect((await fetch(`${t.endpoint}/healthz`)).status).toBe(200);
    const after = await scrape(t.endpoint);

    const r = 'cairn_api_requests_total';
    expect(after.types.get(r)).toBe('counter');
    expect(moved(before, after, r, { operation: 'ListNamespaces', code: '200' })).toBe(2);
    expect(moved(before, after, r, { operation: 'GetNamespace', code: '400' })).toBe(1);
    expect(moved(before, after, r, { operation: 'CreateService', code: '400' })).toBe(1);
    expect(moved(before, after, r, { operation: 'ListServices', code: '400' })).toBe(1);
    expect(moved(before, after, r, { operation: 'ListServices', code: '413' })).toBe(1);
    expect(moved(before, after, r, { operation: 'unknown', code: '400' })).toBe(1);
    expect(moved(before, after, r, { operation: 'unknown', code: '404' })).toBe(1);
    expect(moved(before, after, r, { operation: '/healthz', code: '200' })).toBe(1);
    // The scrape before this one counted itself once it was answered.
    expect(moved(before, after, r, { operation: '/metrics', code: '200' })).toBe(1);

    const h = 'cairn_api_request_seconds';
    expect(after.types.get(h)).toBe('histogram');
    expect(moved(before, after, `${h}_count`, { operation: 'ListNamespaces' })).toBe(2);
    expect(moved(before, after, `${h}_bucket`, { operation: 'ListNamespaces', le: '+Inf' })).toBe(2);
    expect(moved(before, after, `${h}_sum`, { operation: 'ListNamespaces' })).toBeGreaterThan(0);
    expect(moved(before, after, `${h}_count`, { operation: 'unknown' })).toBe(2);
  });

  it('adds no label value for 1,000 requests with random X-Amz-Target values beyond `unknown`', async () => {
    await rawCall(t.endpoint, 'nonsense', '{}'); // `unknown` exists before
    const before = await scrape(t.endpoint);
    const random = (): string => {
      const r = randomBytes(12).toString('base64url');
      const shapes = [
        r,
        `${TARGET}.${r}`,
        `${TARGET}.ListNamespaces${r}`,
        `x.${TARGET}.ListNamespaces`,
        `${r}.ListNamespaces`,
        `${TARGET}.`,
      ];
      return shapes[r.charCodeAt(0) % shapes.length]!;
    };
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, () => rawCall(t.endpoint, random(), '{}')));
    }
    const after = await scrape(t.endpoint);
    const r = 'cairn_api_requests_total';
    expect(labelValues(after, r, 'operation')).toEqual(labelValues(before, r, 'operation'));
    expect(labelValues(after, 'cairn_api_request_seconds_count', 'operation')).toEqual(
      labelValues(before, 'cairn_api_request_seconds_count', 'operation'),
    );
    expect(moved(before, after, r, { operation: 'unknown', code: '400' })).toBe(1000);
  });
});

describe('GET /metrics with --credentials', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ flags: ['--credentials', 'AKIDCAIRN:s3cret'] });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers without a signature, while an unsigned API call is refused', async () => {
    const res = await rawCall(t.endpoint, `${TARGET}.ListNamespaces`, '{}');
    expect(res.status).toBe(403);
    const s = await scrape(t.endpoint);
    expect(s.value('cairn_api_requests_total', { operation: 'ListNamespaces', code: '403' })).toBe(1);
    expect(s.value('cairn_store_up')).toBe(1);
  });
});

describe('GET /metrics on a listener of its own (--metrics-port)', () => {
  let t: TestServer;
  let base: string;
  beforeAll(async () => {
    t = await startTestServer({ flags: ['--metrics-port', '0'] });
    const a = t.server.metricsAddress!;
    base = `http://${a.host}:${a.port}`;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('serves every family there, on --metrics-host (loopback by default), and nothing else', async () => {
    expect(t.server.metricsAddress).toMatchObject({ host: '127.0.0.1' });
    expect(t.server.metricsAddress!.port).not.toBe(t.server.apiAddress.port);
    await t.client.send(new ListNamespacesCommand({}));
    const s = await scrape(base);
    expect(s.value('cairn_api_requests_total', { operation: 'ListNamespaces', code: '200' })).toBe(1);
    for (const name of [
      'cairn_catalog_revision',
      'cairn_store_up',
      'cairn_dns_tcp_connections',
      'cairn_health_checked_instances',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
    ])
      expect(s.value(name), name).toBeTypeOf('number');
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(404);
  });

  it('leaves the API port: /metrics there is not found', async () => {
    const res = await fetch(`${t.endpoint}/metrics`);
    expect(res.status).toBe(404);
  });

  it('stops with the server', async () => {
    const other = await startTestServer({ flags: ['--metrics-port', '0'] });
    const a = other.server.metricsAddress!;
    await other.stop();
    await expect(fetch(`http://${a.host}:${a.port}/metrics`)).rejects.toThrow();
  });
});

describe('the separate /metrics listener under the API bounds', () => {
  let t: TestServer;
  let port: number;
  beforeAll(async () => {
    t = await startTestServer({ flags: ['--metrics-port', '0', '--api-max-connections', '2', '--api-headers-timeout', '300ms'] });
    port = t.server.metricsAddress!.port;
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** A connection to the listener, and the ms after which the server closed it. */
  const open = async (): Promise<{ socket: Socket; closedAfter: Promise<number> }> => {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const t0 = Date.now();
    const closedAfter = new Promise<number>((r) => socket.once('close', () => r(Date.now() - t0)));
    socket.on('error', () => undefined);
    socket.resume();
    return { socket, closedAfter };
  };

  it('closes a connection beyond --api-max-connections at once, and one whose headers do not come in time', async () => {
    const slow = await open();
    slow.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n'); // never finished
    const idle = await open();
    const refused = await open();
    expect(await refused.closedAfter).toBeLessThan(500);
    expect(await slow.closedAfter).toBeLessThan(2000);
    idle.socket.destroy();
  });
});
