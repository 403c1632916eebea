import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RotationJob, RotationQueue } from '@strongroom/shared/rotation/rotation.ports';

/**
 * Rotation jobs on the FIFO rotation queue. The message group is the system's lane, so at most
 * `maxConcurrentRotations` jobs of one system are in flight; the deduplication id is the rotation
 * id plus its step, so the same job queued twice within five minutes is delivered once.
 */
export function createSqsRotationQueue(deps: {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
}): RotationQueue {
  return {
    async enqueue(jobs) {
      for (let i = 0; i < jobs.length; i += 10) {
        const batch = jobs.slice(i, i + 10);
        const result = await deps.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: deps.queueUrl,
            Entries: batch.map((job: RotationJob, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(job),
              MessageGroupId: `${job.systemId}#${job.lane}`,
              MessageDeduplicationId: `${job.rotationId}:${job.step}`,
            })),
          }),
        );
        if (result.Failed?.length) {
          throw new Error(
            `the rotation queue refused ${result.Failed.length} job(s): ${result.Failed[0]?.Code}`,
          );
        }
      }
    },
  };
}
