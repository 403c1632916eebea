import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Definition, PageHeader, StatusBadge, Time } from '@/components/ui';
import { can, requireSession } from '@/lib/api';
import { NoAccess } from '../../users/_components/route-states';
import { getOrNull, listAllIfAllowed, searchValue, type User } from '../../users/_lib/identity';
import { PolicyForm } from '../_components/policy-form';
import { policyOptions, timeZones } from '../_lib/options';
import {
  type AccessPolicy,
  approvalText,
  aspectChanges,
  conditionAspects,
  conditionsText,
  draftFromPolicy,
  formatMinutes,
  joinAnd,
  type Names,
  namesFrom,
  policyIdPattern,
  releaseAspects,
  selectorText,
} from '../_lib/policy';
import styles from '../policy.module.css';
import { updatePolicyAction } from './actions';

export const metadata: Metadata = { title: 'Access policy' };

interface Account {
  readonly id: string;
  readonly username: string;
  readonly systemName: string;
}

/** `username@system` of the accounts policies name by id (at most 100 looked up). */
async function accountNames(policies: readonly AccessPolicy[]): Promise<Map<string, string>> {
  const ids = [
    ...new Set(
      policies.flatMap((policy) =>
        policy.selectors.flatMap((selector) => (selector.type === 'accounts' ? selector.accountIds : [])),
      ),
    ),
  ].slice(0, 100);
  const found = await Promise.all(
    ids.map((id) => getOrNull<Account>(`/v1/accounts/${encodeURIComponent(id)}`).catch(() => null)),
  );
  return new Map(
    found.flatMap((account) => (account ? [[account.id, `${account.username}@${account.systemName}`]] : [])),
  );
}

interface Change {
  readonly label: string;
  readonly text: string;
}

/** What a version changed compared with the one before, in words. */
function changesBetween(current: AccessPolicy, previous: AccessPolicy, names: Names): Change[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const arrow = (before: string, after: string) => (before === after ? after : `${before} → ${after}`);
  const changes: Change[] = [];
  if (current.name !== previous.name)
    changes.push({ label: 'Name', text: arrow(previous.name, current.name) });
  if (current.description !== previous.description) changes.push({ label: 'Description', text: 'rewritten' });
  if (current.priority !== previous.priority)
    changes.push({ label: 'Priority', text: arrow(String(previous.priority), String(current.priority)) });
  if (current.status !== previous.status)
    changes.push({ label: 'Status', text: arrow(previous.status, current.status) });
  if (!same(current.requesterGroupIds, previous.requesterGroupIds)) {
    const text = (policy: AccessPolicy) => joinAnd(policy.requesterGroupIds.map(names.group));
    changes.push({ label: 'Who may request', text: arrow(text(previous), text(current)) });
  }
  if (!same(current.selectors, previous.selectors)) {
    const before = previous.selectors.map((s) => selectorText(s, names, true));
    const after = current.selectors.map((s) => selectorText(s, names, true));
    const added = after.filter((text) => !before.includes(text));
    const removed = before.filter((text) => !after.includes(text));
    const text = [
      added.length ? `added ${added.join('; ')}` : null,
      removed.length ? `removed ${removed.join('; ')}` : null,
    ].filter(Boolean);
    changes.push({ label: 'Which accounts', text: text.length ? text.join('; ') : 'reordered' });
  }
  if (!same(current.approval, previous.approval))
    changes.push({
      label: 'Approval',
      text: arrow(approvalText(previous.approval, names), approvalText(current.approval, names)),
    });
  if (!same(current.conditions, previous.conditions))
    changes.push({
      label: 'When and from where',
      text: aspectChanges(conditionAspects(previous.conditions), conditionAspects(current.conditions)),
    });
  if (!same(current.release, previous.release))
    changes.push({
      label: 'Release',
      text: aspectChanges(releaseAspects(previous.release), releaseAspects(current.release)),
    });
  return changes;
}

