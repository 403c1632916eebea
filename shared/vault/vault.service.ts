import { auditOf } from '../audit/audit-event.ts';
import { authorize } from '../identity/policy.ts';
import type { Clock } from '../kernel/clock.ts';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Page } from '../kernel/page.ts';
import type { RequestContext } from '../kernel/request-context.ts';
import type { RotationSettings } from '../rotation/rotation.schemas.ts';
import { checkFunctionalAccount, scheduledDueAt } from '../rotation/rotation-settings.ts';
import { generatePassword, type PasswordRules } from './password-generator.ts';
import { builtInPasswordRules, effectivePasswordRules } from './password-rules.ts';
import { generateEd25519KeyPair, publicKeyFromPrivate } from './ssh-key-generator.ts';
import { normalizeAddress } from './target-address.ts';
import type {
  AccountGroupRecord,
  AccountGroupRepository,
  AccountRecord,
  AccountRepository,
  CredentialCipher,
  CredentialRepository,
  CredentialVersionRecord,
  PasswordPolicyRecord,
  PasswordPolicyRepository,
  SystemRecord,
  SystemRepository,
  SystemTarget,
  TenantKeyDirectory,
} from './vault.ports.ts';
import {
  type AccountFilter,
  type CreateAccountGroupInput,
  type CreateAccountInput,
  type CreatePasswordPolicyInput,
  type CreateSystemInput,
  maxAccountGroupsPerAccount,
  type SetCredentialInput,
  type SystemFilter,
  type UpdateAccountInput,
  type UpdateSystemInput,
} from './vault.schemas.ts';

export interface VaultServiceDeps {
  readonly systems: Pick<SystemRepository, 'create' | 'get' | 'list' | 'update' | 'delete' | 'findByTarget'>;
  readonly accounts: Pick<AccountRepository, 'create' | 'get' | 'list' | 'update' | 'delete'>;
  readonly accountGroups: Pick<
    AccountGroupRepository,
    'create' | 'get' | 'list' | 'addMember' | 'removeMember'
  >;
  readonly credentials: Pick<CredentialRepository, 'putCurrent' | 'getVersion' | 'listVersions'>;
  readonly passwordPolicies: Pick<PasswordPolicyRepository, 'create' | 'get' | 'getDefault' | 'list'>;
  readonly cipher: CredentialCipher;
  readonly tenantKeys: Pick<TenantKeyDirectory, 'keyArnOf'>;
  readonly audit: { record(event: ReturnType<typeof auditOf>): Promise<unknown> };
  readonly clock: Clock;
}

export { builtInPasswordRules } from './password-rules.ts';

const accountView = (account: AccountRecord) => ({
  id: account.id,
  systemId: account.systemId,
  systemName: account.systemName,
  platform: account.platform,
  workgroup: account.workgroup,
  tags: account.tags,
  username: account.username,
  kind: account.kind,
  description: account.description,
  apiEnabled: account.apiEnabled,
  passwordPolicyId: account.passwordPolicyId,
  rotation: account.rotation,
  rotationState: {
    status: account.rotationStatus ?? 'never',
    lastRotatedAt: account.lastRotatedAt ?? null,
    nextDueAt: account.nextRotationDueAt ?? null,
    activeRotationId: account.activeRotationId ?? null,
    lastError: account.rotationError ?? null,
  },
  accountGroupIds: account.accountGroupIds,
  credential: {
    currentVersion: account.currentVersion,
    updatedAt: account.credentialUpdatedAt,
  },
  createdAt: account.createdAt,
});
export type AccountView = ReturnType<typeof accountView>;

const systemView = ({ tenantId: _tenant, ...system }: SystemRecord) => ({
  ...system,
  connection: system.connection ?? { maxConcurrentRotations: 2 },
  accountCount: system.accountCount ?? 0,
});
export type SystemView = ReturnType<typeof systemView>;

const accountGroupView = ({ tenantId: _tenant, ...group }: AccountGroupRecord) => group;
export type AccountGroupView = ReturnType<typeof accountGroupView>;

/** Normalized and deduplicated addresses (the schema has checked that each is one). */
const normalizedAddresses = (addresses: readonly string[]) => [
  ...new Set(addresses.map((address) => normalizeAddress(address) ?? address)),
];
const distinct = (values: readonly string[]) => [...new Set(values)];

