import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { Principal } from '@strongroom/shared/identity/principal';
import {
  AppError,
  ForbiddenError,
  UnauthenticatedError,
  ValidationError,
} from '@strongroom/shared/kernel/errors';
import type { AnonymousContext, RequestContext } from '@strongroom/shared/kernel/request-context';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import type { Logger } from '../observability/logger.ts';
import { clientAddressHeader, clientSignatureHeader, verifyClientAttestation } from './client-attestation.ts';
import { problemMediaType, problemOf } from './problem.ts';
import { registerAccessRoutes } from './routes/access.routes.ts';
import { registerAuditRoutes } from './routes/audit.routes.ts';
import { registerIdentityRoutes } from './routes/identity.routes.ts';
import { registerRotationRoutes } from './routes/rotation.routes.ts';
import { registerVaultRoutes } from './routes/vault.routes.ts';
import type { ApiServices } from './services.ts';

export interface ApiEnv {
  Variables: {
    requestId: string;
    anonymous: AnonymousContext;
    context: RequestContext;
  };
}

export type ApiApp = OpenAPIHono<ApiEnv>;

export interface ApiAppOptions {
  /** Services of the bounded contexts this deployment unit serves; the others answer 503. */
  readonly services: ApiServices;
  readonly verifyAccessToken: (token: string) => Promise<Principal>;
  readonly logger: Logger;
  /** The caller's address as the edge saw it (API Gateway's sourceIp, the socket locally). Never a header. */
  readonly sourceIpOf: (c: Context) => string;
  /**
   * The key the portal signs its users' addresses with (client-attestation.ts). Absent or null:
   * forwarded addresses are refused and every request keeps the edge's view.
   */
  readonly clientAddressKey?: () => Promise<Uint8Array | null>;
  /** Milliseconds since the epoch; injected by tests. */
  readonly now?: () => number;
  /** The edge's request id (API Gateway's), if any; otherwise one is generated. */
  readonly requestIdOf?: (c: Context) => string | undefined;
  readonly maxBodyBytes?: number;
}

export const apiVersion = '0.1.0';

/** Paths that need no access token. Everything else under /v1 does. */
const publicPaths = new Set([
  '/v1/auth/login',
  '/v1/auth/refresh',
  '/v1/openapi.json',
  '/v1/reference',
  '/.well-known/jwks.json',
]);

