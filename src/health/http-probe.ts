// HTTP and HTTPS checks: `GET <ResourcePath>` with `Host: <service>.<namespace>`; healthy when the status
// is 2xx or 3xx before the timeout (which covers connecting and the response head). HTTPS does not verify
// the certificate, as Route 53 does not. The body is never read.
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { probeOnce, type Probe } from './probe.ts';
import type { ProbeTarget } from './targets.ts';

type Requester = (
  options: RequestOptions & { rejectUnauthorized?: boolean; servername?: string },
  callback: (res: IncomingMessage) => void,
) => ClientRequest;

const httpishProbe =
  (request: Requester, tls: boolean): Probe =>
  (target, signal) =>
    probeOnce(signal, (done) => {
      const req = request(requestOptions(target, tls), (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        done(status >= 200 && status < 400);
      });
      req.once('error', () => done(false));
      req.end();
      return req;
    });

function requestOptions(target: ProbeTarget, tls: boolean): RequestOptions & { rejectUnauthorized?: boolean; servername?: string } {
  return {
    host: target.host,
    port: target.port,
    method: 'GET',
    path: target.path,
    headers: { host: target.hostHeader, 'user-agent': 'cairn-health-check', connection: 'close' },
    // One connection per probe: a pooled socket would hide an instance that stopped accepting.
    agent: false,
    ...(tls ? { rejectUnauthorized: false, servername: target.hostHeader } : {}),
  };
}

export const httpProbe: Probe = httpishProbe(httpRequest, false);
export const httpsProbe: Probe = httpishProbe(httpsRequest, true);
