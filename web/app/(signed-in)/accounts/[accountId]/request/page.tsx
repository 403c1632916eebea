import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { EmptyState, ErrorNotice, PageHeader } from '@/components/ui';
import { api, can, requireSession } from '@/lib/api';
import { attempt } from '../../_lib/attempt';
import { type AccessOptions, isAccountId } from '../../_lib/model';
import { requestAccessAction } from './actions';
import { RequestAccessForm } from './request-form';

export const metadata: Metadata = { title: 'Request access' };

export default async function RequestAccessPage({
  params,
  searchParams,
}: {
  params: Promise<{ accountId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const { accountId } = await params;
  if (!isAccountId(accountId)) notFound();
  const accountHref = `/accounts/${accountId}`;
  const back = (
    <Link href={accountHref} className="button button-secondary" prefetch={false}>
      Back to the account
    </Link>
  );

  if (!can(session, 'access-request:create')) {
    return (
      <>
        <PageHeader title="Request access" actions={back} />
        <ErrorNotice title="Your role cannot request access">
          <p>Ask your Strongroom administrator for the requester role if you need privileged accounts.</p>
        </ErrorNotice>
      </>
    );
  }

  const loaded = await attempt(api<AccessOptions>(`/v1/access-options/${accountId}`));
  if (!loaded.ok) {
    if (loaded.problem.status === 404 || loaded.problem.status === 400) notFound();
    return (
      <>
        <PageHeader title="Request access" actions={back} />
        <ErrorNotice title="Your access options could not be loaded">
          <p>{loaded.problem.detail || loaded.problem.title}</p>
        </ErrorNotice>
      </>
    );
  }
  const { accountName, options } = loaded.value;
  const wanted = (await searchParams).policy;
  const defaultPolicyId =
    options.find((option) => option.policyId === wanted)?.policyId ?? options[0]?.policyId ?? '';

  return (
    <>
      <PageHeader
        title={`Request access to ${accountName}`}
        description="Say how long you need the account and why. Depending on the policy, approvers decide or access starts at once."
        actions={back}
      />
      {options.length === 0 ? (
        <EmptyState title="No access policy lets you request this account">
          <p>
            None of your organisation’s access policies covers you for {accountName}. If you need it for your
            work, ask your Strongroom administrator to add you to a group that an access policy covers.
          </p>
        </EmptyState>
      ) : (
        <RequestAccessForm
          action={requestAccessAction.bind(null, accountId)}
          csrf={session.csrfToken}
          options={options}
          defaultPolicyId={defaultPolicyId}
          cancelHref={accountHref}
        />
      )}
    </>
  );
}
