// botocore's Cloud Map model (service-2.json, documentation stripped), typed just enough to walk it.
import model from './service-2.json' with { type: 'json' };

export interface ShapeRef {
  shape: string;
  idempotencyToken?: boolean;
}
export type Shape =
  | { type: 'structure'; required?: string[]; members: Record<string, ShapeRef>; exception?: boolean }
  | { type: 'string'; min?: number; max?: number; pattern?: string; enum?: string[] }
  | { type: 'integer' | 'long'; min?: number; max?: number }
  | { type: 'boolean' }
  | { type: 'timestamp' }
  | { type: 'list'; member: ShapeRef; min?: number; max?: number }
  | { type: 'map'; key: ShapeRef; value: ShapeRef; min?: number; max?: number };

export interface OperationModel {
  name: string;
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
  endpoint?: { hostPrefix: string };
}

export interface ServiceModel {
  metadata: { targetPrefix: string; apiVersion: string };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

export const serviceModel = model as unknown as ServiceModel;
export const targetPrefix = serviceModel.metadata.targetPrefix;

/** The values of an enum shape of the model (RecordType, RoutingPolicy, …). */
export function modelEnum(shape: string): string[] {
  const s = serviceModel.shapes[shape];
  if (s?.type !== 'string' || !s.enum) throw new Error(`${shape} is not an enum of the Cloud Map model`);
  return s.enum;
}
