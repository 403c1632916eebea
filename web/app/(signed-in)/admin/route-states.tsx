'use client';

import { PageHeader } from '@/components/ui';

/** What an admin route shows while its data loads. */
export function AdminLoading({ title, what }: { title: string; what: string }) {
  return (
    <div className="stack" aria-busy="true">
      <PageHeader title={title} />
      <p role="status">Loading {what} …</p>
      <div className="skeleton" />
      <div className="skeleton" />
      <div className="skeleton" />
    </div>
  );
}
