import { SQSClient } from '@aws-sdk/client-sqs';
import { createReleaseEventsWorker } from '@strongroom/functions/workers/release-events-worker';
import { createRotationWorker } from '@strongroom/functions/workers/rotation-worker';
import { startSqsPoller } from '@strongroom/functions/workers/sqs-poller';
import { domainEventsQueue, rotationQueue } from '@strongroom/shared/platform/resources';
import type { RotationJob } from '@strongroom/shared/rotation/rotation.ports';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Harness } from './api-harness.ts';
import { createObservability } from './rotation-observability.ts';

/**
 * Runs the rotation worker and the release-events consumer locally for a test, the way Lambda's
 * event source mappings would, but only for the tenants the test owns: other test files share the
 * emulated queues, so their messages are handed back (they reappear after a short visibility
 * timeout) instead of being processed here.
 */
export function startRotationWorkers(harness: Harness, ownTenants: () => ReadonlySet<string>) {
  const sqs = new SQSClient({});
  const engine = harness.composition.rotationEngine;
  const rotation = harness.composition.services.rotation;
  if (!engine || !rotation) throw new Error('the harness does not compose the rotation context');
  const { logger, lines } = createObservability();
  const worker = createRotationWorker({ engine, logger });
  const events = createReleaseEventsWorker({ rotation, logger });
  const onlyOwn =
    (
      tenantOf: (body: string) => string | undefined,
      handler: (event: SQSEvent) => Promise<SQSBatchResponse>,
    ) =>
    async (event: SQSEvent): Promise<SQSBatchResponse> => {
      const mine = event.Records.filter((r) => ownTenants().has(tenantOf(r.body) ?? ''));
      const foreign = event.Records.filter((r) => !mine.includes(r));
      const result = mine.length > 0 ? await handler({ Records: mine }) : { batchItemFailures: [] };
      return {
        batchItemFailures: [
          ...result.batchItemFailures,
          ...foreign.map((r) => ({ itemIdentifier: r.messageId })),
        ],
      };
    };
  const tenantOfJson = (body: string) => {
    try {
      return (JSON.parse(body) as Partial<RotationJob>).tenantId;
    } catch {
      return undefined;
    }
  };
  const pollers = [
    startSqsPoller({
      sqs,
      queueUrl: process.env[rotationQueue.envVar] as string,
      handler: onlyOwn(tenantOfJson, worker),
      concurrency: 2,
      visibilityTimeoutSeconds: 2,
    }),
    startSqsPoller({
      sqs,
      queueUrl: process.env[domainEventsQueue.envVar] as string,
      handler: onlyOwn(tenantOfJson, events),
      concurrency: 1,
      visibilityTimeoutSeconds: 2,
    }),
  ];
  return {
    logLines: lines,
    async stop() {
      await Promise.all(pollers.map((p) => p.stop()));
      sqs.destroy();
    },
  };
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
