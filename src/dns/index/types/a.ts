// A: the instance's AWS_INSTANCE_IPV4, or the IPv4 addresses of its AWS_ALIAS_DNS_NAME target.
import { TYPE } from '../../wire/index.ts';
import { addressOrAlias, instanceIpv4 } from './address.ts';
import type { RecordCodec } from './codec.ts';

export const A: RecordCodec<'A'> = {
  name: 'A',
  code: TYPE.A,
  targetOffset: -1,
  singleRecord: false,
  namesInstance: false,
  encode: (inst, ttl, _serviceName, out) => addressOrAlias(TYPE.A, instanceIpv4(inst), inst, ttl, out),
};
