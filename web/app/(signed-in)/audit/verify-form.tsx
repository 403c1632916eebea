'use client';

import { useActionState, useEffect, useRef } from 'react';
import { CheckboxField, SubmitButton } from '@/components/action-form';
import { verifyChainAction } from './actions';
import styles from './audit.module.css';
import type { ChainProblemKind, ChainVerification, VerificationState } from './verification';

const problemMeanings: Record<ChainProblemKind, string> = {
  'hash-mismatch': 'The event’s content no longer matches its hash: it was altered.',
  'broken-link': 'The event does not link to the one before it: an event was removed or replaced.',
  'sequence-gap': 'Sequence numbers skip here: events are missing.',
  'time-regression': 'The event is older than the one before it: events were reordered.',
  'head-mismatch': 'The lane ends before its recorded last event: events were removed from the end.',
};

const utc = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'medium',
  timeZone: 'UTC',
});

function when(iso: string | null, open: string): string {
  return iso ? `${utc.format(new Date(iso))} UTC` : open;
}

/** Rendered on the client, so times are formatted here rather than with the server's Time. */
function UtcTime({ value, open }: { value: string | null; open: string }) {
  return value ? <time dateTime={value}>{when(value, open)}</time> : open;
}

const count = new Intl.NumberFormat('en-GB');

function Verdict({ result, checkedAt }: { result: ChainVerification; checkedAt: string | undefined }) {
  const range = (
    <>
      from <UtcTime value={result.from} open="the first event" /> to <UtcTime value={result.to} open="now" />
    </>
  );
  if (result.verified) {
    return (
      <div className="notice notice-success">
        <p className="notice-title">Chain intact</p>
        <p className={styles.flush}>
          Verified {count.format(result.eventsChecked)} {result.eventsChecked === 1 ? 'event' : 'events'} in{' '}
          {result.lanes} lanes, {range}. No event was altered, removed or reordered.
        </p>
        {result.truncated ? (
          <p className={styles.flush}>
            Some lanes hold more events in this range than one check reads; only the oldest part of each was
            checked. Narrow the time range with the From and To filters to check the rest.
          </p>
        ) : null}
        {checkedAt ? (
          <p className={`small ${styles.flush}`}>
            Checked <UtcTime value={checkedAt} open="" />.
          </p>
        ) : null}
      </div>
    );
  }
  return (
    <div className="notice notice-error">
      <p className="notice-title">
        Chain broken: {result.problems.length} {result.problems.length === 1 ? 'problem' : 'problems'} found
      </p>
      <p className={styles.flush}>
        Checked {count.format(result.eventsChecked)} events in {result.lanes} lanes, {range}. The audit trail
        has been tampered with or damaged where listed below; keep an export and contact your security team.
      </p>
      <div className="table-wrap">
        <table className={styles.problems}>
          <caption>Where the chain breaks</caption>
          <thead>
            <tr>
              <th scope="col">Lane</th>
              <th scope="col">Sequence</th>
              <th scope="col">Event</th>
              <th scope="col">Problem</th>
            </tr>
          </thead>
          <tbody>
            {result.problems.map((problem) => (
              <tr key={`${problem.lane}-${problem.seq}-${problem.kind}`}>
                <td>{problem.lane}</td>
                <td>{problem.seq}</td>
                <td className="mono small">{problem.eventId ?? '—'}</td>
                <td>
                  <strong>{problem.kind}</strong>
                  <br />
                  {problemMeanings[problem.kind]}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {checkedAt ? (
        <p className={`small ${styles.flush}`}>
          Checked <UtcTime value={checkedAt} open="" />.
        </p>
      ) : null}
    </div>
  );
}

/**
 * "Verify the chain": recomputes every event's hash and link through the API. With a time range
 * in the filters, the check can be limited to it.
 */
export function VerifyChainForm({
  csrf,
  from,
  to,
  rangeLabel,
}: {
  csrf: string;
  /** The filters' range in ISO-8601 UTC, when one is set and valid. */
  from?: string | undefined;
  to?: string | undefined;
  rangeLabel?: string | undefined;
}) {
  const [state, action, pending] = useActionState<VerificationState, FormData>(verifyChainAction, {});
  const resultRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.result || state.message) resultRef.current?.focus();
  }, [state]);
  const hasRange = Boolean(from || to);
  return (
    <form action={action} className="stack" aria-label="Verify the audit chain" aria-busy={pending}>
      <input type="hidden" name="csrf" value={csrf} />
      {from ? <input type="hidden" name="from" value={from} /> : null}
      {to ? <input type="hidden" name="to" value={to} /> : null}
      {hasRange ? (
        <CheckboxField
          name="scope"
          value="range"
          label={`Only the filtered time range (${rangeLabel ?? 'from the filters'})`}
          hint="Leave unticked to verify the whole trail."
          defaultChecked={state.scoped ?? false}
        />
      ) : null}
      <div className="button-row">
        <SubmitButton pendingLabel="Verifying the chain…">Verify the chain</SubmitButton>
      </div>
      <div ref={resultRef} role="status" tabIndex={-1} className={styles.result}>
        {state.result ? <Verdict result={state.result} checkedAt={state.checkedAt} /> : null}
        {!state.result && state.message ? (
          <div className="notice notice-error">
            <p className="notice-title">The chain could not be verified</p>
            <p className={styles.flush}>{state.message}</p>
          </div>
        ) : null}
      </div>
    </form>
  );
}
