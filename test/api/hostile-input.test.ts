// Hostile JSON gets a 4xx in the AWS shape, never a 500 or a hang: deep nesting, bad UTF-8, lone
// surrogates, huge strings and lists, `__proto__` as a name; and prototype names as attribute keys are
// ordinary keys that round-trip without touching any prototype.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCall, startTestServer, type TestServer } from '../support/server.ts';

const T = 'Route53AutoNaming_v20170314.';
let t: TestServer;
let serviceId: string;
let serviceArn: string;
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

beforeAll(async () => {
  t = await startTestServer();
  const ns = await rawCall(t.endpoint, `${T}CreateHttpNamespace`, '{"Name":"hostile"}');
  expect(ns.status).toBe(200);
  const list = await rawCall(t.endpoint, `${T}ListNamespaces`, '{}');
  const namespaceId = (list.json.Namespaces as { Id: string }[])[0]!.Id;
  const svc = await rawCall(t.endpoint, `${T}CreateService`, JSON.stringify({ Name: 'web', NamespaceId: namespaceId }));
  expect(svc.status).toBe(200);
  ({ Id: serviceId, Arn: serviceArn } = svc.json.Service as { Id: string; Arn: string });
});
afterAll(async () => {
  await t.stop();
  // The server ran in this process: no request may have added anything to Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
});

async function expectRefused(target: string, body: string | Buffer, type: string, fragment?: string): Promise<void> {
  const res = await fetch(`${t.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${T}${target}` },
    body,
  });
  const text = await res.text();
  expect(res.status, text.slice(0, 300)).toBe(400);
  const json = JSON.parse(text) as Record<string, unknown>;
  expect(json.__type).toBe(type);
  expect(json.Message).toBe(json.message);
  expect(text.length).toBeLessThan(2000);
  if (fragment) expect(json.message).toContain(fragment);
}

const nested = (open: string, inner: string, close: string, n: number): string => open.repeat(n) + inner + close.repeat(n);

