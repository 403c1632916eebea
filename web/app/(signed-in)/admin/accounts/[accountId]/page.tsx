import type { Metadata } from 'next';
import Link from 'next/link';
import { ActionForm, CheckboxField, Field, SubmitButton } from '@/components/action-form';
import { Definition, EmptyState, PageHeader, Time } from '@/components/ui';
import { api, can, requireSession } from '@/lib/api';
import { accountKindLabels, platformLabel } from '@/lib/inventory-terms';
import { accountName, type CredentialVersion } from '../../systems/inventory';
import styles from '../../systems/inventory.module.css';
import { loadAccount, loadPasswordPolicies, userNames } from '../../systems/load';
import { CredentialState, RotationStatus, Tags } from '../../systems/parts';
import { AccountSettingsFields } from '../account-fields';
import { deleteAccountAction, setCredentialAction, updateAccountAction } from '../actions';
import { CredentialInputs } from '../credential-inputs';

type Params = Promise<{ accountId: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const account = await loadAccount((await params).accountId);
  return { title: `Account ${accountName(account)}` };
}

const versionBadges: Record<CredentialVersion['status'], string> = {
  current: 'badge badge-success',
  previous: 'badge badge-info',
  pending: 'badge badge-pending',
  retired: 'badge badge-muted',
};

