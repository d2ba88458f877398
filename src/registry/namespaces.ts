// Namespaces: HTTP, public DNS and private DNS. Identity, idempotent creation, HttpName uniqueness,
// the per-region limit, and the rules for update and delete.
import type { Catalog } from '../catalog/catalog.ts';
import { InvalidInput, NamespaceAlreadyExists, ResourceLimitExceeded } from '../model/errors.ts';
import type { CreateHttpNamespaceRequest, CreatePrivateDnsNamespaceRequest, CreatePublicDnsNamespaceRequest, GetNamespaceRequest, Tag } from '../model/inputs.ts';
import type { NamespaceRecord, NamespaceType } from '../model/records.ts';
import type { Mutation } from '../store/types.ts';
import type { RegistryContext } from './context.ts';
import { findByRequestId, newOperation } from './operations-log.ts';
import { requireNamespace } from './lookup.ts';
import { checkTags } from './tag-rules.ts';
import { namespaceView } from './views.ts';

interface NewNamespace {
  name: string;
  type: NamespaceType;
  creatorRequestId?: string;
  description?: string;
  tags?: Tag[];
  soaTtl?: number;
  vpc?: string;
}

/** Two namespaces are the same resource when these agree (the spec's identity rules). */
function sameIdentity(a: NamespaceRecord, b: NewNamespace): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'HTTP') return a.name === b.name;
  if (a.name.toLowerCase() !== b.name.toLowerCase()) return false;
  return a.type === 'DNS_PUBLIC' || a.vpc === b.vpc;
}

function dnsName(name: string): string {
  const labels = name.split('.');
  if (name.length > 253 || labels.some((l) => l.length === 0 || l.length > 63)) {
    throw new InvalidInput(`Name ${name} is not a valid DNS name: labels must be 1 to 63 characters and the name at most 253`);
  }
  return name;
}

function createNamespace(ctx: RegistryContext, req: NewNamespace): Promise<{ OperationId: string }> {
  if (req.type !== 'HTTP') dnsName(req.name);
  checkTags(req.tags ?? [], ctx.limits.maxTagsPerResource, req.name);
  return ctx.writer.write((catalog) => {
    const existing = [...catalog.namespaces()].find((ns) => sameIdentity(ns, req));
    if (existing) {
      const op = findByRequestId(catalog, 'CREATE_NAMESPACE', req.creatorRequestId, (o) => o.targets.NAMESPACE === existing.id);
      if (op) return { mutations: [], result: { OperationId: op.id } };
      throw new NamespaceAlreadyExists(req.name, existing.id, existing.creatorRequestId);
    }
    let count = 0;
    for (const _ of catalog.namespaces()) count++;
    if (count >= ctx.limits.maxNamespaces) {
      throw new ResourceLimitExceeded(`The limit of ${ctx.limits.maxNamespaces} namespaces is reached`);
    }
    const id = ctx.ids.namespace();
    const record: NamespaceRecord = {
      id,
      name: req.name,
      type: req.type,
      httpName: uniqueHttpName(catalog, req.name, ctx.ids.hex),
      createDate: ctx.now(),
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.creatorRequestId !== undefined ? { creatorRequestId: req.creatorRequestId } : {}),
      ...(req.type !== 'HTTP' ? { soaTtl: req.soaTtl ?? ctx.defaultSoaTtl, hostedZoneId: ctx.ids.hostedZone() } : {}),
      ...(req.vpc !== undefined ? { vpc: req.vpc } : {}),
    };
    const op = newOperation(ctx, {
      type: 'CREATE_NAMESPACE',
      targets: { NAMESPACE: id },
      ...(req.creatorRequestId !== undefined ? { requestId: req.creatorRequestId } : {}),
    });
    const mutations: Mutation[] = [{ table: 'namespaces', key: id, value: record }, op.mutation];
    if (req.tags && req.tags.length > 0) mutations.push({ table: 'tags', key: id, value: dedupeTags(req.tags) });
    return { mutations, result: { OperationId: op.record.id } };
  });
}

/** HttpName is unique across namespaces: a reused name gets `-<8 hex>` appended, as AWS adds a hash. */
function uniqueHttpName(catalog: Catalog, name: string, hex: (n: number) => string): string {
  if (!catalog.namespaceByHttp(name)) return name;
  for (;;) {
    const candidate = `${name}-${hex(8)}`;
    if (!catalog.namespaceByHttp(candidate)) return candidate;
  }
}

/** The last value of a repeated key wins, as with TagResource. */
export function dedupeTags(tags: Tag[]): Tag[] {
  const m = new Map<string, string>();
  for (const t of tags) m.set(t.Key, t.Value);
  return [...m].map(([Key, Value]) => ({ Key, Value }));
}

export const createHttpNamespace = (ctx: RegistryContext, input: CreateHttpNamespaceRequest) =>
  createNamespace(ctx, { name: input.Name, type: 'HTTP', creatorRequestId: input.CreatorRequestId, description: input.Description, tags: input.Tags });

export const createPublicDnsNamespace = (ctx: RegistryContext, input: CreatePublicDnsNamespaceRequest) =>
  createNamespace(ctx, {
    name: input.Name, type: 'DNS_PUBLIC', creatorRequestId: input.CreatorRequestId, description: input.Description, tags: input.Tags,
    soaTtl: input.Properties?.DnsProperties.SOA.TTL,
  });

export const createPrivateDnsNamespace = (ctx: RegistryContext, input: CreatePrivateDnsNamespaceRequest) => {
  if (input.Vpc === '') throw new InvalidInput('Vpc must not be empty');
  return createNamespace(ctx, {
    name: input.Name, type: 'DNS_PRIVATE', creatorRequestId: input.CreatorRequestId, description: input.Description, tags: input.Tags,
    soaTtl: input.Properties?.DnsProperties.SOA.TTL, vpc: input.Vpc,
  });
};

export function getNamespace(ctx: RegistryContext, input: GetNamespaceRequest) {
  const ns = requireNamespace(ctx, input.Id);
  return { Namespace: namespaceView(ctx.account, ctx.catalog, ns, true) };
}
