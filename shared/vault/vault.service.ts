import { auditOf } from '../audit/audit-event.ts';
import { authorize } from '../identity/policy.ts';
import type { Clock } from '../kernel/clock.ts';
import { AppError, NotFoundError, ValidationError } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Page } from '../kernel/page.ts';
import type { RequestContext } from '../kernel/request-context.ts';
import { generatePassword, type PasswordRules, passwordRulesSchema } from './password-generator.ts';
import { generateEd25519KeyPair, publicKeyFromPrivate } from './ssh-key-generator.ts';
import type {
  AccountRecord,
  AccountRepository,
  CredentialCipher,
  CredentialRepository,
  CredentialVersionRecord,
  PasswordPolicyRecord,
  PasswordPolicyRepository,
  SystemRecord,
  SystemRepository,
  TenantKeyDirectory,
} from './vault.ports.ts';
import type {
  AccountFilter,
  CreateAccountInput,
  CreatePasswordPolicyInput,
  CreateSystemInput,
  SetCredentialInput,
  SystemFilter,
  UpdateAccountInput,
  UpdateSystemInput,
} from './vault.schemas.ts';

export interface VaultServiceDeps {
  readonly systems: Pick<SystemRepository, 'create' | 'get' | 'list' | 'update' | 'delete'>;
  readonly accounts: Pick<AccountRepository, 'create' | 'get' | 'list' | 'update' | 'delete'>;
  readonly credentials: Pick<CredentialRepository, 'putCurrent' | 'getVersion' | 'listVersions'>;
  readonly passwordPolicies: Pick<PasswordPolicyRepository, 'create' | 'get' | 'getDefault' | 'list'>;
  readonly cipher: CredentialCipher;
  readonly tenantKeys: Pick<TenantKeyDirectory, 'keyArnOf'>;
  readonly audit: { record(event: ReturnType<typeof auditOf>): Promise<unknown> };
  readonly clock: Clock;
}

/** The rules used when neither the account, its system nor the tenant names a policy. */
export const builtInPasswordRules: PasswordRules = passwordRulesSchema.parse({});

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
  credential: {
    currentVersion: account.currentVersion,
    updatedAt: account.credentialUpdatedAt,
  },
  createdAt: account.createdAt,
});
export type AccountView = ReturnType<typeof accountView>;

const systemView = ({ tenantId: _tenant, ...system }: SystemRecord) => ({
  ...system,
  accountCount: system.accountCount ?? 0,
});
export type SystemView = ReturnType<typeof systemView>;

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
  const { systems, accounts, credentials, passwordPolicies, cipher, tenantKeys, audit, clock } = deps;
  const nowIso = () => clock.now().toISOString();

  async function requireAccount(tenantId: string, accountId: string): Promise<AccountRecord> {
    const account = await accounts.get(tenantId, accountId);
    if (!account) throw new NotFoundError('account');
    return account;
  }

  async function requirePolicy(tenantId: string, policyId: string, field: readonly (string | number)[]) {
    const policy = await passwordPolicies.get(tenantId, policyId);
    if (!policy) throw ValidationError.field(field, 'no such password policy');
    return policy;
  }

  /** Account policy, else its system's (the group of accounts on it), else the tenant default. */
  async function effectiveRules(account: AccountRecord): Promise<PasswordRules> {
    const tenantId = account.tenantId;
    if (account.passwordPolicyId) {
      const policy = await passwordPolicies.get(tenantId, account.passwordPolicyId);
      if (policy) return policy.rules;
    }
    const system = await systems.get(tenantId, account.systemId);
    if (system?.passwordPolicyId) {
      const policy = await passwordPolicies.get(tenantId, system.passwordPolicyId);
      if (policy) return policy.rules;
    }
    return (await passwordPolicies.getDefault(tenantId))?.rules ?? builtInPasswordRules;
  }

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
        platform: input.platform,
        workgroup: input.workgroup,
        tags: [...new Set(input.tags)].sort(),
        description: input.description,
        passwordPolicyId: input.passwordPolicyId ?? null,
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
      const result = await systems.list(context.principal.tenantId, filter, page.limit ?? 50, page.cursor);
      return { ...result, items: result.items.map(systemView) } satisfies Page<SystemView>;
    },

    /** Changes address, description or policy. Name, platform, workgroup and tags are fixed. */
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
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.passwordPolicyId !== undefined ? { passwordPolicyId: input.passwordPolicyId } : {}),
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
        currentVersion: null,
        previousVersion: null,
        latestVersion: 0,
        credentialUpdatedAt: null,
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
      const updated: AccountRecord = {
        ...account,
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.apiEnabled !== undefined ? { apiEnabled: input.apiEnabled } : {}),
        ...(input.passwordPolicyId !== undefined ? { passwordPolicyId: input.passwordPolicyId } : {}),
        ...(input.rotation !== undefined ? { rotation: input.rotation } : {}),
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

    /** Deletes the account with every stored credential version; the audit trail keeps the record. */
    async deleteAccount(context: RequestContext, accountId: string): Promise<void> {
      authorize(context.principal, 'account:delete');
      const account = await requireAccount(context.principal.tenantId, accountId);
      await accounts.delete(
        account,
        auditOf(context, {
          action: 'account.delete',
          target: { type: 'account', id: account.id, name: `${account.username}@${account.systemName}` },
          details: { systemId: account.systemId, versions: account.latestVersion },
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
