import Link from 'next/link';
import { unstable_rethrow } from 'next/navigation';
import { EmptyState, ErrorNotice, StatusBadge, Time } from '@/components/ui';
import { ApiProblem } from '@/lib/api-problem';
import { type AccessRequest, listRequests, type Page } from '../releases/access-data';
import styles from './approvals.module.css';

/**
 * "Decided recently" on the approvals page: the requests the signed-in user approved or denied,
 * newest decision first (`GET /v1/access-requests?scope=decided`), one page at a time. Server
 * rendered; nothing here ships JavaScript.
 */

export const decidedPageSize = 20;
/** The query parameter that carries this list's cursor (the page has its own parameters). */
export const decidedCursorParam = 'decided';

export type DecidedListing =
  | { kind: 'page'; page: Page<AccessRequest> }
  | { kind: 'stale-cursor' }
  | { kind: 'failed' };

export async function loadDecided(cursor: string | undefined): Promise<DecidedListing> {
  try {
    return { kind: 'page', page: await listRequests({ scope: 'decided', limit: decidedPageSize, cursor }) };
  } catch (error) {
    unstable_rethrow(error);
    if (error instanceof ApiProblem && error.status === 400 && error.fieldErrors.cursor)
      return { kind: 'stale-cursor' };
    return { kind: 'failed' };
  }
}

const relative = new Intl.RelativeTimeFormat('en-GB', { numeric: 'auto' });
const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/** "5 minutes ago", "yesterday", "just now" (as of this render). */
export function relativeTime(at: string, now: number): string {
  const seconds = Math.round((Date.parse(at) - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds / 60), 'minute');
}

const hrefOf = (cursor?: string) =>
  `/approvals${cursor ? `?${decidedCursorParam}=${encodeURIComponent(cursor)}` : ''}#decided-heading`;

interface DecidedProps {
  readonly listing: DecidedListing;
  readonly userId: string;
  readonly cursor: string | undefined;
}

export function DecidedRecently({ listing, userId, cursor }: DecidedProps) {
  return (
    <section className={styles.decided} aria-labelledby="decided-heading">
      <h2 id="decided-heading">Decided recently</h2>
      <DecidedBody listing={listing} userId={userId} cursor={cursor} />
    </section>
  );
}

function DecidedBody({ listing, userId, cursor }: DecidedProps) {
  if (listing.kind === 'failed') {
    return (
      <ErrorNotice title="Your decisions could not be loaded">
        <p className={styles.flush}>Reload the page to try again.</p>
      </ErrorNotice>
    );
  }
  if (listing.kind === 'stale-cursor') {
    return (
      <EmptyState title="This page of decisions is no longer available">
        <Link href={hrefOf()} prefetch={false}>
          Show your newest decisions
        </Link>
      </EmptyState>
    );
  }
  const { items, nextCursor } = listing.page;
  const now = Date.now();
  return (
    <>
      {items.length === 0 ? (
        <EmptyState title={cursor ? 'No older decisions' : 'You have not decided any request yet'}>
          {cursor
            ? 'Every request you decided is on the pages before this one.'
            : 'Requests you approve or deny show here, newest first, with your comment and what became of them.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table>
            <caption>
              Requests you approved or denied, newest decision first
              {cursor ? ' (older decisions)' : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Decided</th>
                <th scope="col">Requester</th>
                <th scope="col">Account</th>
                <th scope="col">Your decision</th>
                <th scope="col">Status now</th>
              </tr>
            </thead>
            <tbody>
              {items.map((request) => (
                <DecidedRow key={request.id} request={request} userId={userId} now={now} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor || nextCursor ? (
        <nav className="pagination" aria-label="Pages of your decisions">
          {cursor ? (
            <Link href={hrefOf()} prefetch={false}>
              Newest decisions
            </Link>
          ) : null}
          {nextCursor ? (
            <Link href={hrefOf(nextCursor)} prefetch={false} rel="next">
              Older decisions
            </Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}

function DecidedRow({ request, userId, now }: { request: AccessRequest; userId: string; now: number }) {
  const mine = request.approval.decisions.find((d) => d.approverId === userId);
  return (
    <tr>
      <td>
        {mine ? (
          <>
            <span className={styles.block}>{relativeTime(mine.at, now)}</span>
            <span className="small muted">
              <Time value={mine.at} />
            </span>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>{request.requesterName}</td>
      <td>{request.accountName}</td>
      <td>
        {mine ? (
          <>
            <span className={`badge badge-${mine.decision === 'approve' ? 'success' : 'danger'}`}>
              {mine.decision === 'approve' ? 'Approved' : 'Denied'}
            </span>
            <span className={`small ${styles.block}`}>{`“${mine.comment}”`}</span>
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <StatusBadge status={request.status} />
      </td>
    </tr>
  );
}
