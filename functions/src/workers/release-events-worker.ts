import { domainEventSchema } from '@strongroom/shared/contracts/domain-events';
import type { RotationService } from '@strongroom/shared/rotation/rotation.service';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '../observability/logger.ts';

/**
 * Domain-events queue → rotation: a `release.ended` event that asks for rotation starts one
 * (once per event, whatever the redeliveries). Unknown or malformed events are dropped with a log
 * line; failures are reported back for redelivery.
 */
export function createReleaseEventsWorker(deps: {
  readonly rotation: Pick<RotationService, 'onReleaseEnded'>;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
}) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: { itemIdentifier: string }[] = [];
    for (const record of event.Records) {
      let parsed: ReturnType<typeof domainEventSchema.safeParse>;
      try {
        parsed = domainEventSchema.safeParse(JSON.parse(record.body));
      } catch {
        deps.logger.warn('unreadable domain event dropped', { messageId: record.messageId });
        continue;
      }
      if (!parsed.success) {
        deps.logger.warn('unknown domain event dropped', { messageId: record.messageId });
        continue;
      }
      try {
        const outcome = await deps.rotation.onReleaseEnded(
          {
            requestId: `event:${parsed.data.id}`,
            sourceIp: 'internal',
            userAgent: 'strongroom-release-events',
          },
          parsed.data,
        );
        deps.logger.info('release event handled', {
          eventId: parsed.data.id,
          started: outcome.started,
          ...(outcome.started ? { rotationId: outcome.rotationId } : { why: outcome.why }),
        });
      } catch (error) {
        deps.logger.warn('release event failed', {
          eventId: parsed.data.id,
          code: (error as { code?: string }).code ?? 'internal',
        });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}
