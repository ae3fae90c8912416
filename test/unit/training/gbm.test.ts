// model.type "gbm" end to end through the real CLI (dist/cli.js and its training child): every arm
// trains, results.json names the model and carries gain importances per model, the multihead
// note is printed, and `predict` on the test rows of the saved split reproduces the run's own
// test accuracy (the saved trees are the trees that were scored).
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fixtures, runCli, tempDir } from '../helpers';

const dir = tempDir('dataset-lab-gbm-');
after(() => dir.cleanup());

interface Results {
  runId: string;
  arms: { arm: string; model: string; featureImportance?: Record<string, Record<string, number>>; bySource: Record<string, { accuracy: number; n: number }> }[];
}

test('gbm trains the three arms, saves trees and predicts what it scored', () => {
  const ws = dir.path;
  copyFileSync(fixtures('training', 'two-class-a.csv'), join(ws, 'a.csv'));
  copyFileSync(fixtures('training', 'two-class-b.csv'), join(ws, 'b.csv'));
  writeFileSync(
    join(ws, 'g.experiment.json'),
    JSON.stringify({
      version: 1,
      datasets: [
        { name: 'a', path: 'a.csv', label: 'label' },
        { name: 'b', path: 'b.csv', label: 'label' },
      ],
      features: ['x1', 'x2', 'kind', 'price'],
      model: { type: 'gbm', trees: { iterations: 40, minSamplesLeaf: 5 } },
    }),
  );
  const run = runCli(['run', 'g.experiment.json', '--json'], ws);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /note: with "model.type": "gbm" the multihead arm trains one boosted model per dataset head/);
  const results = JSON.parse(run.stdout) as Results;
  assert.deepEqual(results.arms.map((a) => [a.arm, a.model]), [['separate', 'gbm'], ['merged', 'gbm'], ['multihead', 'gbm']]);
  const merged = results.arms[1];
  const imp = merged.featureImportance?.merged;
  assert.ok(imp, 'merged importances');
  assert.deepEqual(Object.keys(imp).sort(), ['kind', 'price', 'x1', 'x2']);
  assert.ok(Math.abs(Object.values(imp).reduce((a, b) => a + b, 0) - 1) < 1e-9, 'shares sum to 1');
  assert.deepEqual(Object.keys(results.arms[0].featureImportance ?? {}).sort(), ['separate/a', 'separate/b']);

  // The saved split's test rows of dataset a, scored by the saved merged model.
  const runDir = join(ws, '.dataset-lab', 'runs', results.runId);
  const split = JSON.parse(readFileSync(join(runDir, 'split.json'), 'utf8')) as Record<string, { test: number[] }>;
  const lines = readFileSync(join(ws, 'a.csv'), 'utf8').trim().split('\n');
  const testRows = split.a.test.map((r) => lines[r + 1]);
  writeFileSync(join(ws, 'a-test.csv'), [lines[0], ...testRows].join('\n') + '\n');
  const p = runCli(['predict', runDir, 'a-test.csv', '--arm', 'merged'], ws);
  assert.equal(p.code, 0, p.stderr);
  const predicted = p.stdout.trim().split('\n').slice(1).map((l) => l.split(',')[1]);
  const truth = testRows.map((l) => l.split(',')[4]);
  const accuracy = predicted.filter((v, i) => v === truth[i]).length / truth.length;
  assert.equal(accuracy, merged.bySource.a.accuracy);
  assert.equal(truth.length, merged.bySource.a.n);
});

test('model.trees is checked: unknown keys, bad values, and trees on a non-gbm model', () => {
  const ws = dir.path;
  writeFileSync(
    join(ws, 'bad.experiment.json'),
    JSON.stringify({
      version: 1,
      datasets: [{ name: 'a', path: 'a.csv', label: 'label' }],
      model: { type: 'mlp', trees: { iterations: 0, leaves: 3 } },
    }),
  );
  const r = runCli(['run', 'bad.experiment.json'], ws);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /at \$\.model\.trees\.leaves: unknown property "leaves"/);
  assert.match(r.stderr, /at \$\.model\.trees: applies to "model.type": "gbm" only/);
  assert.match(r.stderr, /at \$\.model\.trees\.iterations: must be >= 1, got 0/);
});
