import middy from '@middy/core';
import { accessContext } from '../compose-access.ts';
import { compose, createAwsClients } from '../composition-root.ts';
import { configFromEnvironment } from '../config.ts';
import { createLogger } from '../observability/logger.ts';
import { workerErrors } from '../workers/worker-errors.ts';

/**
 * EventBridge schedule (every minute) → persists the expiry of lapsed requests and releases,
 * frees their locks, emits `release.ended`, and re-sends outbox events whose first send failed.
 * Reads never wait for it: expiry is also decided at read time.
 */
const config = configFromEnvironment();
const logger = createLogger({ service: 'strongroom-access-sweeper', level: config.logLevel });
const { services } = compose({
  config,
  clients: createAwsClients(),
  contexts: ['access'],
  modules: [accessContext],
  onDeliveryError: (error) =>
    logger.warn('delivery failed', { error: error instanceof Error ? error.name : 'unknown' }),
});

export const handler = middy(async (_event: unknown, context: { awsRequestId: string }) => {
  const access = services.access;
  if (!access) throw new Error('the access context is not composed');
  const result = await access.sweepExpired({
    requestId: context.awsRequestId,
    sourceIp: 'internal',
    userAgent: 'strongroom-access-sweeper',
  });
  logger.info('sweep finished', result);
  return result;
}).use(workerErrors(logger));
