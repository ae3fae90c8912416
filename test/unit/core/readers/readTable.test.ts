// Every reader against the CSV ingest of the same table: the fixtures (test/fixtures/readers,
// written by make-fixtures.mjs with parquet-wasm and flechette, not by our readers) hold one table
// in CSV, Parquet (Snappy, ZSTD with v2 pages, GZIP without dictionaries, uncompressed), Arrow
// IPC, Feather and JSON Lines; each must read to the same columns, values and missing cells.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readCsvFile } from '../../../../src/core/ingest';
import { TABLE_FORMAT_BY_EXTENSION, tableFormatOf } from '../../../../src/core/readers/formats';
import { readTable } from '../../../../src/core/readers/readTable';
import { FatalInputError, isStringColumn, type Column, type DataTable } from '../../../../src/core/table';
import { DATA_FILE_EXTENSIONS } from '../../../../src/protocol/files';
import { fixtures } from '../../helpers';

const fx = (name: string) => fixtures('readers', name);

/** A column's cells as strings ('' for missing), the way a user would compare two tables. */
function cells(c: Column): string[] {
  if (!isStringColumn(c)) return Array.from(c.values, (v) => (Number.isNaN(v) ? '' : String(v)));
  return Array.from(c.codes, (k) => (k < 0 ? '' : c.dictionary[k]));
}

function assertSameTable(actual: DataTable, expected: DataTable): void {
  assert.equal(actual.rows, expected.rows);
  assert.deepEqual(actual.columns.map((c) => [c.name, c.type]), expected.columns.map((c) => [c.name, c.type]));
  for (const [j, c] of expected.columns.entries()) {
    const a = actual.columns[j];
    assert.deepEqual(cells(a), cells(c), `column ${c.name}`);
    assert.equal(a.missing, c.missing, `missing cells of ${c.name}`);
    if (c.type === 'categorical' && a.type === 'categorical') assert.deepEqual(a.dictionary, c.dictionary, `categories of ${c.name}, in order of first appearance`);
  }
}

for (const file of ['mixed.snappy.parquet', 'mixed.zstd.parquet', 'mixed.gzip.parquet', 'mixed.uncompressed.parquet', 'mixed.arrow', 'mixed.feather', 'mixed.jsonl']) {
  test(`${file} reads to the same table as mixed.csv`, async () => {
    const csv = await readCsvFile(fx('mixed.csv'));
    const table = await readTable(fx(file));
    assert.equal(table.name, 'mixed' + (file.startsWith('mixed.') && file.split('.').length > 2 ? `.${file.split('.')[1]}` : ''));
    assert.equal(table.problemCount, 0, JSON.stringify(table.problems));
    assertSameTable(table, csv);
  });
}

test('only the requested columns are read, in file order', async () => {
  for (const file of ['mixed.zstd.parquet', 'mixed.arrow', 'mixed.jsonl']) {
    const t = await readTable(fx(file), { columns: ['weather', 'temp', 'no_such_column'] });
    assert.deepEqual(t.columns.map((c) => c.name), ['temp', 'weather'], file);
    assert.equal(t.rows, 40);
  }
});

test('structs are flattened with dotted names; lists are left out with a problem', async () => {
  for (const file of ['nested.parquet', 'nested.arrow']) {
    const t = await readTable(fx(file));
    assert.deepEqual(t.columns.map((c) => c.name), ['station', 'location.lat', 'location.lon'], file);
    assert.deepEqual(cells(t.columns[1]), ['47.6', '40.7', ''], file);
    assert.equal(t.problems.length, 1, file);
    assert.equal(t.problems[0].code, 'unsupported-column');
    assert.match(t.problems[0].message, /"tags" is a list|"tags" holds nested values/, file);
  }
});

