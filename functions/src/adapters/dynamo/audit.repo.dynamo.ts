import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type {
  AuditFilter,
  AuditReader,
  AuditRecorder,
  LaneStretch,
} from '@strongroom/shared/audit/audit.ports';
import { auditLaneCount, genesisHash, type LaneHead } from '@strongroom/shared/audit/audit-chain';
import type { AuditEvent } from '@strongroom/shared/audit/audit-event';
import { ValidationError } from '@strongroom/shared/kernel/errors';
import type { Page } from '@strongroom/shared/kernel/page';
import type { AuditedWriter } from './audited-writer.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { auditKeys } from './keys.ts';

const eventFields = [
  'id',
  'tenantId',
  'lane',
  'seq',
  'time',
  'actor',
  'sourceIp',
  'userAgent',
  'requestId',
  'action',
  'target',
  'outcome',
  'reason',
  'details',
  'prevHash',
  'hash',
] as const;

function eventOf(item: Record<string, unknown>): AuditEvent {
  const event: Record<string, unknown> = {};
  for (const field of eventFields) event[field] = item[field];
  return event as unknown as AuditEvent;
}

const normalizeTime = (iso: string) => new Date(iso).toISOString();

export function createAuditRecorder(writer: AuditedWriter): AuditRecorder {
  return { record: (event) => writer.commit([], event) };
}

