// What A and AAAA share, and SRV and the apex glue reuse: address records, parsed from an instance's
// attributes into scratch buffers (no allocation per instance), or an alias target looked up later.
import type { InstanceRecord } from '../../../model/records.ts';
import { ipv4Bytes, ipv6Bytes, labelsOf, TYPE, validLabels, type TailWriter } from '../../wire/index.ts';
import { aliasTarget } from '../alias-target.ts';
import { PLAIN, type Encoded, type RecordWriters } from './codec.ts';

const v4Scratch = Buffer.alloc(4);
const v6Scratch = Buffer.alloc(16);

/** AWS_INSTANCE_IPV4 as 4 octets (valid until the next call), or undefined. */
export const instanceIpv4 = (inst: InstanceRecord): Buffer | undefined => ipv4Bytes(inst.attributes.AWS_INSTANCE_IPV4, v4Scratch);

/** AWS_INSTANCE_IPV6 as 16 octets (valid until the next call), or undefined. */
export function instanceIpv6(inst: InstanceRecord): Buffer | undefined {
  const text = inst.attributes.AWS_INSTANCE_IPV6;
  return text === undefined ? undefined : ipv6Bytes(text, v6Scratch);
}

/** An A record (4 octets) or an AAAA record (16). */
export function writeAddress(w: TailWriter, ttl: number, addr: Buffer): void {
  const s = w.begin(addr.length === 4 ? TYPE.A : TYPE.AAAA, ttl);
  w.bytes(addr);
  w.end(s);
}

/** The instance's address of type `code`, else its AWS_ALIAS_DNS_NAME target, else nothing. */
export function addressOrAlias(
  code: number,
  addr: Buffer | undefined,
  inst: InstanceRecord,
  ttl: number,
  out: RecordWriters,
): Encoded | undefined {
  if (addr) {
    writeAddress(out.w, ttl, addr);
    return PLAIN;
  }
  const aliasName = inst.attributes.AWS_ALIAS_DNS_NAME;
  if (aliasName) {
    const alias = labelsOf(aliasName);
    if (alias.length > 0 && validLabels(alias)) return { alias: aliasTarget(code, alias), host: false };
  }
  return undefined;
}
