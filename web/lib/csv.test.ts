import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvLimitError, CsvSyntaxError, formatCsv, formatCsvField, parseCsv } from './csv.ts';

const fieldsOf = (text: string, options?: Parameters<typeof parseCsv>[1]) =>
  parseCsv(text, options).map((record) => record.fields);

describe('parseCsv', () => {
  it('reads records separated by CRLF, LF or CR, with or without a final line break', () => {
    assert.deepEqual(fieldsOf('a,b\r\nc,d\r\n'), [
      ['a', 'b'],
      ['c', 'd'],
    ]);
    assert.deepEqual(fieldsOf('a,b\nc,d'), [
      ['a', 'b'],
      ['c', 'd'],
    ]);
    assert.deepEqual(fieldsOf('a,b\rc,d\r'), [
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    assert.deepEqual(fieldsOf(',a,,\n'), [['', 'a', '', '']]);
    assert.deepEqual(fieldsOf('a,'), [['a', '']]);
  });

  it('reads quoted fields with separators, doubled quotes and line breaks', () => {
    const text = 'name,note\r\n"web, prod","say ""hi"""\r\n"multi\r\nline",x\r\n';
    assert.deepEqual(fieldsOf(text), [
      ['name', 'note'],
      ['web, prod', 'say "hi"'],
      ['multi\r\nline', 'x'],
    ]);
  });

  it('numbers each record by the line where it starts', () => {
    const records = parseCsv('h1,h2\n"a\nb",c\n\nd,e\n');
    assert.deepEqual(
      records.map((record) => record.line),
      [1, 2, 5],
    );
  });

  it('skips blank lines unless asked to keep them', () => {
    assert.deepEqual(fieldsOf('a\n\n\nb\n'), [['a'], ['b']]);
    assert.deepEqual(fieldsOf('a\n\nb\n', { skipBlankLines: false }), [['a'], [''], ['b']]);
  });

  it('keeps spaces and drops a byte order mark', () => {
    assert.deepEqual(fieldsOf('\uFEFF a , b \n'), [[' a ', ' b ']]);
  });

  it('reads a quoted empty field as a field', () => {
    assert.deepEqual(fieldsOf('"",x\n'), [['', 'x']]);
  });

  it('returns nothing for empty text', () => {
    assert.deepEqual(parseCsv(''), []);
    assert.deepEqual(parseCsv('\r\n\n'), []);
  });

  it('takes another separator', () => {
    assert.deepEqual(fieldsOf('a;"b;c"\n', { delimiter: ';' }), [['a', 'b;c']]);
    assert.throws(() => parseCsv('a', { delimiter: '"' }), RangeError);
  });

  it('refuses malformed quoting with the line number', () => {
    assert.throws(
      () => parseCsv('ok\nab"c\n'),
      (error: unknown) => error instanceof CsvSyntaxError && error.line === 2,
    );
    assert.throws(
      () => parseCsv('"closed"x,y\n'),
      (error: unknown) => error instanceof CsvSyntaxError && error.line === 1,
    );
    assert.throws(
      () => parseCsv('a\n"never closed\nstill open'),
      (error: unknown) => error instanceof CsvSyntaxError && error.line === 2,
    );
  });

  it('stops at the record limit', () => {
    assert.equal(parseCsv('a\nb\nc\n', { maxRecords: 3 }).length, 3);
    assert.throws(
      () => parseCsv('a\nb\nc\nd\n', { maxRecords: 3 }),
      (error: unknown) => error instanceof CsvLimitError && error.limit === 3,
    );
  });
});

describe('formatCsv', () => {
  it('quotes only the fields that need it', () => {
    assert.equal(formatCsvField('plain'), 'plain');
    assert.equal(formatCsvField('a,b'), '"a,b"');
    assert.equal(formatCsvField('say "hi"'), '"say ""hi"""');
    assert.equal(formatCsvField(' padded'), '" padded"');
    assert.equal(formatCsvField('two\nlines'), '"two\nlines"');
  });

  it('round-trips through parseCsv', () => {
    const rows = [
      ['system', 'username', 'password'],
      ['web-01', 'root', 'p,a"s s\r\nword '],
      ['', 'x', ''],
    ];
    const text = formatCsv(rows);
    assert.ok(text.endsWith('\r\n'));
    assert.deepEqual(fieldsOf(text), rows);
    assert.equal(formatCsv([]), '');
  });
});
