import Link from 'next/link';
import { EmptyState, PageHeader } from '@/components/ui';

export default function AccountNotFound() {
  return (
    <>
      <PageHeader title="Account not found" />
      <EmptyState title="There is no such account in your organisation">
        <p>
          It may have been offboarded, or the link is wrong.{' '}
          <Link href="/accounts" prefetch={false}>
            Back to the accounts
          </Link>
          .
        </p>
      </EmptyState>
    </>
  );
}
