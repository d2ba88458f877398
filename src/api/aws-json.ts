// The one place errors become HTTP: the AWS JSON 1.1 error shape, for typed errors, validation failures
// and anything unexpected (a 500 InternalFailure that never leaks a stack).
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { RawJson } from '../model/raw-json.ts';
import { CloudMapError, InternalFailure, InvalidInput, SerializationException } from '../model/errors.ts';

export const JSON_TYPE = 'application/x-amz-json-1.1';

export function sendOk(reply: FastifyReply, body: unknown): FastifyReply {
  const text = body instanceof RawJson ? body.text : JSON.stringify(body ?? {});
  return reply.code(200).header('content-type', JSON_TYPE).send(text);
}

/** The AWS JSON 1.1 error body: __type, message and Message, and the error's modeled members. */
export function errorBody(error: CloudMapError): string {
  const body: Record<string, unknown> = { __type: error.code, message: error.message, Message: error.message };
  for (const [k, v] of Object.entries(error.extras)) if (v !== undefined) body[k] = v;
  return JSON.stringify(body);
}

export function sendError(reply: FastifyReply, error: CloudMapError): FastifyReply {
  return reply.code(error.status).header('content-type', JSON_TYPE).header('x-amzn-ErrorType', error.code).send(errorBody(error));
}

const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 3)}...` : s);
const describe = (v: unknown): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s === undefined ? 'null' : clip(s, 80);
};
/** Where a value is, short: a map key is the client's own text and may be as long as the body. */
const pathOf = (path: PropertyKey[]): string => clip(path.map((p) => clip(String(p), 64)).join('.'), 200);

/** A zod failure as AWS words it: type errors are SerializationException, the rest InvalidInput. */
export function fromZod(error: z.ZodError): CloudMapError {
  const issues = error.issues;
  const typeIssue = issues.find((i) => i.code === 'invalid_type' && i.input !== undefined);
  if (typeIssue) {
    return new SerializationException(
      `Value at '${pathOf(typeIssue.path)}' has the wrong type: ${typeIssue.message.replace(/^Invalid input: /, '')}`,
    );
  }
  const texts = issues.slice(0, 5).map((i) => {
    const at = pathOf(i.path) || '(body)';
    if (i.code === 'invalid_type') return `Value null at '${at}' failed to satisfy constraint: Member must not be null`;
    if (i.code === 'invalid_value')
      return `Value ${describe(i.input)} at '${at}' failed to satisfy constraint: Member must satisfy enum value set: [${i.values.join(', ')}]`;
    return `Value ${describe(i.input)} at '${at}' failed to satisfy constraint: ${i.message}`;
  });
  return new InvalidInput(`${issues.length} validation error${issues.length > 1 ? 's' : ''} detected: ${texts.join('; ')}`);
}

export function toCloudMapError(e: unknown): CloudMapError {
  if (e instanceof CloudMapError) return e;
  if (e instanceof z.ZodError) return fromZod(e);
  return new InternalFailure();
}
