// UDP through the native addon (native/udp-batch.c, Linux): datagrams arrive in batches of up to 64,
// are answered synchronously into one output slab and leave with one sendmmsg per batch.
import { createRequire } from 'node:module';
import { BoundedMap } from '../../model/bounded-map.ts';
import type { Buckets } from '../../model/bucketed-histogram.ts';
import type { Fail, Handler } from './transport.ts';

export interface Addon {
  readonly BATCH: number;
  readonly SLOT: number;
  readonly META: number;
  open(
    handle: object,
    host: string,
    port: number,
    input: Buffer,
    meta: Int32Array,
    output: Buffer,
    outMeta: Int32Array,
    onBatch: (n: number) => void,
    bufferBytes: number,
  ): number;
  send(handle: object, message: Buffer, host: string, port: number): boolean;
  close(handle: object): void;
}

/** Why the addon is not available (undefined when it is, or before the first attempt). */
let unavailable: string | undefined;
let addon: Addon | null | undefined;

/** The addon, or null (with `batchedUdpUnavailable()` saying why) when it was not built or cannot load. */
export function batchedUdpAddon(): Addon | null {
  if (addon !== undefined) return addon;
  if (process.platform !== 'linux') {
    unavailable = 'recvmmsg/sendmmsg batching is Linux only';
    return (addon = null);
  }
  try {
    const require = createRequire(import.meta.url);
    addon = require('../../../build/Release/udp_batch.node') as Addon;
  } catch (e) {
    unavailable = `the native addon is not built or does not load (${(e as Error).message.split('\n')[0]}); run npm ci or npm rebuild with g++, make and python3 installed`;
    addon = null;
  }
  return addon;
}

export const batchedUdpUnavailable = (): string | undefined => unavailable;

export interface BatchedUdp {
  port: number;
  close(): void;
}

/** Formats the source address of a slot; IPv4 strings are cached, they repeat (bounded: clients choose them). */
function addressReader(metaBytes: Uint8Array, metaWords: number): (slot: number) => string {
  const cache = new BoundedMap<number, string>(4096);
  const words = new Int32Array(metaBytes.buffer, metaBytes.byteOffset, metaBytes.byteLength / 4);
  return (slot) => {
    const m = slot * metaWords;
    const b = (m + 3) * 4;
    if (words[m + 2] === 4) {
      const key = words[m + 3]!;
      let s = cache.get(key);
      if (s === undefined) {
        s = `${metaBytes[b]}.${metaBytes[b + 1]}.${metaBytes[b + 2]}.${metaBytes[b + 3]}`;
        cache.set(key, s);
      }
      return s;
    }
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((metaBytes[b + i]! << 8) | metaBytes[b + i + 1]!).toString(16));
    return groups.join(':');
  };
}

/**
 * Binds `host:port` (a numeric address) and answers every datagram with `handler`. Answers that come
 * later (forwarded queries) are sent one by one. `msg` handed to the handler is a view of a receive
 * slab that the next batch overwrites: a handler that answers later must copy what it keeps. Answer
 * times are taken once per batch, from its arrival to its answers being handed to sendmmsg, and shared
 * by its answers: two clock reads per batch, not per datagram.
 */
export function openBatchedUdp(a: Addon, host: string, port: number, handler: Handler, fail: Fail, times: Buckets): BatchedUdp {
  const { BATCH, SLOT, META } = a;
  const input = Buffer.allocUnsafe(BATCH * SLOT);
  const meta = new Int32Array(BATCH * META);
  // --dns-max-udp-payload is at most 4096 = SLOT, so a batch's answers always fit.
  const output = Buffer.allocUnsafe(BATCH * SLOT);
  const outMeta = new Int32Array(BATCH * 2);
  const addressOf = addressReader(new Uint8Array(meta.buffer), META);
  // The addon keeps this object (and so the slabs it holds) alive until close.
  const handle = { input, meta, output, outMeta };

  const later = (slot: number, answer: Promise<Buffer | null>, began: number): void => {
    const address = addressOf(slot);
    const to = meta[slot * META + 1]!;
    answer.then(
      (b) => {
        if (!b) return;
        a.send(handle, b, address, to);
        times.observe((performance.now() - began) / 1000, 1);
      },
      (err: unknown) => fail(err, 'dns query failed'),
    );
  };
  const onBatch = (n: number): void => {
    const began = performance.now();
    let off = 0;
    let answered = 0;
    for (let i = 0; i < n; i++) {
      const len = meta[i * META]!;
      if (len <= 0) continue; // empty, or longer than a slot (no query is)
      const start = i * SLOT;
      let res: Buffer | null | Promise<Buffer | null>;
      try {
        res = handler(input.subarray(start, start + len), addressOf(i), 'udp');
      } catch (err) {
        fail(err, 'dns query failed');
        continue;
      }
      if (res === null) continue;
      if (!Buffer.isBuffer(res)) {
        later(i, res, began);
        continue;
      }
      answered++;
      if (off + res.length > output.length) {
        a.send(handle, res, addressOf(i), meta[i * META + 1]!);
        continue;
      }
      output.set(res, off);
      outMeta[2 * i] = off;
      outMeta[2 * i + 1] = res.length;
      off += res.length;
    }
    if (answered > 0) times.observe((performance.now() - began) / 1000, answered);
  };
  // Bursts of queries should queue in the kernel, not be dropped (capped by net.core.rmem_max).
  const bound = a.open(handle, host, port, input, meta, output, outMeta, onBatch, 4 * 1024 * 1024);
  let closed = false;
  return {
    port: bound,
    close: () => {
      if (closed) return;
      closed = true;
      a.close(handle);
    },
  };
}
