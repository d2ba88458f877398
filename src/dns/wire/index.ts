// The DNS wire format shared by both halves of dns/: constants, names, addresses, the record-tail writer
// (index/ builds prepared bytes with it) and the message writer (serve/ writes responses with it).
export {
  CLASS_IN,
  EDNS_DO,
  FLAG,
  HEADER_SIZE,
  headerFlags,
  MAX_MESSAGE,
  OPCODE,
  OPCODE_MASK,
  OPCODE_SHIFT,
  RCODE,
  RCODE_MASK,
  TYPE,
} from './constants.ts';
export {
  asciiLower,
  encodeName,
  expandName,
  keyOf,
  labelsOf,
  lowerKey,
  nameOfKey,
  parentKey,
  skipName,
  validLabels,
  type Labels,
} from './names.ts';
export { ipv4Bytes, ipv6Bytes } from './addresses.ts';
export { RDATA_OFFSET, TailWriter } from './tail-writer.ts';
export { framed, MessageOverflow, Out } from './message-writer.ts';
