import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { refreshReuseGraceMs } from '@strongroom/shared/identity/identity.service';
import { permissionsOfRole, tenantRoles } from '@strongroom/shared/identity/roles';
import { createAccessWorld } from '../support/access-setup.ts';
import {
  createHarness,
  type Harness,
  operator,
  type TestTenant,
  uniqueSuffix,
} from '../support/api-harness.ts';

let harness: Harness;
let tenant: TestTenant;

before(async () => {
  harness = await createHarness();
  tenant = await harness.newTenant('identity');
});

const login = (body: Record<string, string>) => harness.call('POST', '/v1/auth/login', { body });

describe('sign-in, tokens and sessions', () => {
  it('signs in, refreshes with rotation, and revokes the session when a refresh token is replayed', async () => {
    const first = await login({
      tenant: tenant.slug,
      email: tenant.adminEmail,
      password: tenant.adminPassword,
    });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.tokenType, 'Bearer');
    assert.ok(first.body.expiresIn <= 900);
    const me = await harness.call('GET', '/v1/me', { token: first.body.accessToken });
    assert.equal(me.body.tenant.id, tenant.id);
    assert.deepEqual(me.body.roles, ['tenant-admin']);

    const second = await harness.call('POST', '/v1/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    assert.equal(second.status, 200, second.text);
    assert.notEqual(second.body.refreshToken, first.body.refreshToken);

    const concurrent = await harness.call('POST', '/v1/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    assert.equal(concurrent.status, 401, 'a used token is refused even within the grace');
    assert.equal(concurrent.body.code, 'refresh-token-already-used');
    const stillAlive = await harness.call('GET', '/v1/me', { token: second.body.accessToken });
    assert.equal(stillAlive.status, 200);

    await new Promise((resolve) => setTimeout(resolve, refreshReuseGraceMs + 200));
    const replay = await harness.call('POST', '/v1/auth/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.code, 'invalid-refresh-token');
    const afterReplay = await harness.call('POST', '/v1/auth/refresh', {
      body: { refreshToken: second.body.refreshToken },
    });
    assert.equal(afterReplay.status, 401, 'the whole session is revoked after a replay');
  });

  it('refreshes a provider operator session too (the provider realm is an active tenant)', async () => {
    const operatorPair = await login({
      tenant: 'provider',
      email: operator.email,
      password: operator.password,
    });
    assert.equal(operatorPair.status, 200, operatorPair.text);
    const refreshed = await harness.call('POST', '/v1/auth/refresh', {
      body: { refreshToken: operatorPair.body.refreshToken },
    });
    assert.equal(refreshed.status, 200, refreshed.text);
  });

  it('stops refreshing the sessions of a suspended tenant', async () => {
    const other = await harness.newTenant('suspended');
    const pair = await login({ tenant: other.slug, email: other.adminEmail, password: other.adminPassword });
    await harness.clients.dynamo.send(
      new UpdateCommand({
        TableName: harness.config.mainTable,
        Key: { pk: `TENANT#${other.id}`, sk: 'TENANT' },
        UpdateExpression: 'SET #status = :suspended',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':suspended': 'suspended' },
      }),
    );
    const refresh = await harness.call('POST', '/v1/auth/refresh', {
      body: { refreshToken: pair.body.refreshToken },
    });
    assert.equal(refresh.status, 401);
    const signIn = await login({
      tenant: other.slug,
      email: other.adminEmail,
      password: other.adminPassword,
    });
    assert.equal(signIn.status, 401);
  });

  it('lets users change their own password, with the current one', async () => {
    const user = await tenant.userWithRoles(['requester']);
    const email = user.email;
    const wrong = await harness.call('POST', '/v1/me/password', {
      token: user.token,
      body: { currentPassword: 'not-my-password', newPassword: 'my-new-passphrase-1' },
    });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.errors[0].field, 'currentPassword');
    const users = await harness.call('GET', `/v1/users/${user.id}`, { token: tenant.adminToken });
    assert.equal(users.status, 200);
    // The harness gives each user `user-<suffix>-passphrase`; read it back through a reset instead.
    await harness.call('PATCH', `/v1/users/${user.id}`, {
      token: tenant.adminToken,
      body: { password: 'known-old-passphrase' },
    });
    const changed = await harness.call('POST', '/v1/me/password', {
      token: user.token,
      body: { currentPassword: 'known-old-passphrase', newPassword: 'my-new-passphrase-1' },
    });
    assert.equal(changed.status, 204, changed.text);
    assert.equal((await login({ tenant: tenant.slug, email, password: 'known-old-passphrase' })).status, 401);
    assert.equal((await login({ tenant: tenant.slug, email, password: 'my-new-passphrase-1' })).status, 200);
    const events = await harness.call(
      'GET',
      `/v1/audit/events?targetId=${user.id}&action=user.password.change`,
      {
        token: tenant.adminToken,
      },
    );
    assert.equal(events.body.items.length, 1);
  });

  it('signs out: the refresh token stops working', async () => {
    const pair = await login({
      tenant: tenant.slug,
      email: tenant.adminEmail,
      password: tenant.adminPassword,
    });
    const out = await harness.call('POST', '/v1/auth/logout', { token: pair.body.accessToken });
    assert.equal(out.status, 204);
    const refresh = await harness.call('POST', '/v1/auth/refresh', {
      body: { refreshToken: pair.body.refreshToken },
    });
    assert.equal(refresh.status, 401);
  });

  it('gives one generic answer for unknown tenant, unknown user and wrong password, and audits failures', async () => {
    const answers = await Promise.all([
      login({ tenant: 'no-such-tenant', email: tenant.adminEmail, password: 'whatever-password' }),
      login({ tenant: tenant.slug, email: 'nobody@example.test', password: 'whatever-password' }),
      login({ tenant: tenant.slug, email: tenant.adminEmail, password: 'wrong-password-1' }),
    ]);
    for (const answer of answers) {
      assert.equal(answer.status, 401);
      assert.equal(answer.body.code, 'invalid-credentials');
    }
    const failures = await harness.call('GET', '/v1/audit/events?action=auth.sign-in&limit=200', {
      token: tenant.adminToken,
    });
    const outcomes = failures.body.items.filter((e: { outcome: string }) => e.outcome === 'failure');
    assert.ok(outcomes.some((e: { reason: string }) => e.reason === 'unknown user'));
    assert.ok(outcomes.some((e: { reason: string }) => e.reason === 'wrong password'));
  });

  it('locks a user out after five failures, even with the right password', async () => {
    const user = await tenant.userWithRoles(['requester']);
    for (let i = 0; i < 5; i += 1) {
      const failed = await login({ tenant: tenant.slug, email: user.email, password: `wrong-password-${i}` });
      assert.equal(failed.status, 401);
    }
    const users = await harness.call('GET', `/v1/users?limit=200`, { token: tenant.adminToken });
    const locked = users.body.items.find((u: { id: string }) => u.id === user.id);
    assert.ok(locked.lockedUntil > new Date().toISOString(), JSON.stringify(locked));
    const events = await harness.call('GET', `/v1/audit/events?targetId=${user.id}&action=auth.sign-in`, {
      token: tenant.adminToken,
    });
    assert.ok(
      events.body.items.some((e: { details: { lockedNow: boolean } }) => e.details.lockedNow === true),
    );

    // An admin sets a new password: the lock is lifted and the new password works at once.
    const reset = await harness.call('PATCH', `/v1/users/${user.id}`, {
      token: tenant.adminToken,
      body: { password: 'a-brand-new-passphrase' },
    });
    assert.equal(reset.status, 200, reset.text);
    assert.equal(reset.body.lockedUntil, null);
    assert.ok(!reset.text.includes('a-brand-new-passphrase'));
    const back = await login({ tenant: tenant.slug, email: user.email, password: 'a-brand-new-passphrase' });
    assert.equal(back.status, 200, back.text);
    const resetEvent = await harness.call('GET', `/v1/audit/events?targetId=${user.id}&action=user.update`, {
      token: tenant.adminToken,
    });
    assert.equal(resetEvent.body.items[0].details.passwordReset, true);
  });
});

