// The operations the API dispatches by X-Amz-Target: the model's operation names, each with its input
// schema and the registry's handler. Dispatch goes through a Map keyed by those names, so a name
// inherited from Object.prototype (constructor, toString, __proto__, ...) is never an operation.
import type { z } from 'zod';
import { inputSchema } from '../model/input-schema.ts';
import type { OperationInputs } from '../model/inputs.ts';
import { serviceModel, targetPrefix } from '../model/service-model.ts';
import { handlers, type RegistryContext } from '../registry/index.ts';

/** One dispatchable operation: its name, input schema and handler. */
export interface Operation {
  name: keyof OperationInputs;
  schema: z.ZodType;
  handler: (ctx: RegistryContext, input: unknown) => Promise<object | undefined> | object | undefined;
}

function buildOperations(): ReadonlyMap<string, Operation> {
  const names = Object.keys(serviceModel.operations);
  const extra = Object.keys(handlers).filter((name) => !names.includes(name));
  const missing = names.filter((name) => !Object.hasOwn(handlers, name));
  if (extra.length > 0 || missing.length > 0) {
    throw new Error(`operation table and model disagree: without handler [${missing.join(', ')}], not in the model [${extra.join(', ')}]`);
  }
  return new Map(
    names.map((n) => {
      const name = n as keyof OperationInputs;
      return [name, { name, schema: inputSchema(name), handler: handlers[name] as Operation['handler'] }];
    }),
  );
}

export const operationTable: ReadonlyMap<string, Operation> = buildOperations();

/** The operation an X-Amz-Target names: only the model's operations of this service's prefix. */
export function operationOfTarget(target: string): Operation | undefined {
  const dot = target.lastIndexOf('.');
  return dot > 0 && target.slice(0, dot) === targetPrefix ? operationTable.get(target.slice(dot + 1)) : undefined;
}
