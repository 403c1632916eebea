import { type Permission, permissionsOfRole, type Role } from '@strongroom/shared/identity/roles';
import { type Harness, type TestTenant, uniqueSuffix } from './api-harness.ts';

/**
 * Every authenticated operation of the API, with a valid request built from a tenant's fixture
 * objects, an invalid variant (for the bad-input suite) and the permission it needs (for the
 * authorization matrix). Tests iterate over this list, so a new endpoint without an entry fails
 * the coverage check in authorization-matrix.test.ts.
 */
export interface Fixture {
  readonly tenant: TestTenant;
  readonly systemId: string;
  readonly accountId: string;
  readonly sshAccountId: string;
  readonly policyId: string;
  readonly groupId: string;
  readonly userId: string;
  /** A throw-away tenant for operations on whole tenants (offboarding). */
  readonly spareTenant?: { readonly id: string; readonly slug: string };
  /** Access workflow: a group without roles whose members may request (and approve) the fixture account. */
  readonly accessGroupId: string;
  /** Auto-approved, shared `reveal` releases of the fixture account for the access group. */
  readonly autoPolicyId: string;
  /** Single approval by the access group. */
  readonly approvalPolicyId: string;
  /** A requester (role `requester`, in the access group) with a token. */
  readonly requester: { readonly id: string; readonly email: string; readonly token: string };
  /** A pending request of the requester (approval policy). */
  readonly requestId: string;
  /** An active release of the requester. */
  readonly releaseId: string;
  /** A rotation of the fixture account (queued; nothing runs it in the matrix). */
  readonly rotationId: string;
}

/** Who calls, for operations whose fixture must belong to the caller (their own release). */
export interface Caller {
  readonly token: string;
  readonly roles: readonly Role[];
}

export interface EndpointCase {
  readonly operationId: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** null: any authenticated principal. */
  readonly permission: Permission | null;
  /** Whether the path names an object of the tenant (isolation: another tenant gets 404). */
  readonly namesObject: boolean;
  /** Whether the operation writes (bad input must leave the tables unchanged). */
  readonly writes: boolean;
  path(f: Fixture): string;
  body?(f: Fixture): unknown;
  /** For destructive operations: a fixture whose target object is fresh for each call. */
  prepare?(harness: Harness, f: Fixture, caller?: Caller): Promise<Fixture>;
  /** Who may call it, when a single permission does not say (defaults to holding `permission`). */
  allowedWhen?(has: (permission: Permission) => boolean): boolean;
  /** The object lives in a tenant: the provider operator, in its own realm, gets 404. */
  readonly tenantObject?: boolean;
  /** An invalid request and the field the problem must name. */
  readonly invalid?: { path?(f: Fixture): string; body?(f: Fixture): unknown; query?: string; field: string };
}

