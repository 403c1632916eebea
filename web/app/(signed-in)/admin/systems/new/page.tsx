import type { Metadata } from 'next';
import Link from 'next/link';
import { ActionForm, SubmitButton } from '@/components/action-form';
import { ErrorNotice, PageHeader } from '@/components/ui';
import { can, requireSession } from '@/lib/api';
import { createSystemAction } from '../actions';
import { loadPasswordPolicies } from '../load';
import { SystemFields } from '../system-fields';

export const metadata: Metadata = { title: 'New system' };

export default async function NewSystemPage() {
  const session = await requireSession();
  if (!can(session, 'system:create')) {
    return (
      <>
        <PageHeader title="New system" />
        <ErrorNotice title="Not available to you">
          <p>Onboarding systems needs the tenant administrator or password administrator role.</p>
        </ErrorNotice>
      </>
    );
  }
  const policies = await loadPasswordPolicies(session);
  return (
    <>
      <PageHeader
        title="New system"
        description="Onboard a system; add its accounts on the next page."
        actions={
          <Link href="/admin/systems" prefetch={false} className="button button-secondary">
            Back to systems
          </Link>
        }
      />
      <ActionForm
        action={createSystemAction}
        csrf={session.csrfToken}
        label="New system"
        className="stack card"
      >
        <SystemFields policies={policies} />
        <div className="button-row">
          <SubmitButton pendingLabel="Creating the system…">Create system</SubmitButton>
        </div>
      </ActionForm>
    </>
  );
}
