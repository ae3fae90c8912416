import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { examples, fixtures, runCli, tempDir } from '../helpers';

const seattle = examples('weather', 'seattle.csv');
const newYork = examples('weather', 'new-york.csv');

test('compare --json prints one JSON document with the contract fields', () => {
  const r = runCli(['compare', seattle, newYork, '--label', 'weather', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.deepEqual(
    doc.datasets.map((d: { name: string; rows: number }) => [d.name, d.rows]),
    [
      ['seattle', 1461],
      ['new-york', 1461],
    ],
  );
  const pair = doc.comparisons[0];
  assert.equal(pair.reference, 'seattle');
  assert.equal(pair.other, 'new-york');
  const wind = pair.features.find((f: { name: string }) => f.name === 'wind');
  for (const key of ['ks', 'wasserstein', 'wassersteinNorm', 'psi', 'jensenShannon', 'drift', 'method']) assert.ok(key in wind, key);
  assert.ok('statistic' in wind.ks && 'pvalue' in wind.ks);
  assert.ok(['shared', 'onlyReference', 'onlyOther'].every((k) => Array.isArray(pair.label[k])));
  // The engine's own numbers (seed 42), as test/unit/core/recommend.test.ts pins them (the date's
  // month and day of week are features of the domain classifier since dates are a kind).
  assert.equal(pair.domainClassifier.auc.toFixed(3), '0.869');
  assert.equal(doc.recommendation.strategy, 'merge');
  assert.equal(doc.recommendation.reasons.length, 4);
  const date = pair.features.find((f: { name: string }) => f.name === 'date');
  assert.deepEqual([date.type, date.time.overlap, date.drift], ['datetime', 1, false]);
  assert.deepEqual(doc.problems, []);
});

test('compare prints readable tables and the recommendation by default', () => {
  const r = runCli(['compare', seattle, newYork, '--label', 'weather']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Recommendation: MERGE\n=+\n- seattle vs new-york: 5 of 5 feature columns are shared \(100%\)\n/m);
  assert.match(r.stdout, /^Cautions:\n- seattle vs new-york: run the separate baseline beside the merged model/m);
  assert.match(r.stdout, /temp_max/);
  assert.match(r.stdout, /Domain classifier: ROC AUC/);
});

test('profile --json gives per-column statistics', () => {
  const r = runCli(['profile', seattle, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const p = JSON.parse(r.stdout);
  assert.equal(p.rows, 1461);
  const tmax = p.columns.find((c: { name: string }) => c.name === 'temp_max');
  assert.equal(tmax.type, 'numeric');
  assert.equal(tmax.count, 1461);
  const weather = p.columns.find((c: { name: string }) => c.name === 'weather');
  assert.equal(weather.type, 'categorical');
  assert.equal(weather.top[0].value, 'rain');
});

test('fatal input: one line naming the file, exit 2, no stack trace', () => {
  for (const [file, pattern] of [
    [fixtures('cli', 'does-not-exist.csv'), /does-not-exist\.csv/],
    [fixtures('cli', 'empty.csv'), /empty\.csv/],
    [fixtures('cli', 'binary.csv'), /binary\.csv/],
  ] as const) {
    const r = runCli(['profile', file]);
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(r.stdout, '');
  }
});

test('recoverable problems: file:line:column on stderr, listed in problems, exit 0; --strict makes them fatal', () => {
  const ragged = fixtures('cli', 'ragged-row.csv');
  const r = runCli(['compare', ragged, ragged, '--json', '--no-domain-classifier']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /ragged-row\.csv:4:1: .*expected 3 fields, found 4/);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.datasets[0].rows, 4, 'the ragged row is left out, never padded');
  assert.ok(doc.problems.some((p: { line: number; file: string }) => p.line === 4 && p.file.endsWith('ragged-row.csv')));
  // Names stay unique within a run.
  assert.deepEqual(doc.datasets.map((d: { name: string }) => d.name), ['ragged-row', 'ragged-row-2']);
  const strict = runCli(['compare', ragged, ragged, '--strict']);
  assert.equal(strict.code, 2);
  assert.match(strict.stderr, /--strict/);
});

test('an unterminated quote is reported with its line', () => {
  const r = runCli(['profile', fixtures('cli', 'unterminated-quote.csv'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /unterminated-quote\.csv:3:\d+: .*quote/i);
});

test('usage errors exit 2 with a message', () => {
  const r = runCli(['compare', seattle]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /at least two/);
  const u = runCli(['compare', seattle, newYork, '--bogus']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown option --bogus/);
  const l = runCli(['compare', seattle, newYork, '--label', 'nope']);
  assert.equal(l.code, 2);
  assert.match(l.stderr, /label column "nope" not found/);
});

// What a terminal would act on: C0 controls but newline (tab too: our output has no tabs), DEL,
// C1, and the bidirectional overrides that reorder what is shown.
const TERMINAL_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('profile, compare and problem lines show control characters from the data escaped; --json keeps them exact', (t) => {
  const tmp = tempDir();
  t.after(tmp.cleanup);
  const header = 'te\u001b]0;pwned\u0007mp';
  // Five values: the profile table lists the top five of a column.
  const values = ['\u001b[31mred\u001b[0m', 'c1\u009b2J', 'del\u007f', 'tab\there', 'bidi\u202ecba\nbreak'];
  const rows = Array.from({ length: 40 }, (_, i) => `${i},"${values[i % values.length]}",${i % 3}`);
  rows[20] = `20,"${values[0]}","\u001b[2J"`; // a type mismatch in a numeric column: a problem line on stderr
  const text = `id,"${header}",n\n${rows.join('\n')}\n`;
  const a = join(tmp.path, 'a.csv');
  const b = join(tmp.path, 'b\u001b[1m.csv');
  writeFileSync(a, text);
  writeFileSync(b, text);
  for (const args of [['profile', a], ['profile', b], ['compare', a, b, '--no-domain-classifier']]) {
    const r = runCli(args);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, TERMINAL_CONTROL, `${args[0]} stdout: ${JSON.stringify(r.stdout)}`);
    assert.doesNotMatch(r.stderr, TERMINAL_CONTROL, `${args[0]} stderr: ${JSON.stringify(r.stderr)}`);
    assert.ok(r.stdout.includes('te\\x1b]0;pwned\\x07mp'), r.stdout);
    assert.match(r.stderr, /:\d+:\d+: expected a number in column "n", found "\\x1b\[2J"/);
  }
  const profile = runCli(['profile', b]);
  for (const shown of ['\\x1b[31mred\\x1b[0m', 'c1\\x9b2J', 'del\\x7f', 'tab\\there', 'bidi\\u202ecba\\nbreak']) assert.ok(profile.stdout.includes(shown), shown);
  assert.ok(profile.stderr.startsWith(`${b.replace('\u001b', '\\x1b')}:`), profile.stderr);
  const json = runCli(['profile', b, '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(json.stdout, TERMINAL_CONTROL);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.columns[1].name, header);
  assert.deepEqual(new Set(doc.columns[1].top.map((x: { value: string }) => x.value)), new Set(values));
  const cmp = JSON.parse(runCli(['compare', a, b, '--json', '--no-domain-classifier']).stdout);
  assert.equal(cmp.comparisons[0].features.find((f: { name: string }) => f.name === header).name, header);
});

test('profile prints its table for a file with 150,000 columns', { timeout: 120_000 }, () => {
  // Every column's width once went to Math.max as arguments: past ~125k columns the call stack overflowed.
  const n = 150_000;
  const header = Array.from({ length: n }, (_, i) => `c${i}`).join(',');
  const row = (k: number) => Array.from({ length: n }, (_, i) => String((i * 7 + k) % 100)).join(',');
  const tmp = tempDir();
  const file = join(tmp.path, 'wide.csv');
  writeFileSync(file, [header, row(1), row(2), row(3)].join('\n') + '\n');
  const r = runCli(['profile', file]);
  tmp.cleanup();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^c149999 /m);
  assert.doesNotMatch(r.stderr, /internal error/);
});
