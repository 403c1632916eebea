import type { PendingAuditEvent } from '../audit/audit-event.ts';
import type { ReleaseEndedEvent } from '../contracts/domain-events.ts';
import type { Page } from '../kernel/page.ts';
import type {
  AccessConditions,
  AccountSelector,
  ApprovalRule,
  ReleaseRule,
  RequestStatus,
} from './access.schemas.ts';

export interface AccessPolicyRecord {
  readonly id: string;
  readonly tenantId: string;
  /** Starts at 1; every change stores a new version and keeps the old ones. */
  readonly version: number;
  readonly name: string;
  readonly description: string;
  readonly priority: number;
  readonly status: 'active' | 'disabled';
  readonly requesterGroupIds: readonly string[];
  readonly selectors: readonly AccountSelector[];
  readonly approval: ApprovalRule;
  readonly conditions: AccessConditions;
  readonly release: ReleaseRule;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface ApprovalRecord {
  readonly approverId: string;
  readonly approverName: string;
  readonly decision: 'approve' | 'deny';
  readonly comment: string;
  readonly at: string;
  readonly sourceIp: string;
}

export interface TransitionRecord {
  readonly from: RequestStatus | null;
  readonly to: RequestStatus;
  readonly actorId: string;
  readonly actorName: string;
  readonly at: string;
  readonly sourceIp: string;
  readonly comment: string | null;
}

/**
 * A request and, once approved, its release: one item for the whole life, so every transition is
 * one conditional write on `revision`. The release shares the request's ULID (`rel_X` ↔ `req_X`).
 */
export interface AccessRequestRecord {
  readonly id: string;
  readonly tenantId: string;
  /** Bumped by every change; each write is conditional on the revision it read. */
  readonly revision: number;
  readonly status: RequestStatus;
  readonly requesterId: string;
  readonly requesterName: string;
  readonly accountId: string;
  readonly accountName: string;
  readonly systemId: string;
  readonly policyId: string;
  readonly policyVersion: number;
  readonly releaseType: 'reveal' | 'inject';
  readonly exclusive: boolean;
  readonly rotateOnCheckIn: boolean;
  readonly durationMinutes: number;
  readonly reason: string | null;
  readonly ticketId: string | null;
  readonly requiredApprovals: number;
  readonly approverGroupIds: readonly string[];
  readonly approvals: readonly ApprovalRecord[];
  readonly sourceIp: string;
  readonly createdAt: string;
  /** A pending request expires at this instant. */
  readonly expiresAt: string;
  readonly approvedAt: string | null;
  /** An approved release must be activated before this instant. */
  readonly activateBy: string | null;
  readonly activatedAt: string | null;
  /** An active release ends at this instant. */
  readonly endsAt: string | null;
  readonly closedAt: string | null;
  readonly transitions: readonly TransitionRecord[];
}

/** Holder of an account's exclusive release. A lock whose `endsAt` has passed is free. */
export interface ReleaseLock {
  readonly tenantId: string;
  readonly accountId: string;
  readonly requestId: string;
  readonly endsAt: string;
}

export interface NotificationRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly kind: string;
  readonly title: string;
  readonly requestId: string;
  readonly createdAt: string;
}

export interface AccessPolicyRepository {
  /** Stores version 1, its snapshot and name claim, and bumps the tenant's policy-set version. */
  create(policy: AccessPolicyRecord, audit: PendingAuditEvent): Promise<void>;
  /** Stores `next` (version + 1) if the stored one is still `previous.version`; else ConflictError. */
  update(previous: AccessPolicyRecord, next: AccessPolicyRecord, audit: PendingAuditEvent): Promise<void>;
  get(tenantId: string, policyId: string): Promise<AccessPolicyRecord | null>;
  getVersion(tenantId: string, policyId: string, version: number): Promise<AccessPolicyRecord | null>;
  list(tenantId: string, limit: number, cursor?: string): Promise<Page<AccessPolicyRecord>>;
  listVersions(tenantId: string, policyId: string): Promise<AccessPolicyRecord[]>;
  /** The tenant's policy-set version: changes whenever any policy does (strongly consistent). */
  setVersion(tenantId: string): Promise<number>;
  /** Every policy of the tenant (to build the evaluator's index). */
  loadAll(tenantId: string): Promise<AccessPolicyRecord[]>;
}

