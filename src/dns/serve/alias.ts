// Alias instances (AWS_ALIAS_DNS_NAME; docs/dns.md, "Alias instances"): their A/AAAA records are the
// target's addresses as the upstream resolvers give them, cached for the upstream TTL. An answer that
// needs a target not in the cache waits for one upstream lookup; a target that cannot be resolved
// contributes nothing.
import { BoundedMap } from '../../model/bounded-map.ts';
import type { Forwarder } from './forward.ts';
import type { AliasTarget } from '../index/index.ts';
import { HEADER_SIZE, headerFlags, RCODE_MASK, skipName, TYPE } from '../wire/index.ts';

export interface AliasAddresses {
  /** TYPE CLASS TTL RDLENGTH RDATA of each address; the TTL is rewritten with what remains. */
  readonly tails: readonly Buffer[];
  /** epoch ms after which the entry must be looked up again */
  readonly expires: number;
}

/** How long a failed or empty lookup is remembered (the next answers do not wait on it meanwhile). */
const NEGATIVE_MS = 5_000;
const MAX_ENTRIES = 10_000;

export class Aliases {
  private readonly cache = new BoundedMap<string, AliasAddresses>(MAX_ENTRIES);
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly forwarder: Forwarder | undefined;
  private readonly now: () => number;

  constructor(forwarder: Forwarder | undefined, now: () => number = Date.now) {
    this.forwarder = forwarder;
    this.now = now;
  }

  /** Whether targets can be looked up at all (no --upstream: alias instances answer nothing). */
  get enabled(): boolean {
    return this.forwarder !== undefined;
  }

  /** The cached, unexpired addresses of a target. */
  fresh(target: AliasTarget, now: number): AliasAddresses | undefined {
    const e = this.cache.get(target.key);
    return e !== undefined && e.expires > now ? e : undefined;
  }

  /** Looks the targets up (one upstream query per target, shared by concurrent answers). */
  async resolve(targets: readonly AliasTarget[]): Promise<void> {
    await Promise.all(
      targets.map((t) => {
        let p = this.inFlight.get(t.key);
        if (!p) {
          p = this.lookup(t).finally(() => this.inFlight.delete(t.key));
          this.inFlight.set(t.key, p);
        }
        return p;
      }),
    );
  }

  private async lookup(t: AliasTarget): Promise<void> {
    const reply = this.forwarder
      ? await this.forwarder.resolve({ question: t.question, dnssecOk: false, checkingDisabled: false })
      : undefined;
    const found = reply ? addressesIn(reply, t.type) : { tails: [], ttl: 0 };
    // At least a second, so the answer waiting for this lookup finds it (upstream TTL 0 included).
    const ms = found.tails.length > 0 ? Math.max(1, found.ttl) * 1000 : NEGATIVE_MS;
    this.cache.set(t.key, { tails: found.tails, expires: this.now() + ms });
  }
}

/** The records of `type` in a reply's answer section (after any CNAMEs), and their smallest TTL. */
export function addressesIn(reply: Buffer, type: number): { tails: Buffer[]; ttl: number } {
  const tails: Buffer[] = [];
  let ttl = Infinity;
  if (reply.length < HEADER_SIZE || (headerFlags(reply) & RCODE_MASK) !== 0) return { tails, ttl: 0 };
  const an = reply.readUInt16BE(6);
  let p = skipName(reply, HEADER_SIZE);
  if (p < 0) return { tails, ttl: 0 };
  p += 4;
  for (let i = 0; i < an; i++) {
    p = skipName(reply, p);
    if (p < 0 || p + 10 > reply.length) break;
    const rrType = reply.readUInt16BE(p);
    const rdlen = reply.readUInt16BE(p + 8);
    if (p + 10 + rdlen > reply.length) break;
    if (rrType === type && rdlen === (type === TYPE.A ? 4 : 16)) {
      tails.push(Buffer.from(reply.subarray(p, p + 10 + rdlen)));
      ttl = Math.min(ttl, reply.readUInt32BE(p + 4));
    }
    p += 10 + rdlen;
  }
  return { tails, ttl: tails.length > 0 ? ttl : 0 };
}
