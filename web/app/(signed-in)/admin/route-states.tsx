'use client';

import { ErrorNotice, PageHeader } from '@/components/ui';

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

/** What an admin route shows when rendering failed: the reference and a retry. */
export function AdminError({
  title,
  error,
  reset,
}: {
  title: string;
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <>
      <PageHeader title={title} />
      <ErrorNotice title="This page could not be shown">
        <p>
          Strongroom could not load the data for this page.
          {error.digest ? ` Reference: ${error.digest}.` : ''}
        </p>
        <button type="button" className="button button-secondary" onClick={() => reset()}>
          Try again
        </button>
      </ErrorNotice>
    </>
  );
}
