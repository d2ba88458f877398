// The record types of Cloud Map's DnsRecords: one line per type, exported under the model's name for it.
export { A } from './a.ts';
export { AAAA } from './aaaa.ts';
export { CNAME } from './cname.ts';
export { SRV } from './srv.ts';
