import { z } from 'zod';
import { newId } from '../kernel/ids.ts';
import type { AnonymousContext, RequestContext } from '../kernel/request-context.ts';

/**
 * An audit event: who did what to which object, from where, with what outcome and why.
 * Events never carry secrets: `details` holds identifiers and non-secret metadata only.
 */

export const auditActorSchema = z.object({
  type: z.enum(['user', 'client', 'support', 'anonymous', 'system']),
  id: z.string(),
  name: z.string(),
});
export type AuditActor = z.infer<typeof auditActorSchema>;

export const auditTargetSchema = z.object({
  type: z.string(),
  id: z.string(),
  name: z.string().optional(),
});
export type AuditTarget = z.infer<typeof auditTargetSchema>;

export const auditOutcomes = ['success', 'failure', 'denied'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

export type AuditDetails = Readonly<Record<string, string | number | boolean | null>>;

/** What a service states about an action; the edge adds who/where, the store adds the chain. */
export interface AuditDraft {
  readonly action: string;
  readonly target: AuditTarget;
  readonly outcome?: AuditOutcome;
  readonly reason?: string;
  readonly details?: AuditDetails;
}

/** An event ready to be appended to a tenant's chain. */
export interface PendingAuditEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly actor: AuditActor;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly requestId: string;
  readonly action: string;
  readonly target: AuditTarget;
  readonly outcome: AuditOutcome;
  readonly reason: string | null;
  readonly details: AuditDetails;
}

/** One event, or several appended atomically with one state change (each costs two transaction items). */
export type AuditRecords = PendingAuditEvent | readonly PendingAuditEvent[];

/** An event as stored: its place in a lane of the tenant's hash chain. */
export interface AuditEvent extends PendingAuditEvent {
  readonly lane: number;
  readonly seq: number;
  /** ISO-8601 UTC; never earlier than its lane predecessor's time. */
  readonly time: string;
  readonly prevHash: string;
  readonly hash: string;
}

export const auditEventSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  lane: z.number().int(),
  seq: z.number().int(),
  time: z.string(),
  actor: auditActorSchema,
  sourceIp: z.string(),
  userAgent: z.string(),
  requestId: z.string(),
  action: z.string(),
  target: auditTargetSchema,
  outcome: z.enum(auditOutcomes),
  reason: z.string().nullable(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  prevHash: z.string(),
  hash: z.string(),
});

const maxUserAgent = 512;

/** Builds the pending event for an authenticated caller's action, in the caller's tenant. */
export function auditOf(context: RequestContext, draft: AuditDraft): PendingAuditEvent {
  const { principal } = context;
  return anonymousAuditOf(
    context,
    principal.tenantId,
    { type: principal.kind, id: principal.subject, name: principal.name },
    draft,
  );
}

/**
 * Builds the pending event for a given tenant and actor: a caller who is not (yet)
 * authenticated, e.g. a failed sign-in, or an authenticated one acting on another tenant.
 */
export function anonymousAuditOf(
  context: AnonymousContext,
  tenantId: string,
  actor: AuditActor,
  draft: AuditDraft,
): PendingAuditEvent {
  return {
    id: newId('auditEvent'),
    tenantId,
    actor,
    sourceIp: context.sourceIp,
    userAgent: context.userAgent.slice(0, maxUserAgent),
    requestId: context.requestId,
    action: draft.action,
    target: draft.target,
    outcome: draft.outcome ?? 'success',
    reason: draft.reason ?? null,
    details: draft.details ?? {},
  };
}
