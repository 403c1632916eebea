import { createHash } from 'node:crypto';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  AccessPolicyRecord,
  AccessPolicyRepository,
  AccessRequestRecord,
  AccessRequestRepository,
  NotificationRecord,
  NotificationRepository,
  ReleaseLock,
  RequestEffects,
} from '@strongroom/shared/access/access.ports';
import { StaleRequestError } from '@strongroom/shared/access/access.ports';
import { deadlineOf, effectiveStatus } from '@strongroom/shared/access/access-request-lifecycle';
import type { ReleaseEndedEvent } from '@strongroom/shared/contracts/domain-events';
import type { Clock } from '@strongroom/shared/kernel/clock';
import { ConflictError, ValidationError } from '@strongroom/shared/kernel/errors';
import { idTimePrefix, timeOfId } from '@strongroom/shared/kernel/ids';
import type { AuditedWriter, TransactItem } from './audited-writer.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { commitOrThrow } from './identity.repo.dynamo.ts';
import { keys, recordOf, tenantPartition, ttlOf } from './keys.ts';
import { queryPage } from './query-page.ts';

export interface AccessRepositoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly table: string;
  readonly writer: AuditedWriter;
  readonly clock: Clock;
  /**
   * `countCreated` first reads the keys of the whole span in one query of at most this many
   * items (and DynamoDB's 1 MB); beyond it, it counts each window with COUNT queries instead.
   * @default 1000
   */
  readonly activityKeysPerRead?: number;
}

/** Deadline and outbox partitions are sharded so that no single partition takes every tenant's writes. */
export const deadlineShards = 8;
export const outboxShards = 8;
const shardOf = (id: string, shards: number) => createHash('sha256').update(id).digest()[0]! % shards;

const notificationRetentionDays = 90;
/** Index pages one `listDecidedBy` call reads at most, so a very selective status filter stays bounded. */
const maxDecidedPagesPerCall = 10;

/** Outbox items of events, written in the transaction of the change that caused them. */
export function outboxItems(table: string, events: readonly ReleaseEndedEvent[]): TransactItem[] {
  return events.map((event) => ({
    Put: {
      TableName: table,
      Item: {
        ...keys.outbox(shardOf(event.id, outboxShards), event.at, event.id),
        entity: 'outbox',
        event: JSON.stringify(event),
      },
    },
  }));
}

export const outboxKeyOf = (event: ReleaseEndedEvent) =>
  keys.outbox(shardOf(event.id, outboxShards), event.at, event.id);

