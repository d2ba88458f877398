// CNAME: the instance's AWS_INSTANCE_CNAME. A name with a CNAME has nothing else (RFC 1034 §3.6.2), so
// the set answers one record whatever the routing policy.
import { labelsOf, RDATA_OFFSET, TYPE, validLabels } from '../../wire/index.ts';
import { PLAIN, type RecordCodec } from './codec.ts';

export const CNAME: RecordCodec<'CNAME'> = {
  name: 'CNAME',
  code: TYPE.CNAME,
  targetOffset: RDATA_OFFSET,
  singleRecord: true,
  namesInstance: false,
  encode(inst, ttl, _serviceName, out) {
    const target = labelsOf(inst.attributes.AWS_INSTANCE_CNAME ?? '');
    if (target.length === 0 || !validLabels(target)) return undefined;
    const s = out.w.begin(TYPE.CNAME, ttl);
    out.w.name(target);
    out.w.end(s);
    return PLAIN;
  },
};
