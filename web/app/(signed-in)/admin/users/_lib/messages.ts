import { ApiProblem, type FieldErrors, type FormState, formStateOf } from '@/lib/api-problem';

/**
 * The API's validation messages come from its schemas ("Too small: expected string to have >=1
 * characters"). The admin forms show them in plain words; messages the API wrote for people
 * ("must be at least 12 characters") pass unchanged.
 */
const rewrites: readonly [RegExp, (match: RegExpExecArray) => string][] = [
  [/^Too small: expected string to have >=1 characters?$/, () => 'Required.'],
  [/^Too small: expected string to have >=(\d+) characters$/, (m) => `Must be at least ${m[1]} characters.`],
  [/^Too big: expected string to have <=(\d+) characters$/, (m) => `Must be at most ${m[1]} characters.`],
  [/^Too small: expected array to have >=1 items?$/, () => 'Choose at least one.'],
  [/^Too big: expected array to have <=(\d+) items$/, (m) => `Choose at most ${m[1]}.`],
  [/^Too small: expected number to be >=(\d+)$/, (m) => `Must be at least ${m[1]}.`],
  [/^Too big: expected number to be <=(\d+)$/, (m) => `Must be at most ${m[1]}.`],
  [/^Invalid input: expected number, received \w+$/, () => 'Enter a whole number.'],
  [/^Invalid option: expected one of .*$/, () => 'Choose one of the listed options.'],
  [/^must not exceed maxMinutes$/, () => 'Must not exceed the longest duration.'],
  [/^must differ from hours\.from$/, () => 'Must differ from the start time.'],
];

export function readableMessage(message: string): string {
  for (const [pattern, rewrite] of rewrites) {
    const match = pattern.exec(message);
    if (match) return rewrite(match);
  }
  return message;
}

export function readableErrors(errors: FieldErrors): FieldErrors {
  return Object.fromEntries(
    Object.entries(errors).map(([field, message]) => [field, readableMessage(message)]),
  );
}

/** formStateOf, with field errors in plain words and a plain summary when fields are marked. */
export function readableState(error: unknown, values?: Record<string, string>): FormState {
  const state = formStateOf(error, values);
  if (!(error instanceof ApiProblem) || Object.keys(error.fieldErrors).length === 0) return state;
  return {
    ...state,
    message: 'Nothing was saved. Correct the fields marked below.',
    fieldErrors: readableErrors(error.fieldErrors),
  };
}