export default async function AccessPolicyPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  if (!can(session, 'access-policy:read'))
    return <NoAccess title="Access policy" permission="access-policy:read" />;
  const { id } = await params;
  if (!policyIdPattern.test(id)) notFound();
  const [policy, versions, options, users] = await Promise.all([
    getOrNull<AccessPolicy>(`/v1/access-policies/${id}`),
    getOrNull<{ items: AccessPolicy[] }>(`/v1/access-policies/${id}/versions`),
    policyOptions(session),
    can(session, 'user:read') ? listAllIfAllowed<User>('/v1/users') : Promise.resolve(null),
  ]);
  if (!policy) notFound();
  const history = versions?.items ?? [policy];
  const names = namesFrom(
    options.groups,
    options.systems,
    options.accountGroups,
    await accountNames([policy, ...history]),
  );
  const userName = (userId: string) => users?.items.find((user) => user.id === userId)?.displayName ?? userId;
  const saved = searchValue((await searchParams).saved);
  const mayUpdate = can(session, 'access-policy:update');
  const { release } = policy;
  return (
    <>
      <nav aria-label="Breadcrumb" className="small">
        <Link href="/admin/access-policies" prefetch={false}>
          Access policies
        </Link>{' '}
        / {policy.name}
      </nav>
      <PageHeader title={policy.name} description={policy.description || undefined} />
      {saved ? (
        <p className="notice notice-success" role="status">
          {saved === '1' ? 'Policy created (version 1).' : `Saved as version ${saved}.`} New requests use it
          at once; requests already made keep the version they were made under.
        </p>
      ) : null}
      <ul className={styles.jumpLinks} aria-label="On this page">
        <li>
          <a href="#summary">Summary</a>
        </li>
        <li>
          <a href="#history">Version history</a>
        </li>
        {mayUpdate ? (
          <li>
            <a href="#change">Change this policy</a>
          </li>
        ) : null}
      </ul>

      <section aria-labelledby="summary" className="card">
        <h2 id="summary">Summary (version {policy.version})</h2>
        <Definition
          items={[
            ['Status', <StatusBadge key="status" status={policy.status} />],
            ['Priority', String(policy.priority)],
            [
              'Last changed',
              <span key="changed">
                <Time value={policy.updatedAt} /> by {userName(policy.updatedBy)}
              </span>,
            ],
            ['Who may request', joinAnd(policy.requesterGroupIds.map(names.group))],
            [
              'Which accounts',
              <ul key="selectors" className={styles.summaryList}>
                {policy.selectors.map((selector, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: selectors have no id; their order is fixed
                  <li key={index}>{selectorText(selector, names, true)}</li>
                ))}
              </ul>,
            ],
            ['Approval', approvalText(policy.approval, names)],
            ['When and from where', conditionsText(policy.conditions)],
            ['Release', release.type === 'reveal' ? 'Reveal the credential' : 'Inject into sessions only'],
            [
              'Duration',
              `${formatMinutes(release.defaultMinutes)} by default, at most ${formatMinutes(release.maxMinutes)}`,
            ],
            [
              'Rules',
              [
                release.exclusive ? 'one holder at a time' : 'several holders at once',
                release.rotateOnCheckIn ? 'rotated at check-in' : 'not rotated at check-in',
                release.requireReason ? 'reason required' : 'reason optional',
                release.ticket.required
                  ? `ticket required${release.ticket.pattern ? ` matching ${release.ticket.pattern}` : ''}`
                  : 'ticket optional',
                release.ticket.validationUrl ? `tickets checked at ${release.ticket.validationUrl}` : null,
              ]
                .filter(Boolean)
                .join('; '),
            ],
            ['Approval wait', formatMinutes(release.requestTimeoutMinutes)],
          ]}
        />
      </section>

      <section aria-labelledby="history" className={styles.sectionSpacing}>
        <h2 id="history">Version history</h2>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Versions of {policy.name}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Saved</th>
                <th scope="col">By</th>
                <th scope="col">What changed</th>
              </tr>
            </thead>
            <tbody>
              {history.map((version, index) => {
                const previous = history[index + 1];
                const changes = previous ? changesBetween(version, previous, names) : [];
                return (
                  <tr key={version.version}>
                    <td>{version.version}</td>
                    <td>
                      <Time value={version.updatedAt} />
                    </td>
                    <td>{userName(version.updatedBy)}</td>
                    <td>
                      {!previous ? (
                        version.version === 1 ? (
                          'Created'
                        ) : (
                          <span className="muted">Earlier versions are not available</span>
                        )
                      ) : changes.length === 0 ? (
                        <span className="muted">Saved without changes</span>
                      ) : (
                        <ul className={styles.versionChanges}>
                          {changes.map((change) => (
                            <li key={change.label}>
                              <strong>{change.label}:</strong> {change.text}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      {mayUpdate ? (
        <section aria-labelledby="change" className={styles.sectionSpacing}>
          <h2 id="change">Change this policy</h2>
          <p className="muted">
            Saving stores version {policy.version + 1}. If someone else saves first, nothing is overwritten:
            you are asked to reload.
          </p>
          <PolicyForm
            key={saved ?? 'opened'}
            action={updatePolicyAction.bind(null, policy.id, policy.version)}
            csrf={session.csrfToken}
            initial={draftFromPolicy(policy)}
            groups={options.groups}
            systems={options.systems}
            accountGroups={options.accountGroups}
            timezones={timeZones()}
            submitLabel={`Save as version ${policy.version + 1}`}
            reloadHref={`/admin/access-policies/${policy.id}`}
          />
        </section>
      ) : null}
    </>
  );
}
