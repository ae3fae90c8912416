// The shared tree learner on data whose answer is known: it must recover a step function, split
// a categorical feature natively (categories far apart in code order), route missing values to
// the side that fits them, stop early when validation stops improving, and fit three classes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../../../src/core/random';
import { MISSING_BIN, binNumeric, numericThresholds } from '../../../../src/core/trees/binning';
import { fitBoosting, predictBoosting, type BinnedData, type BoostingParams } from '../../../../src/core/trees/histogramBoosting';

const base: BoostingParams = { loss: 'squared_error', iterations: 50, learningRate: 0.3, maxLeafNodes: 31, maxDepth: Infinity, minSamplesLeaf: 5, l2: 0 };

function r2(y: Float64Array, p: Float64Array): number {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  let ss = 0;
  let sr = 0;
  for (let i = 0; i < y.length; i++) {
    ss += (y[i] - mean) ** 2;
    sr += (y[i] - p[i]) ** 2;
  }
  return 1 - sr / ss;
}

test('bins: thresholds at midpoints of distinct values; equal values go to the lower bin; NaN to the missing bin', () => {
  const v = Float64Array.from([3, 1, 2, 2, Number.NaN, 1]);
  const t = numericThresholds(v);
  assert.deepEqual(t, [1.5, 2.5]);
  assert.deepEqual(Array.from(binNumeric(v, t)), [2, 0, 1, 1, MISSING_BIN, 0]);
  assert.deepEqual(Array.from(binNumeric(Float64Array.from([1.5, 2.5, 99, -99]), t)), [0, 1, 2, 0]);
});

test('bins equal a plain count of the thresholds below each value, on skewed, discrete and extreme data', () => {
  const rand = mulberry32(3);
  const makers: (() => number)[] = [() => rand(), () => Math.exp(rand() * 20), () => Math.floor(rand() * 10), () => (rand() < 0.5 ? -1e9 : rand()), () => rand() * 1e-300];
  for (const make of makers) {
    const v = Float64Array.from({ length: 50_000 }, make);
    v[5] = Number.NaN;
    v[6] = Infinity;
    v[7] = -Infinity;
    const t = numericThresholds(v);
    const got = binNumeric(v, t);
    for (let i = 0; i < v.length; i++) {
      let want = 0;
      while (want < t.length && t[want] < v[i]) want++;
      if (!Number.isFinite(v[i])) want = MISSING_BIN;
      if (got[i] !== want) assert.fail(`value ${v[i]}: bin ${got[i]}, expected ${want}`);
    }
    assert.deepEqual(Array.from(binNumeric(Float64Array.from(t), t)), t.map((_, i) => i), 'a threshold itself goes to the lower bin');
  }
});

test('recovers a step function of one feature among noise features', () => {
  const rand = mulberry32(3);
  const n = 2000;
  const x = Array.from({ length: 4 }, () => Float64Array.from({ length: n }, () => rand()));
  const y = Float64Array.from(x[2], (v) => (v < 0.3 ? -2 : v < 0.7 ? 1 : 4));
  const data: BinnedData = { columns: x.map((c) => binNumeric(c, numericThresholds(c))), categorical: [false, false, false, false], rows: n };
  const m = fitBoosting(data, y, base);
  const [pred] = predictBoosting(m, data);
  assert.ok(r2(y, pred) > 0.999, `r2 ${r2(y, pred)}`);
  const share = m.gains[2] / m.gains.reduce((a, b) => a + b, 0);
  assert.ok(share > 0.99, `gain share of the informative feature ${share}`);
});

test('a categorical feature is split by category sets, not by code order', () => {
  const rand = mulberry32(5);
  const n = 3000;
  // Categories 0, 2, 4, 6 are high, 1, 3, 5, 7 low: one ordinal threshold cannot separate them.
  const cat = Uint8Array.from({ length: n }, () => Math.floor(rand() * 8));
  const y = Float64Array.from(cat, (c) => (c % 2 === 0 ? 10 : 0));
  const one = (categorical: boolean) => {
    const m = fitBoosting({ columns: [cat], categorical: [categorical], rows: n }, y, { ...base, iterations: 1, learningRate: 1, maxLeafNodes: 2 });
    return r2(y, predictBoosting(m, { columns: [cat], categorical: [categorical], rows: n })[0]);
  };
  assert.ok(one(true) > 0.9999, `one categorical split separates them: ${one(true)}`);
  assert.ok(one(false) < 0.5, `one ordinal split cannot: ${one(false)}`);
});

test('missing values go to the side that fits them', () => {
  const n = 1000;
  const v = Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? Number.NaN : (i % 100) / 100));
  // Missing rows behave like high values.
  const y = Float64Array.from(v, (x) => (Number.isNaN(x) || x > 0.5 ? 5 : 0));
  const col = binNumeric(v, numericThresholds(v));
  const m = fitBoosting({ columns: [col], categorical: [false], rows: n }, y, { ...base, iterations: 1, learningRate: 1, maxLeafNodes: 2 });
  const root = m.trees[0][0].nodes[0];
  assert.equal(root.missingLeft, false, 'missing values follow the high side (right)');
  const [pred] = predictBoosting(m, { columns: [col], categorical: [false], rows: n });
  assert.ok(r2(y, pred) > 0.9999);
});

