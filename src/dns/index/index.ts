// The catalog turned into prepared bytes: a zone per DNS namespace, a record set per name and type
// (record tails ready to copy), kept current one instance at a time, and the choice of the zone that
// answers a name. What serve/ reads to answer.
export type { AliasTarget } from './alias-target.ts';
export type { ApexSettings } from './apex.ts';
export { HostRef, POLICY, RrSet, RrSetBuilder, type Policy } from './rrset.ts';
export { targetKey, targetOffset } from './target-offsets.ts';
export { Zone } from './zone.ts';
export { HIDDEN, Zones, type Visibility } from './zones.ts';
