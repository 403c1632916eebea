import Link from 'next/link';
import { EmptyState } from '@/components/ui';

export default function AccessPolicyNotFound() {
  return (
    <div className="stack">
      <h1>Access policy not found</h1>
      <EmptyState title="There is no such access policy in this tenant">
        <Link href="/admin/access-policies" prefetch={false}>
          Back to access policies
        </Link>
      </EmptyState>
    </div>
  );
}
