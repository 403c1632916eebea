'use client';

import { useActionState } from 'react';
import { SubmitButton } from '@/components/action-form';
import type { FormState } from '@/lib/api-problem';
import { signInAction } from './actions';

export function SignInForm({ next, defaultTenant }: { next: string; defaultTenant: string }) {
  const [state, action] = useActionState<FormState, FormData>(signInAction, {});
  return (
    <form action={action} className="stack" aria-label="Sign in" noValidate>
      <input type="hidden" name="next" value={next} />
      {state.message ? (
        <p role="alert" className="notice notice-error">
          {state.message}
        </p>
      ) : null}
      <SignInField
        state={state}
        name="tenant"
        label="Organisation"
        autoComplete="organization"
        defaultValue={state.values?.tenant ?? defaultTenant}
      />
      <SignInField
        state={state}
        name="email"
        label="E-mail"
        type="email"
        autoComplete="username"
        defaultValue={state.values?.email ?? ''}
      />
      <SignInField
        state={state}
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
      />
      <SubmitButton pendingLabel="Signing in…">Sign in</SubmitButton>
    </form>
  );
}

function SignInField({
  state,
  name,
  label,
  type = 'text',
  autoComplete,
  defaultValue,
}: {
  state: FormState;
  name: string;
  label: string;
  type?: string;
  autoComplete: string;
  defaultValue?: string;
}) {
  const error = state.fieldErrors?.[name];
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={`sign-in-${name}`}>{label}</label>
      <input
        id={`sign-in-${name}`}
        name={name}
        type={type}
        required
        autoComplete={autoComplete}
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `sign-in-${name}-error` : undefined}
      />
      {error ? (
        <p id={`sign-in-${name}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