/** Side effects written in the same transaction as a request's change. */
export interface RequestEffects {
  /** Take the account's exclusive lock (fails if a live release holds it). */
  readonly acquireLock?: ReleaseLock;
  /** Free the lock if this request holds it. */
  readonly releaseLock?: boolean;
  /** Domain events to publish (stored in the outbox with the change; at-least-once). */
  readonly events?: readonly ReleaseEndedEvent[];
  /**
   * An approver's decision to file in their "decided" index (`listDecidedBy`), with the change that
   * records it. At most one per approver and request: a second one fails the transaction.
   */
  readonly recordDecision?: ApprovalRecord;
}

export interface AccessRequestRepository {
  /** ConflictError `account-checked-out` when `effects.acquireLock` cannot be taken. */
  create(request: AccessRequestRecord, effects: RequestEffects, audit: PendingAuditEvent[]): Promise<void>;
  /**
   * Replaces `previous` by `next` if nobody changed it since (`StaleRequestError` otherwise), with
   * its effects and audit events, atomically.
   */
  transition(
    previous: AccessRequestRecord,
    next: AccessRequestRecord,
    effects: RequestEffects,
    audit: PendingAuditEvent[],
  ): Promise<void>;
  get(tenantId: string, requestId: string): Promise<AccessRequestRecord | null>;
  getLock(tenantId: string, accountId: string): Promise<ReleaseLock | null>;
  listByRequester(
    tenantId: string,
    requesterId: string,
    filter: { statuses?: readonly RequestStatus[] },
    limit: number,
    cursor?: string,
  ): Promise<Page<AccessRequestRecord>>;
  /** Requests still waiting for decisions (newest first). */
  listPending(tenantId: string, limit: number, cursor?: string): Promise<Page<AccessRequestRecord>>;
  /**
   * Requests the approver decided (approved or denied), newest decision first, read through the
   * approver's own decision index (never a scan). `statuses` keeps only requests whose effective
   * status (deadlines passed count as expired) is one of them.
   */
  listDecidedBy(
    tenantId: string,
    approverId: string,
    filter: { statuses?: readonly RequestStatus[] },
    limit: number,
    cursor?: string,
  ): Promise<Page<AccessRequestRecord>>;
  listAll(
    tenantId: string,
    filter: { statuses?: readonly RequestStatus[] },
    limit: number,
    cursor?: string,
  ): Promise<Page<AccessRequestRecord>>;
  /**
   * How many requests were made in each window (`from` inclusive, `to` exclusive), counted through
   * the index (never a scan): the tenant's requests, or one requester's when `requesterId` is set.
   */
  countCreated(
    tenantId: string,
    requesterId: string | null,
    windows: readonly { readonly from: Date; readonly to: Date }[],
  ): Promise<number[]>;
  /** Requests and releases whose deadline passed, across tenants (for the sweeper). */
  listDue(now: string, limit: number): Promise<{ tenantId: string; requestId: string }[]>;
}

export interface NotificationRepository {
  add(notifications: readonly NotificationRecord[]): Promise<void>;
  listForUser(
    tenantId: string,
    userId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<NotificationRecord>>;
}

/** Publishes what the outbox holds; `flush` re-sends events whose first publication failed. */
export interface EventPublisher {
  publishCommitted(events: readonly ReleaseEndedEvent[]): Promise<void>;
  flushOutbox(olderThan: string, limit: number): Promise<number>;
}

export class StaleRequestError extends Error {
  constructor() {
    super('the access request changed concurrently');
    this.name = 'StaleRequestError';
  }
}
