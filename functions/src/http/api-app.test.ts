import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UpdateGroupInput } from '@strongroom/shared/identity/identity.schemas';
import type { IdentityService } from '@strongroom/shared/identity/identity.service';
import type { Principal } from '@strongroom/shared/identity/principal';
import { NotFoundError, UnauthenticatedError } from '@strongroom/shared/kernel/errors';
import type { RequestContext } from '@strongroom/shared/kernel/request-context';
import { silentLogger } from '../observability/logger.ts';
import { createApiApp } from './api-app.ts';

const app = createApiApp({
  services: {},
  verifyAccessToken: async () => {
    throw new UnauthenticatedError('invalid-token', 'The access token is missing, expired or invalid.');
  },
  logger: silentLogger,
  sourceIpOf: () => '127.0.0.1',
});

const requiredOperations = [
  'login',
  'refreshToken',
  'createTenant',
  'createUser',
  'createGroup',
  'getGroup',
  'updateGroup',
  'createSystem',
  'listSystems',
  'createAccount',
  'listAccounts',
  'getAccount',
  'setCredential',
  'retrieveCredential',
  'listCredentialVersions',
  'createPasswordPolicy',
  'generatePassword',
  'listAuditEvents',
  'exportAuditEvents',
  'verifyAuditChain',
];

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every required operation with request and response schemas', async () => {
    const response = await app.request('/v1/openapi.json');
    assert.equal(response.status, 200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string;
            requestBody?: unknown;
            parameters?: unknown[];
            responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
          }
        >
      >;
    };
    assert.equal(document.openapi, '3.1.0');
    const operations = new Map(
      Object.values(document.paths).flatMap((methods) =>
        Object.values(methods).map((op) => [op.operationId, op] as const),
      ),
    );
    for (const operationId of requiredOperations) {
      const operation = operations.get(operationId);
      assert.ok(operation, `missing ${operationId}`);
      const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'));
      assert.ok(success, `${operationId} has a success response`);
      if (success[0] !== '204') assert.ok(success[1].content, `${operationId} documents its response body`);
      assert.ok(
        operation.responses['400']?.content?.['application/problem+json'],
        `${operationId} documents its problem responses`,
      );
    }
    for (const operationId of [
      'login',
      'createSystem',
      'setCredential',
      'retrieveCredential',
      'createPasswordPolicy',
    ]) {
      assert.ok(operations.get(operationId)?.requestBody, `${operationId} documents its request body`);
    }
    assert.ok(operations.get('listAccounts')?.parameters?.length, 'listAccounts documents its filters');
    assert.equal(new Set([...operations.keys()]).size, operations.size, 'operationIds are unique');
  });

  it('serves an interactive reference page', async () => {
    const response = await app.request('/v1/reference');
    assert.equal(response.status, 200);
    assert.match(await response.text(), /\/v1\/openapi\.json/);
  });
});

describe('errors are RFC 9457 problem details', () => {
  it('names unknown fields and invalid values, for body, query and path', async () => {
    const unknown = await app.request('/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 't', email: 'e', password: 'p', role: 'admin' }),
    });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get('content-type'), 'application/problem+json');
    const problem = (await unknown.json()) as { errors: { in: string; field: string; pointer: string }[] };
    assert.deepEqual(problem.errors[0], {
      in: 'body',
      field: 'role',
      pointer: '/role',
      message: 'is not a known field (role)',
    });
  });

  it('answers 401 with a problem and a challenge when no token is given', async () => {
    const response = await app.request('/v1/accounts');
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="strongroom"');
    const problem = (await response.json()) as { type: string; status: number };
    assert.equal(problem.type, 'urn:strongroom:problem:missing-token');
  });

  it('hides internal details of 5xx errors', async () => {
    const broken = createApiApp({
      services: {},
      verifyAccessToken: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.1:443 secret-internal-hostname');
      },
      logger: silentLogger,
      sourceIpOf: () => '127.0.0.1',
    });
    const response = await broken.request('/v1/accounts', {
      headers: { authorization: `Bearer ${'x'.repeat(40)}` },
    });
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.ok(!text.includes('ECONNREFUSED'));
    assert.ok(!text.includes('secret-internal-hostname'));
  });

  it('sets security headers on every response', async () => {
    const response = await app.request('/v1/openapi.json');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(response.headers.get('x-request-id'));
  });
});

