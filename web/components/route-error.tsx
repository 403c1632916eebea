'use client';

import { useEffect, useRef } from 'react';
import { ErrorNotice, PageHeader } from './ui';

/** What Next.js passes to a route's error.tsx. */
export interface ErrorRouteProps {
  readonly error: unknown;
  /** Clears the boundary and renders the segment again (without new data). */
  readonly reset?: () => void;
  /** Next.js 16: fetches the segment from the server again, then renders it. */
  readonly retry?: () => void;
}

/**
 * The body of every error boundary of the portal: what failed, the reference of the server's log
 * entry (details never reach the browser), and "Try again", which fetches the page again.
 */
export function RouteError({
  title,
  what = 'This page could not be loaded',
  error,
  reset,
  retry,
}: ErrorRouteProps & { title: string; what?: string }) {
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    buttonRef.current?.focus();
  }, []);
  const digest =
    error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : null;
  return (
    <div className="stack">
      <PageHeader title={title} />
      <ErrorNotice title={what}>
        <p>
          The Strongroom API could not be reached or did not answer as expected. Nothing was changed. Try
          again in a moment; if it keeps failing, give the reference to your Strongroom administrator.
        </p>
        {digest ? (
          <p className="small">
            Reference: <code>{digest}</code>
          </p>
        ) : null}
      </ErrorNotice>
      <div className="button-row">
        <button
          ref={buttonRef}
          type="button"
          className="button button-primary"
          onClick={() => (retry ?? reset)?.()}
        >
          Try again
        </button>
      </div>
    </div>
  );
}
