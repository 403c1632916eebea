import type { PendingAuditEvent } from '../audit/audit-event.ts';
import type { Page } from '../kernel/page.ts';
import type { PasswordRules } from './password-generator.ts';
import type { AccountFilter, AccountKind, Platform, SystemFilter } from './vault.schemas.ts';

export interface SystemRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly hostname: string | null;
  readonly ipAddress: string | null;
  readonly platform: Platform;
  readonly workgroup: string;
  readonly tags: readonly string[];
  readonly description: string;
  readonly passwordPolicyId: string | null;
  /** Accounts onboarded on the system; a system can be deleted only at zero. */
  readonly accountCount: number;
  readonly createdAt: string;
}

export type CredentialType = 'password' | 'ssh-key';
export type CredentialStatus = 'current' | 'previous' | 'pending' | 'retired';

export interface AccountRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly systemId: string;
  /** Copied from the system so that accounts filter by them without a join. */
  readonly systemName: string;
  readonly platform: Platform;
  readonly workgroup: string;
  readonly tags: readonly string[];
  readonly username: string;
  readonly kind: AccountKind;
  readonly description: string;
  readonly apiEnabled: boolean;
  readonly passwordPolicyId: string | null;
  readonly rotation: { readonly enabled: boolean; readonly rotateAfterRelease: boolean };
  readonly currentVersion: number | null;
  readonly previousVersion: number | null;
  readonly latestVersion: number;
  readonly credentialUpdatedAt: string | null;
  readonly createdAt: string;
}

export interface CredentialVersionRecord {
  readonly tenantId: string;
  readonly accountId: string;
  readonly version: number;
  readonly status: CredentialStatus;
  readonly type: CredentialType;
  /** AWS Encryption SDK message (base64), bound to tenant, account and version. */
  readonly ciphertext: string;
  readonly publicKey: string | null;
  readonly fingerprint: string | null;
  readonly source: 'set' | 'generated';
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface PasswordPolicyRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly description: string;
  readonly isDefault: boolean;
  readonly rules: PasswordRules;
  readonly createdAt: string;
}

export interface SystemRepository {
  create(system: SystemRecord, audit: PendingAuditEvent): Promise<void>;
  get(tenantId: string, systemId: string): Promise<SystemRecord | null>;
  list(tenantId: string, filter: SystemFilter, limit: number, cursor?: string): Promise<Page<SystemRecord>>;
  /** Replaces the mutable fields (not name, platform, workgroup or tags: accounts carry copies). */
  update(system: SystemRecord, audit: PendingAuditEvent): Promise<void>;
  /** Deletes the system and its name claim; refused (ConflictError) while it has accounts. */
  delete(system: SystemRecord, audit: PendingAuditEvent): Promise<void>;
}

export interface AccountRepository {
  create(account: AccountRecord, audit: PendingAuditEvent): Promise<void>;
  get(tenantId: string, accountId: string): Promise<AccountRecord | null>;
  list(tenantId: string, filter: AccountFilter, limit: number, cursor?: string): Promise<Page<AccountRecord>>;
  update(account: AccountRecord, audit: PendingAuditEvent): Promise<void>;
  /**
   * Deletes the account, its name claim and every stored credential version (crypto material
   * included), and decrements the system's account count, atomically with the audit event.
   */
  delete(account: AccountRecord, audit: PendingAuditEvent): Promise<{ versionsDeleted: number }>;
}

export interface CredentialRepository {
  /**
   * Stores `next` as the account's current version: the old current becomes previous, the old
   * previous retired. Conditional on the account still being at `account.latestVersion`, so two
   * concurrent writers cannot both win. Atomic with the audit event.
   */
  putCurrent(account: AccountRecord, next: CredentialVersionRecord, audit: PendingAuditEvent): Promise<void>;
  getVersion(tenantId: string, accountId: string, version: number): Promise<CredentialVersionRecord | null>;
  listVersions(tenantId: string, accountId: string): Promise<CredentialVersionRecord[]>;
}

export interface PasswordPolicyRepository {
  create(policy: PasswordPolicyRecord, audit: PendingAuditEvent): Promise<void>;
  get(tenantId: string, policyId: string): Promise<PasswordPolicyRecord | null>;
  getDefault(tenantId: string): Promise<PasswordPolicyRecord | null>;
  list(tenantId: string, limit: number, cursor?: string): Promise<Page<PasswordPolicyRecord>>;
}

/** What a ciphertext is bound to; decryption fails unless every field matches. */
export interface CredentialBinding {
  readonly tenantId: string;
  readonly accountId: string;
  readonly version: number;
}

export interface CredentialCipher {
  encrypt(keyArn: string, plaintext: string, binding: CredentialBinding): Promise<string>;
  decrypt(keyArn: string, ciphertext: string, binding: CredentialBinding): Promise<string>;
}

export interface TenantKeyDirectory {
  /** The tenant's KMS key ARN (immutable for the tenant's life, so callers may cache it). */
  keyArnOf(tenantId: string): Promise<string>;
}
