import { createHash } from 'node:crypto';
import type { AuditEvent } from './audit-event.ts';

/**
 * The tamper-evident chain.
 *
 * A tenant's trail is split into `auditLaneCount` independent hash chains ("lanes"). Each event
 * carries its lane, a gap-free sequence number within the lane, the hash of its predecessor and
 * its own hash over a canonical serialisation of every field. Each lane has a head record
 * (last seq, last hash, last time) that is updated with a conditional write in the same
 * transaction as the event and the state change it records.
 *
 * Why lanes: one chain per tenant would serialise every audited write of a busy tenant on one
 * conditional update; with N lanes the writers spread out and contend only when two pick the same
 * lane at the same instant (then one retries). Deleting an event leaves a gap in its lane's
 * sequence and breaks the next event's link; altering one breaks its hash; reordering breaks both;
 * truncating a lane's tail no longer matches the lane head.
 */

export const auditLaneCount = 16;

export const genesisHash = (tenantId: string, lane: number): string =>
  sha256(`strongroom-audit-genesis\n${tenantId}\n${lane}`);

type Chained = Omit<AuditEvent, 'hash'>;

export function hashOfEvent(event: Chained): string {
  return sha256(canonicalJson({ v: 1, ...pickChained(event) }));
}

function pickChained(event: Chained): Chained {
  return {
    id: event.id,
    tenantId: event.tenantId,
    lane: event.lane,
    seq: event.seq,
    time: event.time,
    actor: event.actor,
    sourceIp: event.sourceIp,
    userAgent: event.userAgent,
    requestId: event.requestId,
    action: event.action,
    target: event.target,
    outcome: event.outcome,
    reason: event.reason,
    details: event.details,
    prevHash: event.prevHash,
  };
}

/** JSON with object keys sorted at every level, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export interface LaneHead {
  readonly lane: number;
  readonly seq: number;
  readonly hash: string;
  readonly time: string;
}

export type ChainProblemKind =
  | 'hash-mismatch'
  | 'broken-link'
  | 'sequence-gap'
  | 'time-regression'
  | 'head-mismatch';

export interface ChainProblem {
  readonly lane: number;
  readonly seq: number;
  readonly eventId: string | null;
  readonly kind: ChainProblemKind;
}

/**
 * Checks a contiguous stretch of one lane.
 * @param events the lane's events in sequence order as read from the store
 * @param predecessor the stored event just before the first one; null when none is stored before
 *   it, in which case the stretch must start the lane at seq 1 (else events were deleted)
 * @param head the lane head, when the stretch is meant to reach the end of the lane
 */
export function verifyLaneStretch(
  tenantId: string,
  lane: number,
  events: readonly AuditEvent[],
  predecessor: AuditEvent | null,
  head: LaneHead | null,
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let expectedSeq = predecessor ? predecessor.seq + 1 : 1;
  let previousHash = predecessor ? predecessor.hash : genesisHash(tenantId, lane);
  let previousTime = predecessor?.time ?? '';
  for (const event of events) {
    if (event.seq !== expectedSeq) {
      problems.push({ lane, seq: expectedSeq, eventId: event.id, kind: 'sequence-gap' });
    }
    if (event.prevHash !== previousHash)
      problems.push({ lane, seq: event.seq, eventId: event.id, kind: 'broken-link' });
    if (hashOfEvent(event) !== event.hash || event.tenantId !== tenantId || event.lane !== lane) {
      problems.push({ lane, seq: event.seq, eventId: event.id, kind: 'hash-mismatch' });
    }
    if (event.time < previousTime)
      problems.push({ lane, seq: event.seq, eventId: event.id, kind: 'time-regression' });
    expectedSeq = event.seq + 1;
    previousHash = event.hash;
    previousTime = event.time;
  }
  if (head) {
    const last = events.at(-1) ?? predecessor;
    const lastSeq = last?.seq ?? 0;
    const lastHash = last?.hash ?? genesisHash(tenantId, lane);
    if (head.seq !== lastSeq || head.hash !== lastHash) {
      problems.push({ lane, seq: head.seq, eventId: null, kind: 'head-mismatch' });
    }
  }
  return problems;
}
