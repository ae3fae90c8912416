// Duplicate-row leakage: findLeakage against a brute-force count over string keys, on tables
// with planted duplicates (within a dataset, across datasets, with missing values, -0 and 0,
// categories), and the warning the CLI prints for them.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../../../src/cli/commands/run';
import { readCsvFile } from '../../../src/core/ingest';
import { columnByName, isStringColumn } from '../../../src/core/table';
import { prepareSources, SPLIT_TEST, SPLIT_TRAIN } from '../../../src/training/data';
import { loadExperiment, resolveExperiment } from '../../../src/training/experiment';
import { findLeakage } from '../../../src/training/leakage';
import { captureIo } from '../helpers';
import { lcg, makeTable } from './tables';

function table(name: string, n: number, seed: number, copies: { from: number; rows: (number | null)[][] } | null) {
  const r = lcg(seed);
  const x1: (number | null)[] = [];
  const x2: (number | null)[] = [];
  const kind: (string | null)[] = [];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    // Few distinct values so exact duplicates also occur by chance.
    x1.push(r() < 0.05 ? null : Math.round(r() * 6) / 2);
    x2.push(r() < 0.1 ? (r() < 0.5 ? 0 : -0) : Math.round(r() * 3));
    kind.push(r() < 0.05 ? null : ['u', 'v', 'w'][Math.floor(r() * 3)]);
    y.push(r() < 0.5 ? 'yes' : 'no');
  }
  for (const row of copies?.rows ?? []) {
    x1.push(row[0]);
    x2.push(row[1]);
    kind.push(row[2] === null ? null : ['u', 'v', 'w'][row[2] as number]);
    y.push('yes');
  }
  return makeTable(name, { x1, x2, kind, y });
}

test('findLeakage counts exactly what a brute-force comparison counts', () => {
  const a = table('a', 300, 1, null);
  const b = table('b', 200, 2, { from: 0, rows: [[1.5, 2, 0], [null, 0, 1], [0.5, -0, null]] });
  const exp = resolveExperiment({ version: 1, datasets: [{ name: 'a', path: 'a.csv', label: 'y' }, { name: 'b', path: 'b.csv', label: 'y' }], features: ['x1', 'x2', 'kind'], split: { test: 0.3, validation: 0.1, seed: 3 } }, '/tmp/ws/x.experiment.json');
  const data = prepareSources(exp, [a, b]);
  const got = findLeakage(data.sources, data.features);
  // Brute force: a string key per row (missing as a marker, -0 as 0).
  const key = (s: (typeof data.sources)[number], i: number) =>
    data.features
      .map((f) => {
        const c = columnByName(s.table, f.name);
        const row = s.rows[i];
        if (!c) throw new Error('missing column');
        if (!isStringColumn(c)) return Number.isNaN(c.values[row]) ? 'NA' : String(c.values[row] === 0 ? 0 : c.values[row]);
        return c.codes[row] < 0 ? 'NA' : `s:${c.dictionary[c.codes[row]]}`;
      })
      .join('|');
  data.sources.forEach((s, k) => {
    const keys = Array.from(s.rows, (_, i) => key(s, i));
    const trainOwn = new Set(keys.filter((_, i) => s.split[i] === SPLIT_TRAIN));
    const trainAll = new Set(data.sources.flatMap((o) => Array.from(o.rows, (_, i) => (o.split[i] === SPLIT_TRAIN ? key(o, i) : null)).filter((x): x is string => x !== null)));
    const other = new Set(data.sources.filter((_, j) => j !== k).flatMap((o) => Array.from(o.rows, (_, i) => key(o, i))));
    const test = keys.filter((_, i) => s.split[i] === SPLIT_TEST);
    const expected = {
      testRows: test.length,
      testSeenInOwnTrain: test.filter((x) => trainOwn.has(x)).length,
      testSeenInPooledTrain: test.filter((x) => trainAll.has(x)).length,
      sharedWithOtherDatasets: keys.filter((x) => other.has(x)).length,
    };
    assert.deepEqual(got[s.name], expected, s.name);
    // The fixtures do plant duplicates, so the comparison is not vacuous.
    assert.ok(expected.testSeenInOwnTrain > 0 && expected.sharedWithOtherDatasets > 0, JSON.stringify(expected));
  });
});