describe('PATCH /v1/groups/{groupId}', () => {
  const principal: Principal = {
    kind: 'user',
    tenantId: 'ten_token',
    subject: 'usr_admin',
    name: 'admin@example.test',
    roles: ['tenant-admin'],
    sessionId: 'ses_1',
  };
  const groupId = 'grp_01JDQ4V6S5Y7R1B8K3M2N9P0QW';
  const calls: { tenantId: string; groupId: string; input: UpdateGroupInput }[] = [];
  const identity = {
    async updateGroup(context: RequestContext, id: string, input: UpdateGroupInput) {
      calls.push({ tenantId: context.principal.tenantId, groupId: id, input });
      return {
        id,
        name: input.name ?? 'Old',
        description: input.description ?? '',
        roles: [],
        createdAt: '',
      };
    },
  } as unknown as IdentityService;
  const routed = createApiApp({
    services: { identity },
    verifyAccessToken: async () => principal,
    logger: silentLogger,
    sourceIpOf: () => '127.0.0.1',
  });
  const patch = (path: string, body: unknown) =>
    routed.request(path, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${'x'.repeat(40)}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('passes the group, the parsed body and the token’s tenant (never the body’s) to the service', async () => {
    calls.length = 0;
    const response = await patch(`/v1/groups/${groupId}`, { name: '  Renamed  ', description: 'New' });
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(calls, [
      { tenantId: 'ten_token', groupId, input: { name: 'Renamed', description: 'New' } },
    ]);
    assert.equal(((await response.json()) as { name: string }).name, 'Renamed');
  });

  it('refuses bad input with a problem naming the field, before the service runs', async () => {
    calls.length = 0;
    for (const [path, body, field] of [
      [`/v1/groups/${groupId}`, {}, 'name'],
      [`/v1/groups/${groupId}`, { name: '' }, 'name'],
      [`/v1/groups/${groupId}`, { description: 'x'.repeat(501) }, 'description'],
      [`/v1/groups/${groupId}`, { name: 'Renamed', tenantId: 'ten_other' }, 'tenantId'],
      [`/v1/groups/${groupId}`, { name: 'Renamed', roles: ['auditor'] }, 'roles'],
      ['/v1/groups/grp_nope', { name: 'Renamed' }, 'groupId'],
    ] as const) {
      const response = await patch(path, body);
      assert.equal(response.status, 400, `${JSON.stringify(body)}`);
      assert.equal(response.headers.get('content-type'), 'application/problem+json');
      const problem = (await response.json()) as { errors: { field: string }[] };
      assert.ok(
        problem.errors.some((e) => e.field === field),
        `${field} in ${JSON.stringify(problem)}`,
      );
    }
    assert.deepEqual(calls, []);
  });
});

describe('GET /v1/groups/{groupId}', () => {
  const principal: Principal = {
    kind: 'user',
    tenantId: 'ten_token',
    subject: 'usr_auditor',
    name: 'auditor@example.test',
    roles: ['auditor'],
    sessionId: 'ses_1',
  };
  const groupId = 'grp_01JDQ4V6S5Y7R1B8K3M2N9P0QW';
  const calls: { tenantId: string; groupId: string }[] = [];
  const identity = {
    async getGroup(context: RequestContext, id: string) {
      calls.push({ tenantId: context.principal.tenantId, groupId: id });
      if (id !== groupId) throw new NotFoundError('group');
      return {
        id,
        name: 'Ops',
        description: 'On call',
        roles: ['auditor'],
        createdAt: '2026-01-01T00:00:00Z',
      };
    },
  } as unknown as IdentityService;
  const routed = createApiApp({
    services: { identity },
    verifyAccessToken: async () => principal,
    logger: silentLogger,
    sourceIpOf: () => '127.0.0.1',
  });
  const get = (path: string) =>
    routed.request(path, { headers: { authorization: `Bearer ${'x'.repeat(40)}` } });

  it('answers the group the service reads with the token’s tenant', async () => {
    calls.length = 0;
    const response = await get(`/v1/groups/${groupId}`);
    assert.equal(response.status, 200, await response.clone().text());
    assert.deepEqual(calls, [{ tenantId: 'ten_token', groupId }]);
    assert.deepEqual(await response.json(), {
      id: groupId,
      name: 'Ops',
      description: 'On call',
      roles: ['auditor'],
      createdAt: '2026-01-01T00:00:00Z',
    });
  });

  it('answers 404 problem+json for a group the service does not find', async () => {
    const response = await get('/v1/groups/grp_01JDQ4V6S5Y7R1B8K3M2N9P0QX');
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
  });

  it('refuses a malformed id with 400 naming groupId, before the service runs', async () => {
    calls.length = 0;
    const response = await get('/v1/groups/grp_nope');
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/problem+json');
    const problem = (await response.json()) as { errors: { field: string }[] };
    assert.deepEqual(
      problem.errors.map((e) => e.field),
      ['groupId'],
    );
    assert.deepEqual(calls, []);
  });
});
