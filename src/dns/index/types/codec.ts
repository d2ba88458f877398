// What a record type is to the index, one object per type (as dns-packet has one codec per type): its
// codes, how answers treat its records, and how an instance's attributes become its record.
import type { InstanceRecord, RecordType } from '../../../model/records.ts';
import type { Labels, TailWriter } from '../../wire/index.ts';
import type { AliasTarget } from '../alias-target.ts';

/** What an instance's record needs beyond its bytes. */
export interface Encoded {
  /** An AWS_ALIAS_DNS_NAME instance: the record's addresses are looked up at answer time. */
  readonly alias: AliasTarget | undefined;
  /** The record's target is a host name `<InstanceId>.D` whose A/AAAA are its additional records. */
  readonly host: boolean;
}
export const PLAIN: Encoded = Object.freeze({ alias: undefined, host: false });
export const WITH_HOST: Encoded = Object.freeze({ alias: undefined, host: true });

/** Where a record is written: its tail, and its additional records (touch `extra` only to write there). */
export interface RecordWriters {
  readonly w: TailWriter;
  readonly extra: TailWriter;
}

export interface RecordCodec<T extends RecordType = RecordType> {
  /** The DnsRecords Type, as Cloud Map's model spells it. */
  readonly name: T;
  /** The DNS TYPE code. */
  readonly code: number;
  /** Where the name that ends RDATA starts in a record tail (TYPE..RDATA); -1 when RDATA ends with none. */
  readonly targetOffset: number;
  /** A set of this type holds one record whatever the routing policy. */
  readonly singleRecord: boolean;
  /** Each record names its instance, so it never duplicates another instance's: no set is searched for one. */
  readonly namesInstance: boolean;
  /**
   * Writes the record instance `inst` puts in a set of this type at service name `serviceName` (and its
   * additional records). Returns undefined, having written nothing, when the instance supplies none.
   */
  encode(inst: InstanceRecord, ttl: number, serviceName: Labels, out: RecordWriters): Encoded | undefined;
}
