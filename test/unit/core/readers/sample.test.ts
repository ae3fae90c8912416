// The bounded sample the label pickers read (src/core/readers/sample.ts): the first rows of a
// CSV or JSON Lines file within SAMPLE_BYTES, cut after whole lines, read by the same readers
// (so the same kinds) as a full read; small Parquet and Arrow files whole, larger ones not at
// all (with the reason); and a reason, never an exception, for files that cannot be read.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readTable } from '../../../../src/core/readers/readTable';
import { categoryAt, isStringColumn } from '../../../../src/core/table';
import { endOfLines, readTableSample, SAMPLE_BYTES, SAMPLE_ROWS } from '../../../../src/core/readers/sample';
import { examples, fixtures } from '../../helpers';

const dir = mkdtempSync(join(tmpdir(), 'table-sample-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a long CSV: the header and the first SAMPLE_ROWS rows, with the kinds of a full read', async () => {
  const file = join(dir, 'long.csv');
  const lines = ['id,x,group'];
  for (let i = 0; i < 5000; i++) lines.push(`${i},${(i * 0.37).toFixed(2)},${['a', 'b', 'c'][i % 3]}`);
  writeFileSync(file, lines.join('\n') + '\n');
  assert.ok(statSync(file).size > SAMPLE_BYTES);
  const s = await readTableSample(file);
  assert.ok(s.table);
  assert.equal(s.whole, false);
  assert.equal(s.table.rows, SAMPLE_ROWS);
  assert.deepEqual(s.table.columns.map((c) => [c.name, c.type]), [['id', 'numeric'], ['x', 'numeric'], ['group', 'categorical']]);
  assert.equal(s.table.problemCount, 0);
});

test('long rows: cut after the last whole line within SAMPLE_BYTES (no half row, no ragged-row problem)', async () => {
  const file = join(dir, 'wide.csv');
  const lines = ['a,b'];
  for (let i = 0; i < 400; i++) lines.push(`${i},${'x'.repeat(300)}${i}`);
  writeFileSync(file, lines.join('\n') + '\n');
  const s = await readTableSample(file);
  assert.ok(s.table);
  assert.equal(s.whole, false);
  const fit = Math.floor((SAMPLE_BYTES - 4) / 306);
  assert.ok(s.table.rows >= fit - 1 && s.table.rows <= fit + 1 && s.table.rows < 400, `rows ${s.table.rows}`);
  assert.equal(s.table.problemCount, 0);
  // The last row read is whole: its cell ends with its row number.
  const b = s.table.columns[1];
  assert.ok(isStringColumn(b));
  assert.equal(categoryAt(b, s.table.rows - 1), `${'x'.repeat(300)}${s.table.rows - 1}`);
});

test('a small file is read whole, its last line without a line break too', async () => {
  const s = await readTableSample(examples('penguins', 'biscoe.csv'));
  assert.ok(s.table);
  assert.equal(s.whole, true);
  assert.equal(s.table.rows, (await readTable(examples('penguins', 'biscoe.csv'))).rows);
  const file = join(dir, 'short.csv');
  writeFileSync(file, 'a,b\n1,x\n2,y');
  const t = await readTableSample(file);
  assert.equal(t.table?.rows, 2);
  assert.equal(t.table && t.whole, true);
  assert.equal(endOfLines(Buffer.from('a\nb\nc'), 2), 4);
  assert.equal(endOfLines(Buffer.from('a\nb'), 2), -1);
});

test('TSV with the delimiter given; JSON Lines cut after whole lines; small Parquet and Arrow files whole', async () => {
  const tsv = join(dir, 'data.tsv');
  writeFileSync(tsv, 'a,b\tc\n1,2\tx\n');
  assert.deepEqual((await readTableSample(tsv, { delimiter: '\t' })).table?.columns.map((c) => c.name), ['a,b', 'c']);
  const jsonl = await readTableSample(fixtures('readers', 'mixed.jsonl'), { rows: 3 });
  assert.equal(jsonl.table?.rows, 3);
  assert.equal(jsonl.table && jsonl.whole, false);
  const full = await readTable(fixtures('readers', 'mixed.jsonl'));
  assert.deepEqual(jsonl.table?.columns.map((c) => [c.name, c.type]), full.columns.map((c) => [c.name, c.type]));
  for (const f of ['mixed.snappy.parquet', 'mixed.arrow']) {
    const s = await readTableSample(fixtures('readers', f));
    assert.ok(s.table, f);
    assert.deepEqual(s.table.columns.map((c) => [c.name, c.type]), (await readTable(fixtures('readers', f))).columns.map((c) => [c.name, c.type]), f);
  }
  const big = await readTableSample(fixtures('readers', 'mixed.snappy.parquet'), { wholeFileBytes: 100 });
  assert.equal(big.table, undefined);
  assert.match(big.table ? '' : big.reason, /Parquet file over .* is not sampled/);
});

test('files that cannot be read give a reason naming what is wrong, never an exception', async () => {
  const binary = join(dir, 'binary.csv');
  writeFileSync(binary, Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x00, 0x01, 0x02, 0x0a]));
  const empty = join(dir, 'empty.csv');
  writeFileSync(empty, '');
  const oneLine = join(dir, 'one-line.csv');
  writeFileSync(oneLine, 'x'.repeat(SAMPLE_BYTES + 10));
  const cases: [string, RegExp][] = [
    [binary, /binary data/],
    [empty, /empty/],
    [oneLine, /no line break in the first 64 KiB/],
    [join(dir, 'missing.csv'), /file not found/],
    [dir, /not a regular file/],
    [fixtures('readers', 'garbage.parquet'), /Parquet/],
  ];
  for (const [path, want] of cases) {
    const s = await readTableSample(path);
    assert.equal(s.table, undefined, path);
    assert.match(s.table ? '' : s.reason, want, path);
    assert.ok(!(s.table ? '' : s.reason).startsWith(path), 'the reason does not repeat the path');
  }
});
