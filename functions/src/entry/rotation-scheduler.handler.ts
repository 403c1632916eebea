import middy from '@middy/core';
import { rotationContext } from '../compose-rotation.ts';
import { compose, createAwsClients } from '../composition-root.ts';
import { configFromEnvironment } from '../config.ts';
import { createLogger } from '../observability/logger.ts';
import { workerErrors } from '../workers/worker-errors.ts';

/**
 * EventBridge schedule (every 5 minutes) → starts the rotations that are due through the due
 * index (no scans), inside their windows, and re-queues running ones whose job was lost.
 */
const config = configFromEnvironment();
const logger = createLogger({ service: 'strongroom-rotation-scheduler', level: config.logLevel });
const { services } = compose({
  config,
  clients: createAwsClients(),
  contexts: ['rotation'],
  modules: [rotationContext()],
});

export const handler = middy(async (_event: unknown, context: { awsRequestId: string }) => {
  const rotation = services.rotation;
  if (!rotation) throw new Error('the rotation context is not composed');
  const counts = await rotation.startDueRotations({
    requestId: context.awsRequestId,
    sourceIp: 'internal',
    userAgent: 'strongroom-rotation-scheduler',
  });
  logger.info('scheduler run', counts);
  return counts;
}).use(workerErrors(logger));
