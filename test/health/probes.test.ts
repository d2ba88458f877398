import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe, httpsProbe } from '../../src/health/http-probe.ts';
import type { Probe } from '../../src/health/probe.ts';
import type { ProbeTarget } from '../../src/health/targets.ts';
import { tcpProbe } from '../../src/health/tcp-probe.ts';
import { httpListener, selfSignedCert, tcpListener, type HttpListener, type TcpListener } from './listeners.ts';

const target = (port: number, over: Partial<ProbeTarget> = {}): ProbeTarget => ({
  key: 'srv-1/i-1',
  serviceId: 'srv-1',
  instanceId: 'i-1',
  registeredAt: 1,
  type: 'TCP',
  host: '127.0.0.1',
  port,
  path: '/health',
  hostHeader: 'web.example.local',
  failureThreshold: 1,
  ...over,
});

/** Runs a probe with the scheduler's contract: aborted after `timeoutMs`. */
async function probe(p: Probe, t: ProbeTarget, timeoutMs = 500): Promise<{ healthy: boolean; ms: number }> {
  const c = new AbortController();
  const timer = setTimeout(() => c.abort(), timeoutMs);
  const started = Date.now();
  const healthy = await p(t, c.signal);
  clearTimeout(timer);
  return { healthy, ms: Date.now() - started };
}

describe('TCP probe', () => {
  let tcp: TcpListener;
  beforeAll(async () => {
    tcp = await tcpListener();
  });
  afterAll(async () => {
    await tcp.close();
  });

  it('is healthy when a connection opens, unhealthy when it is refused, and healthy again on reopen', async () => {
    expect((await probe(tcpProbe, target(tcp.port))).healthy).toBe(true);
    await tcp.close();
    expect((await probe(tcpProbe, target(tcp.port))).healthy).toBe(false);
    await tcp.reopen();
    expect((await probe(tcpProbe, target(tcp.port))).healthy).toBe(true);
  });

  it('settles unhealthy as soon as it is aborted (a signal already aborted, too)', async () => {
    const c = new AbortController();
    c.abort();
    expect(await tcpProbe(target(tcp.port), c.signal)).toBe(false);
  });
});

describe('HTTP and HTTPS probes', () => {
  let http: HttpListener;
  let https: HttpListener;
  beforeAll(async () => {
    http = await httpListener();
    https = await httpListener(selfSignedCert());
  });
  afterAll(async () => {
    await http.close();
    await https.close();
  });

  it.each([
    { status: 200, healthy: true },
    { status: 204, healthy: true },
    { status: 301, healthy: true },
    { status: 399, healthy: true },
    { status: 400, healthy: false },
    { status: 404, healthy: false },
    { status: 500, healthy: false },
    { status: 503, healthy: false },
  ])('HTTP status $status is healthy: $healthy', async ({ status, healthy }) => {
    http.status = status;
    expect((await probe(httpProbe, target(http.port, { type: 'HTTP' }))).healthy).toBe(healthy);
  });

  it('sends GET <ResourcePath> with Host: <service>.<namespace>', async () => {
    http.status = 200;
    http.requests.length = 0;
    await probe(httpProbe, target(http.port, { type: 'HTTP', path: '/ready?x=1' }));
    expect(http.requests).toEqual([expect.objectContaining({ method: 'GET', url: '/ready?x=1', host: 'web.example.local' })]);
  });

  it('accepts a self-signed certificate over HTTPS and judges by status', async () => {
    https.status = 200;
    expect((await probe(httpsProbe, target(https.port, { type: 'HTTPS' }))).healthy).toBe(true);
    https.status = 500;
    expect((await probe(httpsProbe, target(https.port, { type: 'HTTPS' }))).healthy).toBe(false);
    expect(https.requests.at(-1)).toMatchObject({ url: '/health', host: 'web.example.local' });
  });

  it('is unhealthy when TLS is spoken to a plain HTTP port', async () => {
    expect((await probe(httpsProbe, target(http.port, { type: 'HTTPS' }))).healthy).toBe(false);
  });

  it('is unhealthy when the answer comes after the timeout, and gives up at the timeout', async () => {
    http.status = 200;
    http.delayMs = 400;
    const r = await probe(httpProbe, target(http.port, { type: 'HTTP' }), 100);
    http.delayMs = 0;
    expect(r.healthy).toBe(false);
    expect(r.ms).toBeLessThan(300);
  });

  it('is unhealthy when nothing listens', async () => {
    const gone = await httpListener();
    await gone.close();
    expect((await probe(httpProbe, target(gone.port, { type: 'HTTP' }))).healthy).toBe(false);
  });
});
