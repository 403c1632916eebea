import { createRoute, z } from '@hono/zod-openapi';
import { passwordRulesSchema } from '@strongroom/shared/vault/password-generator';
import {
  accountKinds,
  createAccountBodySchema,
  createAccountGroupBodySchema,
  createPasswordPolicyBodySchema,
  createSystemBodySchema,
  generatePasswordBodySchema,
  listAccountsQuerySchema,
  listSystemsQuerySchema,
  platforms,
  retrieveCredentialBodySchema,
  rotationSettingsSchema,
  setCredentialBodySchema,
  systemConnectionSchema,
  updateAccountBodySchema,
  updateSystemBodySchema,
} from '@strongroom/shared/vault/vault.schemas';
import type { ApiApp } from '../api-app.ts';
import {
  commonErrors,
  conflictError,
  idParam,
  jsonBody,
  jsonResponse,
  named,
  pageOf,
  pageQuerySchema,
} from '../schemas.ts';
import { type ApiServices, need } from '../services.ts';

const systemSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    hostname: z.string().nullable(),
    ipAddress: z.string().nullable(),
    additionalAddresses: z.array(z.string()).readonly(),
    websiteUrl: z.string().nullable(),
    applications: z.array(z.string()).readonly(),
    platform: z.enum(platforms),
    workgroup: z.string(),
    tags: z.array(z.string()).readonly(),
    description: z.string(),
    passwordPolicyId: z.string().nullable(),
    connection: named(systemConnectionSchema, 'SystemConnection'),
    accountCount: z.int(),
    createdAt: z.string(),
  })
  .openapi('System');

const accountSchema = z
  .object({
    id: z.string(),
    systemId: z.string(),
    systemName: z.string(),
    platform: z.enum(platforms),
    workgroup: z.string(),
    tags: z.array(z.string()).readonly(),
    username: z.string(),
    kind: z.enum(accountKinds),
    description: z.string(),
    apiEnabled: z.boolean(),
    passwordPolicyId: z.string().nullable(),
    rotation: named(rotationSettingsSchema, 'RotationSettings'),
    rotationState: z.object({
      status: z.enum(['never', 'ok', 'rotating', 'failing']),
      lastRotatedAt: z.string().nullable(),
      nextDueAt: z.string().nullable(),
      activeRotationId: z.string().nullable(),
      lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
    }),
    accountGroupIds: z.array(z.string()).readonly(),
    credential: z.object({ currentVersion: z.int().nullable(), updatedAt: z.string().nullable() }),
    createdAt: z.string(),
  })
  .openapi('Account');

const accountGroupSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    memberCount: z.int(),
    createdAt: z.string(),
  })
  .openapi('AccountGroup');

const credentialVersionSchema = z
  .object({
    version: z.int(),
    status: z.enum(['current', 'previous', 'pending', 'retired']),
    type: z.enum(['password', 'ssh-key']),
    source: z.enum(['set', 'generated']),
    publicKey: z.string().nullable(),
    fingerprint: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('CredentialVersion');

const releasedCredentialSchema = z
  .object({
    accountId: z.string(),
    username: z.string(),
    version: z.int(),
    type: z.enum(['password', 'ssh-key']),
    password: z.string().optional(),
    privateKey: z.string().optional(),
    publicKey: z.string().optional(),
    retrievedAt: z.string(),
  })
  .openapi('ReleasedCredential');

const passwordPolicySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    isDefault: z.boolean(),
    rules: passwordRulesSchema,
    createdAt: z.string(),
  })
  .openapi('PasswordPolicy');

const generatedPasswordSchema = z
  .object({ password: z.string(), length: z.int() })
  .openapi('GeneratedPassword');

const accountParam = idParam('accountId', 'acc');
const accountGroupParam = idParam('accountGroupId', 'agr');
const memberParams = accountGroupParam.extend(accountParam.shape);

