import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnauthenticatedError } from '@strongroom/shared/kernel/errors';
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