test('timestamps and dates are datetime columns (milliseconds since 1970-01-01 UTC), whatever the unit; zone-aware ones keep their offset', async () => {
  const jan2012 = Date.UTC(2012, 0, 1);
  const end2015 = Date.UTC(2015, 11, 31, 23, 59, 30, 500);
  for (const file of ['times.parquet', 'times.arrow']) {
    const t = await readTable(fx(file));
    for (const name of ['at_ms', 'at_us', 'at_utc']) {
      const c = t.columns.find((x) => x.name === name);
      assert.ok(c && c.type === 'datetime', `${file} ${name}`);
      assert.deepEqual(Array.from(c.values), [jan2012, end2015, Number.NaN], `${file} ${name}`);
      assert.equal(c.dateOnly, false);
      assert.equal(c.missing, 1);
      // A timestamp with a zone names instants in UTC: offset 0 kept; a naive one has none.
      assert.deepEqual(c.offsets === undefined ? undefined : Array.from(c.offsets), name === 'at_utc' ? [0, 0, 0] : undefined, `${file} ${name} offsets`);
    }
    const day = t.columns.find((x) => x.name === 'day');
    assert.ok(day && day.type === 'datetime');
    assert.equal(day.dateOnly, true);
    assert.deepEqual(Array.from(day.values), [jan2012, -86400000, Number.NaN], file);
  }
});

test('JSON Lines: bad lines, arrays and a stray string are reported with their line, the rest is read', async () => {
  const t = await readTable(fx('messy.jsonl'));
  assert.equal(t.rows, 24);
  assert.deepEqual(t.columns.map((c) => c.name), ['x', 'y', 'loc.lat', 'z']);
  const x = t.columns[0];
  assert.equal(x.type, 'numeric');
  assert.equal(x.typeErrors, 1);
  const byLine = t.problems.map((p) => [p.line, p.code]);
  assert.deepEqual(byLine, [
    [1, 'unsupported-column'],
    [4, 'type-mismatch'],
    [5, 'invalid-json'],
    [6, 'invalid-json'],
  ]);
  assert.match(t.problems[0].message, /"tags" holds arrays/);
});

async function fatal(path: string): Promise<FatalInputError> {
  try {
    await readTable(path);
  } catch (e) {
    assert.ok(e instanceof FatalInputError, `expected FatalInputError, got ${String(e)}`);
    return e;
  }
  assert.fail(`${path} was read`);
}

test('a corrupt or truncated Parquet file, and an unknown codec, are one clear error naming the file', async () => {
  const truncated = await fatal(fx('truncated.parquet'));
  assert.equal(truncated.code, 'corrupt-file');
  assert.match(truncated.message, /truncated\.parquet: not a Parquet file/);
  const garbage = await fatal(fx('garbage.parquet'));
  assert.equal(garbage.code, 'corrupt-file');
  assert.match(garbage.message, /garbage\.parquet: not a readable Parquet file \(/);
  const lzo = await fatal(fx('lzo.parquet'));
  assert.equal(lzo.code, 'unsupported-codec');
  assert.match(lzo.message, /lzo\.parquet: column "id" is compressed with LZO/);
});

test('an Arrow file that is not Arrow is refused by name', async () => {
  const { tempDir } = await import('../../helpers');
  const { copyFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = tempDir();
  try {
    const fake = join(dir.path, 'fake.feather');
    copyFileSync(fx('mixed.csv'), fake);
    const e = await fatal(fake);
    assert.equal(e.code, 'corrupt-file');
    assert.match(e.message, /fake\.feather: not a readable Arrow IPC file/);
  } finally {
    dir.cleanup();
  }
});

test('the formats read by extension match the editor\'s data-file list', () => {
  assert.deepEqual(Object.keys(TABLE_FORMAT_BY_EXTENSION).sort(), [...DATA_FILE_EXTENSIONS].sort());
  assert.equal(tableFormatOf('/x/A.PARQUET'), 'parquet');
  assert.equal(tableFormatOf('x.Feather'), 'arrow');
  assert.equal(tableFormatOf('x.txt'), 'csv');
});
