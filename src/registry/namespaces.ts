// Namespaces: HTTP, public DNS and private DNS. Identity, idempotent creation, HttpName uniqueness,
// the per-region limit, and the rules for update and delete.
import type { Catalog } from '../catalog/index.ts';
import { DuplicateRequest, InvalidInput, NamespaceAlreadyExists, ResourceInUse, ResourceLimitExceeded } from '../model/errors.ts';
import type {
  CreateHttpNamespaceRequest,
  CreatePrivateDnsNamespaceRequest,
  CreatePublicDnsNamespaceRequest,
  DeleteNamespaceRequest,
  GetNamespaceRequest,
  ListNamespacesRequest,
  NamespaceFilter,
  Tag,
  UpdateHttpNamespaceRequest,
  UpdatePrivateDnsNamespaceRequest,
  UpdatePublicDnsNamespaceRequest,
} from '../model/inputs.ts';
import type { NamespaceRecord, NamespaceType } from '../model/records.ts';
import type { Mutation } from '../model/changes.ts';
import type { RegistryContext } from './context.ts';
import { findByRequestId, newOperation } from './operations-log.ts';
import { requireNamespace } from './lookup.ts';
import { conditionOf, oldestFirstKey, resourceOwnerKeeps, sortByKey, stringMatcher } from './list-query.ts';
import { isExpired } from './operations.ts';
import { paginate } from './paginate.ts';
import { tokenIn } from './writer.ts';
import { checkTags } from './tag-rules.ts';
import { namespaceView } from './shapes.ts';

interface NewNamespace {
  name: string;
  type: NamespaceType;
  creatorRequestId?: string;
  description?: string;
  tags?: Tag[];
  soaTtl?: number;
  vpc?: string;
}

/** Two namespaces are the same resource when these agree (docs/cloud-map-api.md#namespaces). */
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
  return ctx.writer.write(
    (catalog) => {
      // A retry (same token, same namespace) gets the first answer; the token reused for another one is refused.
      const earlier = findByRequestId(catalog, 'CREATE_NAMESPACE', req.creatorRequestId, (o) => !isExpired(ctx, o));
      const existing = [...catalog.namespaces()].find((ns) => sameIdentity(ns, req));
      if (earlier && earlier.targets.NAMESPACE === existing?.id) return { mutations: [], result: { OperationId: earlier.id } };
      if (earlier) {
        throw new DuplicateRequest(
          `CreatorRequestId ${req.creatorRequestId ?? ''} was already used by operation ${earlier.id} to create namespace ${earlier.targets.NAMESPACE ?? ''}`,
          earlier.id,
        );
      }
      if (existing) throw new NamespaceAlreadyExists(req.name, existing.id, existing.creatorRequestId);
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
        httpName: uniqueHttpName(catalog, req.name, (n) => ctx.ids.hex(n)),
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
    },
    tokenIn('CreatorRequestId', req.creatorRequestId),
  );
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
  createNamespace(ctx, {
    name: input.Name,
    type: 'HTTP',
    creatorRequestId: input.CreatorRequestId,
    description: input.Description,
    tags: input.Tags,
  });

export const createPublicDnsNamespace = (ctx: RegistryContext, input: CreatePublicDnsNamespaceRequest) =>
  createNamespace(ctx, {
    name: input.Name,
    type: 'DNS_PUBLIC',
    creatorRequestId: input.CreatorRequestId,
    description: input.Description,
    tags: input.Tags,
    soaTtl: input.Properties?.DnsProperties.SOA.TTL,
  });

export const createPrivateDnsNamespace = (ctx: RegistryContext, input: CreatePrivateDnsNamespaceRequest) => {
  if (input.Vpc === '') throw new InvalidInput('Vpc must not be empty');
  // Visibility of a private namespace is decided by the --vpc map; a VPC it lacks would be seen by nobody.
  if (!ctx.vpcs.has(input.Vpc)) {
    throw new InvalidInput(
      `Vpc ${input.Vpc} is not configured in cairn: start cairn with --vpc ${input.Vpc}=CIDR[,CIDR...] (or CAIRN_VPC) to say which clients see its namespaces`,
    );
  }
  return createNamespace(ctx, {
    name: input.Name,
    type: 'DNS_PRIVATE',
    creatorRequestId: input.CreatorRequestId,
    description: input.Description,
    tags: input.Tags,
    soaTtl: input.Properties?.DnsProperties.SOA.TTL,
    vpc: input.Vpc,
  });
};

export function getNamespace(ctx: RegistryContext, input: GetNamespaceRequest) {
  const ns = requireNamespace(ctx, input.Id);
  return { Namespace: namespaceView(ctx.account, ctx.catalog, ns, true) };
}

const namespaceTypes: readonly NamespaceType[] = ['HTTP', 'DNS_PUBLIC', 'DNS_PRIVATE'];

function namespacePredicate(f: NamespaceFilter): (ns: NamespaceRecord) => boolean {
  switch (f.Name) {
    case 'TYPE': {
      // IN is not in today's docs but older ones listed it; accepting it costs nothing.
      const c = conditionOf(f, ['EQ', 'BEGINS_WITH', 'IN']);
      for (const v of f.Values) {
        const known = c === 'BEGINS_WITH' ? namespaceTypes.some((t) => t.startsWith(v)) : (namespaceTypes as readonly string[]).includes(v);
        if (!known)
          throw new InvalidInput(
            `Filter TYPE value ${v} is not ${c === 'BEGINS_WITH' ? 'the start of ' : ''}one of ${namespaceTypes.join(', ')}`,
          );
      }
      const match = stringMatcher(c, f.Values);
      return (ns) => match(ns.type);
    }
    case 'NAME':
    case 'HTTP_NAME': {
      const match = stringMatcher(conditionOf(f, ['EQ', 'BEGINS_WITH']), f.Values);
      return f.Name === 'NAME' ? (ns) => match(ns.name) : (ns) => match(ns.httpName);
    }
    case 'RESOURCE_OWNER': {
      const keep = resourceOwnerKeeps(f);
      return () => keep;
    }
  }
}

