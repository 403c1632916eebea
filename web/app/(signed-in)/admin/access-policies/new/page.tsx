import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/ui';
import { can, requireSession } from '@/lib/api';
import { NoAccess } from '../../users/_components/route-states';
import { PolicyForm } from '../_components/policy-form';
import { policyOptions, timeZones } from '../_lib/options';
import { newPolicyDraft } from '../_lib/policy';
import { createPolicyAction } from './actions';

export const metadata: Metadata = { title: 'New access policy' };

export default async function NewAccessPolicyPage() {
  const session = await requireSession();
  if (!can(session, 'access-policy:create'))
    return <NoAccess title="New access policy" permission="access-policy:create" />;
  const options = await policyOptions(session);
  return (
    <>
      <nav aria-label="Breadcrumb" className="small">
        <Link href="/admin/access-policies" prefetch={false}>
          Access policies
        </Link>{' '}
        / New
      </nav>
      <PageHeader
        title="New access policy"
        description="Say which groups may ask for which accounts, who approves, when and from where, and what the requester receives. Every change later is kept as a new version."
      />
      <PolicyForm
        action={createPolicyAction}
        csrf={session.csrfToken}
        initial={newPolicyDraft}
        groups={options.groups}
        systems={options.systems}
        accountGroups={options.accountGroups}
        timezones={timeZones()}
        submitLabel="Create policy"
      />
    </>
  );
}
