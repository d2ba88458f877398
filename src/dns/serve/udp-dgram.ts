// UDP through node:dgram, where the native batching addon cannot be built: one message event and one
// send per datagram.
import type dgram from 'node:dgram';
import net from 'node:net';
import dns2 from 'dns2';
import type { Fail, Handler, Response } from './transport.ts';

export interface DgramUdp {
  port: number;
  close(): Promise<void>;
}

/** What dns2 3.x keeps in `server.servers` (untyped in its declarations). */
interface Dns2Servers { udp: dgram.Socket }

/** Binds `host:port` and answers every datagram with `handler`. */
export async function openDgramUdp(host: string, port: number, handler: Handler, fail: Fail): Promise<DgramUdp> {
  const server = dns2.createServer({ udp: { type: net.isIPv6(host) ? 'udp6' : 'udp4' } });
  const { udp } = (server as unknown as { servers: Pick<Dns2Servers, 'udp'> }).servers;
  server.on('error', (err: Error, transport: string) => fail(err, `dns ${transport} socket error`));
  udp.removeAllListeners('message');
  udp.on('message', udpHandler(udp, handler, fail));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, host, () => { udp.off('error', reject); resolve(); });
  });
  // Bursts of queries should queue in the kernel, not be dropped (capped by net.core.rmem_max).
  try { udp.setRecvBufferSize(4 * 1024 * 1024); udp.setSendBufferSize(4 * 1024 * 1024); } catch { /* not allowed: keep defaults */ }
  return {
    port: udp.address().port,
    close: () => new Promise<void>((resolve) => { try { udp.close(() => resolve()); } catch { resolve(); } }),
  };
}

function udpHandler(udp: dgram.Socket, handler: Handler, fail: Fail) {
  const send = (b: Buffer, rinfo: dgram.RemoteInfo): void => {
    try {
      udp.send(b, rinfo.port, rinfo.address);
    } catch (err) {
      fail(err, 'dns udp send failed'); // e.g. source port 0
    }
  };
  return (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    let res: Response | Promise<Response>;
    try {
      res = handler(msg, rinfo.address, 'udp');
    } catch (err) {
      fail(err, 'dns query failed');
      return;
    }
    if (res === null) return;
    if (Buffer.isBuffer(res)) send(res, rinfo);
    else res.then((b) => { if (b) send(b, rinfo); }, (err: unknown) => fail(err, 'dns query failed'));
  };
}
