// Column kinds for strings: free text, categories, identifiers (src/core/columnKind.ts), as the
// ingest decides them over a whole file, and the profile of a text column.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { csvParseRows } from 'd3-dsv';
import { isIdentifierLike, isMostlyNumeric, stringKind, wordCount } from '../../../src/core/columnKind';
import { readJsonLinesText } from '../../../src/core/readers/jsonl';
import { parseCsvText, readCsvFile } from '../../../src/core/ingest';
import { profileTable } from '../../../src/core/profile';
import { columnByName } from '../../../src/core/table';
import { characterLength, tokenize } from '../../../src/core/text/tokens';
import { fixtures } from '../helpers';

test('words: pieces between spaces; scripts without spaces count two letters a word', () => {
  assert.equal(wordCount('New York'), 2);
  assert.equal(wordCount('  the cat\tsat on\u00a0the mat  '), 6);
  assert.equal(wordCount('user@example.com'), 1);
  assert.equal(wordCount('https://example.com/a/b?c=d'), 1);
  assert.equal(wordCount(''), 0);
  assert.equal(wordCount('今天天气很好'), 3);
  assert.equal(wordCount('สวัสดีครับ'), 5);
});

test('text or categorical from the distinct values and their cell counts', () => {
  const sentences = ['the battery lasts two days', 'screen cracked after a week', 'fast delivery and good packing', 'keys stick when typing'];
  assert.equal(stringKind(sentences, [1, 1, 1, 1]), 'text');
  // The same sentences repeated over many rows are a handful of categories.
  assert.equal(stringKind(sentences, [100, 100, 100, 100]), 'categorical');
  // Distinct but single words: identifiers, not text.
  assert.equal(stringKind(['ann@example.com', 'bob@example.com', 'cy@example.com'], [1, 1, 1]), 'categorical');
  // Short labels.
  assert.equal(stringKind(['New York', 'Los Angeles'], [1, 1]), 'categorical');
  // Values with no cells do not count.
  assert.equal(stringKind([...sentences, 'x'], [0, 0, 0, 0, 5]), 'categorical');
  assert.equal(stringKind([], []), 'categorical');
  // Over a thousand distinct texts, even when each repeats: text.
  const many = Array.from({ length: 1001 }, (_, i) => `message number ${i} was sent`);
  assert.equal(stringKind(many, new Array<number>(1001).fill(10)), 'text');
  const fewer = many.slice(0, 1000);
  assert.equal(stringKind(fewer, new Array<number>(1000).fill(10)), 'categorical');
});

test('identifier-like: at least 20 values, at least half of them distinct', () => {
  assert.equal(isIdentifierLike(10, 20), true);
  assert.equal(isIdentifierLike(9, 20), false);
  assert.equal(isIdentifierLike(19, 19), false);
});

test('the ingest tells text from categories and identifiers over the whole file', async () => {
  const t = await readCsvFile(fixtures('kinds', 'reviews-a.csv'));
  assert.deepEqual(
    t.columns.map((c) => [c.name, c.type]),
    [
      ['id', 'numeric'],
      ['review', 'text'],
      ['product', 'categorical'],
      ['email', 'categorical'],
      ['label', 'categorical'],
    ],
  );
  const review = columnByName(t, 'review');
  assert.ok(review?.type === 'text');
  // Stored as written, dictionary-encoded, no problem reported.
  assert.equal(review.dictionary[0], 'The battery lasts two full days, which is great.');
  assert.equal(t.problemCount, 0);
});

test('a text column that repeats its texts many times is categorical', () => {
  const rows = ['x,note'];
  for (let i = 0; i < 40; i++) rows.push(`${i},${i % 2 ? 'call back next week please' : 'customer asked for a refund'}`);
  const t = parseCsvText(rows.join('\n'), 'notes.csv');
  assert.equal(columnByName(t, 'note')?.type, 'categorical');
});

test('tokens: lower-cased runs of letters and digits; lengths in code points', () => {
  assert.deepEqual(tokenize("Don't STOP-me now: 2 x_y café"), ['don', 't', 'stop', 'me', 'now', '2', 'x', 'y', 'café']);
  assert.equal(characterLength('a😀b'), 3);
  assert.equal(characterLength('café'), 4);
});

