// Baselines and row accounting through the real CLI (run forks dist/trainer.js: build first):
// the majority / mean baseline of results.json recomputed from the CSV and split.json or
// folds.json, the rows left out for a missing label and the imputed rows counted from the CSV
// text, and the same numbers in the CLI's words.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../../../src/cli/commands/run';
import type { FoldsFile, RunResults, SplitFile } from '../../../src/protocol/runFolder/contract';
import { captureIo } from '../helpers';
import { lcg } from './tables';

async function run(argv: string[], cwd: string) {
  const c = captureIo(cwd);
  const code = await runCommand.run(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** A CSV with some labels and some feature cells missing; returns its rows as written. */
function writeData(file: string, seed: number, rows: number, regression: boolean): string[][] {
  const r = lcg(seed);
  const out: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const x = r() * 4 - 2;
    const k = r() < 0.5 ? 'u' : 'v';
    const label = regression ? (3 * x + r()).toFixed(3) : x + r() > 0.3 ? 'yes' : r() < 0.3 ? 'maybe' : 'no';
    out.push([i % 17 === 3 ? '' : x.toFixed(4), i % 23 === 5 ? '' : k, i % 13 === 7 ? '' : label]);
  }
  writeFileSync(file, ['x,k,y', ...out.map((c) => c.join(','))].join('\n') + '\n');
  return out;
}

function workspace(regression: boolean, evaluation: object) {
  const dir = mkdtempSync(join(tmpdir(), 'dl-baseline-'));
  mkdirSync(join(dir, 'data'));
  const data = { a: writeData(join(dir, 'data', 'a.csv'), 1, 300, regression), b: writeData(join(dir, 'data', 'b.csv'), 2, 260, regression) };
  writeFileSync(
    join(dir, 'e.experiment.json'),
    JSON.stringify({ version: 1, datasets: [{ name: 'a', path: 'data/a.csv', label: 'y' }, { name: 'b', path: 'data/b.csv', label: 'y' }], arms: ['separate', 'merged'], model: { type: 'linear' }, training: { epochs: 3 }, evaluation }),
  );
  return { dir, data };
}

/** Labelled rows of a dataset (0-based data rows), as the trainer keeps them. */
const labelled = (rows: string[][]) => rows.flatMap((c, i) => (c[2] === '' ? [] : [i]));

function majorityAccuracy(rows: string[][], train: readonly number[], test: readonly number[]): { cls: string; accuracy: number } {
  const counts = new Map<string, number>();
  for (const i of train) counts.set(rows[i][2], (counts.get(rows[i][2]) ?? 0) + 1);
  // Ties to the first class in sorted order, as the trainer orders classes.
  const cls = [...counts.entries()].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))[0][0];
  return { cls, accuracy: test.filter((i) => rows[i][2] === cls).length / test.length };
}

test('holdout: the majority-class baseline on the test rows, rows left out and imputed, as results.json and the CLI say', async () => {
  const { dir, data } = workspace(false, { method: 'holdout' });
  const r = await run(['e.experiment.json'], dir);
  assert.equal(r.code, 0, r.err);
  const runId = /Run (\S+)/.exec(r.out)?.[1] as string;
  const runDir = join(dir, '.dataset-lab', 'runs', runId);
  const doc = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  const split = JSON.parse(readFileSync(join(runDir, 'split.json'), 'utf8')) as SplitFile;
  for (const [name, rows] of Object.entries(data)) {
    const d = doc.datasets[name];
    const expected = majorityAccuracy(rows, split[name].train, split[name].test);
    assert.equal(d.baseline?.kind, 'majority');
    assert.equal(d.baseline?.prediction, expected.cls, `${name} majority class`);
    assert.equal(d.baseline?.value, expected.accuracy, `${name} baseline accuracy`);
    const dropped = rows.filter((c) => c[2] === '').length;
    const kept = labelled(rows);
    const imputedX = kept.filter((i) => rows[i][0] === '').length;
    const imputedK = kept.filter((i) => rows[i][1] === '').length;
    const imputedRows = kept.filter((i) => rows[i][0] === '' || rows[i][1] === '').length;
    assert.deepEqual(d.accounting, { droppedMissingLabel: dropped, imputedRows, imputedCells: { x: imputedX, k: imputedK } }, name);
    assert.equal(d.unlabelled, dropped);
    assert.ok(r.out.includes(`rows: ${name}: ${dropped} of ${rows.length} rows left out: their label "y" is missing; ${imputedRows} of ${kept.length} labelled rows had missing feature values, imputed`), r.out);
    const line = r.out.split('\n').find((l) => l.startsWith(`${name} `)) as string;
    assert.ok(line.includes(`majority ${(expected.accuracy * 100).toFixed(1)}%`), line);
  }
  assert.match(r.out, /^verdict: /m);
});

test('cross-validation, regression: the mean baseline of every fold\'s training rows, scored on its test rows, averaged', async () => {
  const { dir, data } = workspace(true, { method: 'cv', folds: 3 });
  const r = await run(['e.experiment.json'], dir);
  assert.equal(r.code, 0, r.err);
  const runId = /Run (\S+)/.exec(r.out)?.[1] as string;
  const runDir = join(dir, '.dataset-lab', 'runs', runId);
  const doc = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;
  const folds = JSON.parse(readFileSync(join(runDir, 'folds.json'), 'utf8')) as FoldsFile;
  for (const [name, rows] of Object.entries(data)) {
    const kept = labelled(rows);
    const y = (i: number) => Number(rows[i][2]);
    const r2s = folds.datasets[name].test.map((test, j) => {
      const held = new Set([...test, ...folds.datasets[name].validation[j]]);
      const train = kept.filter((i) => !held.has(i));
      const mean = train.reduce((s, i) => s + y(i), 0) / train.length;
      const testMean = test.reduce((s, i) => s + y(i), 0) / test.length;
      const ssRes = test.reduce((s, i) => s + (y(i) - mean) ** 2, 0);
      const ssTot = test.reduce((s, i) => s + (y(i) - testMean) ** 2, 0);
      return 1 - ssRes / ssTot;
    });
    const b = doc.datasets[name].baseline;
    assert.equal(b?.kind, 'mean');
    assert.ok(Math.abs((b?.value as number) - r2s.reduce((s, v) => s + v, 0) / r2s.length) < 1e-12, `${name}: ${b?.value}`);
    assert.ok((b?.value as number) <= 0, 'predicting the training mean scores at most 0 on other rows');
  }
});
