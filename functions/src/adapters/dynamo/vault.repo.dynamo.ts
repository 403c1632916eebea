import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '@strongroom/shared/kernel/errors';
import type {
  AccountRecord,
  AccountRepository,
  CredentialRepository,
  CredentialVersionRecord,
  PasswordPolicyRecord,
  PasswordPolicyRepository,
  SystemRecord,
  SystemRepository,
} from '@strongroom/shared/vault/vault.ports';
import type { AuditedWriter, TransactItem } from './audited-writer.ts';
import { commitOrThrow } from './identity.repo.dynamo.ts';
import { keys, recordOf, tenantPartition } from './keys.ts';
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

export function createVaultRepositories({ client, table, writer }: VaultRepositoryDeps) {
  const put = (item: Record<string, unknown>): TransactItem => ({
    Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
  });
  const get = async <T>(key: { pk: string; sk: string }): Promise<T | null> => {
    const { Item } = await client.send(new GetCommand({ TableName: table, Key: key }));
    return recordOf<T>(Item);
  };

  const systems: SystemRepository = {
    create: (system, audit) =>
      commitOrThrow(
        writer,
        [
          put({ ...keys.system(system.tenantId, system.id), entity: 'system', ...system }),
          put({
            ...keys.systemName(system.tenantId, system.name),
            entity: 'system-name',
            systemId: system.id,
          }),
        ],
        audit,
        () => new ConflictError('system-name-taken', 'A system with this name already exists.'),
      ),
    get: (tenantId, systemId) => get<SystemRecord>(keys.system(tenantId, systemId)),
    update: (system, audit) =>
      commitOrThrow(
        writer,
        [
          {
            Update: {
              TableName: table,
              Key: keys.system(system.tenantId, system.id),
              UpdateExpression:
                'SET hostname = :hostname, ipAddress = :ip, description = :description, passwordPolicyId = :policy',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: {
                ':hostname': system.hostname,
                ':ip': system.ipAddress,
                ':description': system.description,
                ':policy': system.passwordPolicyId,
              },
            },
          },
        ],
        audit,
        () => new NotFoundError('system'),
      ),
    delete: (system, audit) =>
      commitOrThrow(
        writer,
        [
          {
            Delete: {
              TableName: table,
              Key: keys.system(system.tenantId, system.id),
              // The count moves in the same transactions that create and delete accounts, so no
              // account can appear between this check and the delete.
              ConditionExpression:
                'attribute_exists(pk) AND (attribute_not_exists(accountCount) OR accountCount = :zero)',
              ExpressionAttributeValues: { ':zero': 0 },
            },
          },
          { Delete: { TableName: table, Key: keys.systemName(system.tenantId, system.name) } },
        ],
        audit,
        () => new ConflictError('system-has-accounts', 'The system still has accounts; delete them first.'),
      ),
    list(tenantId, filter, limit, cursor) {
      const { expression, names, values } = filterExpression({
        platform: filter.platform,
        workgroup: filter.workgroup,
        tag: filter.tag,
      });
      return queryPage<SystemRecord>(
        client,
        {
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ...(expression ? { FilterExpression: expression, ExpressionAttributeNames: names } : {}),
          ExpressionAttributeValues: { ':pk': tenantPartition(tenantId), ':prefix': 'SYS#', ...values },
        },
        { tenantPrefix: tenantPartition(tenantId), limit, cursor, keyAttributes: ['pk', 'sk'] },
      );
    },
  };

  const accounts: AccountRepository = {
    create: (account, audit) =>
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
              UpdateExpression:
                'SET description = :description, apiEnabled = :api, passwordPolicyId = :policy, rotation = :rotation',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: {
                ':description': account.description,
                ':api': account.apiEnabled,
                ':policy': account.passwordPolicyId,
                ':rotation': account.rotation,
              },
            },
          },
        ],
        audit,
        () => new NotFoundError('account'),
      ),
    async delete(account, audit) {
      const { tenantId, id: accountId } = account;
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
      // A transaction holds 100 items: the newest versions go with the account (2 are the audit
      // event and lane head, 3 the account, its name claim and the system's count). Older ones,
      // unreachable once the account is gone, are deleted right after.
      const inTransaction = versionKeys.slice(0, 95);
      const afterwards = versionKeys.slice(95);
      await commitOrThrow(
        writer,
        [
          {
            Delete: {
              TableName: table,
              Key: keys.account(tenantId, accountId),
              // Not while a credential is being written: that would orphan the new version.
              ConditionExpression: 'attribute_exists(pk) AND latestVersion = :latest',
              ExpressionAttributeValues: { ':latest': account.latestVersion },
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
    async get(tenantId, accountId) {
      const record = await get<AccountRecord & { usernameLower?: string }>(keys.account(tenantId, accountId));
      if (!record) return null;
      const { usernameLower: _lower, ...account } = record;
      return account;
    },
    async list(tenantId, filter, limit, cursor) {
      const bySystem = filter.systemId !== undefined;
      const { expression, names, values } = filterExpression({
        platform: filter.platform,
        workgroup: filter.workgroup,
        kind: filter.kind,
        tag: filter.tag,
        username: filter.username,
      });
      const page = await queryPage<AccountRecord & { usernameLower?: string }>(
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
      return { ...page, items: page.items.map(({ usernameLower: _lower, ...account }) => account) };
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

  return { systems, accounts, credentials, passwordPolicies };
}
