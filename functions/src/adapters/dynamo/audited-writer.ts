import { randomInt } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  auditLaneCount,
  genesisHash,
  hashOfEvent,
  type LaneHead,
} from '@strongroom/shared/audit/audit-chain';
import type { AuditEvent, AuditRecords, PendingAuditEvent } from '@strongroom/shared/audit/audit-event';
import type { Clock } from '@strongroom/shared/kernel/clock';
import { AuditUnavailableError } from '@strongroom/shared/kernel/errors';
import { auditKeys } from './keys.ts';

/** One write of a transaction, in the document client's shape. */
export type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']
>[number];

/** A state write's condition failed: the caller maps `index` (into its own items) to a domain error. */
export class StateConditionFailed extends Error {
  readonly index: number;
  constructor(index: number) {
    super(`condition of transaction item ${index} failed`);
    this.name = 'StateConditionFailed';
    this.index = index;
  }
}

export interface AuditedWriterOptions {
  readonly client: DynamoDBDocumentClient;
  readonly auditTable: string;
  readonly clock: Clock;
  /** Lane heads read or written by this process, so the steady state needs no extra read. */
  readonly headCacheSize?: number;
  readonly maxAttempts?: number;
}

export interface AuditedWriter {
  /**
   * Writes `state` and appends `audit` to its tenant's audit chain in ONE DynamoDB transaction:
   * either both happen or neither does. Several events (e.g. one in a tenant's trail and one in
   * the provider's, for an operator's action on a tenant) are appended in the same transaction.
   * A failed state condition throws `StateConditionFailed`; any other failure throws
   * `AuditUnavailableError` (fail closed: nothing was changed). Returns the first event.
   */
  commit(state: readonly TransactItem[], audit: AuditRecords): Promise<AuditEvent>;
}

/**
 * Appends events to a tenant's lanes (see shared/audit/audit-chain.ts). Each process starts on a
 * random lane and stays on it while it wins; when another writer moved the lane head, the
 * conditional update fails, the process re-reads the head and retries on a random lane.
 */