export default async function AccountPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Search;
}) {
  const session = await requireSession();
  const { accountId } = await params;
  const search = await searchParams;
  const account = await loadAccount(accountId);
  const [policies, versions] = await Promise.all([
    loadPasswordPolicies(session),
    can(session, 'credential:read-versions')
      ? api<{ items: CredentialVersion[] }>(`/v1/accounts/${account.id}/credential/versions`)
      : Promise.resolve(null),
  ]);
  const name = accountName(account);
  const names = await userNames(session, versions?.items.map((version) => version.createdBy) ?? []);
  const policy = policies.find((p) => p.id === account.passwordPolicyId);
  const sshKey = account.kind === 'ssh-key';
  const secretWord = sshKey ? 'key' : 'password';
  const problem = typeof search.problem === 'string' ? search.problem : '';

  return (
    <>
      <PageHeader
        title={name}
        description={`${accountKindLabels[account.kind] ?? account.kind} on ${account.systemName} (${platformLabel(account.platform)})`}
        actions={
          <Link
            href={`/admin/systems/${account.systemId}`}
            className="button button-secondary"
            prefetch={false}
          >
            Back to {account.systemName}
          </Link>
        }
      />
      {search.created ? (
        <p className="notice notice-success" role="status">
          Account {name} was created
          {search.credential === 'set'
            ? ` and its ${secretWord} is stored.`
            : search.credential === 'generated'
              ? ` with a generated ${secretWord}.`
              : '.'}
        </p>
      ) : null}
      {search.credential === 'failed' ? (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">The {secretWord} was not stored</p>
          <p>{problem ? `Strongroom refused it: ${problem}. ` : ''}Set it again below.</p>
        </div>
      ) : null}

      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <Definition
          items={[
            [
              'System',
              <Link key="system" href={`/admin/systems/${account.systemId}`} prefetch={false}>
                {account.systemName}
              </Link>,
            ],
            ['Kind', accountKindLabels[account.kind] ?? account.kind],
            ['Workgroup', account.workgroup],
            ['Tags', <Tags key="tags" tags={account.tags} />],
            [
              'Password policy',
              policy
                ? policy.name
                : account.passwordPolicyId
                  ? account.passwordPolicyId
                  : 'The system’s policy',
            ],
            ['Used through the API', account.apiEnabled ? 'Yes' : 'No'],
            ['Credential', <CredentialState key="credential" account={account} />],
            ['Credential changed', <Time key="changed" value={account.credential.updatedAt} />],
            ['Rotation', <RotationStatus key="rotation" account={account} />],
            ['Last rotated', <Time key="rotated" value={account.rotationState.lastRotatedAt} />],
            ['Next rotation due', <Time key="due" value={account.rotationState.nextDueAt} />],
            ['Account groups', String(account.accountGroupIds.length)],
            ['Onboarded', <Time key="created" value={account.createdAt} />],
          ]}
        />
        {account.description ? <p>{account.description}</p> : null}
        {account.rotationState.lastError ? (
          <div className="notice notice-error">
            <p className="notice-title">Last rotation failed</p>
            <p>
              {account.rotationState.lastError.message} (<Time value={account.rotationState.lastError.at} />)
            </p>
          </div>
        ) : null}
      </section>

      {versions ? (
        <section aria-labelledby="versions-heading">
          <h2 id="versions-heading">Credential versions</h2>
          {versions.items.length === 0 ? (
            <EmptyState title={`No ${secretWord} stored yet`}>
              {can(session, 'credential:set') ? <p>Set it below.</p> : null}
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table>
                <caption>Stored versions of {name}, newest first (the secrets are never shown here)</caption>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Status</th>
                    <th scope="col">Source</th>
                    {sshKey ? <th scope="col">Fingerprint</th> : null}
                    <th scope="col">Stored</th>
                    <th scope="col">By</th>
                  </tr>
                </thead>
                <tbody>
                  {versions.items.map((version) => (
                    <tr key={version.version}>
                      <td>{version.version}</td>
                      <td>
                        <span className={versionBadges[version.status]}>{version.status}</span>
                      </td>
                      <td>{version.source === 'generated' ? 'Generated' : 'Set by hand'}</td>
                      {sshKey ? <td className="mono">{version.fingerprint ?? '—'}</td> : null}
                      <td>
                        <Time value={version.createdAt} />
                      </td>
                      <td>
                        {names.get(version.createdBy) ?? (
                          <span className="mono small">{version.createdBy}</span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}

      {can(session, 'credential:set') ? (
        <section aria-labelledby="credential-heading">
          <h2 id="credential-heading">Set a new {secretWord}</h2>
          <ActionForm
            action={setCredentialAction.bind(null, account.id, account.kind)}
            csrf={session.csrfToken}
            label={`New ${secretWord} for ${name}`}
            className="stack card"
            resetOnSuccess
          >
            <p className="field-hint">
              The new {secretWord} becomes the current version; the one before stays as the previous version.
              This stores it in Strongroom only; it does not change it on the system.
            </p>
            <CredentialInputs kind={account.kind} allowNone={false} />
            <Field
              name="reason"
              label="Reason"
              hint="Optional; recorded in the audit trail."
              maxLength={500}
              autoComplete="off"
            />
            <div className="button-row">
              <SubmitButton pendingLabel="Storing…">Store new {secretWord}</SubmitButton>
            </div>
          </ActionForm>
        </section>
      ) : null}

      {can(session, 'account:update') ? (
        <section aria-labelledby="settings-heading">
          <h2 id="settings-heading">Change settings</h2>
          <ActionForm
            action={updateAccountAction.bind(null, account.id)}
            csrf={session.csrfToken}
            label={`Settings of ${name}`}
            className="stack card"
          >
            <p className="field-hint">
              The user name, kind and system are fixed; to change them, onboard a new account.
            </p>
            <AccountSettingsFields account={account} platform={account.platform} policies={policies} />
            <div className="button-row">
              <SubmitButton pendingLabel="Saving…">Save settings</SubmitButton>
            </div>
          </ActionForm>
        </section>
      ) : null}

      {can(session, 'account:delete') ? (
        <section aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete account</h2>
          <ActionForm
            action={deleteAccountAction.bind(null, account.id, account.systemId, name)}
            csrf={session.csrfToken}
            label={`Delete ${name}`}
            className={`stack card ${styles.danger}`}
          >
            <p>
              Deleting the account destroys every stored version of its {secretWord} and takes it out of its
              account groups. It does not touch the account on the system. The audit trail keeps the record.
            </p>
            <CheckboxField
              name="confirm"
              label={`I understand that ${name} and its stored ${secretWord}s will be deleted`}
            />
            <div className="button-row">
              <SubmitButton variant="danger" pendingLabel="Deleting…">
                Delete account
              </SubmitButton>
            </div>
          </ActionForm>
        </section>
      ) : null}
    </>
  );
}