/** Maps zod issues of one request part (`json`, `query`, `param`) to field issues named by location. */
function validationErrorOf(error: ZodError, target: string): ValidationError {
  const location = target === 'json' ? 'body' : target === 'param' ? 'path' : target;
  return new ValidationError(
    error.issues.map((issue) => {
      const path = [location, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
      if (issue.code === 'unrecognized_keys') {
        return {
          path: [...path, issue.keys[0] ?? ''],
          message: `is not a known field (${issue.keys.join(', ')})`,
        };
      }
      const missing = issue.code === 'invalid_type' && / received undefined$/.test(issue.message);
      return { path, message: missing ? 'is required' : issue.message };
    }),
  );
}

export function createApiApp(options: ApiAppOptions): ApiApp {
  const { logger } = options;
  const now = options.now ?? Date.now;

  /** The edge's view of the caller, or the person behind the portal when the portal attests it. */
  async function clientOf(c: Context, requestId: string): Promise<{ sourceIp: string; userAgent: string }> {
    const edge = {
      sourceIp: options.sourceIpOf(c),
      userAgent: (c.req.header('user-agent') ?? '').slice(0, 512),
    };
    const header = (name: string) => c.req.header(name);
    if (header(clientAddressHeader) === undefined && header(clientSignatureHeader) === undefined) return edge;
    let key: Uint8Array | null = null;
    try {
      key = (await options.clientAddressKey?.()) ?? null;
    } catch (error) {
      logger.error('client-address key unavailable', { requestId }, error);
    }
    const attestation = verifyClientAttestation(header, key, now());
    if (attestation.kind === 'attested') {
      return { sourceIp: attestation.sourceIp, userAgent: attestation.userAgent };
    }
    if (attestation.kind === 'refused') {
      logger.warn('forwarded client address refused', {
        requestId,
        reason: attestation.reason,
        edgeAddress: edge.sourceIp,
      });
    }
    return edge;
  }
  const app: ApiApp = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationErrorOf(result.error as ZodError, result.target);
    },
  });

  app.use('*', async (c, next) => {
    const started = performance.now();
    const requestId = options.requestIdOf?.(c) ?? randomUUID();
    c.set('requestId', requestId);
    c.set('anonymous', { requestId, ...(await clientOf(c, requestId)) });
    await next();
    c.header('x-request-id', requestId);
    c.header('cache-control', 'no-store');
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('strict-transport-security', 'max-age=63072000; includeSubDomains');
    if (!c.req.path.startsWith('/v1/reference')) {
      c.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
    logger.info('request', {
      requestId,
      method: c.req.method,
      route: c.req.routePath,
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
      tenantId: c.get('context')?.principal.tenantId,
      principal: c.get('context')?.principal.subject,
    });
  });

  app.use(
    '*',
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 64 * 1024,
      onError: () => {
        throw new AppError('payload-too-large', 'body-too-large', 'The request body is too large.');
      },
    }),
  );

  app.use('*', async (c, next) => {
    if (publicPaths.has(c.req.path) || c.req.method === 'OPTIONS') return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([A-Za-z0-9_.-]{20,4096})$/.exec(header);
    if (!match)
      throw new UnauthenticatedError(
        'missing-token',
        'An access token is required (Authorization: Bearer …).',
      );
    const principal = await options.verifyAccessToken(match[1]!);
    c.set('context', { ...c.get('anonymous'), principal });
    return next();
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Access token from `login` or `refreshToken` (10 minutes).',
  });

  registerIdentityRoutes(app, options.services);
  registerVaultRoutes(app, options.services);
  registerAccessRoutes(app, options.services);
  registerRotationRoutes(app, options.services);
  registerAuditRoutes(app, options.services);

  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Strongroom API',
      version: apiVersion,
      description:
        'Privileged access management: tenants, users and roles; managed systems, accounts and their credentials; password policies; the tamper-evident audit trail. Errors are RFC 9457 problem details (`application/problem+json`).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
  });
  app.get('/v1/reference', Scalar({ url: '/v1/openapi.json', pageTitle: 'Strongroom API reference' }));

  app.notFound((c) => {
    const problem = problemOf(
      new AppError('not-found', 'route-not-found', `No route ${c.req.method} ${c.req.path}.`),
      c.get('requestId') ?? '',
    );
    return c.body(JSON.stringify(problem), 404, { 'content-type': problemMediaType });
  });

  app.onError(async (error, c) => {
    let mapped: unknown = error;
    if (error instanceof HTTPException) {
      // Hono's own validators throw these for malformed JSON or a wrong content type.
      mapped =
        error.status === 413
          ? new AppError('payload-too-large', 'body-too-large', 'The request body is too large.')
          : ValidationError.field(['body'], error.message || 'is malformed');
    }
    const requestId = c.get('requestId') ?? '';
    const context = c.get('context');
    if (mapped instanceof ForbiddenError && context && options.services.recordDenial) {
      // Refusals are evidence too (probing, misconfigured roles). The 403 stands even if this
      // write fails: nothing was changed or released, so there is nothing to fail closed on.
      try {
        await options.services.recordDenial(context, {
          permission: mapped.permission,
          method: c.req.method,
          route: c.req.routePath,
        });
      } catch (auditError) {
        logger.error('denial not audited', { requestId }, auditError);
      }
    }
    const problem = problemOf(mapped, requestId);
    if (problem.status >= 500) logger.error('request failed', { requestId, route: c.req.routePath }, error);
    const headers: Record<string, string> = { 'content-type': problemMediaType, 'cache-control': 'no-store' };
    if (problem.status === 401) headers['www-authenticate'] = 'Bearer realm="strongroom"';
    return c.body(JSON.stringify(problem), problem.status as 400, headers);
  });

  return app;
}
