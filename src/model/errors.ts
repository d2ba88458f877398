// Typed Cloud Map errors. Each class carries its wire code and any extra modeled members;
// api/wire.ts is the one place that turns them into HTTP responses.

export type ErrorExtras = Record<string, string | undefined>;

export class CloudMapError extends Error {
  readonly code: string;
  readonly status: number;
  readonly extras: ErrorExtras;
  constructor(code: string, message: string, status = 400, extras: ErrorExtras = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
    this.extras = extras;
  }
}

export class InvalidInput extends CloudMapError {
  constructor(message: string) {
    super('InvalidInput', message);
  }
}
export class NamespaceNotFound extends CloudMapError {
  constructor(id: string) {
    super('NamespaceNotFound', `Namespace not found: ${id}`);
  }
}
export class ServiceNotFound extends CloudMapError {
  constructor(id: string) {
    super('ServiceNotFound', `Service not found: ${id}`);
  }
}
export class InstanceNotFound extends CloudMapError {
  constructor(id: string, serviceId?: string) {
    super('InstanceNotFound', serviceId ? `Instance not found: ${id} in service ${serviceId}` : `Instance not found: ${id}`);
  }
}
export class OperationNotFound extends CloudMapError {
  constructor(id: string) {
    super('OperationNotFound', `Operation not found: ${id}`);
  }
}
export class ResourceNotFoundException extends CloudMapError {
  constructor(arn: string) {
    super('ResourceNotFoundException', `Resource not found: ${arn}`);
  }
}
export class NamespaceAlreadyExists extends CloudMapError {
  constructor(name: string, namespaceId: string, creatorRequestId?: string) {
    super('NamespaceAlreadyExists', `Namespace ${name} already exists with id ${namespaceId}`, 400, {
      CreatorRequestId: creatorRequestId,
      NamespaceId: namespaceId,
    });
  }
}
export class ServiceAlreadyExists extends CloudMapError {
  constructor(name: string, serviceId: string, serviceArn: string, creatorRequestId?: string) {
    super('ServiceAlreadyExists', `Service ${name} already exists with id ${serviceId}`, 400, {
      CreatorRequestId: creatorRequestId,
      ServiceId: serviceId,
      ServiceArn: serviceArn,
    });
  }
}
export class DuplicateRequest extends CloudMapError {
  constructor(message: string, operationId: string) {
    super('DuplicateRequest', message, 400, { DuplicateOperationId: operationId });
  }
}
export class ResourceInUse extends CloudMapError {
  constructor(message: string) {
    super('ResourceInUse', message);
  }
}
export class ResourceLimitExceeded extends CloudMapError {
  constructor(message: string) {
    super('ResourceLimitExceeded', message);
  }
}
export class TooManyTagsException extends CloudMapError {
  constructor(resourceName: string, limit: number) {
    super('TooManyTagsException', `Resource ${resourceName} would have more than ${limit} tags`, 400, { ResourceName: resourceName });
  }
}
export class CustomHealthNotFound extends CloudMapError {
  constructor(serviceId: string) {
    super('CustomHealthNotFound', `Service ${serviceId} has no HealthCheckCustomConfig`);
  }
}
export class RequestLimitExceeded extends CloudMapError {
  constructor(operation: string) {
    super('RequestLimitExceeded', `Rate exceeded for ${operation}`);
  }
}
export class ServiceAttributesLimitExceeded extends CloudMapError {
  constructor(serviceId: string, limit: number) {
    super('ServiceAttributesLimitExceededException', `Service ${serviceId} would have more than ${limit} attributes`);
  }
}

// Not modeled by Cloud Map, but used by every AWS JSON 1.1 service.
/** More watches (streams and blocking queries) than --watch-max are open: retry later. */
export class TooManyWatches extends CloudMapError {
  constructor(max: number) {
    super('ThrottlingException', `Too many open watches: this replica holds at most ${max} (--watch-max); retry later`, 429);
  }
}
export class UnknownOperation extends CloudMapError {
  constructor(target: string) {
    super('UnknownOperationException', `Unknown operation: ${target || '(no X-Amz-Target)'}`);
  }
}
export class SerializationException extends CloudMapError {
  constructor(message: string) {
    super('SerializationException', message);
  }
}
export class ServiceUnavailable extends CloudMapError {
  constructor(message: string) {
    super('ServiceUnavailable', message, 503);
  }
}
/** The store was never sent the write (not connected): nothing was written, and a retry is safe as it is. */
export class StoreUnreachable extends ServiceUnavailable {
  constructor() {
    super('The registry store is unreachable; nothing was written. Retry later.');
  }
}
/**
 * The write was sent but no answer came in time: the store may still apply it. `token` names the request
 * member (CreatorRequestId, UpdaterRequestId) whose value makes a retry return the first outcome.
 */
export class WriteOutcomeUnknown extends ServiceUnavailable {
  constructor(token?: string) {
    super(
      `The registry store did not answer in time; the write may or may not have been applied. ${
        token !== undefined
          ? `Retry with the same ${token} to get its outcome: it is applied at most once.`
          : 'Read the resource back (or ListOperations) to see whether it was before retrying.'
      }`,
    );
  }
}
export class InternalFailure extends CloudMapError {
  constructor(message = 'Internal failure') {
    super('InternalFailure', message, 500);
  }
}
export class AuthError extends CloudMapError {
  constructor(
    code:
      'MissingAuthenticationTokenException' | 'IncompleteSignatureException' | 'UnrecognizedClientException' | 'InvalidSignatureException',
    message: string,
  ) {
    super(code, message, code === 'MissingAuthenticationTokenException' ? 403 : 400);
  }
}
