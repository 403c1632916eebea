'use client';

import type { ReactNode } from 'react';
import { useFormStatus } from 'react-dom';

/**
 * One of several submit buttons of a form (one per table row), told apart by name and value.
 * While the form is sent every button is disabled, and only the pressed one shows progress.
 */
export function RowSubmitButton({
  name,
  value,
  children,
  pendingLabel,
  variant = 'secondary',
}: {
  name: string;
  value: string;
  children: ReactNode;
  pendingLabel: string;
  variant?: 'primary' | 'secondary' | 'danger';
}) {
  const { pending, data } = useFormStatus();
  const mine = pending && data?.get(name) === value;
  return (
    <button
      type="submit"
      name={name}
      value={value}
      disabled={pending}
      className={`button button-${variant} button-small`}
    >
      {mine ? (
        <>
          <span className="spinner" aria-hidden="true" />
          <span role="status">{pendingLabel}</span>
        </>
      ) : (
        children
      )}
    </button>
  );
}
