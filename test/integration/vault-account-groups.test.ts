import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createHarness, type Harness, type TestTenant, uniqueSuffix } from '../support/api-harness.ts';

let harness: Harness;
let tenant: TestTenant;
let systemId: string;

before(async () => {
  harness = await createHarness();
  tenant = await harness.newTenant('agroups');
  systemId = (
    await must('POST', '/v1/systems', {
      name: `ag-${uniqueSuffix()}`,
      hostname: 'ag.example',
      platform: 'linux',
    })
  ).id;
});

type Group = { id: string; name: string; description: string; memberCount: number; createdAt: string };
type Account = { id: string; username: string; kind: string; accountGroupIds: string[] };

async function must<T = { id: string }>(
  method: string,
  path: string,
  body?: unknown,
  t = tenant,
): Promise<T> {
  const response = await harness.call<T>(method, path, { token: t.adminToken, body });
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
}
const newGroup = (name = `Group ${uniqueSuffix()}`, t = tenant) =>
  must<Group>('POST', '/v1/account-groups', { name }, t);
const newAccount = (kind = 'local', sys = systemId, t = tenant) =>
  must<Account>('POST', '/v1/accounts', { systemId: sys, username: `u-${uniqueSuffix()}`, kind }, t);
const group = (id: string) => must<Group>('GET', `/v1/account-groups/${id}`);
const add = (groupId: string, accountId: string, t = tenant) =>
  harness.call<Account>('PUT', `/v1/account-groups/${groupId}/accounts/${accountId}`, {
    token: t.adminToken,
  });
const remove = (groupId: string, accountId: string, t = tenant) =>
  harness.call('DELETE', `/v1/account-groups/${groupId}/accounts/${accountId}`, { token: t.adminToken });
const events = async (targetId: string, action: string) =>
  (
    await must<{ items: { details: Record<string, unknown> }[] }>(
      'GET',
      `/v1/audit/events?targetId=${targetId}&action=${action}&limit=200`,
    )
  ).items;
/** Every member id through `GET /v1/accounts?accountGroupId=`, following cursors. */
async function membersOf(groupId: string, query = '', limit = 2): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await must<{ items: Account[]; nextCursor?: string }>(
      'GET',
      `/v1/accounts?accountGroupId=${groupId}&limit=${limit}${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    assert.ok(page.items.length <= limit);
    seen.push(...page.items.map((a) => a.id));
    cursor = page.nextCursor;
  } while (cursor);
  return seen.sort();
}
const membershipItems = async (accountId: string) =>
  (await harness.scanTable(harness.config.mainTable)).filter(
    (item) =>
      item.pk === `T#${tenant.id}` && String(item.sk).startsWith('AGR_MEM#') && item.accountId === accountId,
  );

