import type { NextRequest } from 'next/server';
import { apiFetch, apiRaw, can, requireSession } from '@/lib/api';
import { apiFilter, exportRowCap, exportSliceSize, filterParams, readFilters } from '../filters';
import { exportChunks } from './stream';

/**
 * GET /audit/export?format=csv|jsonl&<the page's filters>: the audit events as a file.
 *
 * The API hands an export out in slices of at most 5,000 events with the next slice's cursor in
 * the `Strongroom-Next-Cursor` header. This follows the cursors up to `exportRowCap` events and
 * streams each slice on as it arrives (nothing is held in memory beyond one slice in flight);
 * for CSV, only the first slice's header row is kept. A slice that fails after the download has
 * started aborts the stream, so a partial file is never passed off as a complete one.
 */

const formats = ['csv', 'jsonl'] as const;
type Format = (typeof formats)[number];

/** Enough slices for the cap even when filtered slices come back short. */
const maxSlices = 3 * Math.ceil(exportRowCap / exportSliceSize);

export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  const filters = readFilters(params);
  // Relative redirects: behind a proxy the request's own origin is not the one the browser sees.
  const back = (reason: 'invalid' | 'forbidden' | 'failed') => {
    const search = new URLSearchParams({ ...filterParams(filters), exportError: reason });
    return seeOther(`/audit?${search.toString()}`);
  };

  const format = formats.find((f) => f === params.get('format'));
  const { query, fieldErrors } = apiFilter(filters);
  if (!format || Object.keys(fieldErrors).length > 0) return back('invalid');

  const session = await requireSession();
  if (!can(session, 'audit:export')) return back('forbidden');

  const first = await apiRaw('/v1/audit/export', {
    query: { ...query, format, limit: exportSliceSize },
  });
  if (!first.ok || !first.body) {
    // Read the (small) problem body to the end: cancelling a fetched body can wait for ever
    // when the runtime has teed the response.
    await first.text().catch(() => '');
    if (first.status === 401) return seeOther('/sign-in?reason=expired');
    return back(first.status === 403 ? 'forbidden' : first.status === 400 ? 'invalid' : 'failed');
  }

  // Later slices are fetched while the response streams, outside this handler's request scope,
  // so they use the token of the session read here rather than reading the cookie again.
  const nextSlice = (cursor: string, limit: number) =>
    apiFetch('/v1/audit/export', { query: { ...query, format, limit, cursor } }, session.accessToken);
  const chunks = exportChunks(first, nextSlice, {
    skipRepeatedHeader: format === 'csv',
    rowCap: exportRowCap,
    sliceSize: exportSliceSize,
    maxSlices,
  });
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        console.error('audit export aborted:', error instanceof Error ? error.message : 'unknown error');
        controller.error(error);
      }
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });

  const date = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': first.headers.get('content-type') ?? contentTypes[format],
      'content-disposition': `attachment; filename="strongroom-audit-${date}.${format}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}

const contentTypes: Record<Format, string> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson',
};
