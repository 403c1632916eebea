import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '@strongroom/shared/kernel/errors';
import type { RotationRecord, RotationRepository } from '@strongroom/shared/rotation/rotation.ports';
import { StaleRotationError } from '@strongroom/shared/rotation/rotation.ports';
import type { AccountRecord } from '@strongroom/shared/vault/vault.ports';
import type { AuditedWriter, TransactItem } from './audited-writer.ts';
import { commitOrThrow } from './identity.repo.dynamo.ts';
import { keys, recordOf, rotationDueShards, tenantPartition } from './keys.ts';
import { queryPage } from './query-page.ts';
import { rotationDueIndex } from './vault.repo.dynamo.ts';

export interface RotationRepositoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly table: string;
  readonly writer: AuditedWriter;
}

/**
 * Rotations (`ROT#<id>`, by account through gsi1), the account's rotation fields and due index
 * (gsi2 `ROTDUE#<shard>`), credential versions changing status, and the failing pointers
 * (`ROTFAIL#<accountId>`): every step is one transaction, conditional on the rotation's revision.
 */
export function createRotationRepository({
  client,
  table,
  writer,
}: RotationRepositoryDeps): RotationRepository {
  const rotationPut = (rotation: RotationRecord, previous: RotationRecord | null): TransactItem => ({
    Put: {
      TableName: table,
      Item: {
        ...keys.rotation(rotation.tenantId, rotation.id),
        entity: 'rotation',
        gsi1pk: keys.rotationsOf(rotation.tenantId, rotation.accountId),
        gsi1sk: `${rotation.startedAt}#${rotation.id}`,
        ...rotation,
      },
      ...(previous
        ? {
            ConditionExpression: 'revision = :revision',
            ExpressionAttributeValues: { ':revision': previous.revision },
          }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  });

  /** SET/REMOVE of the due index for `dueAt`, as expression parts. */
  const dueParts = (account: AccountRecord, dueAt: string | null) =>
    dueAt
      ? {
          set: 'nextRotationDueAt = :due, gsi2pk = :duePk, gsi2sk = :dueSk',
          remove: '',
          values: {
            ':due': dueAt,
            ':duePk': rotationDueIndex(account, dueAt).gsi2pk,
            ':dueSk': rotationDueIndex(account, dueAt).gsi2sk,
          },
        }
      : { set: 'nextRotationDueAt = :due', remove: 'gsi2pk, gsi2sk', values: { ':due': null } };

  const versionStatus = (
    account: AccountRecord,
    version: number,
    from: string,
    to: string,
  ): TransactItem => ({
    Update: {
      TableName: table,
      Key: keys.credentialVersion(account.tenantId, account.id, version),
      UpdateExpression: 'SET #status = :to',
      ConditionExpression: '#status = :from',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':to': to, ':from': from },
    },
  });

  const stale = () => new StaleRotationError();

  async function getRotations(tenantId: string, ids: readonly string[]) {
    const found = await Promise.all(
      ids.map((id) =>
        client
          .send(new GetCommand({ TableName: table, Key: keys.rotation(tenantId, id), ConsistentRead: true }))
          .then(({ Item }) => recordOf<RotationRecord>(Item)),
      ),
    );
    return found.filter((r): r is RotationRecord => r !== null);
  }

  return {
    async start(account, rotation, retryDueAt, audit) {
      const due = dueParts(account, retryDueAt);
      await commitOrThrow(
        writer,
        [
          rotationPut(rotation, null),
          {
            Update: {
              TableName: table,
              Key: keys.account(account.tenantId, account.id),
              UpdateExpression: `SET activeRotationId = :id, rotationStatus = :rotating, ${due.set}`,
              ConditionExpression:
                'attribute_exists(pk) AND (attribute_not_exists(activeRotationId) OR activeRotationId = :none)',
              ExpressionAttributeValues: {
                ':id': rotation.id,
                ':rotating': 'rotating',
                ':none': null,
                ...due.values,
              },
            },
          },
        ],
        audit,
        (index) =>
          index === 1
            ? new ConflictError('rotation-running', 'A rotation of this account is already running.')
            : new ConflictError('rotation-exists', 'This rotation was already started.'),
      );
    },

    async get(tenantId, rotationId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: table, Key: keys.rotation(tenantId, rotationId), ConsistentRead: true }),
      );
      return recordOf<RotationRecord>(Item);
    },

    listForAccount: (tenantId, accountId, limit, cursor) =>
      queryPage<RotationRecord>(
        client,
        {
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.rotationsOf(tenantId, accountId) },
          ScanIndexForward: false,
        },
        {
          tenantPrefix: tenantPartition(tenantId),
          limit,
          cursor,
          keyAttributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
        },
      ),

    async listFailing(tenantId, limit, cursor) {
      const page = await queryPage<{ rotationId: string }>(
        client,
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'ROTFAIL#' },
        },
        { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
      );
      const items = await getRotations(
        tenantId,
        page.items.map((p) => p.rotationId),
      );
      return page.nextCursor ? { items, nextCursor: page.nextCursor } : { items };
    },

    async storePending(rotation, next, account, pending, audit) {
      await commitOrThrow(
        writer,
        [
          rotationPut(next, rotation),
          {
            Put: {
              TableName: table,
              Item: {
                ...keys.credentialVersion(account.tenantId, account.id, pending.version),
                entity: 'credential-version',
                ...pending,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: table,
              Key: keys.account(account.tenantId, account.id),
              UpdateExpression: 'SET latestVersion = :version',
              ConditionExpression: 'latestVersion = :expected AND activeRotationId = :rotation',
              ExpressionAttributeValues: {
                ':version': pending.version,
                ':expected': account.latestVersion,
                ':rotation': rotation.id,
              },
            },
          },
        ],
        audit,
        stale,
      );
    },

    advance: (rotation, next, audit) => commitOrThrow(writer, [rotationPut(next, rotation)], audit, stale),

    async recordFailure(rotation, next, account, retryDueAt, audit) {
      const due = dueParts(account, retryDueAt);
      const error = next.lastError;
      await commitOrThrow(
        writer,
        [
          rotationPut(next, rotation),
          {
            Update: {
              TableName: table,
              Key: keys.account(account.tenantId, account.id),
              UpdateExpression: `SET rotationStatus = :failing, rotationError = :error, ${due.set}`,
              ConditionExpression: 'activeRotationId = :rotation',
              ExpressionAttributeValues: {
                ':failing': 'failing',
                ':error': error ? { code: error.code, message: error.message, at: error.at } : null,
                ':rotation': rotation.id,
                ...due.values,
              },
            },
          },
          {
            Put: {
              TableName: table,
              Item: {
                ...keys.failingRotation(account.tenantId, account.id),
                entity: 'failing-rotation',
                rotationId: rotation.id,
                accountId: account.id,
              },
            },
          },
        ],
        audit,
        stale,
      );
    },

    async finish(rotation, next, account, nextDueAt, audit) {
      const pendingVersion = rotation.pendingVersion as number;
      const due = dueParts(account, nextDueAt);
      const items: TransactItem[] = [
        rotationPut(next, rotation),
        versionStatus(account, pendingVersion, 'pending', 'current'),
        {
          Update: {
            TableName: table,
            Key: keys.account(account.tenantId, account.id),
            UpdateExpression:
              `SET currentVersion = :pending, previousVersion = :from, credentialUpdatedAt = :at, lastRotatedAt = :at, ` +
              `rotationStatus = :ok, rotationError = :none, ${due.set} REMOVE activeRotationId${due.remove ? `, ${due.remove}` : ''}`,
            ConditionExpression: 'activeRotationId = :rotation AND latestVersion = :pending',
            ExpressionAttributeValues: {
              ':pending': pendingVersion,
              ':from': account.currentVersion,
              ':at': next.updatedAt,
              ':ok': 'ok',
              ':none': null,
              ':rotation': rotation.id,
              ...due.values,
            },
          },
        },
        { Delete: { TableName: table, Key: keys.failingRotation(account.tenantId, account.id) } },
      ];
      if (account.currentVersion !== null)
        items.push(versionStatus(account, account.currentVersion, 'current', 'previous'));
      if (account.previousVersion !== null && account.previousVersion !== undefined) {
        items.push(versionStatus(account, account.previousVersion, 'previous', 'retired'));
      }
      await commitOrThrow(writer, items, audit, stale);
    },

    async abandon(rotation, next, account, audit) {
      const items: TransactItem[] = [rotationPut(next, rotation)];
      if (rotation.pendingVersion !== null && account) {
        const stored = await client.send(
          new GetCommand({
            TableName: table,
            Key: keys.credentialVersion(account.tenantId, account.id, rotation.pendingVersion),
            ConsistentRead: true,
          }),
        );
        if (stored.Item?.status === 'pending') {
          items.push(versionStatus(account, rotation.pendingVersion, 'pending', 'retired'));
        }
      }
      if (account && account.activeRotationId === rotation.id) {
        const due = dueParts(account, account.rotation.enabled ? (account.nextRotationDueAt ?? null) : null);
        items.push(
          {
            Update: {
              TableName: table,
              Key: keys.account(account.tenantId, account.id),
              UpdateExpression: `SET rotationStatus = :status, ${due.set} REMOVE activeRotationId${due.remove ? `, ${due.remove}` : ''}`,
              ConditionExpression: 'activeRotationId = :rotation',
              ExpressionAttributeValues: {
                ':status': account.lastRotatedAt ? 'ok' : 'never',
                ':rotation': rotation.id,
                ...due.values,
              },
            },
          },
          { Delete: { TableName: table, Key: keys.failingRotation(account.tenantId, account.id) } },
        );
      }
      await commitOrThrow(writer, items, audit, stale);
    },

    async listDue(now, limit) {
      const perShard = Math.max(1, Math.ceil(limit / rotationDueShards));
      const pages = await Promise.all(
        Array.from({ length: rotationDueShards }, (_, shard) =>
          client.send(
            new QueryCommand({
              TableName: table,
              IndexName: 'gsi2',
              KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :bound',
              ExpressionAttributeValues: { ':pk': keys.rotationDueShard(shard), ':bound': `${now}#~` },
              Limit: perShard,
            }),
          ),
        ),
      );
      return pages.flatMap((page) =>
        (page.Items ?? []).map((item) => ({
          tenantId: item.tenantId as string,
          accountId: item.id as string,
        })),
      );
    },

    async reschedule(account, dueAt) {
      const due = dueParts(account, dueAt);
      await client.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.account(account.tenantId, account.id),
          UpdateExpression: `SET ${due.set}${due.remove ? ` REMOVE ${due.remove}` : ''}`,
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: due.values,
        }),
      );
    },
  };
}
