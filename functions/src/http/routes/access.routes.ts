import { createRoute, z } from '@hono/zod-openapi';
import {
  accessActivityQuerySchema,
  accessConditionsSchema,
  accountSelectorSchema,
  approvalRuleSchema,
  createAccessPolicyBodySchema,
  createAccessRequestBodySchema,
  decisionBodySchema,
  listAccessRequestsQuerySchema,
  lookupTargetBodySchema,
  optionalCommentBodySchema,
  releaseRuleSchema,
  requestStatuses,
  retrieveForInjectionBodySchema,
  retrieveReleasedBodySchema,
  revokeBodySchema,
  updateAccessPolicyBodySchema,
} from '@strongroom/shared/access/access.schemas';
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

const tags = ['Access requests and releases'];
const policyTags = ['Access policies'];
const lookupTags = ['Credential lookup and injection'];

const accessPolicySchema = z
  .object({
    id: z.string(),
    version: z.int(),
    name: z.string(),
    description: z.string(),
    priority: z.int(),
    status: z.enum(['active', 'disabled']),
    requesterGroupIds: z.array(z.string()).readonly(),
    selectors: z.array(named(accountSelectorSchema, 'AccountSelector')).readonly(),
    approval: named(approvalRuleSchema, 'ApprovalRule'),
    conditions: named(accessConditionsSchema, 'AccessConditions'),
    release: named(releaseRuleSchema, 'ReleaseRule'),
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('AccessPolicy');

const transitionSchema = z.object({
  from: z.enum(requestStatuses).nullable(),
  to: z.enum(requestStatuses),
  actorId: z.string(),
  actorName: z.string(),
  at: z.string(),
  sourceIp: z.string(),
  comment: z.string().nullable(),
});

const accessRequestSchema = z
  .object({
    id: z.string(),
    status: z.enum(requestStatuses),
    accountId: z.string(),
    accountName: z.string(),
    systemId: z.string(),
    requesterId: z.string(),
    requesterName: z.string(),
    policyId: z.string(),
    policyVersion: z.int(),
    durationMinutes: z.int(),
    reason: z.string().nullable(),
    ticketId: z.string().nullable(),
    approval: z.object({
      required: z.int(),
      approverGroupIds: z.array(z.string()).readonly(),
      decisions: z
        .array(
          z.object({
            approverId: z.string(),
            approverName: z.string(),
            decision: z.enum(['approve', 'deny']),
            comment: z.string(),
            at: z.string(),
            sourceIp: z.string(),
          }),
        )
        .readonly(),
    }),
    release: z
      .object({
        id: z.string(),
        type: z.enum(['reveal', 'inject']),
        exclusive: z.boolean(),
        rotateOnCheckIn: z.boolean(),
        approvedAt: z.string().nullable(),
        activateBy: z.string().nullable(),
        activatedAt: z.string().nullable(),
        endsAt: z.string().nullable(),
      })
      .nullable(),
    createdAt: z.string(),
    expiresAt: z.string(),
    closedAt: z.string().nullable(),
    history: z.array(transitionSchema).readonly(),
  })
  .openapi('AccessRequest');

const releaseSchema = z
  .object({
    id: z.string(),
    requestId: z.string(),
    status: z.enum(requestStatuses),
    accountId: z.string(),
    accountName: z.string(),
    systemId: z.string(),
    type: z.enum(['reveal', 'inject']),
    exclusive: z.boolean(),
    activateBy: z.string().nullable(),
    activatedAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    secondsLeft: z.int().nullable(),
  })
  .openapi('Release');

const releasedSecretSchema = z
  .object({
    releaseId: z.string(),
    accountId: z.string(),
    username: z.string(),
    version: z.int(),
    type: z.enum(['password', 'ssh-key']),
    password: z.string().optional(),
    privateKey: z.string().optional(),
    publicKey: z.string().optional(),
    endsAt: z.string(),
    retrievedAt: z.string(),
  })
  .openapi('ReleasedSecret');

const injectionSchema = z
  .object({
    releaseId: z.string(),
    accountId: z.string(),
    username: z.string(),
    version: z.int(),
    type: z.enum(['password', 'ssh-key']),
    sealed: z.object({
      suite: z.string().openapi({ description: 'HPKE suite (RFC 9180), base mode.' }),
      enc: z.string().openapi({ description: 'Encapsulated key, base64url.' }),
      ciphertext: z.string().openapi({ description: 'AEAD ciphertext of the JSON credential, base64url.' }),
    }),
    info: z.string().openapi({ description: 'HPKE info the recipient must use.' }),
    aad: z.string().openapi({ description: 'Additional authenticated data the recipient must use.' }),
    endsAt: z.string(),
  })
  .openapi('SealedCredentialRelease');

const lookupResultSchema = z
  .object({
    consoleUserId: z.string().nullable(),
    items: z
      .array(
        z.object({
          accountId: z.string(),
          username: z.string(),
          kind: z.string(),
          systemId: z.string(),
          systemName: z.string(),
          platform: z.string(),
          release: z
            .object({ id: z.string(), type: z.enum(['reveal', 'inject']), endsAt: z.string().nullable() })
            .nullable(),
          requestable: z
            .object({
              policyId: z.string(),
              approval: z.enum(['auto', 'approval']),
              releaseType: z.enum(['reveal', 'inject']),
            })
            .nullable(),
        }),
      )
      .readonly(),
  })
  .openapi('CredentialLookupResult');

const notificationSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    title: z.string(),
    requestId: z.string(),
    createdAt: z.string(),
  })
  .openapi('Notification');

