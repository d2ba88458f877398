// IPv6 text → bytes: the hand-written, allocation-free parser accepts exactly the texts ipaddr.js accepts
// (narrowed to what a DNS record can hold), with the same bytes.
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { ipv6Bytes } from '../../src/dns/wire/index.ts';

/**
 * ipaddr.js's reading of the text, narrowed to what a DNS record can hold: no zone id (`%eth0`), and an
 * embedded IPv4 address only in strict dotted decimal (as ipv4Bytes reads AWS_INSTANCE_IPV4).
 */
function oracle(text: string): Buffer | undefined {
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
  if (text.includes('.') && !ipaddr.IPv4.isValidFourPartDecimal(text.slice(text.lastIndexOf(':') + 1))) return undefined;
  return Buffer.from(ipaddr.IPv6.parse(text).toByteArray());
}

const texts = [
  // accepted
  '::',
  '::1',
  '1::',
  'fd00::1:2',
  'FD00::ABCD',
  '2001:db8:0:0:0:0:2:1',
  '2001:db8::2:1',
  '1:2:3:4:5:6:7::',
  '::2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7:8',
  '0001:0002::000f',
  '::ffff:10.0.0.1',
  '64:ff9b::192.0.2.33',
  '1:2:3:4:5:6:10.0.0.1',
  'fd00::0:0',
  // refused
  '',
  ':',
  ':::',
  '1:::2',
  '1::2::3',
  '::::',
  ':1::',
  '1::2:',
  '1:2:3:4:5:6:7',
  '1:2:3:4:5:6:7:8:9',
  '1:2:3:4:5:6:7:8::',
  '::1:2:3:4:5:6:7:8',
  '12345::',
  'g::',
  '1: 2::',
  ' ::1',
  '::1 ',
  '1.2.3.4',
  '::10.0.0.256',
  '::01.0.0.1',
  'fe80::1%eth0',
  '1:2:3:4:5:6:7:8:10.0.0.1',
  '::-1',
  '0x1::',
];

describe('ipv6Bytes', () => {
  it.each(texts)('reads %j as ipaddr.js does', (text) => {
    const mine = ipv6Bytes(text, Buffer.alloc(16));
    const reference = oracle(text);
    expect(mine === undefined ? undefined : Buffer.from(mine)).toEqual(reference);
  });

  it('agrees with ipaddr.js on 20,000 random texts of hex digits, colons and dots', () => {
    let seed = 42;
    const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
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
