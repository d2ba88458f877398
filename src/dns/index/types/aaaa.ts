// AAAA: the instance's AWS_INSTANCE_IPV6 (any text form), or the IPv6 addresses of its alias target.
import { TYPE } from '../../wire/index.ts';
import { addressOrAlias, instanceIpv6 } from './address.ts';
import type { RecordCodec } from './codec.ts';

export const AAAA: RecordCodec<'AAAA'> = {
  name: 'AAAA',
  code: TYPE.AAAA,
  targetOffset: -1,
  singleRecord: false,
  namesInstance: false,
  encode: (inst, ttl, _serviceName, out) => addressOrAlias(TYPE.AAAA, instanceIpv6(inst), inst, ttl, out),
};
