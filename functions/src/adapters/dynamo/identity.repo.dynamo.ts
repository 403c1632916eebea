import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  GroupRecord,
  GroupRepository,
  RefreshTokenRecord,
  SessionRecord,
  SessionRepository,
  TenantRecord,
  TenantRepository,
  UserRecord,
  UserRepository,
} from '@strongroom/shared/identity/identity.ports';
import { providerTenantId } from '@strongroom/shared/identity/principal';
import { ConflictError, NotFoundError, UnauthenticatedError } from '@strongroom/shared/kernel/errors';
import { type AuditedWriter, StateConditionFailed, type TransactItem } from './audited-writer.ts';
import { keys, recordOf, tenantPartition, ttlOf } from './keys.ts';
import { queryPage } from './query-page.ts';

export interface IdentityRepositoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly table: string;
  readonly writer: AuditedWriter;
}

/** Runs an audited transaction, turning a failed uniqueness/precondition into the caller's error. */
export async function commitOrThrow(
  writer: AuditedWriter,
  items: readonly TransactItem[],
  audit: Parameters<AuditedWriter['commit']>[1],
  onConditionFailed: (index: number) => Error,
): Promise<void> {
  try {
    await writer.commit(items, audit);
  } catch (error) {
    if (error instanceof StateConditionFailed) throw onConditionFailed(error.index);
    throw error;
  }
}

