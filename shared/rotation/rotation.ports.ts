import type { PendingAuditEvent } from '../audit/audit-event.ts';
import type { Page } from '../kernel/page.ts';
import type { AccountRecord, CredentialVersionRecord } from '../vault/vault.ports.ts';

/** The four persisted steps of a rotation (see docs/rotation.md). */
export const rotationSteps = ['create', 'set', 'test', 'finish'] as const;
export type RotationStep = (typeof rotationSteps)[number];
export type RotationStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type RotationTrigger = 'schedule' | 'release' | 'manual' | 'onboarding';

export interface RotationError {
  readonly step: RotationStep;
  readonly code: string;
  /** What the target said, in words; never a secret. */
  readonly message: string;
  readonly at: string;
}

export interface RotationStepRecord {
  readonly step: RotationStep;
  readonly outcome: 'done' | 'retry' | 'failed' | 'recovered';
  readonly at: string;
  readonly detail: string | null;
}

export interface RotationRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly accountId: string;
  readonly systemId: string;
  readonly trigger: RotationTrigger;
  /** Who or what asked: a user id, `scheduler`, or the release id. */
  readonly requestedBy: string;
  readonly reason: string | null;
  readonly status: RotationStatus;
  /** The next step to run (or the last one, once finished). */
  readonly step: RotationStep;
  /** Bumped by every write; each write is conditional on the revision it read. */
  readonly revision: number;
  /** The CURRENT version when the rotation started. */
  readonly fromVersion: number | null;
  /** The PENDING version, once `create` stored it. */
  readonly pendingVersion: number | null;
  /** Failed attempts so far (target errors, timeouts). */
  readonly attempts: number;
  readonly lastError: RotationError | null;
  readonly history: readonly RotationStepRecord[];
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly finishedAt: string | null;
}

/** What a rotation job on the queue says; the worker always resumes from the persisted step. */
export interface RotationJob {
  readonly tenantId: string;
  readonly accountId: string;
  readonly rotationId: string;
  readonly step: RotationStep;
  readonly systemId: string;
  /** The system's concurrency lane: at most `maxConcurrentRotations` lanes per system. */
  readonly lane: number;
}

export interface RotationQueue {
  enqueue(jobs: readonly RotationJob[]): Promise<void>;
}

export interface RotationRepository {
  /**
   * Stores a new running rotation and marks the account as rotating (its due time moves
   * `retryAfter` ahead, so a lost job is found again), atomically with the audit event.
   * ConflictError `rotation-running` when the account already has an active rotation.
   */
  start(
    account: AccountRecord,
    rotation: RotationRecord,
    retryDueAt: string,
    audit: PendingAuditEvent,
  ): Promise<void>;
  get(tenantId: string, rotationId: string): Promise<RotationRecord | null>;
  listForAccount(
    tenantId: string,
    accountId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<RotationRecord>>;
  /** Accounts whose rotation is failing, with their active rotation. */
  listFailing(tenantId: string, limit: number, cursor?: string): Promise<Page<RotationRecord>>;
  /**
   * `create`: stores the PENDING version (the account's latest becomes it) and moves the rotation
   * on. Conditional on the rotation's revision and the account's latest version.
   */
  storePending(
    rotation: RotationRecord,
    next: RotationRecord,
    account: AccountRecord,
    pending: CredentialVersionRecord,
    audit: PendingAuditEvent,
  ): Promise<void>;
  /** Moves the rotation on (`set` → `test`, `test` → `set`…), conditional on its revision. */
  advance(rotation: RotationRecord, next: RotationRecord, audit: PendingAuditEvent): Promise<void>;
  /** Records a failed attempt: the account shows "rotation failing" with the error; retried at `retryDueAt`. */
  recordFailure(
    rotation: RotationRecord,
    next: RotationRecord,
    account: AccountRecord,
    retryDueAt: string,
    audit: PendingAuditEvent,
  ): Promise<void>;
  /**
   * `finish`: PENDING becomes CURRENT, CURRENT becomes PREVIOUS, PREVIOUS is retired; the account
   * is rotated, its next scheduled rotation filed (or none). Conditional on the rotation's
   * revision and the account's versions.
   */
  finish(
    rotation: RotationRecord,
    next: RotationRecord,
    account: AccountRecord,
    nextDueAt: string | null,
    audit: PendingAuditEvent,
  ): Promise<void>;
  /** Ends a rotation that cannot go on (account gone or changed by someone else); the pending version is retired. */
  abandon(
    rotation: RotationRecord,
    next: RotationRecord,
    account: AccountRecord | null,
    audit: PendingAuditEvent,
  ): Promise<void>;
  /** Accounts whose scheduled rotation (or retry) is due, across tenants. */
  listDue(now: string, limit: number): Promise<{ readonly tenantId: string; readonly accountId: string }[]>;
  /** Moves an account's due time (nothing to do now), or removes it from the index (null). */
  reschedule(account: AccountRecord, dueAt: string | null): Promise<void>;
}

export class StaleRotationError extends Error {
  constructor() {
    super('the rotation changed concurrently');
    this.name = 'StaleRotationError';
  }
}