const namespaceKey = (ns: NamespaceRecord): string => oldestFirstKey(ns.createDate, ns.id);

export function listNamespaces(ctx: RegistryContext, input: ListNamespacesRequest) {
  const preds = (input.Filters ?? []).map(namespacePredicate);
  const items = [...ctx.catalog.namespaces()].filter((ns) => preds.every((p) => p(ns)));
  const page = paginate(sortByKey(items, namespaceKey), input.MaxResults, input.NextToken, namespaceKey);
  return {
    Namespaces: page.items.map((ns) => namespaceView(ctx.account, ctx.catalog, ns, false)),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
}

const updaterOf: Record<NamespaceType, string> = {
  HTTP: 'UpdateHttpNamespace',
  DNS_PUBLIC: 'UpdatePublicDnsNamespace',
  DNS_PRIVATE: 'UpdatePrivateDnsNamespace',
};

interface NamespaceChange {
  description?: string;
  soaTtl?: number;
}

function updateNamespace(
  ctx: RegistryContext,
  idOrArn: string,
  type: NamespaceType,
  updaterRequestId: string | undefined,
  change: NamespaceChange,
) {
  const requestKey = JSON.stringify(change);
  return ctx.writer.write(
    (catalog) => {
      const ns = requireNamespace(ctx, idOrArn, catalog);
      if (ns.type !== type) {
        throw new InvalidInput(
          `Namespace ${ns.id} is a ${ns.type} namespace: update it with ${updaterOf[ns.type]}, not ${updaterOf[type]}`,
        );
      }
      const earlier = findByRequestId(
        catalog,
        'UPDATE_NAMESPACE',
        updaterRequestId,
        (op) => op.targets.NAMESPACE === ns.id && !isExpired(ctx, op),
      );
      if (earlier) {
        // A retry resends the same body; the same token with another change is a caller's mistake.
        if (earlier.requestKey !== undefined && earlier.requestKey !== requestKey) {
          throw new DuplicateRequest(
            `UpdaterRequestId ${updaterRequestId} was already used for another update of namespace ${ns.id} (operation ${earlier.id})`,
            earlier.id,
          );
        }
        return { mutations: [], result: { OperationId: earlier.id } };
      }
      const updated: NamespaceRecord = {
        ...ns,
        ...(change.description !== undefined ? { description: change.description } : {}),
        ...(change.soaTtl !== undefined ? { soaTtl: change.soaTtl } : {}),
      };
      const op = newOperation(ctx, {
        type: 'UPDATE_NAMESPACE',
        targets: { NAMESPACE: ns.id },
        ...(updaterRequestId !== undefined ? { requestId: updaterRequestId } : {}),
        requestKey,
      });
      const mutations: Mutation[] = [{ table: 'namespaces', key: ns.id, value: updated }, op.mutation];
      return { mutations, result: { OperationId: op.record.id } };
    },
    tokenIn('UpdaterRequestId', updaterRequestId),
  );
}

export const updateHttpNamespace = (ctx: RegistryContext, input: UpdateHttpNamespaceRequest) =>
  updateNamespace(ctx, input.Id, 'HTTP', input.UpdaterRequestId, { description: input.Namespace.Description });

/** The change a public or private DNS namespace update asks for (the two shapes are alike). */
const dnsChange = (change: UpdatePublicDnsNamespaceRequest['Namespace'] | UpdatePrivateDnsNamespaceRequest['Namespace']) => ({
  ...(change.Description !== undefined ? { description: change.Description } : {}),
  ...(change.Properties !== undefined ? { soaTtl: change.Properties.DnsProperties.SOA.TTL } : {}),
});

export const updatePublicDnsNamespace = (ctx: RegistryContext, input: UpdatePublicDnsNamespaceRequest) =>
  updateNamespace(ctx, input.Id, 'DNS_PUBLIC', input.UpdaterRequestId, dnsChange(input.Namespace));

export const updatePrivateDnsNamespace = (ctx: RegistryContext, input: UpdatePrivateDnsNamespaceRequest) =>
  updateNamespace(ctx, input.Id, 'DNS_PRIVATE', input.UpdaterRequestId, dnsChange(input.Namespace));

export function deleteNamespace(ctx: RegistryContext, input: DeleteNamespaceRequest) {
  return ctx.writer.write((catalog) => {
    const ns = requireNamespace(ctx, input.Id, catalog);
    const services = catalog.serviceCount(ns.id);
    if (services > 0) {
      throw new ResourceInUse(
        `Namespace ${ns.id} still has ${services} service${services > 1 ? 's' : ''}: delete ${services > 1 ? 'them' : 'it'} first`,
      );
    }
    const op = newOperation(ctx, { type: 'DELETE_NAMESPACE', targets: { NAMESPACE: ns.id } });
    const mutations: Mutation[] = [{ table: 'namespaces', key: ns.id, value: null }, op.mutation];
    if (catalog.tags(ns.id).length > 0) mutations.push({ table: 'tags', key: ns.id, value: null });
    return { mutations, result: { OperationId: op.record.id } };
  });
}
