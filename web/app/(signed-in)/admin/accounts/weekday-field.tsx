'use client';

import { useId } from 'react';
import { useFieldError } from '@/components/action-form';
import styles from '../systems/inventory.module.css';

/** Days of the week as checkboxes, with the API's error for the list. */
export function WeekdayField({
  name,
  legend,
  days,
  selected,
}: {
  name: string;
  legend: string;
  days: readonly { value: string; label: string }[];
  selected: readonly string[];
}) {
  const id = useId();
  const error = useFieldError(name);
  return (
    <fieldset aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{legend}</legend>
      <div className={styles.weekdays}>
        {days.map((day) => (
          <div key={day.value} className="field field-checkbox">
            <input
              type="checkbox"
              id={`${id}-${day.value}`}
              name={name}
              value={day.value}
              defaultChecked={selected.includes(day.value)}
            />
            <label htmlFor={`${id}-${day.value}`}>{day.label}</label>
          </div>
        ))}
      </div>
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
