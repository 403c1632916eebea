import { type AppError, isAppError } from '@strongroom/shared/kernel/errors';

/**
 * RFC 9457 problem details. Every error response of the API has this shape and the media type
 * `application/problem+json`. Field errors name the field twice: `field` (dotted, for people) and
 * `pointer` (RFC 6901, relative to the request part named by `in`).
 */
export interface ProblemField {
  readonly in: string;
  readonly field: string;
  readonly pointer: string;
  readonly message: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: readonly ProblemField[];
}

export const problemMediaType = 'application/problem+json';
export const problemTypeOf = (code: string): string => `urn:strongroom:problem:${code}`;

const titles: Record<AppError['kind'], string> = {
  validation: 'Invalid request',
  unauthenticated: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  conflict: 'Conflict',
  locked: 'Locked',
  'payload-too-large': 'Request too large',
  'rate-limited': 'Too many requests',
  unavailable: 'Service unavailable',
  internal: 'Internal error',
};

const escapePointer = (segment: string | number) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1');

/** The problem for an error. Anything that is not an AppError, and every 5xx, says nothing about its cause. */
export function problemOf(error: unknown, requestId: string): Problem {
  // The occurrence, named by request id rather than by path: a path may carry ids the caller sent.
  const instance = `urn:strongroom:request:${requestId}`;
  if (!isAppError(error) || error.status >= 500) {
    const unavailable = isAppError(error) && error.kind === 'unavailable';
    return {
      type: problemTypeOf(unavailable ? error.code : 'internal-error'),
      title: unavailable ? titles.unavailable : titles.internal,
      status: unavailable ? 503 : 500,
      detail: unavailable
        ? error.message
        : 'The request could not be completed. Quote the request id when you contact support.',
      code: unavailable ? error.code : 'internal-error',
      instance,
      requestId,
    };
  }
  const errors = error.issues.map((issue): ProblemField => {
    const [location = 'body', ...rest] = issue.path;
    return {
      in: String(location),
      field: rest.length ? rest.join('.') : String(location),
      pointer: `/${rest.map(escapePointer).join('/')}`,
      message: issue.message,
    };
  });
  return {
    type: problemTypeOf(error.code),
    title: titles[error.kind],
    status: error.status,
    detail: error.message,
    code: error.code,
    instance,
    requestId,
    ...(errors.length ? { errors } : {}),
  };
}
