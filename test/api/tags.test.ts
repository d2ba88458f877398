// Tags through the AWS SDK: TagResource, UntagResource and ListTagsForResource on namespace and service
// ARNs; the 50-tag limit (nothing applied), the aws: prefix, and which ARNs are NotFound or InvalidInput.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateHttpNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type Tag,
} from '@aws-sdk/client-servicediscovery';
import { errorOf } from '../support/sdk-errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let t: TestServer;
let nsId: string;
let nsArn: string;
let srvArn: string;
const tags = (n: number, prefix = 'k'): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));
const list = async (arn: string): Promise<Tag[]> => (await t.client.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags!;

beforeAll(async () => {
  t = await startTestServer();
  const { OperationId } = await t.client.send(new CreateHttpNamespaceCommand({ Name: 'tagged' }));
  nsId = (await t.client.send(new GetOperationCommand({ OperationId }))).Operation!.Targets!.NAMESPACE!;
  nsArn = `arn:aws:servicediscovery:us-east-1:123456789012:namespace/${nsId}`;
  srvArn = (await t.client.send(new CreateServiceCommand({ Name: 'tagged-svc', NamespaceId: nsId }))).Service!.Arn!;
});
afterAll(async () => {
  await t.stop();
});

describe('tagging', () => {
  it('adds, overwrites and removes tags of a namespace, ignoring absent keys', async () => {
    await t.client.send(
      new TagResourceCommand({
        ResourceARN: nsArn,
        Tags: [
          { Key: 'team', Value: 'a' },
          { Key: 'env', Value: 'prod' },
        ],
      }),
    );
    await t.client.send(
      new TagResourceCommand({
        ResourceARN: nsArn,
        Tags: [
          { Key: 'team', Value: 'b' },
          { Key: 'blank', Value: '' },
        ],
      }),
    );
    expect(await list(nsArn)).toEqual([
      { Key: 'team', Value: 'b' },
      { Key: 'env', Value: 'prod' },
      { Key: 'blank', Value: '' },
    ]);
    await t.client.send(new UntagResourceCommand({ ResourceARN: nsArn, TagKeys: ['env', 'never-there'] }));
    expect(await list(nsArn)).toEqual([
      { Key: 'team', Value: 'b' },
      { Key: 'blank', Value: '' },
    ]);
    await t.client.send(new UntagResourceCommand({ ResourceARN: nsArn, TagKeys: ['team', 'blank'] }));
    expect(await list(nsArn)).toEqual([]);
  });

  it('tags a service by its ARN separately from its namespace', async () => {
    await t.client.send(new TagResourceCommand({ ResourceARN: srvArn, Tags: [{ Key: 'svc', Value: '1' }] }));
    expect(await list(srvArn)).toEqual([{ Key: 'svc', Value: '1' }]);
    expect(await list(nsArn)).not.toContainEqual({ Key: 'svc', Value: '1' });
  });

  it('accepts exactly 50 tags and overwrites within the limit', async () => {
    const { Service } = await t.client.send(new CreateServiceCommand({ Name: 'fifty', NamespaceId: nsId }));
    await t.client.send(new TagResourceCommand({ ResourceARN: Service!.Arn, Tags: tags(50) }));
    await t.client.send(new TagResourceCommand({ ResourceARN: Service!.Arn, Tags: [{ Key: 'k0', Value: 'new' }] }));
    const now = await list(Service!.Arn!);
    expect(now).toHaveLength(50);
    expect(now[0]).toEqual({ Key: 'k0', Value: 'new' });
  });

  it('answers TooManyTagsException naming the ARN when the result would exceed 50 tags, and applies none of them', async () => {
    const { Service } = await t.client.send(new CreateServiceCommand({ Name: 'too-many', NamespaceId: nsId }));
    const arn = Service!.Arn!;
    await t.client.send(new TagResourceCommand({ ResourceARN: arn, Tags: tags(45) }));
    const e = await errorOf(
      t.client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'k0', Value: 'changed' }, ...tags(6, 'x')] })),
    );
    expect(e.name).toBe('TooManyTagsException');
    expect(e.ResourceName).toBe(arn);
    const now = await list(arn);
    expect(now).toHaveLength(45);
    expect(now[0]).toEqual({ Key: 'k0', Value: 'v0' });
  });

  it('refuses more than 50 tags given to a Create call with TooManyTagsException', async () => {
    const e = await errorOf(t.client.send(new CreateHttpNamespaceCommand({ Name: 'born-with-too-many', Tags: tags(51) })));
    expect(e.name).toBe('TooManyTagsException');
  });

  it.each<[string, Tag[]]>([
    ['aws:', [{ Key: 'aws:cloudformation:stack', Value: 'x' }]],
    ['AWS: in capitals', [{ Key: 'AWS:thing', Value: 'x' }]],
  ])('refuses keys with the reserved prefix %s as InvalidInput', async (_label, given) => {
    const e = await errorOf(t.client.send(new TagResourceCommand({ ResourceARN: nsArn, Tags: given })));
    expect(e.name).toBe('InvalidInput');
    expect(e.message).toContain(given[0]!.Key);
  });
});

describe('resource ARNs', () => {
  it.each<[string, string, string]>([
    [
      'a well-formed namespace ARN of nothing',
      'arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-nothing0000000000',
      'ResourceNotFoundException',
    ],
    [
      'a well-formed service ARN of nothing',
      'arn:aws:servicediscovery:us-east-1:123456789012:service/srv-nothing000000000',
      'ResourceNotFoundException',
    ],
    [
      'an ARN of another account',
      'arn:aws:servicediscovery:us-east-1:999999999999:namespace/ns-nothing0000000000',
      'ResourceNotFoundException',
    ],
    [
      'an ARN of another region',
      'arn:aws:servicediscovery:eu-west-1:123456789012:namespace/ns-nothing0000000000',
      'ResourceNotFoundException',
    ],
    ['a bare id', 'ns-nothing0000000000', 'InvalidInput'],
    ['an ARN of another service', 'arn:aws:s3:::my-bucket', 'InvalidInput'],
    ['a Cloud Map ARN of an untaggable kind', 'arn:aws:servicediscovery:us-east-1:123456789012:instance/i-1', 'InvalidInput'],
  ])('answers %s with %s naming it', async (_label, arn, code) => {
    for (const call of [
      t.client.send(new ListTagsForResourceCommand({ ResourceARN: arn })),
      t.client.send(new TagResourceCommand({ ResourceARN: arn, Tags: [{ Key: 'a', Value: 'b' }] })),
      t.client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: ['a'] })),
    ]) {
      const e = await errorOf(call);
      expect(e.name).toBe(code);
      expect(e.message).toContain(arn);
    }
  });
});
