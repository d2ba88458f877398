// IPv6 text → bytes (wire.ts): the hand-written, allocation-free parser accepts exactly the texts the
// earlier split-and-regex parser accepted, with the same bytes; that parser is kept here as the oracle.
import { describe, expect, it } from 'vitest';
import { ipv4Bytes, ipv6Bytes } from '../../src/dns/wire/index.ts';

/** The parser wire.ts had before: slow (splits, regular expressions, a buffer per call), plainly right. */
function oracle(text: string): Buffer | undefined {
  const out = Buffer.alloc(16);
  let s = text;
  let tailV4: Buffer | undefined;
  if (s.includes('.')) {
    const cut = s.lastIndexOf(':');
    tailV4 = cut >= 0 ? ipv4Bytes(s.slice(cut + 1)) : undefined;
    if (!tailV4) return undefined;
    s = `${s.slice(0, cut + 1)}0:0`; // two placeholder groups, overwritten below
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined): number[] | undefined => {
    if (h === undefined || h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  head.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  tail.forEach((g, i) => out.writeUInt16BE(g, 16 - (tail.length - i) * 2));
  if (tailV4) tailV4.copy(out, 12);
  return out;
}

const texts = [
  // accepted
  '::', '::1', '1::', 'fd00::1:2', 'FD00::ABCD', '2001:db8:0:0:0:0:2:1', '2001:db8::2:1', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8', '0001:0002::000f', '::ffff:10.0.0.1', '64:ff9b::192.0.2.33', '1:2:3:4:5:6:10.0.0.1', 'fd00::0:0',
  // refused
  '', ':', ':::', '1:::2', '1::2::3', '::::', ':1::', '1::2:', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::',
  '::1:2:3:4:5:6:7:8', '12345::', 'g::', '1: 2::', ' ::1', '::1 ', '1.2.3.4', '::10.0.0.256', '::01.0.0.1', 'fe80::1%eth0',
  '1:2:3:4:5:6:7:8:10.0.0.1', '::-1', '0x1::',
];

describe('ipv6Bytes', () => {
  it.each(texts)('reads %j as the earlier parser did', (text) => {
    const mine = ipv6Bytes(text, Buffer.alloc(16));
    const reference = oracle(text);
    expect(mine === undefined ? undefined : Buffer.from(mine)).toEqual(reference);
  });

  it('agrees with the earlier parser on 20,000 random texts of hex digits, colons and dots', () => {
    let seed = 42;
    const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const alphabet = '0123456789abcdefABCDEFg:::::..';
    let accepted = 0;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      for (let k = Math.floor(random() * 24); k > 0; k--) text += alphabet[Math.floor(random() * alphabet.length)];
      if (random() < 0.3) text = `${text.slice(0, 4)}::${text.slice(4)}`;
      const mine = ipv6Bytes(text);
      const reference = oracle(text);
      if (reference) accepted++;
      expect(mine === undefined ? undefined : Buffer.from(mine), text).toEqual(reference);
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('writes into the scratch buffer it is given, clearing what an earlier address left', () => {
    const scratch = Buffer.alloc(16, 0xff);
    expect(ipv6Bytes('fd00::1', scratch)).toBe(scratch);
    expect(scratch.toString('hex')).toBe('fd000000000000000000000000000001');
  });
});
