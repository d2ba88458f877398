// Tags of namespaces and services, addressed by ARN: TagResource, UntagResource, ListTagsForResource.
// An ARN that is not a cairn namespace/service ARN is InvalidInput; a well-formed one naming nothing is
// ResourceNotFoundException.
import type { Catalog } from '../catalog/index.ts';
import { InvalidInput, ResourceNotFoundException, TooManyTagsException } from '../model/errors.ts';
import { parseArn } from '../model/ids.ts';
import type { ListTagsForResourceRequest, TagResourceRequest, UntagResourceRequest } from '../model/inputs.ts';
import type { TagsRecord } from '../model/records.ts';
import type { Mutation } from '../model/changes.ts';
import type { RegistryContext } from './context.ts';
import { checkTags } from './tag-rules.ts';

/** The id of the namespace or service the ARN names. */
function resourceId(ctx: RegistryContext, catalog: Catalog, arn: string): string {
  const p = parseArn(arn);
  if (!p) {
    throw new InvalidInput(
      `ResourceARN ${arn} is not a Cloud Map namespace or service ARN (arn:aws:servicediscovery:<region>:<account>:namespace/<id> or …:service/<id>)`,
    );
  }
  const own = p.region === ctx.account.region && p.accountId === ctx.account.accountId;
  const exists = own && (p.kind === 'namespace' ? catalog.namespace(p.id) : catalog.service(p.id)) !== undefined;
  if (!exists) throw new ResourceNotFoundException(arn);
  return p.id;
}

const tagsWrite = (id: string, tags: TagsRecord): Mutation => ({ table: 'tags', key: id, value: tags.length > 0 ? tags : null });

export function tagResource(ctx: RegistryContext, input: TagResourceRequest) {
  checkTags(input.Tags, ctx.limits.maxTagsPerResource, input.ResourceARN);
  return ctx.writer.write((catalog) => {
    const id = resourceId(ctx, catalog, input.ResourceARN);
    const merged = new Map(catalog.tags(id).map((t) => [t.Key, t.Value]));
    for (const t of input.Tags) merged.set(t.Key, t.Value);
    // Nothing is applied when the result would be over the limit.
    if (merged.size > ctx.limits.maxTagsPerResource) throw new TooManyTagsException(input.ResourceARN, ctx.limits.maxTagsPerResource);
    if (input.Tags.length === 0) return { mutations: [], result: {} };
    return {
      mutations: [
        tagsWrite(
          id,
          [...merged].map(([Key, Value]) => ({ Key, Value })),
        ),
      ],
      result: {},
    };
  });
}

export function untagResource(ctx: RegistryContext, input: UntagResourceRequest) {
  return ctx.writer.write((catalog) => {
    const id = resourceId(ctx, catalog, input.ResourceARN);
    const drop = new Set(input.TagKeys);
    const current = catalog.tags(id);
    const kept = current.filter((t) => !drop.has(t.Key));
    if (kept.length === current.length) return { mutations: [], result: {} };
    return { mutations: [tagsWrite(id, kept)], result: {} };
  });
}

export function listTagsForResource(ctx: RegistryContext, input: ListTagsForResourceRequest) {
  const id = resourceId(ctx, ctx.catalog, input.ResourceARN);
  return { Tags: ctx.catalog.tags(id) };
}
