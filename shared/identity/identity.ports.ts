import type { AuditRecords, PendingAuditEvent } from '../audit/audit-event.ts';
import type { Page } from '../kernel/page.ts';
import type { Principal } from './principal.ts';
import type { Role, TenantRole } from './roles.ts';

export interface TenantRecord {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  /** Only `active` tenants sign in or refresh; `offboarded` ones have their key scheduled for deletion. */
  readonly status: 'active' | 'suspended' | 'offboarded';
  /** ARN of the tenant's own KMS key (null for the provider realm, which stores no credentials). */
  readonly keyArn: string | null;
  readonly createdAt: string;
}

export interface UserRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly email: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly groupIds: readonly string[];
  readonly passwordHash: string;
  readonly status: 'active' | 'disabled';
  readonly failedSignIns: number;
  readonly lockedUntil: string | null;
  readonly lastSignInAt: string | null;
  readonly createdAt: string;
}

export interface GroupRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly description: string;
  readonly roles: readonly TenantRole[];
  readonly createdAt: string;
}

/** A sign-in session: the family of rotating refresh tokens issued from one sign-in. */
export interface SessionRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly status: 'active' | 'revoked';
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface RefreshTokenRecord {
  /** SHA-256 of the token; the token itself is never stored. */
  readonly tokenHash: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly usedAt: string | null;
  readonly expiresAt: string;
}

export interface TenantRepository {
  /** Creates the tenant with its first admin, atomically with the audit event. */
  createWithAdmin(tenant: TenantRecord, admin: UserRecord, audit: AuditRecords): Promise<void>;
  get(tenantId: string): Promise<TenantRecord | null>;
  getBySlug(slug: string): Promise<TenantRecord | null>;
  /** Every customer tenant (not the provider realm), by id. */
  list(limit: number, cursor?: string): Promise<Page<TenantRecord>>;
  setStatus(tenant: TenantRecord, status: TenantRecord['status'], audit: AuditRecords): Promise<void>;
  /** Creates the provider realm and its first operator if the realm does not exist yet. */
  ensureProviderRealm(realm: TenantRecord, operator: UserRecord, audit: PendingAuditEvent): Promise<boolean>;
}

export interface UserRepository {
  create(user: UserRecord, audit: PendingAuditEvent): Promise<void>;
  get(tenantId: string, userId: string): Promise<UserRecord | null>;
  getByEmail(tenantId: string, email: string): Promise<UserRecord | null>;
  /** Users whose email's local part is `localName` (case-insensitive), at most 20. */
  findByLocalName(tenantId: string, localName: string): Promise<UserRecord[]>;
  list(tenantId: string, limit: number, cursor?: string): Promise<Page<UserRecord>>;
  /** Replaces display name, direct roles, status and password hash (with lockout state), audited. */
  update(
    user: UserRecord,
    audit: PendingAuditEvent,
    options?: { readonly passwordReset?: boolean },
  ): Promise<void>;
  recordFailedSignIn(
    user: UserRecord,
    update: { failedSignIns: number; lockedUntil: string | null },
    audit: PendingAuditEvent,
  ): Promise<void>;
  /** Resets the failure counter, opens the session and stores its first refresh token, with the audit. */
  recordSignIn(
    user: UserRecord,
    update: { signedInAt: string; passwordHash?: string },
    session: SessionRecord,
    refreshToken: RefreshTokenRecord,
    audit: PendingAuditEvent,
  ): Promise<void>;
}

export interface GroupRepository {
  create(group: GroupRecord, audit: PendingAuditEvent): Promise<void>;
  get(tenantId: string, groupId: string): Promise<GroupRecord | null>;
  getMany(tenantId: string, groupIds: readonly string[]): Promise<GroupRecord[]>;
  list(tenantId: string, limit: number, cursor?: string): Promise<Page<GroupRecord>>;
  /**
   * Replaces the name and description of `previous` (as read) with those of `next`, audited. A new
   * name (ignoring case) releases the old name and claims the new one in the same transaction; a
   * name another group holds is a conflict naming `body.name`, and nothing changes. A group that
   * changed since it was read is a conflict too.
   */
  update(previous: GroupRecord, next: GroupRecord, audit: PendingAuditEvent): Promise<void>;
  /** Ids of the group's members, at most `limit`. */
  listMemberIds(tenantId: string, groupId: string, limit: number): Promise<string[]>;
  /** Adds the user to the group (idempotent); returns false when already a member. */
  addMember(group: GroupRecord, user: UserRecord, audit: PendingAuditEvent): Promise<boolean>;
  /** Removes the user from the group; false when the user was not a member. */
  removeMember(group: GroupRecord, user: UserRecord, audit: PendingAuditEvent): Promise<boolean>;
}

export interface SessionRepository {
  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null>;
  getSession(tenantId: string, sessionId: string): Promise<SessionRecord | null>;
  /** Marks `used` as used (only if unused) and stores `next`, atomically with the audit. */
  rotate(
    used: RefreshTokenRecord,
    next: RefreshTokenRecord,
    usedAt: string,
    audit: PendingAuditEvent,
  ): Promise<void>;
  revoke(session: SessionRecord, audit: PendingAuditEvent): Promise<void>;
}

export interface TenantKeyManager {
  /** Creates the tenant's own KMS key; its deletion crypto-shreds every credential of the tenant. */
  createTenantKey(tenantId: string): Promise<string>;
  scheduleKeyDeletion(keyArn: string, pendingWindowDays: number): Promise<void>;
}

export interface AccessTokenIssuer {
  issue(principal: Principal): Promise<{ token: string; expiresInSeconds: number }>;
}
