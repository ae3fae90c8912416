import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignSchemas, levenshtein, nameSimilarity, normalizeColumnName } from '../../../src/core/schemaAlign';

test('normalised names ignore case, spaces, punctuation and accents', () => {
  assert.equal(normalizeColumnName('Temp Max (°C)'), 'tempmaxc');
  assert.equal(normalizeColumnName('temp_max_c'), 'tempmaxc');
  assert.equal(normalizeColumnName('Température'), 'temperature');
  assert.equal(normalizeColumnName('  '), '');
});

test('levenshtein distance', () => {
  assert.equal(levenshtein('kitten', 'sitting'), 3);
  assert.equal(levenshtein('', 'abc'), 3);
  assert.equal(levenshtein('same', 'same'), 0);
});

test('columns match after normalising and leftovers are listed with suggestions', () => {
  const a = [
    { name: 'Temp Max', type: 'numeric' as const },
    { name: 'wind', type: 'numeric' as const },
    { name: 'station', type: 'categorical' as const },
    { name: 'precipitation', type: 'numeric' as const },
    { name: 'humidity', type: 'numeric' as const },
  ];
  const b = [
    { name: 'temp_max', type: 'numeric' as const },
    { name: 'WIND', type: 'categorical' as const },
    { name: 'precip', type: 'numeric' as const },
    { name: 'pressure', type: 'numeric' as const },
  ];
  const s = alignSchemas(a, b);
  assert.deepEqual(
    s.matched.map((m) => [m.reference, m.other, m.renamed, m.typeConflict]),
    [
      ['Temp Max', 'temp_max', true, false],
      ['wind', 'WIND', true, true],
    ],
  );
  assert.deepEqual(s.onlyReference, ['station', 'precipitation', 'humidity']);
  assert.deepEqual(s.onlyOther, ['precip', 'pressure']);
  assert.deepEqual(s.typeConflicts, ['wind']);
  assert.deepEqual(
    s.suggestions.map((g) => [g.reference, g.other]),
    [['precipitation', 'precip']],
  );
  assert.ok(nameSimilarity('precipitation', 'precip') >= 0.8);
  assert.ok(nameSimilarity('humidity', 'pressure') < 0.6);
});

test('two other columns that normalise alike: the first matches, the second stays visible', () => {
  const s = alignSchemas([{ name: 'a b', type: 'numeric' }], [
    { name: 'A_B', type: 'numeric' },
    { name: 'a-b', type: 'numeric' },
  ]);
  assert.equal(s.matched.length, 1);
  assert.equal(s.matched[0].other, 'A_B');
  assert.deepEqual(s.onlyOther, ['a-b']);
});

test('suggestions for two wide schemas that share no name stay bounded: only the first 512 unmatched columns of each side are paired', { timeout: 60_000 }, () => {
  // 20,000 x 20,000 unmatched columns were all compared pairwise (400 M edit distances).
  const n = 20_000;
  const ref = Array.from({ length: n }, (_, i) => ({ name: `left_col_${i}`, type: 'numeric' as const }));
  const other = Array.from({ length: n }, (_, i) => ({ name: `right_col_${i}`, type: 'numeric' as const }));
  const a = alignSchemas(ref, other);
  assert.equal(a.onlyReference.length, n);
  assert.equal(a.onlyOther.length, n);
  assert.ok(a.suggestions.length > 0);
  for (const s of a.suggestions) {
    assert.ok(Number(s.reference.slice(9)) < 512, s.reference);
    assert.ok(Number(s.other.slice(10)) < 512, s.other);
  }
});
