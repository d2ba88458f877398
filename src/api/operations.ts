// The table of operations: X-Amz-Target operation name → handler. A new operation is one line here.
import type { OperationInputs } from '../model/inputs.ts';
import type { RegistryContext } from '../registry/context.ts';
import * as namespaces from '../registry/namespaces.ts';

export type Handler<K extends keyof OperationInputs> = (ctx: RegistryContext, input: OperationInputs[K]) => Promise<object | undefined> | object | undefined;
export type HandlerTable = { [K in keyof OperationInputs]?: Handler<K> };

export const handlers: HandlerTable = {
  CreateHttpNamespace: namespaces.createHttpNamespace,
  GetNamespace: namespaces.getNamespace,
};
