'use client';

import { type ReactNode, useId } from 'react';
import { useFieldError } from '@/components/action-form';
import styles from './admin.module.css';

export interface CheckboxOption {
  readonly value: string;
  readonly label: string;
  readonly hint?: string | undefined;
}

/**
 * A fieldset of checkboxes that all submit under one name (FormData.getAll(name)). The API's
 * error for that name (for example `roles` or `requesterGroupIds`) shows once, under the legend,
 * and marks every box invalid so the form can move focus to the first one.
 */
export function CheckboxGroup({
  legend,
  name,
  options,
  defaultValues,
  hint,
  error,
  scroll = false,
  empty,
}: {
  legend: string;
  name: string;
  options: readonly CheckboxOption[];
  defaultValues: readonly string[];
  hint?: ReactNode;
  /** An error found by the caller (for errors named differently from `name`). */
  error?: string | undefined;
  /** Long lists scroll inside a box of their own. */
  scroll?: boolean;
  /** Shown instead of the boxes when there are no options. */
  empty?: ReactNode;
}) {
  const id = useId();
  const own = useFieldError(name);
  const shown = error ?? own;
  const describedBy = [hint ? `${id}-hint` : null, shown ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <fieldset
      className={shown ? styles.fieldsetInvalid : undefined}
      aria-describedby={describedBy || undefined}
    >
      <legend>{legend}</legend>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {shown ? (
        <p id={`${id}-error`} className="field-error">
          {shown}
        </p>
      ) : null}
      {options.length === 0 ? (
        <p className="muted small">{empty ?? 'Nothing to choose from yet.'}</p>
      ) : (
        <div
          className={scroll ? `${styles.checkboxGroup} ${styles.checkboxGroupScroll}` : styles.checkboxGroup}
        >
          {options.map((option, index) => (
            <div key={option.value} className={styles.checkboxItem}>
              <input
                id={`${id}-${index}`}
                type="checkbox"
                name={name}
                value={option.value}
                defaultChecked={defaultValues.includes(option.value)}
                aria-invalid={shown ? true : undefined}
                aria-describedby={shown ? `${id}-error` : undefined}
              />
              <label htmlFor={`${id}-${index}`}>
                {option.label}
                {option.hint ? <span className={styles.checkboxHint}>{option.hint}</span> : null}
              </label>
            </div>
          ))}
        </div>
      )}
    </fieldset>
  );
}
