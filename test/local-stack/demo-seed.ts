/**
 * The demo tenant `npm start` seeds, through the public API like any client would: an admin, a
 * password admin, an auditor and a requester; a default password policy; a few systems of
 * different platforms (with their addresses, consoles and applications) with accounts whose
 * passwords are generated (nobody ever typed them); an account group of their superusers; and
 * the access workflow: a requester group, an approver group and three access policies
 * (self-service web access, dual-controlled production databases with a ticket, and
 * break-glass superusers released for injection only).
 */
export const demoTenant = {
  slug: 'demo',
  name: 'Demo Corp',
  users: [
    { email: 'admin@demo.strongroom.local', displayName: 'Ada Admin', roles: ['tenant-admin'] },
    { email: 'vault@demo.strongroom.local', displayName: 'Pat Password-Admin', roles: ['password-admin'] },
    { email: 'auditor@demo.strongroom.local', displayName: 'Aude Auditor', roles: ['auditor'] },
    { email: 'requester@demo.strongroom.local', displayName: 'Rex Requester', roles: ['requester'] },
    { email: 'proxy@demo.strongroom.local', displayName: 'Session proxy', roles: ['integration'] },
  ],
  /** Local demo only: every demo user shares this sign-in password. */
  password: 'demo-passphrase-strongroom',
} as const;

type Call = (
  method: string,
  path: string,
  options?: { token?: string; body?: unknown },
) => Promise<{ status: number; body: any }>;

