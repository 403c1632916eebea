import { createHash, randomBytes } from 'node:crypto';
import { type AuditActor, anonymousAuditOf, auditOf, type PendingAuditEvent } from '../audit/audit-event.ts';
import type { Clock } from '../kernel/clock.ts';
import {
  AppError,
  ConflictError,
  NotFoundError,
  UnauthenticatedError,
  ValidationError,
} from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Page } from '../kernel/page.ts';
import type { AnonymousContext, RequestContext } from '../kernel/request-context.ts';
import type {
  AccessTokenIssuer,
  GroupRecord,
  GroupRepository,
  RefreshTokenRecord,
  SessionRecord,
  SessionRepository,
  TenantKeyManager,
  TenantRecord,
  TenantRepository,
  UserRecord,
  UserRepository,
} from './identity.ports.ts';
import type {
  ChangeOwnPasswordInput,
  CreateGroupInput,
  CreateTenantInput,
  CreateUserInput,
  LoginInput,
  OffboardTenantInput,
  UpdateGroupInput,
  UpdateUserInput,
} from './identity.schemas.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { authorize, effectivePermissions } from './policy.ts';
import { type Principal, providerTenantId } from './principal.ts';
import { permissionsOfRole, type Role, roleDescriptions, tenantRoles } from './roles.ts';

export interface SignInPolicy {
  /** Consecutive failures that lock an account. */
  readonly maxFailures: number;
  readonly lockoutMinutes: number;
  /** Lifetime of a sign-in session (its refresh tokens cannot outlive it). */
  readonly sessionHours: number;
}

/** A refresh token presented again this soon after its use is refused without revoking the session. */
export const refreshReuseGraceMs = 10_000;

export const defaultSignInPolicy: SignInPolicy = { maxFailures: 5, lockoutMinutes: 15, sessionHours: 12 };

export interface IdentityServiceDeps {
  readonly tenants: Pick<
    TenantRepository,
    'createWithAdmin' | 'get' | 'getBySlug' | 'ensureProviderRealm' | 'setStatus' | 'list'
  >;
  readonly users: Pick<
    UserRepository,
    'create' | 'get' | 'getByEmail' | 'list' | 'update' | 'recordFailedSignIn' | 'recordSignIn'
  >;
  readonly groups: Pick<
    GroupRepository,
    'create' | 'get' | 'getMany' | 'list' | 'update' | 'addMember' | 'removeMember'
  >;
  readonly sessions: Pick<SessionRepository, 'getRefreshToken' | 'getSession' | 'rotate' | 'revoke'>;
  readonly tenantKeys: Pick<TenantKeyManager, 'createTenantKey' | 'scheduleKeyDeletion'>;
  readonly tokens: Pick<AccessTokenIssuer, 'issue'>;
  readonly hasher: PasswordHasher;
  /** Records events that change no state (a sign-in attempt for an unknown user). */
  readonly audit: { record(event: PendingAuditEvent): Promise<unknown> };
  readonly clock: Clock;
  readonly signIn?: SignInPolicy;
}

export interface TokenPair {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: string;
}

export interface UserView {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly roles: readonly Role[];
  readonly groupIds: readonly string[];
  readonly status: UserRecord['status'];
  readonly lockedUntil: string | null;
  readonly lastSignInAt: string | null;
  readonly createdAt: string;
}

export interface TenantView {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly status: TenantRecord['status'];
  readonly createdAt: string;
}

const userView = (user: UserRecord): UserView => ({
  id: user.id,
  email: user.email,
  displayName: user.displayName,
  roles: user.roles,
  groupIds: user.groupIds,
  status: user.status,
  lockedUntil: user.lockedUntil,
  lastSignInAt: user.lastSignInAt,
  createdAt: user.createdAt,
});

const tenantView = (tenant: TenantRecord): TenantView => ({
  id: tenant.id,
  slug: tenant.slug,
  name: tenant.name,
  status: tenant.status,
  createdAt: tenant.createdAt,
});

const groupView = (group: GroupRecord) => ({
  id: group.id,
  name: group.name,
  description: group.description,
  roles: group.roles,
  createdAt: group.createdAt,
});
export type GroupView = ReturnType<typeof groupView>;

export const hashRefreshToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const newRefreshToken = (): string => `srt_${randomBytes(32).toString('base64url')}`;

