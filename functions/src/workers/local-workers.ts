import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Composition } from '../composition-root.ts';
import type { StrongroomConfig } from '../config.ts';
import type { Logger } from '../observability/logger.ts';
import { createReleaseEventsWorker } from './release-events-worker.ts';
import { createRotationWorker } from './rotation-worker.ts';
import { startSqsPoller } from './sqs-poller.ts';

/**
 * What EventBridge and the SQS event source mappings do in AWS, for `npm start`: the rotation
 * worker and the release-events consumer poll their queues, the access sweeper runs every minute
 * and the rotation scheduler every five.
 */
export function startLocalWorkers(options: {
  readonly composition: Composition;
  readonly config: StrongroomConfig;
  readonly sqs: SQSClient;
  readonly logger: Logger;
}): { stop(): Promise<void> } {
  const { composition, config, sqs, logger } = options;
  const stoppers: (() => Promise<void>)[] = [];
  const internal = (name: string) => ({
    requestId: `${name}-${Date.now()}`,
    sourceIp: 'internal',
    userAgent: name,
  });
  const onError = (what: string) => (error: unknown) =>
    logger.warn(`${what} failed`, { error: error instanceof Error ? error.name : 'unknown' });

  if (composition.rotationEngine && config.rotationQueueUrl) {
    const poller = startSqsPoller({
      sqs,
      queueUrl: config.rotationQueueUrl,
      handler: createRotationWorker({ engine: composition.rotationEngine, logger }),
      concurrency: 2,
      visibilityTimeoutSeconds: 60,
      onError: onError('rotation worker'),
    });
    stoppers.push(() => poller.stop());
  }
  const rotation = composition.services.rotation;
  if (rotation && config.eventsQueueUrl) {
    const poller = startSqsPoller({
      sqs,
      queueUrl: config.eventsQueueUrl,
      handler: createReleaseEventsWorker({ rotation, logger }),
      concurrency: 1,
      onError: onError('release events'),
    });
    stoppers.push(() => poller.stop());
  }
  const every = (milliseconds: number, name: string, run: () => Promise<unknown>) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      run()
        .catch(onError(name))
        .finally(() => {
          busy = false;
        });
    }, milliseconds);
    stoppers.push(async () => clearInterval(timer));
  };
  const access = composition.services.access;
  if (access) every(60_000, 'access sweeper', () => access.sweepExpired(internal('local-access-sweeper')));
  if (rotation)
    every(5 * 60_000, 'rotation scheduler', () =>
      rotation.startDueRotations(internal('local-rotation-scheduler')),
    );
  return {
    async stop() {
      await Promise.all(stoppers.map((stop) => stop()));
    },
  };
}
