'use client';

import { ErrorNotice } from '@/components/ui';

export default function AuditError({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <div className="stack">
      <h1>Audit trail</h1>
      <ErrorNotice title="The audit trail could not be loaded">
        <p>
          The service did not answer as expected. Try again; if it keeps failing, quote
          {error.digest ? ` reference ${error.digest}` : ' the time of the error'} to your administrator.
        </p>
      </ErrorNotice>
      <div className="button-row">
        <button type="button" className="button button-primary" onClick={reset}>
          Try again
        </button>
      </div>
    </div>
  );
}
