import Link from 'next/link';
import { EmptyState, PageHeader } from '@/components/ui';

export default function AccountNotFound() {
  return (
    <>
      <PageHeader title="Account not found" />
      <EmptyState title="There is no such account in this organisation">
        <p>
          It may have been deleted.{' '}
          <Link href="/admin/systems" prefetch={false}>
            Back to the systems
          </Link>
        </p>
      </EmptyState>
    </>
  );
}
