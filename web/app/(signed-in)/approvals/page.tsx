import type { Metadata } from 'next';
import { unstable_rethrow } from 'next/navigation';
import { ActionForm, TextAreaField } from '@/components/action-form';
import { Countdown } from '@/components/countdown';
import { Definition, EmptyState, PageHeader, Time } from '@/components/ui';
import { api, requireSession } from '@/lib/api';
import styles from '../releases/access.module.css';
import {
  type AccessRequest,
  approvalsSoFar,
  collectRequests,
  formatMinutes,
  isRequestId,
} from '../releases/access-data';
import { ApprovalProgress } from '../releases/parts';
import { decideAction } from './actions';
import { DecidedRecently, decidedCursorParam, loadDecided } from './decided';
import { DecisionButtons } from './decision-buttons';

export const metadata: Metadata = { title: 'Approvals' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const shownAtMost = 100;
const requestedAt = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'UTC',
});

async function DecisionNotice({ requestId, decision }: { requestId: string; decision: 'approve' | 'deny' }) {
  let request: AccessRequest | null = null;
  try {
    request = await api<AccessRequest>(`/v1/access-requests/${requestId}`);
  } catch (error) {
    unstable_rethrow(error);
    request = null;
  }
  let text: string;
  if (!request) text = decision === 'approve' ? 'Your approval is recorded.' : 'The request is denied.';
  else {
    const whose = `${request.requesterName}’s request for ${request.accountName}`;
    if (decision === 'deny') text = `You denied ${whose}. They are notified.`;
    else if (request.status === 'active') text = `You approved ${whose}. The access has started.`;
    else if (request.status === 'approved')
      text = `You approved ${whose}. It starts once the account is free (someone else holds it now).`;
    else if (request.status === 'requested') {
      const missing = request.approval.required - approvalsSoFar(request).length;
      text = `Your approval of ${whose} is recorded. It needs ${missing} more ${missing === 1 ? 'approval' : 'approvals'}.`;
    } else text = `You approved ${whose}; it is now ${request.status}.`;
  }
  return (
    <p className="notice notice-success" role="status">
      {text}
    </p>
  );
}

function PendingRequest({ request, csrf }: { request: AccessRequest; csrf: string }) {
  const subject = `${request.requesterName}’s request for ${request.accountName}`;
  const decided = request.approval.decisions;
  return (
    <article className="card stack" aria-labelledby={`${request.id}-title`}>
      <h3 id={`${request.id}-title`}>
        {request.accountName}
        <span className="muted small">{` · requested by ${request.requesterName}`}</span>
      </h3>
      <Definition
        items={[
          ['Requester', request.requesterName],
          ['Account', request.accountName],
          ['Reason', request.reason ?? <span className="muted">None given</span>],
          ['Ticket', request.ticketId ?? <span className="muted">None</span>],
          ['Duration asked for', formatMinutes(request.durationMinutes)],
          ['Requested', <Time key="requested" value={request.createdAt} />],
          [
            'Expires undecided',
            <span key="expires">
              <Countdown until={request.expiresAt} label="left to decide" />
              <span className="muted small">
                {' · '}
                <Time value={request.expiresAt} />
              </span>
            </span>,
          ],
          ['Approvals so far', <ApprovalProgress key="progress" request={request} />],
        ]}
      />
      {decided.length > 0 ? (
        <ul className={`small ${styles.decisions}`}>
          {decided.map((d) => (
            <li key={`${d.approverId}-${d.at}`}>
              {`${d.approverName} ${d.decision === 'approve' ? 'approved' : 'denied'} `}
              <Time value={d.at} />
              {`: “${d.comment}”`}
            </li>
          ))}
        </ul>
      ) : null}
      <ActionForm
        action={decideAction.bind(null, request.id)}
        csrf={csrf}
        label={`Decide on ${subject}, requested ${requestedAt.format(new Date(request.createdAt))} UTC`}
      >
        <div className="stack">
          <TextAreaField
            name="comment"
            label="Comment"
            required
            maxLength={500}
            rows={2}
            hint="Say why. The requester sees it and the audit trail keeps it."
          />
          <DecisionButtons subject={subject} />
        </div>
      </ActionForm>
    </article>
  );
}

export default async function ApprovalsPage({ searchParams }: { searchParams: SearchParams }) {
  const session = await requireSession();
  const params = await searchParams;
  const approved = typeof params.approved === 'string' ? params.approved : undefined;
  const denied = typeof params.denied === 'string' ? params.denied : undefined;
  const decidedCursor =
    typeof params[decidedCursorParam] === 'string' ? params[decidedCursorParam] : undefined;
  const [{ items, complete }, decided] = await Promise.all([
    collectRequests({ scope: 'approvals' }, { maxItems: shownAtMost, maxPages: 5 }),
    loadDecided(decidedCursor),
  ]);
  const waiting = [...items].sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));

  return (
    <>
      <PageHeader
        title="Approvals"
        description="Requests for access that wait for your decision, and those you decided recently. Each decision needs a comment."
      />
      {isRequestId(approved) ? <DecisionNotice requestId={approved} decision="approve" /> : null}
      {isRequestId(denied) ? <DecisionNotice requestId={denied} decision="deny" /> : null}
      <section aria-labelledby="waiting-heading">
        <h2 id="waiting-heading">
          Waiting for you{' '}
          <span className="badge badge-pending">{`${waiting.length}${complete ? '' : '+'}`}</span>
        </h2>
        {waiting.length === 0 ? (
          <EmptyState title="Nothing waits for your approval">
            When someone asks for access that your groups approve, the request shows here and you are
            notified.
          </EmptyState>
        ) : (
          <div className="stack">
            <p className={`muted small ${styles.flush}`}>
              {complete
                ? 'Soonest to expire first.'
                : `The ${waiting.length} newest are shown, soonest to expire first; decide these to see more.`}
            </p>
            {waiting.map((request) => (
              <PendingRequest key={request.id} request={request} csrf={session.csrfToken} />
            ))}
          </div>
        )}
      </section>
      <DecidedRecently listing={decided} userId={session.user.id} cursor={decidedCursor} />
    </>
  );
}
