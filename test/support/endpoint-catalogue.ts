import type { Permission } from '@strongroom/shared/identity/roles';
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
  prepare?(harness: Harness, f: Fixture): Promise<Fixture>;
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
  return {
    tenant,
    systemId: system.id,
    accountId: account.id,
    sshAccountId: sshAccount.id,
    policyId: policy.id,
    groupId: group.id,
    userId: user.id,
  };
}

export const endpointCatalogue: readonly EndpointCase[] = [
  {
    operationId: 'me',
    method: 'GET',
    permission: null,
    namesObject: false,
    writes: false,
    path: () => '/v1/me',
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
];

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
