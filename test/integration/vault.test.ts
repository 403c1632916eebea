import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createHarness, type Harness, type TestTenant } from '../support/api-harness.ts';

let harness: Harness;
let tenant: TestTenant;

before(async () => {
  harness = await createHarness();
  tenant = await harness.newTenant('vault');
});

const createSystem = async (token: string, body: Record<string, unknown>) => {
  const response = await harness.call('POST', '/v1/systems', { token, body });
  assert.equal(response.status, 201, response.text);
  return response.body as { id: string; name: string };
};

const createAccount = async (token: string, body: Record<string, unknown>) => {
  const response = await harness.call('POST', '/v1/accounts', { token, body });
  assert.equal(response.status, 201, response.text);
  return response.body as { id: string; username: string; credential: { currentVersion: number | null } };
};

describe('systems and accounts', () => {
  it('onboards a system and its accounts, lists them with filters and cursors', async () => {
    const token = tenant.adminToken;
    const linux = await createSystem(token, {
      name: 'db-primary',
      hostname: 'db1.corp.example',
      ipAddress: '10.0.0.12',
      platform: 'linux',
      workgroup: 'finance',
      tags: ['prod', 'pci'],
    });
    const windows = await createSystem(token, { name: 'dc01', ipAddress: '10.0.0.2', platform: 'windows' });
    for (let i = 0; i < 5; i += 1) {
      await createAccount(token, { systemId: linux.id, username: `svc-app-${i}`, kind: 'local' });
    }
    await createAccount(token, { systemId: windows.id, username: 'Administrator', kind: 'local' });

    const duplicate = await harness.call('POST', '/v1/accounts', {
      token,
      body: { systemId: linux.id, username: 'SVC-APP-0', kind: 'local' },
    });
    assert.equal(duplicate.status, 409, duplicate.text);

    const system = await harness.call('GET', `/v1/systems/${linux.id}`, { token });
    assert.equal(system.status, 200);
    assert.deepEqual(system.body.tags, ['pci', 'prod']);

    const linuxOnly = await harness.call('GET', '/v1/systems?platform=linux', { token });
    assert.deepEqual(
      linuxOnly.body.items.map((s: { id: string }) => s.id),
      [linux.id],
    );

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await harness.call(
        'GET',
        `/v1/accounts?systemId=${linux.id}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token },
      );
      assert.equal(page.status, 200, page.text);
      assert.ok(page.body.items.length <= 2);
      seen.push(...page.body.items.map((a: { username: string }) => a.username));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen.sort(), ['svc-app-0', 'svc-app-1', 'svc-app-2', 'svc-app-3', 'svc-app-4']);

    const byTag = await harness.call('GET', '/v1/accounts?tag=pci&workgroup=finance', { token });
    assert.equal(byTag.body.items.length, 5);
    const byPlatform = await harness.call('GET', '/v1/accounts?platform=windows', { token });
    assert.deepEqual(
      byPlatform.body.items.map((a: { username: string }) => a.username),
      ['Administrator'],
    );
    const byUsername = await harness.call('GET', '/v1/accounts?username=svc-app-3', { token });
    assert.deepEqual(
      byUsername.body.items.map((a: { username: string }) => a.username),
      ['svc-app-3'],
    );
  });
});

describe('credentials', () => {
  it('sets, versions and retrieves a password, with a reason, audited', async () => {
    const token = tenant.adminToken;
    const system = await createSystem(token, {
      name: 'pg-01',
      hostname: 'pg01.corp.example',
      platform: 'postgresql',
    });
    const account = await createAccount(token, {
      systemId: system.id,
      username: 'postgres',
      kind: 'database',
    });

    const first = await harness.call('POST', `/v1/accounts/${account.id}/credential`, {
      token,
      body: { password: 'first-Secret-value-1' },
    });
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.version, 1);
    assert.ok(!first.text.includes('first-Secret-value-1'));

    const second = await harness.call('POST', `/v1/accounts/${account.id}/credential`, {
      token,
      body: { generate: true },
    });
    assert.equal(second.status, 201, second.text);
    assert.equal(second.body.version, 2);
    assert.equal(second.body.source, 'generated');

    const versions = await harness.call('GET', `/v1/accounts/${account.id}/credential/versions`, { token });
    assert.deepEqual(
      versions.body.items.map((v: { version: number; status: string }) => [v.version, v.status]),
      [
        [2, 'current'],
        [1, 'previous'],
      ],
    );

    const noReason = await harness.call('POST', `/v1/accounts/${account.id}/credential/retrieve`, {
      token,
      body: {},
    });
    assert.equal(noReason.status, 400);
    assert.equal(noReason.body.errors[0].field, 'reason');

    const released = await harness.call('POST', `/v1/accounts/${account.id}/credential/retrieve`, {
      token,
      body: { reason: 'INC-4711 database restore' },
    });
    assert.equal(released.status, 200, released.text);
    assert.equal(released.body.version, 2);
    assert.equal(released.body.password.length, 24);
    assert.equal(released.headers.get('cache-control'), 'no-store');

    const events = await harness.call(
      'GET',
      `/v1/audit/events?targetId=${account.id}&action=credential.retrieve`,
      {
        token,
      },
    );
    assert.equal(events.status, 200, events.text);
    assert.equal(events.body.items.length, 1);
    assert.equal(events.body.items[0].reason, 'INC-4711 database restore');
    assert.equal(events.body.items[0].sourceIp, '192.0.2.10');
    assert.equal(events.body.items[0].userAgent, 'strongroom-tests');

    const account2 = await harness.call('GET', `/v1/accounts/${account.id}`, { token });
    assert.equal(account2.body.credential.currentVersion, 2);
  });

  it('generates and imports ed25519 keys for ssh-key accounts', async () => {
    const token = tenant.adminToken;
    const system = await createSystem(token, {
      name: 'bastion',
      hostname: 'bastion.corp.example',
      platform: 'linux',
    });
    const account = await createAccount(token, { systemId: system.id, username: 'deploy', kind: 'ssh-key' });
    const generated = await harness.call('POST', `/v1/accounts/${account.id}/credential`, {
      token,
      body: { generate: true },
    });
    assert.equal(generated.status, 201, generated.text);
    assert.match(generated.body.publicKey, /^ssh-ed25519 AAAA/);
    assert.match(generated.body.fingerprint, /^SHA256:/);
    const released = await harness.call('POST', `/v1/accounts/${account.id}/credential/retrieve`, {
      token,
      body: { reason: 'deploy pipeline bootstrap' },
    });
    assert.match(released.body.privateKey, /^-----BEGIN OPENSSH PRIVATE KEY-----/);

    const password = await harness.call('POST', `/v1/accounts/${account.id}/credential`, {
      token,
      body: { password: 'not-a-key' },
    });
    assert.equal(password.status, 400);
    const junk = await harness.call('POST', `/v1/accounts/${account.id}/credential`, {
      token,
      body: { privateKey: 'not a key at all' },
    });
    assert.equal(junk.status, 400);
    assert.equal(junk.body.errors[0].field, 'privateKey');
    assert.ok(!junk.text.includes('not a key at all'));
  });
});

describe('password policies', () => {
  it('applies account, system and tenant-default policies in that order', async () => {
    const token = tenant.adminToken;
    const tenantDefault = await harness.call('POST', '/v1/password-policies', {
      token,
      body: { name: 'Tenant default', isDefault: true, rules: { length: 32 } },
    });
    assert.equal(tenantDefault.status, 201, tenantDefault.text);
    const forSystem = await harness.call('POST', '/v1/password-policies', {
      token,
      body: {
        name: 'Network devices',
        rules: { length: 16, symbols: { allowed: true, min: 2 }, allowedSymbols: '!#%' },
      },
    });
    const forAccount = await harness.call('POST', '/v1/password-policies', {
      token,
      body: {
        name: 'Digits only PIN-like',
        rules: {
          length: 12,
          lowercase: { allowed: false, min: 0 },
          uppercase: { allowed: false, min: 0 },
          symbols: { allowed: false, min: 0 },
          digits: { min: 12 },
        },
      },
    });
    assert.equal(forAccount.status, 201, forAccount.text);

    const system = await createSystem(token, {
      name: 'switch-7',
      ipAddress: '10.9.9.7',
      platform: 'network-device',
      passwordPolicyId: forSystem.body.id,
    });
    const plain = await createAccount(token, { systemId: system.id, username: 'admin', kind: 'local' });
    const special = await createAccount(token, {
      systemId: system.id,
      username: 'pin',
      kind: 'local',
      passwordPolicyId: forAccount.body.id,
    });

    const bySystem = await harness.call('POST', '/v1/passwords/generate', {
      token,
      body: { accountId: plain.id },
    });
    assert.equal(bySystem.body.password.length, 16);
    assert.match(bySystem.body.password, /^[A-Za-z0-9!#%]+$/);
    const byAccount = await harness.call('POST', '/v1/passwords/generate', {
      token,
      body: { accountId: special.id },
    });
    assert.match(byAccount.body.password, /^[0-9]{12}$/);
    const byDefault = await harness.call('POST', '/v1/passwords/generate', { token, body: {} });
    assert.equal(byDefault.body.password.length, 32);

    const listed = await harness.call('GET', '/v1/password-policies', { token });
    assert.equal(listed.body.items.length, 3);

    const impossible = await harness.call('POST', '/v1/password-policies', {
      token,
      body: { name: 'Impossible', rules: { length: 8, digits: { min: 5 }, symbols: { min: 5 } } },
    });
    assert.equal(impossible.status, 400);
    assert.equal(impossible.body.errors[0].field, 'rules.length');
  });
});

describe('changing and offboarding', () => {
  it('updates accounts and systems, audited, within their fixed identity', async () => {
    const token = tenant.adminToken;
    const system = await createSystem(token, {
      name: 'edit-me',
      hostname: 'old.corp.example',
      platform: 'linux',
    });
    const account = await createAccount(token, {
      systemId: system.id,
      username: 'svc-edit',
      kind: 'service',
    });
    const changed = await harness.call('PATCH', `/v1/accounts/${account.id}`, {
      token,
      body: {
        apiEnabled: true,
        rotation: { enabled: true, rotateAfterRelease: true },
        description: 'batch job',
      },
    });
    assert.equal(changed.status, 200, changed.text);
    assert.equal(changed.body.apiEnabled, true);
    assert.deepEqual(changed.body.rotation, { enabled: true, rotateAfterRelease: true });
    const reread = await harness.call('GET', `/v1/accounts/${account.id}`, { token });
    assert.equal(reread.body.description, 'batch job');

    const moved = await harness.call('PATCH', `/v1/systems/${system.id}`, {
      token,
      body: { hostname: null, ipAddress: '10.1.2.3' },
    });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.hostname, null);
    assert.equal(moved.body.ipAddress, '10.1.2.3');
    assert.equal(moved.body.accountCount, 1);
    const orphaned = await harness.call('PATCH', `/v1/systems/${system.id}`, {
      token,
      body: { ipAddress: null },
    });
    assert.equal(orphaned.status, 400);
    const renamed = await harness.call('PATCH', `/v1/systems/${system.id}`, {
      token,
      body: { name: 'other' },
    });
    assert.equal(renamed.status, 400);
    assert.equal(renamed.body.errors[0].field, 'name');

    const events = await harness.call(
      'GET',
      `/v1/audit/events?targetId=${account.id}&action=account.update`,
      { token },
    );
    assert.equal(events.body.items[0].details.fields, 'apiEnabled description rotation');
  });

  it('deletes an account with its credential versions, and a system only once it is empty', async () => {
    const token = tenant.adminToken;
    const system = await createSystem(token, {
      name: 'decommissioned',
      hostname: 'old.corp.example',
      platform: 'linux',
    });
    const account = await createAccount(token, { systemId: system.id, username: 'app', kind: 'local' });
    for (let i = 0; i < 3; i += 1) {
      await harness.call('POST', `/v1/accounts/${account.id}/credential`, {
        token,
        body: { generate: true },
      });
    }
    const refused = await harness.call('DELETE', `/v1/systems/${system.id}`, { token });
    assert.equal(refused.status, 409, refused.text);
    assert.equal(refused.body.code, 'system-has-accounts');

    const deleted = await harness.call('DELETE', `/v1/accounts/${account.id}`, { token });
    assert.equal(deleted.status, 204, deleted.text);
    assert.equal((await harness.call('GET', `/v1/accounts/${account.id}`, { token })).status, 404);
    const leftovers = (await harness.scanTable(harness.config.mainTable)).filter((item) =>
      String(item.sk).startsWith(`CRED#${account.id}#`),
    );
    assert.deepEqual(leftovers, [], 'no ciphertext outlives its account');
    const again = await createAccount(token, { systemId: system.id, username: 'app', kind: 'local' });
    assert.notEqual(again.id, account.id, 'the user name is free again');
    await harness.call('DELETE', `/v1/accounts/${again.id}`, { token });

    const emptied = await harness.call('GET', `/v1/systems/${system.id}`, { token });
    assert.equal(emptied.body.accountCount, 0);
    assert.equal((await harness.call('DELETE', `/v1/systems/${system.id}`, { token })).status, 204);
    assert.equal((await harness.call('GET', `/v1/systems/${system.id}`, { token })).status, 404);
    const trail = await harness.call('GET', `/v1/audit/events?targetId=${account.id}`, { token });
    assert.ok(trail.body.items.some((e: { action: string }) => e.action === 'account.delete'));
  });
});
