import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { senderDomainOf } from '../access-settings.ts';

/**
 * Sending to an SQS queue encrypted with a customer managed key (the domain-events queue and the
 * rotation queue, both under the platform key).
 *
 * - `sqs:SendMessage` on that queue only; `SendMessageBatch` is authorized as `SendMessage`
 *   (FIFO message group and deduplication ids need nothing more).
 * - SQS encrypts with a data key it obtains from KMS on the producer's behalf, so the producer
 *   needs `kms:GenerateDataKey` and `kms:Decrypt` on the key. Both are limited to calls made by
 *   SQS (`kms:ViaService`) for this queue (`kms:EncryptionContext:aws:sqs:arn`, the context SQS
 *   passes), so the role cannot use the platform key for anything else through this statement.
 */
export function queueSendStatements(sid: string, queue: IQueue, key: IKey): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: `${sid}Send`,
      actions: ['sqs:SendMessage'],
      resources: [queue.queueArn],
    }),
    new PolicyStatement({
      sid: `${sid}KeyViaSqs`,
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: {
        StringEquals: {
          'kms:ViaService': `sqs.${Stack.of(key).region}.amazonaws.com`,
          'kms:EncryptionContext:aws:sqs:arn': queue.queueArn,
        },
      },
    }),
  ];
}

/**
 * Consuming an SQS queue encrypted with a customer managed key through a Lambda event source
 * mapping. The mapping polls with the function's role, so the role needs what Lambda documents
 * for SQS event sources (`ReceiveMessage`, `DeleteMessage`, `GetQueueAttributes`) on that queue
 * only, and `kms:Decrypt` for SQS to decrypt the messages it hands out, limited to calls SQS makes
 * for this queue (same conditions as {@link queueSendStatements}).
 *
 * CDK's `SqsEventSource` is deliberately not used: its `grantConsumeMessages` also grants
 * `ChangeMessageVisibility` and `GetQueueUrl`, and `kms:Decrypt` on the platform key WITHOUT
 * conditions, which would let the role decrypt anything else the platform key protects (the
 * token signing key included).
 */
export function queueConsumeStatements(sid: string, queue: IQueue, key: IKey): PolicyStatement[] {
  return [
    new PolicyStatement({
      sid: `${sid}Consume`,
      actions: ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
      resources: [queue.queueArn],
    }),
    new PolicyStatement({
      sid: `${sid}ConsumeKeyViaSqs`,
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: {
        StringEquals: {
          'kms:ViaService': `sqs.${Stack.of(key).region}.amazonaws.com`,
          'kms:EncryptionContext:aws:sqs:arn': queue.queueArn,
        },
      },
    }),
  ];
}

/**
 * Notification e-mail through SES v2 `SendEmail` (IAM action `ses:SendEmail`), from exactly one
 * sender: `ses:FromAddress` must be that address. SES authorizes the call on the verified
 * identity that covers the sender, which is either the address itself or its domain, so both
 * identity ARNs are named (no `identity/*`).
 */
export function notificationEmailStatement(scope: IConstruct, sender: string): PolicyStatement {
  const identity = (name: string) =>
    Stack.of(scope).formatArn({ service: 'ses', resource: 'identity', resourceName: name });
  return new PolicyStatement({
    sid: 'NotificationEmail',
    actions: ['ses:SendEmail'],
    resources: [identity(sender), identity(senderDomainOf(sender))],
    conditions: { StringEquals: { 'ses:FromAddress': sender } },
  });
}
