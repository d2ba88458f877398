// Row 6 of the probe: RegisterInstance calls, one after another, all through a 10 s SIGSTOP of Redis.
// Counts the 503s and their messages, which failed writes Redis applied anyway when it resumed, whether
// retries with the same CreatorRequestId return that write's OperationId and apply nothing twice, and
// what cairn logged meanwhile.
import {
  CreateServiceCommand,
  GetInstanceCommand,
  GetOperationCommand,
  ListOperationsCommand,
  RegisterInstanceCommand,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { startCairn } from '../lib/cairn.ts';
import { createHttpNamespace } from '../lib/load.ts';
import { waitFor } from '../lib/proc.ts';
import { startRedis } from '../lib/redis.ts';
import { client, logLines, n, s1, sleep, stackLines, WARN, type ProbeResult } from './common.ts';

const FREEZE_MS = 10_000;
const PAUSE_MS = 50;
const UNKNOWN = /may or may not have been applied/;
const NOT_SENT = /nothing was written/;

interface Failed {
  i: number;
  message: string;
  ms: number;
}

const register = (c: ServiceDiscoveryClient, ServiceId: string, i: number): Promise<string> =>
  c
    .send(
      new RegisterInstanceCommand({
        ServiceId,
        InstanceId: `i-${i}`,
        CreatorRequestId: `tok-${i}`,
        Attributes: { AWS_INSTANCE_IPV4: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
      }),
    )
    .then((r) => r.OperationId!);

/** Operation ids of the service's REGISTER_INSTANCE operations, by instance. */
async function operationsByInstance(c: ServiceDiscoveryClient, serviceId: string): Promise<Map<string, string[]>> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await c.send(
      new ListOperationsCommand({
        MaxResults: 100,
        NextToken,
        Filters: [
          { Name: 'SERVICE_ID', Values: [serviceId], Condition: 'EQ' },
          { Name: 'TYPE', Values: ['REGISTER_INSTANCE'], Condition: 'EQ' },
        ],
      }),
    );
    ids.push(...(page.Operations ?? []).map((o) => o.Id!));
    NextToken = page.NextToken;
  } while (NextToken);
  const byInstance = new Map<string, string[]>();
  for (const id of ids) {
    const instance = (await c.send(new GetOperationCommand({ OperationId: id }))).Operation?.Targets?.INSTANCE ?? '?';
    byInstance.set(instance, [...(byInstance.get(instance) ?? []), id]);
  }
  return byInstance;
}

