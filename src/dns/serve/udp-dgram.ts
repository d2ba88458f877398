// UDP through node:dgram, where the native batching addon cannot be built: one message event and one
// send per datagram.
import dgram from 'node:dgram';
import net from 'node:net';
import type { Buckets } from '../../model/bucketed-histogram.ts';
import type { Fail, Handler, Response } from './transport.ts';

export interface DgramUdp {
  port: number;
  close(): Promise<void>;
}

/** Binds `host:port` and answers every datagram with `handler`, recording each answer's time in `times`. */
export async function openDgramUdp(host: string, port: number, handler: Handler, fail: Fail, times: Buckets): Promise<DgramUdp> {
  const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  udp.on('message', udpHandler(udp, handler, fail, times));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', (err) => {
      udp.close();
      reject(err);
    });
    udp.bind(port, host, () => {
      udp.removeAllListeners('error');
      resolve();
    });
  });
  // Only after the bind: a failed bind is the caller's to handle (with port 0 it tries another port).
  udp.on('error', (err) => fail(err, 'dns udp socket error'));
  // Bursts of queries should queue in the kernel, not be dropped (capped by net.core.rmem_max).
  try {
    udp.setRecvBufferSize(4 * 1024 * 1024);
    udp.setSendBufferSize(4 * 1024 * 1024);
  } catch {
    /* not allowed: keep defaults */
  }
  return {
    port: udp.address().port,
    close: () =>
      new Promise<void>((resolve) => {
        try {
          udp.close(() => resolve());
        } catch {
          resolve();
        }
      }),
  };
}

function udpHandler(udp: dgram.Socket, handler: Handler, fail: Fail, times: Buckets) {
  const send = (b: Buffer, rinfo: dgram.RemoteInfo, start: number): void => {
    try {
      udp.send(b, rinfo.port, rinfo.address);
    } catch (err) {
      fail(err, 'dns udp send failed'); // e.g. source port 0
      return;
    }
    times.observe((performance.now() - start) / 1000, 1);
  };
  return (msg: Buffer, rinfo: dgram.RemoteInfo): void => {
    const start = performance.now();
    let res: Response | Promise<Response>;
    try {
      res = handler(msg, rinfo.address, 'udp');
    } catch (err) {
      fail(err, 'dns query failed');
      return;
    }
    if (res === null) return;
    if (Buffer.isBuffer(res)) send(res, rinfo, start);
    else
      res.then(
        (b) => {
          if (b) send(b, rinfo, start);
        },
        (err: unknown) => fail(err, 'dns query failed'),
      );
  };
}
