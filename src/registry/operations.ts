// GetOperation and ListOperations, and the retention of operation records: an operation older than
// --operation-retention is no longer returned, and later writes prune it from the store.
import { InvalidInput, OperationNotFound } from '../model/errors.ts';
import { idFromIdOrArn } from '../model/ids.ts';
import type { GetOperationRequest, ListOperationsRequest, OperationFilter } from '../model/inputs.ts';
import { OperationStatus, OperationType, type OperationRecord } from '../model/records.ts';
import type { RegistryContext } from './context.ts';
import { conditionOf, newestFirstKey, sortByKey, stringMatcher } from './list-query.ts';
import { paginate } from './paginate.ts';
import { operationSummaryView, operationView } from './shapes.ts';

export const isExpired = (ctx: RegistryContext, op: OperationRecord, now: number = ctx.now()): boolean =>
  op.createDate < now - ctx.operationRetentionMs;

export function getOperation(ctx: RegistryContext, input: GetOperationRequest) {
  const op = ctx.catalog.operation(input.OperationId);
  if (!op || isExpired(ctx, op) || (input.OwnerAccount !== undefined && input.OwnerAccount !== ctx.account.accountId)) {
    throw new OperationNotFound(input.OperationId);
  }
  return { Operation: operationView(ctx.account, op) };
}

const statuses: readonly string[] = OperationStatus.options;
const types: readonly string[] = OperationType.options;

/** A date value of UPDATE_DATE: epoch seconds (as the API returns them) or an ISO 8601 date. */
function dateValue(v: string): number {
  const n = /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) * 1000 : Date.parse(v);
  if (Number.isNaN(n)) throw new InvalidInput(`Filter UPDATE_DATE value ${v} is not a date: give epoch seconds or an ISO 8601 date`);
  return n;
}

function operationPredicate(ctx: RegistryContext, f: OperationFilter): (op: OperationRecord) => boolean {
  switch (f.Name) {
    case 'NAMESPACE_ID':
    case 'SERVICE_ID': {
      conditionOf(f, ['EQ']);
      const kind = f.Name === 'NAMESPACE_ID' ? 'namespace' : 'service';
      const id = idFromIdOrArn(ctx.account, f.Values[0] ?? '', kind);
      const target = f.Name === 'NAMESPACE_ID' ? 'NAMESPACE' : 'SERVICE';
      return (op) => id !== undefined && op.targets[target] === id;
    }
    case 'STATUS':
    case 'TYPE': {
      const c = conditionOf(f, ['EQ', 'IN']);
      const known = f.Name === 'STATUS' ? statuses : types;
      for (const v of f.Values) {
        if (!known.includes(v)) throw new InvalidInput(`Filter ${f.Name} value ${v} is not one of ${known.join(', ')}`);
      }
      const match = stringMatcher(c, f.Values);
      return f.Name === 'STATUS' ? (op) => match(op.status) : (op) => match(op.type);
    }
    case 'UPDATE_DATE': {
      conditionOf(f, ['BETWEEN']);
      const [from, to] = f.Values.map(dateValue) as [number, number];
      if (from > to) throw new InvalidInput(`Filter UPDATE_DATE takes the start date first: ${f.Values[0]} is after ${f.Values[1]}`);
      return (op) => op.updateDate >= from && op.updateDate <= to;
    }
  }
}

const opKey = (op: OperationRecord): string => newestFirstKey(op.createDate, op.id);

export function listOperations(ctx: RegistryContext, input: ListOperationsRequest) {
  const preds = (input.Filters ?? []).map((f) => operationPredicate(ctx, f));
  const now = ctx.now();
  const items = [...ctx.catalog.operations()].filter((op) => !isExpired(ctx, op, now) && preds.every((p) => p(op)));
  const page = paginate(sortByKey(items, opKey), input.MaxResults, input.NextToken, opKey);
  return {
    Operations: page.items.map(operationSummaryView),
    ...(page.nextToken !== undefined ? { NextToken: page.nextToken } : {}),
  };
}
