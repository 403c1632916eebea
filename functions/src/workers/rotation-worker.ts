import type { RotationJob } from '@strongroom/shared/rotation/rotation.ports';
import type { RotationEngine } from '@strongroom/shared/rotation/rotation-engine';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '../observability/logger.ts';

/**
 * The rotation queue's consumer: each message names a rotation, which the engine runs from its
 * persisted step to the end. A message whose rotation failed this time is reported back (partial
 * batch response), so SQS delivers it again after the visibility timeout and, after the redrive
 * policy's receives, moves it to the dead-letter queue. Duplicates and redeliveries are harmless:
 * the engine only ever applies the persisted step, conditionally.
 */
export function createRotationWorker(deps: {
  readonly engine: RotationEngine;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
}) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: { itemIdentifier: string }[] = [];
    // One job after the other: a batch may mix systems, and each job bounds its own target calls.
    for (const record of event.Records) {
      let job: RotationJob;
      try {
        job = JSON.parse(record.body) as RotationJob;
      } catch {
        deps.logger.warn('unreadable rotation job dropped', { messageId: record.messageId });
        continue;
      }
      try {
        const rotation = await deps.engine.run(job.tenantId, job.rotationId);
        deps.logger.info('rotation job done', {
          rotationId: job.rotationId,
          status: rotation?.status ?? 'unknown',
        });
      } catch (error) {
        deps.logger.warn('rotation job failed', {
          rotationId: job.rotationId,
          code: (error as { code?: string }).code ?? 'internal',
        });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}