export function createAuditedWriter(options: AuditedWriterOptions): AuditedWriter {
  const { client, auditTable, clock } = options;
  const maxAttempts = options.maxAttempts ?? 12;
  const headCacheSize = options.headCacheSize ?? 2_000;
  const heads = new Map<string, LaneHead>();
  let preferredLane = randomInt(auditLaneCount);
  /**
   * Lanes this process is appending to right now, per tenant. Concurrent commits of one process
   * (the local server, a benchmark, a future batch worker) take different lanes instead of
   * racing each other for the same head; a Lambda environment has one request at a time.
   */
  const busy = new Map<string, Set<number>>();
  function pickLane(tenantId: string, attempt: number): number {
    const taken = busy.get(tenantId);
    if (attempt === 0 && !taken?.has(preferredLane)) return preferredLane;
    const free = Array.from({ length: auditLaneCount }, (_, lane) => lane).filter(
      (lane) => !taken?.has(lane),
    );
    return free.length > 0 ? free[randomInt(free.length)]! : randomInt(auditLaneCount);
  }
  function claim(tenantId: string, lane: number): () => void {
    const taken = busy.get(tenantId) ?? new Set<number>();
    busy.set(tenantId, taken);
    taken.add(lane);
    return () => {
      taken.delete(lane);
      if (taken.size === 0) busy.delete(tenantId);
    };
  }

  async function readHead(tenantId: string, lane: number): Promise<LaneHead> {
    const { Item } = await client.send(
      new GetCommand({ TableName: auditTable, Key: auditKeys.head(tenantId, lane), ConsistentRead: true }),
    );
    return Item
      ? { lane, seq: Item.seq as number, hash: Item.hash as string, time: Item.time as string }
      : { lane, seq: 0, hash: genesisHash(tenantId, lane), time: '' };
  }

  function remember(tenantId: string, head: LaneHead) {
    const key = `${tenantId}#${head.lane}`;
    heads.delete(key);
    heads.set(key, head);
    if (heads.size > headCacheSize) heads.delete(heads.keys().next().value as string);
  }

  /** The event and lane-head writes that append `pending` to the head of one of its lanes. */
  function append(pending: PendingAuditEvent, lane: number, head: LaneHead) {
    const tenantId = pending.tenantId;
    const now = clock.now().toISOString();
    const unhashed = {
      ...pending,
      lane,
      seq: head.seq + 1,
      time: now > head.time ? now : head.time,
      prevHash: head.hash,
    };
    const event: AuditEvent = { ...unhashed, hash: hashOfEvent(unhashed) };
    const eventItem: TransactItem = {
      Put: {
        TableName: auditTable,
        Item: {
          pk: auditKeys.lane(tenantId, lane),
          sk: auditKeys.eventSortKey(event.time, event.seq),
          gsi1pk: auditKeys.byActor(tenantId, event.actor.id),
          gsi1sk: `${event.time}#${event.id}`,
          gsi2pk: auditKeys.byTarget(tenantId, event.target.id),
          gsi2sk: `${event.time}#${event.id}`,
          ...event,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const headItem: TransactItem =
      head.seq === 0
        ? {
            Put: {
              TableName: auditTable,
              Item: { ...auditKeys.head(tenantId, lane), seq: event.seq, hash: event.hash, time: event.time },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          }
        : {
            Update: {
              TableName: auditTable,
              Key: auditKeys.head(tenantId, lane),
              UpdateExpression: 'SET seq = :seq, #hash = :hash, #time = :time',
              ConditionExpression: 'seq = :expected',
              ExpressionAttributeNames: { '#hash': 'hash', '#time': 'time' },
              ExpressionAttributeValues: {
                ':seq': event.seq,
                ':hash': event.hash,
                ':time': event.time,
                ':expected': head.seq,
              },
            },
          };
    return { event, items: [eventItem, headItem] };
  }

  return {
    async commit(state, audit) {
      const pendings = Array.isArray(audit)
        ? (audit as readonly PendingAuditEvent[])
        : [audit as PendingAuditEvent];
      if (pendings.length === 0) throw new Error('an audited write needs at least one event');
      let lastError: unknown;
      for (let attempt = 0; attempt < maxAttempts; attempt++) {
        const releases: (() => void)[] = [];
        const lanes: { tenantId: string; lane: number }[] = [];
        try {
          const appends: ReturnType<typeof append>[] = [];
          for (const pending of pendings) {
            const tenantId = pending.tenantId;
            const lane = pickLane(tenantId, attempt);
            releases.push(claim(tenantId, lane));
            lanes.push({ tenantId, lane });
            let head = heads.get(`${tenantId}#${lane}`);
            try {
              head ??= await readHead(tenantId, lane);
            } catch (error) {
              throw new AuditUnavailableError(error);
            }
            appends.push(append(pending, lane, head));
          }
          try {
            await client.send(
              new TransactWriteCommand({ TransactItems: [...state, ...appends.flatMap((a) => a.items)] }),
            );
            for (const { event } of appends) {
              remember(event.tenantId, {
                lane: event.lane,
                seq: event.seq,
                hash: event.hash,
                time: event.time,
              });
            }
            preferredLane = appends[0]!.event.lane;
            return appends[0]!.event;
          } catch (error) {
            const reasons = cancellationReasons(error);
            const failedState = reasons.slice(0, state.length).indexOf('ConditionalCheckFailed');
            if (failedState >= 0) throw new StateConditionFailed(failedState);
            const laneMoved = reasons.slice(state.length).some((r) => r === 'ConditionalCheckFailed');
            const conflicted =
              reasons.includes('TransactionConflict') || isName(error, 'TransactionConflictException');
            if (laneMoved || conflicted) {
              for (const { tenantId, lane } of lanes) heads.delete(`${tenantId}#${lane}`);
              lastError = error;
              continue;
            }
            throw new AuditUnavailableError(error);
          }
        } finally {
          for (const release of releases) release();
        }
      }
      throw new AuditUnavailableError(lastError);
    },
  };
}

function isName(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: string }).name === name;
}

function cancellationReasons(error: unknown): string[] {
  if (!isName(error, 'TransactionCanceledException')) return [];
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? 'None');
}
