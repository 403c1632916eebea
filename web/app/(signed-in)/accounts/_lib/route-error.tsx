'use client';

import { useEffect, useRef } from 'react';
import { ErrorNotice, PageHeader } from '@/components/ui';

export interface ErrorRouteProps {
  readonly error: unknown;
  /** Clears the boundary and renders the segment again. */
  readonly reset: () => void;
  /** Next.js 16: fetches the segment from the server again, then renders it. */
  readonly retry?: () => void;
}

/** What an Accounts route shows when rendering failed: what happened, and a way to try again. */
export function RouteError({
  title,
  what,
  error,
  reset,
  retry,
}: ErrorRouteProps & { title: string; what: string }) {
  const buttonRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    buttonRef.current?.focus();
  }, []);
  const digest =
    error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : null;
  return (
    <>
      <PageHeader title={title} />
      <ErrorNotice title={what}>
        <p>
          The portal could not get an answer from the Strongroom API. Nothing was changed.
          {digest ? (
            <>
              {' '}
              Reference: <code>{digest}</code>
            </>
          ) : null}
        </p>
      </ErrorNotice>
      <button
        ref={buttonRef}
        type="button"
        className="button button-primary"
        onClick={() => (retry ?? reset)()}
      >
        Try again
      </button>
    </>
  );
}