export function registerVaultRoutes(app: ApiApp, services: ApiServices): void {
  const vault = () => need(services.vault, 'vault');

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/systems',
      operationId: 'createSystem',
      tags: ['Systems and accounts'],
      summary: 'Onboard a managed system',
      request: { body: jsonBody(named(createSystemBodySchema, 'CreateSystemRequest')) },
      responses: { 201: jsonResponse(systemSchema, 'Created.'), ...commonErrors, ...conflictError },
    }),
    async (c) => c.json(await vault().createSystem(c.get('context'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/systems',
      operationId: 'listSystems',
      tags: ['Systems and accounts'],
      summary: 'List managed systems, filtered by platform, workgroup, tag or address',
      description:
        '`address` finds the systems reachable at a hostname (an FQDN exactly, a single label as the first label of hostnames) or an IP (any spelling); it answers one page without a cursor.',
      request: { query: listSystemsQuerySchema },
      responses: {
        200: jsonResponse(pageOf(systemSchema, 'SystemPage'), 'A page of systems.'),
        ...commonErrors,
      },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      return c.json(await vault().listSystems(c.get('context'), filter, { limit, cursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/systems/{systemId}',
      operationId: 'getSystem',
      tags: ['Systems and accounts'],
      summary: 'Get a managed system',
      request: { params: idParam('systemId', 'sys') },
      responses: { 200: jsonResponse(systemSchema, 'The system.'), ...commonErrors },
    }),
    async (c) => c.json(await vault().getSystem(c.get('context'), c.req.valid('param').systemId), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/systems/{systemId}',
      operationId: 'updateSystem',
      tags: ['Systems and accounts'],
      summary: 'Change a system’s addresses, website URL, applications, description or password policy',
      description:
        'Name, platform, workgroup and tags are fixed once accounts are onboarded (accounts carry copies for filtering).',
      request: {
        params: idParam('systemId', 'sys'),
        body: jsonBody(named(updateSystemBodySchema, 'UpdateSystemRequest')),
      },
      responses: { 200: jsonResponse(systemSchema, 'The updated system.'), ...commonErrors },
    }),
    async (c) =>
      c.json(
        await vault().updateSystem(c.get('context'), c.req.valid('param').systemId, c.req.valid('json')),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/systems/{systemId}',
      operationId: 'deleteSystem',
      tags: ['Systems and accounts'],
      summary: 'Delete a system that has no accounts left',
      request: { params: idParam('systemId', 'sys') },
      responses: { 204: { description: 'Deleted.' }, ...commonErrors, ...conflictError },
    }),
    async (c) => {
      await vault().deleteSystem(c.get('context'), c.req.valid('param').systemId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/accounts',
      operationId: 'createAccount',
      tags: ['Systems and accounts'],
      summary: 'Onboard a managed account on a system',
      request: { body: jsonBody(named(createAccountBodySchema, 'CreateAccountRequest')) },
      responses: { 201: jsonResponse(accountSchema, 'Created.'), ...commonErrors, ...conflictError },
    }),
    async (c) => c.json(await vault().createAccount(c.get('context'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/accounts',
      operationId: 'listAccounts',
      tags: ['Systems and accounts'],
      summary:
        'List managed accounts, filtered by system, account group, platform, workgroup, kind, tag or username prefix',
      description:
        'With `accountGroupId`, accounts come in account id order and the other filters apply to each page of members read, so a page may hold fewer than `limit` accounts and still have a `nextCursor`.',
      request: { query: listAccountsQuerySchema },
      responses: {
        200: jsonResponse(pageOf(accountSchema, 'AccountPage'), 'A page of accounts.'),
        ...commonErrors,
      },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      return c.json(await vault().listAccounts(c.get('context'), filter, { limit, cursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/accounts/{accountId}',
      operationId: 'getAccount',
      tags: ['Systems and accounts'],
      summary: 'Get a managed account (never its secret)',
      request: { params: accountParam },
      responses: { 200: jsonResponse(accountSchema, 'The account.'), ...commonErrors },
    }),
    async (c) => c.json(await vault().getAccount(c.get('context'), c.req.valid('param').accountId), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/accounts/{accountId}',
      operationId: 'updateAccount',
      tags: ['Systems and accounts'],
      summary: 'Change an account’s description, API access, password policy or rotation settings',
      request: {
        params: accountParam,
        body: jsonBody(named(updateAccountBodySchema, 'UpdateAccountRequest')),
      },
      responses: { 200: jsonResponse(accountSchema, 'The updated account.'), ...commonErrors },
    }),
    async (c) =>
      c.json(
        await vault().updateAccount(c.get('context'), c.req.valid('param').accountId, c.req.valid('json')),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/accounts/{accountId}',
      operationId: 'deleteAccount',
      tags: ['Systems and accounts'],
      summary: 'Offboard an account and destroy its stored credential versions',
      request: { params: accountParam },
      responses: { 204: { description: 'Deleted.' }, ...commonErrors, ...conflictError },
    }),
    async (c) => {
      await vault().deleteAccount(c.get('context'), c.req.valid('param').accountId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/account-groups',
      operationId: 'createAccountGroup',
      tags: ['Account groups'],
      summary: 'Create an account group (a static, named set of accounts access policies can select)',
      request: { body: jsonBody(named(createAccountGroupBodySchema, 'CreateAccountGroupRequest')) },
      responses: { 201: jsonResponse(accountGroupSchema, 'Created.'), ...commonErrors, ...conflictError },
    }),
    async (c) => c.json(await vault().createAccountGroup(c.get('context'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/account-groups',
      operationId: 'listAccountGroups',
      tags: ['Account groups'],
      summary: 'List account groups',
      request: { query: pageQuerySchema },
      responses: {
        200: jsonResponse(pageOf(accountGroupSchema, 'AccountGroupPage'), 'A page of account groups.'),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await vault().listAccountGroups(c.get('context'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/account-groups/{accountGroupId}',
      operationId: 'getAccountGroup',
      tags: ['Account groups'],
      summary: 'Get an account group',
      request: { params: accountGroupParam },
      responses: { 200: jsonResponse(accountGroupSchema, 'The account group.'), ...commonErrors },
    }),
    async (c) =>
      c.json(await vault().getAccountGroup(c.get('context'), c.req.valid('param').accountGroupId), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/account-groups/{accountGroupId}/accounts/{accountId}',
      operationId: 'addAccountToGroup',
      tags: ['Account groups'],
      summary: 'Put an account in an account group (idempotent)',
      description:
        'A member stays a member: the answer is the same, and only an actual addition is written and audited (`account-group.member.add`). Members list with `GET /v1/accounts?accountGroupId=`.',
      request: { params: memberParams },
      responses: {
        200: jsonResponse(accountSchema, 'The account, a member of the group.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) => {
      const { accountGroupId, accountId } = c.req.valid('param');
      return c.json(await vault().addAccountToGroup(c.get('context'), accountGroupId, accountId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/account-groups/{accountGroupId}/accounts/{accountId}',
      operationId: 'removeAccountFromGroup',
      tags: ['Account groups'],
      summary: 'Take an account out of an account group (idempotent)',
      description:
        'Answers 204 whether or not the account was a member; only an actual removal is written and audited (`account-group.member.remove`).',
      request: { params: memberParams },
      responses: { 204: { description: 'The account is not a member (any more).' }, ...commonErrors },
    }),
    async (c) => {
      const { accountGroupId, accountId } = c.req.valid('param');
      await vault().removeAccountFromGroup(c.get('context'), accountGroupId, accountId);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/accounts/{accountId}/credential',
      operationId: 'setCredential',
      tags: ['Credentials'],
      summary: 'Set, import or generate the account’s credential as a new current version',
      description:
        'Give exactly one of `password`, `privateKey` (unencrypted OpenSSH ed25519, for ssh-key accounts) or `generate: true`. The answer never contains the secret.',
      request: {
        params: accountParam,
        body: jsonBody(named(setCredentialBodySchema, 'SetCredentialRequest')),
      },
      responses: {
        201: jsonResponse(credentialVersionSchema, 'The new version.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) =>
      c.json(
        await vault().setCredential(c.get('context'), c.req.valid('param').accountId, c.req.valid('json')),
        201,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/accounts/{accountId}/credential/retrieve',
      operationId: 'retrieveCredential',
      tags: ['Credentials'],
      summary: 'Release the current secret (audited, reason required)',
      description:
        'The audit event is written before the secret leaves; if it cannot be written the secret is not released (503).',
      request: {
        params: accountParam,
        body: jsonBody(named(retrieveCredentialBodySchema, 'RetrieveCredentialRequest')),
      },
      responses: { 200: jsonResponse(releasedCredentialSchema, 'The secret.'), ...commonErrors },
    }),
    async (c) =>
      c.json(
        await vault().retrieveCredential(
          c.get('context'),
          c.req.valid('param').accountId,
          c.req.valid('json').reason,
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/accounts/{accountId}/credential/versions',
      operationId: 'listCredentialVersions',
      tags: ['Credentials'],
      summary: 'Version history: current, previous, pending and retired (metadata only)',
      request: { params: accountParam },
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(credentialVersionSchema).readonly() }).openapi('CredentialVersionList'),
          'Versions, newest first.',
        ),
        ...commonErrors,
      },
    }),
    async (c) =>
      c.json(
        { items: await vault().listCredentialVersions(c.get('context'), c.req.valid('param').accountId) },
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/password-policies',
      operationId: 'createPasswordPolicy',
      tags: ['Password policies'],
      summary: 'Create a password policy (optionally the tenant default)',
      request: { body: jsonBody(named(createPasswordPolicyBodySchema, 'CreatePasswordPolicyRequest')) },
      responses: { 201: jsonResponse(passwordPolicySchema, 'Created.'), ...commonErrors, ...conflictError },
    }),
    async (c) => c.json(await vault().createPasswordPolicy(c.get('context'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/password-policies',
      operationId: 'listPasswordPolicies',
      tags: ['Password policies'],
      summary: 'List password policies',
      request: { query: pageQuerySchema },
      responses: {
        200: jsonResponse(pageOf(passwordPolicySchema, 'PasswordPolicyPage'), 'A page of policies.'),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await vault().listPasswordPolicies(c.get('context'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/passwords/generate',
      operationId: 'generatePassword',
      tags: ['Password policies'],
      summary: 'Generate a password under a policy, an account’s effective policy, or the tenant default',
      description: 'Nothing is stored. Characters are drawn uniformly from a CSPRNG.',
      request: { body: jsonBody(named(generatePasswordBodySchema, 'GeneratePasswordRequest')) },
      responses: { 200: jsonResponse(generatedPasswordSchema, 'A fresh password.'), ...commonErrors },
    }),
    async (c) => c.json(await vault().generatePassword(c.get('context'), c.req.valid('json')), 200),
  );
}
