import type { InputHTMLAttributes, ReactNode } from 'react';

/**
 * The fields of a GET filter form (accounts, systems, audit), rendered on the server: a label,
 * the control, an optional hint and the API's error for the field's name (a 400 problem+json of
 * the list the form filters). One filter form per page, so `filter-<name>` ids are unique.
 */
interface FilterChrome {
  readonly name: string;
  readonly label: string;
  readonly error?: string | undefined;
  readonly hint?: string | undefined;
}

function FilterField({
  name,
  label,
  error,
  hint,
  children,
}: FilterChrome & { children: (id: string, describedBy: string | undefined) => ReactNode }) {
  const id = `filter-${name}`;
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ');
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy || undefined)}
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function FilterInput({
  name,
  label,
  error,
  hint,
  ...input
}: FilterChrome & Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'id'>) {
  return (
    <FilterField name={name} label={label} error={error} hint={hint}>
      {(id, describedBy) => (
        <input
          id={id}
          name={name}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          {...input}
        />
      )}
    </FilterField>
  );
}

export function FilterSelect({
  name,
  label,
  error,
  hint,
  value,
  anyLabel,
  options,
}: FilterChrome & {
  readonly value: string | undefined;
  /** The first choice, which filters nothing. */
  readonly anyLabel: string;
  readonly options: readonly { value: string; label: string }[];
}) {
  return (
    <FilterField name={name} label={label} error={error} hint={hint}>
      {(id, describedBy) => (
        <select
          id={id}
          name={name}
          defaultValue={value ?? ''}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        >
          <option value="">{anyLabel}</option>
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    </FilterField>
  );
}
