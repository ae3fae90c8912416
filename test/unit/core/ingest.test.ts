import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsvText, readCsvFile } from '../../../src/core/ingest';
import { categoryAt, columnByName, FatalInputError, isStringColumn, type Column, type DataTable } from '../../../src/core/table';

const FIXTURES = join(__dirname, '../../../../test/fixtures/csv');
const fixture = (name: string): string => join(FIXTURES, name);

/** Cell values as plain JS: numbers (NaN for missing) or strings (undefined for missing). */
function cells(table: DataTable, name: string): (number | string | undefined)[] {
  const column = columnByName(table, name);
  assert.ok(column, `column ${name} exists`);
  return valuesOf(column);
}

function valuesOf(column: Column): (number | string | undefined)[] {
  if (!isStringColumn(column)) return Array.from(column.values);
  return Array.from(column.codes, (_, i) => categoryAt(column, i));
}

async function fatal(name: string): Promise<FatalInputError> {
  try {
    await readCsvFile(fixture(name));
  } catch (err) {
    assert.ok(err instanceof FatalInputError, `expected FatalInputError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${name} should not parse`);
}

test('BOM is dropped from the first column name', async () => {
  const t = await readCsvFile(fixture('bom.csv'));
  assert.deepEqual(t.columns.map((c) => c.name), ['city', 'temp']);
  assert.deepEqual(cells(t, 'city'), ['Seattle', 'New York']);
  assert.deepEqual(cells(t, 'temp'), [12.5, 8]);
  assert.equal(t.name, 'bom');
});

for (const [file, delimiter] of [
  ['delimiter-comma.csv', ','],
  ['delimiter-semicolon.csv', ';'],
  ['delimiter-tab.tsv', '\t'],
  ['delimiter-pipe.csv', '|'],
] as const) {
  test(`sniffs ${JSON.stringify(delimiter)} in ${file}`, async () => {
    const t = await readCsvFile(fixture(file));
    assert.equal(t.delimiter, delimiter);
    assert.deepEqual(t.columns.map((c) => c.name), ['city', 'temp', 'rain']);
    assert.equal(t.rows, 3);
    assert.deepEqual(cells(t, 'rain'), [1, 0, 1]);
    assert.equal(t.problemCount, 0);
  });
}

test('decimal commas are not numbers: the semicolon file keeps temp as text', async () => {
  const t = await readCsvFile(fixture('delimiter-semicolon.csv'));
  assert.equal(columnByName(t, 'temp')?.type, 'categorical');
  assert.deepEqual(cells(t, 'temp'), ['12,5', '8', '-3,25']);
});

test('tab file keeps a comma inside a field', async () => {
  const t = await readCsvFile(fixture('delimiter-tab.tsv'));
  assert.deepEqual(cells(t, 'city'), ['Seattle', 'New York, NY', 'Boston']);
  assert.deepEqual(cells(t, 'temp'), [12.5, 8, -3.25]);
});

test('CRLF line ends, also inside a quoted field', async () => {
  const t = await readCsvFile(fixture('crlf.csv'));
  assert.deepEqual(cells(t, 'city'), ['Seattle', 'New York', 'Multi\r\nLine']);
  assert.deepEqual(cells(t, 'temp'), [12.5, 8, 3]);
});

test('lone CR line ends', async () => {
  const t = await readCsvFile(fixture('lone-cr.csv'));
  assert.deepEqual(cells(t, 'city'), ['Seattle', 'New York']);
  assert.deepEqual(cells(t, 'temp'), [12.5, 8]);
});

test('quoted fields with delimiters, newlines and doubled quotes', async () => {
  const t = await readCsvFile(fixture('quotes.csv'));
  assert.deepEqual(cells(t, 'text'), ['a, b', 'line one\nline two', 'she said "hi"', undefined, '"quoted" and, comma\nand newline', 'plain']);
  assert.deepEqual(cells(t, 'n'), [10, 20, 30, 40, 50, 60]);
  assert.deepEqual(cells(t, 'id'), [1, 2, 3, 4, 5, 6]);
  assert.equal(t.problemCount, 0);
});

test('ragged rows are reported with their line and left out, never padded', async () => {
  const t = await readCsvFile(fixture('ragged-rows.csv'));
  assert.equal(t.rows, 3);
  assert.deepEqual(cells(t, 'a'), [1, 6, 13]);
  assert.deepEqual(cells(t, 'c'), [3, 8, 15]);
  assert.equal(t.problemCount, 2);
  assert.deepEqual(
    t.problems.map((p) => [p.line, p.column, p.code, p.message]),
    [
      [3, 1, 'ragged-row', 'expected 3 fields, found 2; the row is skipped'],
      [5, 1, 'ragged-row', 'expected 3 fields, found 4; the row is skipped'],
    ],
  );
  assert.ok(t.problems.every((p) => p.file === fixture('ragged-rows.csv')));
});

test('an unterminated quote is reported at its line and column; reading resumes on the next line', async () => {
  const t = await readCsvFile(fixture('unterminated-quote.csv'));
  const p = t.problems.find((x) => x.code === 'unterminated-quote');
  assert.ok(p);
  assert.equal(p.line, 3);
  assert.equal(p.column, 3);
  assert.deepEqual(cells(t, 'a'), [1, 3]);
  assert.deepEqual(cells(t, 'b'), ['x', 'y']);
});

test('late "NA" is missing and late "1,234.5" / "12abc" are located type errors; the column stays numeric', async () => {
  const t = await readCsvFile(fixture('late-type-errors.csv'));
  const temp = columnByName(t, 'temp');
  assert.ok(temp && temp.type === 'numeric');
  assert.equal(t.rows, 6004);
  assert.equal(temp.missing, 1);
  assert.equal(temp.typeErrors, 2);
  assert.ok(Number.isNaN(temp.values[6000]) && Number.isNaN(temp.values[6001]) && Number.isNaN(temp.values[6002]));
  assert.equal(temp.values[6003], 7.25);
  const errors = t.problems.filter((p) => p.code === 'type-mismatch');
  assert.deepEqual(
    errors.map((p) => [p.line, p.column, p.field, p.message]),
    [
      [6003, 5, 1, 'expected a number in column "temp", found "1,234.5"'],
      [6004, 5, 1, 'expected a number in column "temp", found "12abc"'],
    ],
  );
  assert.equal(columnByName(t, 'wind')?.type, 'numeric');
  assert.equal(columnByName(t, 'station')?.type, 'categorical');
});

test('type error column is counted in characters, not bytes, after multi-byte text', async () => {
  const t = await readCsvFile(fixture('utf8-type-error.csv'));
  const temp = columnByName(t, 'temp');
  assert.equal(temp?.type, 'numeric');
  assert.deepEqual(
    t.problems.map((p) => [p.line, p.column, p.code]),
    [[3, 13, 'type-mismatch']],
  );
  assert.deepEqual(cells(t, 'name').slice(0, 2), ['Zürich', 'Ünïcödé ✓']);
});

test('a column with only missing values is categorical with an empty dictionary', async () => {
  const t = await readCsvFile(fixture('all-missing-column.csv'));
  const b = columnByName(t, 'b');
  assert.ok(b && b.type === 'categorical');
  assert.equal(b.dictionary.length, 0);
  assert.equal(b.missing, 4);
  assert.deepEqual(Array.from(b.codes), [-1, -1, -1, -1]);
  assert.deepEqual(cells(t, 'a'), [1, 2, 3, 4]);
});

test('duplicate and empty header names get unique names and problems', async () => {
  const t = await readCsvFile(fixture('duplicate-header.csv'));
  assert.deepEqual(t.columns.map((c) => c.name), ['a', 'b', 'a_2', 'column_4', 'b_2']);
  assert.deepEqual(
    t.problems.map((p) => [p.line, p.column, p.code, p.field]),
    [
      [1, 5, 'duplicate-header', 2],
      [1, 7, 'empty-header', 3],
      [1, 8, 'duplicate-header', 4],
    ],
  );
  assert.match(t.problems[0].message, /"a".*"a_2"/);
  assert.deepEqual(cells(t, 'b_2'), [5, 10]);
});

test('blank lines are skipped and do not shift line numbers', async () => {
  const t = await readCsvFile(fixture('blank-lines.csv'));
  assert.equal(t.rows, 2);
  assert.deepEqual(cells(t, 'b'), [2, 4]);
});

test('fatal inputs: missing, empty, binary, no header, directory', async () => {
  const missing = await fatal('does-not-exist.csv');
  assert.equal(missing.code, 'missing-file');
  assert.equal(missing.message, `${fixture('does-not-exist.csv')}: file not found`);
  assert.equal((await fatal('empty.csv')).code, 'empty-file');
  const binary = await fatal('binary.csv');
  assert.equal(binary.code, 'binary-file');
  assert.ok(!binary.message.includes('\n'));
  assert.equal((await fatal('binary-without-nul.csv')).code, 'binary-file');
  assert.equal((await fatal('blank-lines-only.csv')).code, 'no-header');
  await assert.rejects(readCsvFile(FIXTURES), (err: unknown) => err instanceof FatalInputError && err.code === 'not-regular-file' && err.message === `${FIXTURES}: not a regular file (a directory); expected a CSV file`);
});

test('invalid UTF-8 in a categorical value is kept as U+FFFD and reported once per value', async () => {
  const t = await readCsvFile(fixture('invalid-utf8.csv'));
  assert.deepEqual(cells(t, 'name'), ['caf\uFFFD', 'ok', 'caf\uFFFD']);
  assert.deepEqual(t.problems.map((p) => [p.line, p.column, p.code, p.field]), [[2, 1, 'encoding', 0]]);
  const utf16 = await fatal('utf16-bom.csv');
  assert.equal(utf16.code, 'encoding');
  assert.match(utf16.message, /UTF-16/);
});

test('a header-only file has zero rows and typed-but-empty columns', async () => {
  const t = await readCsvFile(fixture('header-only.csv'));
  assert.equal(t.rows, 0);
  assert.deepEqual(t.columns.map((c) => c.name), ['a', 'b', 'c']);
  assert.equal(t.problemCount, 0);
});

test('custom missing tokens are compared after trimming', () => {
  const t = parseCsvText('a,b\n-999,x\n 1 ,-\n2, -999 \n', 'mem.csv', { missingTokens: ['-999', '-'] });
  assert.deepEqual(cells(t, 'a'), [NaN, 1, 2]);
  assert.deepEqual(cells(t, 'b'), ['x', undefined, undefined]);
  // With the defaults an empty cell is missing; without '' in the list it is a type error.
  const strict = parseCsvText('a\n1\n\n2\n' + '3\n'.repeat(40) + '""\n', 'mem.csv', { missingTokens: ['NA'] });
  assert.equal((columnByName(strict, 'a') as Column).typeErrors, 1);
});

test('a column that is numbers at first but mostly text later comes out categorical with the original strings', () => {
  const lines = ['k,v'];
  for (let i = 0; i < 3000; i++) lines.push(`${i},${(i % 50) / 4}`);
  for (let i = 0; i < 5000; i++) lines.push(`${i},label ${i % 7}`);
  lines.push('x,1.50');
  const t = parseCsvText(lines.join('\n'), 'mem.csv', { sampleBytes: 1024 });
  const v = columnByName(t, 'v');
  assert.ok(v && v.type === 'categorical');
  assert.equal(v.typeErrors, 0);
  const values = cells(t, 'v');
  assert.equal(values[1], '0.25');
  assert.equal(values[2], '0.5');
  assert.equal(values[8000], '1.50');
  assert.equal(values[3001], 'label 1');
  assert.equal(t.problems.filter((p) => p.field === 1).length, 0);
  // k: numbers except one "x" among 8001 cells: stays numeric with one located type error.
  const k = columnByName(t, 'k');
  assert.ok(k && k.type === 'numeric' && k.typeErrors === 1);
  assert.deepEqual(t.problems.map((p) => [p.line, p.column, p.code]), [[8002, 1, 'type-mismatch']]);
});

test('a column that is text at first but almost all numbers later comes out numeric', () => {
  const lines = ['v,w'];
  for (let i = 0; i < 20; i++) lines.push(`n/a-ish ${i},a`);
  for (let i = 0; i < 2000; i++) lines.push(`${i / 8},b`);
  const t = parseCsvText(lines.join('\n'), 'mem.csv');
  const v = columnByName(t, 'v');
  assert.ok(v && v.type === 'numeric');
  assert.equal(v.typeErrors, 20);
  assert.equal(v.values[20 + 9], 9 / 8);
  const first = t.problems[0];
  assert.deepEqual([first.line, first.column, first.code, first.message], [2, 1, 'type-mismatch', 'expected a number in column "v", found "n/a-ish 0"']);
});

test('problems are capped at maxProblems but all are counted', () => {
  const lines = ['a,b'];
  for (let i = 0; i < 50; i++) lines.push('1');
  for (let i = 0; i < 10; i++) lines.push('1,2');
  const t = parseCsvText(lines.join('\n'), 'mem.csv', { maxProblems: 5 });
  assert.equal(t.problems.length, 5);
  assert.equal(t.problemCount, 50);
  assert.equal(t.rows, 10);
});

test('progress is reported and an abort signal stops the read', async () => {
  const seen: number[] = [];
  await readCsvFile(fixture('late-type-errors.csv'), { chunkSize: 4096, onProgress: (bytes, total) => seen.push(bytes / total) });
  assert.ok(seen.length >= 1);
  assert.equal(seen[seen.length - 1], 1);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(readCsvFile(fixture('late-type-errors.csv'), { signal: controller.signal }), { name: 'AbortError' });
});

test('an explicit delimiter overrides sniffing; a bad one is refused', () => {
  const t = parseCsvText('a;b,c\n1;2,3\n', 'mem.csv', { delimiter: ';' });
  assert.deepEqual(t.columns.map((c) => c.name), ['a', 'b,c']);
  assert.throws(() => parseCsvText('a\n1\n', 'mem.csv', { delimiter: '"' }), RangeError);
});
