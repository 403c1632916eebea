/**
 * A small CSV reader and writer after RFC 4180, tolerant where spreadsheets differ from the RFC:
 *
 * - records end with CRLF, LF or a lone CR; the last record may end without one;
 * - a field in double quotes may hold commas, line breaks and doubled quotes (`""` is one `"`);
 * - a UTF-8 byte order mark at the start is dropped;
 * - fields are returned as written (no trimming), so a password keeps its spaces.
 *
 * Malformed input (a quote inside an unquoted field, text after a closing quote, a quote that never
 * closes) raises CsvSyntaxError naming the line, rather than guessing what was meant.
 */

export interface CsvRecord {
  /** 1-based line of the file where the record starts (records with line breaks span several). */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface CsvOptions {
  /** Field separator, one character (default `,`). */
  readonly delimiter?: string;
  /** Leave out records that are one empty field, i.e. blank lines (default true). */
  readonly skipBlankLines?: boolean;
  /** Stop with CsvLimitError when the text holds more records than this. */
  readonly maxRecords?: number;
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  readonly line: number;
  constructor(message: string, line: number) {
    super(`Line ${line}: ${message}`);
    this.line = line;
  }
}

export class CsvLimitError extends Error {
  override readonly name = 'CsvLimitError';
  readonly limit: number;
  constructor(limit: number) {
    super(`The file holds more than ${limit} records.`);
    this.limit = limit;
  }
}

export function parseCsv(text: string, options: CsvOptions = {}): CsvRecord[] {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
    throw new RangeError('delimiter must be one character other than a quote or a line break');
  }
  const skipBlank = options.skipBlankLines ?? true;
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
  const input = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;

  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let index = 0;
  /** Whether the current field was quoted (and its closing quote seen). */
  let closedQuote = false;

  const endField = () => {
    fields.push(field);
    field = '';
    closedQuote = false;
  };
  const endRecord = () => {
    endField();
    const blank = fields.length === 1 && fields[0] === '';
    if (!(skipBlank && blank)) {
      if (records.length >= maxRecords) throw new CsvLimitError(maxRecords);
      records.push({ line: recordLine, fields });
    }
    fields = [];
  };

  while (index < input.length) {
    const char = input[index]!;
    if (char === '"') {
      if (field !== '' || closedQuote) {
        throw new CsvSyntaxError('a double quote inside an unquoted field must be in a quoted field', line);
      }
      // A quoted field: read to its closing quote.
      const startLine = line;
      index += 1;
      for (;;) {
        if (index >= input.length) throw new CsvSyntaxError('a quoted field is never closed', startLine);
        const inner = input[index]!;
        if (inner === '"') {
          if (input[index + 1] === '"') {
            field += '"';
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        if (inner === '\n' || (inner === '\r' && input[index + 1] !== '\n')) line += 1;
        field += inner;
        index += 1;
      }
      closedQuote = true;
      const next = input[index];
      if (next !== undefined && next !== delimiter && next !== '\r' && next !== '\n') {
        throw new CsvSyntaxError('only a separator or a line break may follow a closing quote', line);
      }
      continue;
    }
    if (char === delimiter) {
      endField();
      index += 1;
      continue;
    }
    if (char === '\r' || char === '\n') {
      endRecord();
      index += char === '\r' && input[index + 1] === '\n' ? 2 : 1;
      line += 1;
      recordLine = line;
      continue;
    }
    if (closedQuote) {
      throw new CsvSyntaxError('only a separator or a line break may follow a closing quote', line);
    }
    field += char;
    index += 1;
  }
  // The last record, unless the text ended with a line break (or was empty).
  if (field !== '' || closedQuote || fields.length > 0) endRecord();
  return records;
}

/** One field as CSV: quoted when it holds the separator, a quote, a line break or edge spaces. */
export function formatCsvField(value: string, delimiter = ','): string {
  const needsQuotes =
    value.includes(delimiter) ||
    value.includes('"') ||
    value.includes('\n') ||
    value.includes('\r') ||
    value !== value.trim();
  return needsQuotes ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Records as CSV text with CRLF line ends (RFC 4180), ending with a line break. */
export function formatCsv(rows: readonly (readonly string[])[], delimiter = ','): string {
  return rows
    .map((row) => row.map((value) => formatCsvField(value, delimiter)).join(delimiter))
    .join('\r\n')
    .concat(rows.length > 0 ? '\r\n' : '');
}
