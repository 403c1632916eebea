import type { PendingAuditEvent } from '../audit/audit-event.ts';
import type { Page } from '../kernel/page.ts';
import type { RotationSettings, SystemConnection } from '../rotation/rotation.schemas.ts';
import type { PasswordRules } from './password-generator.ts';
import type { AccountFilter, AccountKind, Platform, SystemFilter } from './vault.schemas.ts';

export interface SystemRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly hostname: string | null;
  readonly ipAddress: string | null;
  /** Further IPs or hostnames the system answers at, normalized (≤ 20); [] on older records. */
  readonly additionalAddresses: readonly string[];
  /** http(s) URL of the system's web console; null on older records. */
  readonly websiteUrl: string | null;
  /** Application names for app-launch jump items (`sqlplus`, `ssms`; ≤ 20); [] on older records. */
  readonly applications: readonly string[];
  readonly platform: Platform;
  readonly workgroup: string;
  readonly tags: readonly string[];
  readonly description: string;
  readonly passwordPolicyId: string | null;
  /** How the rotation engine reaches the system; `{ maxConcurrentRotations: 2 }` on older records. */
  readonly connection: SystemConnection;
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
  readonly rotation: RotationSettings;
  /** Where the account's rotation stands (written by the rotation engine; absent until it acts). */
  readonly rotationStatus?: 'never' | 'ok' | 'rotating' | 'failing';
  readonly lastRotatedAt?: string | null;
  /** When the next scheduled rotation is due (the due index); null when nothing schedules one. */
  readonly nextRotationDueAt?: string | null;
  readonly activeRotationId?: string | null;
  /** The target's last error (never a secret). */
  readonly rotationError?: { readonly code: string; readonly message: string; readonly at: string } | null;
  readonly currentVersion: number | null;
  readonly previousVersion: number | null;
  readonly latestVersion: number;
  readonly credentialUpdatedAt: string | null;
  /** Account groups the account is in, sorted (at most `maxAccountGroupsPerAccount`); [] on older records. */
  readonly accountGroupIds: readonly string[];
  readonly createdAt: string;
}

/** A static, named set of accounts that access policies can select. */
export interface AccountGroupRecord {
  readonly id: string;
  readonly tenantId: string;
  /** Unique per tenant, case-insensitively. */
  readonly name: string;
  readonly description: string;
  /** Kept in the same transactions that add and remove members. */
  readonly memberCount: number;
  readonly createdAt: string;
}

/** Addresses to find systems by (see shared/vault/target-address.ts for the matching rules). */
export interface SystemTarget {
  readonly hostname?: string;
  readonly ipAddresses?: readonly string[];
  readonly url?: string;
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
  /** Lists by key prefix with filters; `filter.address` is not handled here (see `findByTarget`). */
  list(tenantId: string, filter: SystemFilter, limit: number, cursor?: string): Promise<Page<SystemRecord>>;
  /**
   * Replaces the mutable fields (not name, platform, workgroup or tags: accounts carry copies)
   * and replaces the system's address index entries, in one transaction. ConflictError
   * `system-changed` when another change landed since the stored addresses were read.
   */
  update(system: SystemRecord, audit: PendingAuditEvent): Promise<void>;
  /** Deletes the system, its name claim and its address index entries; refused (ConflictError) while it has accounts. */
  delete(system: SystemRecord, audit: PendingAuditEvent): Promise<void>;
  /**
   * Systems of the tenant reachable at any of the given addresses; deduplicated, at most `limit`
   * (default 100). An FQDN matches hostnames exactly; a single label matches the first label of
   * hostnames (and single-label hostnames); IPs match canonically (IPv6 compressed, IPv4-mapped
   * as IPv4); a URL matches website URLs with the same host and systems at that host.
   */
  findByTarget(tenantId: string, target: SystemTarget, limit?: number): Promise<SystemRecord[]>;
}

export interface AccountRepository {
  create(account: AccountRecord, audit: PendingAuditEvent): Promise<void>;
  get(tenantId: string, accountId: string): Promise<AccountRecord | null>;
  list(tenantId: string, filter: AccountFilter, limit: number, cursor?: string): Promise<Page<AccountRecord>>;
  update(account: AccountRecord, audit: PendingAuditEvent): Promise<void>;
  /**
   * Deletes the account, its name claim, its account-group memberships (decrementing each
   * group's member count) and every stored credential version (crypto material included), and
   * decrements the system's account count, atomically with the audit event. ConflictError
   * `account-changed` when a credential or a membership changed since `account` was read.
   */
  delete(account: AccountRecord, audit: PendingAuditEvent): Promise<{ versionsDeleted: number }>;
}

export interface AccountGroupRepository {
  /** ConflictError `account-group-name-taken` when the tenant has a group of that name (any case). */
  create(group: AccountGroupRecord, audit: PendingAuditEvent): Promise<void>;
  get(tenantId: string, groupId: string): Promise<AccountGroupRecord | null>;
  list(tenantId: string, limit: number, cursor?: string): Promise<Page<AccountGroupRecord>>;
  /**
   * Adds the account to the group: membership item, the account's `accountGroupIds` and the
   * group's `memberCount`, one conditional transaction with the audit event. Returns false, having
   * written nothing (no event either), when the account already is a member, so concurrent adds
   * count once. NotFoundError when the account or group is gone; ConflictError
   * `too-many-account-groups` when the account is in `maxAccountGroupsPerAccount` groups.
   */
  addMember(group: AccountGroupRecord, account: AccountRecord, audit: PendingAuditEvent): Promise<boolean>;
  /** The reverse of `addMember`; false, having written nothing, when the account is not a member. */
  removeMember(group: AccountGroupRecord, account: AccountRecord, audit: PendingAuditEvent): Promise<boolean>;
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