test('early stopping: stops when the validation loss stops improving and keeps the best trees', () => {
  const rand = mulberry32(9);
  const n = 600;
  const x = Float64Array.from({ length: n }, () => rand());
  const noise = Float64Array.from({ length: n }, () => rand() * 4 - 2);
  const y = Float64Array.from(x, (v, i) => v + noise[i]);
  const col = binNumeric(x, numericThresholds(x));
  const train: BinnedData = { columns: [col.subarray(0, 400)], categorical: [false], rows: 400 };
  const val: BinnedData = { columns: [col.subarray(400)], categorical: [false], rows: 200 };
  const losses: number[] = [];
  const m = fitBoosting(train, y.subarray(0, 400), { ...base, iterations: 500, learningRate: 0.5, minSamplesLeaf: 1, patience: 5, restoreBest: true }, {
    validation: { data: val, y: y.subarray(400) },
    onIteration: (p) => losses.push(p.validationLoss as number),
  });
  assert.ok(m.iterationsRun < 500, `stopped after ${m.iterationsRun}`);
  assert.equal(m.iterationsRun, m.bestIteration + 5, 'patience 5 after the best');
  assert.equal(m.trees.length, m.bestIteration);
  assert.equal(Math.min(...losses), losses[m.bestIteration - 1]);
});

test('softmax separates three classes; logistic two', () => {
  const rand = mulberry32(11);
  const n = 1500;
  const x = Float64Array.from({ length: n }, () => rand());
  const col = binNumeric(x, numericThresholds(x));
  const y3 = Float64Array.from(x, (v) => (v < 1 / 3 ? 0 : v < 2 / 3 ? 1 : 2));
  const data: BinnedData = { columns: [col], categorical: [false], rows: n };
  const m3 = fitBoosting(data, y3, { ...base, loss: 'softmax', classes: 3, iterations: 30 });
  const raw = predictBoosting(m3, data);
  let right = 0;
  for (let i = 0; i < n; i++) {
    const k = raw[0][i] > raw[1][i] ? (raw[0][i] > raw[2][i] ? 0 : 2) : raw[1][i] > raw[2][i] ? 1 : 2;
    if (k === y3[i]) right++;
  }
  assert.ok(right / n > 0.99, `softmax accuracy ${right / n}`);
  const y2 = Float64Array.from(x, (v) => (v < 0.4 ? 0 : 1));
  const m2 = fitBoosting(data, y2, { ...base, loss: 'logistic', iterations: 30 });
  const [r] = predictBoosting(m2, data);
  const agree = r.filter((v, i) => (v > 0 ? 1 : 0) === y2[i]).length / n;
  // 1,500 distinct values in 255 bins: only the rows of the bin holding 0.4 can be wrong.
  assert.ok(agree > 0.99, `logistic accuracy ${agree}`);
});

test('the WebAssembly histogram loop grows the same trees as the JavaScript loop, to the bit', () => {
  // 7 features (one group of four in WebAssembly, three left to JavaScript), two categorical,
  // missing values, every loss, with and without weights (hessians summed or constant), a root
  // holding every row in order and a subset of rows (a validation split is not needed for that:
  // every node below the root is a subset).
  const rand = mulberry32(11);
  const n = 3000;
  const columns = Array.from({ length: 7 }, (_, f) => Uint8Array.from({ length: n }, () => (rand() < 0.05 ? MISSING_BIN : Math.floor(rand() * (f === 2 ? 12 : f === 5 ? 3 : 255)))));
  const data: BinnedData = { columns, categorical: [false, false, true, false, false, true, false], rows: n };
  const signal = Float64Array.from({ length: n }, (_, i) => (columns[0][i] > 128 ? 1 : -1) + (columns[2][i] % 3) * 0.7 + (columns[6][i] === MISSING_BIN ? 1.5 : columns[6][i] / 200) + rand() - 0.5);
  const weights = Float64Array.from({ length: n }, () => 0.5 + rand());
  const cases: [BoostingParams, Float64Array][] = [
    [{ ...base, iterations: 15 }, signal],
    [{ ...base, iterations: 15, loss: 'logistic' }, Float64Array.from(signal, (v) => (v > 0.8 ? 1 : 0))],
    [{ ...base, iterations: 8, loss: 'softmax', classes: 3 }, Float64Array.from(signal, (v) => (v < 0 ? 0 : v < 1.5 ? 1 : 2))],
  ];
  for (const [params, y] of cases) {
    for (const w of [undefined, weights]) {
      const wasm = fitBoosting(data, y, params, { weights: w });
      const js = fitBoosting(data, y, params, { weights: w, webAssembly: false });
      assert.ok(wasm.trees.length > 0 && wasm.trees[0][0].nodes.length > 5, 'trees with splits');
      assert.equal(JSON.stringify(wasm), JSON.stringify(js), `${params.loss}, ${w ? 'weighted' : 'unweighted'}`);
    }
  }
});
