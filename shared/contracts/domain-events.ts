import { z } from 'zod';

/**
 * Messages on the domain-events queue. Delivery is at least once (an outbox in the same
 * transaction as the change, re-sent by the sweeper until acknowledged), so consumers dedupe by
 * `id`. Messages name objects only; they never carry a secret.
 */

export const releaseEndedEventSchema = z.object({
  id: z.string(),
  type: z.literal('release.ended'),
  version: z.literal(1),
  tenantId: z.string(),
  releaseId: z.string(),
  requestId: z.string(),
  accountId: z.string(),
  /** How the release ended. */
  endedBy: z.enum(['checked-in', 'revoked', 'expired']),
  /** The policy or the account asks for the credential to be rotated after this use. */
  rotate: z.boolean(),
  at: z.string(),
});
export type ReleaseEndedEvent = z.infer<typeof releaseEndedEventSchema>;

export const domainEventSchema = z.discriminatedUnion('type', [releaseEndedEventSchema]);
export type DomainEvent = z.infer<typeof domainEventSchema>;
