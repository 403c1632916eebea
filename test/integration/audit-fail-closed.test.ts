import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createHarness, type Harness, type TestTenant } from '../support/api-harness.ts';
import { createFixture, type Fixture } from '../support/endpoint-catalogue.ts';

/**
 * The same API, wired to an audit table that does not exist: every audited operation must fail
 * with 503 and leave no trace, and no secret may be released.
 */
let healthy: Harness;
let broken: Harness;
let fixture: Fixture;
let tenant: TestTenant;

before(async () => {
  healthy = await createHarness();
  tenant = await healthy.newTenant('failclosed');
  fixture = await createFixture(healthy, tenant);
  broken = await createHarness({
    config: { auditTable: 'strongroom-test-no-such-audit-table' },
    seedOperator: false,
  });
});

const expectAuditUnavailable = (response: { status: number; body: { code?: string }; text: string }) => {
  assert.equal(response.status, 503, response.text);
  assert.equal(response.body.code, 'audit-unavailable');
};

describe('audit fails → operation fails, nothing changes', () => {
  it('refuses to create a system', async () => {
    const name = 'never-created';
    expectAuditUnavailable(
      await broken.call('POST', '/v1/systems', {
        token: tenant.adminToken,
        body: { name, hostname: 'h.example', platform: 'linux' },
      }),
    );
    const systems = await healthy.call('GET', '/v1/systems?limit=200', { token: tenant.adminToken });
    assert.ok(!systems.text.includes(name));
    // The name is still free: the uniqueness claim was not written either.
    const retry = await healthy.call('POST', '/v1/systems', {
      token: tenant.adminToken,
      body: { name, hostname: 'h.example', platform: 'linux' },
    });
    assert.equal(retry.status, 201, retry.text);
  });

  it('refuses to set a credential and keeps the current version', async () => {
    const before = await healthy.call('GET', `/v1/accounts/${fixture.accountId}/credential/versions`, {
      token: tenant.adminToken,
    });
    expectAuditUnavailable(
      await broken.call('POST', `/v1/accounts/${fixture.accountId}/credential`, {
        token: tenant.adminToken,
        body: { password: 'never-stored-Secret-1' },
      }),
    );
    const after = await healthy.call('GET', `/v1/accounts/${fixture.accountId}/credential/versions`, {
      token: tenant.adminToken,
    });
    assert.deepEqual(after.body, before.body);
  });

  it('refuses to release a secret it cannot audit', async () => {
    const released = await healthy.call('POST', `/v1/accounts/${fixture.accountId}/credential/retrieve`, {
      token: tenant.adminToken,
      body: { reason: 'learn the secret for comparison' },
    });
    const secret: string = released.body.password;
    const refused = await broken.call('POST', `/v1/accounts/${fixture.accountId}/credential/retrieve`, {
      token: tenant.adminToken,
      body: { reason: 'should not work' },
    });
    expectAuditUnavailable(refused);
    assert.ok(!refused.text.includes(secret));
  });

  it('refuses sign-in (no session without its audit event)', async () => {
    const response = await broken.call('POST', '/v1/auth/login', {
      body: { tenant: tenant.slug, email: tenant.adminEmail, password: tenant.adminPassword },
    });
    expectAuditUnavailable(response);
    assert.ok(!('accessToken' in (response.body as object)));
  });

  it('refuses to create a user or grant roles', async () => {
    expectAuditUnavailable(
      await broken.call('POST', '/v1/users', {
        token: tenant.adminToken,
        body: {
          email: 'ghost@example.test',
          displayName: 'Ghost',
          password: 'ghost-passphrase-1',
          roles: ['tenant-admin'],
        },
      }),
    );
    expectAuditUnavailable(
      await broken.call('PUT', `/v1/groups/${fixture.groupId}/members/${fixture.userId}`, {
        token: tenant.adminToken,
      }),
    );
    const user = await healthy.call('GET', `/v1/users/${fixture.userId}`, { token: tenant.adminToken });
    assert.deepEqual(user.body.groupIds, []);
    const users = await healthy.call('GET', '/v1/users?limit=200', { token: tenant.adminToken });
    assert.ok(!users.text.includes('ghost@example.test'));
  });

  it('refuses to rename a group: it keeps its name and claim, the new name stays free', async () => {
    const token = tenant.adminToken;
    const created = await healthy.call<{ id: string; name: string }>('POST', '/v1/groups', {
      token,
      body: { name: 'Keeps its name', roles: [] },
    });
    assert.equal(created.status, 201, created.text);
    expectAuditUnavailable(
      await broken.call('PATCH', `/v1/groups/${created.body.id}`, {
        token,
        body: { name: 'Never renamed', description: 'never saved' },
      }),
    );
    const groups = await healthy.call<{ items: { id: string; name: string; description: string }[] }>(
      'GET',
      '/v1/groups?limit=200',
      { token },
    );
    const group = groups.body.items.find((g) => g.id === created.body.id);
    assert.deepEqual([group?.name, group?.description], ['Keeps its name', '']);
    const oldName = await healthy.call('POST', '/v1/groups', { token, body: { name: 'keeps its name' } });
    assert.equal(oldName.status, 409, 'the old name is still claimed');
    const newName = await healthy.call('POST', '/v1/groups', { token, body: { name: 'Never renamed' } });
    assert.equal(newName.status, 201, 'the new name was never claimed');
  });
});
