import middy from '@middy/core';
import { connectorFor } from '@strongroom/connectors/index';
import type { SQSEvent } from 'aws-lambda';
import { rotationContext } from '../compose-rotation.ts';
import { compose, createAwsClients } from '../composition-root.ts';
import { configFromEnvironment } from '../config.ts';
import { createLogger } from '../observability/logger.ts';
import { createRotationWorker } from '../workers/rotation-worker.ts';
import { workerErrors } from '../workers/worker-errors.ts';

/**
 * Rotation queue (FIFO, a message group per system lane) → runs each job's rotation from its
 * persisted step; failed jobs are reported as partial batch failures, retried after the
 * visibility timeout, and dead-lettered after the redrive policy's receives.
 */
const config = configFromEnvironment();
const logger = createLogger({ service: 'strongroom-rotation-worker', level: config.logLevel });
const { rotationEngine } = compose({
  config,
  clients: createAwsClients(),
  contexts: ['rotation'],
  modules: [rotationContext(connectorFor)],
});
if (!rotationEngine) throw new Error('the rotation context is not composed');
const worker = createRotationWorker({ engine: rotationEngine, logger });

export const handler = middy(async (event: SQSEvent) => worker(event)).use(workerErrors(logger));
