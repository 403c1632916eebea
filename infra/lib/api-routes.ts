/**
 * Which function serves which HTTP API route. One function per bounded context; each routes
 * whole path prefixes and does its own routing (Hono) inside, so adding an endpoint under an
 * existing prefix needs no infrastructure change. All methods are routed (ANY): the function
 * answers 405 for methods it does not implement.
 */

export type ApiFunctionId = 'identity' | 'vault' | 'audit';

export interface ApiFunctionRoutes {
  readonly id: ApiFunctionId;
  /** Construct id and suffix of the physical function name. */
  readonly constructId: string;
  /** Entry module under functions/src/entry/. */
  readonly entryFile: string;
  readonly description: string;
  readonly paths: readonly string[];
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
      '/v1/openapi.json',
      '/v1/reference',
      '/.well-known/jwks.json',
    ],
  },
  {
    id: 'vault',
    constructId: 'Vault',
    entryFile: 'vault.handler.ts',
    description: 'Strongroom vault API: systems, accounts, password policies, credential access',
    paths: [
      ...collection('/v1/systems'),
      ...collection('/v1/accounts'),
      ...collection('/v1/password-policies'),
      '/v1/passwords/{proxy+}',
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
