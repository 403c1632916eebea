import { createRoute, z } from '@hono/zod-openapi';
import {
  exportAuditEventsQuerySchema,
  listAuditEventsQuerySchema,
  verifyAuditChainBodySchema,
} from '@strongroom/shared/audit/audit.schemas';
import { auditEventSchema } from '@strongroom/shared/audit/audit-event';
import type { ApiApp } from '../api-app.ts';
import { commonErrors, jsonBody, jsonResponse, named, pageOf } from '../schemas.ts';
import { type ApiServices, need } from '../services.ts';

const auditEvent = named(auditEventSchema, 'AuditEvent');

const chainVerificationSchema = z
  .object({
    verified: z.boolean(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    lanes: z.int(),
    eventsChecked: z.int(),
    truncated: z.boolean(),
    problems: z
      .array(
        z.object({
          lane: z.int(),
          seq: z.int(),
          eventId: z.string().nullable(),
          kind: z.enum(['hash-mismatch', 'broken-link', 'sequence-gap', 'time-regression', 'head-mismatch']),
        }),
      )
      .readonly(),
  })
  .openapi('ChainVerification');

const exportMediaTypes = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson' } as const;

export function registerAuditRoutes(app: ApiApp, services: ApiServices): void {
  const audit = () => need(services.audit, 'audit');

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit/events',
      operationId: 'listAuditEvents',
      tags: ['Audit'],
      summary: 'Search audit events by actor, action, target and time range (newest first)',
      request: { query: listAuditEventsQuerySchema },
      responses: {
        200: jsonResponse(pageOf(auditEvent, 'AuditEventPage'), 'A page of events.'),
        ...commonErrors,
      },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      return c.json(await audit().listAuditEvents(c.get('context'), filter, { limit, cursor }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/audit/export',
      operationId: 'exportAuditEvents',
      tags: ['Audit'],
      summary: 'Export audit events as CSV or JSON Lines (the export itself is audited)',
      description:
        'Up to `limit` events (at most 5,000, which keeps a response under the 6 MB Lambda limit) per call; the `Strongroom-Next-Cursor` header carries the cursor of the next slice.',
      request: { query: exportAuditEventsQuerySchema },
      responses: {
        200: {
          description: 'The events.',
          headers: z.object({ 'strongroom-next-cursor': z.string().optional() }),
          content: {
            'text/csv': { schema: z.string() },
            'application/x-ndjson': { schema: z.string() },
          },
        },
        ...commonErrors,
      },
    }),
    async (c) => {
      const { limit, cursor, format, ...filter } = c.req.valid('query');
      const result = await audit().exportAuditEvents(c.get('context'), filter, format, { limit, cursor });
      const headers: Record<string, string> = {
        'content-type': exportMediaTypes[result.format],
        'content-disposition': `attachment; filename="audit-events.${result.format}"`,
        'strongroom-export-count': String(result.count),
      };
      if (result.nextCursor) headers['strongroom-next-cursor'] = result.nextCursor;
      return c.body(result.body, 200, headers);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/audit/verify',
      operationId: 'verifyAuditChain',
      tags: ['Audit'],
      summary: 'Verify the hash chain over a time range (default: everything)',
      description:
        'Detects deleted, altered and reordered events: every event must hash to its stored hash and link to its lane predecessor with consecutive sequence numbers.',
      request: { body: jsonBody(named(verifyAuditChainBodySchema, 'VerifyAuditChainRequest')) },
      responses: {
        200: jsonResponse(chainVerificationSchema, 'The verdict and any problems found.'),
        ...commonErrors,
      },
    }),
    async (c) => c.json(await audit().verifyAuditChain(c.get('context'), c.req.valid('json')), 200),
  );
}
