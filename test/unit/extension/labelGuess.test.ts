import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTableSample, SAMPLE_ROWS } from '../../../src/core/readers/sample';
import { describeSample, labelKindOf, mergeSamples, rankLabelColumns, type ColumnSample } from '../../../src/extension/labelGuess';
import { examples } from '../helpers';
import { anonymousCsv } from './anonymousCsv';

const first = (columns: string[], hints: Parameters<typeof rankLabelColumns>[1] = {}) => rankLabelColumns(columns, hints)[0];

test('the likely label comes first: a label-like name, else the last column, never an id or a date', () => {
  // The penguins' header: species is a label name, though not the last column.
  assert.deepEqual(first(['beak_length_mm', 'beak_depth_mm', 'flipper_length_mm', 'body_mass_g', 'species', 'sex']), { column: 'species', reason: 'likely label (its name)' });
  // Cars: nothing label-like by name; the last column.
  assert.deepEqual(first(['mpg', 'cylinders', 'displacement', 'year']), { column: 'year', reason: 'likely label (last column)' });
  assert.equal(first(['a', 'b', 'customer_id']).column, 'a');
  assert.equal(first(['date', 'precipitation', 'temp_max', 'weather']).column, 'weather');
  assert.equal(first(['x1', 'x2', 'Target Class']).column, 'Target Class');
  // Every column is kept, in a stable order after the first.
  assert.deepEqual(rankLabelColumns(['a', 'b', 'c']).map((r) => r.column), ['c', 'a', 'b']);
});

test('the previous file\'s label and the last label used beat the name rules', () => {
  assert.deepEqual(first(['sex', 'species', 'island'], { partner: 'Sex' }), { column: 'sex', reason: 'the label of the previous file' });
  assert.deepEqual(first(['sex', 'species', 'island'], { last: 'island' }), { column: 'island', reason: 'last used' });
  assert.equal(first(['sex', 'species', 'island'], { last: 'island', partner: 'sex' }).column, 'sex');
});

// With a sample of the file (what the label pickers read: src/core/readers/sample.ts), the
// columns' kinds and distinct counts count too.

/** The sample a picker would read of `path`, summarised. */
async function sampleOf(path: string) {
  const read = await readTableSample(path);
  assert.ok(read.table, `a sample of ${path}: ${read.table ? '' : read.reason}`);
  return describeSample(read.table, SAMPLE_ROWS);
}