describe('account groups', () => {
  it('creates, gets and lists groups; names are unique per tenant in any case', async () => {
    const name = `Tier0 ${uniqueSuffix()}`;
    const created = await harness.call<Group>('POST', '/v1/account-groups', {
      token: tenant.adminToken,
      body: { name, description: 'Domain controllers and their admins' },
    });
    assert.equal(created.status, 201, created.text);
    assert.match(created.body.id, /^agr_[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(created.body.memberCount, 0);
    assert.ok(!('tenantId' in created.body));
    assert.deepEqual(await group(created.body.id), created.body);

    const duplicate = await harness.call('POST', '/v1/account-groups', {
      token: tenant.adminToken,
      body: { name: name.toUpperCase() },
    });
    assert.equal(duplicate.status, 409, duplicate.text);

    const more = await Promise.all([newGroup(), newGroup()]);
    const listed: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await must<{ items: Group[]; nextCursor?: string }>(
        'GET',
        `/v1/account-groups?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      listed.push(...page.items.map((g) => g.id));
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of [created.body.id, ...more.map((g) => g.id)]) assert.ok(listed.includes(id), id);

    const created2 = await events(created.body.id, 'account-group.create');
    assert.equal(created2.length, 1);
  });

  it('adds idempotently: twice counts once, audited once', async () => {
    const g = await newGroup();
    const account = await newAccount();
    const first = await add(g.id, account.id);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(first.body.accountGroupIds, [g.id]);
    const second = await add(g.id, account.id);
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.body, first.body);
    assert.equal((await group(g.id)).memberCount, 1);
    const read = await must<Account>('GET', `/v1/accounts/${account.id}`);
    assert.deepEqual(read.accountGroupIds, [g.id]);
    const added = await events(account.id, 'account-group.member.add');
    assert.equal(added.length, 1);
    assert.equal(added[0]!.details.accountGroupId, g.id);
  });

  it('counts 25 concurrent adds of the same account once', async () => {
    const g = await newGroup();
    const account = await newAccount();
    const responses = await Promise.all(Array.from({ length: 25 }, () => add(g.id, account.id)));
    for (const response of responses) {
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.body.accountGroupIds, [g.id]);
    }
    assert.equal((await group(g.id)).memberCount, 1);
    assert.equal((await membershipItems(account.id)).length, 1);
    assert.equal((await events(account.id, 'account-group.member.add')).length, 1);
    assert.deepEqual((await must<Account>('GET', `/v1/accounts/${account.id}`)).accountGroupIds, [g.id]);
  });

  it('counts concurrent adds of different accounts each', async () => {
    const g = await newGroup();
    const accounts = await Promise.all(Array.from({ length: 12 }, () => newAccount()));
    const responses = await Promise.all(accounts.map((a) => add(g.id, a.id)));
    for (const response of responses) assert.equal(response.status, 200, response.text);
    assert.equal((await group(g.id)).memberCount, 12);
    assert.deepEqual(await membersOf(g.id, '', 5), accounts.map((a) => a.id).sort());
  });

  it('removes idempotently, auditing only a real removal', async () => {
    const [g, other] = await Promise.all([newGroup(), newGroup()]);
    const account = await newAccount();
    await add(g.id, account.id);
    await add(other.id, account.id);
    const removed = await remove(g.id, account.id);
    assert.equal(removed.status, 204, removed.text);
    assert.equal((await group(g.id)).memberCount, 0);
    assert.equal((await group(other.id)).memberCount, 1);
    assert.deepEqual((await must<Account>('GET', `/v1/accounts/${account.id}`)).accountGroupIds, [other.id]);
    const again = await remove(g.id, account.id);
    assert.equal(again.status, 204, again.text);
    assert.equal((await group(g.id)).memberCount, 0);
    assert.equal((await events(account.id, 'account-group.member.remove')).length, 1);
    assert.deepEqual(await membersOf(g.id), []);

    // Back in: the set and the count follow.
    assert.equal((await add(g.id, account.id)).status, 200);
    assert.equal((await group(g.id)).memberCount, 1);
    assert.deepEqual(
      (await must<Account>('GET', `/v1/accounts/${account.id}`)).accountGroupIds,
      [g.id, other.id].sort(),
    );
  });

  it('lists accounts by group, with cursors and the other filters', async () => {
    const g = await newGroup();
    const otherSystem = (
      await must('POST', '/v1/systems', {
        name: `ag2-${uniqueSuffix()}`,
        hostname: 'ag2.example',
        platform: 'windows',
      })
    ).id;
    const locals = await Promise.all([newAccount(), newAccount(), newAccount()]);
    const database = await newAccount('database');
    const windows = await newAccount('local', otherSystem);
    const outsider = await newAccount();
    for (const a of [...locals, database, windows]) assert.equal((await add(g.id, a.id)).status, 200);
    const all = [...locals, database, windows].map((a) => a.id).sort();
    assert.deepEqual(await membersOf(g.id), all);
    assert.deepEqual(await membersOf(g.id, '', 200), all);
    assert.ok(!(await membersOf(g.id)).includes(outsider.id));
    assert.deepEqual(await membersOf(g.id, '&kind=database'), [database.id]);
    assert.deepEqual(await membersOf(g.id, '&platform=windows'), [windows.id]);
    assert.deepEqual(
      await membersOf(g.id, `&systemId=${systemId}&kind=local`),
      locals.map((a) => a.id).sort(),
    );
    assert.deepEqual(await membersOf(g.id, `&username=${locals[0]!.username.toUpperCase()}`), [
      locals[0]!.id,
    ]);
    const unknown = await must<{ items: Account[] }>(
      'GET',
      '/v1/accounts?accountGroupId=agr_01JDQ4V6S5Y7R1B8K3M2N9P0QW',
    );
    assert.deepEqual(unknown.items, []);
  });

  it('deleting an account removes its memberships and decrements the counts, atomically', async () => {
    const [g1, g2] = await Promise.all([newGroup(), newGroup()]);
    const account = await newAccount();
    const keeper = await newAccount();
    await must('POST', `/v1/accounts/${account.id}/credential`, { generate: true });
    for (const [g, a] of [
      [g1, account],
      [g2, account],
      [g1, keeper],
    ] as const)
      assert.equal((await add(g.id, a.id)).status, 200);
    assert.equal((await group(g1.id)).memberCount, 2);
    const deleted = await harness.call('DELETE', `/v1/accounts/${account.id}`, { token: tenant.adminToken });
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal((await group(g1.id)).memberCount, 1);
    assert.equal((await group(g2.id)).memberCount, 0);
    assert.deepEqual(await membershipItems(account.id), []);
    assert.deepEqual(await membersOf(g1.id), [keeper.id]);
    assert.deepEqual(await membersOf(g2.id), []);
    const [event] = await events(account.id, 'account.delete');
    assert.equal(event!.details.accountGroups, 2);
  });

  it('caps an account at 45 groups, and still deletes it with every membership in one transaction', async () => {
    const account = await newAccount();
    for (let version = 0; version < 3; version++)
      await must('POST', `/v1/accounts/${account.id}/credential`, { generate: true });
    const groups = await Promise.all(Array.from({ length: 46 }, () => newGroup()));
    for (const g of groups.slice(0, 45)) assert.equal((await add(g.id, account.id)).status, 200);
    const refused = await add(groups[45]!.id, account.id);
    assert.equal(refused.status, 409, refused.text);
    assert.equal((refused.body as unknown as { code: string }).code, 'too-many-account-groups');
    assert.equal((await group(groups[45]!.id)).memberCount, 0);
    // Already a member is still fine at the cap.
    assert.equal((await add(groups[0]!.id, account.id)).status, 200);

    const deleted = await harness.call('DELETE', `/v1/accounts/${account.id}`, { token: tenant.adminToken });
    assert.equal(deleted.status, 204, deleted.text);
    assert.deepEqual(await membershipItems(account.id), []);
    const counts = await Promise.all(groups.slice(0, 45).map((g) => group(g.id)));
    assert.deepEqual(
      counts.map((g) => g.memberCount),
      counts.map(() => 0),
    );
  });

  it('answers 404 for unknown groups and accounts, and writes nothing', async () => {
    const g = await newGroup();
    const account = await newAccount();
    const ghostGroup = 'agr_01JDQ4V6S5Y7R1B8K3M2N9P0QW';
    const ghostAccount = 'acc_01JDQ4V6S5Y7R1B8K3M2N9P0QW';
    for (const response of [
      await harness.call('GET', `/v1/account-groups/${ghostGroup}`, { token: tenant.adminToken }),
      await add(ghostGroup, account.id),
      await add(g.id, ghostAccount),
      await remove(ghostGroup, account.id),
      await remove(g.id, ghostAccount),
    ]) {
      assert.equal(response.status, 404, response.text);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
    }
    assert.equal((await group(g.id)).memberCount, 0);
  });

  it('keeps tenants apart: another tenant’s groups and accounts are 404, its lists empty', async () => {
    const attacker = await harness.newTenant('agroups-attacker');
    const g = await newGroup();
    const account = await newAccount();
    assert.equal((await add(g.id, account.id)).status, 200);
    const theirGroup = await newGroup(`Theirs ${uniqueSuffix()}`, attacker);
    const theirSystem = (
      await must(
        'POST',
        '/v1/systems',
        { name: `x-${uniqueSuffix()}`, hostname: 'x.example', platform: 'linux' },
        attacker,
      )
    ).id;
    const theirAccount = await newAccount('local', theirSystem, attacker);
    const token = attacker.adminToken;
    for (const response of [
      await harness.call('GET', `/v1/account-groups/${g.id}`, { token }),
      await add(g.id, account.id, attacker),
      await remove(g.id, account.id, attacker),
      // Their group with the victim's account, the victim's group with their account.
      await add(theirGroup.id, account.id, attacker),
      await add(g.id, theirAccount.id, attacker),
    ]) {
      assert.equal(response.status, 404, response.text);
      assert.ok(!response.text.includes(g.id) && !response.text.includes(account.id));
    }
    const list = await harness.call('GET', '/v1/account-groups?limit=200', { token });
    assert.ok(!list.text.includes(g.id));
    const members = await harness.call('GET', `/v1/accounts?accountGroupId=${g.id}`, { token });
    assert.equal(members.status, 200);
    assert.deepEqual(members.body.items, []);
    assert.equal((await group(g.id)).memberCount, 1);
    assert.equal(
      (await must<Group>('GET', `/v1/account-groups/${theirGroup.id}`, undefined, attacker)).memberCount,
      0,
    );
  });

  it('refuses bad input naming the field', async () => {
    const token = tenant.adminToken;
    const g = await newGroup();
    const account = await newAccount();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/account-groups', { name: '' }, 'name'],
      ['POST', '/v1/account-groups', { name: 'x'.repeat(121) }, 'name'],
      ['POST', '/v1/account-groups', { name: 'ok', description: 'x'.repeat(1001) }, 'description'],
      ['POST', '/v1/account-groups', { name: 'ok', memberCount: 5 }, 'memberCount'],
      ['POST', '/v1/account-groups', { name: 'ok', tenantId: 'ten_x' }, 'tenantId'],
      ['GET', '/v1/account-groups?limit=500', undefined, 'limit'],
      ['GET', '/v1/account-groups/grp_01JDQ4V6S5Y7R1B8K3M2N9P0QW', undefined, 'accountGroupId'],
      ['PUT', `/v1/account-groups/${g.id}/accounts/acc_1`, undefined, 'accountId'],
      ['DELETE', `/v1/account-groups/agr_1/accounts/${account.id}`, undefined, 'accountGroupId'],
      ['GET', '/v1/accounts?accountGroupId=grp_01JDQ4V6S5Y7R1B8K3M2N9P0QW', undefined, 'accountGroupId'],
    ];
    for (const [method, path, body, field] of cases) {
      const response = await harness.call(method, path, { token, body });
      assert.equal(response.status, 400, `${method} ${path}: ${response.text}`);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.ok(
        response.body.errors.some((e: { field: string }) => e.field === field),
        `${field} in ${response.text}`,
      );
    }
    assert.equal((await group(g.id)).memberCount, 0);
  });

  it('needs account-group permissions: auditors and requesters read, password admins manage', async () => {
    const g = await newGroup();
    const account = await newAccount();
    const [auditor, requester, passwordAdmin] = await Promise.all([
      tenant.userWithRoles(['auditor']),
      tenant.userWithRoles(['requester']),
      tenant.userWithRoles(['password-admin']),
    ]);
    const call = (token: string, method: string, path: string) =>
      harness.call(method, path, {
        token,
        body: method === 'POST' ? { name: `P ${uniqueSuffix()}` } : undefined,
      });
    assert.equal((await call(auditor.token, 'GET', `/v1/account-groups/${g.id}`)).status, 200);
    assert.equal(
      (await call(auditor.token, 'PUT', `/v1/account-groups/${g.id}/accounts/${account.id}`)).status,
      403,
    );
    assert.equal((await call(requester.token, 'GET', '/v1/account-groups')).status, 200);
    assert.equal((await call(requester.token, 'POST', '/v1/account-groups')).status, 403);
    assert.equal((await call(passwordAdmin.token, 'POST', '/v1/account-groups')).status, 201);
    assert.equal(
      (await call(passwordAdmin.token, 'PUT', `/v1/account-groups/${g.id}/accounts/${account.id}`)).status,
      200,
    );
    assert.equal((await group(g.id)).memberCount, 1);
  });
});
