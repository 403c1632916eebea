import { createRoute, z } from '@hono/zod-openapi';
import {
  changeOwnPasswordBodySchema,
  createGroupBodySchema,
  createTenantBodySchema,
  createUserBodySchema,
  loginBodySchema,
  offboardTenantBodySchema,
  refreshBodySchema,
  updateGroupBodySchema,
  updateUserBodySchema,
} from '@strongroom/shared/identity/identity.schemas';
import { permissions, roles } from '@strongroom/shared/identity/roles';
import type { ApiApp } from '../api-app.ts';
import {
  commonErrors,
  conflictError,
  idParam,
  jsonBody,
  jsonResponse,
  lockedError,
  named,
  pageOf,
  pageQuerySchema,
} from '../schemas.ts';
import { type ApiServices, need } from '../services.ts';

const tokenPairSchema = z
  .object({
    accessToken: z.string().openapi({ description: 'EdDSA-signed JWT, valid for `expiresIn` seconds.' }),
    tokenType: z.literal('Bearer'),
    expiresIn: z.int(),
    refreshToken: z.string().openapi({ description: 'Single use: every refresh returns a new one.' }),
    refreshExpiresAt: z.string(),
  })
  .openapi('TokenPair');

const userSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    roles: z.array(z.enum(roles)).readonly(),
    groupIds: z.array(z.string()).readonly(),
    status: z.enum(['active', 'disabled']),
    lockedUntil: z.string().nullable(),
    lastSignInAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('User');

const tenantSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    status: z.enum(['active', 'suspended', 'offboarded']),
    createdAt: z.string(),
  })
  .openapi('Tenant');

const groupSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    roles: z.array(z.string()).readonly(),
    createdAt: z.string(),
  })
  .openapi('Group');

const meSchema = z
  .object({
    tenant: tenantSchema.nullable(),
    user: userSchema.nullable(),
    roles: z.array(z.enum(roles)).readonly(),
    permissions: z.array(z.enum(permissions)).readonly(),
  })
  .openapi('Me');

const roleListSchema = z
  .object({
    items: z
      .array(
        z.object({
          role: z.enum(roles),
          description: z.string(),
          permissions: z.array(z.enum(permissions)).readonly(),
        }),
      )
      .readonly(),
  })
  .openapi('RoleList');

const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).openapi('JsonWebKeySet');

const anonymousErrors = { 400: commonErrors[400], 413: commonErrors[413], 503: commonErrors[503] };

