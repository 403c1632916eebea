/**
 * Which function serves which HTTP API route. One function per bounded context; each routes
 * whole path prefixes and does its own routing (Hono) inside, so adding an endpoint under an
 * existing prefix needs no infrastructure change. All methods are routed (ANY): the function
 * answers 405 for methods it does not implement.
 */

export type ApiFunctionId = 'identity' | 'vault' | 'access' | 'rotation' | 'audit';

export interface ApiFunctionRoutes {
  readonly id: ApiFunctionId;
  /** Construct id and suffix of the physical function name. */
  readonly constructId: string;
  /** Entry module under functions/src/entry/. */
  readonly entryFile: string;
  readonly description: string;
  readonly paths: readonly string[];
  /** @default 10 (StrongroomFunction's default); HTTP APIs give up after 30 s. */
  readonly timeoutSeconds?: number;
}

/** `/x` and `/x/{proxy+}`: a collection and everything beneath it. */
const collection = (path: string): string[] => [path, `${path}/{proxy+}`];

export const apiFunctions: readonly ApiFunctionRoutes[] = [
  {
    id: 'identity',
    constructId: 'Identity',
    entryFile: 'identity.handler.ts',
    description: 'Strongroom identity API: authentication, tenants, users, groups, JWKS, OpenAPI',
    paths: [
      '/v1/auth/{proxy+}',
      ...collection('/v1/tenants'),
      ...collection('/v1/users'),
      ...collection('/v1/groups'),
      ...collection('/v1/me'),
      '/v1/roles',
      '/v1/openapi.json',
      '/v1/reference',
      '/.well-known/jwks.json',
    ],
  },
  {
    id: 'vault',
    constructId: 'Vault',
    entryFile: 'vault.handler.ts',
    description:
      'Strongroom vault API: systems, accounts, account groups, password policies, credential access',
    paths: [
      ...collection('/v1/systems'),
      ...collection('/v1/accounts'),
      ...collection('/v1/account-groups'),
      ...collection('/v1/password-policies'),
      '/v1/passwords/{proxy+}',
    ],
  },
  {
    id: 'access',
    constructId: 'Access',
    entryFile: 'access.handler.ts',
    description:
      'Strongroom access API: access policies, access requests and approvals, releases, credential lookup, notifications',
    paths: [
      ...collection('/v1/access-policies'),
      ...collection('/v1/access-requests'),
      '/v1/access-options/{proxy+}',
      '/v1/access-activity',
      ...collection('/v1/releases'),
      '/v1/credential-lookup',
      '/v1/notifications',
    ],
    // A request may wait up to 10 s for a ticketing system's webhook (the policy's
    // validationTimeoutMs), then still commits and notifies approvers by e-mail.
    timeoutSeconds: 20,
  },
  {
    id: 'rotation',
    constructId: 'Rotation',
    entryFile: 'rotation.handler.ts',
    description:
      'Strongroom rotation API: on-demand rotation, rotation status and history, failing rotations, rotation schedules',
    paths: [
      ...collection('/v1/rotations'),
      // PUT /v1/rotation-schedules/{accountId}; there is no collection resource.
      '/v1/rotation-schedules/{proxy+}',
    ],
  },
  {
    id: 'audit',
    constructId: 'Audit',
    entryFile: 'audit.handler.ts',
    description: 'Strongroom audit API: trail queries, exports, chain verification',
    paths: ['/v1/audit/{proxy+}'],
  },
];
