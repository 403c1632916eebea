import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createHarness, type Harness, uniqueSuffix } from '../support/api-harness.ts';
import { createFixture, endpointCatalogue, type Fixture } from '../support/endpoint-catalogue.ts';

let harness: Harness;
let fixture: Fixture;

before(async () => {
  harness = await createHarness();
  fixture = await createFixture(harness, await harness.newTenant('badinput'));
});

/** Every item of the tenant in both tables, as a stable string, to prove nothing was written. */
async function tenantSnapshot(tenantId: string): Promise<string> {
  const [main, audit] = await Promise.all([
    harness.scanTable(harness.config.mainTable),
    harness.scanTable(harness.config.auditTable),
  ]);
  const mine = [...main, ...audit]
    .filter((item) => String(item.pk).startsWith(`T#${tenantId}`) || String(item.pk) === `TENANT#${tenantId}`)
    .map((item) => JSON.stringify(item, Object.keys(item).sort()))
    .sort();
  return mine.join('\n');
}

describe('bad input: 400 problem+json naming the field, nothing written', () => {
  for (const endpoint of endpointCatalogue.filter((e) => e.invalid)) {
    it(endpoint.operationId, async () => {
      const invalid = endpoint.invalid!;
      const token = endpoint.permission?.startsWith('tenant:')
        ? await harness.operatorToken()
        : fixture.tenant.adminToken;
      const before = await tenantSnapshot(fixture.tenant.id);
      let path = invalid.path ? invalid.path(fixture) : endpoint.path(fixture);
      if (invalid.query) path += `${path.includes('?') ? '&' : '?'}${invalid.query}`;
      const body = invalid.body ? invalid.body(fixture) : endpoint.body?.(fixture);
      const response = await harness.call(endpoint.method, path, { token, body });
      assert.equal(response.status, 400, response.text);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      assert.equal(response.body.status, 400);
      assert.ok(
        response.body.errors.some((e: { field: string }) => e.field === invalid.field),
        `expected field ${invalid.field} in ${response.text}`,
      );
      assert.equal(await tenantSnapshot(fixture.tenant.id), before);
    });
  }

  it('rejects unknown fields, wrong types, malformed JSON and oversized bodies', async () => {
    const token = fixture.tenant.adminToken;
    const before = await tenantSnapshot(fixture.tenant.id);
    const unknown = await harness.call('POST', '/v1/systems', {
      token,
      body: { name: 'x', hostname: 'h.example', platform: 'linux', owner: 'me' },
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.errors[0].field, 'owner');
    const wrongType = await harness.call('POST', '/v1/accounts', {
      token,
      body: { systemId: fixture.systemId, username: 'x', kind: 'local', apiEnabled: 'yes' },
    });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body.errors[0].field, 'apiEnabled');
    const malformed = await harness.call('POST', '/v1/systems', {
      token,
      rawBody: '{"name": "x",',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.headers.get('content-type'), 'application/problem+json');
    const huge = await harness.call('POST', '/v1/systems', {
      token,
      body: { name: 'x', hostname: 'h.example', platform: 'linux', description: 'x'.repeat(100_000) },
    });
    assert.equal(huge.status, 413);
    assert.equal(huge.headers.get('content-type'), 'application/problem+json');
    const missingHost = await harness.call('POST', '/v1/systems', {
      token,
      body: { name: `n-${uniqueSuffix()}`, platform: 'linux' },
    });
    assert.equal(missingHost.status, 400);
    assert.equal(missingHost.body.errors[0].field, 'hostname');
    const unknownSystem = await harness.call('POST', '/v1/accounts', {
      token,
      body: { systemId: 'sys_01JDQ4V6S5Y7R1B8K3M2N9P0QW', username: 'x', kind: 'local' },
    });
    assert.equal(unknownSystem.status, 400);
    assert.equal(unknownSystem.body.errors[0].field, 'systemId');
    assert.equal(await tenantSnapshot(fixture.tenant.id), before);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const response = await harness.call('GET', '/v1/nothing-here', { token: fixture.tenant.adminToken });
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
  });
});
