'use server';

import { revalidatePath } from 'next/cache';
import { requireSession } from '@/lib/api';
import { ApiProblem } from '@/lib/api-problem';
import { verifyCsrf } from '@/lib/csrf';
import { CsvLimitError, CsvSyntaxError, parseCsv } from '@/lib/csv';
import { type ImportColumn, importColumns, maxImportRows, requiredColumns } from './import-format';
import type { ImportState } from './import-state';
import { type ImportRow, runImport, summaryOf } from './run-import';

const refuse = (message: string): ImportState => ({ ok: false, message });

/** The CSV text of the form: an uploaded file, or what was pasted (not both). */
async function csvTextOf(form: FormData): Promise<string | ImportState> {
  const file = form.get('file');
  const pasted = form.get('csv');
  const hasFile = file instanceof File && file.size > 0;
  const hasPasted = typeof pasted === 'string' && pasted.trim() !== '';
  if (hasFile && hasPasted) return refuse('Choose a file or paste the CSV text, not both.');
  if (hasFile) return file.text();
  if (hasPasted) return pasted;
  return refuse('Choose a CSV file or paste the CSV text.');
}

/**
 * Imports systems and accounts from CSV. Every row is answered on its own (created, created
 * without its password, or failed with the API's reason); passwords never leave this function.
 */
export async function importInventoryAction(_previous: ImportState, form: FormData): Promise<ImportState> {
  try {
    await verifyCsrf(form);
  } catch (error) {
    if (error instanceof ApiProblem) return refuse(error.detail);
    throw error;
  }
  await requireSession();
  const text = await csvTextOf(form);
  if (typeof text !== 'string') return text;

  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(text, { maxRecords: maxImportRows + 1 });
  } catch (error) {
    if (error instanceof CsvLimitError) {
      return refuse(
        `The file has more than ${maxImportRows} rows. Split it and import the parts one by one.`,
      );
    }
    if (error instanceof CsvSyntaxError) return refuse(`The CSV could not be read. ${error.message}.`);
    throw error;
  }
  const [header, ...data] = records;
  if (!header) return refuse('The CSV is empty.');
  if (data.length === 0) return refuse('The CSV has a header row but no rows to import.');

  const names = header.fields.map((name) => name.trim().toLowerCase());
  const unknown = names.filter((name) => !(importColumns as readonly string[]).includes(name));
  if (unknown.length > 0) {
    return refuse(
      `Unknown column ${unknown.map((name) => `“${name}”`).join(', ')}. The columns are ${importColumns.join(', ')}.`,
    );
  }
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (repeated.length > 0) return refuse(`The column “${repeated[0]}” appears twice.`);
  const missing = requiredColumns.filter((name) => !names.includes(name));
  if (missing.length > 0) return refuse(`The header row lacks the column ${missing.join(', ')}.`);

  const badWidth: number[] = [];
  const rows: ImportRow[] = [];
  for (const record of data) {
    if (record.fields.length !== names.length) {
      badWidth.push(record.line);
      continue;
    }
    const values = Object.fromEntries(importColumns.map((column) => [column, ''])) as Record<
      ImportColumn,
      string
    >;
    names.forEach((name, index) => {
      const value = record.fields[index] ?? '';
      // Everything but the password is trimmed; a password is stored exactly as written.
      values[name as ImportColumn] = name === 'password' ? value : value.trim();
    });
    rows.push({ row: record.line, values });
  }

  const { results, systemsCreated } = await runImport(rows);
  revalidatePath('/admin/systems');
  const all = [
    ...results,
    ...badWidth.map((row) => ({
      row,
      account: '—',
      status: 'failed' as const,
      message: `has a different number of fields than the header row (${names.length})`,
    })),
  ].sort((a, b) => a.row - b.row);
  return { ...summaryOf(all, systemsCreated), results: all, systemsCreated };
}