describe('tenants, users, groups and roles', () => {
  it('lets provider operators list tenants, without the provider realm', async () => {
    const operatorToken = await harness.operatorToken();
    const seen: { id: string; slug: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await harness.call('GET', `/v1/tenants?limit=50${cursor ? `&cursor=${cursor}` : ''}`, {
        token: operatorToken,
      });
      assert.equal(page.status, 200, page.text);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.ok(seen.some((t) => t.id === tenant.id && t.slug === tenant.slug));
    assert.ok(!seen.some((t) => t.id === 'provider'));
    assert.equal((await harness.call('GET', '/v1/tenants', { token: tenant.adminToken })).status, 403);
  });

  it('lets only provider operators create tenants, with a unique slug', async () => {
    const byAdmin = await harness.call('POST', '/v1/tenants', {
      token: tenant.adminToken,
      body: {
        slug: 'sneaky-tenant',
        name: 'Sneaky',
        admin: { email: 'a@b.test', displayName: 'A', password: 'sneaky-passphrase' },
      },
    });
    assert.equal(byAdmin.status, 403);
    const duplicate = await harness.call('POST', '/v1/tenants', {
      token: await harness.operatorToken(),
      body: {
        slug: tenant.slug,
        name: 'Again',
        admin: { email: 'a@b.test', displayName: 'A', password: 'again-passphrase' },
      },
    });
    assert.equal(duplicate.status, 409);
  });

  it('grants roles through groups, effective at the next sign-in, audited as a role change', async () => {
    const user = await tenant.userWithRoles(['requester']);
    const auditorsOnly = await harness.call('GET', '/v1/audit/events', { token: user.token });
    assert.equal(auditorsOnly.status, 403);
    const group = await harness.call('POST', '/v1/groups', {
      token: tenant.adminToken,
      body: { name: 'Auditors', roles: ['auditor'] },
    });
    assert.equal(group.status, 201, group.text);
    const added = await harness.call('PUT', `/v1/groups/${group.body.id}/members/${user.id}`, {
      token: tenant.adminToken,
    });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.body.groupIds, [group.body.id]);
    const users = await harness.call('GET', `/v1/users/${user.id}`, { token: tenant.adminToken });
    assert.deepEqual(users.body.groupIds, [group.body.id]);

    const password = (await harness.call('GET', '/v1/me', { token: user.token })).body.user.email;
    assert.equal(password, user.email);
    const roleChange = await harness.call(
      'GET',
      `/v1/audit/events?targetId=${user.id}&action=group.member.add`,
      {
        token: tenant.adminToken,
      },
    );
    assert.equal(roleChange.body.items.length, 1);
    assert.equal(roleChange.body.items[0].details.grantedRoles, 'auditor');

    const duplicateName = await harness.call('POST', '/v1/groups', {
      token: tenant.adminToken,
      body: { name: 'auditors', roles: [] },
    });
    assert.equal(duplicateName.status, 409);
  });

  it('refuses a duplicate email and weak sign-in passwords', async () => {
    const duplicate = await harness.call('POST', '/v1/users', {
      token: tenant.adminToken,
      body: {
        email: tenant.adminEmail.toUpperCase(),
        displayName: 'Again',
        password: 'long-enough-password',
        roles: [],
      },
    });
    assert.equal(duplicate.status, 409);
    const short = await harness.call('POST', '/v1/users', {
      token: tenant.adminToken,
      body: { email: 'short@example.test', displayName: 'Short', password: 'short', roles: [] },
    });
    assert.equal(short.status, 400);
    assert.equal(short.body.errors[0].field, 'password');
  });

  it('serves the public signing keys', async () => {
    const jwks = await harness.call('GET', '/.well-known/jwks.json');
    assert.equal(jwks.status, 200);
    assert.ok(jwks.body.keys.length >= 1);
    for (const key of jwks.body.keys) {
      assert.equal(key.kty, 'OKP');
      assert.ok(!('d' in key), 'no private key material');
    }
  });
  it('changes roles and disables users, effective at the next refresh, and never lets an admin lock themselves out', async () => {
    const password = 'lifecycle-passphrase-1';
    const created = await harness.call('POST', '/v1/users', {
      token: tenant.adminToken,
      body: { email: 'lifecycle@example.test', displayName: 'Life Cycle', password, roles: ['requester'] },
    });
    const userId = created.body.id;
    const pair = await login({ tenant: tenant.slug, email: 'lifecycle@example.test', password });
    const promoted = await harness.call('PATCH', `/v1/users/${userId}`, {
      token: tenant.adminToken,
      body: { roles: ['auditor', 'requester'] },
    });
    assert.equal(promoted.status, 200, promoted.text);
    const refreshed = await harness.call('POST', '/v1/auth/refresh', {
      body: { refreshToken: pair.body.refreshToken },
    });
    const me = await harness.call('GET', '/v1/me', { token: refreshed.body.accessToken });
    assert.deepEqual(me.body.roles, ['auditor', 'requester']);

    const group = await harness.call('POST', '/v1/groups', {
      token: tenant.adminToken,
      body: { name: 'Password admins', roles: ['password-admin'] },
    });
    await harness.call('PUT', `/v1/groups/${group.body.id}/members/${userId}`, { token: tenant.adminToken });
    const removed = await harness.call('DELETE', `/v1/groups/${group.body.id}/members/${userId}`, {
      token: tenant.adminToken,
    });
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual(removed.body.groupIds, []);
    const notMember = await harness.call('DELETE', `/v1/groups/${group.body.id}/members/${userId}`, {
      token: tenant.adminToken,
    });
    assert.equal(notMember.status, 404);

    const disabled = await harness.call('PATCH', `/v1/users/${userId}`, {
      token: tenant.adminToken,
      body: { status: 'disabled' },
    });
    assert.equal(disabled.body.status, 'disabled');
    const blocked = await harness.call('POST', '/v1/auth/refresh', {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    assert.equal(blocked.status, 401);
    assert.equal(
      (await login({ tenant: tenant.slug, email: 'lifecycle@example.test', password })).status,
      401,
    );

    const self = await harness.call('GET', '/v1/me', { token: tenant.adminToken });
    for (const body of [{ status: 'disabled' }, { roles: ['auditor'] }]) {
      const refused = await harness.call('PATCH', `/v1/users/${self.body.user.id}`, {
        token: tenant.adminToken,
        body,
      });
      assert.equal(refused.status, 409, refused.text);
    }
    const audit = await harness.call('GET', `/v1/audit/events?targetId=${userId}&limit=50`, {
      token: tenant.adminToken,
    });
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    for (const action of ['user.update', 'group.member.add', 'group.member.remove'])
      assert.ok(actions.includes(action), action);
  });
  it('offboards a tenant: everyone is locked out and its KMS key is scheduled for deletion', async () => {
    const doomed = await harness.newTenant('offboard');
    const operatorToken = await harness.operatorToken();
    const wrongSlug = await harness.call('POST', `/v1/tenants/${doomed.id}/offboard`, {
      token: operatorToken,
      body: { confirmSlug: 'not-it', reason: 'contract ended' },
    });
    assert.equal(wrongSlug.status, 400);
    assert.equal(wrongSlug.body.errors[0].field, 'confirmSlug');
    const byAdmin = await harness.call('POST', `/v1/tenants/${doomed.id}/offboard`, {
      token: doomed.adminToken,
      body: { confirmSlug: doomed.slug, reason: 'self-destruct' },
    });
    assert.equal(byAdmin.status, 403);

    const offboarded = await harness.call('POST', `/v1/tenants/${doomed.id}/offboard`, {
      token: operatorToken,
      body: { confirmSlug: doomed.slug, reason: 'contract ended', pendingWindowDays: 7 },
    });
    assert.equal(offboarded.status, 200, offboarded.text);
    assert.equal(offboarded.body.tenant.status, 'offboarded');
    assert.equal(
      (await login({ tenant: doomed.slug, email: doomed.adminEmail, password: doomed.adminPassword })).status,
      401,
    );

    const { Item } = await harness.clients.dynamo.send(
      new GetCommand({
        TableName: harness.config.mainTable,
        Key: { pk: `TENANT#${doomed.id}`, sk: 'TENANT' },
      }),
    );
    const key = await harness.clients.kms.send(new DescribeKeyCommand({ KeyId: Item!.keyArn as string }));
    assert.equal(key.KeyMetadata?.KeyState, 'PendingDeletion');
    const trail = (await harness.scanTable(harness.config.auditTable)).filter(
      (item) => item.tenantId === doomed.id && item.action === 'tenant.offboard',
    );
    assert.equal(trail.length, 1);
    assert.equal(trail[0]!.reason, 'contract ended');
    for (const action of ['tenant.create', 'tenant.offboard']) {
      const providerTrail = await harness.call(
        'GET',
        `/v1/audit/events?action=${action}&targetId=${doomed.id}`,
        {
          token: operatorToken,
        },
      );
      assert.equal(providerTrail.status, 200, providerTrail.text);
      assert.equal(providerTrail.body.items.length, 1, `${action} in the provider's trail`);
      assert.equal(providerTrail.body.items[0].tenantId, 'provider');
    }
  });
});

describe('renaming groups (PATCH /v1/groups/{groupId})', () => {
  type Group = { id: string; name: string; description: string; roles: string[] };
  const createGroup = async (name: string, description = '') => {
    const created = await harness.call<Group>('POST', '/v1/groups', {
      token: tenant.adminToken,
      body: { name, description, roles: ['auditor'] },
    });
    assert.equal(created.status, 201, created.text);
    return created.body;
  };
  const patchGroup = (groupId: string, body: unknown, token = tenant.adminToken) =>
    harness.call<any>('PATCH', `/v1/groups/${groupId}`, { token, body });
  const groupNamed = async (groupId: string) => {
    const page = await harness.call<{ items: Group[] }>('GET', '/v1/groups?limit=200', {
      token: tenant.adminToken,
    });
    return page.body.items.find((g) => g.id === groupId);
  };
  const updateEvents = async (groupId: string) =>
    (
      await harness.call<{ items: any[] }>(
        'GET',
        `/v1/audit/events?targetId=${groupId}&action=group.update&limit=50`,
        { token: tenant.adminToken },
      )
    ).body.items;
  /** Every item of the tenant in the main table (and the audit table), to prove nothing was written. */
  const snapshot = async (withAudit: boolean) => {
    const tables = [harness.config.mainTable, ...(withAudit ? [harness.config.auditTable] : [])];
    const items = (await Promise.all(tables.map((table) => harness.scanTable(table)))).flat();
    return items
      .filter((item) => String(item.pk).startsWith(`T#${tenant.id}`))
      .map((item) => JSON.stringify(item, Object.keys(item).sort()))
      .sort()
      .join('\n');
  };
  /** Whether creating a group with this name is refused as taken (a refused create writes nothing). */
  const nameTaken = async (name: string) => {
    const attempt = await harness.call('POST', '/v1/groups', {
      token: tenant.adminToken,
      body: { name, roles: [] },
    });
    assert.ok([201, 409].includes(attempt.status), attempt.text);
    return attempt.status === 409;
  };

  it('renames a group, audited with the old and new name; the old name becomes free, the new one taken', async () => {
    const oldName = `Database team ${uniqueSuffix()}`;
    const newName = `Data platform ${uniqueSuffix()}`;
    const group = await createGroup(oldName, 'Runs the databases');
    const renamed = await patchGroup(group.id, { name: newName });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.name, newName);
    assert.equal(renamed.body.description, 'Runs the databases');
    assert.deepEqual(renamed.body.roles, ['auditor']);
    assert.equal((await groupNamed(group.id))?.name, newName);

    const events = await updateEvents(group.id);
    assert.equal(events.length, 1);
    assert.equal(events[0].outcome, 'success');
    assert.equal(events[0].target.name, newName);
    assert.equal(events[0].details.fields, 'name');
    assert.equal(events[0].details.nameBefore, oldName);
    assert.equal(events[0].details.nameAfter, newName);
    assert.ok(!('descriptionBefore' in events[0].details));

    assert.equal(await nameTaken(newName.toUpperCase()), true, 'the new name is claimed, ignoring case');
    assert.equal(await nameTaken(oldName), false, 'the old name was released');
  });

  it('changes only the description, or only the case of the name, without touching the name claim', async () => {
    const name = `Ops ${uniqueSuffix()}`;
    const group = await createGroup(name);
    const described = await patchGroup(group.id, { description: 'On-call engineers' });
    assert.equal(described.status, 200, described.text);
    assert.equal(described.body.name, name);
    assert.equal(described.body.description, 'On-call engineers');
    const recased = await patchGroup(group.id, { name: name.toUpperCase() });
    assert.equal(recased.status, 200, recased.text);
    assert.equal((await groupNamed(group.id))?.name, name.toUpperCase());
    assert.equal(await nameTaken(name), true);
    const events = await updateEvents(group.id);
    assert.equal(events.length, 2);
    const byFields = Object.fromEntries(events.map((e) => [e.details.fields, e.details]));
    assert.equal(byFields.description.descriptionBefore, '');
    assert.equal(byFields.description.descriptionAfter, 'On-call engineers');
    assert.equal(byFields.name.nameAfter, name.toUpperCase());
    // Changing nothing writes nothing.
    const same = await patchGroup(group.id, { name: name.toUpperCase() });
    assert.equal(same.status, 200, same.text);
    assert.equal((await updateEvents(group.id)).length, 2);
  });

  it('refuses a name another group holds with 409 naming the field, and changes nothing', async () => {
    const taken = await createGroup(`Taken ${uniqueSuffix()}`);
    const name = `Mine ${uniqueSuffix()}`;
    const group = await createGroup(name);
    const before = await snapshot(true);
    const clash = await patchGroup(group.id, { name: taken.name.toLowerCase(), description: 'never saved' });
    assert.equal(clash.status, 409, clash.text);
    assert.equal(clash.headers.get('content-type'), 'application/problem+json');
    assert.equal(clash.body.code, 'group-name-taken');
    assert.deepEqual(
      clash.body.errors.map((e: { in: string; field: string }) => `${e.in}.${e.field}`),
      ['body.name'],
    );
    assert.equal(await snapshot(true), before, 'no claim released, no group changed, no event');
    assert.equal(await nameTaken(name), true, 'the group keeps its own name');
    assert.equal((await groupNamed(taken.id))?.name, taken.name);
  });

  it('refuses bad input with 400 naming the field, and writes nothing', async () => {
    const group = await createGroup(`Input ${uniqueSuffix()}`);
    const before = await snapshot(true);
    for (const [body, field] of [
      [{}, 'name'],
      [{ name: '   ' }, 'name'],
      [{ name: 'x'.repeat(121) }, 'name'],
      [{ description: 'x'.repeat(501) }, 'description'],
      [{ name: 'Fine', roles: ['tenant-admin'] }, 'roles'],
      [{ name: 'Fine', tenantId: 'ten_other' }, 'tenantId'],
    ] as const) {
      const refused = await patchGroup(group.id, body);
      assert.equal(refused.status, 400, `${JSON.stringify(body)}: ${refused.text}`);
      assert.equal(refused.headers.get('content-type'), 'application/problem+json');
      assert.ok(
        refused.body.errors.some((e: { field: string }) => e.field === field),
        `${field} in ${refused.text}`,
      );
    }
    const badId = await patchGroup('grp_nope', { name: 'Fine' });
    assert.equal(badId.status, 400);
    assert.equal(badId.body.errors[0].field, 'groupId');
    assert.equal(await snapshot(true), before);
  });

  it('needs group:update: every built-in role without it is refused (403), even one that reads groups', async () => {
    // Only tenant-admin holds group:update; the auditor reads groups but may not change them.
    const withoutUpdate = tenantRoles.filter((role) => !permissionsOfRole[role].includes('group:update'));
    assert.deepEqual(
      tenantRoles.filter((role) => !withoutUpdate.includes(role)),
      ['tenant-admin'],
    );
    assert.ok(permissionsOfRole.auditor.includes('group:read'));
    const name = `Guarded ${uniqueSuffix()}`;
    const group = await createGroup(name);
    const users = await Promise.all(withoutUpdate.map((role) => tenant.userWithRoles([role])));
    const before = await snapshot(false);
    for (const [index, user] of users.entries()) {
      const refused = await patchGroup(group.id, { name: `Hijacked ${uniqueSuffix()}` }, user.token);
      assert.equal(refused.status, 403, `${withoutUpdate[index]}: ${refused.text}`);
      assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    }
    assert.equal(await snapshot(false), before);
    assert.equal((await groupNamed(group.id))?.name, name);
    assert.deepEqual(await updateEvents(group.id), []);
  });

  it("answers 404 for another tenant's group and for a group that does not exist", async () => {
    const name = `Private ${uniqueSuffix()}`;
    const group = await createGroup(name);
    const other = await harness.newTenant('rename-other');
    const before = await snapshot(true);
    const foreign = await patchGroup(group.id, { name: `Stolen ${uniqueSuffix()}` }, other.adminToken);
    assert.equal(foreign.status, 404, foreign.text);
    assert.equal(foreign.headers.get('content-type'), 'application/problem+json');
    assert.ok(!foreign.text.includes(group.id));
    const missing = await patchGroup('grp_01JDQ4V6S5Y7R1B8K3M2N9P0QW', { name: 'Nobody' });
    assert.equal(missing.status, 404, missing.text);
    assert.equal(await snapshot(true), before);
    assert.equal((await groupNamed(group.id))?.name, name);
  });

  it('shows the new name wherever the group is named by id (access options of a policy)', async () => {
    const world = await createAccessWorld(harness, 'rename-policy');
    const requester = await world.person(['requester'], [world.requesterGroupId]);
    await world.policy({
      approval: { mode: 'approval', requiredApprovals: 1, approverGroupIds: [world.approverGroupId] },
    });
    const newName = `Approvers renamed ${uniqueSuffix()}`;
    const renamed = await harness.call('PATCH', `/v1/groups/${world.approverGroupId}`, {
      token: world.tenant.adminToken,
      body: { name: newName },
    });
    assert.equal(renamed.status, 200, renamed.text);
    const options = await harness.call<any>('GET', `/v1/access-options/${world.accountId}`, {
      token: requester.token,
    });
    assert.equal(options.status, 200, options.text);
    assert.equal(options.body.options[0].approval.approverGroups[0].name, newName);
  });
});

describe('reading one group (GET /v1/groups/{groupId})', () => {
  type Group = { id: string; name: string; description: string; roles: string[]; createdAt: string };
  const getGroup = (groupId: string, token = tenant.adminToken) =>
    harness.call<any>('GET', `/v1/groups/${groupId}`, { token });
  const createGroup = async () => {
    const created = await harness.call<Group>('POST', '/v1/groups', {
      token: tenant.adminToken,
      body: {
        name: `Readable ${uniqueSuffix()}`,
        description: 'Read by id',
        roles: ['auditor', 'requester'],
      },
    });
    assert.equal(created.status, 201, created.text);
    return created.body;
  };

  it('answers the group as the list shows it, and its new name after a rename', async () => {
    const group = await createGroup();
    const found = await getGroup(group.id);
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.body, group);
    const listed = await harness.call<{ items: Group[] }>('GET', '/v1/groups?limit=200', {
      token: tenant.adminToken,
    });
    assert.deepEqual(
      found.body,
      listed.body.items.find((g) => g.id === group.id),
      'the same shape and fields as the list',
    );
    const newName = `Renamed ${uniqueSuffix()}`;
    const renamed = await harness.call('PATCH', `/v1/groups/${group.id}`, {
      token: tenant.adminToken,
      body: { name: newName },
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal((await getGroup(group.id)).body.name, newName);
  });

  it('is allowed to whoever may list groups (group:read) and refused (403) to the others', async () => {
    const group = await createGroup();
    for (const role of tenantRoles) {
      const user = await tenant.userWithRoles([role]);
      const response = await getGroup(group.id, user.token);
      if (permissionsOfRole[role].includes('group:read')) {
        assert.equal(response.status, 200, `${role}: ${response.text}`);
        assert.equal(response.body.id, group.id);
      } else {
        assert.equal(response.status, 403, `${role}: ${response.text}`);
        assert.equal(response.headers.get('content-type'), 'application/problem+json');
        assert.ok(!response.text.includes(group.name), `${role} learns nothing of the group`);
      }
    }
  });

  it("answers 404 problem+json for another tenant's group and for a group that does not exist", async () => {
    const group = await createGroup();
    const other = await harness.newTenant('get-group-other');
    const foreign = await getGroup(group.id, other.adminToken);
    assert.equal(foreign.status, 404, foreign.text);
    assert.equal(foreign.headers.get('content-type'), 'application/problem+json');
    assert.ok(!foreign.text.includes(group.id));
    assert.ok(!foreign.text.includes(group.name));
    const missing = await getGroup('grp_01JDQ4V6S5Y7R1B8K3M2N9P0QW');
    assert.equal(missing.status, 404, missing.text);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
  });

  it('refuses a malformed id with 400 naming groupId', async () => {
    const bad = await getGroup('grp_nope');
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.headers.get('content-type'), 'application/problem+json');
    assert.equal(bad.body.errors[0].field, 'groupId');
  });
});
