'use client';

import { ErrorNotice, PageHeader } from '@/components/ui';

/** Shown when the approvals inbox fails to load (the API is unreachable or answered with an error). */
export default function ApprovalsError({
  error,
  retry,
  reset,
}: {
  error: unknown;
  retry?: () => void;
  reset?: () => void;
}) {
  const digest = error instanceof Error && 'digest' in error ? String(error.digest) : null;
  return (
    <>
      <PageHeader title="Approvals" />
      <ErrorNotice title="The approvals could not be loaded">
        <p>Strongroom did not answer as expected. Your data is unchanged; try again in a moment.</p>
        {digest ? <p className="small">{`Reference: ${digest}`}</p> : null}
        <button type="button" className="button button-secondary" onClick={() => (retry ?? reset)?.()}>
          Try again
        </button>
      </ErrorNotice>
    </>
  );
}
