// The record-type table: every DnsRecords type by its name, checked by the compiler against the model's
// RecordType. A new type is a file in this folder plus its line in table.ts.
import type { RecordType } from '../../../model/records.ts';
import type { RecordCodec } from './codec.ts';
import * as table from './table.ts';

export const RECORD_TYPES: { readonly [T in RecordType]: RecordCodec<T> } = table;

export { writeAddress } from './address.ts';
export type { Encoded, RecordCodec, RecordWriters } from './codec.ts';
