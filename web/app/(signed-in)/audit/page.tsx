import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { FilterInput } from '@/components/filter-fields';
import { EmptyState, PageHeader, Pagination, Time } from '@/components/ui';
import { api, can, requireSession } from '@/lib/api';
import { ApiProblem } from '@/lib/api-problem';
import styles from './audit.module.css';
import {
  apiFilter,
  exportRowCap,
  type FilterValues,
  filterParams,
  hasFilters,
  knownActions,
  localInputValue,
  readCursor,
  readFilters,
} from './filters';
import { VerifyChainForm } from './verify-form';

export const metadata: Metadata = { title: 'Audit trail' };

const pageSize = 50;

interface AuditEvent {
  readonly id: string;
  readonly time: string;
  readonly actor: { readonly type: string; readonly id: string; readonly name: string };
  readonly sourceIp: string;
  readonly action: string;
  readonly target: { readonly type: string; readonly id: string; readonly name?: string };
  readonly outcome: 'success' | 'failure' | 'denied';
  readonly reason: string | null;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

interface AuditPage {
  readonly items: readonly AuditEvent[];
  readonly nextCursor?: string | null;
}

type Listing =
  | { kind: 'page'; page: AuditPage }
  | { kind: 'invalid-filters'; fieldErrors: Readonly<Record<string, string>>; message: string }
  | { kind: 'stale-cursor' }
  | { kind: 'forbidden' };

async function listEvents(filters: FilterValues, cursor: string | undefined): Promise<Listing> {
  const { query, fieldErrors } = apiFilter(filters);
  if (Object.keys(fieldErrors).length > 0)
    return { kind: 'invalid-filters', fieldErrors, message: 'Some filters need correcting.' };
  try {
    const page = await api<AuditPage>('/v1/audit/events', { query: { ...query, limit: pageSize, cursor } });
    return { kind: 'page', page };
  } catch (error) {
    if (!(error instanceof ApiProblem)) throw error;
    if (error.status === 403) return { kind: 'forbidden' };
    if (error.status === 400 && error.fieldErrors.cursor) return { kind: 'stale-cursor' };
    if (error.status === 400) {
      return {
        kind: 'invalid-filters',
        fieldErrors: error.fieldErrors,
        message: Object.keys(error.fieldErrors).length
          ? 'Some filters need correcting.'
          : error.detail || error.title,
      };
    }
    throw error;
  }
}

const exportErrors: Record<string, string> = {
  forbidden: 'You are not allowed to export the audit trail.',
  invalid: 'The export was refused because of the filters. Correct them and try again.',
  failed: 'The export could not be produced. Try again in a moment.',
};

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await requireSession();
  const params = await searchParams;
  const header = (
    <PageHeader
      title="Audit trail"
      description="Every sign-in, credential use, approval and change in your organisation, newest first. Each event is chained to the one before it by a hash, so removed or edited events can be detected."
    />
  );
  if (!can(session, 'audit:read'))
    return (
      <>
        {header}
        {noAccess}
      </>
    );

  const filters = readFilters(params);
  const cursor = readCursor(params);
  const listing = await listEvents(filters, cursor);
  if (listing.kind === 'forbidden')
    return (
      <>
        {header}
        {noAccess}
      </>
    );

  const filtersValid = listing.kind !== 'invalid-filters';
  const fieldErrors = listing.kind === 'invalid-filters' ? listing.fieldErrors : {};
  const range = filtersValid ? apiFilter(filters).query : {};
  const exportError = typeof params.exportError === 'string' ? exportErrors[params.exportError] : undefined;
  const canExport = can(session, 'audit:export');

