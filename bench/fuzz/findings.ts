// The distinct failures of a long run: one entry per kind (the Violation's signature), with how often
// it was hit and the smallest reproducer fast-check shrank it to.
import { Violation } from './api.ts';

export interface Finding {
  signature: string;
  /** The request or bytes that broke the contract, and what came back. */
  detail: string;
  hits: number;
  property: string;
  /** fast-check's seed and path: `fc.check(property, { seed, path })` replays it. */
  seed: number | undefined;
  path: string | undefined;
  atSecond: number;
}

export class Findings {
  private readonly bySignature = new Map<string, Finding>();
  private readonly t0 = performance.now();

  get all(): Finding[] {
    return [...this.bySignature.values()];
  }
  get size(): number {
    return this.bySignature.size;
  }

  /** A failure already recorded counts one more hit and is tolerated; a new one is not. */
  tolerate(v: Violation): boolean {
    const f = this.bySignature.get(v.signature);
    if (f) f.hits++;
    return f !== undefined;
  }

  record(property: string, error: unknown, seed?: number, path?: string): void {
    const v =
      error instanceof Violation ? error : new Violation(`${property}: the fuzzer itself failed`, String((error as Error)?.stack ?? error));
    const known = this.bySignature.get(v.signature);
    if (known) {
      known.hits++;
      return;
    }
    const detail = v.message.slice(v.signature.length + 1);
    this.bySignature.set(v.signature, {
      signature: v.signature,
      detail,
      hits: 1,
      property,
      seed,
      path,
      atSecond: (performance.now() - this.t0) / 1000,
    });
  }
}
