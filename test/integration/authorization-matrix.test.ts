import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  type Permission,
  permissionsOfRole,
  type Role,
  type TenantRole,
} from '@strongroom/shared/identity/roles';
import { createHarness, type Harness } from '../support/api-harness.ts';
import {
  createFixture,
  endpointCatalogue,
  type Fixture,
  unauthenticatedOperations,
} from '../support/endpoint-catalogue.ts';

let harness: Harness;
let fixture: Fixture;
const principals: { name: string; roles: readonly Role[]; token: string }[] = [];

before(async () => {
  harness = await createHarness();
  const tenant = await harness.newTenant('matrix');
  fixture = await createFixture(harness, tenant);
  const tenantRoleSets: TenantRole[][] = [
    ['tenant-admin'],
    ['password-admin'],
    ['auditor'],
    ['requester'],
    ['integration'],
    [],
  ];
  for (const roles of tenantRoleSets) {
    const user = await tenant.userWithRoles(roles);
    // Every tenant principal may request (and approve) through the access group, which grants no role.
    const joined = await harness.call('PUT', `/v1/groups/${fixture.accessGroupId}/members/${user.id}`, {
      token: tenant.adminToken,
    });
    assert.equal(joined.status < 300, true, joined.text);
    principals.push({ name: roles.join('+') || 'no roles', roles, token: user.token });
  }
  principals.push({
    name: 'provider operator',
    roles: ['provider-operator'],
    token: await harness.operatorToken(),
  });
});

describe('authorization matrix: every role × every endpoint', () => {
  it('covers every authenticated operation of the OpenAPI document', async () => {
    const document = await harness.call('GET', '/v1/openapi.json');
    const operations = Object.values(
      document.body.paths as Record<string, Record<string, { operationId: string }>>,
    )
      .flatMap((methods) => Object.values(methods).map((operation) => operation.operationId))
      .filter((id) => !(unauthenticatedOperations as readonly string[]).includes(id))
      .sort();
    assert.deepEqual(operations, endpointCatalogue.map((e) => e.operationId).sort());
  });

  for (const endpoint of endpointCatalogue) {
    it(`${endpoint.operationId}`, async () => {
      const outcomes: string[] = [];
      for (const principal of principals) {
        const has = (permission: Permission) =>
          principal.roles.some((role) => permissionsOfRole[role].includes(permission));
        const allowed = endpoint.allowedWhen
          ? endpoint.allowedWhen(has)
          : endpoint.permission === null || has(endpoint.permission);
        const outsideTenant = endpoint.tenantObject === true && principal.roles.includes('provider-operator');
        const target = endpoint.prepare ? await endpoint.prepare(harness, fixture, principal) : fixture;
        const response = await harness.call(endpoint.method, endpoint.path(target), {
          token: principal.token,
          body: endpoint.body?.(target),
        });
        const expected = outsideTenant ? '404' : allowed ? '2xx' : '403';
        const ok = outsideTenant
          ? response.status === 404
          : allowed
            ? response.status >= 200 && response.status < 300
            : response.status === 403;
        if (!ok)
          outcomes.push(
            `${principal.name}: expected ${expected}, got ${response.status} ${response.text.slice(0, 200)}`,
          );
        if (response.status === 403) {
          assert.equal(response.headers.get('content-type'), 'application/problem+json');
        }
      }
      assert.deepEqual(outcomes, []);
    });
  }

  it('rejects missing, malformed and forged tokens with 401', async () => {
    const forged = `${principals[0]!.token.slice(0, -4)}AAAA`;
    for (const token of [undefined, 'not-a-jwt-token-at-all-really', forged]) {
      const response = await harness.call('GET', '/v1/accounts', { token });
      assert.equal(response.status, 401, `token ${token?.slice(0, 10)}`);
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="strongroom"');
    }
  });
  it('records every refusal in the tenant’s audit trail as a denied event', async () => {
    const requester = principals.find((p) => p.name === 'requester')!;
    const refused = await harness.call('POST', `/v1/accounts/${fixture.accountId}/credential/retrieve`, {
      token: requester.token,
      body: { reason: 'just curious' },
    });
    assert.equal(refused.status, 403);
    assert.ok(!('permission' in refused.body), 'the problem does not reveal the missing permission');
    const denials = await harness.call('GET', '/v1/audit/events?action=authorization.denied&limit=200', {
      token: fixture.tenant.adminToken,
    });
    const denial = denials.body.items.find(
      (e: { details: { permission: string }; target: { id: string } }) =>
        e.details.permission === 'credential:retrieve' && e.target.id.startsWith('POST /v1/accounts/'),
    );
    assert.ok(denial, denials.text.slice(0, 500));
    assert.equal(denial.outcome, 'denied');
    assert.equal(denial.actor.type, 'user');
  });
});
