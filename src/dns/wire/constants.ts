// DNS wire constants: record types, class, response codes, header flags and sizes.

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, AAAA: 28, SRV: 33, OPT: 41, IXFR: 251, AXFR: 252, ANY: 255 } as const;
export const CLASS_IN = 1;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;

/** Header flag bits (the 16-bit word at offset 2). */
export const FLAG = { QR: 0x8000, AA: 0x0400, TC: 0x0200, RD: 0x0100, RA: 0x0080, CD: 0x0010 } as const;
export const HEADER_SIZE = 12;
/** The largest DNS message (TCP length prefix). */
export const MAX_MESSAGE = 65535;
/** Compression pointers hold 14 bits of offset. */
export const MAX_POINTER = 0x3fff;

