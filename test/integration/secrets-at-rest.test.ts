import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createHarness, type Harness, type TestTenant, uniqueSuffix } from '../support/api-harness.ts';

/**
 * Drives every path that handles a secret (set, generate, import an SSH key, retrieve, sign in
 * with a user password), then scans every item of both DynamoDB tables and every log line for
 * each plaintext, raw and base64-encoded.
 */
let harness: Harness;
let tenant: TestTenant;
const plaintexts: string[] = [];

before(async () => {
  harness = await createHarness();
  tenant = await harness.newTenant('atrest');
  const token = tenant.adminToken;
  plaintexts.push(tenant.adminPassword);
  const system = await harness.call('POST', '/v1/systems', {
    token,
    body: { name: 'at-rest', hostname: 'rest.example', platform: 'linux' },
  });
  const account = await harness.call('POST', '/v1/accounts', {
    token,
    body: { systemId: system.body.id, username: 'oracle', kind: 'local' },
  });
  const typed = `Typed-${uniqueSuffix()}-Secret`;
  plaintexts.push(typed);
  await harness.call('POST', `/v1/accounts/${account.body.id}/credential`, {
    token,
    body: { password: typed },
  });
  await harness.call('POST', `/v1/accounts/${account.body.id}/credential`, {
    token,
    body: { generate: true },
  });
  const generated = await harness.call('POST', `/v1/accounts/${account.body.id}/credential/retrieve`, {
    token,
    body: { reason: 'at-rest scan' },
  });
  plaintexts.push(generated.body.password);

  const keyAccount = await harness.call('POST', '/v1/accounts', {
    token,
    body: { systemId: system.body.id, username: 'ansible', kind: 'ssh-key' },
  });
  await harness.call('POST', `/v1/accounts/${keyAccount.body.id}/credential`, {
    token,
    body: { generate: true },
  });
  const key = await harness.call('POST', `/v1/accounts/${keyAccount.body.id}/credential/retrieve`, {
    token,
    body: { reason: 'at-rest scan' },
  });
  const keyBody = (key.body.privateKey as string).split('\n').slice(1, -2).join('');
  plaintexts.push(keyBody.slice(20, 80));

  const user = await tenant.userWithRoles(['requester']);
  assert.ok(user.token);
  const refreshed = await harness.call('POST', '/v1/auth/login', {
    body: { tenant: tenant.slug, email: tenant.adminEmail, password: tenant.adminPassword },
  });
  plaintexts.push(refreshed.body.refreshToken);
  const wrong = `Wrong-${uniqueSuffix()}-password`;
  plaintexts.push(wrong);
  await harness.call('POST', '/v1/auth/login', {
    body: { tenant: tenant.slug, email: tenant.adminEmail, password: wrong },
  });
});

describe('no plaintext secret at rest or in logs', () => {
  it('holds the secrets it is looking for', () => {
    assert.equal(plaintexts.length, 6);
    for (const p of plaintexts) assert.ok(p.length >= 12);
  });

  it('finds none in any DynamoDB item of either table', async () => {
    const items = [
      ...(await harness.scanTable(harness.config.mainTable)),
      ...(await harness.scanTable(harness.config.auditTable)),
    ];
    assert.ok(items.length > 20);
    const haystack = items.map((item) => JSON.stringify(item)).join('\n');
    for (const secret of plaintexts) {
      assert.ok(!haystack.includes(secret), 'a plaintext secret is stored');
      assert.ok(!haystack.includes(Buffer.from(secret).toString('base64')), 'a base64 secret is stored');
    }
    const credentialItems = items.filter((item) => String(item.sk).startsWith('CRED#'));
    assert.ok(credentialItems.length >= 3);
    for (const item of credentialItems) {
      // AWS Encryption SDK message format version 2 (committing suites) starts with 0x02.
      assert.equal(Buffer.from(String(item.ciphertext), 'base64')[0], 0x02);
    }
  });

  it('finds none in any log line', () => {
    assert.ok(harness.logLines.length > 10);
    const log = harness.logLines.join('\n');
    for (const secret of plaintexts) assert.ok(!log.includes(secret), 'a plaintext secret is logged');
  });
});
