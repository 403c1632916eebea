'use client';

import {
  createContext,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useActionState,
  useContext,
  useEffect,
  useId,
  useRef,
} from 'react';
import { useFormStatus } from 'react-dom';
import type { FormState } from '@/lib/api-problem';
import { useFormMemory } from './form-memory';

/**
 * A form bound to a server action `(previous, formData) => FormState`. It carries the session's
 * CSRF token, shows the action's message (role=alert on failure, role=status on success) and
 * gives every Field the API's error for its name (the problem+json `field`, e.g. `durationMinutes`
 * or `approval.requiredApprovals`).
 */
type Action = (previous: FormState, formData: FormData) => Promise<FormState>;

const FormStateContext = createContext<FormState>({});

export function ActionForm({
  action,
  csrf,
  children,
  className,
  label,
  resetOnSuccess = false,
}: {
  action: Action;
  csrf: string;
  children: ReactNode;
  className?: string;
  /** Accessible name of the form (aria-label). */
  label?: string;
  resetOnSuccess?: boolean;
}) {
  const [state, formAction, pending] = useActionState(action, {});
  const formRef = useRef<HTMLFormElement>(null);
  const messageRef = useRef<HTMLParagraphElement>(null);
  useFormMemory(formRef);
  useEffect(() => {
    if (state.ok && resetOnSuccess) formRef.current?.reset();
    if (state.ok === false) {
      const firstInvalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      (firstInvalid ?? messageRef.current)?.focus();
    }
  }, [state, resetOnSuccess]);
  return (
    <form
      ref={formRef}
      action={formAction}
      className={className}
      aria-label={label}
      aria-busy={pending}
      noValidate
    >
      <input type="hidden" name="csrf" value={csrf} />
      {state.message ? (
        <p
          ref={messageRef}
          tabIndex={-1}
          role={state.ok ? 'status' : 'alert'}
          className={state.ok ? 'notice notice-success' : 'notice notice-error'}
        >
          {state.message}
        </p>
      ) : null}
      <FormStateContext.Provider value={state}>{children}</FormStateContext.Provider>
    </form>
  );
}

export function useFieldError(name: string): string | undefined {
  return useContext(FormStateContext).fieldErrors?.[name];
}

function useFieldValue(name: string, fallback: string | undefined): string | undefined {
  const values = useContext(FormStateContext).values;
  return values && name in values ? values[name] : fallback;
}

interface FieldChrome {
  name: string;
  label: string;
  hint?: ReactNode;
  /** Extra API field names whose errors show on this field. */
  errorNames?: readonly string[];
}

function useChrome({ name, errorNames }: FieldChrome) {
  const id = useId();
  const own = useFieldError(name);
  const errors = useContext(FormStateContext).fieldErrors ?? {};
  const error = own ?? errorNames?.map((n) => errors[n]).find(Boolean);
  return { id, error, hintId: `${id}-hint`, errorId: `${id}-error` };
}

function Chrome({
  id,
  label,
  hint,
  hintId,
  error,
  errorId,
  required,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  hintId: string;
  error?: string | undefined;
  errorId: string;
  required?: boolean | undefined;
  children: ReactNode;
}) {
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>
        {label}
        {required ? <span className="required"> (required)</span> : null}
      </label>
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {children}
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

const describedBy = (hint: unknown, error: unknown, hintId: string, errorId: string) =>
  [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;

export function Field(props: FieldChrome & InputHTMLAttributes<HTMLInputElement>) {
  const { name, label, hint, errorNames, defaultValue, ...input } = props;
  const chrome = useChrome({ name, label, errorNames });
  const remembered = useFieldValue(name, defaultValue === undefined ? undefined : String(defaultValue));
  return (
    <Chrome {...chrome} label={label} hint={hint} required={input.required}>
      <input
        id={chrome.id}
        name={name}
        defaultValue={input.type === 'password' ? undefined : remembered}
        aria-invalid={chrome.error ? true : undefined}
        aria-describedby={describedBy(hint, chrome.error, chrome.hintId, chrome.errorId)}
        {...input}
      />
    </Chrome>
  );
}

export function TextAreaField(props: FieldChrome & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { name, label, hint, errorNames, defaultValue, ...textarea } = props;
  const chrome = useChrome({ name, label, errorNames });
  const remembered = useFieldValue(name, defaultValue === undefined ? undefined : String(defaultValue));
  return (
    <Chrome {...chrome} label={label} hint={hint} required={textarea.required}>
      <textarea
        id={chrome.id}
        name={name}
        defaultValue={remembered}
        aria-invalid={chrome.error ? true : undefined}
        aria-describedby={describedBy(hint, chrome.error, chrome.hintId, chrome.errorId)}
        {...textarea}
      />
    </Chrome>
  );
}

export function SelectField(
  props: FieldChrome &
    SelectHTMLAttributes<HTMLSelectElement> & { options: readonly { value: string; label: string }[] },
) {
  const { name, label, hint, errorNames, options, defaultValue, ...select } = props;
  const chrome = useChrome({ name, label, errorNames });
  const remembered = useFieldValue(name, typeof defaultValue === 'string' ? defaultValue : undefined);
  return (
    <Chrome {...chrome} label={label} hint={hint} required={select.required}>
      <select
        id={chrome.id}
        name={name}
        defaultValue={select.multiple ? defaultValue : remembered}
        aria-invalid={chrome.error ? true : undefined}
        aria-describedby={describedBy(hint, chrome.error, chrome.hintId, chrome.errorId)}
        {...select}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Chrome>
  );
}

export function CheckboxField({
  name,
  label,
  hint,
  defaultChecked,
  value = 'on',
}: {
  name: string;
  label: string;
  hint?: ReactNode;
  defaultChecked?: boolean;
  value?: string;
}) {
  const id = useId();
  const error = useFieldError(name);
  return (
    <div className={error ? 'field field-checkbox field-invalid' : 'field field-checkbox'}>
      <input
        id={id}
        type="checkbox"
        name={name}
        value={value}
        defaultChecked={defaultChecked}
        aria-invalid={error ? true : undefined}
        aria-describedby={hint || error ? `${id}-more` : undefined}
      />
      <label htmlFor={id}>{label}</label>
      {hint || error ? (
        <p id={`${id}-more`} className={error ? 'field-error' : 'field-hint'}>
          {error ?? hint}
        </p>
      ) : null}
    </div>
  );
}

/** Submit button that shows progress while the action runs (and cannot be pressed twice). */
export function SubmitButton({
  children,
  pendingLabel = 'Working…',
  variant = 'primary',
  name,
  value,
}: {
  children: ReactNode;
  pendingLabel?: string;
  variant?: 'primary' | 'secondary' | 'danger';
  name?: string;
  value?: string;
}) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" className={`button button-${variant}`} disabled={pending} name={name} value={value}>
      {pending ? (
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
