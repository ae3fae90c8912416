// fitLeastSquares (one pass of the WebAssembly Gram kernel on shifted rows) against the
// textbook computation in float64: exact means first, then the centred normal equations,
// solved by Gaussian elimination. Covers what the one-pass form could get wrong: several
// kernel calls (rows beyond one chunk), odd widths, weights, ridge, features far from zero
// (the shift must keep the centring exact) and float32 input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitLeastSquares } from '../../../src/training/linear';
import { lcg } from './tables';

function reference(x: ArrayLike<number>, y: ArrayLike<number>, n: number, d: number, l2: number, w?: ArrayLike<number>): { beta: number[]; c: number } {
  let sw = 0;
  const mx = new Array<number>(d).fill(0);
  let my = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    sw += wi;
    my += wi * y[i];
    for (let j = 0; j < d; j++) mx[j] += wi * x[i * d + j];
  }
  for (let j = 0; j < d; j++) mx[j] /= sw;
  my /= sw;
  // Augmented system [A | b], eliminated with partial pivoting.
  const a = Array.from({ length: d }, () => new Array<number>(d + 1).fill(0));
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    for (let j = 0; j < d; j++) {
      const u = x[i * d + j] - mx[j];
      for (let k = 0; k < d; k++) a[j][k] += wi * u * (x[i * d + k] - mx[k]);
      a[j][d] += wi * u * (y[i] - my);
    }
  }
  for (let j = 0; j < d; j++) a[j][j] += l2 * sw;
  for (let col = 0; col < d; col++) {
    let piv = col;
    for (let r = col + 1; r < d; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
    [a[col], a[piv]] = [a[piv], a[col]];
    for (let r = 0; r < d; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let k = col; k <= d; k++) a[r][k] -= f * a[col][k];
    }
  }
  const beta = a.map((row, j) => row[d] / row[j]);
  let c = my;
  for (let j = 0; j < d; j++) c -= beta[j] * mx[j];
  return { beta, c };
}

function problem(n: number, d: number, seed: number, offset: number) {
  const r = lcg(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = offset * (1 + (i % d)) + (r() * 2 - 1) * (1 + (i % 3));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 3;
    for (let j = 0; j < d; j++) s += x[i * d + j] * ((j % 5) - 2) * 0.3;
    y[i] = s + (r() - 0.5);
  }
  const w = Float64Array.from({ length: n }, () => 0.2 + r());
  return { x, y, w };
}

function assertClose(got: { weights: Float64Array; bias: Float64Array }, want: { beta: number[]; c: number }, tol: number, what: string): void {
  want.beta.forEach((b, j) => assert.ok(Math.abs(got.weights[j] - b) <= tol * (1 + Math.abs(b)), `${what}: coef ${j} ${got.weights[j]} vs ${b}`));
  assert.ok(Math.abs(got.bias[0] - want.c) <= tol * (1 + Math.abs(want.c)), `${what}: intercept ${got.bias[0]} vs ${want.c}`);
}

test('least squares equals the two-pass centred normal equations (float64 input, weights, ridge, several chunks)', () => {
  for (const [n, d, l2, weighted] of [
    [5, 1, 0, false],
    [200, 7, 0, true],
    [40000, 4, 0, false], // 40,000 x 4 f64 = 1.25 MB: more than one chunk of rows
    [3000, 33, 0.01, true],
  ] as const) {
    const { x, y, w } = problem(n, d, n + d, 0);
    const got = fitLeastSquares(x, y, n, d, l2, weighted ? w : undefined);
    assertClose(got, reference(x, y, n, d, l2, weighted ? w : undefined), 1e-9, `n ${n} d ${d} l2 ${l2}${weighted ? ' weighted' : ''}`);
  }
});

test('least squares stays exact for features far from zero (the one-pass shift)', () => {
  // Means near 1e4..5e4 with unit spread: a one-pass sum of squares without the shift loses ~8 digits here.
  const n = 5000;
  const d = 5;
  const { x, y } = problem(n, d, 3, 1e4);
  assertClose(fitLeastSquares(x, y, n, d, 0), reference(x, y, n, d, 0), 1e-8, 'offset 1e4');
});

test('least squares on float32 features equals the float64 computation on the same values', () => {
  const n = 70000; // 70,000 x 6 f32: more than one chunk
  const d = 6;
  const { x, y, w } = problem(n, d, 9, 0.5);
  const x32 = Float32Array.from(x);
  assertClose(fitLeastSquares(x32, y, n, d, 0.001, w), reference(Float64Array.from(x32), y, n, d, 0.001, w), 1e-9, 'float32');
  // y and w as plain arrays take the element-by-element copy.
  assertClose(fitLeastSquares(x32, Array.from(y), n, d, 0, Array.from(w)), reference(Float64Array.from(x32), y, n, d, 0, w), 1e-9, 'arrays');
});

test('a constant feature makes the normal equations singular (clear error), unless l2 > 0', () => {
  const n = 300;
  const d = 3;
  const { x, y } = problem(n, d, 4, 0);
  for (let i = 0; i < n; i++) x[i * d + 1] = 7.25;
  assert.throws(() => fitLeastSquares(x, y, n, d, 0), /normal equations are singular/);
  const ridge = fitLeastSquares(x, y, n, d, 0.1);
  assert.ok(Math.abs(ridge.weights[1]) < 1e-9, `coefficient of the constant feature ${ridge.weights[1]}`);
});
