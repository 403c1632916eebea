import Link from 'next/link';
import { EmptyState, PageHeader } from '@/components/ui';

export default function SystemNotFound() {
  return (
    <>
      <PageHeader title="System not found" />
      <EmptyState title="There is no such system in this organisation">
        <p>
          It may have been deleted.{' '}
          <Link href="/admin/systems" prefetch={false}>
            Back to all systems
          </Link>
        </p>
      </EmptyState>
    </>
  );
}
