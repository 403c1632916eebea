import middy from '@middy/core';
import type { SQSEvent } from 'aws-lambda';
import { rotationContext } from '../compose-rotation.ts';
import { compose, createAwsClients } from '../composition-root.ts';
import { configFromEnvironment } from '../config.ts';
import { createLogger } from '../observability/logger.ts';
import { createReleaseEventsWorker } from '../workers/release-events-worker.ts';
import { workerErrors } from '../workers/worker-errors.ts';

/** Domain-events queue → rotation after check-in, revoke or expiry of a release (when asked for). */
const config = configFromEnvironment();
const logger = createLogger({ service: 'strongroom-release-events', level: config.logLevel });
const { services } = compose({
  config,
  clients: createAwsClients(),
  contexts: ['rotation'],
  modules: [rotationContext()],
});
if (!services.rotation) throw new Error('the rotation context is not composed');
const worker = createReleaseEventsWorker({ rotation: services.rotation, logger });

export const handler = middy(async (event: SQSEvent) => worker(event)).use(workerErrors(logger));
