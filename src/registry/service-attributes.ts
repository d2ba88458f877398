// Service attributes (Get/Update/DeleteServiceAttributes): a small key-value map kept in the service
// record, limited to --max-service-attributes keys, that never reaches DNS or discovery.
import { InvalidInput, ServiceAttributesLimitExceeded } from '../model/errors.ts';
import type { DeleteServiceAttributesRequest, GetServiceAttributesRequest, UpdateServiceAttributesRequest } from '../model/inputs.ts';
import type { RegistryContext } from './context.ts';
import { requireService } from './lookup.ts';
import { serviceAttributesView } from './shapes.ts';

export function getServiceAttributes(ctx: RegistryContext, input: GetServiceAttributesRequest) {
  const s = requireService(ctx, input.ServiceId);
  return { ServiceAttributes: serviceAttributesView(ctx.account, s) };
}

/** Adds or overwrites keys; the service may hold at most the limit afterwards. */
export function updateServiceAttributes(ctx: RegistryContext, input: UpdateServiceAttributesRequest) {
  // The model gives keys no minimum length, but an empty key cannot be read back by name.
  if (Object.hasOwn(input.Attributes, '')) throw new InvalidInput('Attributes: a service attribute key must not be empty');
  return ctx.writer.write((catalog) => {
    const s = requireService(ctx, input.ServiceId, catalog);
    const attributes = { ...s.attributes, ...input.Attributes };
    if (Object.keys(attributes).length > ctx.limits.maxServiceAttributes) {
      throw new ServiceAttributesLimitExceeded(s.id, ctx.limits.maxServiceAttributes);
    }
    const changed = Object.entries(input.Attributes).some(([k, v]) => s.attributes[k] !== v);
    if (!changed) return { mutations: [], result: {} };
    return { mutations: [{ table: 'services', key: s.id, value: { ...s, attributes } }], result: {} };
  });
}

/** Removes the keys; keys the service does not have are ignored. */
export function deleteServiceAttributes(ctx: RegistryContext, input: DeleteServiceAttributesRequest) {
  return ctx.writer.write((catalog) => {
    const s = requireService(ctx, input.ServiceId, catalog);
    const drop = new Set(input.Attributes);
    if (!Object.keys(s.attributes).some((k) => drop.has(k))) return { mutations: [], result: {} };
    const attributes = Object.fromEntries(Object.entries(s.attributes).filter(([k]) => !drop.has(k)));
    return { mutations: [{ table: 'services', key: s.id, value: { ...s, attributes } }], result: {} };
  });
}
