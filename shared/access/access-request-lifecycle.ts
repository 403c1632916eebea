import { AppError, ConflictError } from '../kernel/errors.ts';
import type { AccessRequestRecord, ApprovalRecord } from './access.ports.ts';
import type { RequestStatus } from './access.schemas.ts';

/**
 * The lifecycle of an access request and its release, as pure functions over the record:
 *
 *   requested ──► approved ──► active ──► checked-in
 *       │            │           ├──────► revoked
 *       │            │           └──────► expired
 *       │            └────────────────► expired
 *       ├──► denied
 *       ├──► cancelled
 *       └──► expired
 *
 * Expiry is a fact of the clock: `effectiveStatus` reports it at read time, whether or not the
 * sweeper has persisted it yet, and every write starts from the effective status.
 */

export const allowedTransitions: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  requested: ['approved', 'denied', 'expired', 'cancelled'],
  approved: ['active', 'expired'],
  active: ['checked-in', 'expired', 'revoked'],
  denied: [],
  expired: [],
  cancelled: [],
  'checked-in': [],
  revoked: [],
};

export const terminalStatuses: readonly RequestStatus[] = [
  'denied',
  'expired',
  'cancelled',
  'checked-in',
  'revoked',
];

/** Stored statuses that lapse by themselves into `expired` once their deadline passes. */
export const lapsingStatuses: readonly RequestStatus[] = ['requested', 'approved', 'active'];

/** The instant at which the request's current state lapses by itself, if any. */
export function deadlineOf(request: AccessRequestRecord): string | null {
  switch (request.status) {
    case 'requested':
      return request.expiresAt;
    case 'approved':
      return request.activateBy;
    case 'active':
      return request.endsAt;
    default:
      return null;
  }
}

export function effectiveStatus(request: AccessRequestRecord, now: Date): RequestStatus {
  const deadline = deadlineOf(request);
  return deadline !== null && now.getTime() >= Date.parse(deadline) ? 'expired' : request.status;
}

export interface Actor {
  readonly id: string;
  readonly name: string;
  readonly sourceIp: string;
}

const statusMessages: Partial<Record<RequestStatus, string>> = {
  expired: 'The request or release has expired.',
  denied: 'The request was denied.',
  cancelled: 'The request was cancelled.',
  'checked-in': 'The release was checked in.',
  revoked: 'The release was revoked.',
};

/**
 * Moves the request from its effective status to `to`, recording who, when, from where and why.
 * An illegal move is a 409 naming both states.
 */
export function transition(
  request: AccessRequestRecord,
  to: RequestStatus,
  actor: Actor,
  now: Date,
  comment: string | null,
  changes: Partial<AccessRequestRecord> = {},
): AccessRequestRecord {
  const effective = effectiveStatus(request, now);
  // Persisting an expiry moves from the stored state, and only once its deadline has passed.
  const from = to === 'expired' && effective === 'expired' ? request.status : effective;
  if (!allowedTransitions[from].includes(to) || (to === 'expired' && effective !== 'expired')) {
    throw new ConflictError(
      `illegal-transition`,
      `${statusMessages[from] ?? `The request is ${from}.`} It cannot become ${to}.`,
    );
  }
  const at = now.toISOString();
  return {
    ...request,
    ...changes,
    status: to,
    revision: request.revision + 1,
    closedAt: terminalStatuses.includes(to) ? at : request.closedAt,
    transitions: [
      ...request.transitions,
      { from, to, actorId: actor.id, actorName: actor.name, at, sourceIp: actor.sourceIp, comment },
    ],
  };
}

const minutesAfter = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000).toISOString();

/** The request approved (all approvals in): the release may be activated within its duration. */
export function approve(request: AccessRequestRecord, actor: Actor, now: Date, comment: string | null) {
  return transition(request, 'approved', actor, now, comment, {
    approvedAt: now.toISOString(),
    activateBy: minutesAfter(now, request.durationMinutes),
  });
}

/** The release starts: it ends `durationMinutes` later. */
export function activate(request: AccessRequestRecord, actor: Actor, now: Date) {
  return transition(request, 'active', actor, now, null, {
    activatedAt: now.toISOString(),
    endsAt: minutesAfter(now, request.durationMinutes),
  });
}

export type DecisionOutcome =
  /** The approver had already approved: nothing changes (an approval counts once). */
  | { readonly kind: 'unchanged'; readonly request: AccessRequestRecord }
  /** Recorded; more approvals are still needed. */
  | { readonly kind: 'recorded'; readonly request: AccessRequestRecord }
  /** Recorded and complete: the request is approved. */
  | { readonly kind: 'approved'; readonly request: AccessRequestRecord }
  | { readonly kind: 'denied'; readonly request: AccessRequestRecord };

/**
 * Records an approver's decision. The requester never decides their own request; only members of
 * the approver groups decide; approvals are counted per distinct person, so the same person
 * approving twice (or a retried call) adds nothing.
 */
export function decide(
  request: AccessRequestRecord,
  approver: Actor & { readonly groupIds: readonly string[] },
  decision: 'approve' | 'deny',
  comment: string,
  now: Date,
): DecisionOutcome {
  if (approver.id === request.requesterId) {
    throw new AppError('forbidden', 'self-approval', 'You cannot decide your own request.');
  }
  if (!approver.groupIds.some((id) => request.approverGroupIds.includes(id))) {
    throw new AppError('forbidden', 'not-an-approver', 'You are not an approver of this request.');
  }
  const status = effectiveStatus(request, now);
  const earlier = request.approvals.find((a) => a.approverId === approver.id);
  if (earlier?.decision === decision) return { kind: 'unchanged', request };
  if (earlier) {
    throw new ConflictError('already-decided', `You already decided this request (${earlier.decision}).`);
  }
  if (status !== 'requested') {
    throw new ConflictError(
      'illegal-transition',
      `${statusMessages[status] ?? `The request is ${status}.`} It can no longer be decided.`,
    );
  }
  const record: ApprovalRecord = {
    approverId: approver.id,
    approverName: approver.name,
    decision,
    comment,
    at: now.toISOString(),
    sourceIp: approver.sourceIp,
  };
  const approvals = [...request.approvals, record];
  if (decision === 'deny') {
    return { kind: 'denied', request: transition(request, 'denied', approver, now, comment, { approvals }) };
  }
  const distinct = new Set(approvals.filter((a) => a.decision === 'approve').map((a) => a.approverId));
  if (distinct.size >= request.requiredApprovals) {
    return { kind: 'approved', request: approve({ ...request, approvals }, approver, now, comment) };
  }
  return {
    kind: 'recorded',
    request: { ...request, approvals, revision: request.revision + 1 },
  };
}

/** Whether the secret may be released now under this request (policy conditions are separate). */
export function releasable(request: AccessRequestRecord, now: Date): boolean {
  return effectiveStatus(request, now) === 'active';
}

export const releaseIdOf = (requestId: string) => `rel_${requestId.slice(4)}`;
export const requestIdOf = (releaseId: string) => `req_${releaseId.slice(4)}`;