export function registerIdentityRoutes(app: ApiApp, services: ApiServices): void {
  const identity = () => need(services.identity, 'identity');

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/login',
      operationId: 'login',
      tags: ['Authentication'],
      summary: 'Sign in with a tenant slug, email and password',
      description:
        'Five failed attempts lock the user for 15 minutes. Every attempt is audited. The answer does not reveal whether the tenant or the user exists.',
      security: [],
      request: { body: jsonBody(named(loginBodySchema, 'LoginRequest')) },
      responses: {
        200: jsonResponse(tokenPairSchema, 'Signed in.'),
        401: commonErrors[401],
        ...anonymousErrors,
      },
    }),
    async (c) => c.json(await identity().login(c.get('anonymous'), c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/refresh',
      operationId: 'refreshToken',
      tags: ['Authentication'],
      summary: 'Exchange a refresh token for a new token pair',
      description:
        'Refresh tokens rotate: each is valid once. Presenting a used one revokes the whole session (theft detection).',
      security: [],
      request: { body: jsonBody(named(refreshBodySchema, 'RefreshRequest')) },
      responses: {
        200: jsonResponse(tokenPairSchema, 'New token pair.'),
        401: commonErrors[401],
        ...anonymousErrors,
      },
    }),
    async (c) => c.json(await identity().refresh(c.get('anonymous'), c.req.valid('json').refreshToken), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/auth/logout',
      operationId: 'logout',
      tags: ['Authentication'],
      summary: 'End the session of the presented access token',
      responses: { 204: { description: 'Signed out; the refresh token no longer works.' }, ...commonErrors },
    }),
    async (c) => {
      await identity().logout(c.get('context'));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/me',
      operationId: 'me',
      tags: ['Authentication'],
      summary: 'The signed-in principal, its tenant and effective roles',
      responses: { 200: jsonResponse(meSchema, 'The caller.'), ...commonErrors },
    }),
    async (c) => c.json(await identity().me(c.get('context')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/roles',
      operationId: 'listRoles',
      tags: ['Users and groups'],
      summary: 'The roles a tenant can grant to users and groups, with their permissions',
      responses: { 200: jsonResponse(roleListSchema, 'Every tenant role.'), ...commonErrors },
    }),
    async (c) => c.json(identity().listRoles(c.get('context')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/me/password',
      operationId: 'changeOwnPassword',
      tags: ['Authentication'],
      summary: 'Change your own sign-in password (the current one is required)',
      request: { body: jsonBody(named(changeOwnPasswordBodySchema, 'ChangeOwnPasswordRequest')) },
      responses: { 204: { description: 'Changed.' }, ...commonErrors },
    }),
    async (c) => {
      await identity().changeOwnPassword(c.get('context'), c.req.valid('json'));
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/.well-known/jwks.json',
      operationId: 'jwks',
      tags: ['Authentication'],
      summary: 'Public keys that verify access tokens',
      security: [],
      responses: { 200: jsonResponse(jwksSchema, 'JSON Web Key Set.'), 503: commonErrors[503] },
    }),
    async (c) =>
      c.json(
        { keys: [...(await need(services.jwks, 'identity')()).keys] } as z.infer<typeof jwksSchema>,
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/tenants',
      operationId: 'createTenant',
      tags: ['Tenants'],
      summary: 'Create a tenant with its first administrator (provider operators only)',
      description:
        'Creates the tenant’s own KMS key first; deleting that key later crypto-shreds every credential of the tenant.',
      request: { body: jsonBody(named(createTenantBodySchema, 'CreateTenantRequest')) },
      responses: { 201: jsonResponse(tenantSchema, 'Created.'), ...commonErrors, ...conflictError },
    }),
    async (c) => c.json(await identity().createTenant(c.get('context'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/tenants',
      operationId: 'listTenants',
      tags: ['Tenants'],
      summary: 'List customer tenants (provider operators only)',
      request: { query: pageQuerySchema },
      responses: {
        200: jsonResponse(pageOf(tenantSchema, 'TenantPage'), 'A page of tenants.'),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await identity().listTenants(c.get('context'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/tenants/{tenantId}/offboard',
      operationId: 'offboardTenant',
      tags: ['Tenants'],
      summary:
        'Offboard a tenant: lock everyone out and schedule its KMS key for deletion (provider operators only)',
      description:
        'Sign-in and refresh stop at once; after `pendingWindowDays` KMS deletes the tenant key and every credential of the tenant becomes unrecoverable (crypto-shredding). Requires the slug typed again in `confirmSlug`.',
      request: {
        params: idParam('tenantId', 'ten'),
        body: jsonBody(named(offboardTenantBodySchema, 'OffboardTenantRequest')),
      },
      responses: {
        200: jsonResponse(
          z.object({ tenant: tenantSchema, keyDeletionDate: z.string() }).openapi('TenantOffboarding'),
          'Offboarded; the key deletion is scheduled.',
        ),
        ...commonErrors,
      },
    }),
    async (c) =>
      c.json(
        await identity().offboardTenant(c.get('context'), c.req.valid('param').tenantId, c.req.valid('json')),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/users',
      operationId: 'createUser',
      tags: ['Users and groups'],
      summary: 'Create a local user with direct roles',
      request: { body: jsonBody(named(createUserBodySchema, 'CreateUserRequest')) },
      responses: { 201: jsonResponse(userSchema, 'Created.'), ...commonErrors, ...conflictError },
    }),
    async (c) => c.json(await identity().createUser(c.get('context'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/users',
      operationId: 'listUsers',
      tags: ['Users and groups'],
      summary: 'List users of the tenant',
      request: { query: pageQuerySchema },
      responses: { 200: jsonResponse(pageOf(userSchema, 'UserPage'), 'A page of users.'), ...commonErrors },
    }),
    async (c) => c.json(await identity().listUsers(c.get('context'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/users/{userId}',
      operationId: 'getUser',
      tags: ['Users and groups'],
      summary: 'Get a user',
      request: { params: idParam('userId', 'usr') },
      responses: { 200: jsonResponse(userSchema, 'The user.'), ...commonErrors },
    }),
    async (c) => c.json(await identity().getUser(c.get('context'), c.req.valid('param').userId), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/users/{userId}',
      operationId: 'updateUser',
      tags: ['Users and groups'],
      summary: 'Change a user’s name, direct roles, status (disable or re-enable) or sign-in password',
      description:
        'Effective at the user’s next token refresh; a disabled user can neither sign in nor refresh. Audited with the roles before and after.',
      request: {
        params: idParam('userId', 'usr'),
        body: jsonBody(named(updateUserBodySchema, 'UpdateUserRequest')),
      },
      responses: { 200: jsonResponse(userSchema, 'The updated user.'), ...commonErrors, ...conflictError },
    }),
    async (c) =>
      c.json(
        await identity().updateUser(c.get('context'), c.req.valid('param').userId, c.req.valid('json')),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/groups',
      operationId: 'createGroup',
      tags: ['Users and groups'],
      summary: 'Create a group whose members get its roles',
      request: { body: jsonBody(named(createGroupBodySchema, 'CreateGroupRequest')) },
      responses: { 201: jsonResponse(groupSchema, 'Created.'), ...commonErrors, ...conflictError },
    }),
    async (c) => c.json(await identity().createGroup(c.get('context'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/groups',
      operationId: 'listGroups',
      tags: ['Users and groups'],
      summary: 'List groups of the tenant',
      request: { query: pageQuerySchema },
      responses: {
        200: jsonResponse(pageOf(groupSchema, 'GroupPage'), 'A page of groups.'),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await identity().listGroups(c.get('context'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/groups/{groupId}',
      operationId: 'getGroup',
      tags: ['Users and groups'],
      summary: 'Get a group',
      description:
        'The group as the list shows it. Needs `group:read`, like the list; a group of another tenant, or one that does not exist, is 404.',
      request: { params: idParam('groupId', 'grp') },
      responses: { 200: jsonResponse(groupSchema, 'The group.'), ...commonErrors },
    }),
    async (c) => c.json(await identity().getGroup(c.get('context'), c.req.valid('param').groupId), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/groups/{groupId}',
      operationId: 'updateGroup',
      tags: ['Users and groups'],
      summary: 'Rename a group or change its description',
      description:
        'Needs `group:update` (the permission that changes members). Names stay unique in the tenant, ignoring case: the old name is released and the new one claimed in the same transaction as the change and its `group.update` audit event (with the name and description before and after). Access policies name groups by id and show the new name at once. A group’s roles are set at creation.',
      request: {
        params: idParam('groupId', 'grp'),
        body: jsonBody(named(updateGroupBodySchema, 'UpdateGroupRequest')),
      },
      responses: { 200: jsonResponse(groupSchema, 'The updated group.'), ...commonErrors, ...conflictError },
    }),
    async (c) =>
      c.json(
        await identity().updateGroup(c.get('context'), c.req.valid('param').groupId, c.req.valid('json')),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/v1/groups/{groupId}/members/{userId}',
      operationId: 'addGroupMember',
      tags: ['Users and groups'],
      summary: 'Add a user to a group (grants the group’s roles; audited as a role change)',
      request: { params: idParam('groupId', 'grp').extend(idParam('userId', 'usr').shape) },
      responses: {
        200: jsonResponse(userSchema, 'The user with the new membership.'),
        ...commonErrors,
        ...lockedError,
      },
    }),
    async (c) => {
      const { groupId, userId } = c.req.valid('param');
      return c.json(await identity().addGroupMember(c.get('context'), groupId, userId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/v1/groups/{groupId}/members/{userId}',
      operationId: 'removeGroupMember',
      tags: ['Users and groups'],
      summary: 'Remove a user from a group (revokes the group’s roles; audited as a role change)',
      request: { params: idParam('groupId', 'grp').extend(idParam('userId', 'usr').shape) },
      responses: {
        200: jsonResponse(userSchema, 'The user without the membership.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) => {
      const { groupId, userId } = c.req.valid('param');
      return c.json(await identity().removeGroupMember(c.get('context'), groupId, userId), 200);
    },
  );
}