const policyView = ({ tenantId: _tenant, ...policy }: PasswordPolicyRecord) => policy;
export type PasswordPolicyView = ReturnType<typeof policyView>;

/** Version metadata only: never the ciphertext, never the secret. */
const versionView = (version: CredentialVersionRecord) => ({
  version: version.version,
  status: version.status,
  type: version.type,
  source: version.source,
  publicKey: version.publicKey,
  fingerprint: version.fingerprint,
  createdAt: version.createdAt,
  createdBy: version.createdBy,
});
export type CredentialVersionView = ReturnType<typeof versionView>;

export interface ReleasedCredential {
  readonly accountId: string;
  readonly username: string;
  readonly version: number;
  readonly type: CredentialVersionRecord['type'];
  readonly password?: string;
  readonly privateKey?: string;
  readonly publicKey?: string;
  readonly retrievedAt: string;
}

export function createVaultService(deps: VaultServiceDeps) {
  const {
    systems,
    accounts,
    accountGroups,
    credentials,
    passwordPolicies,
    cipher,
    tenantKeys,
    audit,
    clock,
  } = deps;
  const nowIso = () => clock.now().toISOString();

  async function requireAccount(tenantId: string, accountId: string): Promise<AccountRecord> {
    const account = await accounts.get(tenantId, accountId);
    if (!account) throw new NotFoundError('account');
    return account;
  }

  async function requireAccountGroup(tenantId: string, groupId: string): Promise<AccountGroupRecord> {
    const group = await accountGroups.get(tenantId, groupId);
    if (!group) throw new NotFoundError('account-group');
    return group;
  }

  async function requirePolicy(tenantId: string, policyId: string, field: readonly (string | number)[]) {
    const policy = await passwordPolicies.get(tenantId, policyId);
    if (!policy) throw ValidationError.field(field, 'no such password policy');
    return policy;
  }

  const requireFunctionalAccount = (tenantId: string, rotation: RotationSettings, selfId: string | null) =>
    checkFunctionalAccount(accounts, tenantId, rotation, selfId, ['body', 'rotation', 'functionalAccountId']);
  const scheduledDue = (account: AccountRecord, rotation: RotationSettings) =>
    scheduledDueAt(account, rotation, async () => (await effectiveRules(account)).maxAgeDays, clock.now());

  const effectiveRules = (account: AccountRecord) =>
    effectivePasswordRules({ systems, passwordPolicies }, account);
  return {
    async createSystem(context: RequestContext, input: CreateSystemInput): Promise<SystemView> {
      authorize(context.principal, 'system:create');
      const tenantId = context.principal.tenantId;
      if (input.passwordPolicyId)
        await requirePolicy(tenantId, input.passwordPolicyId, ['body', 'passwordPolicyId']);
      const system: SystemRecord = {
        id: newId('system'),
        tenantId,
        name: input.name,
        hostname: input.hostname ?? null,
        ipAddress: input.ipAddress ?? null,
        additionalAddresses: normalizedAddresses(input.additionalAddresses),
        websiteUrl: input.websiteUrl ?? null,
        applications: distinct(input.applications),
        platform: input.platform,
        workgroup: input.workgroup,
        tags: [...new Set(input.tags)].sort(),
        description: input.description,
        passwordPolicyId: input.passwordPolicyId ?? null,
        connection: input.connection,
        accountCount: 0,
        createdAt: nowIso(),
      };
      await systems.create(
        system,
        auditOf(context, {
          action: 'system.create',
          target: { type: 'system', id: system.id, name: system.name },
          details: { platform: system.platform, workgroup: system.workgroup },
        }),
      );
      return systemView(system);
    },

    async getSystem(context: RequestContext, systemId: string): Promise<SystemView> {
      authorize(context.principal, 'system:read');
      const system = await systems.get(context.principal.tenantId, systemId);
      if (!system) throw new NotFoundError('system');
      return systemView(system);
    },

    async listSystems(
      context: RequestContext,
      filter: SystemFilter,
      page: { limit?: number; cursor?: string },
    ) {
      authorize(context.principal, 'system:read');
      const { address, ...rest } = filter;
      if (address !== undefined) {
        // An address finds a handful of systems: one page, the other filters applied to it.
        if (page.cursor !== undefined)
          throw ValidationError.field(['query', 'cursor'], 'is not used with address (one page only)');
        const found = await systems.findByTarget(context.principal.tenantId, { hostname: address }, 200);
        const items = found
          .filter(
            (system) =>
              (rest.platform === undefined || system.platform === rest.platform) &&
              (rest.workgroup === undefined || system.workgroup === rest.workgroup) &&
              (rest.tag === undefined || system.tags.includes(rest.tag)),
          )
          .slice(0, page.limit ?? 50);
        return { items: items.map(systemView) } satisfies Page<SystemView>;
      }
      const result = await systems.list(context.principal.tenantId, rest, page.limit ?? 50, page.cursor);
      return { ...result, items: result.items.map(systemView) } satisfies Page<SystemView>;
    },

    /**
     * Systems of the caller's tenant reachable at any of the target's addresses (FQDN, short
     * name, IPs in any spelling, a URL's host), at most `limit` (default 100).
     */
    async findSystemsByTarget(
      context: RequestContext,
      target: SystemTarget,
      limit?: number,
    ): Promise<SystemView[]> {
      authorize(context.principal, 'system:read');
      return (await systems.findByTarget(context.principal.tenantId, target, limit)).map(systemView);
    },

    /** Changes addresses, applications, description or policy. Name, platform, workgroup and tags are fixed. */
    async updateSystem(
      context: RequestContext,
      systemId: string,
      input: UpdateSystemInput,
    ): Promise<SystemView> {
      authorize(context.principal, 'system:update');
      const tenantId = context.principal.tenantId;
      const system = await systems.get(tenantId, systemId);
      if (!system) throw new NotFoundError('system');
      if (input.passwordPolicyId)
        await requirePolicy(tenantId, input.passwordPolicyId, ['body', 'passwordPolicyId']);
      const updated: SystemRecord = {
        ...system,
        ...(input.hostname !== undefined ? { hostname: input.hostname } : {}),
        ...(input.ipAddress !== undefined ? { ipAddress: input.ipAddress } : {}),
        ...(input.additionalAddresses !== undefined
          ? { additionalAddresses: normalizedAddresses(input.additionalAddresses) }
          : {}),
        ...(input.websiteUrl !== undefined ? { websiteUrl: input.websiteUrl } : {}),
        ...(input.applications !== undefined ? { applications: distinct(input.applications) } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.passwordPolicyId !== undefined ? { passwordPolicyId: input.passwordPolicyId } : {}),
        ...(input.connection !== undefined ? { connection: input.connection } : {}),
      };
      if (updated.hostname === null && updated.ipAddress === null) {
        throw ValidationError.field(['body', 'hostname'], 'a system keeps a hostname or an ipAddress');
      }
      await systems.update(
        updated,
        auditOf(context, {
          action: 'system.update',
          target: { type: 'system', id: system.id, name: system.name },
          details: { fields: Object.keys(input).sort().join(' ') },
        }),
      );
      return systemView(updated);
    },

    /** Deletes a system that no longer has accounts (delete or move them first: 409 otherwise). */
    async deleteSystem(context: RequestContext, systemId: string): Promise<void> {
      authorize(context.principal, 'system:delete');
      const system = await systems.get(context.principal.tenantId, systemId);
      if (!system) throw new NotFoundError('system');
      await systems.delete(
        system,
        auditOf(context, {
          action: 'system.delete',
          target: { type: 'system', id: system.id, name: system.name },
          details: { platform: system.platform },
        }),
      );
    },

    async createAccount(context: RequestContext, input: CreateAccountInput): Promise<AccountView> {
      authorize(context.principal, 'account:create');
      const tenantId = context.principal.tenantId;
      const system = await systems.get(tenantId, input.systemId);
      if (!system) throw ValidationError.field(['body', 'systemId'], 'no such system');
      await requireFunctionalAccount(tenantId, input.rotation, null);
      if (input.passwordPolicyId)
        await requirePolicy(tenantId, input.passwordPolicyId, ['body', 'passwordPolicyId']);
      const account: AccountRecord = {
        id: newId('account'),
        tenantId,
        systemId: system.id,
        systemName: system.name,
        platform: system.platform,
        workgroup: system.workgroup,
        tags: system.tags,
        username: input.username,
        kind: input.kind,
        description: input.description,
        apiEnabled: input.apiEnabled,
        passwordPolicyId: input.passwordPolicyId ?? null,
        rotation: input.rotation,
        rotationStatus: 'never',
        // Rotation on: due at once ("randomize after onboarding"); the engine waits for a credential.
        nextRotationDueAt: input.rotation.enabled ? nowIso() : null,
        currentVersion: null,
        previousVersion: null,
        latestVersion: 0,
        credentialUpdatedAt: null,
        accountGroupIds: [],
        createdAt: nowIso(),
      };
      await accounts.create(
        account,
        auditOf(context, {
          action: 'account.create',
          target: { type: 'account', id: account.id, name: `${account.username}@${system.name}` },
          details: { systemId: system.id, kind: account.kind, apiEnabled: account.apiEnabled },
        }),
      );
      return accountView(account);
    },

    async updateAccount(
      context: RequestContext,
      accountId: string,
      input: UpdateAccountInput,
    ): Promise<AccountView> {
      authorize(context.principal, 'account:update');
      const tenantId = context.principal.tenantId;
      const account = await requireAccount(tenantId, accountId);
      if (input.passwordPolicyId)
        await requirePolicy(tenantId, input.passwordPolicyId, ['body', 'passwordPolicyId']);
      if (input.rotation) await requireFunctionalAccount(tenantId, input.rotation, account.id);
      const updated: AccountRecord = {
        ...account,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.apiEnabled !== undefined ? { apiEnabled: input.apiEnabled } : {}),
        ...(input.passwordPolicyId !== undefined ? { passwordPolicyId: input.passwordPolicyId } : {}),
        ...(input.rotation !== undefined
          ? { rotation: input.rotation, nextRotationDueAt: await scheduledDue(account, input.rotation) }
          : {}),
      };
      await accounts.update(
        updated,
        auditOf(context, {
          action: 'account.update',
          target: { type: 'account', id: account.id, name: `${account.username}@${account.systemName}` },
          details: {
            fields: Object.keys(input).sort().join(' '),
            apiEnabled: updated.apiEnabled,
            rotationEnabled: updated.rotation.enabled,
          },
        }),
      );
      return accountView(updated);
    },

    /**
     * Deletes the account with every stored credential version and its account-group memberships;
     * the audit trail keeps the record.
     */
    async deleteAccount(context: RequestContext, accountId: string): Promise<void> {
      authorize(context.principal, 'account:delete');
      const account = await requireAccount(context.principal.tenantId, accountId);
      await accounts.delete(
        account,
        auditOf(context, {
          action: 'account.delete',
          target: { type: 'account', id: account.id, name: `${account.username}@${account.systemName}` },
          details: {
            systemId: account.systemId,
            versions: account.latestVersion,
            accountGroups: account.accountGroupIds.length,
          },
        }),
      );
    },

    async getAccount(context: RequestContext, accountId: string): Promise<AccountView> {
      authorize(context.principal, 'account:read');
      return accountView(await requireAccount(context.principal.tenantId, accountId));
    },

    async listAccounts(
      context: RequestContext,
      filter: AccountFilter,
      page: { limit?: number; cursor?: string },
    ) {
      authorize(context.principal, 'account:read');
      const result = await accounts.list(context.principal.tenantId, filter, page.limit ?? 50, page.cursor);
      return { ...result, items: result.items.map(accountView) } satisfies Page<AccountView>;
    },

    /**
     * Sets (imports) or generates the account's credential as a new current version. The response
     * carries version metadata only: a generated secret is never shown to the admin who set it.
     */
    async setCredential(
      context: RequestContext,
      accountId: string,
      input: SetCredentialInput,
    ): Promise<CredentialVersionView> {
      authorize(context.principal, 'credential:set');
      const tenantId = context.principal.tenantId;
      const account = await requireAccount(tenantId, accountId);
      const type = account.kind === 'ssh-key' ? 'ssh-key' : 'password';
      if (type === 'ssh-key' && input.password !== undefined) {
        throw ValidationError.field(
          ['body', 'password'],
          'an ssh-key account takes a privateKey or generate',
        );
      }
      if (type === 'password' && input.privateKey !== undefined) {
        throw ValidationError.field(['body', 'privateKey'], 'only ssh-key accounts hold private keys');
      }
      let secret: string;
      let publicKey: string | null = null;
      let fingerprint: string | null = null;
      if (type === 'ssh-key') {
        if (input.generate) {
          const pair = generateEd25519KeyPair(`${account.username}@strongroom`);
          secret = pair.privateKey;
          publicKey = pair.publicKey;
          fingerprint = pair.fingerprint;
        } else {
          secret = input.privateKey ?? '';
          try {
            const derived = publicKeyFromPrivate(secret);
            publicKey = derived.publicKey;
            fingerprint = derived.fingerprint;
          } catch {
            throw ValidationError.field(
              ['body', 'privateKey'],
              'must be an unencrypted OpenSSH ed25519 private key',
            );
          }
        }
      } else {
        secret = input.generate ? generatePassword(await effectiveRules(account)) : (input.password ?? '');
      }
      const version = account.latestVersion + 1;
      const keyArn = await tenantKeys.keyArnOf(tenantId);
      const ciphertext = await cipher.encrypt(keyArn, secret, { tenantId, accountId, version });
      const record: CredentialVersionRecord = {
        tenantId,
        accountId,
        version,
        status: 'current',
        type,
        ciphertext,
        publicKey,
        fingerprint,
        source: input.generate ? 'generated' : 'set',
        createdAt: nowIso(),
        createdBy: context.principal.subject,
      };
      await credentials.putCurrent(
        account,
        record,
        auditOf(context, {
          action: 'credential.set',
          target: { type: 'account', id: account.id, name: `${account.username}@${account.systemName}` },
          reason: input.reason,
          details: { version, type, source: record.source, fingerprint },
        }),
      );
      return versionView(record);
    },

    /**
     * Releases the current secret to an authorized caller. The plaintext leaves only after the
     * audit event is written; if it cannot be written, the secret is not released.
     */
    async retrieveCredential(
      context: RequestContext,
      accountId: string,
      reason: string,
    ): Promise<ReleasedCredential> {
      authorize(context.principal, 'credential:retrieve');
      const tenantId = context.principal.tenantId;
      const account = await requireAccount(tenantId, accountId);
      if (account.currentVersion === null) throw new NotFoundError('credential');
      const [version, keyArn] = await Promise.all([
        credentials.getVersion(tenantId, accountId, account.currentVersion),
        tenantKeys.keyArnOf(tenantId),
      ]);
      if (!version) throw new NotFoundError('credential');
      let secret: string;
      try {
        secret = await cipher.decrypt(keyArn, version.ciphertext, {
          tenantId,
          accountId,
          version: version.version,
        });
      } catch (cause) {
        throw new AppError(
          'internal',
          'credential-undecryptable',
          'The stored credential could not be decrypted.',
          { cause },
        );
      }
      const retrievedAt = nowIso();
      await audit.record(
        auditOf(context, {
          action: 'credential.retrieve',
          target: { type: 'account', id: account.id, name: `${account.username}@${account.systemName}` },
          reason,
          details: { version: version.version, type: version.type },
        }),
      );
      return {
        accountId,
        username: account.username,
        version: version.version,
        type: version.type,
        ...(version.type === 'ssh-key'
          ? { privateKey: secret, publicKey: version.publicKey ?? undefined }
          : { password: secret }),
        retrievedAt,
      };
    },

    async listCredentialVersions(
      context: RequestContext,
      accountId: string,
    ): Promise<CredentialVersionView[]> {
      authorize(context.principal, 'credential:read-versions');
      const tenantId = context.principal.tenantId;
      await requireAccount(tenantId, accountId);
      return (await credentials.listVersions(tenantId, accountId)).map(versionView);
    },

    async createAccountGroup(
      context: RequestContext,
      input: CreateAccountGroupInput,
    ): Promise<AccountGroupView> {
      authorize(context.principal, 'account-group:create');
      const group: AccountGroupRecord = {
        id: newId('accountGroup'),
        tenantId: context.principal.tenantId,
        name: input.name,
        description: input.description,
        memberCount: 0,
        createdAt: nowIso(),
      };
      await accountGroups.create(
        group,
        auditOf(context, {
          action: 'account-group.create',
          target: { type: 'account-group', id: group.id, name: group.name },
        }),
      );
      return accountGroupView(group);
    },

    async getAccountGroup(context: RequestContext, groupId: string): Promise<AccountGroupView> {
      authorize(context.principal, 'account-group:read');
      return accountGroupView(await requireAccountGroup(context.principal.tenantId, groupId));
    },

    async listAccountGroups(context: RequestContext, page: { limit?: number; cursor?: string }) {
      authorize(context.principal, 'account-group:read');
      const result = await accountGroups.list(context.principal.tenantId, page.limit ?? 50, page.cursor);
      return { ...result, items: result.items.map(accountGroupView) } satisfies Page<AccountGroupView>;
    },

    /**
     * Puts the account in the group. Idempotent: a member stays a member, nothing is written or
     * audited, and the answer is the same account view.
     */
    async addAccountToGroup(
      context: RequestContext,
      groupId: string,
      accountId: string,
    ): Promise<AccountView> {
      authorize(context.principal, 'account-group:update');
      const tenantId = context.principal.tenantId;
      const group = await requireAccountGroup(tenantId, groupId);
      const account = await requireAccount(tenantId, accountId);
      if (!account.accountGroupIds.includes(group.id)) {
        if (account.accountGroupIds.length >= maxAccountGroupsPerAccount) {
          throw new ConflictError(
            'too-many-account-groups',
            `An account can be in at most ${maxAccountGroupsPerAccount} account groups.`,
          );
        }
        // Conditional on the membership not existing: of concurrent adds one writes, the others
        // find it there and answer the same.
        await accountGroups.addMember(
          group,
          account,
          auditOf(context, {
            action: 'account-group.member.add',
            target: { type: 'account', id: account.id, name: `${account.username}@${account.systemName}` },
            details: { accountGroupId: group.id, accountGroupName: group.name },
          }),
        );
      }
      const accountGroupIds = [...new Set([...account.accountGroupIds, group.id])].sort();
      return accountView({ ...account, accountGroupIds });
    },

    /** Takes the account out of the group. Idempotent: a non-member is not an error and writes nothing. */
    async removeAccountFromGroup(context: RequestContext, groupId: string, accountId: string): Promise<void> {
      authorize(context.principal, 'account-group:update');
      const tenantId = context.principal.tenantId;
      const group = await requireAccountGroup(tenantId, groupId);
      const account = await requireAccount(tenantId, accountId);
      await accountGroups.removeMember(
        group,
        account,
        auditOf(context, {
          action: 'account-group.member.remove',
          target: { type: 'account', id: account.id, name: `${account.username}@${account.systemName}` },
          details: { accountGroupId: group.id, accountGroupName: group.name },
        }),
      );
    },

    async createPasswordPolicy(
      context: RequestContext,
      input: CreatePasswordPolicyInput,
    ): Promise<PasswordPolicyView> {
      authorize(context.principal, 'password-policy:create');
      const policy: PasswordPolicyRecord = {
        id: newId('passwordPolicy'),
        tenantId: context.principal.tenantId,
        name: input.name,
        description: input.description,
        isDefault: input.isDefault,
        rules: input.rules,
        createdAt: nowIso(),
      };
      await passwordPolicies.create(
        policy,
        auditOf(context, {
          action: 'password-policy.create',
          target: { type: 'password-policy', id: policy.id, name: policy.name },
          details: { isDefault: policy.isDefault, length: policy.rules.length },
        }),
      );
      return policyView(policy);
    },

    async listPasswordPolicies(context: RequestContext, page: { limit?: number; cursor?: string }) {
      authorize(context.principal, 'password-policy:read');
      const result = await passwordPolicies.list(context.principal.tenantId, page.limit ?? 50, page.cursor);
      return { ...result, items: result.items.map(policyView) } satisfies Page<PasswordPolicyView>;
    },

    /** A fresh password under a policy (or an account's effective policy); nothing is stored. */
    async generatePassword(context: RequestContext, input: { policyId?: string; accountId?: string }) {
      authorize(context.principal, 'password:generate');
      const tenantId = context.principal.tenantId;
      let rules: PasswordRules;
      if (input.policyId) rules = (await requirePolicy(tenantId, input.policyId, ['body', 'policyId'])).rules;
      else if (input.accountId) rules = await effectiveRules(await requireAccount(tenantId, input.accountId));
      else rules = (await passwordPolicies.getDefault(tenantId))?.rules ?? builtInPasswordRules;
      return { password: generatePassword(rules), length: rules.length };
    },
  };
}

export type VaultService = ReturnType<typeof createVaultService>;
