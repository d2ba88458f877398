// SRV: `1 1 <AWS_INSTANCE_PORT> <InstanceId>.D.`, the target a host name that answers the instance's
// addresses, which are also the record's additional records. The target names the instance, so no two
// instances' records are ever the same.
import { labelsOf, RDATA_OFFSET, TYPE, validLabels, type Labels } from '../../wire/index.ts';
import { instanceIpv4, instanceIpv6, writeAddress } from './address.ts';
import { PLAIN, WITH_HOST, type RecordCodec } from './codec.ts';

/** Priority and weight of every record: all instances are equal. */
const PRIORITY = 1;
const WEIGHT = 1;

/** A port in decimal, 0..65535, or undefined. */
function port(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

export const SRV: RecordCodec<'SRV'> = {
  name: 'SRV',
  code: TYPE.SRV,
  // Priority, weight and port come before the target.
  targetOffset: RDATA_OFFSET + 6,
  singleRecord: false,
  namesInstance: true,
  encode(inst, ttl, serviceName, out) {
    const p = port(inst.attributes.AWS_INSTANCE_PORT);
    const target: Labels = [...labelsOf(inst.id), ...serviceName];
    if (p === undefined || !validLabels(target)) return undefined;
    const v4 = instanceIpv4(inst);
    if (v4) writeAddress(out.extra, ttl, v4);
    const v6 = instanceIpv6(inst);
    if (v6) writeAddress(out.extra, ttl, v6);
    const w = out.w;
    const s = w.begin(TYPE.SRV, ttl);
    w.u16(PRIORITY);
    w.u16(WEIGHT);
    w.u16(p);
    w.name(target);
    w.end(s);
    // Host names carry one instance and answer whatever its health.
    return v4 || v6 ? WITH_HOST : PLAIN;
  },
};
