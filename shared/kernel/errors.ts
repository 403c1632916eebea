/**
 * One error type for the whole product. Services throw `AppError`s (usually one of the named
 * subclasses); the HTTP and worker edges map them once to RFC 9457 problem details. Anything that
 * is not an `AppError` is an internal error whose details never leave the process.
 */

export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'locked'
  | 'payload-too-large'
  | 'rate-limited'
  | 'unavailable'
  | 'internal';

export const statusOfKind: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  locked: 423,
  'payload-too-large': 413,
  'rate-limited': 429,
  unavailable: 503,
  internal: 500,
};

/** One invalid input field: `path` is the JSON path of the field in the request (`["body","username"]`). */
export interface FieldIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface AppErrorOptions {
  readonly cause?: unknown;
  readonly issues?: readonly FieldIssue[];
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  /** Stable machine-readable code, e.g. `account-not-found`; becomes the problem `type` suffix. */
  readonly code: string;
  readonly issues: readonly FieldIssue[];

  constructor(kind: ErrorKind, code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.kind = kind;
    this.code = code;
    this.issues = options.issues ?? [];
  }

  get status(): number {
    return statusOfKind[this.kind];
  }
}

export class ValidationError extends AppError {
  constructor(issues: readonly FieldIssue[], message = describeIssues(issues)) {
    super('validation', 'invalid-request', message, { issues });
    this.name = 'ValidationError';
  }

  static field(path: readonly (string | number)[], message: string): ValidationError {
    return new ValidationError([{ path, message }]);
  }
}

export class UnauthenticatedError extends AppError {
  constructor(code = 'unauthenticated', message = 'Authentication is required.') {
    super('unauthenticated', code, message);
    this.name = 'UnauthenticatedError';
  }
}

export class ForbiddenError extends AppError {
  /** The permission that was missing, for the audit trail (never shown to the caller). */
  readonly permission: string | null;
  constructor(
    permission: string | null = null,
    message = 'You do not have permission to perform this operation.',
  ) {
    super('forbidden', 'forbidden', message);
    this.name = 'ForbiddenError';
    this.permission = permission;
  }
}

/** Another tenant's object and a missing object are indistinguishable: both are this. */
export class NotFoundError extends AppError {
  constructor(resource: string) {
    super('not-found', `${resource}-not-found`, `The ${resource.replace(/-/g, ' ')} does not exist.`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super('conflict', code, message, options);
    this.name = 'ConflictError';
  }
}

export class LockedError extends AppError {
  constructor(code: string, message: string) {
    super('locked', code, message);
    this.name = 'LockedError';
  }
}

/** The audit event could not be written, so the operation did not happen (fail closed). */
export class AuditUnavailableError extends AppError {
  constructor(cause: unknown) {
    super('unavailable', 'audit-unavailable', 'The audit trail could not be written; nothing was changed.', {
      cause,
    });
    this.name = 'AuditUnavailableError';
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

function describeIssues(issues: readonly FieldIssue[]): string {
  const first = issues[0];
  if (!first) return 'The request is invalid.';
  const where = first.path.length > 0 ? first.path.join('.') : 'request';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `Invalid ${where}: ${first.message}${more}`;
}