const policyParam = idParam('accessPolicyId', 'apo');
const accountParam = idParam('accountId', 'acc');

const accessActivitySchema = named(
  z.object({
    scope: z.enum(['mine', 'all']),
    days: z.array(z.object({ day: z.iso.date(), requests: z.int() })).readonly(),
  }),
  'AccessActivity',
);

const accessOptionsSchema = z
  .object({
    accountId: z.string(),
    accountName: z.string(),
    options: z
      .array(
        z.object({
          policyId: z.string(),
          policyName: z.string(),
          priority: z.int(),
          approval: z.object({
            mode: z.enum(['auto', 'approval']),
            requiredApprovals: z.int(),
            approverGroups: z.array(z.object({ id: z.string(), name: z.string() })).readonly(),
          }),
          release: z.object({
            type: z.enum(['reveal', 'inject']),
            defaultMinutes: z.int(),
            maxMinutes: z.int(),
            exclusive: z.boolean(),
            rotateOnCheckIn: z.boolean(),
            requireReason: z.boolean(),
            ticketRequired: z.boolean(),
            ticketPattern: z.string().nullable(),
          }),
          conditions: named(accessConditionsSchema, 'AccessConditions'),
          availableNow: z.boolean(),
          unavailableReason: z.string().nullable(),
        }),
      )
      .readonly(),
  })
  .openapi('AccessOptions');
const requestParam = idParam('requestId', 'req');
const releaseParam = idParam('releaseId', 'rel');

