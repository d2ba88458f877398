// What a container test file starts, under names and a label of its own: containers, networks, cairn
// replicas; `clean()` removes them all (afterAll), and the run's global teardown sweeps the label again.
import { randomBytes } from 'node:crypto';
import type { ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { inject } from 'vitest';
import { containerIp, docker, dockerOk, sweep } from '../../../bench/lib/docker.ts';
import { eventually } from '../../support/eventually.ts';
import { sdkClient } from '../../support/server.ts';

export class Stack {
  readonly runId = inject('runId');
  readonly image = inject('image');
  /** Unique to this file: in names and in the label cairn-test.file. */
  readonly id = `${this.runId}-${randomBytes(3).toString('hex')}`;
  readonly label = `cairn-test.run=${this.runId}`;
  /** The docker flags that put the run's label and this file's on what it starts. */
  private readonly labels = ['--label', this.label, '--label', `cairn-test.file=${this.id}`];
  private readonly clients: ServiceDiscoveryClient[] = [];

  name(what: string): string {
    return `ct-${this.id}-${what}`;
  }

  /** Creates a bridge network; Docker picks its subnet. Returns the network's name and subnet. */
  async network(what: string): Promise<{ name: string; subnet: string }> {
    const name = this.name(what);
    await dockerOk(['network', 'create', ...this.labels, name]);
    const subnet = await dockerOk(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', name]);
    return { name, subnet };
  }

  /** `docker run -d` with the run's labels and a name of this file; returns the container's name. */
  async start(what: string, args: string[]): Promise<string> {
    const name = this.name(what);
    await dockerOk(['run', '-d', '--name', name, ...this.labels, ...args]);
    return name;
  }

  /** `docker run --rm` (attached): its exit code and output. */
  async once(args: string[], timeoutMs = 30_000): Promise<{ code: number; out: string }> {
    const r = await docker(['run', '--rm', ...this.labels, ...args], { timeoutMs });
    return { code: r.code, out: `${r.stdout}${r.stderr}` };
  }

  /**
   * A cairn replica from the image on `network` (first network; others connected after), serving once /healthz
   * answers. Returns its container name, its address there and an SDK client for its API.
   */
  async cairn(
    what: string,
    networks: string[],
    flags: string[] = [],
  ): Promise<{ name: string; ip: string; endpoint: string; client: ServiceDiscoveryClient }> {
    const name = await this.start(what, ['--network', networks[0]!, this.image, '--log-level', 'warn', ...flags]);
    for (const n of networks.slice(1)) await dockerOk(['network', 'connect', n, name]);
    const ip = await containerIp(name, networks[0]!);
    const endpoint = `http://${ip}:8080`;
    await eventually(
      async () => {
        const r = await fetch(`${endpoint}/healthz`, { signal: AbortSignal.timeout(1000) });
        if (!r.ok) throw new Error(`/healthz ${r.status}`);
      },
      20_000,
      100,
    );
    const client = sdkClient(endpoint);
    this.clients.push(client);
    return { name, ip, endpoint, client };
  }

  async clean(): Promise<void> {
    for (const c of this.clients) c.destroy();
    await sweep(`cairn-test.file=${this.id}`);
  }
}
