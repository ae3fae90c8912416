import assert from 'node:assert/strict';
import { test } from 'node:test';
import { examples, fixtures, runCli } from '../helpers';

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
  assert.ok(pair.domainClassifier.auc >= 0 && pair.domainClassifier.auc <= 1);
  assert.ok(['merge', 'multihead', 'separate'].includes(doc.recommendation.strategy));
  assert.ok(doc.recommendation.reasons.length > 0);
  assert.deepEqual(doc.problems, []);
});

test('compare prints readable tables and the recommendation by default', () => {
  const r = runCli(['compare', seattle, newYork, '--label', 'weather']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Recommendation: (MERGE|MULTIHEAD|SEPARATE)/);
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
