// DNS wire constants: record types, class, response codes, header flags and sizes.

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, SRV: 33, OPT: 41, IXFR: 251, AXFR: 252, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;

/** Header flag bits (the 16-bit word at offset 2). */
export const FLAG = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, CD: 0x0010 } as const;
/** The OPCODE field of the flag word, and where it starts. */
export const OPCODE_MASK = 0x7800;
export const OPCODE_SHIFT = 11;
export const OPCODE = { QUERY: 0 } as const;
/** The RCODE field of the flag word (its low 4 bits; EDNS carries the upper 8 in the OPT). */
export const RCODE_MASK = 0x000f;
/** The flag word of a message's header. */
export const headerFlags = (msg: Buffer): number => (msg[2]! << 8) | msg[3]!;

/** The DO bit in an OPT record's flags (the low 16 bits of its TTL field). */
export const EDNS_DO = 0x8000;

/** The top two bits of a label-length byte: both set, the byte starts a compression pointer. */
export const POINTER_BITS = 0xc0;
export const HEADER_SIZE = 12;
/** The largest DNS message (TCP length prefix). */
export const MAX_MESSAGE = 65535;
/** Compression pointers hold 14 bits of offset. */
export const MAX_POINTER = 0x3fff;
