import type middy from '@middy/core';
import { isAppError } from '@strongroom/shared/kernel/errors';
import type { Logger } from '../observability/logger.ts';

/**
 * The one error mapping of the workers (the Hono `onError` is the API's): an AppError is logged
 * with its kind and code; anything else as an internal error without its message, which could
 * carry target or SDK details. The error is rethrown so that Lambda retries or dead-letters it.
 */
export function workerErrors(logger: Pick<Logger, 'error'>): middy.MiddlewareObj {
  return {
    onError: async (request) => {
      const error = request.error;
      if (isAppError(error)) {
        logger.error('worker failed', { kind: error.kind, code: error.code, status: error.status });
      } else {
        logger.error('worker failed', {
          kind: 'internal',
          name: error instanceof Error ? error.name : 'unknown',
        });
      }
      throw error;
    },
  };
}
