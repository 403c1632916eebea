import type { Page } from '../kernel/page.ts';
import type { LaneHead } from './audit-chain.ts';
import type { AuditEvent, PendingAuditEvent } from './audit-event.ts';

/** Appends an event that stands alone (a secret read, a refused sign-in); fails closed. */
export interface AuditRecorder {
  record(event: PendingAuditEvent): Promise<AuditEvent>;
}

export interface AuditFilter {
  readonly actorId?: string;
  readonly targetId?: string;
  readonly action?: string;
  /** Inclusive ISO-8601 lower bound. */
  readonly from?: string;
  /** Exclusive ISO-8601 upper bound. */
  readonly to?: string;
}

export interface LaneStretch {
  /** The stored event just before `from` in the lane, if any. */
  readonly predecessor: AuditEvent | null;
  readonly events: readonly AuditEvent[];
  /** The lane head, when the stretch reaches the end of the lane (no `to`, or `to` in the future). */
  readonly head: LaneHead | null;
}

export interface AuditReader {
  /** Newest first. */
  search(tenantId: string, filter: AuditFilter, limit: number, cursor?: string): Promise<Page<AuditEvent>>;
  readLane(
    tenantId: string,
    lane: number,
    range: { from?: string; to?: string },
    maxEvents: number,
  ): Promise<LaneStretch>;
}