export function registerAccessRoutes(app: ApiApp, services: ApiServices): void {
  const access = () => need(services.access, 'access');

  // ── Policies ──────────────────────────────────────────────────────────────────────────────
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/access-policies',
      operationId: 'createAccessPolicy',
      tags: policyTags,
      summary: 'Create an access policy',
      description:
        'Who (requester groups) may request which accounts (selectors), who approves, when and from where, and what the release allows.',
      request: { body: jsonBody(named(createAccessPolicyBodySchema, 'CreateAccessPolicyRequest')) },
      responses: {
        201: jsonResponse(accessPolicySchema, 'Created (version 1).'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) => c.json(await access().createAccessPolicy(c.get('context'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/access-policies',
      operationId: 'listAccessPolicies',
      tags: policyTags,
      summary: 'List access policies',
      request: { query: pageQuerySchema },
      responses: {
        200: jsonResponse(pageOf(accessPolicySchema, 'AccessPolicyPage'), 'A page of policies.'),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await access().listAccessPolicies(c.get('context'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/access-policies/{accessPolicyId}',
      operationId: 'getAccessPolicy',
      tags: policyTags,
      summary: 'Get an access policy (current version)',
      request: { params: policyParam },
      responses: { 200: jsonResponse(accessPolicySchema, 'The policy.'), ...commonErrors },
    }),
    async (c) =>
      c.json(await access().getAccessPolicy(c.get('context'), c.req.valid('param').accessPolicyId), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/v1/access-policies/{accessPolicyId}',
      operationId: 'updateAccessPolicy',
      tags: policyTags,
      summary: 'Change an access policy (stores a new version)',
      description: '`expectedVersion` must be the current version; a concurrent change makes the call 409.',
      request: {
        params: policyParam,
        body: jsonBody(named(updateAccessPolicyBodySchema, 'UpdateAccessPolicyRequest')),
      },
      responses: {
        200: jsonResponse(accessPolicySchema, 'The new version.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) =>
      c.json(
        await access().updateAccessPolicy(
          c.get('context'),
          c.req.valid('param').accessPolicyId,
          c.req.valid('json'),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/access-policies/{accessPolicyId}/versions',
      operationId: 'listAccessPolicyVersions',
      tags: policyTags,
      summary: 'Every stored version of an access policy, newest first',
      request: { params: policyParam },
      responses: {
        200: jsonResponse(z.object({ items: z.array(accessPolicySchema).readonly() }), 'The versions.'),
        ...commonErrors,
      },
    }),
    async (c) =>
      c.json(
        await access().listAccessPolicyVersions(c.get('context'), c.req.valid('param').accessPolicyId),
        200,
      ),
  );

  // ── Requests ──────────────────────────────────────────────────────────────────────────────
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/access-requests',
      operationId: 'createAccessRequest',
      tags,
      summary: 'Request time-limited access to an account',
      description:
        'The covering policy with the lowest priority number applies (or `policyId`). Auto-approved requests start their release at once; an exclusive release of an account already checked out is refused with 409.',
      request: { body: jsonBody(named(createAccessRequestBodySchema, 'CreateAccessRequestRequest')) },
      responses: {
        201: jsonResponse(accessRequestSchema, 'Created.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) => c.json(await access().createAccessRequest(c.get('context'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/access-options/{accountId}',
      operationId: 'getAccessOptions',
      tags,
      summary: 'Which policies let me request an account, and what each asks',
      description:
        'Every covering policy, best first: its approval rule with the approver groups by name, the release bounds, whether a reason or ticket is required, and whether its conditions (days, hours, networks) allow a request now. An account of another tenant is 404; an account no policy lets you request has an empty list.',
      request: { params: accountParam },
      responses: { 200: jsonResponse(accessOptionsSchema, 'The options.'), ...commonErrors },
    }),
    async (c) =>
      c.json(await access().getAccessOptions(c.get('context'), c.req.valid('param').accountId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/access-requests',
      operationId: 'listAccessRequests',
      tags,
      summary: 'List my requests, those waiting for my approval, those I decided, or (overseers) all',
      description:
        '`scope=mine`: your requests, newest first. `scope=approvals`: pending requests you may decide. `scope=decided`: the requests you approved or denied, newest decision first (only your own decisions). `scope=all`: every request of the tenant (`access-request:read-all`). `status` keeps requests whose current status matches; a page may hold fewer items than `limit` and still have a `nextCursor`.',
      request: { query: listAccessRequestsQuerySchema },
      responses: {
        200: jsonResponse(pageOf(accessRequestSchema, 'AccessRequestPage'), 'A page of requests.'),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await access().listAccessRequests(c.get('context'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/access-activity',
      operationId: 'getAccessActivity',
      tags,
      summary: 'How many requests were made on each of the last days (for a chart)',
      description:
        'Counts per UTC day, oldest first and today last, empty days included. `scope=mine`: the requests you made. `scope=all`: every request of the tenant (`access-request:read-all`). `days` is 1 to 90 (default 30). Exact at any volume: counted through the index, not by listing.',
      request: { query: accessActivityQuerySchema },
      responses: { 200: jsonResponse(accessActivitySchema, 'Requests per day.'), ...commonErrors },
    }),
    async (c) => c.json(await access().getAccessActivity(c.get('context'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/access-requests/{requestId}',
      operationId: 'getAccessRequest',
      tags,
      summary: 'Get a request with its decisions and history',
      description: 'Visible to its requester, its approvers and overseers; others get 404.',
      request: { params: requestParam },
      responses: { 200: jsonResponse(accessRequestSchema, 'The request.'), ...commonErrors },
    }),
    async (c) =>
      c.json(await access().getAccessRequest(c.get('context'), c.req.valid('param').requestId), 200),
  );

  for (const decision of ['approve', 'deny'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/v1/access-requests/{requestId}/${decision}`,
        operationId: decision === 'approve' ? 'approveAccessRequest' : 'denyAccessRequest',
        tags,
        summary:
          decision === 'approve' ? 'Approve a request (with a comment)' : 'Deny a request (with a comment)',
        description:
          'Only members of the approver groups, never the requester. Deciding again the same way changes nothing (an approval counts once).',
        request: { params: requestParam, body: jsonBody(named(decisionBodySchema, 'DecisionRequest')) },
        responses: {
          200: jsonResponse(accessRequestSchema, 'The request after the decision.'),
          ...commonErrors,
          ...conflictError,
        },
      }),
      async (c) =>
        c.json(
          await access().decideAccessRequest(
            c.get('context'),
            c.req.valid('param').requestId,
            decision,
            c.req.valid('json').comment,
          ),
          200,
        ),
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/access-requests/{requestId}/cancel',
      operationId: 'cancelAccessRequest',
      tags,
      summary: 'Cancel my pending request',
      request: { params: requestParam, body: jsonBody(named(optionalCommentBodySchema, 'CancelRequest')) },
      responses: {
        200: jsonResponse(accessRequestSchema, 'The cancelled request.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) =>
      c.json(
        await access().cancelAccessRequest(
          c.get('context'),
          c.req.valid('param').requestId,
          c.req.valid('json').comment,
        ),
        200,
      ),
  );

  // ── Releases ──────────────────────────────────────────────────────────────────────────────
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/releases',
      operationId: 'listMyReleases',
      tags,
      summary: 'My approved and active releases, with time left',
      responses: {
        200: jsonResponse(
          z.object({ items: z.array(releaseSchema).readonly() }).openapi('ReleaseList'),
          'My releases.',
        ),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await access().listMyReleases(c.get('context')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/releases/{releaseId}/activate',
      operationId: 'activateRelease',
      tags,
      summary: 'Start an approved release that waited for the account to be free',
      request: { params: releaseParam },
      responses: {
        200: jsonResponse(releaseSchema, 'The active release.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) =>
      c.json(await access().activateRelease(c.get('context'), c.req.valid('param').releaseId), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/releases/{releaseId}/check-in',
      operationId: 'checkInRelease',
      tags,
      summary: 'Check in my release (ends it now; may trigger rotation)',
      request: { params: releaseParam },
      responses: {
        200: jsonResponse(releaseSchema, 'The ended release.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) => c.json(await access().checkInRelease(c.get('context'), c.req.valid('param').releaseId), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/releases/{releaseId}/revoke',
      operationId: 'revokeRelease',
      tags,
      summary: 'Revoke an active release (administrators)',
      request: { params: releaseParam, body: jsonBody(named(revokeBodySchema, 'RevokeReleaseRequest')) },
      responses: {
        200: jsonResponse(releaseSchema, 'The revoked release.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) =>
      c.json(
        await access().revokeRelease(
          c.get('context'),
          c.req.valid('param').releaseId,
          c.req.valid('json').reason,
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/releases/{releaseId}/credential',
      operationId: 'retrieveReleasedCredential',
      tags,
      summary: 'Reveal the credential of my active `reveal` release (audited)',
      description:
        'Only while the release is active and the policy’s time and network conditions hold; `inject` releases never reveal.',
      request: { params: releaseParam, body: jsonBody(named(retrieveReleasedBodySchema, 'RevealRequest')) },
      responses: {
        200: jsonResponse(releasedSecretSchema, 'The secret.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) =>
      c.json(
        await access().retrieveReleasedCredential(c.get('context'), c.req.valid('param').releaseId),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/releases/{releaseId}/injection',
      operationId: 'retrieveForInjection',
      tags: lookupTags,
      summary: 'Get a released credential encrypted to an ephemeral public key (HPKE)',
      description:
        'For session proxies: the credential is sealed to the caller’s X25519 key, so it never crosses the wire in plaintext. The requester, or an integration naming the console user.',
      request: {
        params: releaseParam,
        body: jsonBody(named(retrieveForInjectionBodySchema, 'InjectionRequest')),
      },
      responses: {
        200: jsonResponse(injectionSchema, 'The sealed credential.'),
        ...commonErrors,
        ...conflictError,
      },
    }),
    async (c) =>
      c.json(
        await access().retrieveForInjection(
          c.get('context'),
          c.req.valid('param').releaseId,
          c.req.valid('json'),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/credential-lookup',
      operationId: 'lookupCredentialsForTarget',
      tags: lookupTags,
      summary: 'Credentials a console user may use on a target (never secrets)',
      description:
        'Maps the console user (`joe.user`, `ACME\\joe.user`, `joe.user@acme.com`, or an LDAP DN) to a tenant user, finds the systems at the target’s hostname, addresses or URL, and lists their accounts the user holds a release for or may request. An empty list is a valid answer.',
      request: { body: jsonBody(named(lookupTargetBodySchema, 'CredentialLookupRequest')) },
      responses: { 200: jsonResponse(lookupResultSchema, 'The matching credentials.'), ...commonErrors },
    }),
    async (c) =>
      c.json(await access().lookupCredentialsForTarget(c.get('context'), c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/notifications',
      operationId: 'listNotifications',
      tags,
      summary: 'My notifications (new requests to approve, decisions, revocations), newest first',
      request: { query: pageQuerySchema },
      responses: {
        200: jsonResponse(pageOf(notificationSchema, 'NotificationPage'), 'A page of notifications.'),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await access().listNotifications(c.get('context'), c.req.valid('query')), 200),
  );
}
