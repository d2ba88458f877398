// Operations through the AWS SDK: GetOperation, ListOperations (filters, newest first, pages) and the
// retention after which operations are no longer returned and are pruned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateHttpNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DeleteNamespaceCommand,
  GetOperationCommand,
  ListOperationsCommand,
  paginateListOperations,
  UpdateHttpNamespaceCommand,
  UpdateServiceCommand,
  type OperationFilter,
} from '@aws-sdk/client-servicediscovery';
import { TestClock } from '../support/clock.ts';
import { errorOf } from '../support/sdk-errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let t: TestServer;
const ops: Record<string, string> = {};
let nsA: string;
let nsB: string;
let serviceId: string;
let beforeAllStarted: number;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  beforeAllStarted = Date.now();
  t = await startTestServer();
  const createA = await t.client.send(new CreatePublicDnsNamespaceCommand({ Name: 'ops-a.example' }));
  ops.createA = createA.OperationId!;
  nsA = (await t.client.send(new GetOperationCommand({ OperationId: ops.createA }))).Operation!.Targets!.NAMESPACE!;
  await sleep(5);
  ops.createB = (await t.client.send(new CreateHttpNamespaceCommand({ Name: 'ops-b' }))).OperationId!;
  nsB = (await t.client.send(new GetOperationCommand({ OperationId: ops.createB }))).Operation!.Targets!.NAMESPACE!;
  await sleep(5);
  ops.updateB = (await t.client.send(new UpdateHttpNamespaceCommand({ Id: nsB, Namespace: { Description: 'x' } }))).OperationId!;
  await sleep(5);
  serviceId = (
    await t.client.send(new CreateServiceCommand({ Name: 'web', NamespaceId: nsA, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 1 }] } }))
  ).Service!.Id!;
  ops.updateService = (await t.client.send(new UpdateServiceCommand({ Id: serviceId, Service: { Description: 'd' } }))).OperationId!;
  await sleep(5);
  ops.deleteB = (await t.client.send(new DeleteNamespaceCommand({ Id: nsB }))).OperationId!;
});
afterAll(async () => {
  await t.stop();
});

describe('GetOperation', () => {
  it('returns the whole operation with its targets, owner and dates', async () => {
    const { Operation } = await t.client.send(new GetOperationCommand({ OperationId: ops.updateService }));
    expect(Operation).toMatchObject({
      Id: ops.updateService,
      OwnerAccount: '123456789012',
      Type: 'UPDATE_SERVICE',
      Status: 'SUCCESS',
      Targets: { SERVICE: serviceId, NAMESPACE: nsA },
    });
    expect(Operation!.CreateDate).toBeInstanceOf(Date);
    expect(Operation!.UpdateDate).toEqual(Operation!.CreateDate);
    expect(Operation!.CreateDate!.getTime()).toBeGreaterThanOrEqual(beforeAllStarted);
    expect(Operation).not.toHaveProperty('ErrorCode');
  });

  it('keeps the operation of a deleted namespace', async () => {
    const { Operation } = await t.client.send(new GetOperationCommand({ OperationId: ops.createB, OwnerAccount: '123456789012' }));
    expect(Operation!.Targets).toEqual({ NAMESPACE: nsB });
  });

  it('answers OperationNotFound naming an unknown id, or an operation asked for in another account', async () => {
    const e = await errorOf(t.client.send(new GetOperationCommand({ OperationId: 'nope-nope' })));
    expect(e.name).toBe('OperationNotFound');
    expect(e.message).toContain('nope-nope');
    const other = await errorOf(t.client.send(new GetOperationCommand({ OperationId: ops.createA, OwnerAccount: '999999999999' })));
    expect(other.name).toBe('OperationNotFound');
  });
});