test('the sample moves few classes and measures up, and ids, prose, dates, sorted numbers and constants down, with the reason shown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'label-guess-'));
  try {
    const file = join(dir, 'anonymous.csv');
    writeFileSync(file, anonymousCsv(200));
    const sample = await sampleOf(file);
    const columns = ['row', 'code', 'x1', 'grp', 'note', 'k', 'when'];
    // By names alone the last column (the dates) would come first.
    assert.equal(first(columns).column, 'when');
    const ranked = rankLabelColumns(columns, { sample });
    assert.deepEqual(ranked[0], { column: 'grp', reason: 'likely label (3 classes)' });
    assert.deepEqual(ranked[1], { column: 'x1', reason: 'numeric target' });
    const reasons = Object.fromEntries(ranked.map((r) => [r.column, r.reason]));
    assert.deepEqual(
      [reasons.row, reasons.code, reasons.note, reasons.k, reasons.when],
      ['row numbers (always increasing)', 'identifier (mostly distinct values)', 'free text', 'constant', 'dates'],
    );
    // Every sunk column ranks below every candidate.
    assert.deepEqual(ranked.slice(2).map((r) => r.column).sort(), ['code', 'k', 'note', 'row', 'when']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on the bundled examples: the label by name and kind, a numeric target where no name tells', async () => {
  const weather = await sampleOf(examples('weather', 'seattle.csv'));
  assert.deepEqual(rankLabelColumns(['date', 'precipitation', 'temp_max', 'temp_min', 'wind', 'weather'], { sample: weather })[0], { column: 'weather', reason: 'likely label (its name, 5 classes)' });
  const penguins = await sampleOf(examples('penguins', 'biscoe.csv'));
  const p = rankLabelColumns(['beak_length_mm', 'beak_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex', 'species'], { sample: penguins });
  assert.deepEqual(p.slice(0, 2), [
    { column: 'species', reason: 'likely label (its name, 2 classes)' },
    { column: 'sex', reason: 'likely label (2 classes)' },
  ]);
  const spam = await sampleOf(examples('text', 'spam.csv'));
  assert.deepEqual(rankLabelColumns(['text', 'label'], { sample: spam }), [
    { column: 'label', reason: 'likely label (its name, 2 classes)' },
    { column: 'text', reason: 'free text' },
  ]);
  // Cars: no name tells; the model year (the last column) is sorted, so the first measure comes first.
  const cars = await sampleOf(examples('cars', 'usa.csv'));
  const c = rankLabelColumns(['mpg', 'cylinders', 'displacement', 'horsepower', 'weight_lbs', 'acceleration', 'year'], { sample: cars });
  assert.deepEqual(c[0], { column: 'mpg', reason: 'numeric target' });
  assert.deepEqual(c.at(-1), { column: 'year', reason: 'sorted (an order or a time, rarely a label)' });
  assert.equal(c.find((r) => r.column === 'cylinders')?.reason, 'likely label (3 classes)', 'cylinders: 4, 6 or 8 in the USA file');
});

test("the previous file's kind of label is preferred when this file lacks its column", () => {
  const sample = new Map<string, ColumnSample>([
    ['amount', { kind: 'numeric', nonMissing: 300, distinct: 250, integers: false }],
    ['grp', { kind: 'categorical', nonMissing: 300, distinct: 4 }],
  ]);
  assert.equal(first(['amount', 'grp'], { sample }).column, 'grp');
  assert.deepEqual(first(['amount', 'grp'], { sample, partner: 'price', partnerKind: 'numeric' }), { column: 'amount', reason: 'numeric target' });
  assert.equal(first(['grp', 'amount'], { sample, partner: 'price', partnerKind: 'classes' }).column, 'grp');
  // The partner's own column still comes first, whatever its kind.
  assert.deepEqual(first(['amount', 'grp'], { sample, partner: 'GRP', partnerKind: 'numeric' }), { column: 'grp', reason: 'the label of the previous file (4 classes)' });
  assert.equal(labelKindOf(sample.get('amount')), 'numeric');
  assert.equal(labelKindOf(sample.get('grp')), 'classes');
  assert.equal(labelKindOf({ kind: 'numeric', nonMissing: 300, distinct: 2, integers: true }), 'classes', 'a 0/1 column is classes, as the trainer reads it');
});

test('a label shared by several files: its kind when they agree, the classes of all of them', async () => {
  // Penguins: Adelie and Gentoo on Biscoe, Adelie and Chinstrap on Dream: three species in all.
  const [biscoe, dream] = await Promise.all([sampleOf(examples('penguins', 'biscoe.csv')), sampleOf(examples('penguins', 'dream.csv'))]);
  assert.deepEqual([biscoe.get('species')?.distinct, dream.get('species')?.distinct], [2, 2]);
  const species = mergeSamples([biscoe, dream], 'species');
  assert.deepEqual([species?.distinct, [...(species?.classes ?? [])].sort()], [3, ['Adelie', 'Chinstrap', 'Gentoo']]);
  const shared = new Map([['species', species!], ['sex', mergeSamples([biscoe, dream], 'sex')!]]);
  assert.deepEqual(first(['sex', 'species'], { sample: shared }), { column: 'species', reason: 'likely label (its name, 3 classes)' });
  // Without the lists (too many classes to keep), the most seen in one file.
  const a = new Map<string, ColumnSample>([['y', { kind: 'categorical', nonMissing: 100, distinct: 3 }]]);
  const b = new Map<string, ColumnSample>([['y', { kind: 'categorical', nonMissing: 100, distinct: 4 }]]);
  const n = new Map<string, ColumnSample>([['y', { kind: 'numeric', nonMissing: 100, distinct: 90, integers: false }]]);
  assert.deepEqual(mergeSamples([a, b], 'y'), { kind: 'categorical', nonMissing: 200, distinct: 4 });
  assert.equal(mergeSamples([a, n], 'y'), undefined, 'kinds disagree: no kind');
  assert.equal(mergeSamples([a, undefined], 'y'), undefined, 'one file unsampled: no kind');
});
