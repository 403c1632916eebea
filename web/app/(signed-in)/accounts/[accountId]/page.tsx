import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { Definition, EmptyState, ErrorNotice, PageHeader, Time } from '@/components/ui';
import { api, can, requireSession } from '@/lib/api';
import { accountKindLabel, platformLabel } from '@/lib/inventory-terms';
import type { SessionData } from '@/lib/session-cookie';
import { type Attempt, attempt } from '../_lib/attempt';
import {
  type AccessOption,
  type AccessOptions,
  type Account,
  accountName,
  approvalSummary,
  type CredentialVersion,
  conditionsSummary,
  formatMinutes,
  isAccountId,
  type RotationSettings,
  type RotationState,
  releaseTypeSummary,
  type System,
} from '../_lib/model';
import { RotationBadge } from '../_lib/rotation-badge';
import styles from './account.module.css';

export const metadata: Metadata = { title: 'Account' };

export default async function AccountPage({ params }: { params: Promise<{ accountId: string }> }) {
  const session = await requireSession();
  const { accountId } = await params;
  if (!isAccountId(accountId)) notFound();

  const loaded = await attempt(api<Account>(`/v1/accounts/${accountId}`));
  if (!loaded.ok) {
    if (loaded.problem.status === 404 || loaded.problem.status === 400) notFound();
    return (
      <>
        <PageHeader title="Account" actions={<BackLink />} />
        <ErrorNotice title="This account cannot be shown">
          <p>{loaded.problem.detail || loaded.problem.title}</p>
        </ErrorNotice>
      </>
    );
  }
  const account = loaded.value;
  const canRequest = can(session, 'access-request:create');
  const canReadVersions = can(session, 'credential:read-versions');

  const [system, versions, options] = await Promise.all([
    attempt(api<System>(`/v1/systems/${account.systemId}`)),
    canReadVersions
      ? attempt(
          api<{ items: readonly CredentialVersion[] }>(`/v1/accounts/${account.id}/credential/versions`),
        )
      : Promise.resolve(null),
    canRequest ? attempt(api<AccessOptions>(`/v1/access-options/${account.id}`)) : Promise.resolve(null),
  ]);
  if (options && !options.ok && options.problem.status === 404) notFound();
  const authors = versions?.ok ? await authorNames(session, versions.value.items) : new Map<string, string>();
  const name = accountName(account);
  const requestHref = `/accounts/${account.id}/request`;

  return (
    <>
      <PageHeader
        title={name}
        description={`${accountKindLabel(account.kind)} on ${account.systemName} (${platformLabel(account.platform)})`}
        actions={
          <>
            {canRequest ? (
              <Link href={requestHref} className="button button-primary" prefetch={false}>
                Request access
              </Link>
            ) : null}
            <BackLink />
          </>
        }
      />
      <div className="stack">
        <section className="card" aria-labelledby="account-heading">
          <h2 id="account-heading">Account</h2>
          <AccountFields account={account} />
        </section>

        <section className="card" aria-labelledby="rotation-heading">
          <h2 id="rotation-heading">Rotation</h2>
          <RotationFields state={account.rotationState} settings={account.rotation} />
        </section>

        <section className="card" aria-labelledby="system-heading">
          <h2 id="system-heading">System</h2>
          {system.ok ? (
            <SystemFields system={system.value} />
          ) : (
            <p className="muted">
              {account.systemName}: the system’s details could not be loaded (
              {system.problem.detail || system.problem.title}).
            </p>
          )}
        </section>

        {versions ? (
          <section aria-labelledby="versions-heading">
            <h2 id="versions-heading">Credential versions</h2>
            <p className="muted small">
              Who stored or generated each version, and when. The credentials themselves are never shown here.
            </p>
            <CredentialVersions versions={versions} authors={authors} />
          </section>
        ) : null}

        {options ? (
          <section aria-labelledby="policies-heading">
            <h2 id="policies-heading">Access policies that apply to you</h2>
            <AccessPolicies options={options} requestHref={requestHref} />
          </section>
        ) : null}
      </div>
    </>
  );
}

function BackLink() {
  return (
    <Link href="/accounts" className="button button-secondary" prefetch={false}>
      All accounts
    </Link>
  );
}

const none = (
  <span key="none" className="muted">
    None
  </span>
);
const list = (values: readonly string[]) => (values.length > 0 ? values.join(', ') : none);