describe('nesting', () => {
  it('refuses arrays nested 10,000 deep with SerializationException', async () => {
    await expectRefused('ListServices', `{"Filters":${nested('[', '', ']', 10_000)}}`, 'SerializationException', 'deeper than 32');
  });

  it('refuses objects nested 10,000 deep with SerializationException', async () => {
    await expectRefused('ListServices', `{"Filters":${nested('{"a":', '1', '}', 10_000)}}`, 'SerializationException', 'deeper than 32');
  });

  it('refuses 1 MiB of [ without parsing it', async () => {
    const started = performance.now();
    await expectRefused('ListServices', '['.repeat(1024 * 1024 - 16), 'SerializationException', 'deeper than 32');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('accepts 32 levels (unknown members are ignored) and refuses 33', async () => {
    const ok = await rawCall(t.endpoint, `${T}ListNamespaces`, `{"Unknown":${nested('[', '', ']', 31)}}`);
    expect(ok.status).toBe(200);
    await expectRefused('ListNamespaces', `{"Unknown":${nested('[', '', ']', 32)}}`, 'SerializationException', 'deeper than 32');
  });

  it('does not count brackets inside strings, escaped quotes included', async () => {
    const res = await rawCall(
      t.endpoint,
      `${T}ListNamespaces`,
      JSON.stringify({ Unknown: `\\"${'['.repeat(100)}`, Other: '{'.repeat(100) }),
    );
    expect(res.status).toBe(200);
  });
});

describe('text', () => {
  it.each([
    ['a lone high surrogate', '"\\ud800"'],
    ['a lone low surrogate', '"\\udc00"'],
    ['a high surrogate before another escape', '"\\ud800\\u0041"'],
    ['a high surrogate at the end of the body', '"\\ud800'],
  ])('refuses %s with SerializationException', async (_what, value) => {
    await expectRefused('UpdateServiceAttributes', `{"ServiceId":"${serviceId}","Attributes":{"k":${value}}}`, 'SerializationException');
  });

  it('accepts a surrogate pair and an escaped backslash before u', async () => {
    const res = await rawCall(
      t.endpoint,
      `${T}UpdateServiceAttributes`,
      `{"ServiceId":"${serviceId}","Attributes":{"pair":"\\ud83d\\ude00","text":"\\\\ud800"}}`,
    );
    expect(res.status).toBe(200);
    const got = await rawCall(t.endpoint, `${T}GetServiceAttributes`, `{"ServiceId":"${serviceId}"}`);
    expect((got.json.ServiceAttributes as { Attributes: Record<string, string> }).Attributes).toMatchObject({
      pair: '\u{1F600}',
      text: '\\ud800',
    });
  });

  it('refuses bytes that are not UTF-8 with SerializationException', async () => {
    const body = Buffer.concat([
      Buffer.from(`{"ServiceId":"${serviceId}","Attributes":{"k":"`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}'),
    ]);
    await expectRefused('UpdateServiceAttributes', body, 'SerializationException', 'UTF-8');
  });

  it('answers a 900 KB attribute key with a short InvalidInput', async () => {
    await expectRefused(
      'RegisterInstance',
      JSON.stringify({ ServiceId: serviceId, InstanceId: 'i-big', Attributes: { ['k'.repeat(900_000)]: 'v' } }),
      'InvalidInput',
    );
  });

  it('answers a 900 KB description with a short InvalidInput', async () => {
    await expectRefused(
      'CreateHttpNamespace',
      JSON.stringify({ Name: 'big', Description: 'd'.repeat(900_000) }),
      'InvalidInput',
      'Description',
    );
  });

  it('answers a list of 200,000 wrong-typed filters with a short SerializationException', async () => {
    const filters = Array.from({ length: 200_000 }, () => 1);
    await expectRefused('ListServices', JSON.stringify({ Filters: filters }), 'SerializationException');
  });
});

describe('values of the wrong type that look like strings or lists', () => {
  // zod's own length checks ran on anything with a `length` member, even after the type check failed.
  it.each([
    ['a string member', 'GetInstancesHealthStatus', '{"ServiceId":{"length":{"toString":""}}}'],
    [
      'a string member with a numeric-looking length',
      'GetInstance',
      '{"ServiceId":{"length":{"toString":"","length":""}},"InstanceId":"i"}',
    ],
    [
      'a list member',
      'TagResource',
      '{"ResourceARN":"arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1","Tags":{"length":{"toString":false}}}',
    ],
  ])('refuses %s whose value is an object with a length member with SerializationException', async (_what, target, body) => {
    await expectRefused(target, body, 'SerializationException');
  });
});

describe('prototype names', () => {
  it('refuses __proto__ as a member, instead of reading Attributes through it', async () => {
    await expectRefused(
      'RegisterInstance',
      `{"ServiceId":"${serviceId}","InstanceId":"i-smuggled","__proto__":{"Attributes":{"AWS_INSTANCE_IPV4":"10.0.0.9"}}}`,
      'InvalidInput',
      '__proto__',
    );
    const got = await rawCall(t.endpoint, `${T}GetInstance`, `{"ServiceId":"${serviceId}","InstanceId":"i-smuggled"}`);
    expect(got.json.__type).toBe('InstanceNotFound');
  });

  it.each([
    ['a string', '"x"'],
    ['an object', '{"polluted":"yes"}'],
  ])('refuses __proto__ as an attribute key with %s value, instead of dropping it', async (_what, value) => {
    await expectRefused(
      'RegisterInstance',
      `{"ServiceId":"${serviceId}","InstanceId":"i-proto","Attributes":{"AWS_INSTANCE_IPV4":"10.0.0.1","__proto__":${value}}}`,
      'InvalidInput',
      '__proto__',
    );
    await expectRefused(
      'UpdateServiceAttributes',
      `{"ServiceId":"${serviceId}","Attributes":{"__proto__":${value}}}`,
      'InvalidInput',
      '__proto__',
    );
  });

  const keys = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'prototype'];

  it('keeps prototype names as ordinary instance attributes: stored, listed, discovered, filtered', async () => {
    const attributes = { AWS_INSTANCE_IPV4: '10.0.0.1', ...Object.fromEntries(keys.map((k) => [k, `v-${k}`])) };
    const reg = await rawCall(
      t.endpoint,
      `${T}RegisterInstance`,
      JSON.stringify({ ServiceId: serviceId, InstanceId: 'i-keys', Attributes: attributes }),
    );
    expect(reg.status).toBe(200);
    const got = await rawCall(t.endpoint, `${T}GetInstance`, JSON.stringify({ ServiceId: serviceId, InstanceId: 'i-keys' }));
    expect((got.json.Instance as { Attributes: unknown }).Attributes).toEqual(attributes);
    const listed = await rawCall(t.endpoint, `${T}ListInstances`, JSON.stringify({ ServiceId: serviceId }));
    expect((listed.json.Instances as { Id: string; Attributes: unknown }[]).find((i) => i.Id === 'i-keys')?.Attributes).toEqual(attributes);
    for (const k of keys) {
      const hit = await rawCall(
        t.endpoint,
        `${T}DiscoverInstances`,
        JSON.stringify({ NamespaceName: 'hostile', ServiceName: 'web', QueryParameters: { [k]: `v-${k}` } }),
      );
      expect(
        (hit.json.Instances as { InstanceId: string }[]).map((i) => i.InstanceId),
        k,
      ).toEqual(['i-keys']);
      const miss = await rawCall(
        t.endpoint,
        `${T}DiscoverInstances`,
        JSON.stringify({ NamespaceName: 'hostile', ServiceName: 'web', QueryParameters: { [k]: 'other' } }),
      );
      expect(miss.json.Instances, k).toEqual([]);
    }
  });

  it('keeps prototype names as ordinary service attributes and tag keys', async () => {
    const attributes = Object.fromEntries(keys.map((k) => [k, `s-${k}`]));
    expect(
      (await rawCall(t.endpoint, `${T}UpdateServiceAttributes`, JSON.stringify({ ServiceId: serviceId, Attributes: attributes }))).status,
    ).toBe(200);
    const got = await rawCall(t.endpoint, `${T}GetServiceAttributes`, JSON.stringify({ ServiceId: serviceId }));
    expect((got.json.ServiceAttributes as { Attributes: Record<string, string> }).Attributes).toMatchObject(attributes);
    expect(
      (await rawCall(t.endpoint, `${T}DeleteServiceAttributes`, JSON.stringify({ ServiceId: serviceId, Attributes: keys }))).status,
    ).toBe(200);
    const after = await rawCall(t.endpoint, `${T}GetServiceAttributes`, JSON.stringify({ ServiceId: serviceId }));
    expect(Object.keys((after.json.ServiceAttributes as { Attributes: Record<string, string> }).Attributes)).not.toContain('constructor');

    const tags = ['__proto__', ...keys].map((Key) => ({ Key, Value: 'v' }));
    expect((await rawCall(t.endpoint, `${T}TagResource`, JSON.stringify({ ResourceARN: serviceArn, Tags: tags }))).status).toBe(200);
    const listed = await rawCall(t.endpoint, `${T}ListTagsForResource`, JSON.stringify({ ResourceARN: serviceArn }));
    expect(listed.json.Tags).toEqual(expect.arrayContaining(tags));
  });
});
