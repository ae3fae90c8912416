import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rankLabelColumns } from '../../../src/extension/labelGuess';

const first = (columns: string[], hints = {}) => rankLabelColumns(columns, hints)[0];

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
