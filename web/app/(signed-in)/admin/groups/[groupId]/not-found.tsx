import Link from 'next/link';
import { EmptyState } from '@/components/ui';

export default function GroupNotFound() {
  return (
    <div className="stack">
      <h1>Group not found</h1>
      <EmptyState title="There is no such group in this tenant">
        <Link href="/admin/groups" prefetch={false}>
          Back to groups
        </Link>
      </EmptyState>
    </div>
  );
}
