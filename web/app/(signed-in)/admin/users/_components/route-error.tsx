'use client';

import { ErrorNotice } from '@/components/ui';

/**
 * The error boundary body of the access-control admin routes. Server errors reach the browser
 * without their details (only a digest), so the message stays general; "Try again" renders the
 * route again with fresh data.
 */
export function RouteError({
  title,
  error,
  reset,
  retry,
}: {
  title: string;
  error: unknown;
  reset: () => void;
  retry?: (() => void) | undefined;
}) {
  const digest =
    error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : null;
  return (
    <div className="stack">
      <h1>{title}</h1>
      <ErrorNotice title="This page could not be loaded">
        <p>
          The Strongroom API could not be reached or did not answer as expected. Try again in a moment; if it
          keeps failing, give the reference below to your Strongroom operator.
        </p>
        {digest ? <p className="small">Reference: {digest}</p> : null}
      </ErrorNotice>
      <div className="button-row">
        <button type="button" className="button button-primary" onClick={() => (retry ?? reset)()}>
          Try again
        </button>
      </div>
    </div>
  );
}

export interface ErrorProps {
  error: unknown;
  reset: () => void;
  retry?: () => void;
}
