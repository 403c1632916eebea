import type { Metadata } from 'next';
import Link from 'next/link';
import { unstable_rethrow } from 'next/navigation';
import type { ReactNode } from 'react';
import { ActionForm, SubmitButton } from '@/components/action-form';
import { Countdown } from '@/components/countdown';
import { SecretReveal } from '@/components/secret-reveal';
import { Definition, EmptyState, PageHeader, Pagination, StatusBadge, Time } from '@/components/ui';
import { ApiProblem, api, can, requireSession } from '@/lib/api';
import styles from './access.module.css';
import {
  type AccessRequest,
  collectRequests,
  formatMinutes,
  isReleaseId,
  isRequestId,
  listMyReleases,
  listRequests,
  type Release,
  type RequestStatus,
} from './access-data';
import {
  activateReleaseAction,
  cancelRequestAction,
  checkInReleaseAction,
  revealCredentialAction,
} from './actions';
import { ApprovalProgress, ReleaseTypeLabel } from './parts';

export const metadata: Metadata = { title: 'My access' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const statuses: readonly RequestStatus[] = [
  'requested',
  'approved',
  'active',
  'checked-in',
  'denied',
  'cancelled',
  'expired',
  'revoked',
];
const endedStatuses: readonly RequestStatus[] = ['checked-in', 'expired', 'revoked'];
const pageSize = 25;

const one = (value: string | string[] | undefined) => (typeof value === 'string' ? value : undefined);
const requestIdOfRelease = (releaseId: string) => `req_${releaseId.slice(4)}`;

async function requestOrNull(requestId: string): Promise<AccessRequest | null> {
  try {
    return await api<AccessRequest>(`/v1/access-requests/${requestId}`);
  } catch (error) {
    unstable_rethrow(error);
    return null;
  }
}

/** Whether the account holds an SSH key (only to word the reveal button); unknown counts as no. */
async function holdsKey(accountId: string): Promise<boolean> {
  try {
    const account = await api<{ kind: string }>(`/v1/accounts/${accountId}`);
    return account.kind === 'ssh-key';
  } catch (error) {
    unstable_rethrow(error);
    return false;
  }
}

async function Notices({ params }: { params: Record<string, string | string[] | undefined> }) {
  const requested = one(params.requested);
  const activated = one(params.activated);
  const checkedIn = one(params.checkedIn);
  const cancelled = one(params.cancelled);
  const notices: ReactNode[] = [];

  if (isRequestId(requested)) {
    const request = await requestOrNull(requested);
    if (!request) notices.push('Your request was sent.');
    else if (request.status === 'active')
      notices.push(
        <>
          {`Your access to ${request.accountName} is active now, until `}
          <Time value={request.release?.endsAt} />. It is listed under “Active now”.
        </>,
      );
    else if (request.status === 'approved')
      notices.push(
        `Your request for ${request.accountName} is approved. Start it under “Approved, waiting to start” once the account is free.`,
      );
    else if (request.status === 'requested') {
      const needed = request.approval.required;
      notices.push(
        `Your request for ${request.accountName} is waiting for approval (${needed} ${needed === 1 ? 'approval' : 'approvals'} needed). You will be notified of the decision.`,
      );
    } else notices.push(`Your request for ${request.accountName} is ${request.status}.`);
  }
  if (isReleaseId(activated)) {
    const request = await requestOrNull(requestIdOfRelease(activated));
    notices.push(
      request ? (
        <>
          {`Your access to ${request.accountName} has started and ends `}
          <Time value={request.release?.endsAt} />.
        </>
      ) : (
        'Your access has started.'
      ),
    );
  }
  if (isReleaseId(checkedIn)) {
    const request = await requestOrNull(requestIdOfRelease(checkedIn));
    const rotates = request?.release?.rotateOnCheckIn ?? false;
    notices.push(
      `You checked in ${request ? request.accountName : 'the account'}; your access has ended.` +
        (rotates
          ? request?.release?.type === 'reveal'
            ? ' Its credential is changed now, so the one you saw stops working.'
            : ' Its credential is changed now.'
          : ''),
    );
  }
  if (isRequestId(cancelled)) {
    const request = await requestOrNull(cancelled);
    notices.push(`Your request${request ? ` for ${request.accountName}` : ''} is cancelled.`);
  }
  return (
    <>
      {notices.map((notice, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the notices are fixed for this render
        <p key={index} className="notice notice-success" role="status">
          {notice}
        </p>
      ))}
    </>
  );
}

function ActiveRelease({
  release,
  request,
  csrf,
  keyCredential,
}: {
  release: Release;
  request: AccessRequest | undefined;
  csrf: string;
  keyCredential: boolean;
}) {
  return (
    <article className="card stack" aria-labelledby={`${release.id}-title`}>
      <h3 id={`${release.id}-title`}>{release.accountName}</h3>
      <Definition
        items={[
          ['Status', <StatusBadge key="status" status={release.status} />],
          [
            'Time left',
            release.endsAt ? (
              <span key="left">
                <Countdown until={release.endsAt} />
                <span className="muted small">
                  {' · ends '}
                  <Time value={release.endsAt} />
                </span>
              </span>
            ) : (
              '—'
            ),
          ],
          ['Started', <Time key="started" value={release.activatedAt} />],
          ['Access', <ReleaseTypeLabel key="type" type={release.type} />],
          ['Exclusive', release.exclusive ? 'Yes, no one else can check it out' : 'No'],
        ]}
      />
      {release.type === 'reveal' ? (
        <SecretReveal
          releaseId={release.id}
          csrf={csrf}
          accountName={release.accountName}
          keyCredential={keyCredential}
          reveal={revealCredentialAction}
        />
      ) : (
        <p className="notice notice-info">
          This credential is only for session injection: the session proxy signs you in with it, and it is
          never shown to you.
        </p>
      )}
      <ActionForm className="stack" action={checkInReleaseAction.bind(null, release.id)} csrf={csrf}>
        <p className={`small muted ${styles.flush}`}>
          Check in when you are done: your access ends now.
          {request?.release?.rotateOnCheckIn ? ' The credential is changed right after.' : ''}
        </p>
        <div className="button-row">
          <SubmitButton variant="secondary" pendingLabel="Checking in…">
            Check in<span className="visually-hidden">{` ${release.accountName}`}</span>
          </SubmitButton>
        </div>
      </ActionForm>
    </article>
  );
}

function WaitingRelease({ release, csrf }: { release: Release; csrf: string }) {
  return (
    <article className="card stack" aria-labelledby={`${release.id}-title`}>
      <h3 id={`${release.id}-title`}>{release.accountName}</h3>
      <Definition
        items={[
          ['Status', <StatusBadge key="status" status={release.status} />],
          [
            'Start by',
            release.activateBy ? (
              <span key="by">
                <Time value={release.activateBy} />
                <span className="muted small">
                  {' · '}
                  <Countdown until={release.activateBy} />
                </span>
              </span>
            ) : (
              '—'
            ),
          ],
          ['Access', <ReleaseTypeLabel key="type" type={release.type} />],
        ]}
      />
      <ActionForm className="stack" action={activateReleaseAction.bind(null, release.id)} csrf={csrf}>
        <p className={`small muted ${styles.flush}`}>
          Approved while another exclusive release held the account. Start it once the account is free; the
          time you asked for starts then.
        </p>
        <div className="button-row">
          <SubmitButton pendingLabel="Activating…">
            Activate<span className="visually-hidden">{` ${release.accountName}`}</span>
          </SubmitButton>
        </div>
      </ActionForm>
    </article>
  );
}

function EndedTable({ requests }: { requests: readonly AccessRequest[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Releases that ended</caption>
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Status</th>
            <th scope="col">Access</th>
            <th scope="col">Started</th>
            <th scope="col">Ended</th>
          </tr>
        </thead>
        <tbody>
          {requests.map((request) => (
            <tr key={request.id}>
              <td>{request.accountName}</td>
              <td>
                <StatusBadge status={request.status} />
              </td>
              <td>{request.release ? <ReleaseTypeLabel type={request.release.type} /> : '—'}</td>
              <td>
                {request.release?.activatedAt ? (
                  <Time value={request.release.activatedAt} />
                ) : (
                  <span className="muted">Never started</span>
                )}
              </td>
              <td>
                <Time value={request.closedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RequestsTable({ requests, csrf }: { requests: readonly AccessRequest[]; csrf: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">My access requests, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Status</th>
            <th scope="col">Requested</th>
            <th scope="col">Duration</th>
            <th scope="col">Reason and ticket</th>
            <th scope="col">Approvals</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {requests.map((request) => (
            <tr key={request.id}>
              <td>{request.accountName}</td>
              <td>
                <StatusBadge status={request.status} />
              </td>
              <td>
                <Time value={request.createdAt} />
              </td>
              <td>{formatMinutes(request.durationMinutes)}</td>
              <td>
                {request.reason ?? <span className="muted">—</span>}
                {request.ticketId ? <div className="muted small">{`Ticket ${request.ticketId}`}</div> : null}
              </td>
              <td>
                <ApprovalProgress request={request} />
              </td>
              <td>
                {request.status === 'requested' ? (
                  <ActionForm action={cancelRequestAction.bind(null, request.id)} csrf={csrf}>
                    <SubmitButton variant="secondary" pendingLabel="Cancelling…">
                      Cancel
                      <span className="visually-hidden">{` the request for ${request.accountName}`}</span>
                    </SubmitButton>
                  </ActionForm>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default async function MyAccessPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSession();
  const params = await searchParams;
  const cursor = one(params.cursor);
  const statusParam = one(params.status);
  const status = statuses.find((s) => s === statusParam);

  const [releases, recent, page] = await Promise.all([
    listMyReleases(),
    collectRequests({ scope: 'mine' }, { maxItems: 100, maxPages: 1 }),
    listRequests({ scope: 'mine', status, limit: pageSize, cursor }).catch((error: unknown) => {
      // A page link from an older visit (its cursor no longer valid): say so instead of failing.
      if (cursor && error instanceof ApiProblem && error.status === 400) return null;
      throw error;
    }),
  ]);
  const active = releases.items.filter((r) => r.status === 'active');
  const waiting = releases.items.filter((r) => r.status === 'approved');
  const ended = recent.items.filter((r) => r.release && endedStatuses.includes(r.status)).slice(0, 10);
  const requestOf = new Map(recent.items.map((r) => [r.id, r]));
  const keyAccounts = new Set(
    (
      await Promise.all(
        active
          .filter((r) => r.type === 'reveal')
          .map(async (r) => ((await holdsKey(r.accountId)) ? r.accountId : null)),
      )
    ).filter(Boolean),
  );

  return (
    <>
      <PageHeader
        title="My access"
        description="Accounts you hold now, approvals waiting to start, and every request you made."
        actions={
          can(session, 'account:read') ? (
            <Link href="/accounts" className="button button-primary" prefetch={false}>
              Request access
            </Link>
          ) : null
        }
      />
      <Notices params={params} />

      <section aria-labelledby="active-heading">
        <h2 id="active-heading">Active now</h2>
        {active.length === 0 ? (
          <EmptyState title="You hold no access right now">
            Request access to an account from{' '}
            <Link href="/accounts" prefetch={false}>
              Accounts
            </Link>
            ; once it is approved it shows here with the time left.
          </EmptyState>
        ) : (
          <div className="grid">
            {active.map((release) => (
              <ActiveRelease
                key={release.id}
                release={release}
                request={requestOf.get(release.requestId)}
                csrf={session.csrfToken}
                keyCredential={keyAccounts.has(release.accountId)}
              />
            ))}
          </div>
        )}
      </section>

      {waiting.length > 0 ? (
        <section aria-labelledby="waiting-heading">
          <h2 id="waiting-heading">Approved, waiting to start</h2>
          <div className="grid">
            {waiting.map((release) => (
              <WaitingRelease key={release.id} release={release} csrf={session.csrfToken} />
            ))}
          </div>
        </section>
      ) : null}

      <section aria-labelledby="ended-heading">
        <h2 id="ended-heading">Ended recently</h2>
        {ended.length === 0 ? (
          <EmptyState title="No ended access yet">
            Access you checked in, that expired or that was revoked is listed here.
          </EmptyState>
        ) : (
          <EndedTable requests={ended} />
        )}
      </section>

      <section aria-labelledby="requests-heading">
        <h2 id="requests-heading">My requests</h2>
        <form className="filters" method="get" action="/releases" aria-label="Filter my requests">
          <div className="field">
            <label htmlFor="status-filter">Status</label>
            <select id="status-filter" name="status" defaultValue={status ?? ''}>
              <option value="">Any status</option>
              {statuses.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button button-secondary">
            Show
          </button>
        </form>
        {page === null ? (
          <p className="notice notice-info" role="status">
            {'This page of requests is no longer available. '}
            <Link href={status ? `/releases?status=${status}` : '/releases'} prefetch={false}>
              Go to the first page
            </Link>
            .
          </p>
        ) : page.items.length === 0 ? (
          <EmptyState
            title={status ? `No ${status} requests on this page` : 'You have not requested access yet'}
          >
            {status || cursor
              ? 'Try another status, or go back to the first page.'
              : 'Requests you make from Accounts are listed here with their decisions.'}
          </EmptyState>
        ) : (
          <RequestsTable requests={page.items} csrf={session.csrfToken} />
        )}
        <Pagination
          basePath="/releases"
          params={{ status }}
          nextCursor={page?.nextCursor}
          hasPrevious={Boolean(cursor)}
        />
      </section>
    </>
  );
}