export async function redisFreeze(): Promise<ProbeResult> {
  const redis = await startRedis();
  const cairn = await startCairn({ name: 'row6-redis-freeze', redis: { url: redis.url, prefix: 'exposure6' } });
  const problems: string[] = [];
  try {
    // One attempt per call: every 503 is seen, as a client without retries would see it.
    const sdk = client(cairn.endpoint, { maxAttempts: 1 });
    const ns = await createHttpNamespace(sdk, 'freeze');
    const serviceId = (await sdk.send(new CreateServiceCommand({ Name: 'writes', NamespaceId: ns }))).Service!.Id!;
    for (let i = 0; i < 5; i++) await register(sdk, serviceId, i);
    await sleep(500);
    const logFrom = cairn.proc.log().length;

    process.kill(redis.proc.pid, 'SIGSTOP');
    const frozenAt = performance.now();
    const failed: Failed[] = [];
    const otherErrors: string[] = [];
    let writes = 0;
    let ok = 0;
    for (let i = 1000; performance.now() - frozenAt < FREEZE_MS; i++) {
      writes++;
      const t = performance.now();
      try {
        await register(sdk, serviceId, i);
        ok++;
      } catch (e) {
        const err = e as Error & { $metadata?: { httpStatusCode?: number } };
        if (err.$metadata?.httpStatusCode === 503) failed.push({ i, message: err.message, ms: performance.now() - t });
        else otherErrors.push(`${err.name}: ${err.message}`);
      }
      await sleep(PAUSE_MS);
    }
    process.kill(redis.proc.pid, 'SIGCONT');

    // The first write that succeeds after the thaw was planned from a catalog that has caught up with
    // everything Redis applied when it resumed (a commit is conditional on the revision it planned from).
    let lastError = '';
    await waitFor(
      'a write after the thaw',
      async () => {
        try {
          await register(sdk, serviceId, 99_999);
          return true;
        } catch (e) {
          lastError = `${(e as Error).name}: ${(e as Error).message}`;
          throw e;
        }
      },
      15_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; the last error: ${lastError}`);
    });
    const exists = async (i: number): Promise<boolean> =>
      sdk.send(new GetInstanceCommand({ ServiceId: serviceId, InstanceId: `i-${i}` })).then(
        () => true,
        () => false,
      );
    const appliedAnyway = new Set<number>();
    for (const f of failed) if (await exists(f.i)) appliedAnyway.add(f.i);
    const before = await operationsByInstance(sdk, serviceId);

    // Retries, twice each, with the same CreatorRequestId.
    const mismatched: number[] = [];
    for (const f of failed) {
      const first = await register(sdk, serviceId, f.i);
      const second = await register(sdk, serviceId, f.i);
      const earlier = before.get(`i-${f.i}`);
      if (first !== second || (earlier !== undefined && earlier[0] !== first)) mismatched.push(f.i);
    }
    const after = await operationsByInstance(sdk, serviceId);
    const twice = failed.filter((f) => (after.get(`i-${f.i}`)?.length ?? 0) !== 1).length;
    const retriedMatch = failed.length - mismatched.length;
    // Let the log pipe catch up, then read what the outage and the retries logged.
    await sleep(500);
    const logText = cairn.proc.log().slice(logFrom);
    const lines = logLines(logText);
    const loud = lines.filter((l) => l.level >= WARN);
    const storeLines = lines.filter((l) => l.part === 'store' && l.level >= 30).map((l) => `"${l.msg}"`);
    const stacks = stackLines(logText);
    sdk.destroy();

    const unknown = failed.filter((f) => UNKNOWN.test(f.message));
    const notSent = failed.filter((f) => NOT_SENT.test(f.message));
    const unexplained = failed.length - unknown.length - notSent.length;
    const notSentApplied = notSent.filter((f) => appliedAnyway.has(f.i)).length;
    if (otherErrors.length > 0) problems.push(`errors other than 503: ${[...new Set(otherErrors)].join('; ')}`);
    if (unexplained > 0) problems.push(`${unexplained} 503s say neither "may or may not have been applied" nor "nothing was written"`);
    if (notSentApplied > 0) problems.push(`${notSentApplied} writes answered "nothing was written" were applied`);
    if (mismatched.length > 0) problems.push(`${mismatched.length} retries returned another OperationId`);
    if (twice > 0) problems.push(`${twice} failed writes do not have exactly one operation after the retries`);
    if (stacks > 0) problems.push(`${stacks} log lines with a stack`);
    if (Math.max(...failed.map((f) => f.ms)) > 1000) problems.push(`a 503 took ${Math.max(...failed.map((f) => f.ms)).toFixed(0)} ms`);
    const slowest = failed.length ? Math.max(...failed.map((f) => f.ms)) : NaN;
    const firstUnknownMs = unknown.length ? unknown[0]!.ms : NaN;
    return {
      row: '6',
      sent: `RegisterInstance with a CreatorRequestId, one after another (${PAUSE_MS} ms apart), through a ${FREEZE_MS / 1000} s SIGSTOP of Redis; then each failed one retried twice with its token`,
      now:
        `${n(failed.length)} of ${n(writes)} writes answered 503 (${ok} succeeded): ${unknown.length} "the write may or may not have been applied. Retry with the same CreatorRequestId…", ` +
        `${notSent.length} "…unreachable; nothing was written"; applied anyway when Redis resumed: ${appliedAnyway.size} (${appliedAnyway.size - notSentApplied} of them answered "may or may not"); ` +
        `retries returned the same OperationId for ${retriedMatch} of ${failed.length}, and applied nothing twice (${twice} with more than one operation)`,
      measured:
        `the "may or may not" 503 after ${firstUnknownMs.toFixed(0)} ms (--redis-timeout 500ms), the slowest 503 ${slowest.toFixed(0)} ms; ` +
        `log from the freeze to the end of the retries: ${lines.length} lines, ${loud.length} at warn or above, ${stacks} stacks; the store said ${storeLines.join(', ')}` +
        ` (write loop ${s1(FREEZE_MS)} s)`,
      problems,
    };
  } finally {
    try {
      process.kill(redis.proc.pid, 'SIGCONT');
    } catch {
      /* gone */
    }
    await cairn.stop();
    await redis.stop();
  }
}
