// The fused WASM training step (src/training/fusedDense.ts) against the generic loop, which
// runs tfjs ops and tfjs's autodiff: from the same initial weights, on the same batches, both
// must reach the same losses and weights (to float32 rounding), for every network shape and
// weighting the engine builds. The real WASM backend runs both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initBackend } from '../../../src/training/backend';
import type { Activation, TrainingSpec, Weighting } from '../../../src/training/experiment';
import { Network, type HeadSpec } from '../../../src/training/network';
import { permutation } from '../../../src/core/random';
import { trainNetwork, type LoopData, type LoopResult } from '../../../src/training/trainLoop';
import { lcg } from './tables';

interface Case {
  readonly name: string;
  readonly heads: HeadSpec[];
  readonly trunk: number[];
  readonly headHidden: number[];
  readonly activation: Activation;
  readonly dropout?: number;
  readonly optimizer: 'adam' | 'sgd';
  readonly weighting: Weighting;
  readonly l2: number;
}

/** n rows x d features; head h labels rows with i % heads === h (others masked), uneven sample weights. */
function data(n: number, d: number, heads: HeadSpec[], seed: number): LoopData {
  const r = lcg(seed);
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = r() * 2 - 1;
  const labels = heads.map(() => new Float32Array(n));
  const weights = heads.map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    const h = i % heads.length;
    const s = x[i * d] + 0.5 * x[i * d + 1];
    labels[h][i] = heads[h].task === 'classification' ? Math.min(heads[h].units - 1, Math.floor((s + 1.5) / (3 / heads[h].units))) : s + 0.1 * r();
    weights[h][i] = 0.5 + r();
  }
  return { x, n, d, labels, weights };
}

async function train(c: Case, stepper: 'auto' | 'tfjs', epochs = 3, growOrder = false): Promise<{ result: LoopResult; weights: Float32Array[] }> {
  const { tf } = await initBackend();
  const d = 10;
  const n = 203; // the last batch of each epoch is short (203 = 6 x 32 + 11)
  const network = new Network(tf, { inputs: d, trunk: c.trunk, headHidden: c.headHidden, heads: c.heads, activation: c.activation, dropout: c.dropout ?? 0 }, 11);
  const training: TrainingSpec = { epochs, batchSize: 32, optimizer: c.optimizer, learningRate: c.optimizer === 'adam' ? 0.01 : 0.05, earlyStopping: { patience: 100, restoreBestWeights: false }, seed: 5 };
  const train = data(n, d, c.heads, 3);
  const validation = data(61, d, c.heads, 4);
  const result = await trainNetwork({
    network,
    train,
    validation,
    training,
    l2: c.l2,
    weighting: c.weighting,
    staticWeights: c.heads.map((_, h) => 1 + 0.5 * h),
    dwaTemperature: 2,
    // growOrder: from epoch 2 the order repeats every row 200 times (as oversampling repeats
    // rows), so the fused step copies a far longer order into its memory, which grows: every
    // typed-array view of the old memory is detached, and the step must take fresh ones.
    schedule: (epoch, rng) => {
      const p = permutation(n, rng);
      if (!growOrder || epoch === 1) return p;
      const long = new Int32Array(n * 200);
      for (let i = 0; i < long.length; i++) long[i] = p[i % n];
      return long;
    },
    stepper,
  });
  const weights = network.variables().map((v) => Float32Array.from(v.dataSync() as Float32Array));
  network.dispose();
  return { result, weights };
}

const cls3: HeadSpec = { name: 'a', task: 'classification', units: 3 };
const cls4: HeadSpec = { name: 'b', task: 'classification', units: 4 };
const reg: HeadSpec = { name: 'r', task: 'regression', units: 1 };

const cases: Case[] = [
  { name: 'merged: one classification head, relu trunk, Adam, L2', heads: [cls3], trunk: [16, 8], headHidden: [], activation: 'relu', optimizer: 'adam', weighting: 'static', l2: 1e-3 },
  { name: 'multi-head: classification + regression heads sharing the output layer, masked rows', heads: [cls4, reg], trunk: [12, 12], headHidden: [], activation: 'relu', optimizer: 'adam', weighting: 'static', l2: 1e-4 },
  { name: 'multi-head with hidden head layers (two consumers of the trunk), tanh, SGD', heads: [cls3, reg], trunk: [8], headHidden: [6], activation: 'tanh', optimizer: 'sgd', weighting: 'static', l2: 0 },
  { name: 'uncertainty weighting (learned log-variances), sigmoid', heads: [cls3, cls4], trunk: [10], headHidden: [], activation: 'sigmoid', optimizer: 'adam', weighting: 'uncertainty', l2: 0 },
  { name: 'DWA weighting, elu, a wide layer after a narrow one', heads: [reg, cls3], trunk: [4, 20], headHidden: [], activation: 'elu', optimizer: 'adam', weighting: 'dwa', l2: 1e-3 },
  { name: 'widening relu layers (weight gradients through dZ^T), SGD', heads: [cls3, reg], trunk: [16, 32], headHidden: [], activation: 'relu', optimizer: 'sgd', weighting: 'static', l2: 1e-3 },
  { name: 'no hidden layer (the output reads the features)', heads: [cls3], trunk: [], headHidden: [], activation: 'relu', optimizer: 'adam', weighting: 'static', l2: 0 },
];

