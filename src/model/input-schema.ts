// zod schemas for every operation's input, built from botocore's model: required members, lengths,
// ranges, patterns and enums exactly as the model states them. Business rules live in registry/.
import { z } from 'zod';
import { serviceModel, type Shape } from './service-model.ts';
import type { OperationInputs } from './inputs.ts';

const cache = new Map<string, z.ZodType>();

function schemaOf(name: string): z.ZodType {
  const hit = cache.get(name);
  if (hit) return hit;
  // Recursive shapes do not occur in this model, but a lazy placeholder keeps the walk safe if they do.
  cache.set(
    name,
    z.lazy(() => schemaOf(name)),
  );
  const built = build(serviceModel.shapes[name] as Shape);
  cache.set(name, built);
  return built;
}

/**
 * Length bounds as refinements, which run only on a value of the right type. zod's own min/max length
 * checks run on anything with a `length` member even after the type check failed, and a body such as
 * {"ServiceId": {"length": {"toString": ""}}} then throws inside zod (a 500 instead of a 400).
 */
function lengthBounded<T extends z.ZodString | z.ZodArray>(t: T, s: { min?: number; max?: number }): T {
  const { min, max } = s;
  let out = t as z.ZodType<{ length: number }>;
  if (min !== undefined) out = out.refine((v) => v.length >= min, `Member must have length greater than or equal to ${min}`);
  if (max !== undefined) out = out.refine((v) => v.length <= max, `Member must have length less than or equal to ${max}`);
  return out as T;
}

function build(s: Shape): z.ZodType {
  switch (s.type) {
    case 'string': {
      if (s.enum) return z.enum(s.enum as [string, ...string[]]);
      let t = lengthBounded(z.string(), s);
      if (s.pattern !== undefined) t = t.regex(new RegExp(s.pattern), `Member must satisfy regular expression pattern: ${s.pattern}`);
      return t;
    }
    case 'integer':
    case 'long': {
      let t = z.number().int();
      if (s.min !== undefined) t = t.min(s.min, `Member must have value greater than or equal to ${s.min}`);
      if (s.max !== undefined) t = t.max(s.max, `Member must have value less than or equal to ${s.max}`);
      return t;
    }
    case 'boolean':
      return z.boolean();
    case 'timestamp':
      return z.number();
    case 'list': {
      return lengthBounded(z.array(schemaOf(s.member.shape)), s);
    }
    case 'map': {
      const key = schemaOf(s.key.shape) as z.ZodType<string>;
      let t: z.ZodType = z.record(key, schemaOf(s.value.shape));
      const { min, max } = s;
      if (min !== undefined || max !== undefined) {
        t = t.superRefine((v, ctx) => {
          const n = Object.keys(v as object).length;
          if (min !== undefined && n < min) ctx.addIssue({ code: 'custom', message: `Member must have at least ${min} entries` });
          if (max !== undefined && n > max) ctx.addIssue({ code: 'custom', message: `Member must have at most ${max} entries` });
        });
      }
      return t;
    }
    case 'structure': {
      const shape: Record<string, z.ZodType> = {};
      for (const [member, ref] of Object.entries(s.members)) {
        const inner = schemaOf(ref.shape);
        shape[member] = s.required?.includes(member) ? inner : inner.optional();
      }
      return z.object(shape); // unknown members are stripped, as AWS ignores them
    }
  }
}

/** The input schema of an operation (an empty object schema when the model has no input). */
export function inputSchema<K extends keyof OperationInputs>(operation: K): z.ZodType<OperationInputs[K]> {
  const op = Object.hasOwn(serviceModel.operations, operation) ? serviceModel.operations[operation] : undefined;
  if (!op?.input) return z.object({}) as unknown as z.ZodType<OperationInputs[K]>;
  return schemaOf(op.input.shape) as z.ZodType<OperationInputs[K]>;
}
