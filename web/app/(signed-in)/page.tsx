import type { Metadata } from 'next';
import Link from 'next/link';
import { unstable_rethrow } from 'next/navigation';
import type { ReactNode } from 'react';
import { ActivityChart } from '@/components/activity-chart';
import { Countdown } from '@/components/countdown';
import { EmptyState, ErrorNotice, PageHeader, Time } from '@/components/ui';
import { can, requireSession } from '@/lib/api';
import type { SessionData } from '@/lib/session-cookie';
import styles from './releases/access.module.css';
import {
  type AccessRequest,
  collectRequests,
  getAccessActivity,
  listMyReleases,
  listNotifications,
  listRequests,
  type Notification,
} from './releases/access-data';
import { ApprovalProgress } from './releases/parts';

export const metadata: Metadata = { title: 'Home' };

const chartDays = 30;
const activityItems = 8;

/** A section's data, or the fact that it failed (one failing call does not take the page down). */
type Loaded<T> = { ok: true; value: T } | { ok: false };

async function load<T>(work: Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    unstable_rethrow(error);
    return { ok: false };
  }
}

/** Requests per day for the chart: the tenant's for overseers, otherwise the person's own. */
async function activity(session: SessionData) {
  const everyone = can(session, 'access-request:read-all');
  const result = await getAccessActivity(everyone ? 'all' : 'mine', chartDays);
  return {
    data: result.days.map(({ day, requests }) => ({ day, count: requests })),
    subject: everyone ? 'requests in your organisation' : 'your requests',
  };
}

interface ActivityItem {
  readonly key: string;
  readonly at: string;
  readonly text: string;
  readonly href: string;
}

/** What happened to my requests, in words: decisions, and state changes grouped by instant. */
function eventsOf(request: AccessRequest): ActivityItem[] {
  const account = request.accountName;
  const items: ActivityItem[] = [];
  const approvals = request.approval.decisions.filter((d) => d.decision === 'approve');
  for (const decision of request.approval.decisions) {
    const position = approvals.indexOf(decision) + 1;
    const progress =
      decision.decision === 'approve' && request.approval.required > 1
        ? ` (${position} of ${request.approval.required})`
        : '';
    items.push({
      key: `${request.id}-decision-${decision.approverId}-${decision.at}`,
      at: decision.at,
      text: `${decision.approverName} ${decision.decision === 'approve' ? 'approved' : 'denied'} your request for ${account}${progress}`,
      href: '/releases',
    });
  }
  const groups = new Map<string, AccessRequest['history'][number][]>();
  for (const transition of request.history) {
    groups.set(transition.at, [...(groups.get(transition.at) ?? []), transition]);
  }
  for (const [at, group] of groups) {
    const last = group.at(-1);
    if (!last) continue;
    let text: string | null = null;
    if (group.some((t) => t.from === null)) {
      text = `You requested ${account}`;
      if (last.to === 'active') text += ': approved automatically, access started';
      else if (last.to === 'approved') text += ': approved automatically';
    } else if (last.to === 'active') text = `Your access to ${account} started`;
    else if (last.to === 'cancelled') text = `You cancelled your request for ${account}`;
    else if (last.to === 'checked-in') text = `You checked in ${account}`;
    else if (last.to === 'revoked') text = `${last.actorName} revoked your access to ${account}`;
    else if (last.to === 'expired')
      text =
        last.from === 'active'
          ? `Your access to ${account} ended when its time was up`
          : last.from === 'approved'
            ? `Your approved access to ${account} was never started and lapsed`
            : `Your request for ${account} expired undecided`;
    // `approved` and `denied` are told by the decisions above.
    if (text) items.push({ key: `${request.id}-${at}-${last.to}`, at, text, href: '/releases' });
  }
  return items;
}

function recentActivity(
  mine: readonly AccessRequest[],
  notifications: readonly Notification[],
): ActivityItem[] {
  const myRequestIds = new Set(mine.map((r) => r.id));
  const items = mine.flatMap(eventsOf);
  for (const notification of notifications) {
    // Notifications about my own requests repeat what their history says.
    if (myRequestIds.has(notification.requestId)) continue;
    items.push({
      key: notification.id,
      at: notification.createdAt,
      text: notification.title,
      href: notification.kind === 'approval-requested' ? '/approvals' : '/releases',
    });
  }
  return items.sort((a, b) => b.at.localeCompare(a.at)).slice(0, activityItems);
}

