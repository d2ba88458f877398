// cairn's own read-only JSON for the console: whether the registry asks for credentials, and per instance
// when its health last flipped, which replica probes it and the flips this replica has seen.
import { readAnswer } from './cloudmap.ts';
import { credentials } from './session.ts';
import { signedFetch } from './signed-fetch.ts';

export interface About {
  auth: boolean;
  replica: string;
  version: string;
}

export interface HealthPoint {
  status: 'HEALTHY' | 'UNHEALTHY';
  at: number;
}

export interface InstanceDetail {
  instanceId: string;
  health: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN';
  since: number | null;
  check: 'probe' | 'custom' | 'none';
  probedBy: string | null;
  timeline: HealthPoint[];
}

export async function about(): Promise<About> {
  return readAnswer<About>(await fetch('/v1/console/about', { cache: 'no-store' }));
}

export async function instanceDetails(serviceId: string): Promise<InstanceDetail[]> {
  const res = await signedFetch(`/v1/console/services/${encodeURIComponent(serviceId)}/instances`, { method: 'GET' }, credentials());
  return (await readAnswer<{ instances: InstanceDetail[] }>(res)).instances;
}
