// The JSON 1.1 wire protocol on bad requests: every one is a 4xx in the AWS error shape (__type, both
// message keys, x-amzn-ErrorType, x-amzn-RequestId), never a 500 or a hang. And any Host is accepted.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawCall, startTestServer, type TestServer } from '../support/server.ts';

const T = 'Route53AutoNaming_v20170314.';
let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

interface Row {
  label: string;
  target: string | undefined;
  body: string;
  status: number;
  type: string;
  fragment?: string;
  path?: string;
}

const rows: Row[] = [
  {
    label: 'malformed JSON',
    target: `${T}ListNamespaces`,
    body: '{"MaxResults": ',
    status: 400,
    type: 'SerializationException',
    fragment: 'not valid JSON',
  },
  {
    label: 'a JSON array body',
    target: `${T}ListNamespaces`,
    body: '[1,2]',
    status: 400,
    type: 'SerializationException',
    fragment: 'JSON object',
  },
  {
    label: 'a JSON string body',
    target: `${T}ListNamespaces`,
    body: '"hello"',
    status: 400,
    type: 'SerializationException',
    fragment: 'JSON object',
  },
  {
    label: 'a JSON null body',
    target: `${T}ListNamespaces`,
    body: 'null',
    status: 400,
    type: 'SerializationException',
    fragment: 'JSON object',
  },
  {
    label: 'an empty body where members are required',
    target: `${T}GetNamespace`,
    body: '',
    status: 400,
    type: 'InvalidInput',
    fragment: 'Id',
  },
  {
    label: 'an unknown target',
    target: `${T}MakeCoffee`,
    body: '{}',
    status: 400,
    type: 'UnknownOperationException',
    fragment: 'MakeCoffee',
  },
  {
    label: 'a target of another service',
    target: 'DynamoDB_20120810.ListTables',
    body: '{}',
    status: 400,
    type: 'UnknownOperationException',
    fragment: 'DynamoDB_20120810.ListTables',
  },
  {
    label: 'an operation name in the wrong case',
    target: `${T}listnamespaces`,
    body: '{}',
    status: 400,
    type: 'UnknownOperationException',
    fragment: 'listnamespaces',
  },
  { label: 'a missing target', target: undefined, body: '{}', status: 400, type: 'UnknownOperationException', fragment: 'X-Amz-Target' },
  {
    label: 'a missing required member',
    target: `${T}CreateHttpNamespace`,
    body: '{"Description":"d"}',
    status: 400,
    type: 'InvalidInput',
    fragment: 'Name',
  },
  { label: 'a null required member', target: `${T}GetService`, body: '{"Id":null}', status: 400, type: 'InvalidInput', fragment: 'Id' },
  {
    label: 'an oversize value',
    target: `${T}CreateHttpNamespace`,
    body: JSON.stringify({ Name: 'n', Description: 'd'.repeat(1025) }),
    status: 400,
    type: 'InvalidInput',
    fragment: 'Description',
  },
  {
    label: 'a number out of range',
    target: `${T}ListNamespaces`,
    body: '{"MaxResults":101}',
    status: 400,
    type: 'InvalidInput',
    fragment: 'MaxResults',
  },
  {
    label: 'a badly patterned value',
    target: `${T}CreateService`,
    body: '{"Name":"bad name!","NamespaceId":"ns-x"}',
    status: 400,
    type: 'InvalidInput',
    fragment: 'Name',
  },
  {
    label: 'a wrong JSON type',
    target: `${T}ListNamespaces`,
    body: '{"MaxResults":"ten"}',
    status: 400,
    type: 'SerializationException',
    fragment: 'MaxResults',
  },
  {
    label: 'a wrong JSON type deep inside',
    target: `${T}CreateService`,
    body: '{"Name":"s","DnsConfig":{"DnsRecords":{"Type":"A"}}}',
    status: 400,
    type: 'SerializationException',
    fragment: 'DnsConfig.DnsRecords',
  },
  {
    label: 'a bad enum value',
    target: `${T}ListNamespaces`,
    body: '{"Filters":[{"Name":"COLOR","Values":["x"]}]}',
    status: 400,
    type: 'InvalidInput',
    fragment: 'Filters.0.Name',
  },
  {
    label: 'a bad NextToken',
    target: `${T}ListServices`,
    body: '{"NextToken":"garbage!!"}',
    status: 400,
    type: 'InvalidInput',
    fragment: 'NextToken',
  },
  {
    label: 'an unknown path',
    target: `${T}ListNamespaces`,
    body: '{}',
    status: 404,
    type: 'UnknownOperationException',
    path: '/v1/namespaces',
  },
];

async function call(row: Row): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  if (row.path === undefined) return rawCall(t.endpoint, row.target, row.body);
  const res = await fetch(`${t.endpoint}${row.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: row.body,
  });
  return { status: res.status, json: JSON.parse(await res.text()) as Record<string, unknown>, headers: res.headers };
}

describe('bad requests', () => {
  it.each(rows)('answers $label with $status $type in the AWS error shape', async (row) => {
    const res = await call({ ...row });
    expect(res.status).toBe(row.status);
    expect(res.json.__type).toBe(row.type);
    expect(typeof res.json.message).toBe('string');
    expect(res.json.Message).toBe(res.json.message);
    if (row.fragment) expect(res.json.message).toContain(row.fragment);
    expect(res.headers.get('x-amzn-errortype')).toBe(row.type);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('content-type')).toContain('application/x-amz-json-1.1');
  });

  it('answers a body over the size limit with a 4xx error shape', async () => {
    const res = await rawCall(
      t.endpoint,
      `${T}CreateHttpNamespace`,
      JSON.stringify({ Name: 'n', Description: 'x'.repeat(2 * 1024 * 1024) }),
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(typeof res.json.__type).toBe('string');
    expect(res.json.Message).toBe(res.json.message);
    expect(res.headers.get('x-amzn-errortype')).toBe(res.json.__type);
  });

  it('treats an empty body as {} for an operation without required members', async () => {
    const res = await rawCall(t.endpoint, `${T}ListNamespaces`, '');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ Namespaces: [] });
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ignores unknown members and treats null as absent', async () => {
    const res = await rawCall(t.endpoint, `${T}ListNamespaces`, '{"Surprise":1,"MaxResults":null,"NextToken":null}');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ Namespaces: [] });
  });
});

describe('hosts', () => {
  it('accepts a data- prefixed Host header', async () => {
    const port = Number(new URL(t.endpoint).port);
    const body = '{}';
    const result = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          headers: {
            Host: `data-127.0.0.1:${port}`,
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': `${T}ListNamespaces`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toHaveProperty('Namespaces');
  });
});