export async function createFixture(harness: Harness, tenant: TestTenant): Promise<Fixture> {
  const token = tenant.adminToken;
  const expect = async (method: string, path: string, body: unknown) => {
    const response = await harness.call<{ id: string }>(method, path, { token, body });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
    return response.body;
  };
  const policy = await expect('POST', '/v1/password-policies', {
    name: `Policy ${uniqueSuffix()}`,
    rules: {},
  });
  const system = await expect('POST', '/v1/systems', {
    name: `fixture-${uniqueSuffix()}`,
    hostname: 'fixture.corp.example',
    platform: 'linux',
  });
  const account = await expect('POST', '/v1/accounts', {
    systemId: system.id,
    username: 'root',
    kind: 'local',
  });
  await expect('POST', `/v1/accounts/${account.id}/credential`, {
    password: `fixture-${uniqueSuffix()}-Secret!`,
  });
  const sshAccount = await expect('POST', '/v1/accounts', {
    systemId: system.id,
    username: 'deploy',
    kind: 'ssh-key',
  });
  await expect('POST', `/v1/accounts/${sshAccount.id}/credential`, { generate: true });
  const group = await expect('POST', '/v1/groups', { name: `Group ${uniqueSuffix()}`, roles: ['requester'] });
  const user = await expect('POST', '/v1/users', {
    email: `fixture-${uniqueSuffix()}@example.test`,
    displayName: 'Fixture user',
    password: 'fixture-user-passphrase',
    roles: [],
  });
  const accessGroup = await expect('POST', '/v1/groups', { name: `Access ${uniqueSuffix()}`, roles: [] });
  const requester = await tenant.userWithRoles(['requester']);
  await expect('PUT', `/v1/groups/${accessGroup.id}/members/${requester.id}`, undefined);
  const autoPolicy = await expect('POST', '/v1/access-policies', {
    name: `Auto ${uniqueSuffix()}`,
    priority: 10,
    requesterGroupIds: [accessGroup.id],
    selectors: [{ type: 'system', systemId: system.id }],
    approval: { mode: 'auto' },
    release: { exclusive: false, requireReason: false },
  });
  const approvalPolicy = await expect('POST', '/v1/access-policies', {
    name: `Approval ${uniqueSuffix()}`,
    priority: 20,
    requesterGroupIds: [accessGroup.id],
    selectors: [{ type: 'accounts', accountIds: [account.id] }],
    approval: { mode: 'approval', requiredApprovals: 1, approverGroupIds: [accessGroup.id] },
    release: { exclusive: false },
  });
  const fixture = {
    tenant,
    systemId: system.id,
    accountId: account.id,
    sshAccountId: sshAccount.id,
    policyId: policy.id,
    groupId: group.id,
    userId: user.id,
    accessGroupId: accessGroup.id,
    autoPolicyId: autoPolicy.id,
    approvalPolicyId: approvalPolicy.id,
    requester,
    requestId: '',
    releaseId: '',
    rotationId: '',
  };
  const rotation = await expect('POST', '/v1/rotations', {
    accountId: account.id,
    reason: 'fixture rotation',
  });
  return {
    ...fixture,
    requestId: await pendingRequest(harness, fixture),
    releaseId: await activeRelease(harness, fixture, requester.token),
    rotationId: rotation.id,
  };
}

/** A new request of the fixture requester waiting for one approval. */
export async function pendingRequest(harness: Harness, f: Fixture): Promise<string> {
  const response = await harness.call<{ id: string }>('POST', '/v1/access-requests', {
    token: f.requester.token,
    body: { accountId: f.accountId, policyId: f.approvalPolicyId, reason: 'fixture: pending request' },
  });
  if (response.status !== 201) throw new Error(`pending request: ${response.status} ${response.text}`);
  return response.body.id;
}

/** A new active (auto-approved, shared) release of the fixture account for the token's user. */
export async function activeRelease(harness: Harness, f: Fixture, token: string): Promise<string> {
  const response = await harness.call<{ release: { id: string } }>('POST', '/v1/access-requests', {
    token,
    body: { accountId: f.accountId, policyId: f.autoPolicyId },
  });
  if (response.status !== 201) throw new Error(`active release: ${response.status} ${response.text}`);
  return response.body.release.id;
}

const canRequest = (caller?: Caller) =>
  caller?.roles.some((role) => permissionsOfRole[role].includes('access-request:create')) ?? false;

/** A fresh active release: the caller's own when the caller may request, else the fixture requester's. */
const prepareRelease = async (harness: Harness, f: Fixture, caller?: Caller) => ({
  ...f,
  releaseId: await activeRelease(harness, f, canRequest(caller) ? caller!.token : f.requester.token),
});

/**
 * Account-group operations: `prepare` creates a fresh group of the fixture tenant (with the
 * fixture account in it when `withMember`) and carries its id on the fixture. Without `prepare`
 * (tenant isolation, bad input) the id is a well-formed one no tenant has.
 */
const accountGroupOf = (f: Fixture) =>
  (f as Fixture & { accountGroupId?: string }).accountGroupId ?? 'agr_01JDQ4V6S5Y7R1B8K3M2N9P0QW';