test('distinct rows report no leakage', () => {
  const n = 120;
  const a = makeTable('a', { x: Array.from({ length: n }, (_, i) => i), y: Array.from({ length: n }, (_, i) => (i % 2 ? 'p' : 'q')) });
  const b = makeTable('b', { x: Array.from({ length: n }, (_, i) => i + 0.5), y: Array.from({ length: n }, (_, i) => (i % 3 ? 'p' : 'q')) });
  const exp = resolveExperiment({ version: 1, datasets: [{ name: 'a', path: 'a.csv', label: 'y' }, { name: 'b', path: 'b.csv', label: 'y' }], features: ['x'] }, '/tmp/ws/x.experiment.json');
  const data = prepareSources(exp, [a, b]);
  for (const l of Object.values(findLeakage(data.sources, data.features))) {
    assert.ok(l.testRows > 0);
    assert.equal(l.testSeenInOwnTrain + l.testSeenInPooledTrain + l.sharedWithOtherDatasets, 0);
  }
});

test('run reports duplicated rows in results.json and warns on the terminal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dl-leak-'));
  mkdirSync(join(dir, 'data'));
  const rows = (offset: number) => Array.from({ length: 80 }, (_, i) => `${(i % 20) + offset},${i % 20 < 10 ? 'lo' : 'hi'}`);
  // a: every feature value occurs 4 times (test rows always have a training twin); b: distinct from a.
  writeFileSync(join(dir, 'data', 'a.csv'), ['x,y', ...rows(0)].join('\n') + '\n');
  writeFileSync(join(dir, 'data', 'b.csv'), ['x,y', ...Array.from({ length: 80 }, (_, i) => `${100 + i},${i < 40 ? 'lo' : 'hi'}`)].join('\n') + '\n');
  writeFileSync(join(dir, 'x.experiment.json'), JSON.stringify({ version: 1, datasets: [{ name: 'a', path: 'data/a.csv', label: 'y' }, { name: 'b', path: 'data/b.csv', label: 'y' }], model: { type: 'linear' }, arms: ['separate', 'merged'] }));
  const c = captureIo(dir);
  const code = await runCommand.run(['x.experiment.json'], c.io);
  const out = c.out();
  assert.equal(code, 0, c.err());
  assert.match(out, /warning: (\d+) of \1 test rows \(100\.0%\) of a repeat the feature values of a training row; if they are the same records, the test scores overstate generalisation/);
  assert.doesNotMatch(out, /test rows of b/);
  const runDir = /saved in (\S+)/.exec(out)?.[1] as string;
  const results = JSON.parse(readFileSync(join(dir, runDir, 'results.json'), 'utf8'));
  const a = results.datasets.a.leakage;
  assert.ok(a.testRows > 0);
  assert.equal(a.testSeenInOwnTrain, a.testRows);
  assert.equal(a.testSeenInPooledTrain, a.testRows);
  assert.deepEqual(results.datasets.b.leakage, { testRows: results.datasets.b.test, testSeenInOwnTrain: 0, testSeenInPooledTrain: 0, sharedWithOtherDatasets: 0 });
});

test('on the bundled examples, the counts equal pandas on the same split (test/reference/training/leakage.json)', async () => {
  const repo = join(__dirname, '..', '..', '..', '..');
  const ref = JSON.parse(readFileSync(join(repo, 'test', 'reference', 'training', 'leakage.json'), 'utf8'));
  let nonZero = 0;
  for (const [name, r] of Object.entries(ref.experiments) as [string, { experiment: string; features: string[]; split: Record<string, Record<string, number[]>>; counts: Record<string, unknown> }][]) {
    const exp = loadExperiment(join(repo, r.experiment));
    const tables = await Promise.all(exp.datasets.map((d) => readCsvFile(d.absPath, { name: d.name })));
    const data = prepareSources(exp, tables);
    assert.deepEqual(data.features.map((f) => f.name), r.features, name);
    // The reference was computed on this exact split (the split is deterministic).
    for (const s of data.sources) {
      const part = (k: number) => Array.from(s.rows).filter((_, i) => s.split[i] === k);
      assert.deepEqual({ train: part(SPLIT_TRAIN), test: part(SPLIT_TEST) }, { train: r.split[s.name].train, test: r.split[s.name].test }, `${name}/${s.name} split`);
    }
    const got = findLeakage(data.sources, data.features);
    assert.deepEqual(got, r.counts, name);
    nonZero += Object.values(got).filter((c) => c.testSeenInPooledTrain > 0).length;
  }
  assert.ok(nonZero > 0, 'the reference has no duplicate at all');
});
