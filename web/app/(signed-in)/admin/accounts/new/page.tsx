import type { Metadata } from 'next';
import Link from 'next/link';
import { ActionForm, Field, SubmitButton } from '@/components/action-form';
import { EmptyState, ErrorNotice, PageHeader } from '@/components/ui';
import { api, can, requireSession } from '@/lib/api';
import { accountKindLabels, accountKinds, platformLabel } from '@/lib/inventory-terms';
import type { Page, System } from '../../systems/inventory';
import { loadPasswordPolicies, loadSystem } from '../../systems/load';
import { AccountSettingsFields } from '../account-fields';
import { createAccountAction } from '../actions';
import { KindAndCredential } from '../credential-inputs';

export const metadata: Metadata = { title: 'New account' };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function NewAccountPage({ searchParams }: { searchParams: Search }) {
  const session = await requireSession();
  const search = await searchParams;
  const systemId = typeof search.systemId === 'string' && search.systemId ? search.systemId : null;
  if (!can(session, 'account:create')) {
    return (
      <>
        <PageHeader title="New account" />
        <ErrorNotice title="Not available to you">
          <p>Onboarding accounts needs the tenant administrator or password administrator role.</p>
        </ErrorNotice>
      </>
    );
  }
  if (!systemId) return <ChooseSystem />;

  const [system, policies] = await Promise.all([loadSystem(systemId), loadPasswordPolicies(session)]);
  return (
    <>
      <PageHeader
        title="New account"
        description={`On ${system.name} (${platformLabel(system.platform)}, workgroup ${system.workgroup}). The account takes the system’s workgroup and tags.`}
        actions={
          <Link href={`/admin/systems/${system.id}`} className="button button-secondary" prefetch={false}>
            Back to {system.name}
          </Link>
        }
      />
      <ActionForm
        action={createAccountAction}
        csrf={session.csrfToken}
        label="New account"
        className="stack card"
      >
        <input type="hidden" name="systemId" value={system.id} />
        <Field
          name="username"
          label="User name"
          required
          maxLength={256}
          autoComplete="off"
          spellCheck={false}
          hint="As the system knows it, e.g. root, Administrator or app_reader."
          errorNames={['systemId']}
        />
        <KindAndCredential
          kinds={accountKinds.map((kind) => ({ value: kind, label: accountKindLabels[kind] }))}
          allowCredential={can(session, 'credential:set')}
        />
        <AccountSettingsFields platform={system.platform} policies={policies} />
        <div className="button-row">
          <SubmitButton pendingLabel="Creating the account…">Create account</SubmitButton>
        </div>
      </ActionForm>
    </>
  );
}

/** Without a system in the address: pick the system first (its platform shapes the form). */
async function ChooseSystem() {
  const systems = await api<Page<System>>('/v1/systems', { query: { limit: 200 } });
  return (
    <>
      <PageHeader title="New account" description="Accounts belong to a system. Choose it first." />
      {systems.items.length === 0 ? (
        <EmptyState title="No systems yet">
          <p>
            <Link href="/admin/systems/new" prefetch={false}>
              Create a system
            </Link>{' '}
            first, then add its accounts.
          </p>
        </EmptyState>
      ) : (
        <form method="get" action="/admin/accounts/new" className="stack card" aria-label="Choose a system">
          <div className="field">
            <label htmlFor="choose-system">System</label>
            <select id="choose-system" name="systemId" required>
              {systems.items.map((system) => (
                <option key={system.id} value={system.id}>
                  {system.name} ({platformLabel(system.platform)})
                </option>
              ))}
            </select>
            {systems.nextCursor ? (
              <p className="field-hint">
                The first 200 systems are listed; open a system’s page to add an account to any other.
              </p>
            ) : null}
          </div>
          <div className="button-row">
            <button type="submit" className="button button-primary">
              Continue
            </button>
          </div>
        </form>
      )}
    </>
  );
}
