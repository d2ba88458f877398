// Which replica probes which instance: rendezvous (highest-random-weight) hashing of the instance key over
// the live replicas. Every replica computes the same owner from the same list, and when a replica joins or
// leaves only the instances it gains or held move.
import { fmix32, hash32 } from '../model/hash.ts';

/** The weight of a replica for an instance key; the replica with the highest weight probes it. */
export function weight(replicaId: string, key: string): number {
  // Hash the pair, not each side alone: a weight must not be ordered the same way for every key.
  return fmix32(hash32(key) ^ hash32(replicaId, 0x9747b28c));
}

/** The replica that probes `key` among `replicas` (ties, practically never, go to the smaller id). */
export function ownerOf(key: string, replicas: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const r of replicas) {
    const w = weight(r, key);
    if (w > bestWeight || (w === bestWeight && best !== undefined && r < best)) {
      best = r;
      bestWeight = w;
    }
  }
  return best;
}

/** Whether `replicaId` probes `key`. A replica that does not (yet) see itself in the list still probes. */
export function owns(replicaId: string, key: string, replicas: readonly string[]): boolean {
  return ownerOf(key, replicas.includes(replicaId) ? replicas : [...replicas, replicaId]) === replicaId;
}
