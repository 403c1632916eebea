import 'server-only';
import { ApiProblem, api } from '@/lib/api';
import { type Account, enumMessage, type Page, type System } from '../systems/inventory';
import type { ImportColumn } from './import-format';
import type { ImportRowResult } from './import-state';

export interface ImportRow {
  readonly row: number;
  readonly values: Readonly<Record<ImportColumn, string>>;
}

/** API body fields and the CSV columns they come from. */
const columnOfField: Record<string, ImportColumn> = {
  name: 'system',
  hostname: 'hostname',
  ipAddress: 'hostname',
  platform: 'platform',
  workgroup: 'workgroup',
  tags: 'tags',
  systemId: 'system',
  username: 'username',
  kind: 'kind',
  description: 'description',
  password: 'password',
};

interface Failure {
  readonly column?: string;
  readonly message: string;
}

/** Conflicts the API answers without a field, and the column they are about. */
const columnOfConflict: Record<string, ImportColumn> = {
  'account-exists': 'username',
  'system-name-taken': 'system',
};

/**
 * The first field error of an API problem, named by its CSV column (and the list item it is
 * about, e.g. a tag), or the problem's detail.
 */
function failureOf(error: unknown, lists: Readonly<Record<string, readonly string[]>> = {}): Failure {
  if (!(error instanceof ApiProblem)) throw error;
  const first = Object.entries(error.fieldErrors)[0];
  if (first) {
    const [field, raw] = first;
    const [base = field, position] = field.split('.');
    const item = position === undefined ? undefined : lists[base]?.[Number(position)];
    const message = enumMessage(raw);
    return {
      column: columnOfField[base] ?? field,
      message: item === undefined ? message : `“${item}”: ${message}`,
    };
  }
  const column = columnOfConflict[error.code];
  return { ...(column ? { column } : {}), message: error.detail || error.title };
}

const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const looksLikeIp = (value: string) => ipv4.test(value) || value.includes(':');

/** Runs `work` over `items`, `limit` at a time, keeping the results in order. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Every system of the tenant by lower-cased name (names are unique regardless of case). */
async function systemsByName(): Promise<Map<string, System>> {
  const byName = new Map<string, System>();
  let cursor: string | undefined;
  do {
    const page = await api<Page<System>>('/v1/systems', { query: { limit: 200, cursor } });
    for (const system of page.items) byName.set(system.name.toLowerCase(), system);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return byName;
}

/**
 * Creates what the rows describe: first the systems that do not exist yet (one request per system,
 * from the first row that names it with a platform), then the accounts, four at a time, and the
 * password of each row that has one. A failing row never stops the others.
 */
export async function runImport(rows: readonly ImportRow[]): Promise<{
  results: ImportRowResult[];
  systemsCreated: { id: string; name: string }[];
}> {
  const systems = await systemsByName();
  const systemFailures = new Map<string, Failure>();
  const systemsCreated: { id: string; name: string }[] = [];

  const rowFailure = (row: ImportRow, failure: Failure): ImportRowResult => ({
    row: row.row,
    account: `${row.values.username || '?'}@${row.values.system || '?'}`,
    status: 'failed',
    ...failure,
  });

  // Phase 1: systems, in the order the file names them.
  for (const row of rows) {
    const name = row.values.system;
    const key = name.toLowerCase();
    if (!name || systems.has(key) || systemFailures.has(key)) continue;
    const describing = rows.find(
      (other) => other.values.system.toLowerCase() === key && other.values.platform,
    );
    if (!describing) {
      systemFailures.set(key, {
        column: 'platform',
        message: `no system “${name}” exists; give its platform and hostname to create it`,
      });
      continue;
    }
    const { hostname, platform, workgroup } = describing.values;
    const tags = describing.values.tags
      .split(';')
      .map((tag) => tag.trim())
      .filter(Boolean);
    try {
      const created = await api<System>('/v1/systems', {
        method: 'POST',
        body: {
          name,
          platform,
          ...(hostname ? (looksLikeIp(hostname) ? { ipAddress: hostname } : { hostname }) : {}),
          ...(workgroup ? { workgroup } : {}),
          tags,
        },
      });
      systems.set(key, created);
      systemsCreated.push({ id: created.id, name: created.name });
    } catch (error) {
      const failure = failureOf(error, { tags });
      systemFailures.set(key, {
        ...(failure.column ? { column: failure.column } : {}),
        message: `system “${name}” could not be created: ${failure.message}`,
      });
    }
  }

  // Phase 2: accounts and their passwords.
  const results = await inPool(rows, 4, async (row): Promise<ImportRowResult> => {
    const { system: systemName, username, kind, description, password, platform } = row.values;
    if (!systemName) return rowFailure(row, { column: 'system', message: 'is empty' });
    if (!username) return rowFailure(row, { column: 'username', message: 'is empty' });
    if (!kind) return rowFailure(row, { column: 'kind', message: 'is empty' });
    const key = systemName.toLowerCase();
    const systemFailure = systemFailures.get(key);
    if (systemFailure) return rowFailure(row, systemFailure);
    const system = systems.get(key)!;
    if (platform && platform !== system.platform) {
      return rowFailure(row, {
        column: 'platform',
        message: `system “${system.name}” exists with platform ${system.platform}`,
      });
    }
    const account = `${username}@${system.name}`;
    let created: Account;
    try {
      created = await api<Account>('/v1/accounts', {
        method: 'POST',
        body: { systemId: system.id, username, kind, description },
      });
    } catch (error) {
      return { row: row.row, account, status: 'failed', ...failureOf(error) };
    }
    if (password === '') return { row: row.row, account, status: 'created', accountId: created.id };
    try {
      await api(`/v1/accounts/${created.id}/credential`, { method: 'POST', body: { password } });
    } catch (error) {
      const failure = failureOf(error);
      return {
        row: row.row,
        account,
        status: 'partial',
        accountId: created.id,
        column: 'password',
        message: `the account was created, but its password was refused: ${failure.message}`,
      };
    }
    return { row: row.row, account, status: 'created', accountId: created.id };
  });

  return { results, systemsCreated };
}

/** "12 created, 2 failed" and what else happened. */
export function summaryOf(
  results: readonly ImportRowResult[],
  systemsCreated: readonly unknown[],
): { ok: boolean; message: string } {
  const count = (status: ImportRowResult['status']) => results.filter((r) => r.status === status).length;
  const created = count('created');
  const partial = count('partial');
  const failed = count('failed');
  const parts = [`${created} created`, `${failed} failed`];
  if (partial > 0) parts.push(`${partial} created without their password`);
  if (systemsCreated.length > 0)
    parts.push(`${systemsCreated.length} new ${systemsCreated.length === 1 ? 'system' : 'systems'}`);
  return { ok: failed === 0 && partial === 0, message: `${parts.join(', ')}.` };
}
