import 'server-only';
import { api } from '@/lib/api';

/** Shapes of the access API (functions/src/http/routes/access.routes.ts), as the portal reads them. */

export type RequestStatus =
  | 'requested'
  | 'approved'
  | 'denied'
  | 'expired'
  | 'cancelled'
  | 'active'
  | 'checked-in'
  | 'revoked';

export interface Release {
  readonly id: string;
  readonly requestId: string;
  readonly status: RequestStatus;
  readonly accountId: string;
  readonly accountName: string;
  readonly systemId: string;
  readonly type: 'reveal' | 'inject';
  readonly exclusive: boolean;
  readonly activateBy: string | null;
  readonly activatedAt: string | null;
  readonly endsAt: string | null;
  readonly secondsLeft: number | null;
}

export interface Decision {
  readonly approverId: string;
  readonly approverName: string;
  readonly decision: 'approve' | 'deny';
  readonly comment: string;
  readonly at: string;
}

export interface Transition {
  readonly from: RequestStatus | null;
  readonly to: RequestStatus;
  readonly actorId: string;
  readonly actorName: string;
  readonly at: string;
  readonly comment: string | null;
}

export interface AccessRequest {
  readonly id: string;
  readonly status: RequestStatus;
  readonly accountId: string;
  readonly accountName: string;
  readonly systemId: string;
  readonly requesterId: string;
  readonly requesterName: string;
  readonly durationMinutes: number;
  readonly reason: string | null;
  readonly ticketId: string | null;
  readonly approval: {
    readonly required: number;
    readonly approverGroupIds: readonly string[];
    readonly decisions: readonly Decision[];
  };
  readonly release: {
    readonly id: string;
    readonly type: 'reveal' | 'inject';
    readonly exclusive: boolean;
    readonly rotateOnCheckIn: boolean;
    readonly approvedAt: string | null;
    readonly activateBy: string | null;
    readonly activatedAt: string | null;
    readonly endsAt: string | null;
  } | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly closedAt: string | null;
  readonly history: readonly Transition[];
}

export interface Notification {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly requestId: string;
  readonly createdAt: string;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export type RequestScope = 'mine' | 'approvals' | 'decided' | 'all';

export interface RequestQuery {
  readonly scope: RequestScope;
  readonly status?: RequestStatus | undefined;
  readonly limit?: number;
  readonly cursor?: string | undefined;
}

export const listRequests = (query: RequestQuery) =>
  api<Page<AccessRequest>>('/v1/access-requests', { query: { ...query } });

/** Requests made per UTC day (oldest first, today last), counted by the API at any volume. */
export const getAccessActivity = (scope: 'mine' | 'all', days: number) =>
  api<{ scope: 'mine' | 'all'; days: readonly { day: string; requests: number }[] }>('/v1/access-activity', {
    query: { scope, days },
  });

export const listMyReleases = () => api<{ items: readonly Release[] }>('/v1/releases');

export const listNotifications = (limit: number) =>
  api<Page<Notification>>('/v1/notifications', { query: { limit } });

/**
 * Requests of one scope, following the cursor until `maxItems` are in hand or `maxPages` were read.
 * The API filters after it reads a page (a page may hold fewer items than asked, yet have a next
 * one), so one page is not always enough to see everything.
 */
export async function collectRequests(
  query: Omit<RequestQuery, 'cursor' | 'limit'>,
  { maxItems, maxPages }: { maxItems: number; maxPages: number },
): Promise<{ items: AccessRequest[]; complete: boolean }> {
  const items: AccessRequest[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await listRequests({ ...query, limit: Math.min(200, maxItems), cursor });
    items.push(...result.items);
    cursor = result.nextCursor;
    if (!cursor) return { items: items.slice(0, maxItems), complete: items.length <= maxItems };
    if (items.length >= maxItems) break;
  }
  return { items: items.slice(0, maxItems), complete: false };
}

/** Request ids are `req_` + a ULID; anything else in a URL is ignored. */
export const isRequestId = (value: unknown): value is string =>
  typeof value === 'string' && /^req_[0-9A-HJKMNP-TV-Z]{26}$/.test(value);

export const isReleaseId = (value: unknown): value is string =>
  typeof value === 'string' && /^rel_[0-9A-HJKMNP-TV-Z]{26}$/.test(value);

export function approvalsSoFar(request: AccessRequest): Decision[] {
  return request.approval.decisions.filter((d) => d.decision === 'approve');
}

export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const hoursText = hours === 1 ? '1 hour' : `${hours} hours`;
  return rest ? `${hoursText} ${rest} min` : hoursText;
}