function ActivityList({ items }: { items: readonly ActivityItem[] }) {
  if (items.length === 0)
    return <EmptyState title="Nothing happened yet">Your requests and decisions show here.</EmptyState>;
  return (
    <ul className={styles.list}>
      {items.map((item) => (
        <li key={item.key}>
          <Link href={item.href} prefetch={false}>
            {item.text}
          </Link>
          <div className="small muted">
            <Time value={item.at} />
          </div>
        </li>
      ))}
    </ul>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card stack" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

const failed = (what: string) => (
  <ErrorNotice title={`Could not load ${what}`}>
    <p>Reload the page to try again.</p>
  </ErrorNotice>
);

export default async function HomePage() {
  const session = await requireSession();
  const [releases, pending, approvals, mine, notifications, chart] = await Promise.all([
    load(listMyReleases()),
    load(collectRequests({ scope: 'mine', status: 'requested' }, { maxItems: 50, maxPages: 3 })),
    load(collectRequests({ scope: 'approvals' }, { maxItems: 100, maxPages: 5 })),
    load(listRequests({ scope: 'mine', limit: 10 })),
    load(listNotifications(20)),
    load(activity(session)),
  ]);
  const active = releases.ok ? releases.value.items.filter((r) => r.status === 'active') : [];
  const waitingToStart = releases.ok ? releases.value.items.filter((r) => r.status === 'approved') : [];

  return (
    <>
      <PageHeader
        title={`Welcome, ${session.user.displayName}`}
        description={`Your access in ${session.user.tenantName} at a glance.`}
      />
      <div className="stack">
        <div className={styles.overview}>
          <Section id="active-access" title="Active access">
            {!releases.ok ? (
              failed('your access')
            ) : active.length === 0 ? (
              <EmptyState title="No active access">
                Ask for access from{' '}
                <Link href="/accounts" prefetch={false}>
                  Accounts
                </Link>
                .
              </EmptyState>
            ) : (
              <ul className={styles.list}>
                {active.map((release) => (
                  <li key={release.id}>
                    <Link href="/releases" prefetch={false}>
                      {release.accountName}
                    </Link>
                    <div className="small">
                      {release.endsAt ? <Countdown until={release.endsAt} /> : null}
                      <span className="muted">
                        {' left · ends '}
                        <Time value={release.endsAt} />
                      </span>
                    </div>
                  </li>
                ))}
              </ul>
            )}
            {waitingToStart.length > 0 ? (
              <p className={`small ${styles.flush}`}>
                <Link href="/releases" prefetch={false}>
                  {`${waitingToStart.length} approved ${waitingToStart.length === 1 ? 'release waits' : 'releases wait'} for you to start ${waitingToStart.length === 1 ? 'it' : 'them'}`}
                </Link>
              </p>
            ) : null}
            {releases.ok && active.length > 0 ? (
              <p className={`small ${styles.flush}`}>
                <Link href="/releases" prefetch={false}>
                  Show passwords and check in on My access
                </Link>
              </p>
            ) : null}
          </Section>

          <Section id="waiting-approval" title="Waiting for my approval">
            {!approvals.ok ? (
              failed('the requests waiting for you')
            ) : approvals.value.items.length === 0 ? (
              <EmptyState title="Nothing waits for your approval" />
            ) : (
              <>
                <p className={styles.flush}>
                  <span className="badge badge-pending">
                    {`${approvals.value.items.length}${approvals.value.complete ? '' : '+'}`}
                  </span>
                  {` ${approvals.value.items.length === 1 ? 'request waits' : 'requests wait'} for your decision.`}
                </p>
                <ul className={styles.list}>
                  {approvals.value.items.slice(0, 3).map((request) => (
                    <li key={request.id}>
                      {`${request.requesterName} → ${request.accountName}`}
                      <div className="small muted">
                        {'Expires in '}
                        <Countdown until={request.expiresAt} label="left to decide" />
                      </div>
                    </li>
                  ))}
                </ul>
                <p className={styles.flush}>
                  <Link href="/approvals" prefetch={false} className="button button-primary button-small">
                    {`Open approvals (${approvals.value.items.length}${approvals.value.complete ? '' : '+'})`}
                  </Link>
                </p>
              </>
            )}
          </Section>

          <Section id="my-pending" title="My pending requests">
            {!pending.ok ? (
              failed('your pending requests')
            ) : pending.value.items.length === 0 ? (
              <EmptyState title="No request waits for a decision" />
            ) : (
              <>
                <ul className={styles.list}>
                  {pending.value.items.slice(0, 5).map((request) => (
                    <li key={request.id}>
                      {request.accountName}
                      <div className="small muted">
                        {'Requested '}
                        <Time value={request.createdAt} />
                        {' · '}
                        <ApprovalProgress request={request} />
                      </div>
                    </li>
                  ))}
                </ul>
                <p className={`small ${styles.flush}`}>
                  <Link href="/releases?status=requested" prefetch={false}>
                    {pending.value.items.length > 5
                      ? `All ${pending.value.items.length}${pending.value.complete ? '' : '+'} pending requests`
                      : 'Manage them on My access'}
                  </Link>
                </p>
              </>
            )}
          </Section>

          <Section id="recent-activity" title="Recent activity">
            {!mine.ok || !notifications.ok ? (
              failed('your recent activity')
            ) : (
              <ActivityList items={recentActivity(mine.value.items, notifications.value.items)} />
            )}
          </Section>
        </div>

        <section className="card stack" aria-labelledby="activity-chart">
          <h2 id="activity-chart">{`Access activity, last ${chartDays} days`}</h2>
          {!chart.ok ? (
            failed('the activity')
          ) : chart.value.data.every((d) => d.count === 0) ? (
            <EmptyState title="No requests in the last 30 days">
              {`The chart counts ${chart.value.subject} per day once there are some.`}
            </EmptyState>
          ) : (
            <ActivityChart data={chart.value.data} subject={chart.value.subject} />
          )}
        </section>
      </div>
    </>
  );
}
