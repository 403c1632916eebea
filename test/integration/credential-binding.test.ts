import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createHarness, type Harness, type TestTenant } from '../support/api-harness.ts';

let harness: Harness;
let tenant: TestTenant;
let other: TestTenant;

before(async () => {
  harness = await createHarness();
  tenant = await harness.newTenant('binding');
  other = await harness.newTenant('binding-other');
});

const credentialKey = (tenantId: string, accountId: string, version: number) => ({
  pk: `T#${tenantId}`,
  sk: `CRED#${accountId}#${String(version).padStart(8, '0')}`,
});

async function accountWithSecret(owner: TestTenant, username: string, password: string) {
  const token = owner.adminToken;
  const system = await harness.call('POST', '/v1/systems', {
    token,
    body: { name: `bind-${username}`, hostname: 'bind.example', platform: 'linux' },
  });
  const account = await harness.call('POST', '/v1/accounts', {
    token,
    body: { systemId: system.body.id, username, kind: 'local' },
  });
  const set = await harness.call('POST', `/v1/accounts/${account.body.id}/credential`, {
    token,
    body: { password },
  });
  assert.equal(set.status, 201, set.text);
  return account.body.id as string;
}

async function ciphertextOf(tenantId: string, accountId: string, version: number): Promise<string> {
  const { Item } = await harness.clients.dynamo.send(
    new GetCommand({ TableName: harness.config.mainTable, Key: credentialKey(tenantId, accountId, version) }),
  );
  return Item!.ciphertext as string;
}

async function overwriteCiphertext(tenantId: string, accountId: string, version: number, ciphertext: string) {
  await harness.clients.dynamo.send(
    new UpdateCommand({
      TableName: harness.config.mainTable,
      Key: credentialKey(tenantId, accountId, version),
      UpdateExpression: 'SET ciphertext = :c',
      ExpressionAttributeValues: { ':c': ciphertext },
    }),
  );
}

describe('envelope encryption binds each ciphertext to tenant, account and version', () => {
  it('a ciphertext copied onto another account of the same tenant does not decrypt', async () => {
    const source = await accountWithSecret(tenant, 'alice', 'alice-Secret-0001');
    const target = await accountWithSecret(tenant, 'bob', 'bob-Secret-0002');
    await overwriteCiphertext(tenant.id, target, 1, await ciphertextOf(tenant.id, source, 1));
    const response = await harness.call('POST', `/v1/accounts/${target}/credential/retrieve`, {
      token: tenant.adminToken,
      body: { reason: 'binding test' },
    });
    assert.equal(response.status, 500);
    assert.ok(!response.text.includes('alice-Secret-0001'));
    assert.ok(!response.text.includes('bob-Secret-0002'));
    const original = await harness.call('POST', `/v1/accounts/${source}/credential/retrieve`, {
      token: tenant.adminToken,
      body: { reason: 'binding test' },
    });
    assert.equal(original.body.password, 'alice-Secret-0001');
  });

  it('a ciphertext moved to another version of the same account does not decrypt', async () => {
    const account = await accountWithSecret(tenant, 'carol', 'carol-Secret-0001');
    await harness.call('POST', `/v1/accounts/${account}/credential`, {
      token: tenant.adminToken,
      body: { password: 'carol-Secret-0002' },
    });
    await overwriteCiphertext(tenant.id, account, 2, await ciphertextOf(tenant.id, account, 1));
    const response = await harness.call('POST', `/v1/accounts/${account}/credential/retrieve`, {
      token: tenant.adminToken,
      body: { reason: 'rollback attempt' },
    });
    assert.equal(response.status, 500);
    assert.ok(!response.text.includes('carol-Secret-0001'));
  });

  it('a ciphertext copied into another tenant does not decrypt (different KMS key)', async () => {
    const source = await accountWithSecret(tenant, 'dave', 'dave-Secret-0001');
    const target = await accountWithSecret(other, 'dave', 'dave-Other-0002');
    await overwriteCiphertext(other.id, target, 1, await ciphertextOf(tenant.id, source, 1));
    const response = await harness.call('POST', `/v1/accounts/${target}/credential/retrieve`, {
      token: other.adminToken,
      body: { reason: 'cross-tenant replay' },
    });
    assert.equal(response.status, 500);
    assert.ok(!response.text.includes('dave-Secret-0001'));
  });

  it('an undecryptable credential is not released and not logged', async () => {
    for (const line of harness.logLines) {
      for (const secret of [
        'alice-Secret-0001',
        'bob-Secret-0002',
        'carol-Secret-0001',
        'dave-Secret-0001',
      ]) {
        assert.ok(!line.includes(secret), `log line leaks ${secret}`);
      }
    }
  });
});
