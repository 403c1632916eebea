'use client';

import Link from 'next/link';
import { type FormEvent, useActionState, useEffect, useRef, useState } from 'react';
import { Field, SubmitButton, TextAreaField } from '@/components/action-form';
import styles from './import.module.css';
import type { ImportRowResult, ImportState } from './import-state';

const statusLabels: Record<ImportRowResult['status'], { label: string; badge: string }> = {
  created: { label: 'created', badge: 'badge badge-success' },
  partial: { label: 'created, password not set', badge: 'badge badge-pending' },
  failed: { label: 'error', badge: 'badge badge-danger' },
};

/**
 * The import form and its results. The CSV (with any passwords) goes to the server action once;
 * the answer holds row numbers, account names and messages only, and the form is emptied after.
 */
export function ImportForm({
  action,
  csrf,
  maxBytes,
  maxRows,
}: {
  action: (previous: ImportState, form: FormData) => Promise<ImportState>;
  csrf: string;
  maxBytes: number;
  maxRows: number;
}) {
  const [state, formAction, pending] = useActionState(action, {});
  const [clientError, setClientError] = useState<string | null>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (state.message) outcomeRef.current?.focus();
  }, [state]);

  const check = (event: FormEvent<HTMLFormElement>) => {
    const file = new FormData(event.currentTarget).get('file');
    if (file instanceof File && file.size > maxBytes) {
      event.preventDefault();
      setClientError(
        `The file is ${Math.ceil(file.size / 1024)} KB; the limit is ${Math.floor(maxBytes / 1024)} KB. Split it into smaller files.`,
      );
      return;
    }
    setClientError(null);
  };

  const failedRows = state.results?.filter((result) => result.status !== 'created') ?? [];

  return (
    <>
      <form
        action={formAction}
        onSubmit={check}
        className="stack card"
        aria-label="Import CSV"
        aria-busy={pending}
      >
        <input type="hidden" name="csrf" value={csrf} />
        {clientError ? (
          <p className="notice notice-error" role="alert">
            {clientError}
          </p>
        ) : null}
        <Field
          name="file"
          label="CSV file"
          type="file"
          accept=".csv,text/csv"
          hint={`UTF-8, comma-separated, with a header row; at most ${maxRows.toLocaleString('en-GB')} rows.`}
        />
        <TextAreaField
          name="csv"
          label="Or paste the CSV"
          hint="Used when no file is chosen."
          rows={8}
          className="mono"
          spellCheck={false}
          autoComplete="off"
        />
        <div className="button-row">
          <SubmitButton pendingLabel="Importing… this takes a while for large files">Import</SubmitButton>
        </div>
      </form>

      {state.message ? (
        <section aria-labelledby="import-results-heading" className={styles.results}>
          <h2 id="import-results-heading">Results</h2>
          <div
            ref={outcomeRef}
            tabIndex={-1}
            role={state.results ? 'status' : 'alert'}
            className={`notice ${state.ok ? 'notice-success' : state.results ? 'notice-info' : 'notice-error'}`}
          >
            <p className="notice-title">{state.results ? state.message : 'Nothing was imported'}</p>
            {state.results ? (
              failedRows.length > 0 ? (
                <p>
                  Correct the rows marked “error” and import just those rows again; rows that were created
                  would otherwise be reported as existing accounts.
                </p>
              ) : null
            ) : (
              <p>{state.message}</p>
            )}
          </div>
          {state.systemsCreated && state.systemsCreated.length > 0 ? (
            <p>
              New systems:{' '}
              {state.systemsCreated.map((system, index) => (
                <span key={system.id}>
                  {index > 0 ? ', ' : ''}
                  <Link href={`/admin/systems/${system.id}`} prefetch={false}>
                    {system.name}
                  </Link>
                </span>
              ))}
            </p>
          ) : null}
          {state.results && state.results.length > 0 ? (
            <div className="table-wrap">
              <table>
                <caption>
                  Result of each row (row numbers are lines of the file; the header is line 1)
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Row</th>
                    <th scope="col">Account</th>
                    <th scope="col">Status</th>
                    <th scope="col">Column</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {state.results.map((result) => (
                    <tr key={result.row}>
                      <td>{result.row}</td>
                      <td>
                        {result.accountId ? (
                          <Link href={`/admin/accounts/${result.accountId}`} prefetch={false}>
                            {result.account}
                          </Link>
                        ) : (
                          result.account
                        )}
                      </td>
                      <td>
                        <span className={statusLabels[result.status].badge}>
                          {statusLabels[result.status].label}
                        </span>
                      </td>
                      <td className="mono">{result.column ?? ''}</td>
                      <td>{result.message ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
