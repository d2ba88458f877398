// Operation records: every asynchronous Cloud Map call (namespace create/update/delete, UpdateService,
// register/deregister) is applied at once and recorded as a SUCCESS operation, which is also what makes
// retries with the same CreatorRequestId idempotent.
import type { Catalog } from '../catalog/index.ts';
import type { OperationRecord, OperationType } from '../model/records.ts';
import type { Mutation } from '../model/changes.ts';
import type { RegistryContext } from './context.ts';

export interface NewOperation {
  type: OperationType;
  targets: OperationRecord['targets'];
  /** CreatorRequestId / UpdaterRequestId of the request. */
  requestId?: string;
  /** What the request asked for, to tell a true retry from a reused token. */
  requestKey?: string;
}

export function newOperation(ctx: RegistryContext, op: NewOperation): { record: OperationRecord; mutation: Mutation } {
  const now = ctx.now();
  const record: OperationRecord = {
    id: ctx.ids.operation(),
    type: op.type,
    status: 'SUCCESS',
    createDate: now,
    updateDate: now,
    targets: op.targets,
    ...(op.requestId !== undefined ? { requestId: op.requestId } : {}),
    ...(op.requestKey !== undefined ? { requestKey: op.requestKey } : {}),
  };
  return { record, mutation: { table: 'operations', key: record.id, value: record } };
}

/** The earlier operation of this type made with the same request token, if any. */
export function findByRequestId(
  catalog: Catalog,
  type: OperationType,
  requestId: string | undefined,
  where: (op: OperationRecord) => boolean = () => true,
): OperationRecord | undefined {
  if (requestId === undefined) return undefined;
  return catalog.operationsByRequest(requestId).find((op) => op.type === type && where(op));
}
