import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EventPublisher } from '@strongroom/shared/access/access.ports';
import type { ReleaseEndedEvent } from '@strongroom/shared/contracts/domain-events';
import { outboxKeyOf, outboxShards } from '../dynamo/access.repo.dynamo.ts';
import { keys } from '../dynamo/keys.ts';

export interface DomainEventPublisherDeps {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly dynamo: DynamoDBDocumentClient;
  readonly table: string;
}

/**
 * Transactional outbox → SQS. A change writes its events into the outbox in its own transaction;
 * right after the commit they are sent and their outbox items deleted. If the process dies in
 * between, the sweeper finds them still in the outbox and sends them again: delivery is at least
 * once, and consumers dedupe by event id.
 */
export function createDomainEventPublisher(deps: DomainEventPublisherDeps): EventPublisher {
  const { sqs, queueUrl, dynamo, table } = deps;

  async function send(events: readonly ReleaseEndedEvent[]): Promise<ReleaseEndedEvent[]> {
    const sent: ReleaseEndedEvent[] = [];
    for (let i = 0; i < events.length; i += 10) {
      const batch = events.slice(i, i + 10);
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((event, index) => ({
            Id: String(index),
            MessageBody: JSON.stringify(event),
            MessageAttributes: { type: { DataType: 'String', StringValue: event.type } },
          })),
        }),
      );
      const failed = new Set((result.Failed ?? []).map((f) => f.Id));
      batch.forEach((event, index) => {
        if (!failed.has(String(index))) sent.push(event);
      });
    }
    return sent;
  }

  async function acknowledge(events: readonly ReleaseEndedEvent[]) {
    await Promise.all(
      events.map((event) => dynamo.send(new DeleteCommand({ TableName: table, Key: outboxKeyOf(event) }))),
    );
  }

  return {
    async publishCommitted(events) {
      if (events.length === 0) return;
      await acknowledge(await send(events));
    },
    async flushOutbox(olderThan, limit) {
      let republished = 0;
      for (let shard = 0; shard < outboxShards && republished < limit; shard++) {
        const { Items = [] } = await dynamo.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND sk < :bound',
            ExpressionAttributeValues: { ':pk': keys.outbox(shard, '', '').pk, ':bound': olderThan },
            Limit: limit - republished,
          }),
        );
        const events = Items.map((item) => JSON.parse(item.event as string) as ReleaseEndedEvent);
        const sent = await send(events);
        await acknowledge(sent);
        republished += sent.length;
      }
      return republished;
    },
  };
}
