import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Locally (npm start, tests, benchmarks) there is no Lambda event source mapping: this loop
 * receives from a queue, hands batches to the same SQS handler the Lambda runs, and deletes
 * what the handler did not report as failed. Failed messages come back after their visibility
 * timeout, like on AWS, and go to the dead-letter queue after the redrive policy's receives.
 */
export interface SqsPollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  /** Receive loops running at once (each handles one batch at a time). */
  readonly concurrency?: number;
  readonly batchSize?: number;
  /** Visibility timeout of received messages (seconds): how soon a failed job comes back. */
  readonly visibilityTimeoutSeconds?: number;
  readonly onError?: (error: unknown) => void;
}

export function startSqsPoller(options: SqsPollerOptions): { stop(): Promise<void> } {
  let running = true;
  const loops = Array.from({ length: options.concurrency ?? 2 }, async () => {
    while (running) {
      try {
        const { Messages = [] } = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            WaitTimeSeconds: 1,
            VisibilityTimeout: options.visibilityTimeoutSeconds ?? 30,
            MessageSystemAttributeNames: ['All'],
          }),
        );
        if (Messages.length === 0) continue;
        const records = Messages.map(
          (message) =>
            ({
              messageId: message.MessageId ?? '',
              receiptHandle: message.ReceiptHandle ?? '',
              body: message.Body ?? '',
              attributes: message.Attributes ?? {},
              messageAttributes: {},
              md5OfBody: message.MD5OfBody ?? '',
              eventSource: 'aws:sqs',
              eventSourceARN: options.queueUrl,
              awsRegion: '',
            }) as unknown as SQSRecord,
        );
        const response = await options.handler({ Records: records });
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const done = Messages.filter((m) => !failed.has(m.MessageId ?? ''));
        if (done.length > 0) {
          await options.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
            }),
          );
        }
      } catch (error) {
        // While stopping, the emulator may already be gone: not worth a warning.
        if (running) {
          options.onError?.(error);
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
