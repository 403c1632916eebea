import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHarness, type Harness, type TestTenant } from '../support/api-harness.ts';
import { eventually, startRotationWorkers } from '../support/rotation-setup.ts';
import { ldapBind, mariadbLogin } from '../targets/clients.ts';
import {
  type ActiveDirectoryTestTarget,
  type MariadbTestTarget,
  startActiveDirectoryTarget,
  startMariadbTarget,
} from '../targets/start.ts';

/**
 * Rotation end to end through the queue and the worker for the other two kinds of targets: a real
 * MariaDB (as the user itself) and a real Samba Active Directory domain controller over LDAPS
 * (through a least-privilege helpdesk account), each checked with another client afterwards.
 */

let harness: Harness;
let tenant: TestTenant;
let mariadb: MariadbTestTarget;
let directory: ActiveDirectoryTestTarget;
let workers: ReturnType<typeof startRotationWorkers>;
const tenants = new Set<string>();

before(async () => {
  [mariadb, directory, harness] = await Promise.all([
    startMariadbTarget(),
    startActiveDirectoryTarget(),
    createHarness(),
  ]);
  tenant = await harness.newTenant('rotate-dir-db');
  tenants.add(tenant.id);
  workers = startRotationWorkers(harness, () => tenants);
});

after(async () => {
  await workers?.stop();
  await Promise.all([mariadb?.stop(), directory?.stop()]);
});

const ok = async (method: string, path: string, body?: unknown) => {
  const response = await harness.call(method, path, { token: tenant.adminToken, body });
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${response.text}`);
  return response.body;
};

const rotateAndWait = async (accountId: string) => {
  const started = await ok('POST', '/v1/rotations', { accountId, reason: 'end-to-end test' });
  return eventually(
    async () => {
      const rotation = await ok('GET', `/v1/rotations/${started.id}`);
      return rotation.status === 'running' ? undefined : rotation;
    },
    90_000,
    'rotation',
  );
};

const stored = async (accountId: string) =>
  (await ok('POST', `/v1/accounts/${accountId}/credential/retrieve`, { reason: 'verify the rotation' }))
    .password as string;

describe('rotation of database and directory accounts through the queue', () => {
  it('MariaDB user: the mariadb client logs in with the new password, not the old one', async () => {
    const user = await mariadb.createUser();
    const system = await ok('POST', '/v1/systems', {
      name: `mariadb-${Date.now()}`,
      ipAddress: '127.0.0.1',
      platform: 'mariadb',
      connection: { port: mariadb.endpoint.port },
    });
    const account = await ok('POST', '/v1/accounts', {
      systemId: system.id,
      username: user.username,
      kind: 'database',
      rotation: { databaseHost: user.host },
    });
    await ok('POST', `/v1/accounts/${account.id}/credential`, { password: user.password });
    const rotation = await rotateAndWait(account.id);
    assert.equal(rotation.status, 'succeeded', JSON.stringify(rotation.lastError));
    const password = await stored(account.id);
    assert.equal(await mariadbLogin(mariadb.endpoint, user.username, password), true);
    assert.equal(await mariadbLogin(mariadb.endpoint, user.username, user.password), false);
  });

  it('Active Directory user through the helpdesk account over LDAPS: an LDAP bind with the new password', async () => {
    const user = await directory.createUser();
    const system = await ok('POST', '/v1/systems', {
      name: `dc-${Date.now()}`,
      ipAddress: directory.endpoint.host,
      platform: 'active-directory',
      connection: { port: directory.endpoint.port, tls: directory.endpoint.tls },
    });
    const helpdesk = await ok('POST', '/v1/accounts', {
      systemId: system.id,
      username: directory.helpdesk.userPrincipalName,
      kind: 'domain',
    });
    await ok('POST', `/v1/accounts/${helpdesk.id}/credential`, { password: directory.helpdesk.password });
    const account = await ok('POST', '/v1/accounts', {
      systemId: system.id,
      username: user.userPrincipalName,
      kind: 'domain',
      rotation: { functionalAccountId: helpdesk.id, distinguishedName: user.distinguishedName },
    });
    await ok('POST', `/v1/accounts/${account.id}/credential`, { password: user.password });
    const rotation = await rotateAndWait(account.id);
    assert.equal(rotation.status, 'succeeded', JSON.stringify(rotation.lastError));
    const password = await stored(account.id);
    assert.equal(await ldapBind(directory, user.userPrincipalName, password), true);
    assert.equal(await ldapBind(directory, user.userPrincipalName, user.password), false);
  });
});
