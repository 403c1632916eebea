import type { Metadata } from 'next';
import Link from 'next/link';
import { ActionForm, CheckboxField, SubmitButton } from '@/components/action-form';
import { Definition, EmptyState, PageHeader, Pagination, Time } from '@/components/ui';
import { api, can, requireSession } from '@/lib/api';
import { accountKindLabels, platformLabel } from '@/lib/inventory-terms';
import { deleteSystemAction, updateSystemAction } from '../actions';
import type { Account, Page } from '../inventory';
import styles from '../inventory.module.css';
import { loadPasswordPolicies, loadSystem } from '../load';
import { CredentialState, RotationStatus, Tags } from '../parts';
import { SystemFields } from '../system-fields';

export async function generateMetadata({
  params,
}: {
  params: Promise<{ systemId: string }>;
}): Promise<Metadata> {
  const system = await loadSystem((await params).systemId);
  return { title: `System ${system.name}` };
}

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function SystemPage({
  params,
  searchParams,
}: {
  params: Promise<{ systemId: string }>;
  searchParams: Search;
}) {
  const session = await requireSession();
  const { systemId } = await params;
  const search = await searchParams;
  const cursor = typeof search.cursor === 'string' ? search.cursor : undefined;
  const basePath = `/admin/systems/${encodeURIComponent(systemId)}`;

  const system = await loadSystem(systemId);
  const [policies, accounts] = await Promise.all([
    loadPasswordPolicies(session),
    can(session, 'account:read')
      ? api<Page<Account>>('/v1/accounts', { query: { systemId: system.id, cursor, limit: 50 } })
      : Promise.resolve(null),
  ]);
  const policy = policies.find((p) => p.id === system.passwordPolicyId);
  const canAddAccount = can(session, 'account:create');
  const addAccountHref = `/admin/accounts/new?systemId=${encodeURIComponent(system.id)}`;

  return (
    <>
      <PageHeader
        title={system.name}
        description={`${platformLabel(system.platform)} system in workgroup ${system.workgroup}`}
        actions={
          <>
            {canAddAccount ? (
              <Link href={addAccountHref} className="button button-primary" prefetch={false}>
                Add account
              </Link>
            ) : null}
            <Link href="/admin/systems" className="button button-secondary" prefetch={false}>
              All systems
            </Link>
          </>
        }
      />
      {search.created ? (
        <p className="notice notice-success" role="status">
          System “{system.name}” was created. Add its accounts next.
        </p>
      ) : null}
      {search.accountDeleted ? (
        <p className="notice notice-success" role="status">
          Account “{String(search.accountDeleted)}” was deleted with its stored credentials.
        </p>
      ) : null}

      <section className="card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <Definition
          items={[
            ['Platform', platformLabel(system.platform)],
            ['Workgroup', system.workgroup],
            ['Tags', <Tags key="tags" tags={system.tags} />],
            ['Hostname', system.hostname ?? '—'],
            ['IP address', system.ipAddress ?? '—'],
            ['Other addresses', system.additionalAddresses.join(', ') || '—'],
            ['Web console', system.websiteUrl ?? '—'],
            ['Applications', system.applications.join(', ') || '—'],
            [
              'Password policy',
              policy
                ? policy.name
                : system.passwordPolicyId
                  ? system.passwordPolicyId
                  : 'Organisation default',
            ],
            ['Rotations at the same time', String(system.connection.maxConcurrentRotations)],
            ['Accounts', String(system.accountCount)],
            ['Onboarded', <Time key="created" value={system.createdAt} />],
          ]}
        />
        {system.description ? <p>{system.description}</p> : null}
      </section>

      <section aria-labelledby="accounts-heading">
        <h2 id="accounts-heading">Accounts</h2>
        {accounts === null ? (
          <p className="muted">Listing accounts needs permission to read accounts.</p>
        ) : accounts.items.length === 0 && !cursor ? (
          <EmptyState title="No accounts on this system yet">
            {canAddAccount ? (
              <p>
                <Link href={addAccountHref} prefetch={false}>
                  Add the first account
                </Link>{' '}
                and set its password.
              </p>
            ) : null}
          </EmptyState>
        ) : (
          <>
            <div className="table-wrap">
              <table>
                <caption>Accounts on {system.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Account</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Credential</th>
                    <th scope="col">Rotation</th>
                    <th scope="col">Onboarded</th>
                  </tr>
                </thead>
                <tbody>
                  {accounts.items.map((account) => (
                    <tr key={account.id}>
                      <td>
                        <Link href={`/admin/accounts/${account.id}`} prefetch={false}>
                          {account.username}@{account.systemName}
                        </Link>
                      </td>
                      <td>{accountKindLabels[account.kind] ?? account.kind}</td>
                      <td>
                        <CredentialState account={account} />
                      </td>
                      <td>
                        <RotationStatus account={account} />
                      </td>
                      <td>
                        <Time value={account.createdAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pagination
              basePath={basePath}
              params={{}}
              nextCursor={accounts.nextCursor}
              hasPrevious={Boolean(cursor)}
            />
          </>
        )}
      </section>

      {can(session, 'system:update') ? (
        <section aria-labelledby="settings-heading">
          <h2 id="settings-heading">Change settings</h2>
          <ActionForm
            action={updateSystemAction.bind(null, system.id)}
            csrf={session.csrfToken}
            label={`Settings of ${system.name}`}
            className="stack card"
          >
            <p className="field-hint">
              Name, platform, workgroup and tags are fixed because the system’s accounts carry copies of them.
            </p>
            <SystemFields system={system} policies={policies} />
            <div className="button-row">
              <SubmitButton pendingLabel="Saving…">Save settings</SubmitButton>
            </div>
          </ActionForm>
        </section>
      ) : null}

      {can(session, 'system:delete') ? (
        <section aria-labelledby="delete-heading">
          <h2 id="delete-heading">Delete system</h2>
          <ActionForm
            action={deleteSystemAction.bind(null, system.id, system.name)}
            csrf={session.csrfToken}
            label={`Delete ${system.name}`}
            className={`stack card ${styles.danger}`}
          >
            <p>
              Only a system without accounts can be deleted.{' '}
              {system.accountCount > 0
                ? `${system.name} still has ${system.accountCount} ${
                    system.accountCount === 1 ? 'account' : 'accounts'
                  }; delete them first.`
                : `${system.name} has no accounts.`}{' '}
              The audit trail keeps the record of the system.
            </p>
            <CheckboxField name="confirm" label={`I understand that ${system.name} will be deleted`} />
            <div className="button-row">
              <SubmitButton variant="danger" pendingLabel="Deleting…">
                Delete system
              </SubmitButton>
            </div>
          </ActionForm>
        </section>
      ) : null}
    </>
  );
}
