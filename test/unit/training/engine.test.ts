import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend } from '../../../src/training/backend';
import { prepareSources } from '../../../src/training/data';
import { compareArms } from '../../../src/training/compareArms';
import { runArms } from '../../../src/training/engine';
import { resolveExperiment, type ResolvedExperiment } from '../../../src/training/experiment';
import { blobs, lcg, makeTable } from './tables';

function experiment(extra: Record<string, unknown> = {}, datasets = [
  { name: 'a', path: 'a.csv', label: 'y' },
  { name: 'b', path: 'b.csv', label: 'y' },
]): ResolvedExperiment {
  return resolveExperiment(
    { version: 1, datasets, training: { epochs: 15, batchSize: 32, learningRate: 0.01, seed: 7 }, model: { type: 'mlp', hidden: [16, 8] }, ...extra },
    '/tmp/ws/x.experiment.json',
  );
}

test('all three arms learn a separable two-dataset task and report the contract fields', async () => {
  const { tf } = await initBackend();
  const exp = experiment();
  const data = prepareSources(exp, [blobs('a', 240, 1), blobs('b', 160, 2, 0.5)]);
  const res = await runArms(exp, data, exp.arms, tf);
  assert.deepEqual(res.arms.map((a) => a.arm), ['separate', 'merged', 'multihead']);
  for (const arm of res.arms) {
    for (const s of ['a', 'b']) {
      const m = arm.bySource[s];
      assert.equal(m.task, 'classification');
      if (m.task === 'classification') assert.ok(m.accuracy > 0.8, `${arm.arm}/${s} accuracy ${m.accuracy}`);
      assert.ok(m.epochs >= 1 && m.bestEpoch >= 1 && m.bestEpoch <= m.epochs);
    }
    assert.equal(arm.pooled?.n, arm.bySource.a.n + arm.bySource.b.n);
  }
  const cmp = compareArms(res.arms, ['a', 'b']);
  assert.equal(cmp.bySource.a.metric, 'accuracy');
  const sep = cmp.bySource.a.separate as number;
  assert.equal(cmp.bySource.a.gain.merged, (cmp.bySource.a.merged as number) - sep);
  assert.ok(cmp.deltaM.multihead !== null);
});

test('the same seed gives identical splits and identical metrics; another seed differs', async () => {
  const { tf } = await initBackend();
  const run = async (seed: number) => {
    const exp = experiment({ training: { epochs: 4, batchSize: 16, learningRate: 0.01, seed }, model: { type: 'mlp', hidden: [8], dropout: 0.2 }, split: { seed, test: 0.25, validation: 0.15 } });
    const data = prepareSources(exp, [blobs('a', 120, 3), blobs('b', 90, 4)]);
    const res = await runArms(exp, data, exp.arms, tf);
    return { splits: data.sources.map((s) => Array.from(s.split)), arms: JSON.stringify(res.arms.map((a) => ({ ...a, seconds: 0 }))) };
  };
  const first = await run(11);
  const second = await run(11);
  assert.deepEqual(second.splits, first.splits);
  assert.equal(second.arms, first.arms);
  const other = await run(12);
  assert.notDeepEqual(other.splits, first.splits);
});

test('linear least squares recovers exact coefficients; merged arm pools both datasets', async () => {
  const { tf } = await initBackend();
  const r = lcg(5);
  const make = (name: string, n: number) => {
    const x1 = Array.from({ length: n }, () => r() * 10);
    const x2 = Array.from({ length: n }, () => r() * 5 - 2);
    return makeTable(name, { x1, x2, y: x1.map((v, i) => 2 * v - 3 * x2[i] + 1) });
  };
  const exp = experiment({ model: { type: 'linear', l2: 0 }, arms: ['separate', 'merged'] });
  const data = prepareSources(exp, [make('a', 60), make('b', 50)]);
  assert.equal(data.sources[0].task, 'regression');
  const res = await runArms(exp, data, exp.arms, tf);
  for (const arm of res.arms) {
    assert.equal(arm.model, 'least_squares');
    for (const s of ['a', 'b']) {
      const m = arm.bySource[s];
      assert.ok(m.task === 'regression' && m.r2 > 0.999999 && m.rmse < 1e-6, JSON.stringify(m));
    }
  }
});

test('a NaN loss from a huge learning rate marks the arm diverged, names the epoch, and leaves it without scores', async () => {
  const { tf } = await initBackend();
  const r = lcg(9);
  const x = Array.from({ length: 80 }, () => r() * 1000);
  const table = makeTable('a', { x, y: x.map((v) => v * 1e3 + r()) });
  const exp = resolveExperiment(
    { version: 1, datasets: [{ name: 'a', path: 'a.csv', label: 'y' }], arms: ['separate'], preprocessing: { scaling: 'none' }, model: { type: 'mlp', hidden: [8], l2: 0 }, training: { epochs: 50, optimizer: 'sgd', learningRate: 1e6, batchSize: 8 } },
    '/tmp/ws/x.experiment.json',
  );
  const data = prepareSources(exp, [table]);
  const res = await runArms(exp, data, exp.arms, tf);
  const d = res.arms[0].diverged;
  assert.ok(d, 'the arm is marked diverged');
  assert.equal(d.model, 'separate/a');
  assert.equal(d.epoch, 1);
  assert.equal(d.kind, 'nan');
  assert.match(d.message, /^separate\/a: the loss became NaN\/infinite at epoch 1, batch \d+; lower training\.learningRate$/);
  assert.deepEqual(res.arms[0].bySource, {});
  assert.equal(res.arms[0].pooled, null);
  assert.equal(res.predictions.has('separate'), false);
});

test('divergence without NaN (Adam at learning rate 1e6) is caught: the loss far above its start, or exploding weights', async () => {
  const { tf } = await initBackend();
  const exp = experiment({ training: { epochs: 20, batchSize: 32, learningRate: 1e6, seed: 7 } });
  const data = prepareSources(exp, [blobs('a', 240, 1), blobs('b', 160, 2, 0.5)]);
  const res = await runArms(exp, data, exp.arms, tf);
  for (const arm of res.arms) {
    const d = arm.diverged;
    assert.ok(d, `${arm.arm} diverged`);
    assert.ok(d.kind === 'loss' || d.kind === 'weights', `${arm.arm}: ${d.kind} ${d.message}`);
    assert.match(d.message, /(the training loss rose to \S+ at epoch \d+, more than 100 times its start \(\S+\)|a weight reached \S+ at epoch \d+ \(exploding weights\)), with learning rate 1000000; lower training\.learningRate$/);
    assert.equal(arm.pooled, null);
  }
  // Nothing diverged is compared: no best arm, no gain.
  const cmp = compareArms(res.arms, ['a', 'b']);
  assert.equal(cmp.bySource.a.best, null);
  assert.equal(cmp.bySource.a.gain.merged, null);
});