export function createAuditReader(client: DynamoDBDocumentClient, auditTable: string): AuditReader {
  async function queryAll(input: QueryCommandInput, max: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({ ...input, ExclusiveStartKey, Limit: Math.min(1000, max - items.length) }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey && items.length < max);
    return items;
  }

  /** Actor or target searches use their index; extra criteria become filter expressions. */
  async function searchIndex(
    tenantId: string,
    filter: AuditFilter,
    limit: number,
    cursor?: string,
  ): Promise<Page<AuditEvent>> {
    const byActor = filter.actorId !== undefined;
    const index = byActor ? 'gsi1' : 'gsi2';
    const partition = byActor
      ? auditKeys.byActor(tenantId, filter.actorId as string)
      : auditKeys.byTarget(tenantId, filter.targetId as string);
    const names: Record<string, string> = { '#pk': `${index}pk`, '#sk': `${index}sk` };
    const values: Record<string, unknown> = {
      ':pk': partition,
      ':from': filter.from ? normalizeTime(filter.from) : '0',
      ':to': filter.to ? normalizeTime(filter.to) : '~',
    };
    const filters: string[] = [];
    if (byActor && filter.targetId !== undefined) {
      filters.push('#target.#id = :target');
      names['#target'] = 'target';
      names['#id'] = 'id';
      values[':target'] = filter.targetId;
    }
    if (filter.action !== undefined) {
      filters.push('#action = :action');
      names['#action'] = 'action';
      values[':action'] = filter.action;
    }
    const items: AuditEvent[] = [];
    let startKey = decodeCursor(cursor, `T#${tenantId}`);
    let pages = 0;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: auditTable,
          IndexName: index,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []).map(eventOf));
      startKey = page.LastEvaluatedKey as typeof startKey;
      pages++;
    } while (startKey && items.length < limit && pages < 20);
    return { items, ...(startKey ? { nextCursor: encodeCursor(startKey) } : {}) };
  }

  /**
   * A time-ordered search over the whole trail reads every lane newest-first and merges them.
   *
   * Each lane is read from its cursor position for up to `limit` matches (a few pages at most);
   * it ends at a scan position (or is exhausted). Only events at or above the *frontier* — the
   * highest scan position of the lanes not yet exhausted — are certain to be in global order, so
   * only those are handed out. The cursor keeps, per lane, where to continue: the last event
   * handed out, or the scan position when everything read was handed out (so lanes whose events
   * do not match the filter still move on), or null when the lane is done. Every page makes
   * progress: the lane that sets the frontier hands out all it read, or the page is full.
   */
  async function searchLanes(
    tenantId: string,
    filter: AuditFilter,
    limit: number,
    cursor?: string,
  ): Promise<Page<AuditEvent>> {
    const positions = decodeLanePositions(cursor);
    const lower = filter.from ? `E#${normalizeTime(filter.from)}` : 'E#';
    const upper = filter.to ? `E#${normalizeTime(filter.to)}` : 'E#~';
    const perLane = await Promise.all(
      Array.from({ length: auditLaneCount }, async (_, lane) => {
        const position = positions[lane];
        if (position === null) return { lane, items: [] as Record<string, unknown>[], scanKey: null };
        const pk = auditKeys.lane(tenantId, lane);
        const values: Record<string, unknown> = { ':pk': pk, ':lower': lower, ':upper': upper };
        if (filter.action !== undefined) values[':action'] = filter.action;
        const items: Record<string, unknown>[] = [];
        let scanKey: string | null = position ?? null;
        let startKey: Record<string, unknown> | undefined =
          position !== undefined ? { pk, sk: position } : undefined;
        for (let pages = 0; pages < 5 && items.length < limit; pages++) {
          const page = await client.send(
            new QueryCommand({
              TableName: auditTable,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lower AND :upper',
              ...(filter.action !== undefined
                ? { FilterExpression: '#action = :action', ExpressionAttributeNames: { '#action': 'action' } }
                : {}),
              ExpressionAttributeValues: values,
              ScanIndexForward: false,
              Limit: limit,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          );
          items.push(...(page.Items ?? []));
          startKey = page.LastEvaluatedKey;
          scanKey = startKey ? (startKey.sk as string) : null;
          if (!startKey) break;
        }
        return { lane, items, scanKey };
      }),
    );
    const frontier = perLane.reduce<string>(
      (highest, { scanKey }) => (scanKey !== null && scanKey > highest ? scanKey : highest),
      '',
    );
    const merged = perLane
      .flatMap(({ lane, items }) =>
        items
          .filter((item) => (item.sk as string) >= frontier)
          .map((item) => ({ lane, sk: item.sk as string, event: eventOf(item) })),
      )
      .sort((a, b) => (a.sk === b.sk ? (a.event.id < b.event.id ? 1 : -1) : a.sk < b.sk ? 1 : -1))
      .slice(0, limit);
    const next: (string | null | undefined)[] = [...positions];
    let more = false;
    for (const { lane, items, scanKey } of perLane) {
      if (positions[lane] === null) continue;
      const taken = merged.filter((m) => m.lane === lane);
      if (taken.length === items.length) next[lane] = scanKey;
      else if (taken.length > 0) next[lane] = taken.at(-1)!.sk;
      if (next[lane] !== null) more = true;
    }
    return {
      items: merged.map((m) => m.event),
      ...(more ? { nextCursor: encodeLanePositions(next) } : {}),
    };
  }

  return {
    async search(tenantId, filter, limit, cursor) {
      if (filter.actorId !== undefined || filter.targetId !== undefined) {
        return searchIndex(tenantId, filter, limit, cursor);
      }
      return searchLanes(tenantId, filter, limit, cursor);
    },

    async readLane(tenantId, lane, range, maxEvents): Promise<LaneStretch> {
      const pk = auditKeys.lane(tenantId, lane);
      // The head first: events appended after it was read are outside this verification.
      const headItem = await client.send(
        new GetCommand({ TableName: auditTable, Key: auditKeys.head(tenantId, lane), ConsistentRead: true }),
      );
      const head: LaneHead | null = headItem.Item
        ? {
            lane,
            seq: headItem.Item.seq as number,
            hash: headItem.Item.hash as string,
            time: headItem.Item.time as string,
          }
        : null;
      const lower = range.from ? `E#${normalizeTime(range.from)}` : 'E#';
      const upper = range.to ? `E#${normalizeTime(range.to)}` : 'E#~';
      const items = await queryAll(
        {
          TableName: auditTable,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lower AND :upper',
          ExpressionAttributeValues: { ':pk': pk, ':lower': lower, ':upper': upper },
          ConsistentRead: true,
        },
        maxEvents,
      );
      const events = items.map(eventOf).filter((event) => head === null || event.seq <= head.seq);
      let predecessor: AuditEvent | null = null;
      if (range.from) {
        const before = await client.send(
          new QueryCommand({
            TableName: auditTable,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :start AND :lower',
            ExpressionAttributeValues: { ':pk': pk, ':start': 'E#', ':lower': lower },
            ScanIndexForward: false,
            Limit: 1,
            ConsistentRead: true,
          }),
        );
        const item = before.Items?.[0];
        predecessor = item ? eventOf(item) : null;
      }
      return {
        predecessor,
        events,
        head: head ?? { lane, seq: 0, hash: genesisHash(tenantId, lane), time: '' },
      };
    },
  };
}

function decodeLanePositions(cursor: string | undefined): (string | null | undefined)[] {
  if (cursor === undefined) return Array.from({ length: auditLaneCount }, () => undefined);
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === auditLaneCount &&
      parsed.every(
        (p) => p === null || p === 0 || (typeof p === 'string' && p.startsWith('E#') && p.length < 80),
      )
    ) {
      return parsed.map((p) => (p === 0 ? undefined : p));
    }
  } catch {
    // fall through
  }
  throw ValidationError.field(['query', 'cursor'], 'is not a cursor this list returned');
}

function encodeLanePositions(positions: readonly (string | null | undefined)[]): string {
  return Buffer.from(JSON.stringify(positions.map((p) => (p === undefined ? 0 : p)))).toString('base64url');
}