function AccountFields({ account }: { account: Account }) {
  const items: [string, ReactNode][] = [
    [
      'User name',
      <span key="username" className="mono">
        {account.username}
      </span>,
    ],
    ['System', account.systemName],
    ['Kind', accountKindLabel(account.kind)],
    ['Platform', platformLabel(account.platform)],
    ['Workgroup', account.workgroup],
    ['Tags', list(account.tags)],
    ['Description', account.description || none],
    ['API retrieval', account.apiEnabled ? 'Allowed for integrations' : 'Not allowed'],
    [
      'Current credential',
      account.credential.currentVersion === null ? (
        <span key="none" className="muted">
          Not stored yet
        </span>
      ) : (
        `Version ${account.credential.currentVersion}`
      ),
    ],
    ['Credential last changed', <Time key="changed" value={account.credential.updatedAt} />],
    ['Account groups', account.accountGroupIds.length === 0 ? none : String(account.accountGroupIds.length)],
    ['Onboarded', <Time key="onboarded" value={account.createdAt} />],
  ];
  return <Definition items={items} />;
}

function RotationFields({
  state,
  settings,
}: {
  state: RotationState | undefined;
  settings: RotationSettings;
}) {
  const schedule = !settings.enabled
    ? 'Off'
    : settings.maxAgeDays
      ? `Every ${settings.maxAgeDays} ${settings.maxAgeDays === 1 ? 'day' : 'days'}`
      : 'By the password policy’s maximum age';
  const items: [string, ReactNode][] = [
    [
      'Status',
      state ? (
        <RotationBadge key="status" status={state.status} />
      ) : (
        <span key="unknown" className="muted">
          Unknown
        </span>
      ),
    ],
    ['Last rotation', <Time key="last" value={state?.lastRotatedAt} />],
    ['Next due', <Time key="next" value={state?.nextDueAt} />],
    ['Scheduled rotation', schedule],
    ['After each release', settings.rotateAfterRelease ? 'Rotates when access ends' : 'No'],
  ];
  return (
    <>
      <Definition items={items} />
      {state?.activeRotationId ? (
        <p className="notice notice-info small" role="status">
          A rotation is running now.
        </p>
      ) : null}
      {state?.lastError ? (
        <div className={`notice notice-error ${styles.lastError}`}>
          <p className="notice-title">Last rotation error</p>
          <p>
            <code>{state.lastError.code}</code>: {state.lastError.message}
          </p>
          <p className="small">
            <Time value={state.lastError.at} />
          </p>
        </div>
      ) : (
        <p className="muted small">No rotation error recorded.</p>
      )}
    </>
  );
}

function SystemFields({ system }: { system: System }) {
  const items: [string, ReactNode][] = [
    ['Name', system.name],
    ['Platform', platformLabel(system.platform)],
    [
      'Host name',
      system.hostname ? (
        <span key="host" className="mono">
          {system.hostname}
        </span>
      ) : (
        none
      ),
    ],
    [
      'IP address',
      system.ipAddress ? (
        <span key="ip" className="mono">
          {system.ipAddress}
        </span>
      ) : (
        none
      ),
    ],
    ['Other addresses', list(system.additionalAddresses)],
    [
      'Web console',
      system.websiteUrl ? (
        <a key="console" href={system.websiteUrl} rel="noreferrer noopener">
          {system.websiteUrl}
        </a>
      ) : (
        none
      ),
    ],
    ['Applications', list(system.applications)],
    ['Workgroup', system.workgroup],
    ['Tags', list(system.tags)],
    ['Accounts on it', String(system.accountCount)],
    ['Description', system.description || none],
  ];
  return <Definition items={items} />;
}

const sourceNames: Record<string, string> = { set: 'Stored by hand', generated: 'Generated' };
const typeNames: Record<string, string> = { password: 'Password', 'ssh-key': 'SSH key' };
const versionTones: Record<string, string> = {
  current: 'success',
  pending: 'pending',
  previous: 'neutral',
  retired: 'muted',
};

