import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateHttpNamespaceCommand, GetNamespaceCommand } from '@aws-sdk/client-servicediscovery';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('API smoke (memory store)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('creates an HTTP namespace and reads it back through the SDK', async () => {
    const { OperationId } = await t.client.send(new CreateHttpNamespaceCommand({ Name: 'shared', CreatorRequestId: 'r1' }));
    expect(OperationId).toMatch(/^[a-z0-9]{32}-[a-z0-9]{8}$/);
    const again = await t.client.send(new CreateHttpNamespaceCommand({ Name: 'shared', CreatorRequestId: 'r1' }));
    expect(again.OperationId).toBe(OperationId);
    const id = [...t.server.catalog.namespaces()][0]!.id;
    const { Namespace } = await t.client.send(new GetNamespaceCommand({ Id: id }));
    expect(Namespace).toMatchObject({
      Id: id,
      Name: 'shared',
      Type: 'HTTP',
      ServiceCount: 0,
      Properties: { HttpProperties: { HttpName: 'shared' } },
    });
    expect(Namespace?.CreateDate).toBeInstanceOf(Date);
  });
});
