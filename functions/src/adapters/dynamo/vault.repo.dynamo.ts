import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '@strongroom/shared/kernel/errors';
import { systemAddressKeys, targetLookupKeys } from '@strongroom/shared/vault/target-address';
import type {
  AccountGroupRecord,
  AccountGroupRepository,
  AccountRecord,
  AccountRepository,
  CredentialRepository,
  CredentialVersionRecord,
  PasswordPolicyRecord,
  PasswordPolicyRepository,
  SystemRecord,
  SystemRepository,
} from '@strongroom/shared/vault/vault.ports';
import { type AccountFilter, maxAccountGroupsPerAccount } from '@strongroom/shared/vault/vault.schemas';
import { type AuditedWriter, StateConditionFailed, type TransactItem } from './audited-writer.ts';
import { commitOrThrow } from './identity.repo.dynamo.ts';
import { keys, recordOf, rotationDueShardOf, tenantPartition } from './keys.ts';
import { queryPage } from './query-page.ts';

export interface VaultRepositoryDeps {
  readonly client: DynamoDBDocumentClient;
  readonly table: string;
  readonly writer: AuditedWriter;
}

/** Builds `a = :a AND contains(tags, :tag) …` from the filters that are set. */
function filterExpression(filters: Record<string, string | undefined>) {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  for (const [field, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    if (field === 'tag') {
      clauses.push('contains(#tags, :tag)');
      names['#tags'] = 'tags';
      values[':tag'] = value;
    } else if (field === 'username') {
      clauses.push('begins_with(#usernameLower, :username)');
      names['#usernameLower'] = 'usernameLower';
      values[':username'] = value.toLowerCase();
    } else {
      clauses.push(`#${field} = :${field}`);
      names[`#${field}`] = field;
      values[`:${field}`] = value;
    }
  }
  return clauses.length === 0 ? { names, values } : { expression: clauses.join(' AND '), names, values };
}

/** Runs `fn` over `items` with at most `width` calls in flight, keeping the order. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

/**
 * Attributes a system item carries besides its record: the address keys it is filed under (so
 * that an update or delete removes exactly the index items it wrote) and a revision that every
 * update bumps (so that two concurrent address changes cannot both rewrite the index).
 */
interface SystemItemExtras {
  addressKeys?: string[];
  addressRevision?: number;
}

/** A stored system as a record; items written before addresses were added lack these fields. */
function systemOf(item: (SystemRecord & SystemItemExtras) | null): SystemRecord | null {
  if (!item) return null;
  const { addressKeys: _keys, addressRevision: _revision, ...system } = item;
  return {
    ...system,
    additionalAddresses: system.additionalAddresses ?? [],
    websiteUrl: system.websiteUrl ?? null,
    applications: system.applications ?? [],
    connection: system.connection ?? defaultSystemConnection,
  };
}

const defaultSystemConnection = { maxConcurrentRotations: 2 } as const;

/** The due index (gsi2) attributes of an account whose scheduled rotation is due at `dueAt`. */
export function rotationDueIndex(account: Pick<AccountRecord, 'tenantId' | 'id'>, dueAt: string) {
  return {
    gsi2pk: keys.rotationDueShard(rotationDueShardOf(account.id)),
    gsi2sk: `${dueAt}#${account.tenantId}#${account.id}`,
  };
}

/** A stored account as a record: `accountGroupIds` is a string set in the table (absent when empty). */
function accountOf(
  item:
    | (Omit<AccountRecord, 'accountGroupIds'> & { usernameLower?: string; accountGroupIds?: unknown })
    | null,
): AccountRecord | null {
  if (!item) return null;
  const { usernameLower: _lower, accountGroupIds, ...account } = item;
  const groups =
    accountGroupIds instanceof Set
      ? [...(accountGroupIds as Set<string>)]
      : Array.isArray(accountGroupIds)
        ? (accountGroupIds as string[])
        : [];
  return { ...account, accountGroupIds: groups.sort() };
}

/** The account filters other than `systemId`/`accountGroupId`, applied in memory. */
function matchesAccountFilter(account: AccountRecord, filter: AccountFilter): boolean {
  return (
    (filter.systemId === undefined || account.systemId === filter.systemId) &&
    (filter.platform === undefined || account.platform === filter.platform) &&
    (filter.workgroup === undefined || account.workgroup === filter.workgroup) &&
    (filter.kind === undefined || account.kind === filter.kind) &&
    (filter.tag === undefined || account.tags.includes(filter.tag)) &&
    (filter.username === undefined ||
      account.username.toLowerCase().startsWith(filter.username.toLowerCase()))
  );
}

/**
 * Items of one transaction: 2 are the audit event and its lane head; an account delete takes 3
 * for the account, its name claim and the system's count, and 2 per account group.
 */
const transactionLimit = 100;
const auditItems = 2;

export function createVaultRepositories({ client, table, writer }: VaultRepositoryDeps) {
  const put = (item: Record<string, unknown>): TransactItem => ({
    Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  const get = async <T>(key: { pk: string; sk: string }): Promise<T | null> => {
    const { Item } = await client.send(new GetCommand({ TableName: table, Key: key }));
    return recordOf<T>(Item);
  };

  /** The stored system with its index bookkeeping, read consistently (before changing the index). */
  const readSystemItem = async (tenantId: string, systemId: string) => {
    const { Item } = await client.send(
      new GetCommand({ TableName: table, Key: keys.system(tenantId, systemId), ConsistentRead: true }),
    );
    return Item as (SystemRecord & SystemItemExtras) | undefined;
  };
  /** The condition that the system item is still at the address revision read. */
  const atRevision = (revision: number | undefined) =>
    revision === undefined
      ? { expression: 'attribute_not_exists(addressRevision)', values: {} }
      : { expression: 'addressRevision = :revision', values: { ':revision': revision } };
  const addressItem = (tenantId: string, addressKey: string, systemId: string): TransactItem => ({
    Put: {
      TableName: table,
      Item: { ...keys.systemAddress(tenantId, addressKey, systemId), entity: 'system-address', systemId },
    },
  });
  const removeAddressItem = (tenantId: string, addressKey: string, systemId: string): TransactItem => ({
    Delete: { TableName: table, Key: keys.systemAddress(tenantId, addressKey, systemId) },
  });
  /** After a failed condition on the system item: gone (404) or changed meanwhile (409). */
  const systemChanged = async (tenantId: string, systemId: string, changed: () => Error) =>
    (await readSystemItem(tenantId, systemId)) ? changed() : new NotFoundError('system');

  const systems: SystemRepository = {
    create(system, audit) {
      const addressKeys = systemAddressKeys(system);
      return commitOrThrow(
        writer,
        [
          put({
            ...keys.system(system.tenantId, system.id),
            entity: 'system',
            ...system,
            addressKeys,
            addressRevision: 1,
          }),
          put({
            ...keys.systemName(system.tenantId, system.name),
            entity: 'system-name',
            systemId: system.id,
          }),
          ...addressKeys.map((key) => addressItem(system.tenantId, key, system.id)),
        ],
        audit,
        () => new ConflictError('system-name-taken', 'A system with this name already exists.'),
      );
    },
    get: async (tenantId, systemId) =>
      systemOf(await get<SystemRecord & SystemItemExtras>(keys.system(tenantId, systemId))),
    async update(system, audit) {
      const { tenantId, id: systemId } = system;
      const stored = await readSystemItem(tenantId, systemId);
      if (!stored) throw new NotFoundError('system');
      // Systems written before the address index have no keys filed yet: everything is added.
      const before = stored.addressKeys ?? [];
      const after: string[] = systemAddressKeys(system);
      const revision = atRevision(stored.addressRevision);
      // At most 1 + 44 + 44 items (20 additional addresses file at most 2 keys each), within the limit.
      const items: TransactItem[] = [
        {
          Update: {
            TableName: table,
            Key: keys.system(tenantId, systemId),
            UpdateExpression:
              'SET hostname = :hostname, ipAddress = :ip, additionalAddresses = :additional, websiteUrl = :url, ' +
              'applications = :applications, description = :description, passwordPolicyId = :policy, ' +
              '#connection = :connection, addressKeys = :keys, addressRevision = :nextRevision',
            ConditionExpression: `attribute_exists(pk) AND ${revision.expression}`,
            ExpressionAttributeNames: { '#connection': 'connection' },
            ExpressionAttributeValues: {
              ':hostname': system.hostname,
              ':ip': system.ipAddress,
              ':additional': system.additionalAddresses,
              ':url': system.websiteUrl,
              ':applications': system.applications,
              ':description': system.description,
              ':policy': system.passwordPolicyId,
              ':connection': system.connection,
              ':keys': after,
              ':nextRevision': (stored.addressRevision ?? 0) + 1,
              ...revision.values,
            },
          },
        },
        ...before
          .filter((key) => !after.includes(key))
          .map((key) => removeAddressItem(tenantId, key, systemId)),
        ...after.filter((key) => !before.includes(key)).map((key) => addressItem(tenantId, key, systemId)),
      ];
      try {
        await writer.commit(items, audit);
      } catch (error) {
        if (!(error instanceof StateConditionFailed)) throw error;
        throw await systemChanged(
          tenantId,
          systemId,
          () => new ConflictError('system-changed', 'The system changed while it was being updated; retry.'),
        );
      }
    },
    async delete(system, audit) {
      const { tenantId, id: systemId } = system;
      const stored = await readSystemItem(tenantId, systemId);
      if (!stored) throw new NotFoundError('system');
      const revision = atRevision(stored.addressRevision);
      const items: TransactItem[] = [
        {
          Delete: {
            TableName: table,
            Key: keys.system(tenantId, systemId),
            // The count moves in the same transactions that create and delete accounts, so no
            // account can appear between this check and the delete; the revision guards the
            // address index entries deleted with it.
            ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(accountCount) OR accountCount = :zero) AND ${revision.expression}`,
            ExpressionAttributeValues: { ':zero': 0, ...revision.values },
          },
        },
        { Delete: { TableName: table, Key: keys.systemName(tenantId, system.name) } },
        ...(stored.addressKeys ?? []).map((key) => removeAddressItem(tenantId, key, systemId)),
      ];
      try {
        await writer.commit(items, audit);
      } catch (error) {
        if (!(error instanceof StateConditionFailed)) throw error;
        const now = await readSystemItem(tenantId, systemId);
        if (!now) throw new NotFoundError('system');
        throw (now.accountCount ?? 0) > 0
          ? new ConflictError('system-has-accounts', 'The system still has accounts; delete them first.')
          : new ConflictError('system-changed', 'The system changed while it was being deleted; retry.');
      }
    },
    list(tenantId, filter, limit, cursor) {
      const { expression, names, values } = filterExpression({
        platform: filter.platform,
        workgroup: filter.workgroup,
        tag: filter.tag,
      });
      return queryPage<SystemRecord & SystemItemExtras>(
        client,
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ...(expression ? { FilterExpression: expression, ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'SYS#', ...values },
        },
        { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
      ).then((page) => ({ ...page, items: page.items.map((item) => systemOf(item) as SystemRecord) }));
    },
    async findByTarget(tenantId, target, limit = 100) {
      const wanted = Math.max(1, Math.floor(limit));
      const lookups = targetLookupKeys(target);
      // One Query per address key, in parallel; each needs at most `wanted` ids.
      const idsPerKey = await Promise.all(
        lookups.map(async (addressKey) => {
          const ids: string[] = [];
          let startKey: Record<string, unknown> | undefined;
          do {
            const page = await client.send(
              new QueryCommand({
                TableName: table,
                KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
                ExpressionAttributeValues: {
                  ':pk': tenantPartition(tenantId),
                  ':prefix': keys.systemAddressPrefix(addressKey),
                },
                ProjectionExpression: 'systemId',
                Limit: wanted - ids.length,
                ExclusiveStartKey: startKey,
              }),
            );
            ids.push(...(page.Items ?? []).map((item) => item.systemId as string));
            startKey = page.LastEvaluatedKey;
          } while (startKey && ids.length < wanted);
          return ids;
        }),
      );
      const systemIds = [...new Set(idsPerKey.flat())].slice(0, wanted);
      // GetItem rather than BatchGetItem: the vault's role has no BatchGetItem, and lookups
      // usually find a handful of systems.
      const found = await mapConcurrently(systemIds, 16, (systemId) => systems.get(tenantId, systemId));
      return found.filter((system): system is SystemRecord => system !== null);
    },
  };

  const getAccount = async (tenantId: string, accountId: string) =>
    accountOf(await get<Parameters<typeof accountOf>[0]>(keys.account(tenantId, accountId)));

  const accounts: AccountRepository = {
    create: ({ accountGroupIds: _groups, ...account }, audit) =>
      commitOrThrow(
        writer,
        [
          put({
            ...keys.account(account.tenantId, account.id),
            entity: 'account',
            // Accounts of one system, sorted by user name: the index behind `?systemId=`.
            gsi1pk: `${tenantPartition(account.tenantId)}#SYS#${account.systemId}`,
            gsi1sk: `${account.username.toLowerCase()}#${account.id}`,
            usernameLower: account.username.toLowerCase(),
            ...(account.nextRotationDueAt ? rotationDueIndex(account, account.nextRotationDueAt) : {}),
            // A new account is in no group; `accountGroupIds` is a string set, absent while empty.
            ...account,
          }),
          put({
            ...keys.accountName(account.tenantId, account.systemId, account.username),
            entity: 'account-name',
            accountId: account.id,
          }),
          {
            Update: {
              TableName: table,
              Key: keys.system(account.tenantId, account.systemId),
              UpdateExpression: 'ADD accountCount :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
        audit,
        (index) =>
          index === 2
            ? new NotFoundError('system')
            : new ConflictError('account-exists', 'The system already has an account with this user name.'),
      ),
    update: (account, audit) =>
      commitOrThrow(
        writer,
        [
          {
            Update: {
              TableName: table,
              Key: keys.account(account.tenantId, account.id),
              // The due index follows the rotation settings: filed while scheduled, removed when not.
              UpdateExpression: `SET description = :description, apiEnabled = :api, passwordPolicyId = :policy, rotation = :rotation, nextRotationDueAt = :due${
                account.nextRotationDueAt ? ', gsi2pk = :duePk, gsi2sk = :dueSk' : ' REMOVE gsi2pk, gsi2sk'
              }`,
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: {
                ':description': account.description,
                ':api': account.apiEnabled,
                ':policy': account.passwordPolicyId,
                ':rotation': account.rotation,
                ':due': account.nextRotationDueAt ?? null,
                ...(account.nextRotationDueAt
                  ? Object.fromEntries(
                      Object.entries(rotationDueIndex(account, account.nextRotationDueAt)).map(([k, v]) => [
                        k === 'gsi2pk' ? ':duePk' : ':dueSk',
                        v,
                      ]),
                    )
                  : {}),
              },
            },
          },
        ],
        audit,
        () => new NotFoundError('account'),
      ),
    async delete(account, audit) {
      const { tenantId, id: accountId } = account;
      const groups = account.accountGroupIds;
      if (groups.length > maxAccountGroupsPerAccount) {
        throw new Error(`an account in ${groups.length} groups does not fit one delete transaction`);
      }
      const versionKeys: { pk: string; sk: string }[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': `CRED#${accountId}#` },
            ProjectionExpression: 'pk, sk',
            ScanIndexForward: false,
            ExclusiveStartKey: startKey,
          }),
        );
        versionKeys.push(...((page.Items ?? []) as { pk: string; sk: string }[]));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      // The account's memberships are in the condition: a concurrent add or remove fails the
      // delete instead of leaving a membership (and a count) behind. Same size and every group
      // read still there means the same set; no set means no group.
      const groupValues = Object.fromEntries(groups.map((groupId, i) => [`:g${i}`, groupId]));
      const sameGroups =
        groups.length === 0
          ? 'attribute_not_exists(accountGroupIds)'
          : [
              'size(accountGroupIds) = :groupCount',
              ...groups.map((_, i) => `contains(accountGroupIds, :g${i})`),
            ].join(' AND ');
      const membershipItems = groups.flatMap((groupId): TransactItem[] => [
        { Delete: { TableName: table, Key: keys.accountGroupMember(tenantId, groupId, accountId) } },
        {
          Update: {
            TableName: table,
            Key: keys.accountGroup(tenantId, groupId),
            UpdateExpression: 'ADD memberCount :minusOne',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':minusOne': -1 },
          },
        },
      ]);
      // The newest versions go with the account, in what the transaction has left. Older ones,
      // unreachable once the account is gone, are deleted right after.
      const room = transactionLimit - auditItems - 3 - membershipItems.length;
      const inTransaction = versionKeys.slice(0, room);
      const afterwards = versionKeys.slice(room);
      await commitOrThrow(
        writer,
        [
          {
            Delete: {
              TableName: table,
              Key: keys.account(tenantId, accountId),
              // Not while a credential is being written: that would orphan the new version.
              ConditionExpression: `attribute_exists(pk) AND latestVersion = :latest AND ${sameGroups}`,
              ExpressionAttributeValues: {
                ':latest': account.latestVersion,
                ...(groups.length > 0 ? { ':groupCount': groups.length, ...groupValues } : {}),
              },
            },
          },
          {
            Delete: { TableName: table, Key: keys.accountName(tenantId, account.systemId, account.username) },
          },
          {
            Update: {
              TableName: table,
              Key: keys.system(tenantId, account.systemId),
              UpdateExpression: 'ADD accountCount :minusOne',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':minusOne': -1 },
            },
          },
          ...membershipItems,
          ...inTransaction.map((key): TransactItem => ({ Delete: { TableName: table, Key: key } })),
        ],
        audit,
        () => new ConflictError('account-changed', 'The account changed while it was being deleted; retry.'),
      );
      for (let i = 0; i < afterwards.length; i += 10) {
        await Promise.all(
          afterwards
            .slice(i, i + 10)
            .map((key) => client.send(new DeleteCommand({ TableName: table, Key: key }))),
        );
      }
      return { versionsDeleted: versionKeys.length };
    },
    get: getAccount,
    async list(tenantId, filter, limit, cursor) {
      if (filter.accountGroupId !== undefined) {
        // Members in account id order; the other filters apply to the members read, so a page
        // may hold fewer than `limit` accounts and still have a next cursor.
        const members = await queryPage<{ accountId: string }>(
          client,
          {
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: {
              ':pk': tenantPartition(tenantId),
              ':prefix': keys.accountGroupMemberPrefix(filter.accountGroupId),
            },
          },
          { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
        );
        const found = await mapConcurrently(members.items, 16, (member) =>
          getAccount(tenantId, member.accountId),
        );
        const items = found.filter(
          (account): account is AccountRecord => account !== null && matchesAccountFilter(account, filter),
        );
        return members.nextCursor ? { items, nextCursor: members.nextCursor } : { items };
      }
      const bySystem = filter.systemId !== undefined;
      const { expression, names, values } = filterExpression({
        platform: filter.platform,
        workgroup: filter.workgroup,
        kind: filter.kind,
        tag: filter.tag,
        username: filter.username,
      });
      const page = await queryPage<Parameters<typeof accountOf>[0]>(
        client,
        bySystem
          ? {
              TableName: table,
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :pk',
              ...(expression ? { FilterExpression: expression, ExpressionAttributeNames: names } : {}),
              ExpressionAttributeValues: {
                ':pk': `${tenantPartition(tenantId)}#SYS#${filter.systemId}`,
                ...values,
              },
            }
          : {
              TableName: table,
              KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
              ...(expression ? { FilterExpression: expression, ExpressionAttributeNames: names } : {}),
              ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'ACC#', ...values },
            },
        {
          tenantPrefix: tenantPartition(tenantId),
          limit,
          cursor,
          keyAttributes: bySystem ? ['pk', 'sk', 'gsi1pk', 'gsi1sk'] : ['pk', 'sk'],
        },
      );
      return { ...page, items: page.items.map((item) => accountOf(item) as AccountRecord) };
    },
  };

  const accountGroups: AccountGroupRepository = {
    create: (group, audit) =>
      commitOrThrow(
        writer,
        [
          put({ ...keys.accountGroup(group.tenantId, group.id), entity: 'account-group', ...group }),
          put({
            ...keys.accountGroupName(group.tenantId, group.name),
            entity: 'account-group-name',
            accountGroupId: group.id,
          }),
        ],
        audit,
        () =>
          new ConflictError('account-group-name-taken', 'An account group with this name already exists.'),
      ),
    get: (tenantId, groupId) => get<AccountGroupRecord>(keys.accountGroup(tenantId, groupId)),
    list: (tenantId, limit, cursor) =>
      queryPage<AccountGroupRecord>(
        client,
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'AGR#' },
        },
        { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
      ),
    async addMember(group, account, audit) {
      const { tenantId } = group;
      try {
        await writer.commit(
          [
            // The membership item decides: of concurrent adds exactly one creates it.
            put({
              ...keys.accountGroupMember(tenantId, group.id, account.id),
              entity: 'account-group-member',
              accountGroupId: group.id,
              accountId: account.id,
            }),
            {
              Update: {
                TableName: table,
                Key: keys.account(tenantId, account.id),
                UpdateExpression: 'ADD accountGroupIds :group',
                ConditionExpression:
                  'attribute_exists(pk) AND (attribute_not_exists(accountGroupIds) OR size(accountGroupIds) < :max)',
                ExpressionAttributeValues: {
                  ':group': new Set([group.id]),
                  ':max': maxAccountGroupsPerAccount,
                },
              },
            },
            {
              Update: {
                TableName: table,
                Key: keys.accountGroup(tenantId, group.id),
                UpdateExpression: 'ADD memberCount :one',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
          audit,
        );
        return true;
      } catch (error) {
        if (!(error instanceof StateConditionFailed)) throw error;
        if (error.index === 0) return false;
        if (error.index === 2) throw new NotFoundError('account-group');
        if (!(await getAccount(tenantId, account.id))) throw new NotFoundError('account');
        throw new ConflictError(
          'too-many-account-groups',
          `An account can be in at most ${maxAccountGroupsPerAccount} account groups.`,
        );
      }
    },
    async removeMember(group, account, audit) {
      const { tenantId } = group;
      try {
        await writer.commit(
          [
            {
              Delete: {
                TableName: table,
                Key: keys.accountGroupMember(tenantId, group.id, account.id),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Update: {
                TableName: table,
                Key: keys.account(tenantId, account.id),
                UpdateExpression: 'DELETE accountGroupIds :group',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':group': new Set([group.id]) },
              },
            },
            {
              Update: {
                TableName: table,
                Key: keys.accountGroup(tenantId, group.id),
                UpdateExpression: 'ADD memberCount :minusOne',
                ConditionExpression: 'attribute_exists(pk)',
                ExpressionAttributeValues: { ':minusOne': -1 },
              },
            },
          ],
          audit,
        );
        return true;
      } catch (error) {
        if (!(error instanceof StateConditionFailed)) throw error;
        if (error.index === 0) return false;
        throw new NotFoundError(error.index === 1 ? 'account' : 'account-group');
      }
    },
  };

  const credentials: CredentialRepository = {
    async putCurrent(account, next, audit) {
      const { tenantId, id: accountId } = account;
      const items: TransactItem[] = [
        {
          Update: {
            TableName: table,
            Key: keys.account(tenantId, accountId),
            UpdateExpression:
              'SET currentVersion = :version, latestVersion = :version, previousVersion = :previous, credentialUpdatedAt = :at',
            ConditionExpression: 'latestVersion = :expected',
            ExpressionAttributeValues: {
              ':version': next.version,
              ':previous': account.currentVersion,
              ':at': next.createdAt,
              ':expected': account.latestVersion,
            },
          },
        },
        put({
          ...keys.credentialVersion(tenantId, accountId, next.version),
          entity: 'credential-version',
          ...next,
        }),
      ];
      const demote = (version: number, from: string, to: string): TransactItem => ({
        Update: {
          TableName: table,
          Key: keys.credentialVersion(tenantId, accountId, version),
          UpdateExpression: 'SET #status = :to',
          ConditionExpression: '#status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':to': to, ':from': from },
        },
      });
      if (account.currentVersion !== null) items.push(demote(account.currentVersion, 'current', 'previous'));
      if (account.previousVersion !== null)
        items.push(demote(account.previousVersion, 'previous', 'retired'));
      await commitOrThrow(
        writer,
        items,
        audit,
        () => new ConflictError('credential-changed', 'The credential was changed concurrently; retry.'),
      );
    },
    getVersion: (tenantId, accountId, version) =>
      get<CredentialVersionRecord>(keys.credentialVersion(tenantId, accountId, version)),
    async listVersions(tenantId, accountId) {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': `CRED#${accountId}#` },
          ScanIndexForward: false,
          Limit: 100,
        }),
      );
      return (Items ?? []).map((item) => recordOf<CredentialVersionRecord>(item) as CredentialVersionRecord);
    },
  };

  const passwordPolicies: PasswordPolicyRepository = {
    async create(policy, audit) {
      const items: TransactItem[] = [
        put({ ...keys.passwordPolicy(policy.tenantId, policy.id), entity: 'password-policy', ...policy }),
      ];
      if (policy.isDefault) {
        items.push({
          Put: {
            TableName: table,
            Item: { ...keys.defaultPasswordPolicy(policy.tenantId), policyId: policy.id },
          },
        });
      }
      await commitOrThrow(
        writer,
        items,
        audit,
        () => new ConflictError('policy-exists', 'The policy already exists.'),
      );
    },
    async get(tenantId, policyId) {
      const [policy, pointer] = await Promise.all([
        get<PasswordPolicyRecord>(keys.passwordPolicy(tenantId, policyId)),
        get<{ policyId: string }>(keys.defaultPasswordPolicy(tenantId)),
      ]);
      return policy ? { ...policy, isDefault: pointer?.policyId === policy.id } : null;
    },
    async getDefault(tenantId) {
      const pointer = await get<{ policyId: string }>(keys.defaultPasswordPolicy(tenantId));
      const policy = pointer
        ? await get<PasswordPolicyRecord>(keys.passwordPolicy(tenantId, pointer.policyId))
        : null;
      return policy ? { ...policy, isDefault: true } : null;
    },
    async list(tenantId, limit, cursor) {
      const [page, pointer] = await Promise.all([
        queryPage<PasswordPolicyRecord>(
          client,
          {
            TableName: table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'PWP#' },
          },
          { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
        ),
        get<{ policyId: string }>(keys.defaultPasswordPolicy(tenantId)),
      ]);
      return { ...page, items: page.items.map((p) => ({ ...p, isDefault: pointer?.policyId === p.id })) };
    },
  };

  return { systems, accounts, credentials, passwordPolicies, accountGroups };
}