function CredentialVersions({
  versions,
  authors,
}: {
  versions: Attempt<{ items: readonly CredentialVersion[] }>;
  authors: ReadonlyMap<string, string>;
}) {
  if (!versions.ok) {
    return (
      <ErrorNotice title="Versions could not be loaded">
        <p>{versions.problem.detail || versions.problem.title}</p>
      </ErrorNotice>
    );
  }
  if (versions.value.items.length === 0) {
    return (
      <EmptyState title="No credential stored">
        <p>An administrator has not stored or generated a credential for this account yet.</p>
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Credential versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Status</th>
            <th scope="col">Type</th>
            <th scope="col">Source</th>
            <th scope="col">Created</th>
            <th scope="col">Created by</th>
            <th scope="col">Key fingerprint</th>
          </tr>
        </thead>
        <tbody>
          {versions.value.items.map((version) => (
            <tr key={version.version}>
              <td>{version.version}</td>
              <td>
                <span className={`badge badge-${versionTones[version.status] ?? 'neutral'}`}>
                  {version.status}
                </span>
              </td>
              <td>{typeNames[version.type] ?? version.type}</td>
              <td>{sourceNames[version.source] ?? version.source}</td>
              <td>
                <Time value={version.createdAt} />
              </td>
              <td>
                {authors.get(version.createdBy) ?? <span className="mono small">{version.createdBy}</span>}
              </td>
              <td>
                {version.fingerprint ? (
                  <span className={`mono small ${styles.fingerprint}`}>{version.fingerprint}</span>
                ) : (
                  <span className="muted">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Names of the people who created the versions, when the caller may read users (ids otherwise). */
async function authorNames(
  session: SessionData,
  versions: readonly CredentialVersion[],
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (!can(session, 'user:read')) return names;
  const ids = [...new Set(versions.map((version) => version.createdBy))]
    .filter((id) => id.startsWith('usr_'))
    .slice(0, 20);
  const users = await Promise.all(
    ids.map((id) => attempt(api<{ id: string; displayName: string; email: string }>(`/v1/users/${id}`))),
  );
  for (const user of users) {
    if (user.ok) names.set(user.value.id, user.value.displayName || user.value.email);
  }
  return names;
}

function AccessPolicies({ options, requestHref }: { options: Attempt<AccessOptions>; requestHref: string }) {
  if (!options.ok) {
    return (
      <ErrorNotice title="Your access options could not be loaded">
        <p>{options.problem.detail || options.problem.title}</p>
      </ErrorNotice>
    );
  }
  if (options.value.options.length === 0) {
    return (
      <EmptyState title="No access policy lets you request this account">
        <p>
          If you need it for your work, ask your Strongroom administrator to add you to a group that an access
          policy covers.
        </p>
      </EmptyState>
    );
  }
  return (
    <div className="stack">
      {options.value.options.map((option, index) => (
        <AccessPolicyCard
          key={option.policyId}
          option={option}
          preferred={index === 0}
          href={`${requestHref}?policy=${encodeURIComponent(option.policyId)}`}
        />
      ))}
    </div>
  );
}

function AccessPolicyCard({
  option,
  preferred,
  href,
}: {
  option: AccessOption;
  preferred: boolean;
  href: string;
}) {
  const { release } = option;
  const items: [string, ReactNode][] = [
    ['Approval', approvalSummary(option.approval)],
    ['Release', releaseTypeSummary(release.type)],
    ['Default duration', formatMinutes(release.defaultMinutes)],
    ['Longest duration', formatMinutes(release.maxMinutes)],
    ['Reason', release.requireReason ? 'Required' : 'Optional'],
    [
      'Ticket',
      release.ticketRequired ? (
        <>
          Required
          {release.ticketPattern ? (
            <>
              {' '}
              (format <code>{release.ticketPattern}</code>)
            </>
          ) : null}
        </>
      ) : (
        'Not required'
      ),
    ],
    ['Holders', release.exclusive ? 'One person at a time' : 'Several people may hold it at once'],
    [
      'When access ends',
      release.rotateOnCheckIn ? 'The credential is changed' : 'The credential stays the same',
    ],
    ['When and where', conditionsSummary(option.conditions)],
  ];
  return (
    <article className="card" aria-labelledby={`policy-${option.policyId}`}>
      <div className={styles.policyHeading}>
        <h3 id={`policy-${option.policyId}`}>{option.policyName}</h3>
        {option.availableNow ? (
          <span className="badge badge-success">Available now</span>
        ) : (
          <span className="badge badge-pending">Not available now</span>
        )}
        {preferred ? <span className="badge badge-info">Used by default</span> : null}
      </div>
      {!option.availableNow && option.unavailableReason ? (
        <p className="notice notice-info">{option.unavailableReason}</p>
      ) : null}
      <Definition items={items} />
      <p className={styles.policyAction}>
        <Link href={href} prefetch={false}>
          Request access under {option.policyName}
        </Link>
      </p>
    </article>
  );
}