const withAccountGroup =
  (withMember: boolean) =>
  async (harness: Harness, f: Fixture): Promise<Fixture> => {
    const token = f.tenant.adminToken;
    const group = await harness.call<{ id: string }>('POST', '/v1/account-groups', {
      token,
      body: { name: `AG ${uniqueSuffix()}` },
    });
    if (group.status !== 201) throw new Error(`account group: ${group.status} ${group.text}`);
    if (withMember) {
      const added = await harness.call('PUT', `/v1/account-groups/${group.body.id}/accounts/${f.accountId}`, {
        token,
      });
      if (added.status !== 200) throw new Error(`account group member: ${added.status} ${added.text}`);
    }
    return { ...f, accountGroupId: group.body.id } as Fixture;
  };

const coreEntries: EndpointCase[] = [
  {
    operationId: 'me',
    method: 'GET',
    permission: null,
    namesObject: false,
    writes: false,
    path: () => '/v1/me',
  },
  {
    operationId: 'listRoles',
    method: 'GET',
    permission: null,
    namesObject: false,
    writes: false,
    path: () => '/v1/roles',
  },
  {
    operationId: 'createTenant',
    method: 'POST',
    permission: 'tenant:create',
    namesObject: false,
    writes: true,
    path: () => '/v1/tenants',
    body: () => ({
      slug: `t-${uniqueSuffix()}`,
      name: 'Matrix tenant',
      admin: { email: 'a@matrix.test', displayName: 'A', password: 'matrix-admin-passphrase' },
    }),
    invalid: {
      body: () => ({
        slug: 'provider',
        name: 'x',
        admin: { email: 'a@b.test', displayName: 'A', password: 'long-enough-pass' },
      }),
      field: 'slug',
    },
  },
  {
    operationId: 'listTenants',
    method: 'GET',
    permission: 'tenant:read',
    namesObject: false,
    writes: false,
    path: () => '/v1/tenants',
    invalid: { query: 'limit=1000', field: 'limit' },
  },
  {
    operationId: 'offboardTenant',
    method: 'POST',
    permission: 'tenant:offboard',
    namesObject: false,
    writes: true,
    path: (f) => `/v1/tenants/${f.spareTenant?.id ?? f.tenant.id}/offboard`,
    body: (f) => ({ confirmSlug: f.spareTenant?.slug ?? f.tenant.slug, reason: 'authorization matrix' }),
    prepare: async (harness, f) => {
      const spare = await harness.newTenant('spare');
      return { ...f, spareTenant: { id: spare.id, slug: spare.slug } };
    },
    invalid: {
      body: () => ({ confirmSlug: 'x', reason: 'r', pendingWindowDays: 3 }),
      field: 'pendingWindowDays',
    },
  },
  {
    operationId: 'createUser',
    method: 'POST',
    permission: 'user:create',
    namesObject: false,
    writes: true,
    path: () => '/v1/users',
    body: () => ({
      email: `u-${uniqueSuffix()}@example.test`,
      displayName: 'U',
      password: 'user-passphrase-1',
      roles: [],
    }),
    invalid: {
      body: () => ({ email: 'not-an-email', displayName: 'U', password: 'user-passphrase-1' }),
      field: 'email',
    },
  },
  {
    operationId: 'listUsers',
    method: 'GET',
    permission: 'user:read',
    namesObject: false,
    writes: false,
    path: () => '/v1/users',
    invalid: { query: 'limit=0', field: 'limit' },
  },
  {
    operationId: 'getUser',
    method: 'GET',
    permission: 'user:read',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/users/${f.userId}`,
    invalid: { path: () => '/v1/users/usr_nope', field: 'userId' },
  },
  {
    operationId: 'updateUser',
    method: 'PATCH',
    permission: 'user:update',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/users/${f.userId}`,
    body: () => ({ displayName: `Renamed ${uniqueSuffix()}` }),
    invalid: { body: () => ({ roles: ['provider-operator'] }), field: 'roles.0' },
  },
  {
    operationId: 'createGroup',
    method: 'POST',
    permission: 'group:create',
    namesObject: false,
    writes: true,
    path: () => '/v1/groups',
    body: () => ({ name: `G ${uniqueSuffix()}`, roles: ['auditor'] }),
    invalid: { body: () => ({ name: 'G', roles: ['superuser'] }), field: 'roles.0' },
  },
  {
    operationId: 'listGroups',
    method: 'GET',
    permission: 'group:read',
    namesObject: false,
    writes: false,
    path: () => '/v1/groups',
  },
  {
    operationId: 'getGroup',
    method: 'GET',
    permission: 'group:read',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/groups/${f.groupId}`,
    invalid: { path: () => '/v1/groups/grp_nope', field: 'groupId' },
  },
  {
    operationId: 'updateGroup',
    method: 'PATCH',
    // Renaming is an update, like changing the members.
    permission: 'group:update',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/groups/${f.groupId}`,
    body: () => ({ name: `Group ${uniqueSuffix()}`, description: 'Renamed by a test' }),
    invalid: { body: () => ({}), field: 'name' },
  },
  {
    operationId: 'addGroupMember',
    method: 'PUT',
    permission: 'group:update',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/groups/${f.groupId}/members/${f.userId}`,
    invalid: { path: (f) => `/v1/groups/${f.groupId}/members/nobody`, field: 'userId' },
  },
  {
    operationId: 'removeGroupMember',
    method: 'DELETE',
    permission: 'group:update',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/groups/${f.groupId}/members/${f.userId}`,
    prepare: async (harness, f) => {
      // Make sure the membership exists (409 when an earlier call already added it).
      await harness.call('PUT', `/v1/groups/${f.groupId}/members/${f.userId}`, {
        token: f.tenant.adminToken,
      });
      return f;
    },
    invalid: { path: (f) => `/v1/groups/${f.groupId}/members/usr_x`, field: 'userId' },
  },
  {
    operationId: 'createSystem',
    method: 'POST',
    permission: 'system:create',
    namesObject: false,
    writes: true,
    path: () => '/v1/systems',
    body: () => ({ name: `s-${uniqueSuffix()}`, hostname: 'h.example', platform: 'linux' }),
    invalid: { body: () => ({ name: 'x', hostname: 'h.example', platform: 'amiga' }), field: 'platform' },
  },
  {
    operationId: 'listSystems',
    method: 'GET',
    permission: 'system:read',
    namesObject: false,
    writes: false,
    path: () => '/v1/systems',
    invalid: { query: 'platform=amiga', field: 'platform' },
  },
  {
    operationId: 'getSystem',
    method: 'GET',
    permission: 'system:read',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/systems/${f.systemId}`,
    invalid: { path: () => '/v1/systems/acc_01JDQ4V6S5Y7R1B8K3M2N9P0QW', field: 'systemId' },
  },
  {
    operationId: 'updateSystem',
    method: 'PATCH',
    permission: 'system:update',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/systems/${f.systemId}`,
    body: () => ({ description: `changed ${uniqueSuffix()}` }),
    invalid: { body: () => ({ ipAddress: '999.1.1.1' }), field: 'ipAddress' },
  },
  {
    operationId: 'deleteSystem',
    method: 'DELETE',
    permission: 'system:delete',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/systems/${f.systemId}`,
    prepare: async (harness, f) => {
      const system = await harness.call<{ id: string }>('POST', '/v1/systems', {
        token: f.tenant.adminToken,
        body: { name: `doomed-${uniqueSuffix()}`, hostname: 'doomed.example', platform: 'linux' },
      });
      return { ...f, systemId: system.body.id };
    },
    invalid: { path: () => '/v1/systems/sys_', field: 'systemId' },
  },
  {
    operationId: 'createAccount',
    method: 'POST',
    permission: 'account:create',
    namesObject: false,
    writes: true,
    path: () => '/v1/accounts',
    body: (f) => ({ systemId: f.systemId, username: `u${uniqueSuffix()}`, kind: 'local' }),
    invalid: {
      body: (f) => ({ systemId: f.systemId, username: 'bad/name', kind: 'local' }),
      field: 'username',
    },
  },
  {
    operationId: 'listAccounts',
    method: 'GET',
    permission: 'account:read',
    namesObject: false,
    writes: false,
    path: () => '/v1/accounts',
    invalid: { query: 'kind=root', field: 'kind' },
  },
  {
    operationId: 'getAccount',
    method: 'GET',
    permission: 'account:read',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/accounts/${f.accountId}`,
    invalid: { path: () => '/v1/accounts/123', field: 'accountId' },
  },
  {
    operationId: 'updateAccount',
    method: 'PATCH',
    permission: 'account:update',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/accounts/${f.accountId}`,
    body: () => ({ description: `changed ${uniqueSuffix()}` }),
    invalid: { body: () => ({ username: 'renamed' }), field: 'username' },
  },
  {
    operationId: 'deleteAccount',
    method: 'DELETE',
    permission: 'account:delete',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/accounts/${f.accountId}`,
    prepare: async (harness, f) => {
      const account = await harness.call<{ id: string }>('POST', '/v1/accounts', {
        token: f.tenant.adminToken,
        body: { systemId: f.systemId, username: `doomed-${uniqueSuffix()}`, kind: 'local' },
      });
      return { ...f, accountId: account.body.id };
    },
    invalid: { path: () => '/v1/accounts/acc_01JDQ4V6S5Y7R1B8K3M2N9P0Q', field: 'accountId' },
  },
  {
    operationId: 'setCredential',
    method: 'POST',
    permission: 'credential:set',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/accounts/${f.accountId}/credential`,
    body: () => ({ generate: true }),
    invalid: { body: () => ({ password: 'a-Secret-1', generate: true }), field: 'password' },
  },
  {
    operationId: 'retrieveCredential',
    method: 'POST',
    permission: 'credential:retrieve',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/accounts/${f.accountId}/credential/retrieve`,
    body: () => ({ reason: 'authorization matrix' }),
    invalid: { body: () => ({ reason: '' }), field: 'reason' },
  },
  {
    operationId: 'listCredentialVersions',
    method: 'GET',
    permission: 'credential:read-versions',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/accounts/${f.accountId}/credential/versions`,
  },
  {
    operationId: 'createPasswordPolicy',
    method: 'POST',
    permission: 'password-policy:create',
    namesObject: false,
    writes: true,
    path: () => '/v1/password-policies',
    body: () => ({ name: `P ${uniqueSuffix()}`, rules: { length: 20 } }),
    invalid: { body: () => ({ name: 'P', rules: { length: 4 } }), field: 'rules.length' },
  },
  {
    operationId: 'listPasswordPolicies',
    method: 'GET',
    permission: 'password-policy:read',
    namesObject: false,
    writes: false,
    path: () => '/v1/password-policies',
  },
  {
    operationId: 'generatePassword',
    method: 'POST',
    permission: 'password:generate',
    namesObject: false,
    writes: false,
    path: () => '/v1/passwords/generate',
    body: () => ({}),
    invalid: { body: () => ({ policyId: 'pwp_x' }), field: 'policyId' },
  },
  {
    operationId: 'createAccountGroup',
    method: 'POST',
    permission: 'account-group:create',
    namesObject: false,
    writes: true,
    path: () => '/v1/account-groups',
    body: () => ({ name: `AG ${uniqueSuffix()}`, description: 'authorization matrix' }),
    invalid: { body: () => ({ name: '   ' }), field: 'name' },
  },
  {
    operationId: 'listAccountGroups',
    method: 'GET',
    permission: 'account-group:read',
    namesObject: false,
    writes: false,
    path: () => '/v1/account-groups',
    invalid: { query: 'limit=0', field: 'limit' },
  },
  {
    operationId: 'getAccountGroup',
    method: 'GET',
    permission: 'account-group:read',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/account-groups/${accountGroupOf(f)}`,
    prepare: withAccountGroup(false),
    invalid: { path: () => '/v1/account-groups/grp_01JDQ4V6S5Y7R1B8K3M2N9P0QW', field: 'accountGroupId' },
  },
  {
    operationId: 'addAccountToGroup',
    method: 'PUT',
    permission: 'account-group:update',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/account-groups/${accountGroupOf(f)}/accounts/${f.accountId}`,
    prepare: withAccountGroup(false),
    invalid: {
      path: (f) => `/v1/account-groups/${accountGroupOf(f)}/accounts/${f.systemId}`,
      field: 'accountId',
    },
  },
  {
    operationId: 'removeAccountFromGroup',
    method: 'DELETE',
    permission: 'account-group:update',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/account-groups/${accountGroupOf(f)}/accounts/${f.accountId}`,
    prepare: withAccountGroup(true),
    invalid: { path: (f) => `/v1/account-groups/agr_x/accounts/${f.accountId}`, field: 'accountGroupId' },
  },
  {
    operationId: 'listAuditEvents',
    method: 'GET',
    permission: 'audit:read',
    namesObject: false,
    writes: false,
    path: () => '/v1/audit/events',
    invalid: { query: 'from=yesterday', field: 'from' },
  },
  {
    operationId: 'exportAuditEvents',
    method: 'GET',
    permission: 'audit:export',
    namesObject: false,
    writes: true,
    path: () => '/v1/audit/export?format=csv',
    invalid: { query: 'format=xml', field: 'format' },
  },
  {
    operationId: 'verifyAuditChain',
    method: 'POST',
    permission: 'audit:verify',
    namesObject: false,
    writes: true,
    path: () => '/v1/audit/verify',
    body: () => ({}),
    invalid: { body: () => ({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }), field: 'to' },
  },
  {
    operationId: 'createAccessPolicy',
    method: 'POST',
    permission: 'access-policy:create',
    namesObject: false,
    writes: true,
    path: () => '/v1/access-policies',
    body: (f) => ({
      name: `Matrix ${uniqueSuffix()}`,
      requesterGroupIds: [f.accessGroupId],
      selectors: [{ type: 'criteria', platform: 'linux', tags: ['matrix-only'] }],
      approval: { mode: 'approval', requiredApprovals: 2, approverGroupIds: [f.accessGroupId] },
    }),
    invalid: {
      body: (f) => ({
        name: 'Bad window',
        requesterGroupIds: [f.accessGroupId],
        selectors: [{ type: 'system', systemId: f.systemId }],
        approval: { mode: 'auto' },
        conditions: { hours: { from: '25:00', to: '06:00' } },
      }),
      field: 'conditions.hours.from',
    },
  },
  {
    operationId: 'listAccessPolicies',
    method: 'GET',
    permission: 'access-policy:read',
    namesObject: false,
    writes: false,
    path: () => '/v1/access-policies',
    invalid: { query: 'limit=0', field: 'limit' },
  },
  {
    operationId: 'getAccessPolicy',
    method: 'GET',
    permission: 'access-policy:read',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/access-policies/${f.autoPolicyId}`,
    invalid: { path: () => '/v1/access-policies/apo_nope', field: 'accessPolicyId' },
  },
  {
    operationId: 'listAccessPolicyVersions',
    method: 'GET',
    permission: 'access-policy:read',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/access-policies/${f.autoPolicyId}/versions`,
  },
  {
    operationId: 'updateAccessPolicy',
    method: 'PATCH',
    permission: 'access-policy:update',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/access-policies/${f.approvalPolicyId}`,
    body: () => ({ expectedVersion: 1, description: 'changed by the matrix' }),
    prepare: async (harness, f) => {
      const created = await harness.call<{ id: string }>('POST', '/v1/access-policies', {
        token: f.tenant.adminToken,
        body: {
          name: `Matrix update ${uniqueSuffix()}`,
          requesterGroupIds: [f.accessGroupId],
          selectors: [{ type: 'criteria', tags: ['matrix-only'] }],
          approval: { mode: 'auto' },
        },
      });
      return { ...f, approvalPolicyId: created.body.id };
    },
    invalid: { body: () => ({ expectedVersion: 1, priority: 0 }), field: 'priority' },
  },
  {
    operationId: 'createAccessRequest',
    method: 'POST',
    permission: 'access-request:create',
    namesObject: false,
    writes: true,
    path: () => '/v1/access-requests',
    body: (f) => ({ accountId: f.accountId, policyId: f.autoPolicyId, durationMinutes: 30 }),
    invalid: { body: (f) => ({ accountId: f.accountId, durationMinutes: 0 }), field: 'durationMinutes' },
  },
  {
    operationId: 'getAccessOptions',
    method: 'GET',
    permission: 'access-request:create',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/access-options/${f.accountId}`,
    invalid: { path: () => '/v1/access-options/acc_123', field: 'accountId' },
  },
  {
    operationId: 'listAccessRequests',
    method: 'GET',
    permission: null,
    namesObject: false,
    writes: false,
    path: () => '/v1/access-requests?scope=mine',
    invalid: { query: 'scope=everyone', field: 'scope' },
  },
  {
    operationId: 'getAccessActivity',
    method: 'GET',
    permission: null,
    namesObject: false,
    writes: false,
    path: () => '/v1/access-activity?scope=mine&days=7',
    invalid: { query: 'days=91', field: 'days' },
  },
  {
    operationId: 'getAccessRequest',
    method: 'GET',
    permission: null,
    tenantObject: true,
    namesObject: true,
    writes: false,
    path: (f) => `/v1/access-requests/${f.requestId}`,
    invalid: { path: () => '/v1/access-requests/req_123', field: 'requestId' },
  },
  {
    operationId: 'approveAccessRequest',
    method: 'POST',
    permission: null,
    tenantObject: true,
    namesObject: true,
    writes: true,
    path: (f) => `/v1/access-requests/${f.requestId}/approve`,
    body: () => ({ comment: 'approved by the matrix' }),
    prepare: async (harness, f) => ({ ...f, requestId: await pendingRequest(harness, f) }),
    invalid: { body: () => ({ comment: '' }), field: 'comment' },
  },
  {
    operationId: 'denyAccessRequest',
    method: 'POST',
    permission: null,
    tenantObject: true,
    namesObject: true,
    writes: true,
    path: (f) => `/v1/access-requests/${f.requestId}/deny`,
    body: () => ({ comment: 'denied by the matrix' }),
    prepare: async (harness, f) => ({ ...f, requestId: await pendingRequest(harness, f) }),
    invalid: { body: () => ({}), field: 'comment' },
  },
  {
    operationId: 'cancelAccessRequest',
    method: 'POST',
    // Only a requester can have a request to cancel.
    permission: 'access-request:create',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/access-requests/${f.requestId}/cancel`,
    body: () => ({ comment: 'no longer needed' }),
    prepare: async (harness, f, caller) => {
      if (!canRequest(caller)) return { ...f, requestId: await pendingRequest(harness, f) };
      const own = await harness.call<{ id: string }>('POST', '/v1/access-requests', {
        token: caller!.token,
        body: { accountId: f.accountId, policyId: f.approvalPolicyId, reason: 'to be cancelled' },
      });
      return { ...f, requestId: own.body.id };
    },
    invalid: { body: () => ({ comment: 'x'.repeat(501) }), field: 'comment' },
  },
  {
    operationId: 'listMyReleases',
    method: 'GET',
    permission: null,
    namesObject: false,
    writes: false,
    path: () => '/v1/releases',
  },
  {
    operationId: 'activateRelease',
    method: 'POST',
    permission: 'access-request:create',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/releases/${f.releaseId}/activate`,
    prepare: prepareRelease,
    invalid: { path: () => '/v1/releases/req_01JDQ4V6S5Y7R1B8K3M2N9P0QW/activate', field: 'releaseId' },
  },
  {
    operationId: 'checkInRelease',
    method: 'POST',
    permission: 'access-request:create',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/releases/${f.releaseId}/check-in`,
    prepare: prepareRelease,
    invalid: { path: () => '/v1/releases/rel_x/check-in', field: 'releaseId' },
  },
  {
    operationId: 'revokeRelease',
    method: 'POST',
    permission: 'release:revoke',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/releases/${f.releaseId}/revoke`,
    body: () => ({ reason: 'revoked by the matrix' }),
    prepare: async (harness, f) => ({ ...f, releaseId: await activeRelease(harness, f, f.requester.token) }),
    invalid: { body: () => ({ reason: 'no' }), field: 'reason' },
  },
  {
    operationId: 'retrieveReleasedCredential',
    method: 'POST',
    permission: 'access-request:create',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/releases/${f.releaseId}/credential`,
    body: () => ({}),
    prepare: prepareRelease,
    invalid: { body: () => ({ reason: 'not a field here' }), field: 'reason' },
  },
  {
    operationId: 'retrieveForInjection',
    method: 'POST',
    permission: 'credential:inject',
    allowedWhen: (has) => has('access-request:create') || has('credential:inject'),
    namesObject: true,
    writes: true,
    path: (f) => `/v1/releases/${f.releaseId}/injection`,
    body: (f) => ({ publicKey: matrixRecipientKey, consoleUser: { username: f.requester.email } }),
    prepare: prepareRelease,
    invalid: { body: () => ({ publicKey: 'short' }), field: 'publicKey' },
  },
  {
    operationId: 'lookupCredentialsForTarget',
    method: 'POST',
    permission: 'credential:lookup',
    namesObject: false,
    writes: true,
    path: () => '/v1/credential-lookup',
    body: (f) => ({
      consoleUser: { username: f.requester.email },
      target: { hostname: 'fixture.corp.example' },
    }),
    invalid: {
      body: () => ({ consoleUser: { username: 'joe.user' }, target: {} }),
      field: 'target.hostname',
    },
  },
  {
    operationId: 'listNotifications',
    method: 'GET',
    permission: null,
    namesObject: false,
    writes: false,
    path: () => '/v1/notifications',
    invalid: { query: 'limit=abc', field: 'limit' },
  },
];

const rotationEntries: EndpointCase[] = [
  {
    operationId: 'rotateAccountNow',
    method: 'POST',
    permission: 'rotation:run',
    namesObject: false,
    writes: true,
    path: () => '/v1/rotations',
    body: (f) => ({ accountId: f.accountId, reason: 'authorization matrix' }),
    invalid: { body: () => ({ accountId: 'acc_nope' }), field: 'accountId' },
  },
  {
    operationId: 'listRotations',
    method: 'GET',
    permission: 'rotation:read',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/rotations?accountId=${f.accountId}`,
    invalid: { path: () => '/v1/rotations?accountId=sys_1', field: 'accountId' },
  },
  {
    operationId: 'listFailingRotations',
    method: 'GET',
    permission: 'rotation:read',
    namesObject: false,
    writes: false,
    path: () => '/v1/rotations/failing',
    invalid: { query: 'limit=201', field: 'limit' },
  },
  {
    operationId: 'getRotationStatus',
    method: 'GET',
    permission: 'rotation:read',
    namesObject: true,
    writes: false,
    path: (f) => `/v1/rotations/${f.rotationId}`,
    invalid: { path: () => '/v1/rotations/rot_123', field: 'rotationId' },
  },
  {
    operationId: 'setRotationSchedule',
    method: 'PUT',
    permission: 'rotation:configure',
    namesObject: true,
    writes: true,
    path: (f) => `/v1/rotation-schedules/${f.sshAccountId}`,
    body: () => ({
      enabled: true,
      maxAgeDays: 30,
      window: { daysOfWeek: ['sat', 'sun'], from: '02:00', to: '05:00' },
    }),
    invalid: { body: () => ({ enabled: true, maxAgeDays: 0 }), field: 'maxAgeDays' },
  },
];

export const endpointCatalogue: readonly EndpointCase[] = [...coreEntries, ...rotationEntries];

/** An X25519 public key (RFC 7748 test vector, Bob's) to which the matrix asks credentials be sealed. */
export const matrixRecipientKey = '3p7bfXt9wbTTW2HC7OQ1Nz-DQ8hbeGdNrfx-FG-IK08';

/**
 * Operations that need no token, or act only on the caller's own session or sign-in (tested in
 * identity.test.ts; they take no permission and name no object).
 */
export const unauthenticatedOperations = [
  'login',
  'refreshToken',
  'jwks',
  'logout',
  'changeOwnPassword',
] as const;
