'use client';

import { type RefObject, useEffect } from 'react';

/** Fields whose content is never kept or put back: secrets and uploads. */
const forgotten = new Set(['password', 'privateKey', 'csv', 'csrf']);

type Snapshot = {
  element: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  value: string;
  checked: boolean;
}[];

/**
 * Keeps what the user chose when a submit fails. React resets a form after its action returns;
 * text fields get their typed value back from the form state, but selects, checkboxes and radio
 * buttons would fall back to their initial state. Every ActionForm uses this: it notes each
 * non-secret control as the reset starts and, when the answer is a failure (an error notice is
 * shown), puts the choices back. Passwords, private keys and pasted CSV are never restored.
 */
export function useFormMemory(formRef: RefObject<HTMLFormElement | null>) {
  useEffect(() => {
    const form = formRef.current;
    if (!form) return;
    const onReset = () => {
      const snapshot: Snapshot = [];
      for (const element of Array.from(form.elements)) {
        if (
          !(
            element instanceof HTMLInputElement ||
            element instanceof HTMLSelectElement ||
            element instanceof HTMLTextAreaElement
          )
        )
          continue;
        if (!element.name || forgotten.has(element.name)) continue;
        if (element instanceof HTMLInputElement && ['password', 'file', 'hidden'].includes(element.type))
          continue;
        snapshot.push({
          element,
          value: element.value,
          checked: element instanceof HTMLInputElement ? element.checked : false,
        });
      }
      // The reset event comes before the reset; look once it is done and the answer is shown.
      window.setTimeout(() => {
        if (!form.querySelector('.notice-error[role="alert"]')) return;
        for (const { element, value, checked } of snapshot) {
          if (
            element instanceof HTMLInputElement &&
            (element.type === 'checkbox' || element.type === 'radio')
          ) {
            element.checked = checked;
          } else {
            element.value = value;
          }
        }
      }, 0);
    };
    form.addEventListener('reset', onReset);
    return () => form.removeEventListener('reset', onReset);
  }, [formRef]);
}