for (const c of cases) {
  test(`fused WASM step = tfjs autodiff: ${c.name}`, async () => {
    const fused = await train(c, 'auto');
    const reference = await train(c, 'tfjs');
    assert.equal(fused.result.stepper, 'fused-wasm');
    assert.equal(reference.result.stepper, 'tfjs');
    assert.equal(fused.result.history.length, reference.result.history.length);
    fused.result.history.forEach((e, i) => {
      const r = reference.result.history[i];
      assert.ok(Math.abs(e.trainLoss - r.trainLoss) <= 1e-4 * Math.max(1, Math.abs(r.trainLoss)), `epoch ${e.epoch} train loss ${e.trainLoss} vs ${r.trainLoss}`);
      assert.ok(Math.abs((e.valLoss as number) - (r.valLoss as number)) <= 1e-4 * Math.max(1, Math.abs(r.valLoss as number)), `epoch ${e.epoch} validation loss ${e.valLoss} vs ${r.valLoss}`);
      e.headWeight.forEach((w, h) => assert.ok(Math.abs(w - r.headWeight[h]) <= 1e-4, `epoch ${e.epoch} head ${h} weight ${w} vs ${r.headWeight[h]}`));
    });
    let worst = 0;
    fused.weights.forEach((w, k) => w.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference.weights[k][i])))));
    assert.ok(worst < 2e-4, `largest weight difference ${worst}`);
    // And training moved the weights (a step that did nothing would pass the comparisons above only if both did nothing).
    assert.ok(fused.result.history[fused.result.history.length - 1].trainLoss < fused.result.history[0].trainLoss * 1.05);
  });
}

test('the fused step survives its memory growing between epochs (a longer row order)', async () => {
  // SGD: over the ~1,300 steps of the long epoch, Adam's step-size normalisation amplifies
  // float32 rounding differences between the two loops into visible weight differences.
  const c = cases[5];
  const fused = await train(c, 'auto', 2, true);
  const reference = await train(c, 'tfjs', 2, true);
  assert.equal(fused.result.stepper, 'fused-wasm');
  let worst = 0;
  fused.weights.forEach((w, k) => w.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - reference.weights[k][i])))));
  assert.ok(worst < 2e-4, `largest weight difference ${worst}`);
});

test('the fused step is deterministic, and its dropout masks come from the seed', async () => {
  const c: Case = { name: 'dropout', heads: [cls3, reg], trunk: [16, 8], headHidden: [], activation: 'relu', dropout: 0.3, optimizer: 'adam', weighting: 'static', l2: 0 };
  const a = await train(c, 'auto');
  const b = await train(c, 'auto');
  assert.equal(a.result.stepper, 'fused-wasm');
  assert.deepEqual(a.weights, b.weights);
  assert.deepEqual(a.result.history.map((e) => e.trainLoss), b.result.history.map((e) => e.trainLoss));
  const noDropout = await train({ ...c, dropout: 0 }, 'auto');
  assert.notDeepEqual(a.weights, noDropout.weights);
  // Dropout raises the training loss (units are missing) but both learn.
  const last = (r: LoopResult) => r.history[r.history.length - 1];
  assert.ok(last(a.result).trainLoss > last(noDropout.result).trainLoss);
  assert.ok(last(a.result).valLoss !== null && Number.isFinite(last(a.result).valLoss as number));
});

test('RMSProp (not fused) and DATASET_LAB_FUSED=0 fall back to the tfjs loop', async () => {
  const { tf } = await initBackend();
  const c: Case = { name: 'rmsprop', heads: [cls3], trunk: [8], headHidden: [], activation: 'relu', optimizer: 'adam', weighting: 'static', l2: 0 };
  const network = new Network(tf, { inputs: 10, trunk: c.trunk, headHidden: [], heads: c.heads, activation: 'relu', dropout: 0 }, 1);
  const train = data(64, 10, c.heads, 1);
  const run = (optimizer: 'adam' | 'rmsprop') =>
    trainNetwork({
      network,
      train,
      validation: null,
      training: { epochs: 1, batchSize: 32, optimizer, learningRate: 0.01, earlyStopping: { patience: 5, restoreBestWeights: false }, seed: 1 },
      l2: 0,
      weighting: 'static',
      staticWeights: [1],
      dwaTemperature: 2,
      schedule: (_e, rng) => permutation(64, rng),
    });
  assert.equal((await run('rmsprop')).stepper, 'tfjs');
  assert.equal((await run('adam')).stepper, 'fused-wasm');
  process.env.DATASET_LAB_FUSED = '0';
  try {
    assert.equal((await run('adam')).stepper, 'tfjs');
  } finally {
    delete process.env.DATASET_LAB_FUSED;
  }
  network.dispose();
});