describe('ListOperations', () => {
  const ids = async (Filters?: OperationFilter[]): Promise<string[]> => {
    const { Operations } = await t.client.send(new ListOperationsCommand({ ...(Filters ? { Filters } : {}) }));
    return Operations!.map((o) => o.Id!);
  };

  it('lists summaries newest first', async () => {
    const { Operations } = await t.client.send(new ListOperationsCommand({}));
    expect(Operations!.map((o) => o.Id)).toEqual([ops.deleteB, ops.updateService, ops.updateB, ops.createB, ops.createA]);
    expect(Operations![0]).toEqual({ Id: ops.deleteB, Status: 'SUCCESS' });
  });

  it.each<[string, () => OperationFilter[], () => string[]]>([
    ['NAMESPACE_ID', () => [{ Name: 'NAMESPACE_ID', Values: [nsB] }], () => [ops.deleteB!, ops.updateB!, ops.createB!]],
    [
      'NAMESPACE_ID as an ARN',
      () => [{ Name: 'NAMESPACE_ID', Values: [`arn:aws:servicediscovery:us-east-1:123456789012:namespace/${nsA}`] }],
      () => [ops.updateService!, ops.createA!],
    ],
    ['SERVICE_ID', () => [{ Name: 'SERVICE_ID', Condition: 'EQ', Values: [serviceId] }], () => [ops.updateService!]],
    [
      'STATUS EQ',
      () => [
        { Name: 'STATUS', Values: ['SUCCESS'] },
        { Name: 'NAMESPACE_ID', Values: [nsA] },
      ],
      () => [ops.updateService!, ops.createA!],
    ],
    ['STATUS IN without a match', () => [{ Name: 'STATUS', Condition: 'IN', Values: ['FAIL', 'PENDING'] }], () => []],
    [
      'TYPE IN',
      () => [{ Name: 'TYPE', Condition: 'IN', Values: ['DELETE_NAMESPACE', 'UPDATE_NAMESPACE'] }],
      () => [ops.deleteB!, ops.updateB!],
    ],
    [
      'UPDATE_DATE BETWEEN epoch seconds',
      () => [
        { Name: 'UPDATE_DATE', Condition: 'BETWEEN', Values: [String((Date.now() - 3_600_000) / 1000), String(Date.now() / 1000 + 60)] },
        { Name: 'TYPE', Values: ['CREATE_NAMESPACE'] },
      ],
      () => [ops.createB!, ops.createA!],
    ],
    [
      'UPDATE_DATE BETWEEN ISO dates in the past',
      () => [{ Name: 'UPDATE_DATE', Condition: 'BETWEEN', Values: ['2020-01-01T00:00:00Z', '2020-12-31T00:00:00Z'] }],
      () => [],
    ],
  ])('filters by %s', async (_label, filters, expected) => {
    expect(await ids(filters())).toEqual(expected());
  });

  it.each<[string, OperationFilter, string]>([
    [
      'BETWEEN with the start last',
      { Name: 'UPDATE_DATE', Condition: 'BETWEEN', Values: ['2000000000', '1000000000'] },
      'start date first',
    ],
    ['UPDATE_DATE without BETWEEN', { Name: 'UPDATE_DATE', Values: ['1000000000'] }, 'Filter UPDATE_DATE does not support Condition EQ'],
    ['BETWEEN with one value', { Name: 'UPDATE_DATE', Condition: 'BETWEEN', Values: ['1000000000'] }, 'exactly two values'],
    ['a date that is none', { Name: 'UPDATE_DATE', Condition: 'BETWEEN', Values: ['yesterday', '1000000000'] }, 'yesterday'],
    ['an unknown STATUS', { Name: 'STATUS', Values: ['DONE'] }, 'Filter STATUS value DONE'],
    ['an unknown TYPE', { Name: 'TYPE', Condition: 'IN', Values: ['CREATE_SERVICE'] }, 'Filter TYPE value CREATE_SERVICE'],
    ['IN on NAMESPACE_ID', { Name: 'NAMESPACE_ID', Condition: 'IN', Values: ['ns-1'] }, 'NAMESPACE_ID does not support Condition IN'],
    ['EQ with two statuses', { Name: 'STATUS', Values: ['SUCCESS', 'FAIL'] }, 'exactly one value'],
  ])('refuses %s as InvalidInput', async (_label, filter, fragment) => {
    const e = await errorOf(t.client.send(new ListOperationsCommand({ Filters: [filter] })));
    expect(e.name).toBe('InvalidInput');
    expect(e.message).toContain(fragment);
  });

  it('walks every operation in pages of two with NextToken, and with the SDK paginator', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await t.client.send(new ListOperationsCommand({ MaxResults: 2, ...(token ? { NextToken: token } : {}) }));
      seen.push(...page.Operations!.map((o) => o.Id!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual([ops.deleteB, ops.updateService, ops.updateB, ops.createB, ops.createA]);
    const viaPaginator: string[] = [];
    for await (const page of paginateListOperations({ client: t.client, pageSize: 4 }, {}))
      viaPaginator.push(...page.Operations!.map((o) => o.Id!));
    expect(viaPaginator).toEqual(seen);
  });

  it('refuses a NextToken it did not issue', async () => {
    const e = await errorOf(t.client.send(new ListOperationsCommand({ NextToken: 'bm9wZQ' })));
    expect(e.name).toBe('InvalidInput');
    expect(e.message).toContain('NextToken');
  });
});

describe('retention', () => {
  it('stops returning operations older than --operation-retention and prunes them on a later write', async () => {
    const clock = new TestClock();
    const r = await startTestServer({ flags: ['--operation-retention', '300ms'], timers: clock });
    try {
      const old = (await r.client.send(new CreateHttpNamespaceCommand({ Name: 'old' }))).OperationId!;
      expect((await r.client.send(new GetOperationCommand({ OperationId: old }))).Operation!.Id).toBe(old);
      await clock.advance(400);
      expect((await errorOf(r.client.send(new GetOperationCommand({ OperationId: old })))).name).toBe('OperationNotFound');
      expect((await r.client.send(new ListOperationsCommand({}))).Operations).toEqual([]);
      expect(r.server.catalog.operation(old)).toBeDefined();
      const fresh = (await r.client.send(new CreateHttpNamespaceCommand({ Name: 'new' }))).OperationId!;
      expect(r.server.catalog.operation(old)).toBeUndefined();
      expect((await r.client.send(new ListOperationsCommand({}))).Operations!.map((o) => o.Id)).toEqual([fresh]);
    } finally {
      await r.stop();
    }
  });
});
