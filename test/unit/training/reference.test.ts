// Metric functions and linear models against scikit-learn values made by
// test/reference/training/make_reference.py (committed JSON; tests never call Python).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fitLeastSquares, fitLogistic, fitLogisticAsync, linearOutputs } from '../../../src/training/linear';
import { weightedMacroF1 } from '../../../src/core/stats/weightedMetrics';
import { classificationMetrics, regressionMetrics } from '../../../src/training/metrics';

const refDir = join(__dirname, '..', '..', '..', '..', 'test', 'reference', 'training');
const load = (name: string) => JSON.parse(readFileSync(join(refDir, name), 'utf8'));
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);


/** Each class's precision, recall, F1 and support against scikit-learn's (classes named c0..c9). */
function samePerClass(m: ReturnType<typeof classificationMetrics>, c: { labels: number[]; precision: number[]; recall: number[]; f1: number[]; support: number[] }): void {
  c.labels.forEach((l, k) => {
    const pc = m.perClass[`c${l}`];
    close(pc.precision, c.precision[k], 1e-12, 'precision');
    close(pc.recall, c.recall[k], 1e-12, 'recall');
    close(pc.f1, c.f1[k], 1e-12, 'f1');
    assert.equal(pc.support, c.support[k]);
  });
}
test('classification metrics match scikit-learn (accuracy, macro-F1, per-class P/R/F1, confusion)', () => {
  const ref = load('metrics.json');
  const cases = ref.cases.filter((c: { kind: string; own?: number[] }) => c.kind === 'classification' && !c.own);
  assert.ok(cases.length >= 4);
  for (const c of cases) {
    const names = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const m = classificationMetrics(c.yTrue, c.yPred, names);
    close(m.accuracy, c.accuracy, 1e-12, 'accuracy');
    close(m.macroF1, c.macroF1, 1e-12, 'macroF1');
    assert.deepEqual(m.labels, c.labels.map((l: number) => `c${l}`));
    assert.deepEqual(m.confusion, c.confusion);
    samePerClass(m, c);
  }
});

test("a dataset's metrics over its own label space match scikit-learn's f1_score(labels=own classes present) (the merged arm)", () => {
  const ref = load('metrics.json');
  const cases = ref.cases.filter((c: { own?: number[] }) => c.own);
  assert.equal(cases.length, 4);
  for (const c of cases) {
    const names = Array.from({ length: 10 }, (_, i) => `c${i}`);
    const own = new Uint8Array(10);
    for (const k of c.own) own[k] = 1;
    const m = classificationMetrics(c.yTrue, c.yPred, names, own);
    close(m.accuracy, c.accuracy, 1e-12, 'accuracy');
    close(m.macroF1, c.macroF1, 1e-12, 'macroF1');
    // Predictions of another dataset's classes stay in the confusion matrix, not in the average.
    assert.deepEqual(m.labels, c.confusionLabels.map((l: number) => `c${l}`));
    assert.deepEqual(m.confusion, c.confusion);
    assert.deepEqual(Object.keys(m.perClass), c.labels.map((l: number) => `c${l}`));
    samePerClass(m, c);
    // Without `own`, scikit-learn's default: every class present, foreign ones at F1 0.
    close(classificationMetrics(c.yTrue, c.yPred, names).macroF1, c.macroF1AllPresent, 1e-12, 'macroF1 over every class present');
    // The bootstrap's weighted form agrees at unit weights, with and without `own`.
    const t = Int32Array.from(c.yTrue);
    const p = Int32Array.from(c.yPred);
    const ones = new Float64Array(t.length).fill(1);
    close(weightedMacroF1(t, p, 10, ones, undefined, own), c.macroF1, 1e-12, 'weighted macroF1, own classes');
    close(weightedMacroF1(t, p, 10, ones), c.macroF1AllPresent, 1e-12, 'weighted macroF1, every class');
  }
});

test('regression metrics match scikit-learn (R2, MAE, RMSE)', () => {
  const ref = load('metrics.json');
  for (const c of ref.cases.filter((x: { kind: string }) => x.kind === 'regression')) {
    const m = regressionMetrics(c.yTrue, c.yPred);
    close(m.r2, c.r2, 1e-12, 'r2');
    close(m.mae, c.mae, 1e-12, 'mae');
    close(m.rmse, c.rmse, 1e-12, 'rmse');
  }
});

test('least squares matches scikit-learn LinearRegression', () => {
  const ref = load('linear.json');
  const n = ref.x.length;
  const d = ref.x[0].length;
  const x = Float64Array.from(ref.x.flat());
  const m = fitLeastSquares(x, ref.y, n, d, 0);
  ref.ols.coef.forEach((c: number, j: number) => close(m.weights[j], c, 1e-9, `coef ${j}`));
  close(m.bias[0], ref.ols.intercept, 1e-9, 'intercept');
});

test('L-BFGS logistic regression matches scikit-learn LogisticRegression (multinomial, C = 1/(n l2))', () => {
  const ref = load('linear.json');
  const n = ref.x.length;
  const d = ref.x[0].length;
  const x = Float64Array.from(ref.x.flat());
  const m = fitLogistic(x, ref.classes, n, d, 3, { l2: ref.l2, tolerance: 1e-9, maxIterations: 2000 });
  // sklearn stores coef as classes x features; ours is features x classes.
  for (let c = 0; c < 3; c++) for (let j = 0; j < d; j++) close(m.weights[j * 3 + c], ref.logistic.coef[c][j], 1e-4, `coef ${c},${j}`);
  const logits = linearOutputs(m, x.subarray(0, 10 * d), 10);
  for (let i = 0; i < 10; i++) {
    const row = Array.from(logits.subarray(i * 3, i * 3 + 3));
    const mx = Math.max(...row);
    const e = row.map((v) => Math.exp(v - mx));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, c) => close(v / s, ref.logistic.proba[i][c], 1e-5, `proba ${i},${c}`));
  }
});

test('the cancellable logistic fit gives the same model, and stops when cancelled', async () => {
  const ref = load('linear.json');
  const n = ref.x.length;
  const d = ref.x[0].length;
  const x = Float64Array.from(ref.x.flat());
  const sync = fitLogistic(x, ref.classes, n, d, 3, { l2: ref.l2 });
  const async = await fitLogisticAsync(x, ref.classes, n, d, 3, { l2: ref.l2 });
  assert.deepEqual(async, sync);
  // 60k rows: well over the 40 ms between checks, so the cancel is seen mid-fit.
  const big = new Float64Array(60000 * d);
  const cls = new Array<number>(60000);
  for (let i = 0; i < 60000; i++) {
    for (let j = 0; j < d; j++) big[i * d + j] = x[(i % n) * d + j] + ((i * 7 + j) % 13) / 100;
    cls[i] = ref.classes[i % n];
  }
  let checks = 0;
  const cancelled = await fitLogisticAsync(big, cls, 60000, d, 3, { l2: ref.l2, isCancelled: () => ++checks >= 1 });
  assert.equal(cancelled, null);
  // It gives up at the first check that says so (how soon: bench/latency.mjs).
  assert.equal(checks, 1);
});