const invalidCredentials = () =>
  new UnauthenticatedError(
    'invalid-credentials',
    'The tenant, email or password is wrong, or the account is temporarily locked.',
  );

export function createIdentityService(deps: IdentityServiceDeps) {
  const { tenants, users, groups, sessions, tenantKeys, tokens, hasher, clock } = deps;
  const signInPolicy = deps.signIn ?? defaultSignInPolicy;
  const nowIso = () => clock.now().toISOString();
  /** Verifies against a real hash when the user is unknown, so timing does not reveal who exists. */
  let decoyHash: Promise<string> | undefined;
  const spendDecoyVerification = async (password: string) => {
    decoyHash ??= hasher.hash(randomBytes(16).toString('hex'));
    await hasher.verify(password, await decoyHash);
  };

  async function requireMembershipParties(tenantId: string, groupId: string, userId: string) {
    const [group, user] = await Promise.all([groups.get(tenantId, groupId), users.get(tenantId, userId)]);
    if (!group) throw new NotFoundError('group');
    if (!user) throw new NotFoundError('user');
    return { group, user };
  }

  async function effectiveRoles(user: UserRecord): Promise<Role[]> {
    const memberOf = await groups.getMany(user.tenantId, user.groupIds);
    return [...new Set<Role>([...user.roles, ...memberOf.flatMap((g) => g.roles)])].sort();
  }

  async function issueTokens(
    principal: Principal,
    refreshToken: string,
    refreshExpiresAt: string,
  ): Promise<TokenPair> {
    const access = await tokens.issue(principal);
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresInSeconds,
      refreshToken,
      refreshExpiresAt,
    };
  }

  return {
    /** Creates the provider realm and its first operator, once; later calls change nothing. */
    async ensureProviderOperator(email: string, password: string): Promise<boolean> {
      const createdAt = nowIso();
      const realm: TenantRecord = {
        id: providerTenantId,
        slug: providerTenantId,
        name: 'Strongroom provider',
        status: 'active',
        keyArn: null,
        createdAt,
      };
      const operator: UserRecord = {
        id: newId('user'),
        tenantId: providerTenantId,
        email: email.trim().toLowerCase(),
        displayName: 'Provider operator',
        roles: ['provider-operator'],
        groupIds: [],
        passwordHash: await hasher.hash(password),
        status: 'active',
        failedSignIns: 0,
        lockedUntil: null,
        lastSignInAt: null,
        createdAt,
      };
      const actor: AuditActor = { type: 'system', id: 'bootstrap', name: 'Strongroom bootstrap' };
      const audit = anonymousAuditOf(
        { requestId: newId('request'), sourceIp: '127.0.0.1', userAgent: 'strongroom-bootstrap' },
        providerTenantId,
        actor,
        {
          action: 'user.create',
          target: { type: 'user', id: operator.id, name: operator.email },
          details: { roles: 'provider-operator' },
        },
      );
      return tenants.ensureProviderRealm(realm, operator, audit);
    },

    async login(context: AnonymousContext, input: LoginInput): Promise<TokenPair> {
      const tenant = await tenants.getBySlug(input.tenant.trim().toLowerCase());
      if (tenant?.status !== 'active') {
        await spendDecoyVerification(input.password);
        throw invalidCredentials();
      }
      const email = input.email.trim().toLowerCase();
      const user = await users.getByEmail(tenant.id, email);
      const target = { type: 'user', id: user?.id ?? email, name: email };
      if (!user) {
        await spendDecoyVerification(input.password);
        // Audited in the tenant's trail so that password spraying shows up; fails closed like
        // every other audit write.
        await deps.audit.record(
          anonymousAuditOf(
            context,
            tenant.id,
            { type: 'anonymous', id: 'anonymous', name: email },
            {
              action: 'auth.sign-in',
              target,
              outcome: 'failure',
              reason: 'unknown user',
            },
          ),
        );
        throw invalidCredentials();
      }
      const actor: AuditActor = { type: 'user', id: user.id, name: user.email };
      const now = clock.now();
      const locked = user.lockedUntil !== null && user.lockedUntil > now.toISOString();
      const passwordOk = await hasher.verify(input.password, user.passwordHash);
      if (!passwordOk || locked || user.status !== 'active') {
        const failedSignIns = locked ? user.failedSignIns : user.failedSignIns + 1;
        const lockNow = !locked && failedSignIns >= signInPolicy.maxFailures;
        const lockedUntil = lockNow
          ? new Date(now.getTime() + signInPolicy.lockoutMinutes * 60_000).toISOString()
          : user.lockedUntil;
        const reason = locked
          ? 'account locked'
          : user.status !== 'active'
            ? 'account disabled'
            : 'wrong password';
        await users.recordFailedSignIn(
          user,
          { failedSignIns: lockNow ? 0 : failedSignIns, lockedUntil },
          anonymousAuditOf(context, tenant.id, actor, {
            action: 'auth.sign-in',
            target,
            outcome: 'failure',
            reason,
            details: { lockedNow: lockNow, failedSignIns },
          }),
        );
        throw invalidCredentials();
      }
      const roles = await effectiveRoles(user);
      const session: SessionRecord = {
        id: newId('session'),
        tenantId: tenant.id,
        userId: user.id,
        status: 'active',
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + signInPolicy.sessionHours * 3_600_000).toISOString(),
      };
      const refreshToken = newRefreshToken();
      const refreshRecord: RefreshTokenRecord = {
        tokenHash: hashRefreshToken(refreshToken),
        tenantId: tenant.id,
        userId: user.id,
        sessionId: session.id,
        usedAt: null,
        expiresAt: session.expiresAt,
      };
      const rehash = hasher.needsRehash(user.passwordHash) ? await hasher.hash(input.password) : undefined;
      await users.recordSignIn(
        user,
        { signedInAt: now.toISOString(), ...(rehash ? { passwordHash: rehash } : {}) },
        session,
        refreshRecord,
        anonymousAuditOf(context, tenant.id, actor, {
          action: 'auth.sign-in',
          target,
          details: { sessionId: session.id, roles: roles.join(' ') },
        }),
      );
      const principal: Principal = {
        kind: 'user',
        tenantId: tenant.id,
        subject: user.id,
        name: user.email,
        roles,
        sessionId: session.id,
      };
      return issueTokens(principal, refreshToken, session.expiresAt);
    },

    /**
     * Exchanges a refresh token for a new pair. Each refresh token works once; presenting a used
     * one again (after a 10-second grace for concurrent refreshes of one browser) means it was
     * stolen or replayed, so the whole session is revoked.
     */
    async refresh(context: AnonymousContext, refreshToken: string): Promise<TokenPair> {
      const record = await sessions.getRefreshToken(hashRefreshToken(refreshToken));
      const now = nowIso();
      if (!record || record.expiresAt <= now)
        throw new UnauthenticatedError('invalid-refresh-token', 'The refresh token is not valid.');
      const [session, user, tenant] = await Promise.all([
        sessions.getSession(record.tenantId, record.sessionId),
        users.get(record.tenantId, record.userId),
        tenants.get(record.tenantId),
      ]);
      // A suspended tenant's sessions stop refreshing at once (access tokens end within minutes).
      if (!session || !user || tenant?.status !== 'active')
        throw new UnauthenticatedError('invalid-refresh-token', 'The refresh token is not valid.');
      const actor: AuditActor = { type: 'user', id: user.id, name: user.email };
      const target = { type: 'session', id: session.id };
      if (record.usedAt !== null) {
        // Two tabs (or two parallel requests of one browser) refreshing at once present the same
        // token twice within moments: the later one is refused but does not end the session.
        // Any later reuse means the token was stolen or replayed.
        if (Date.parse(now) - Date.parse(record.usedAt) < refreshReuseGraceMs) {
          throw new UnauthenticatedError('refresh-token-already-used', 'The refresh token was just used.');
        }
        if (session.status === 'active') {
          await sessions.revoke(
            session,
            anonymousAuditOf(context, record.tenantId, actor, {
              action: 'auth.session.revoke',
              target,
              reason: 'refresh token reused',
            }),
          );
        }
        throw new UnauthenticatedError('invalid-refresh-token', 'The refresh token is not valid.');
      }
      if (session.status !== 'active' || user.status !== 'active') {
        throw new UnauthenticatedError('invalid-refresh-token', 'The refresh token is not valid.');
      }
      const next = newRefreshToken();
      const nextRecord: RefreshTokenRecord = { ...record, tokenHash: hashRefreshToken(next), usedAt: null };
      await sessions.rotate(
        record,
        nextRecord,
        now,
        anonymousAuditOf(context, record.tenantId, actor, { action: 'auth.token.refresh', target }),
      );
      const roles = await effectiveRoles(user);
      return issueTokens(
        {
          kind: 'user',
          tenantId: user.tenantId,
          subject: user.id,
          name: user.email,
          roles,
          sessionId: session.id,
        },
        next,
        session.expiresAt,
      );
    },

    async logout(context: RequestContext): Promise<void> {
      const { principal } = context;
      const session = await sessions.getSession(principal.tenantId, principal.sessionId);
      if (session?.status !== 'active') return;
      await sessions.revoke(
        session,
        auditOf(context, {
          action: 'auth.session.revoke',
          target: { type: 'session', id: session.id },
          reason: 'sign-out',
        }),
      );
    },

    async createTenant(context: RequestContext, input: CreateTenantInput): Promise<TenantView> {
      authorize(context.principal, 'tenant:create');
      if (await tenants.getBySlug(input.slug)) {
        throw new ConflictError('tenant-slug-taken', 'A tenant with this slug already exists.');
      }
      const tenantId = newId('tenant');
      const createdAt = nowIso();
      const admin: UserRecord = {
        id: newId('user'),
        tenantId,
        email: input.admin.email,
        displayName: input.admin.displayName,
        roles: ['tenant-admin'],
        groupIds: [],
        passwordHash: await hasher.hash(input.admin.password),
        status: 'active',
        failedSignIns: 0,
        lockedUntil: null,
        lastSignInAt: null,
        createdAt,
      };
      const keyArn = await tenantKeys.createTenantKey(tenantId);
      const tenant: TenantRecord = {
        id: tenantId,
        slug: input.slug,
        name: input.name,
        status: 'active',
        keyArn,
        createdAt,
      };
      // The first event of the new tenant's own trail records who created it; the same event
      // goes into the operator's realm, so the provider's trail shows every tenant it created.
      const draft = {
        action: 'tenant.create',
        target: { type: 'tenant', id: tenantId, name: input.slug },
        details: { adminUserId: admin.id, adminEmail: admin.email },
      };
      const audit = [{ ...auditOf(context, draft), tenantId }, auditOf(context, draft)];
      try {
        await tenants.createWithAdmin(tenant, admin, audit);
      } catch (error) {
        // Nothing references the fresh key: schedule its deletion so a failed creation leaves no key behind.
        await tenantKeys.scheduleKeyDeletion(keyArn, 7).catch(() => undefined);
        throw error;
      }
      return tenantView(tenant);
    },

    /**
     * Offboards a tenant: nobody of it signs in or refreshes any more (at once, audited in the
     * tenant's own trail), then its KMS key is scheduled for deletion. When the waiting period
     * ends every credential of the tenant is unrecoverable (crypto-shredding); until then an
     * operator can still cancel the deletion in KMS. Calling it again re-schedules the deletion.
     */
    async offboardTenant(context: RequestContext, tenantId: string, input: OffboardTenantInput) {
      authorize(context.principal, 'tenant:offboard');
      const tenant = tenantId === providerTenantId ? null : await tenants.get(tenantId);
      if (!tenant) throw new NotFoundError('tenant');
      if (input.confirmSlug !== tenant.slug) {
        throw ValidationError.field(['body', 'confirmSlug'], "must repeat the tenant's slug");
      }
      const draft = {
        action: 'tenant.offboard',
        target: { type: 'tenant', id: tenant.id, name: tenant.slug },
        reason: input.reason,
        details: { pendingWindowDays: input.pendingWindowDays },
      };
      // In the tenant's trail and in the operator's realm, atomically with the status change.
      await tenants.setStatus(tenant, 'offboarded', [
        { ...auditOf(context, draft), tenantId: tenant.id },
        auditOf(context, draft),
      ]);
      if (tenant.keyArn) {
        try {
          await tenantKeys.scheduleKeyDeletion(tenant.keyArn, input.pendingWindowDays);
        } catch (cause) {
          throw new AppError(
            'unavailable',
            'key-deletion-not-scheduled',
            'The tenant is offboarded but its key deletion could not be scheduled; call again to retry.',
            { cause },
          );
        }
      }
      const keyDeletionDate = new Date(
        clock.now().getTime() + input.pendingWindowDays * 86_400_000,
      ).toISOString();
      return { tenant: tenantView({ ...tenant, status: 'offboarded' }), keyDeletionDate };
    },

    async listTenants(
      context: RequestContext,
      page: { limit?: number; cursor?: string },
    ): Promise<Page<TenantView>> {
      authorize(context.principal, 'tenant:read');
      const result = await tenants.list(page.limit ?? 50, page.cursor);
      return { ...result, items: result.items.map(tenantView) };
    },

    async createUser(context: RequestContext, input: CreateUserInput): Promise<UserView> {
      authorize(context.principal, 'user:create');
      const tenantId = context.principal.tenantId;
      const user: UserRecord = {
        id: newId('user'),
        tenantId,
        email: input.email,
        displayName: input.displayName,
        roles: [...new Set(input.roles)].sort(),
        groupIds: [],
        passwordHash: await hasher.hash(input.password),
        status: 'active',
        failedSignIns: 0,
        lockedUntil: null,
        lastSignInAt: null,
        createdAt: nowIso(),
      };
      await users.create(
        user,
        auditOf(context, {
          action: 'user.create',
          target: { type: 'user', id: user.id, name: user.email },
          details: { roles: user.roles.join(' ') },
        }),
      );
      return userView(user);
    },

    async listUsers(
      context: RequestContext,
      page: { limit?: number; cursor?: string },
    ): Promise<Page<UserView>> {
      authorize(context.principal, 'user:read');
      const result = await users.list(context.principal.tenantId, page.limit ?? 50, page.cursor);
      return { ...result, items: result.items.map(userView) };
    },

    async getUser(context: RequestContext, userId: string): Promise<UserView> {
      authorize(context.principal, 'user:read');
      const user = await users.get(context.principal.tenantId, userId);
      if (!user) throw new NotFoundError('user');
      return userView(user);
    },

    /**
     * Changes a user's name, direct roles or status. Role changes and disabling take effect at the
     * user's next refresh (a disabled user cannot refresh or sign in). Admins cannot disable
     * themselves or drop their own tenant-admin role, so a tenant never locks itself out by accident.
     */
    async updateUser(context: RequestContext, userId: string, input: UpdateUserInput): Promise<UserView> {
      authorize(context.principal, 'user:update');
      const tenantId = context.principal.tenantId;
      const user = await users.get(tenantId, userId);
      if (!user) throw new NotFoundError('user');
      const roles = input.roles ? [...new Set(input.roles)].sort() : user.roles;
      const updated: UserRecord = {
        ...user,
        displayName: input.displayName ?? user.displayName,
        roles,
        status: input.status ?? user.status,
        ...(input.password !== undefined
          ? { passwordHash: await hasher.hash(input.password), failedSignIns: 0, lockedUntil: null }
          : {}),
      };
      if (user.id === context.principal.subject) {
        if (
          updated.status !== 'active' ||
          (user.roles.includes('tenant-admin') && !roles.includes('tenant-admin'))
        ) {
          throw new ConflictError(
            'cannot-demote-self',
            'You cannot disable yourself or drop your own tenant-admin role.',
          );
        }
      }
      await users.update(
        updated,
        auditOf(context, {
          action: 'user.update',
          target: { type: 'user', id: user.id, name: user.email },
          details: {
            fields: Object.keys(input).sort().join(' '),
            rolesBefore: user.roles.join(' '),
            rolesAfter: updated.roles.join(' '),
            status: updated.status,
            passwordReset: input.password !== undefined,
          },
        }),
        { passwordReset: input.password !== undefined },
      );
      return userView(updated);
    },

    async createGroup(context: RequestContext, input: CreateGroupInput): Promise<GroupView> {
      authorize(context.principal, 'group:create');
      const group: GroupRecord = {
        id: newId('group'),
        tenantId: context.principal.tenantId,
        name: input.name,
        description: input.description,
        roles: [...new Set(input.roles)].sort(),
        createdAt: nowIso(),
      };
      await groups.create(
        group,
        auditOf(context, {
          action: 'group.create',
          target: { type: 'group', id: group.id, name: group.name },
          details: { roles: group.roles.join(' ') },
        }),
      );
      return groupView(group);
    },

    /**
     * Renames a group or changes its description; the name stays unique in the tenant (ignoring
     * case). Access policies name groups by id, so they show the new name at once; audit events
     * keep the name the group had when they were written. Changing nothing writes nothing.
     */
    async updateGroup(context: RequestContext, groupId: string, input: UpdateGroupInput): Promise<GroupView> {
      // Renaming is an update of the group, like changing its members.
      authorize(context.principal, 'group:update');
      const group = await groups.get(context.principal.tenantId, groupId);
      if (!group) throw new NotFoundError('group');
      const updated: GroupRecord = {
        ...group,
        name: input.name ?? group.name,
        description: input.description ?? group.description,
      };
      const renamed = updated.name !== group.name;
      const described = updated.description !== group.description;
      if (!renamed && !described) return groupView(group);
      await groups.update(
        group,
        updated,
        auditOf(context, {
          action: 'group.update',
          target: { type: 'group', id: group.id, name: updated.name },
          details: {
            fields: [described ? 'description' : null, renamed ? 'name' : null].filter(Boolean).join(' '),
            ...(renamed ? { nameBefore: group.name, nameAfter: updated.name } : {}),
            ...(described
              ? { descriptionBefore: group.description, descriptionAfter: updated.description }
              : {}),
          },
        }),
      );
      return groupView(updated);
    },

    /** One group of the caller's tenant, read by its key; another tenant's group is not found. */
    async getGroup(context: RequestContext, groupId: string): Promise<GroupView> {
      authorize(context.principal, 'group:read');
      const group = await groups.get(context.principal.tenantId, groupId);
      if (!group) throw new NotFoundError('group');
      return groupView(group);
    },

    async listGroups(
      context: RequestContext,
      page: { limit?: number; cursor?: string },
    ): Promise<Page<GroupView>> {
      authorize(context.principal, 'group:read');
      const result = await groups.list(context.principal.tenantId, page.limit ?? 50, page.cursor);
      return { ...result, items: result.items.map(groupView) };
    },

    /** Adding a member grants the group's roles: audited as a role change of the user. */
    async addGroupMember(context: RequestContext, groupId: string, userId: string): Promise<UserView> {
      authorize(context.principal, 'group:update');
      const tenantId = context.principal.tenantId;
      const { group, user } = await requireMembershipParties(tenantId, groupId, userId);
      await groups.addMember(
        group,
        user,
        auditOf(context, {
          action: 'group.member.add',
          target: { type: 'user', id: user.id, name: user.email },
          details: { groupId: group.id, groupName: group.name, grantedRoles: group.roles.join(' ') },
        }),
      );
      const updated = await users.get(tenantId, userId);
      return userView(updated ?? user);
    },

    /** Removing a member takes the group's roles away: audited as a role change of the user. */
    async removeGroupMember(context: RequestContext, groupId: string, userId: string): Promise<UserView> {
      authorize(context.principal, 'group:update');
      const tenantId = context.principal.tenantId;
      const { group, user } = await requireMembershipParties(tenantId, groupId, userId);
      const removed = await groups.removeMember(
        group,
        user,
        auditOf(context, {
          action: 'group.member.remove',
          target: { type: 'user', id: user.id, name: user.email },
          details: { groupId: group.id, groupName: group.name, revokedRoles: group.roles.join(' ') },
        }),
      );
      if (!removed) throw new NotFoundError('group-membership');
      return userView((await users.get(tenantId, userId)) ?? user);
    },

    /** A signed-in user changes their own password; the current one must be given again. */
    async changeOwnPassword(context: RequestContext, input: ChangeOwnPasswordInput): Promise<void> {
      const { principal } = context;
      const user = principal.kind === 'user' ? await users.get(principal.tenantId, principal.subject) : null;
      if (!user) throw new NotFoundError('user');
      if (!(await hasher.verify(input.currentPassword, user.passwordHash))) {
        throw ValidationError.field(['body', 'currentPassword'], 'is not your current password');
      }
      await users.update(
        { ...user, passwordHash: await hasher.hash(input.newPassword) },
        auditOf(context, {
          action: 'user.password.change',
          target: { type: 'user', id: user.id, name: user.email },
        }),
        { passwordReset: true },
      );
    },

    async me(context: RequestContext) {
      const { principal } = context;
      const tenant = await tenants.get(principal.tenantId);
      const user = principal.kind === 'user' ? await users.get(principal.tenantId, principal.subject) : null;
      return {
        tenant: tenant ? tenantView(tenant) : null,
        user: user ? userView(user) : null,
        roles: principal.roles,
        permissions: effectivePermissions(principal),
      };
    },

    /** The roles a tenant can grant, with what each allows (fixed by the product, the same for every tenant). */
    listRoles(_context: RequestContext) {
      return {
        items: tenantRoles.map((role) => ({
          role,
          description: roleDescriptions[role],
          permissions: [...permissionsOfRole[role]],
        })),
      };
    },
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;
