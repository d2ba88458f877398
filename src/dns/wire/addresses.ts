// Address text → wire octets, parsed by hand: indexing 100,000 instances parses every address.

/**
 * IPv4 text → 4 octets written into `into` (a fresh buffer unless the caller passes a scratch one), or
 * undefined when it is not a dotted quad without leading zeros. Hand-written, like ipv6Bytes: indexing
 * 100,000 instances parses every address.
 */
export function ipv4Bytes(text: string | undefined, into: Buffer = Buffer.alloc(4)): Buffer | undefined {
  if (text === undefined) return undefined;
  let part = 0;
  let value = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46;
    if (c === 46) {
      if (value < 0 || part > 3) return undefined;
      into[part++] = value;
      value = -1;
    } else if (c >= 48 && c <= 57) {
      if (value === 0) return undefined; // no leading zeros
      value = value < 0 ? c - 48 : value * 10 + c - 48;
      if (value > 255) return undefined;
    } else {
      return undefined;
    }
  }
  return part === 4 ? into : undefined;
}

const v6Tail = new Uint16Array(8);
const v4InV6 = Buffer.alloc(4);
const hexValue = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

/**
 * IPv6 text (any :: form, an embedded dotted quad) → 16 octets written into `into` (a fresh buffer
 * unless the caller passes a scratch one), or undefined when it is not one. Hand-written, without
 * splits or regular expressions: ipaddr.js cost a third of the time to index 100,000 instances, and a
 * split-based parser's garbage was most of what building the index allocated.
 */
export function ipv6Bytes(text: string, into?: Buffer): Buffer | undefined {
  const out = into ? into.fill(0, 0, 16) : Buffer.alloc(16);
  const n = text.length;
  let head = 0;
  let tail = 0;
  let double = false;
  let pos = 0;
  const push = (group: number): void => {
    if (double) v6Tail[tail++] = group;
    else out.writeUInt16BE(group, 2 * head++);
  };
  while (pos < n) {
    if (text.charCodeAt(pos) === 58 && text.charCodeAt(pos + 1) === 58) {
      // '::'
      if (double) return undefined;
      double = true;
      pos += 2;
      if (pos < n && text.charCodeAt(pos) === 58) return undefined;
      continue;
    }
    const start = pos;
    let value = 0;
    let digits = 0;
    for (let h; pos < n && (h = hexValue(text.charCodeAt(pos))) >= 0; pos++) {
      if (++digits > 4) break;
      value = value * 16 + h;
    }
    if (pos < n && text.charCodeAt(pos) === 46) {
      // '.': a dotted quad ends the address, as two groups
      const v4 = ipv4Bytes(text.slice(start), v4InV6);
      if (!v4 || head + tail > 6) return undefined;
      push((v4[0]! << 8) | v4[1]!);
      push((v4[2]! << 8) | v4[3]!);
      break;
    }
    if (digits === 0 || digits > 4 || head + tail === 8) return undefined;
    push(value);
    if (pos === n) break;
    if (text.charCodeAt(pos) !== 58) return undefined; // ':'
    if (text.charCodeAt(pos + 1) !== 58 && ++pos === n) return undefined; // a trailing single ':'
  }
  const count = head + tail;
  if (double ? count > 7 : count !== 8) return undefined;
  for (let i = 0; i < tail; i++) out.writeUInt16BE(v6Tail[i]!, 16 - (tail - i) * 2);
  return out;
}