test('the profile of a text column: lengths, tokens, vocabulary, non-ASCII share', async () => {
  const t = await readCsvFile(fixtures('kinds', 'reviews-a.csv'));
  const p = profileTable(t).columns.find((c) => c.name === 'review');
  assert.ok(p?.type === 'text');
  assert.equal(p.count, 12);
  assert.equal(p.distinct, 12);
  // One review ("Café au lait colour looks élégant on my desk") is not ASCII.
  assert.equal(p.nonAsciiShare, 1 / 12);
  // The same file read by another CSV parser (d3-dsv), counted naively.
  const reviews = csvParseRows(readFileSync(fixtures('kinds', 'reviews-a.csv'), 'utf8')).slice(1).map((r) => r[1]);
  const lengths = reviews.map((r) => [...r].length);
  assert.equal(p.length.min, Math.min(...lengths));
  assert.equal(p.length.max, Math.max(...lengths));
  assert.ok(Math.abs(p.length.mean - lengths.reduce((a, b) => a + b, 0) / lengths.length) < 1e-12);
  const words = reviews.flatMap((r) => r.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((w) => w !== ''));
  assert.equal(p.tokens, words.length);
  assert.equal(p.vocabulary, new Set(words).size);
  assert.deepEqual(p.topTokens[0], { token: 'the', count: words.filter((w) => w === 'the').length, share: words.filter((w) => w === 'the').length / words.length });
});

test('mostly numeric: a share or a small count of odd values, whichever allows more', () => {
  // 13 rows, one typo: 1 of 13 is over 5% but one distinct value in under 10% of the cells.
  assert.equal(isMostlyNumeric(12, 1, 1), true);
  // Two rows, one of them text: 50% is too many either way.
  assert.equal(isMostlyNumeric(1, 1, 1), false);
  // Two distinct odd values in 10% of the cells, three distinct values in 10%, or in 5%.
  assert.equal(isMostlyNumeric(90, 10, 2), true);
  assert.equal(isMostlyNumeric(90, 10, 3), false);
  assert.equal(isMostlyNumeric(95, 5, 5), true);
  assert.equal(isMostlyNumeric(89, 11, 1), false);
  assert.equal(isMostlyNumeric(0, 3, 1), false, 'no number at all');
  assert.equal(isMostlyNumeric(90, 10, 3, 0.1), true, 'the share is an option');
});

test('the ingest applies the rule on the whole file: the 13-row temp column with one "warm" is numeric, the cell is a located problem', async () => {
  const t = await readCsvFile(fixtures('kinds', 'temp-typo.csv'));
  const temp = columnByName(t, 'temp');
  assert.ok(temp?.type === 'numeric');
  assert.equal(temp.typeErrors, 1);
  assert.ok(Number.isNaN(temp.values[3]));
  assert.deepEqual(
    t.problems.map((p) => [p.line, p.column, p.code, p.message]),
    [[5, 3, 'type-mismatch', 'expected a number in column "temp", found "warm"']],
  );
});

test('odd values decide over the whole file, with the prefix stored either way', () => {
  const numbers = (n: number) => Array.from({ length: n }, (_, i) => `${i},${(i * 7) % 23}.5`);
  // Odd values after the prefix: two distinct ones in 6% of the rows stay problems of a numeric column.
  const two = ['i,x', ...numbers(3000), ...Array.from({ length: 200 }, (_, i) => `${3000 + i},${i % 2 ? 'warm' : 'cold'}`)].join('\n');
  const a = parseCsvText(two, 'two.csv', { sampleBytes: 4096 });
  assert.equal(a.columns[1].type, 'numeric');
  assert.equal(a.problemCount, 200);
  // Three distinct ones in 6%: text.
  const three = ['i,x', ...numbers(3000), ...Array.from({ length: 200 }, (_, i) => `${3000 + i},${['warm', 'cold', 'hot'][i % 3]}`)].join('\n');
  const b = parseCsvText(three, 'three.csv', { sampleBytes: 4096 });
  assert.equal(b.columns[1].type, 'categorical');
  assert.equal(b.problemCount, 0);
  // Odd values first (the prefix looks like text), numbers after: numeric, read again as numbers.
  const first = ['i,x', ...Array.from({ length: 150 }, (_, i) => `${i},warm`), ...numbers(3000)].join('\n');
  const c = parseCsvText(first, 'first.csv', { sampleBytes: 2048 });
  assert.equal(c.columns[1].type, 'numeric');
  assert.equal(c.problemCount, 150);
  assert.deepEqual([c.problems[0].line, c.problems[0].column], [2, 3]);
});

test('JSON Lines: the same rule', () => {
  const lines = Array.from({ length: 13 }, (_, i) => JSON.stringify({ temp: i === 3 ? 'warm' : 10 + i }));
  const t = readJsonLinesText(lines.join('\n'), 't.jsonl', 't', { missingTokens: ['', 'NA'], maxProblems: 10, numericTolerance: 0.05 });
  assert.equal(t.columns[0].type, 'numeric');
  assert.deepEqual(t.problems.map((p) => [p.line, p.code]), [[4, 'type-mismatch']]);
});
