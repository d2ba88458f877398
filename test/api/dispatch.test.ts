// Dispatch by X-Amz-Target reaches only the model's operations: every name Object.prototype carries is
// UnknownOperationException, and nothing a request can reach dumps the registry or the Redis password.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { operationTable } from '../../src/api/dispatch.ts';
import { serviceModel } from '../../src/model/service-model.ts';
import { adminClient, onEveryMaster, withUser, type AdminClient } from '../support/redis-admin.ts';
import { newPrefix, rawCall, startTestServer, type TestServer } from '../support/server.ts';

const T = 'Route53AutoNaming_v20170314.';
const PASSWORD = 'hunter2-dispatch-secret';
const USER = 'cairn-dispatch';

const inherited = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__', 'prototype', 'then'])];
const oddTargets: [string, string][] = [
  ['the prefix alone', T],
  ['an empty operation name', `${T}.ListNamespaces`],
  ['no prefix', 'ListNamespaces'],
  ['a leading dot', `.${T}ListNamespaces`],
  ['a trailing dot', `${T}ListNamespaces.`],
  ['a 5,000-byte prefix', `${'x'.repeat(5000)}.ListNamespaces`],
];

describe('the operation table', () => {
  it('has a handler for every operation of the model and nothing else', () => {
    expect([...operationTable.keys()].sort()).toEqual(Object.keys(serviceModel.operations).sort());
    for (const [name, op] of operationTable) {
      expect(op.name).toBe(name);
      expect(typeof op.handler).toBe('function');
    }
  });

  it('answers no inherited name', () => {
    for (const name of inherited) expect(operationTable.get(name), name).toBeUndefined();
  });
});

describe('dispatch over HTTP, with a password-protected Redis store', () => {
  let t: TestServer;
  let admin: AdminClient;
  beforeAll(async () => {
    // A user of its own on the shared test Redis (every master of a Cluster): the URL cairn is given
    // carries a real password.
    admin = adminClient(inject('redisUrl'));
    await onEveryMaster(admin, (node) => node.call('ACL', 'SETUSER', USER, 'on', `>${PASSWORD}`, '~*', '&*', '+@all'));
    const url = withUser(inject('redisUrl'), USER, PASSWORD);
    t = await startTestServer({ flags: ['--redis-url', url, '--redis-prefix', newPrefix()] });
  });
  afterAll(async () => {
    await t.stop();
    await onEveryMaster(admin, (node) => node.call('ACL', 'DELUSER', USER));
    admin.disconnect();
  });

  it.each(inherited)('answers X-Amz-Target …%s with 400 UnknownOperationException', async (name) => {
    const res = await rawCall(t.endpoint, `${T}${name}`, '{}');
    expect(res.status).toBe(400);
    expect(res.json.__type).toBe('UnknownOperationException');
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(JSON.stringify(res.json)).not.toContain(PASSWORD);
    expect(JSON.stringify(res.json).length).toBeLessThan(1000);
  });

  it.each(oddTargets)('answers a target with %s with 400 UnknownOperationException and a short message', async (_what, target) => {
    const res = await rawCall(t.endpoint, target, '{}');
    expect(res.status).toBe(400);
    expect(res.json.__type).toBe('UnknownOperationException');
    expect(String(res.json.message).length).toBeLessThan(300);
  });

  it('still serves the real operations from that store', async () => {
    const res = await rawCall(t.endpoint, `${T}ListNamespaces`, '{}');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ Namespaces: [] });
  });

  it('never serialises the Redis client with its password, even when something dumps the registry', () => {
    const dump = JSON.stringify(t.server.ctx, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    expect(dump).not.toContain(PASSWORD);
    expect(dump).toContain(`${USER}:***@`);
  });
});