export function createAccessRepositories({
  client,
  table,
  writer,
  clock,
  activityKeysPerRead = 1_000,
}: AccessRepositoryDeps) {
  const put = (item: Record<string, unknown>, condition = 'attribute_not_exists(pk)'): TransactItem => ({
    Put: { TableName: table, Item: item, ConditionExpression: condition },
  });
  const get = async <T>(key: { pk: string; sk: string }, consistent = false): Promise<T | null> => {
    const { Item } = await client.send(
      new GetCommand({ TableName: table, Key: key, ConsistentRead: consistent }),
    );
    return recordOf<T>(Item);
  };

  const policySetBump = (tenantId: string): TransactItem => ({
    Update: {
      TableName: table,
      Key: keys.accessPolicySet(tenantId),
      UpdateExpression: 'SET #version = if_not_exists(#version, :zero) + :one, entity = :entity',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':entity': 'access-policy-set' },
    },
  });
  const policyItem = (policy: AccessPolicyRecord) => ({
    ...keys.accessPolicy(policy.tenantId, policy.id),
    entity: 'access-policy',
    ...policy,
  });
  const snapshotItem = (policy: AccessPolicyRecord) => ({
    ...keys.accessPolicyVersion(policy.tenantId, policy.id, policy.version),
    entity: 'access-policy-version',
    ...policy,
  });
  const nameTaken = () =>
    new ConflictError('policy-name-taken', 'An access policy with this name already exists.');

  const policies: AccessPolicyRepository = {
    create: (policy, audit) =>
      commitOrThrow(
        writer,
        [
          put(policyItem(policy)),
          put(snapshotItem(policy)),
          put({
            ...keys.accessPolicyName(policy.tenantId, policy.name),
            entity: 'access-policy-name',
            policyId: policy.id,
          }),
          policySetBump(policy.tenantId),
        ],
        audit,
        (index) =>
          index === 2 ? nameTaken() : new ConflictError('policy-exists', 'The policy already exists.'),
      ),
    async update(previous, next, audit) {
      const renamed = previous.name.toLowerCase() !== next.name.toLowerCase();
      const items: TransactItem[] = [
        {
          Put: {
            TableName: table,
            Item: policyItem(next),
            ConditionExpression: '#version = :previous',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':previous': previous.version },
          },
        },
        put(snapshotItem(next)),
        policySetBump(next.tenantId),
      ];
      if (renamed) {
        items.push(
          { Delete: { TableName: table, Key: keys.accessPolicyName(previous.tenantId, previous.name) } },
          put({
            ...keys.accessPolicyName(next.tenantId, next.name),
            entity: 'access-policy-name',
            policyId: next.id,
          }),
        );
      }
      await commitOrThrow(writer, items, audit, (index) =>
        index === 4
          ? nameTaken()
          : new ConflictError('version-conflict', 'The policy changed concurrently; reload and retry.'),
      );
    },
    get: (tenantId, policyId) => get<AccessPolicyRecord>(keys.accessPolicy(tenantId, policyId), true),
    getVersion: (tenantId, policyId, version) =>
      get<AccessPolicyRecord>(keys.accessPolicyVersion(tenantId, policyId, version)),
    list: (tenantId, limit, cursor) =>
      queryPage<AccessPolicyRecord>(
        client,
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'APOL#' },
        },
        { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
      ),
    async listVersions(tenantId, policyId) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': `APOL_VER#${policyId}#` },
          ScanIndexForward: false,
        }),
      );
      return Items.map((item) => recordOf<AccessPolicyRecord>(item) as AccessPolicyRecord);
    },
    async setVersion(tenantId) {
      const set = await get<{ version: number }>(keys.accessPolicySet(tenantId), true);
      return set?.version ?? 0;
    },
    async loadAll(tenantId) {
      const found: AccessPolicyRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'APOL#' },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? [])
          found.push(recordOf<AccessPolicyRecord>(item) as AccessPolicyRecord);
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return found;
    },
  };

  /** The request item with its index attributes: by requester (gsi1) and, while open, by deadline (gsi2). */
  const requestItem = (request: AccessRequestRecord) => {
    const deadline = deadlineOf(request);
    return {
      ...keys.accessRequest(request.tenantId, request.id),
      entity: 'access-request',
      gsi1pk: keys.requestsOf(request.tenantId, request.requesterId),
      gsi1sk: `${request.createdAt}#${request.id}`,
      ...(deadline
        ? {
            gsi2pk: keys.deadlineShard(shardOf(request.id, deadlineShards)),
            gsi2sk: `${deadline}#${request.tenantId}#${request.id}`,
          }
        : {}),
      ...request,
    };
  };

  const lockItems = (lock: ReleaseLock, now: string): TransactItem => ({
    Put: {
      TableName: table,
      Item: { ...keys.releaseLock(lock.tenantId, lock.accountId), entity: 'release-lock', ...lock },
      // Free, lapsed (the holder's release ended by the clock), or already ours.
      ConditionExpression: 'attribute_not_exists(pk) OR endsAt <= :now OR requestId = :me',
      ExpressionAttributeValues: { ':now': now, ':me': lock.requestId },
    },
  });

  async function effectItems(request: AccessRequestRecord, effects: RequestEffects) {
    const items: { item: TransactItem; onFail: () => Error }[] = [];
    const now = clock.now().toISOString();
    const checkedOut = () =>
      new ConflictError(
        'account-checked-out',
        'Another exclusive release of this account is active; try again when it ends.',
      );
    if (effects.acquireLock) items.push({ item: lockItems(effects.acquireLock, now), onFail: checkedOut });
    if (effects.releaseLock) {
      const lock = await get<ReleaseLock>(keys.releaseLock(request.tenantId, request.accountId), true);
      if (lock?.requestId === request.id) {
        items.push({
          item: {
            Delete: {
              TableName: table,
              Key: keys.releaseLock(request.tenantId, request.accountId),
              ConditionExpression: 'requestId = :me',
              ExpressionAttributeValues: { ':me': request.id },
            },
          },
          onFail: () => new StaleRequestError(),
        });
      }
    }
    for (const item of outboxItems(table, effects.events ?? [])) {
      items.push({ item, onFail: () => new StaleRequestError() });
    }
    if (effects.recordDecision) {
      const decision = effects.recordDecision;
      items.push({
        // One per approver and request; a second decision by the same person fails the transaction
        // (decide() never produces one; a concurrent duplicate re-reads and finds it unchanged).
        item: put({
          ...keys.requestDecision(request.tenantId, request.id, decision.approverId),
          entity: 'access-decision',
          gsi1pk: keys.decisionsBy(request.tenantId, decision.approverId),
          gsi1sk: `${decision.at}#${request.id}`,
          tenantId: request.tenantId,
          requestId: request.id,
          approverId: decision.approverId,
          decision: decision.decision,
          at: decision.at,
        }),
        onFail: () => new StaleRequestError(),
      });
    }
    return items;
  }

  /** The requests with these ids, in the order given (missing ones left out); 100 keys per BatchGet. */
  async function batchGetRequests(tenantId: string, ids: readonly string[]) {
    if (ids.length === 0) return [];
    const found = new Map<string, AccessRequestRecord>();
    for (let i = 0; i < ids.length; i += 100) {
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [table]: { Keys: ids.slice(i, i + 100).map((id) => keys.accessRequest(tenantId, id)) },
      };
      while (request && Object.keys(request).length > 0) {
        const result = await client.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of result.Responses?.[table] ?? []) {
          const record = recordOf<AccessRequestRecord>(item) as AccessRequestRecord;
          found.set(record.id, record);
        }
        request = result.UnprocessedKeys as typeof request;
      }
    }
    return ids.map((id) => found.get(id)).filter((r): r is AccessRequestRecord => r !== undefined);
  }

  const statusFilter = (statuses: readonly string[] | undefined) =>
    statuses && statuses.length > 0
      ? {
          FilterExpression: `#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          statusValues: Object.fromEntries(statuses.map((s, i) => [`:s${i}`, s])),
        }
      : null;

  const requests: AccessRequestRepository = {
    async create(request, effects, audit) {
      const extra = await effectItems(request, effects);
      const items: TransactItem[] = [put(requestItem(request))];
      if (request.status === 'requested') {
        items.push(
          put({
            ...keys.pendingRequest(request.tenantId, request.id),
            entity: 'pending-request',
            requestId: request.id,
          }),
        );
      }
      const offset = items.length;
      items.push(...extra.map((e) => e.item));
      await commitOrThrow(writer, items, audit, (index) =>
        index >= offset
          ? (extra[index - offset]?.onFail() ?? new StaleRequestError())
          : new ConflictError('request-exists', 'The request already exists.'),
      );
    },
    async transition(previous, next, effects, audit) {
      const extra = await effectItems(next, effects);
      const items: TransactItem[] = [
        {
          Put: {
            TableName: table,
            Item: requestItem(next),
            ConditionExpression: 'revision = :revision',
            ExpressionAttributeValues: { ':revision': previous.revision },
          },
        },
      ];
      if (previous.status === 'requested' && next.status !== 'requested') {
        items.push({ Delete: { TableName: table, Key: keys.pendingRequest(next.tenantId, next.id) } });
      }
      const offset = items.length;
      items.push(...extra.map((e) => e.item));
      await commitOrThrow(writer, items, audit, (index) =>
        index >= offset
          ? (extra[index - offset]?.onFail() ?? new StaleRequestError())
          : new StaleRequestError(),
      );
    },
    get: (tenantId, requestId) => get<AccessRequestRecord>(keys.accessRequest(tenantId, requestId), true),
    getLock: (tenantId, accountId) => get<ReleaseLock>(keys.releaseLock(tenantId, accountId), true),
    listByRequester(tenantId, requesterId, filter, limit, cursor) {
      const status = statusFilter(filter.statuses);
      return queryPage<AccessRequestRecord>(
        client,
        {
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ScanIndexForward: false,
          ...(status
            ? {
                FilterExpression: status.FilterExpression,
                ExpressionAttributeNames: status.ExpressionAttributeNames,
              }
            : {}),
          ExpressionAttributeValues: {
            ':pk': keys.requestsOf(tenantId, requesterId),
            ...(status?.statusValues ?? {}),
          },
        },
        {
          tenantPrefix: tenantPartition(tenantId),
          limit,
          cursor,
          keyAttributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
        },
      );
    },
    async listPending(tenantId, limit, cursor) {
      const page = await queryPage<{ requestId: string }>(
        client,
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'REQ_PENDING#' },
          ScanIndexForward: false,
        },
        { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
      );
      const items = await batchGetRequests(
        tenantId,
        page.items.map((p) => p.requestId),
      );
      return page.nextCursor ? { items, nextCursor: page.nextCursor } : { items };
    },
    async listDecidedBy(tenantId, approverId, filter, limit, cursor) {
      const partition = keys.decisionsBy(tenantId, approverId);
      let startKey = decodeCursor(cursor, tenantPartition(tenantId));
      // A cursor of another list (or of another approver's) never resumes this one.
      if (startKey && (startKey.gsi1pk !== partition || !String(startKey.sk).startsWith('REQ_DECISION#'))) {
        throw ValidationError.field(['query', 'cursor'], 'is not a cursor this list returned');
      }
      const wanted = filter.statuses && filter.statuses.length > 0 ? new Set(filter.statuses) : null;
      const now = clock.now();
      const items: AccessRequestRecord[] = [];
      let lastKey: Record<string, string> | undefined;
      // The status changes after the decision (approved → active → checked-in), so the index does
      // not hold it: filtering reads the requests, within a bounded number of index pages.
      for (let pages = 0; pages < maxDecidedPagesPerCall; pages++) {
        const want = limit - items.length;
        const page = await client.send(
          new QueryCommand({
            TableName: table,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': partition },
            ScanIndexForward: false,
            Limit: wanted ? Math.min(100, Math.max(want * 2, 25)) : want,
            ExclusiveStartKey: startKey,
          }),
        );
        const pointers = page.Items ?? [];
        const records = new Map(
          (
            await batchGetRequests(
              tenantId,
              pointers.map((p) => p.requestId as string),
            )
          ).map((r) => [r.id, r]),
        );
        let consumed = 0;
        for (const pointer of pointers) {
          if (items.length === limit) break;
          consumed++;
          lastKey = {
            pk: pointer.pk as string,
            sk: pointer.sk as string,
            gsi1pk: pointer.gsi1pk as string,
            gsi1sk: pointer.gsi1sk as string,
          };
          const record = records.get(pointer.requestId as string);
          if (!record || (wanted && !wanted.has(effectiveStatus(record, now)))) continue;
          items.push(record);
        }
        startKey = page.LastEvaluatedKey as typeof startKey;
        if (items.length === limit) {
          const more = consumed < pointers.length || startKey !== undefined;
          // Resume after the last decision handed out, not after the last one read.
          return more ? { items, nextCursor: encodeCursor(lastKey) as string } : { items };
        }
        if (!startKey) return { items };
      }
      const next = encodeCursor(startKey);
      return next ? { items, nextCursor: next } : { items };
    },
    listAll(tenantId, filter, limit, cursor) {
      const status = statusFilter(filter.statuses);
      return queryPage<AccessRequestRecord>(
        client,
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ScanIndexForward: false,
          ...(status
            ? {
                FilterExpression: status.FilterExpression,
                ExpressionAttributeNames: status.ExpressionAttributeNames,
              }
            : {}),
          ExpressionAttributeValues: {
            ':pk': tenantPartition(tenantId),
            ':prefix': 'REQ#',
            ...(status?.statusValues ?? {}),
          },
        },
        { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
      );
    },
    async countCreated(tenantId, requesterId, windows) {
      if (windows.length === 0) return [];
      // The tenant's requests are keyed by their time-ordered id (`REQ#req_<ULID>`), a requester's
      // by `createdAt` on their index. `from` ≤ key < `to`: a key starting exactly at `to` sorts
      // after the bare bound, so BETWEEN leaves it out.
      const keyRange = (from: Date, to: Date) =>
        requesterId
          ? {
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
              ExpressionAttributeValues: {
                ':pk': keys.requestsOf(tenantId, requesterId),
                ':from': from.toISOString(),
                ':to': to.toISOString(),
              },
            }
          : {
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: {
                ':pk': tenantPartition(tenantId),
                ':from': `REQ#${idTimePrefix('request', from)}`,
                ':to': `REQ#${idTimePrefix('request', to)}`,
              },
            };
      const timeOfKey = (item: Record<string, unknown>) =>
        requesterId
          ? Date.parse(String(item.gsi1sk).slice(0, String(item.gsi1sk).indexOf('#')))
          : timeOfId(String(item.sk).slice('REQ#'.length)).getTime();

      // Most tenants' requests over the whole span fit in one page: read their keys at once and
      // count them into the windows, in one round trip.
      const span = {
        from: new Date(Math.min(...windows.map((w) => w.from.getTime()))),
        to: new Date(Math.max(...windows.map((w) => w.to.getTime()))),
      };
      const first = await client.send(
        new QueryCommand({
          TableName: table,
          ...keyRange(span.from, span.to),
          ProjectionExpression: requesterId ? 'gsi1sk' : 'sk',
          Limit: activityKeysPerRead,
        }),
      );
      if (!first.LastEvaluatedKey) {
        const times = (first.Items ?? []).map(timeOfKey);
        return windows.map(
          ({ from, to }) => times.filter((t) => t >= from.getTime() && t < to.getTime()).length,
        );
      }
      // More than that: one COUNT query per window, in parallel, each paging through its range.
      const countWindow = async ({ from, to }: { from: Date; to: Date }) => {
        let count = 0;
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: table,
              ...keyRange(from, to),
              Select: 'COUNT',
              ExclusiveStartKey: startKey,
            }),
          );
          count += page.Count ?? 0;
          startKey = page.LastEvaluatedKey;
        } while (startKey);
        return count;
      };
      return Promise.all(windows.map(countWindow));
    },
    async listDue(now, limit) {
      const perShard = Math.max(1, Math.ceil(limit / deadlineShards));
      const shards = await Promise.all(
        Array.from({ length: deadlineShards }, (_, shard) =>
          client.send(
            new QueryCommand({
              TableName: table,
              IndexName: 'gsi2',
              KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :bound',
              ExpressionAttributeValues: { ':pk': keys.deadlineShard(shard), ':bound': `${now}#~` },
              Limit: perShard,
            }),
          ),
        ),
      );
      return shards.flatMap((page) =>
        (page.Items ?? []).map((item) => ({
          tenantId: item.tenantId as string,
          requestId: item.id as string,
        })),
      );
    },
  };

  const notifications: NotificationRepository = {
    async add(records) {
      for (let i = 0; i < records.length; i += 25) {
        let pending: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> | undefined = {
          [table]: records.slice(i, i + 25).map((record) => ({
            PutRequest: {
              Item: {
                ...keys.notification(record.tenantId, record.userId, record.id),
                entity: 'notification',
                ttl: ttlOf(record.createdAt) + notificationRetentionDays * 86_400,
                ...record,
              },
            },
          })),
        };
        for (let attempt = 0; pending && Object.keys(pending).length > 0 && attempt < 8; attempt++) {
          const result = await client.send(new BatchWriteCommand({ RequestItems: pending }));
          pending = result.UnprocessedItems as typeof pending;
        }
      }
    },
    listForUser: (tenantId, userId, limit, cursor) =>
      queryPage<NotificationRecord>(
        client,
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': `NTF#${userId}#` },
          ScanIndexForward: false,
        },
        { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
      ),
  };

  return { accessPolicies: policies, accessRequests: requests, notifications };
}