  return (
    <>
      {header}

      <section className={`card ${styles.section}`} aria-labelledby="integrity-heading">
        <h2 id="integrity-heading">Integrity</h2>
        {can(session, 'audit:verify') ? (
          <>
            <p className={`muted ${styles.summaryLine}`}>
              Recompute the hash chain to prove that no event has been altered, removed or reordered since it
              was recorded.
            </p>
            <VerifyChainForm
              csrf={session.csrfToken}
              from={range.from}
              to={range.to}
              rangeLabel={rangeText(range.from, range.to)}
            />
          </>
        ) : (
          <p className="muted">Verifying the chain needs the audit:verify permission.</p>
        )}
      </section>

      <section className={styles.section} aria-labelledby="search-heading">
        <h2 id="search-heading">Search events</h2>
        {listing.kind === 'invalid-filters' ? (
          <div className="notice notice-error" role="alert">
            <p className="notice-title">The search could not run</p>
            <p className={styles.flush}>{listing.message}</p>
          </div>
        ) : null}
        <form
          method="get"
          action="/audit"
          className={`filters ${styles.filterForm}`}
          aria-label="Filter events"
        >
          <FilterInput
            name="actorId"
            label="Actor id"
            defaultValue={filters.actorId}
            error={fieldErrors.actorId}
            placeholder="usr_…"
            autoComplete="off"
            spellCheck={false}
          />
          <FilterInput
            name="action"
            label="Action"
            defaultValue={filters.action}
            error={fieldErrors.action}
            placeholder="access-request.approve"
            list="audit-actions"
            autoComplete="off"
            spellCheck={false}
          />
          <FilterInput
            name="targetId"
            label="Target id"
            defaultValue={filters.targetId}
            error={fieldErrors.targetId}
            placeholder="acc_…"
            autoComplete="off"
            spellCheck={false}
          />
          <FilterInput
            name="from"
            label="From (UTC)"
            type="datetime-local"
            defaultValue={localInputValue(filters.from)}
            error={fieldErrors.from}
          />
          <FilterInput
            name="to"
            label="To (UTC)"
            type="datetime-local"
            defaultValue={localInputValue(filters.to)}
            error={fieldErrors.to}
          />
          <div className={styles.filterActions}>
            <button type="submit" className="button button-primary">
              Search
            </button>
            {hasFilters(filters) ? (
              <Link href="/audit" prefetch={false} className="button button-secondary">
                Clear filters
              </Link>
            ) : null}
          </div>
          <datalist id="audit-actions">
            {knownActions.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
        </form>
        <p className={`small muted ${styles.filterHint}`}>
          Times are in UTC. An action names what happened, such as access-request.approve or
          credential.reveal; ids are shown under the names in the table below.
        </p>
      </section>

      <section aria-labelledby="events-heading">
        <div className={styles.sectionHeader}>
          <h2 id="events-heading">Events</h2>
          {canExport && filtersValid ? (
            <div className="button-row">
              <a className="button button-secondary button-small" href={exportHref('csv', filters)}>
                Export CSV
              </a>
              <a className="button button-secondary button-small" href={exportHref('jsonl', filters)}>
                Export JSONL
              </a>
            </div>
          ) : null}
        </div>
        {exportError ? (
          <p className="notice notice-error" role="alert">
            {exportError}
          </p>
        ) : null}
        {canExport && filtersValid ? (
          <p className={`small muted ${styles.summaryLine}`}>
            Exports hold the events matching these filters, newest first, up to{' '}
            {exportRowCap.toLocaleString('en-GB')} per file. Each export is itself recorded in the trail.
          </p>
        ) : null}
        <Results listing={listing} filters={filters} cursor={cursor} />
      </section>
    </>
  );
}

const noAccess = (
  <div className="notice notice-info" role="status">
    <p className="notice-title">You cannot see the audit trail</p>
    <p className={styles.flush}>
      Reading the audit trail needs the audit:read permission, which the auditor and tenant administrator
      roles have. Ask a tenant administrator if you need it.
    </p>
  </div>
);

function Results({
  listing,
  filters,
  cursor,
}: {
  listing: Listing;
  filters: FilterValues;
  cursor: string | undefined;
}) {
  if (listing.kind === 'invalid-filters' || listing.kind === 'forbidden') {
    return <EmptyState title="No results to show">Correct the filters above to search the trail.</EmptyState>;
  }
  if (listing.kind === 'stale-cursor') {
    return (
      <EmptyState title="This page of results is no longer available">
        <Link href={pageHref(filters)} prefetch={false}>
          Go to the first page
        </Link>
      </EmptyState>
    );
  }
  const { items, nextCursor } = listing.page;
  if (items.length === 0) {
    return (
      <>
        <EmptyState title={hasFilters(filters) ? 'No events match these filters' : 'No events yet'}>
          {hasFilters(filters)
            ? 'Widen the time range or clear a filter.'
            : 'Events appear here as people sign in, request access and change settings.'}
        </EmptyState>
        <Pagination
          basePath="/audit"
          params={filterParams(filters)}
          nextCursor={nextCursor}
          hasPrevious={Boolean(cursor)}
        />
      </>
    );
  }
  return (
    <>
      <p className={`small muted ${styles.summaryLine}`}>
        {items.length} {items.length === 1 ? 'event' : 'events'} on this page
        {hasFilters(filters) ? ' matching the filters' : ''}, newest first.
      </p>
      <div className="table-wrap">
        <table className={styles.events}>
          <caption className="visually-hidden">Audit events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
              <th scope="col">Source IP</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {items.map((event) => (
              <EventRow key={event.id} event={event} filters={filters} />
            ))}
          </tbody>
        </table>
      </div>
      <Pagination
        basePath="/audit"
        params={filterParams(filters)}
        nextCursor={nextCursor}
        hasPrevious={Boolean(cursor)}
      />
    </>
  );
}

function EventRow({ event, filters }: { event: AuditEvent; filters: FilterValues }) {
  return (
    <tr>
      <td className={styles.nowrap}>
        <Time value={event.time} />
      </td>
      <td>
        <span className={styles.identity}>{event.actor.name || event.actor.type}</span>
        <Link
          href={pageHref({ ...filters, actorId: event.actor.id })}
          prefetch={false}
          className={`mono small ${styles.identity}`}
        >
          <span className="visually-hidden">Events by </span>
          {event.actor.id}
        </Link>
      </td>
      <td className="mono small">{event.action}</td>
      <td>
        {event.target.name ? <span className={styles.identity}>{event.target.name}</span> : null}
        <span className={`small muted ${styles.identity}`}>{event.target.type}</span>
        <Link
          href={pageHref({ ...filters, targetId: event.target.id })}
          prefetch={false}
          className={`mono small ${styles.identity}`}
        >
          <span className="visually-hidden">Events on </span>
          {event.target.id}
        </Link>
      </td>
      <td>
        <Outcome outcome={event.outcome} />
      </td>
      <td className="mono small">{event.sourceIp || '—'}</td>
      <td className={`small ${styles.details}`}>
        <DetailsSummary reason={event.reason} details={event.details} />
      </td>
    </tr>
  );
}

const outcomeTones: Record<AuditEvent['outcome'], string> = {
  success: 'success',
  failure: 'danger',
  denied: 'danger',
};

function Outcome({ outcome }: { outcome: AuditEvent['outcome'] }) {
  return <span className={`badge badge-${outcomeTones[outcome] ?? 'neutral'}`}>{outcome}</span>;
}

/** Keys that would name a secret. The API never puts one in an event; this is belt and braces. */
const secretKey = /pass(word|phrase)|secret|private.?key|^token$|access.?token|refresh.?token|otp|pin$/i;
const summaryLength = 90;

function detailsText(details: AuditEvent['details']): string {
  return Object.entries(details)
    .filter(([, value]) => value !== null && value !== '')
    .map(([key, value]) => `${key}=${secretKey.test(key) ? '[hidden]' : String(value)}`)
    .join(', ');
}

function DetailsSummary({
  reason,
  details,
}: {
  reason: string | null;
  details: AuditEvent['details'];
}): ReactNode {
  const text = detailsText(details);
  const reasonLine = reason ? <span className={styles.reason}>Reason: {reason}</span> : null;
  if (!text) return reasonLine ?? <span className="muted">—</span>;
  if (text.length <= summaryLength) {
    return (
      <>
        {reasonLine}
        <span className="mono">{text}</span>
      </>
    );
  }
  return (
    <>
      {reasonLine}
      <details>
        <summary className="mono">{`${text.slice(0, summaryLength).trimEnd()}…`}</summary>
        <span className="mono">{text}</span>
      </details>
    </>
  );
}

function pageHref(filters: FilterValues): string {
  const search = new URLSearchParams(filterParams(filters)).toString();
  return search ? `/audit?${search}` : '/audit';
}

function exportHref(format: 'csv' | 'jsonl', filters: FilterValues): string {
  const search = new URLSearchParams({ format, ...filterParams(filters) });
  return `/audit/export?${search.toString()}`;
}

const utcMinute = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

function rangeText(from: string | undefined, to: string | undefined): string | undefined {
  if (!from && !to) return undefined;
  const at = (iso: string) => `${utcMinute.format(new Date(iso))} UTC`;
  return `${from ? at(from) : 'the first event'} to ${to ? at(to) : 'now'}`;
}
