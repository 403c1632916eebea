import type { Metadata } from 'next';
import { PageHeader } from '@/components/ui';
import { requireSession } from '@/lib/api';

export const metadata: Metadata = { title: 'Home' };

export default async function HomePage() {
  const session = await requireSession();
  return <PageHeader title={`Welcome, ${session.user.displayName}`} />;
}
