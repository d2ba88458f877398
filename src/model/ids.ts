// Identifiers in Cloud Map's formats (ns-…, srv-…, operation ids, hosted zone ids) and ARNs.
import { randomBytes } from 'node:crypto';

const lower = 'abcdefghijklmnopqrstuvwxyz0123456789';
const upper = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export type RandomSource = (n: number) => Uint8Array;
const defaultRandom: RandomSource = (n) => randomBytes(n);

// Built in one piece: appending character by character leaves a chain of cons-strings (~32 bytes per
// character) that V8 keeps for as long as the id lives — over a kilobyte per operation id.
function pick(alphabet: string, n: number, random: RandomSource): string {
  const bytes = random(n);
  const codes = new Array<number>(n);
  for (let i = 0; i < n; i++) codes[i] = alphabet.charCodeAt(bytes[i]! % alphabet.length);
  return String.fromCharCode(...codes);
}

export interface IdGenerator {
  namespace(): string;
  service(): string;
  operation(): string;
  hostedZone(): string;
  hex(n: number): string;
}

export function idGenerator(random: RandomSource = defaultRandom): IdGenerator {
  return {
    namespace: () => `ns-${pick(lower, 16, random)}`,
    service: () => `srv-${pick(lower, 16, random)}`,
    operation: () => `${pick(lower, 32, random)}-${pick(lower, 8, random)}`,
    hostedZone: () => `Z${pick(upper, 20, random)}`,
    hex: (n) =>
      Buffer.from(random(Math.ceil(n / 2)))
        .toString('hex')
        .slice(0, n),
  };
}

export interface Account {
  region: string;
  accountId: string;
}

export const namespaceArn = (a: Account, id: string): string => `arn:aws:servicediscovery:${a.region}:${a.accountId}:namespace/${id}`;
export const serviceArn = (a: Account, id: string): string => `arn:aws:servicediscovery:${a.region}:${a.accountId}:service/${id}`;

const arnPattern = /^arn:aws[a-z-]*:servicediscovery:([^:]*):([^:]*):(namespace|service)\/(.+)$/;

export interface ParsedArn {
  region: string;
  accountId: string;
  kind: 'namespace' | 'service';
  id: string;
}
export function parseArn(arn: string): ParsedArn | undefined {
  const m = arnPattern.exec(arn);
  if (!m) return undefined;
  return { region: m[1]!, accountId: m[2]!, kind: m[3] as 'namespace' | 'service', id: m[4]! };
}

/**
 * Members typed `Arn` accept an id or an ARN. Returns the bare id, or undefined when the ARN names
 * another kind of resource or another account/region (the caller turns that into its NotFound error).
 */
export function idFromIdOrArn(a: Account, value: string, kind: 'namespace' | 'service'): string | undefined {
  if (!value.startsWith('arn:')) return value;
  const p = parseArn(value);
  if (!p || p.kind !== kind || p.region !== a.region || p.accountId !== a.accountId) return undefined;
  return p.id;
}