export function createIdentityRepositories({ client, table, writer }: IdentityRepositoryDeps) {
  const put = (item: Record<string, unknown>): TransactItem => ({
    Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  const get = async <T>(key: { pk: string; sk: string }, consistent = false): Promise<T | null> => {
    const { Item } = await client.send(
      new GetCommand({ TableName: table, Key: key, ConsistentRead: consistent }),
    );
    return recordOf<T>(Item);
  };

  const userItems = (user: UserRecord): TransactItem[] => [
    put({
      ...keys.user(user.tenantId, user.id),
      entity: 'user',
      // Console users are matched by the local part of their email (the jump-item API).
      gsi2pk: keys.userLocalName(user.tenantId, user.email.split('@')[0] ?? user.email),
      gsi2sk: user.id,
      ...user,
    }),
    put({ ...keys.userEmail(user.tenantId, user.email), entity: 'user-email', userId: user.id }),
  ];
  const emailTaken = () =>
    new ConflictError('email-taken', 'A user with this email already exists in the tenant.');

  const tenants: TenantRepository = {
    async createWithAdmin(tenant, admin, audit) {
      await commitOrThrow(
        writer,
        [
          put({
            ...keys.tenant(tenant.id),
            entity: 'tenant',
            gsi1pk: 'TENANTS',
            gsi1sk: tenant.id,
            ...tenant,
          }),
          put({ ...keys.tenantSlug(tenant.slug), entity: 'tenant-slug', tenantId: tenant.id }),
          ...userItems(admin),
        ],
        audit,
        (index) =>
          index === 1
            ? new ConflictError('tenant-slug-taken', 'A tenant with this slug already exists.')
            : emailTaken(),
      );
    },
    get: (tenantId) => get<TenantRecord>(keys.tenant(tenantId)),
    list: (limit, cursor) =>
      queryPage<TenantRecord>(
        client,
        {
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :all',
          FilterExpression: 'id <> :provider',
          ExpressionAttributeValues: { ':all': 'TENANTS', ':provider': providerTenantId },
        },
        // Tenant records live outside tenant partitions: cursors must stay on them.
        { tenantPrefix: 'TENANT', limit, cursor, keyAttributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'] },
      ),
    async getBySlug(slug) {
      const claim = await get<{ tenantId: string }>(keys.tenantSlug(slug));
      return claim ? get<TenantRecord>(keys.tenant(claim.tenantId)) : null;
    },
    setStatus: (tenant, status, audit) =>
      commitOrThrow(
        writer,
        [
          {
            Update: {
              TableName: table,
              Key: keys.tenant(tenant.id),
              UpdateExpression: 'SET #status = :status',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':status': status },
            },
          },
        ],
        audit,
        () => new NotFoundError('tenant'),
      ),
    async ensureProviderRealm(realm, operator, audit) {
      if (await get(keys.tenant(realm.id), true)) return false;
      try {
        await writer.commit(
          [
            put({ ...keys.tenant(realm.id), entity: 'tenant', ...realm }),
            put({ ...keys.tenantSlug(realm.slug), entity: 'tenant-slug', tenantId: realm.id }),
            ...userItems(operator),
          ],
          audit,
        );
        return true;
      } catch (error) {
        if (error instanceof StateConditionFailed) return false; // another process created it first
        throw error;
      }
    },
  };

  const users: UserRepository = {
    create: (user, audit) => commitOrThrow(writer, userItems(user), audit, emailTaken),
    get: (tenantId, userId) => get<UserRecord>(keys.user(tenantId, userId)),
    async findByLocalName(tenantId, localName) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.userLocalName(tenantId, localName) },
          Limit: 20,
        }),
      );
      return Items.map((item) => recordOf<UserRecord>(item) as UserRecord);
    },
    async getByEmail(tenantId, email) {
      const claim = await get<{ userId: string }>(keys.userEmail(tenantId, email));
      return claim ? get<UserRecord>(keys.user(tenantId, claim.userId), true) : null;
    },
    list: (tenantId, limit, cursor) =>
      queryPage<UserRecord>(
        client,
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'USER#' },
        },
        { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
      ),
    update: (user, audit, options = {}) =>
      commitOrThrow(
        writer,
        [
          {
            Update: {
              TableName: table,
              Key: keys.user(user.tenantId, user.id),
              // The sign-in fields are written only on a password reset, so an ordinary edit
              // never overwrites a failure count that concurrent sign-ins are moving.
              UpdateExpression: `SET displayName = :name, #roles = :roles, #status = :status${
                options.passwordReset
                  ? ', passwordHash = :hash, failedSignIns = :zero, lockedUntil = :null'
                  : ''
              }`,
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#roles': 'roles', '#status': 'status' },
              ExpressionAttributeValues: {
                ':name': user.displayName,
                ':roles': user.roles,
                ':status': user.status,
                ...(options.passwordReset ? { ':hash': user.passwordHash, ':zero': 0, ':null': null } : {}),
              },
            },
          },
        ],
        audit,
        () => new NotFoundError('user'),
      ),
    async recordFailedSignIn(user, update, audit) {
      await commitOrThrow(
        writer,
        [
          {
            Update: {
              TableName: table,
              Key: keys.user(user.tenantId, user.id),
              // A failure that does not lock is counted with ADD, so concurrent guesses each
              // count (a read-then-SET would let parallel failures overwrite one another).
              ...(update.failedSignIns === 0
                ? {
                    UpdateExpression: 'SET failedSignIns = :zero, lockedUntil = :locked',
                    ExpressionAttributeValues: { ':zero': 0, ':locked': update.lockedUntil },
                  }
                : update.failedSignIns === user.failedSignIns
                  ? {
                      UpdateExpression: 'SET lockedUntil = :locked',
                      ExpressionAttributeValues: { ':locked': update.lockedUntil },
                    }
                  : {
                      UpdateExpression: 'SET lockedUntil = :locked ADD failedSignIns :one',
                      ExpressionAttributeValues: { ':locked': update.lockedUntil, ':one': 1 },
                    }),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
        audit,
        () => new UnauthenticatedError('invalid-credentials', 'The tenant, email or password is wrong.'),
      );
    },
    async recordSignIn(user, update, session, refreshToken, audit) {
      const rehash = update.passwordHash !== undefined;
      await commitOrThrow(
        writer,
        [
          {
            Update: {
              TableName: table,
              Key: keys.user(user.tenantId, user.id),
              UpdateExpression: `SET failedSignIns = :zero, lockedUntil = :null, lastSignInAt = :at${rehash ? ', passwordHash = :hash' : ''}`,
              ConditionExpression: 'attribute_exists(pk) AND #status = :active',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':zero': 0,
                ':null': null,
                ':at': update.signedInAt,
                ':active': 'active',
                ...(rehash ? { ':hash': update.passwordHash } : {}),
              },
            },
          },
          put({
            ...keys.session(session.tenantId, session.id),
            entity: 'session',
            ttl: ttlOf(session.expiresAt),
            ...session,
          }),
          put({
            ...keys.refreshToken(refreshToken.tokenHash),
            entity: 'refresh-token',
            ttl: ttlOf(refreshToken.expiresAt),
            ...refreshToken,
          }),
        ],
        audit,
        () => new UnauthenticatedError('invalid-credentials', 'The tenant, email or password is wrong.'),
      );
    },
  };

  const groupNameTaken = () =>
    new ConflictError('group-name-taken', 'A group with this name already exists.', {
      issues: [{ path: ['body', 'name'], message: 'is the name of another group' }],
    });
  const groupChanged = () =>
    new ConflictError('group-changed', 'The group changed while it was being updated; reload and retry.');
  const groups: GroupRepository = {
    create: (group, audit) =>
      commitOrThrow(
        writer,
        [
          put({ ...keys.group(group.tenantId, group.id), entity: 'group', ...group }),
          put({ ...keys.groupName(group.tenantId, group.name), entity: 'group-name', groupId: group.id }),
        ],
        audit,
        groupNameTaken,
      ),
    get: (tenantId, groupId) => get<GroupRecord>(keys.group(tenantId, groupId)),
    async update(previous, next, audit) {
      const { tenantId, id: groupId } = previous;
      // Names are claimed ignoring case: "Ops" → "OPS" keeps its claim.
      const reclaim = previous.name.toLowerCase() !== next.name.toLowerCase();
      const items: TransactItem[] = [
        {
          Update: {
            TableName: table,
            Key: keys.group(tenantId, groupId),
            UpdateExpression: 'SET #name = :name, #description = :description',
            // Against the group as it was read: a concurrent change fails here, so this never
            // releases a name claim the group no longer holds nor audits a stale "before".
            ConditionExpression:
              'attribute_exists(pk) AND #name = :previousName AND #description = :previousDescription',
            ExpressionAttributeNames: { '#name': 'name', '#description': 'description' },
            ExpressionAttributeValues: {
              ':name': next.name,
              ':description': next.description,
              ':previousName': previous.name,
              ':previousDescription': previous.description,
            },
          },
        },
      ];
      if (reclaim) {
        items.push(
          {
            Delete: {
              TableName: table,
              Key: keys.groupName(tenantId, previous.name),
              // Only our own claim is released (a missing one is tolerated).
              ConditionExpression: 'attribute_not_exists(pk) OR groupId = :groupId',
              ExpressionAttributeValues: { ':groupId': groupId },
            },
          },
          put({ ...keys.groupName(tenantId, next.name), entity: 'group-name', groupId }),
        );
      }
      await commitOrThrow(writer, items, audit, (index) => (index === 2 ? groupNameTaken() : groupChanged()));
    },
    async getMany(tenantId, groupIds) {
      if (groupIds.length === 0) return [];
      const found: GroupRecord[] = [];
      for (let i = 0; i < groupIds.length; i += 100) {
        const batch = groupIds.slice(i, i + 100).map((id) => keys.group(tenantId, id));
        let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
          [table]: { Keys: batch },
        };
        while (request && Object.keys(request).length > 0) {
          const result = await client.send(new BatchGetCommand({ RequestItems: request }));
          for (const item of result.Responses?.[table] ?? [])
            found.push(recordOf<GroupRecord>(item) as GroupRecord);
          request = result.UnprocessedKeys as typeof request;
        }
      }
      return found;
    },
    async listMemberIds(tenantId, groupId, limit) {
      const ids: string[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: {
              ':pk': tenantPartition(tenantId),
              ':prefix': keys.groupMember(tenantId, groupId, '').sk,
            },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) ids.push(item.userId as string);
        startKey = page.LastEvaluatedKey;
      } while (startKey && ids.length < limit);
      return ids.slice(0, limit);
    },
    list: (tenantId, limit, cursor) =>
      queryPage<GroupRecord>(
        client,
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'GROUP#' },
        },
        { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
      ),
    async addMember(group, user, audit) {
      if (user.groupIds.includes(group.id)) return false;
      await commitOrThrow(
        writer,
        [
          {
            Update: {
              TableName: table,
              Key: keys.user(user.tenantId, user.id),
              UpdateExpression: 'SET groupIds = list_append(groupIds, :group)',
              ConditionExpression: 'attribute_exists(pk) AND NOT contains(groupIds, :groupId)',
              ExpressionAttributeValues: { ':group': [group.id], ':groupId': group.id },
            },
          },
          {
            ConditionCheck: {
              TableName: table,
              Key: keys.group(group.tenantId, group.id),
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
          {
            Put: {
              TableName: table,
              Item: {
                ...keys.groupMember(group.tenantId, group.id, user.id),
                entity: 'group-member',
                userId: user.id,
              },
            },
          },
        ],
        audit,
        () => new ConflictError('already-member', 'The user is already a member of the group.'),
      );
      return true;
    },
    async removeMember(group, user, audit) {
      const index = user.groupIds.indexOf(group.id);
      if (index < 0) return false;
      await commitOrThrow(
        writer,
        [
          {
            Update: {
              TableName: table,
              Key: keys.user(user.tenantId, user.id),
              // By position, guarded by the value at that position: a concurrent change fails
              // the condition instead of removing the wrong group.
              UpdateExpression: `REMOVE groupIds[${index}]`,
              ConditionExpression: `attribute_exists(pk) AND groupIds[${index}] = :groupId`,
              ExpressionAttributeValues: { ':groupId': group.id },
            },
          },
          { Delete: { TableName: table, Key: keys.groupMember(group.tenantId, group.id, user.id) } },
        ],
        audit,
        () => new ConflictError('membership-changed', 'The memberships changed concurrently; retry.'),
      );
      return true;
    },
  };

  const invalidRefresh = () =>
    new UnauthenticatedError('invalid-refresh-token', 'The refresh token is not valid.');
  const sessions: SessionRepository = {
    getRefreshToken: (tokenHash) => get<RefreshTokenRecord>(keys.refreshToken(tokenHash), true),
    getSession: (tenantId, sessionId) => get<SessionRecord>(keys.session(tenantId, sessionId), true),
    async rotate(used, next, usedAt, audit) {
      await commitOrThrow(
        writer,
        [
          {
            Update: {
              TableName: table,
              Key: keys.refreshToken(used.tokenHash),
              UpdateExpression: 'SET usedAt = :at',
              ConditionExpression: 'attribute_exists(pk) AND usedAt = :null',
              ExpressionAttributeValues: { ':at': usedAt, ':null': null },
            },
          },
          {
            ConditionCheck: {
              TableName: table,
              Key: keys.session(used.tenantId, used.sessionId),
              ConditionExpression: '#status = :active',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':active': 'active' },
            },
          },
          put({
            ...keys.refreshToken(next.tokenHash),
            entity: 'refresh-token',
            ttl: ttlOf(next.expiresAt),
            ...next,
          }),
        ],
        audit,
        invalidRefresh,
      );
    },
    async revoke(session, audit) {
      await commitOrThrow(
        writer,
        [
          {
            Update: {
              TableName: table,
              Key: keys.session(session.tenantId, session.id),
              UpdateExpression: 'SET #status = :revoked',
              ConditionExpression: '#status = :active',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':revoked': 'revoked', ':active': 'active' },
            },
          },
        ],
        audit,
        invalidRefresh,
      );
    },
  };

  return { tenants, users, groups, sessions };
}
