// A raw UDP DNS client built on dns-packet (not dns2, so it checks cairn with someone else's parser):
// one socket, queries matched to answers by id, each with a timeout.
import { createSocket, type Socket } from 'node:dgram';
import * as packet from 'dns-packet';

export interface Rr {
  name: string;
  type: string;
  data: string;
}
export interface DnsAnswer {
  rcode: string;
  aa: boolean;
  tc: boolean;
  answers: Rr[];
  authorities: Rr[];
  additionals: Rr[];
}

type QType = packet.RecordType;

export class DnsClient {
  private readonly socket: Socket;
  private readonly pending = new Map<number, { resolve(a: DnsAnswer): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  private nextId = Math.floor(Math.random() * 65536);
  private readonly ready: Promise<void>;
  private readonly port: number;
  private readonly host: string;

  constructor(port: number, host = '127.0.0.1') {
    this.port = port;
    this.host = host;
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg) => this.receive(msg));
    this.socket.on('error', () => undefined);
    this.ready = new Promise((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
  }

  async query(name: string, type: QType, timeoutMs = 1000): Promise<DnsAnswer> {
    await this.ready;
    let id = (this.nextId = (this.nextId + 1) & 0xffff);
    while (this.pending.has(id)) id = this.nextId = (this.nextId + 1) & 0xffff;
    const buf = packet.encode({
      type: 'query',
      id,
      flags: packet.RECURSION_DESIRED,
      questions: [{ type, name, class: 'IN' }],
      additionals: [
        { type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] },
      ],
    });
    return new Promise<DnsAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${name} ${type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.send(buf, this.port, this.host);
    });
  }

  private receive(msg: Buffer): void {
    let p: packet.DecodedPacket;
    try {
      p = packet.decode(msg);
    } catch {
      return;
    }
    const waiter = p.id === undefined ? undefined : this.pending.get(p.id);
    if (!waiter || p.id === undefined) return;
    this.pending.delete(p.id);
    clearTimeout(waiter.timer);
    waiter.resolve({
      rcode: (p as { rcode?: string }).rcode ?? '?',
      aa: p.flag_aa,
      tc: p.flag_tc,
      answers: rrs(p.answers),
      authorities: rrs(p.authorities),
      additionals: rrs(p.additionals).filter((r) => r.type !== 'OPT'),
    });
  }

  close(): void {
    for (const w of this.pending.values()) {
      clearTimeout(w.timer);
      w.reject(new Error('client closed'));
    }
    this.pending.clear();
    this.socket.close();
  }
}

function rrs(list: packet.Answer[] | undefined): Rr[] {
  return (list ?? []).map((a) => ({ name: a.name.toLowerCase(), type: a.type, data: rdataText(a) }));
}

function rdataText(a: packet.Answer): string {
  if (a.type === 'SRV') return `${a.data.priority ?? 0} ${a.data.weight ?? 0} ${a.data.port} ${a.data.target.toLowerCase()}`;
  if (a.type === 'SOA') return `${a.data.mname} ${a.data.rname} ${a.data.serial} ${a.data.minimum}`;
  if (a.type === 'OPT') return '';
  const d = (a as { data?: unknown }).data;
  return typeof d === 'string' ? d.toLowerCase() : Buffer.isBuffer(d) ? d.toString('hex') : JSON.stringify(d);
}

/** One query on a throwaway client. */
export async function dnsQuery(port: number, name: string, type: QType, timeoutMs = 1000): Promise<DnsAnswer> {
  const c = new DnsClient(port);
  try {
    return await c.query(name, type, timeoutMs);
  } finally {
    c.close();
  }
}
