import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createHarness, type Harness, type TestTenant } from '../support/api-harness.ts';
import { createFixture, endpointCatalogue, type Fixture } from '../support/endpoint-catalogue.ts';

let harness: Harness;
let victim: Fixture;
let attacker: TestTenant;

before(async () => {
  harness = await createHarness();
  victim = await createFixture(harness, await harness.newTenant('victim'));
  attacker = await harness.newTenant('attacker');
});

describe('tenant isolation', () => {
  for (const endpoint of endpointCatalogue.filter((e) => e.namesObject)) {
    it(`${endpoint.operationId} with another tenant's ids is 404 and leaks nothing`, async () => {
      const response = await harness.call(endpoint.method, endpoint.path(victim), {
        token: attacker.adminToken,
        body: endpoint.body?.(victim),
      });
      assert.equal(response.status, 404, response.text);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      for (const id of [victim.accountId, victim.systemId, victim.userId, victim.groupId, victim.tenant.id]) {
        assert.ok(!response.text.includes(id), `404 body must not echo ${id}`);
      }
    });
  }

  it('lists, searches and exports show only the caller’s tenant', async () => {
    const token = attacker.adminToken;
    const lists = [
      '/v1/systems',
      '/v1/accounts',
      '/v1/users',
      '/v1/groups',
      '/v1/password-policies',
      '/v1/audit/events?limit=200',
    ];
    for (const path of lists) {
      const response = await harness.call('GET', path, { token });
      assert.equal(response.status, 200, `${path}: ${response.text}`);
      const text = response.text;
      for (const id of [
        victim.accountId,
        victim.systemId,
        victim.userId,
        victim.groupId,
        victim.policyId,
        victim.tenant.id,
      ]) {
        assert.ok(!text.includes(id), `${path} leaked ${id}`);
      }
    }
    const byVictimTarget = await harness.call('GET', `/v1/audit/events?targetId=${victim.accountId}`, {
      token,
    });
    assert.deepEqual(byVictimTarget.body.items, []);
    const exported = await harness.call('GET', '/v1/audit/export?format=jsonl', { token });
    assert.ok(!exported.text.includes(victim.tenant.id));
  });

  it('rejects a cursor minted for another tenant', async () => {
    const victimPage = await harness.call('GET', '/v1/accounts?limit=1', { token: victim.tenant.adminToken });
    assert.ok(victimPage.body.nextCursor, 'victim has more than one account');
    const replay = await harness.call(
      'GET',
      `/v1/accounts?limit=1&cursor=${encodeURIComponent(victimPage.body.nextCursor)}`,
      { token: attacker.adminToken },
    );
    assert.equal(replay.status, 400, replay.text);
    assert.equal(replay.body.errors[0].field, 'cursor');
  });

  it('refuses, as bad input, a cursor of another list of the same tenant', async () => {
    // Two accounts make the accounts list page; its cursor then goes to lists it does not belong to.
    const accounts = await harness.call('GET', '/v1/accounts?limit=1', { token: victim.tenant.adminToken });
    assert.ok(accounts.body.nextCursor, 'victim has more than one account');
    const foreign = encodeURIComponent(accounts.body.nextCursor);
    for (const path of [
      `/v1/access-requests?scope=mine&cursor=${foreign}`,
      `/v1/access-requests?scope=approvals&cursor=${foreign}`,
      `/v1/systems?cursor=${foreign}`,
      `/v1/users?cursor=${foreign}`,
    ]) {
      const response = await harness.call('GET', path, { token: victim.tenant.adminToken });
      assert.equal(response.status, 400, `${path}: ${response.text}`);
      assert.equal(response.body.errors[0].field, 'cursor', path);
    }
  });

  it('ignores a tenant named in the body or path: the token decides', async () => {
    const response = await harness.call('POST', '/v1/systems', {
      token: attacker.adminToken,
      body: { name: 'smuggled', hostname: 'h.example', platform: 'linux', tenantId: victim.tenant.id },
    });
    assert.equal(response.status, 400);
    assert.equal(response.body.errors[0].field, 'tenantId');
  });
});