export function apiClient(baseUrl: string): Call {
  return async (method, path, options = {}) => {
    const headers: Record<string, string> = { 'user-agent': 'strongroom-local-seed' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
}

const must = (response: { status: number; body: any }, what: string) => {
  if (response.status >= 300)
    throw new Error(`seeding ${what} failed: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
};

/** Seeds the demo tenant unless it exists. Returns whether it was created now. */
export async function seedDemoTenant(
  baseUrl: string,
  operator: { email: string; password: string },
): Promise<boolean> {
  const call = apiClient(baseUrl);
  const operatorLogin = must(
    await call('POST', '/v1/auth/login', { body: { tenant: 'provider', ...operator } }),
    'operator sign-in',
  );
  const [admin, ...others] = demoTenant.users;
  const created = await call('POST', '/v1/tenants', {
    token: operatorLogin.accessToken,
    body: {
      slug: demoTenant.slug,
      name: demoTenant.name,
      admin: { email: admin.email, displayName: admin.displayName, password: demoTenant.password },
    },
  });
  if (created.status === 409) return false;
  must(created, 'demo tenant');
  const token = must(
    await call('POST', '/v1/auth/login', {
      body: { tenant: demoTenant.slug, email: admin.email, password: demoTenant.password },
    }),
    'demo admin sign-in',
  ).accessToken;
  for (const user of others) {
    must(
      await call('POST', '/v1/users', { token, body: { ...user, password: demoTenant.password } }),
      user.email,
    );
  }
  must(
    await call('POST', '/v1/password-policies', {
      token,
      body: {
        name: 'Corporate default',
        description: '20+ characters, all classes',
        isDefault: true,
        rules: { length: 20 },
      },
    }),
    'default password policy',
  );
  const systems = [
    {
      name: 'web-01',
      hostname: 'web-01.demo.internal',
      ipAddress: '10.20.0.11',
      additionalAddresses: ['www.demo.internal', 'fd00:20::11'],
      websiteUrl: 'https://web-01.demo.internal:9090/',
      applications: ['putty', 'winscp'],
      platform: 'linux',
      workgroup: 'web',
      tags: ['prod'],
    },
    {
      name: 'pg-prod',
      hostname: 'pg-prod.demo.internal',
      ipAddress: '10.20.1.21',
      additionalAddresses: ['pg-prod-vip.demo.internal', '10.20.1.20'],
      websiteUrl: 'https://pgadmin.demo.internal/',
      applications: ['psql', 'pgadmin4'],
      platform: 'postgresql',
      workgroup: 'data',
      tags: ['prod', 'pci'],
    },
    {
      name: 'dc01',
      hostname: 'dc01.demo.internal',
      ipAddress: '10.20.0.2',
      additionalAddresses: ['ldap.demo.internal', 'fd00:20::2'],
      websiteUrl: null,
      applications: ['mmc', 'powershell'],
      platform: 'active-directory',
      workgroup: 'identity',
      tags: ['tier0'],
    },
  ];
  const accounts: Record<string, { username: string; kind: string }[]> = {
    'web-01': [
      { username: 'root', kind: 'local' },
      { username: 'deploy', kind: 'ssh-key' },
    ],
    'pg-prod': [
      { username: 'postgres', kind: 'database' },
      { username: 'app_rw', kind: 'database' },
    ],
    dc01: [
      { username: 'DEMO\\svc-backup', kind: 'domain' },
      { username: 'DEMO\\Administrator', kind: 'domain' },
    ],
  };
  const accountIds = new Map<string, string>();
  for (const system of systems) {
    const createdSystem = must(await call('POST', '/v1/systems', { token, body: system }), system.name);
    for (const account of accounts[system.name] ?? []) {
      const createdAccount = must(
        await call('POST', '/v1/accounts', { token, body: { systemId: createdSystem.id, ...account } }),
        account.username,
      );
      accountIds.set(`${account.username}@${system.name}`, createdAccount.id);
      must(
        await call('POST', `/v1/accounts/${createdAccount.id}/credential`, {
          token,
          body: { generate: true },
        }),
        `${account.username} credential`,
      );
    }
  }
  const breakGlass = must(
    await call('POST', '/v1/account-groups', {
      token,
      body: { name: 'Production break-glass', description: 'Superuser accounts of production systems' },
    }),
    'account group',
  );
  for (const member of ['root@web-01', 'postgres@pg-prod', 'DEMO\\Administrator@dc01']) {
    must(
      await call('PUT', `/v1/account-groups/${breakGlass.id}/accounts/${accountIds.get(member)}`, { token }),
      `${member} in ${breakGlass.name}`,
    );
  }
  await seedAccess(call, token, breakGlass.id);
  return true;
}

async function seedAccess(call: Call, token: string, breakGlassGroupId: string) {
  const users = must(await call('GET', '/v1/users?limit=200', { token }), 'users').items as {
    id: string;
    email: string;
  }[];
  const userId = (email: string) => users.find((u) => u.email === email)?.id;
  const operations = must(
    await call('POST', '/v1/groups', {
      token,
      body: { name: 'Operations', description: 'May request privileged access', roles: [] },
    }),
    'requester group',
  );
  const approvers = must(
    await call('POST', '/v1/groups', {
      token,
      body: { name: 'Access approvers', description: 'Approve access requests', roles: [] },
    }),
    'approver group',
  );
  const members: [string, string][] = [
    [operations.id, 'requester@demo.strongroom.local'],
    [operations.id, 'vault@demo.strongroom.local'],
    [approvers.id, 'admin@demo.strongroom.local'],
    [approvers.id, 'vault@demo.strongroom.local'],
  ];
  for (const [groupId, email] of members) {
    must(
      await call('PUT', `/v1/groups/${groupId}/members/${userId(email)}`, { token }),
      `${email} membership`,
    );
  }
  const policies = [
    {
      name: 'Web servers: self-service',
      description: 'Operations may check out web accounts for up to 4 hours without approval.',
      priority: 50,
      requesterGroupIds: [operations.id],
      selectors: [{ type: 'criteria', workgroup: 'web' }],
      approval: { mode: 'auto' },
      release: { defaultMinutes: 120, maxMinutes: 240, exclusive: false },
    },
    {
      name: 'Production databases: dual control',
      description: 'Two approvers, a change or incident ticket, one user at a time, rotated after use.',
      priority: 20,
      requesterGroupIds: [operations.id],
      selectors: [{ type: 'criteria', tags: ['pci'] }],
      approval: { mode: 'approval', requiredApprovals: 2, approverGroupIds: [approvers.id] },
      conditions: { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], timezone: 'Europe/Paris' },
      release: {
        defaultMinutes: 60,
        maxMinutes: 240,
        exclusive: true,
        rotateOnCheckIn: true,
        ticket: { required: true, pattern: '(CHG|INC)\\d{6}' },
      },
    },
    {
      name: 'Directory service accounts: one approval',
      description:
        'Operations may see a domain service account password for up to 2 hours after one approval.',
      priority: 40,
      requesterGroupIds: [operations.id],
      selectors: [{ type: 'criteria', accountKind: 'domain' }],
      approval: { mode: 'approval', requiredApprovals: 1, approverGroupIds: [approvers.id] },
      release: { defaultMinutes: 60, maxMinutes: 120, exclusive: true, rotateOnCheckIn: false },
    },
    {
      name: 'Break-glass superusers',
      description: 'Superusers, injected into sessions only, after one approval.',
      priority: 10,
      requesterGroupIds: [operations.id],
      selectors: [{ type: 'account-group', accountGroupId: breakGlassGroupId }],
      approval: { mode: 'approval', requiredApprovals: 1, approverGroupIds: [approvers.id] },
      release: { defaultMinutes: 30, maxMinutes: 60, exclusive: true, type: 'inject', rotateOnCheckIn: true },
    },
  ];
  for (const policy of policies) {
    must(await call('POST', '/v1/access-policies', { token, body: policy }), policy.name);
  }
}
