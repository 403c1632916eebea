import Link from 'next/link';
import { EmptyState } from '@/components/ui';

export default function UserNotFound() {
  return (
    <div className="stack">
      <h1>User not found</h1>
      <EmptyState title="There is no such user in this tenant">
        <Link href="/admin/users" prefetch={false}>
          Back to users
        </Link>
      </EmptyState>
    </div>
  );
}
