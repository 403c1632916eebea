'use client';

import { useCallback, useState } from 'react';
import type { FormState } from '@/lib/api-problem';

type Action = (previous: FormState, formData: FormData) => Promise<FormState>;

const passwordFields: readonly string[] = ['password'];

/** What a refused form held, by field name (every value of multi-value fields). Never passwords. */
export type Submitted = ReadonlyMap<string, readonly string[]>;

/**
 * React resets a form after its action runs. Text fields get their values back from the action's
 * `values`, but checkboxes and radios do not: this wraps the action and keeps what a refused
 * submission held (except `csrf` and password fields), so the form can render it as its defaults.
 */
export function useRememberedAction(
  action: Action,
  forget: readonly string[] = passwordFields,
): [Action, Submitted | null] {
  const [submitted, setSubmitted] = useState<Submitted | null>(null);
  const wrapped = useCallback<Action>(
    async (previous, formData) => {
      const result = await action(previous, formData);
      if (result?.ok === false) {
        const kept = new Map<string, string[]>();
        for (const [name, value] of formData.entries()) {
          if (name === 'csrf' || forget.includes(name) || typeof value !== 'string') continue;
          kept.set(name, [...(kept.get(name) ?? []), value]);
        }
        setSubmitted(kept);
      } else {
        setSubmitted(null);
      }
      return result;
    },
    [action, forget],
  );
  return [wrapped, submitted];
}

/** The default of a multi-value field: what was submitted, else the initial values. */
export function remembered(submitted: Submitted | null, name: string, initial: readonly string[]): string[] {
  return submitted ? [...(submitted.get(name) ?? [])] : [...initial];
}

/** The default of a single-value field: what was submitted, else the initial value. */
export function rememberedOne(submitted: Submitted | null, name: string, initial: string): string {
  return submitted ? (submitted.get(name)?.[0] ?? '') : initial;
}

/** The default of a checkbox: whether it was submitted checked, else its initial state. */
export function rememberedChecked(submitted: Submitted | null, name: string, initial: boolean): boolean {
  return submitted ? submitted.has(name) : initial;
}
