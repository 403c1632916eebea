import { authorize } from '../identity/policy.ts';
import type { Clock } from '../kernel/clock.ts';
import { ValidationError } from '../kernel/errors.ts';
import type { Page } from '../kernel/page.ts';
import type { RequestContext } from '../kernel/request-context.ts';
import type { AuditFilter, AuditReader, AuditRecorder } from './audit.ports.ts';
import { auditLaneCount, type ChainProblem, verifyLaneStretch } from './audit-chain.ts';
import { type AuditEvent, auditOf } from './audit-event.ts';
import { type AuditExportFormat, renderExport } from './audit-export.ts';

export interface AuditServiceDeps {
  readonly reader: Pick<AuditReader, 'search' | 'readLane'>;
  readonly recorder: Pick<AuditRecorder, 'record'>;
  readonly clock: Clock;
}

export interface ChainVerification {
  readonly verified: boolean;
  readonly from: string | null;
  readonly to: string | null;
  readonly lanes: number;
  readonly eventsChecked: number;
  /** True when a lane had more events in the range than one verification reads. */
  readonly truncated: boolean;
  readonly problems: readonly ChainProblem[];
}

export interface AuditExport {
  readonly format: AuditExportFormat;
  readonly body: string;
  readonly count: number;
  readonly nextCursor?: string;
}

/** Events verified per lane in one call; ranges beyond it are verified in pieces. */
export const maxEventsPerLaneVerification = 20_000;
const defaultExportLimit = 5_000;

export function createAuditService({ reader, recorder, clock }: AuditServiceDeps) {
  return {
    async listAuditEvents(
      context: RequestContext,
      filter: AuditFilter,
      page: { limit?: number; cursor?: string },
    ): Promise<Page<AuditEvent>> {
      authorize(context.principal, 'audit:read');
      return reader.search(context.principal.tenantId, filter, page.limit ?? 50, page.cursor);
    },

    async exportAuditEvents(
      context: RequestContext,
      filter: AuditFilter,
      format: AuditExportFormat,
      page: { limit?: number; cursor?: string },
    ): Promise<AuditExport> {
      authorize(context.principal, 'audit:export');
      const result = await reader.search(
        context.principal.tenantId,
        filter,
        page.limit ?? defaultExportLimit,
        page.cursor,
      );
      await recorder.record(
        auditOf(context, {
          action: 'audit.export',
          target: { type: 'audit-trail', id: context.principal.tenantId },
          details: {
            format,
            count: result.items.length,
            actorId: filter.actorId ?? null,
            targetId: filter.targetId ?? null,
            action: filter.action ?? null,
            from: filter.from ?? null,
            to: filter.to ?? null,
          },
        }),
      );
      return {
        format,
        body: renderExport(format, result.items),
        count: result.items.length,
        ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
      };
    },

    async verifyAuditChain(
      context: RequestContext,
      range: { from?: string; to?: string },
    ): Promise<ChainVerification> {
      authorize(context.principal, 'audit:verify');
      if (range.from && range.to && range.from >= range.to)
        throw ValidationError.field(['body', 'to'], 'must be after from');
      const tenantId = context.principal.tenantId;
      const now = clock.now().toISOString();
      const reachesEnd = !range.to || range.to > now;
      const stretches = await Promise.all(
        Array.from({ length: auditLaneCount }, (_, lane) =>
          reader
            .readLane(tenantId, lane, range, maxEventsPerLaneVerification)
            .then((stretch) => ({ lane, stretch })),
        ),
      );
      const problems: ChainProblem[] = [];
      let eventsChecked = 0;
      let truncated = false;
      for (const { lane, stretch } of stretches) {
        const laneTruncated = stretch.events.length >= maxEventsPerLaneVerification;
        truncated ||= laneTruncated;
        eventsChecked += stretch.events.length;
        const head = reachesEnd && !laneTruncated ? stretch.head : null;
        problems.push(...verifyLaneStretch(tenantId, lane, stretch.events, stretch.predecessor, head));
      }
      const result: ChainVerification = {
        verified: problems.length === 0,
        from: range.from ?? null,
        to: range.to ?? null,
        lanes: auditLaneCount,
        eventsChecked,
        truncated,
        problems,
      };
      await recorder.record(
        auditOf(context, {
          action: 'audit.verify',
          target: { type: 'audit-trail', id: tenantId },
          outcome: result.verified ? 'success' : 'failure',
          details: {
            eventsChecked,
            problems: problems.length,
            from: range.from ?? null,
            to: range.to ?? null,
          },
        }),
      );
      return result;
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
