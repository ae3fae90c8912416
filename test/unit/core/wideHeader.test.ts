// Very wide files: 100,000 columns must read and profile in time linear in the file. Each
// step that re-reads the header (or a row) from its start for every column made 20,000 columns
// take 18 s and 100,000 hang; these tests would then run into their (generous) timeouts.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCsvFile } from '../../../src/core/ingest';
import { profileTable } from '../../../src/core/profile';
import { categoryAt, columnByName, type Problem } from '../../../src/core/table';
import { tempDir } from '../helpers';
import { wideCsv } from './wideCsv';

const WIDE = 100_000;
const ROWS = 30;
const dir = tempDir('dataset-lab-wide-');
after(dir.cleanup);

const problemOf = (problems: readonly Problem[], code: string) => problems.filter((p) => p.code === code);

test('a 100,000-column file reads and profiles correctly', { timeout: 120_000 }, async () => {
  const wide = wideCsv(WIDE, ROWS);
  const file = join(dir.path, 'wide.csv');
  writeFileSync(file, wide.text);
  const table = await readCsvFile(file);
  assert.equal(table.rows, ROWS);
  assert.equal(table.columns.length, WIDE);
  assert.deepEqual(
    table.columns.map((c) => c.name),
    wide.names,
  );

  // Problems on the header name their 1-based line and character column (the two-byte "été"
  // before them counts as three characters).
  const empty = problemOf(table.problems, 'empty-header');
  assert.deepEqual(
    empty.map((p) => [p.line, p.column, p.field]),
    [[1, wide.headerOffsets[wide.emptyColumn] + 1, wide.emptyColumn]],
  );
  const dup = problemOf(table.problems, 'duplicate-header');
  assert.deepEqual(
    dup.map((p) => [p.line, p.column, p.field]),
    [[1, wide.headerOffsets[wide.duplicateColumn] + 1, wide.duplicateColumn]],
  );
  const bad = problemOf(table.problems, 'type-mismatch');
  assert.deepEqual(
    bad.map((p) => [p.line, p.column, p.field]),
    [[wide.badLine + 1, wide.badOffset + 1, wide.badColumn]],
  );
  assert.equal(table.problemCount, 3);

  const profile = profileTable(table);
  assert.equal(profile.columns.length, WIDE);
  for (const j of [0, 1, 2, 50_000, wide.emptyColumn, wide.duplicateColumn, wide.badColumn]) {
    const p = profile.columns[j];
    assert.equal(p.type, 'numeric', `column ${j}`);
    if (p.type !== 'numeric') continue;
    const values: number[] = [];
    for (let r = 0; r < ROWS; r++) if (!(j === wide.badColumn && r === wide.badRow)) values.push(wide.value(r, j));
    assert.equal(p.count, values.length, `count of column ${j}`);
    assert.equal(p.min, Math.min(...values), `min of column ${j}`);
    assert.equal(p.max, Math.max(...values), `max of column ${j}`);
    assert.ok(Math.abs(p.mean - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9, `mean of column ${j}`);
    assert.equal(p.distinct, new Set(values).size, `distinct of column ${j}`);
    assert.equal(p.typeErrors, j === wide.badColumn ? 1 : 0);
  }
  const label = profile.columns[wide.labelColumn];
  assert.equal(label.type, 'categorical');
  if (label.type === 'categorical') assert.deepEqual(label.top.map((t) => [t.value, t.count]), wide.labels.map((l) => [l, ROWS / wide.labels.length]));
  const labels = columnByName(table, 'label');
  assert.ok(labels?.type === 'categorical');
  assert.equal(categoryAt(labels, ROWS - 1), wide.labels[(ROWS - 1) % wide.labels.length]);
});

test('100,000 identical header names, and 100,000 empty ones, are numbered in one pass', { timeout: 120_000 }, async () => {
  // Read from files: the timeout can only fire between reads, never inside a synchronous parse.
  const sameFile = join(dir.path, 'same.csv');
  writeFileSync(sameFile, `${Array(WIDE).fill('x').join(',')}\n${Array(WIDE).fill('1').join(',')}\n`);
  const same = await readCsvFile(sameFile);
  assert.equal(same.columns.length, WIDE);
  assert.deepEqual(
    same.columns.map((c) => c.name),
    Array.from({ length: WIDE }, (_, j) => (j === 0 ? 'x' : `x_${j + 1}`)),
  );
  assert.equal(same.problemCount, WIDE - 1);
  assert.deepEqual(
    same.problems.slice(0, 2).map((p) => [p.code, p.line, p.column]),
    [
      ['duplicate-header', 1, 3],
      ['duplicate-header', 1, 5],
    ],
  );

  const emptyFile = join(dir.path, 'empty.csv');
  writeFileSync(emptyFile, `${','.repeat(WIDE - 1)}\n${Array(WIDE).fill('2').join(',')}\n`);
  const empty = await readCsvFile(emptyFile);
  assert.deepEqual(
    empty.columns.map((c) => c.name),
    Array.from({ length: WIDE }, (_, j) => `column_${j + 1}`),
  );
  assert.equal(empty.problemCount, WIDE);
  assert.deepEqual(empty.problems.at(-1)!.column, 1000);
});
