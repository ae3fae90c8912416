/**
 * Linear models fitted in Float64 JavaScript, where they beat gradient descent:
 * least squares by the normal equations (Cholesky), and multinomial logistic regression by
 * L-BFGS. Objectives use the mean (optionally weighted) loss plus l2/2 * ||W||^2 on the
 * weights (never the intercept); l2 = 1/(C n) relates it to scikit-learn's C.
 */
import { DenseHeap } from './kernels/denseKernels';

export interface LinearModel {
  readonly kind: 'least_squares' | 'logistic';
  readonly inputs: number;
  readonly outputs: number;
  /** Row-major inputs x outputs. */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  /** Logistic: L-BFGS iterations used; least squares: 0. */
  readonly iterations: number;
}

/** Solves A x = b in place for symmetric positive definite A (n x n, row-major). */
function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('the normal equations are singular (a constant or duplicated feature?); set model.l2 > 0');
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j];
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * z[k];
    z[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** Rows per kernel call: about 1 MB of input, so the copy stays in cache for the kernel. */
const CHUNK_BYTES = 1 << 20;
/** Rows per Gram block: blocks of 36 f64 columns stay in L1 (48 KB here) between tiles. */
const BLOCK_ROWS = 128;

function copyRows(dst: Float32Array | Float64Array, src: ArrayLike<number>, from: number, to: number): void {
  if (ArrayBuffer.isView(src)) dst.set((src as unknown as Float64Array).subarray(from, to));
  else for (let i = from; i < to; i++) dst[i - from] = src[i];
}

/**
 * Weighted ridge/least squares with intercept: minimises mean_w (y - Xb - c)^2 / 2 + l2/2 ||b||^2.
 * X is row-major n x d.
 *
 * The normal equations of the centred data, solved by Cholesky, all in float64 (numpy's
 * X^T X + Cholesky, or scikit-learn, give the same coefficients to ~1e-10). The weighted Gram
 * matrix of [X, y, 1] (whose last row holds the column sums) comes from one pass of the WebAssembly SIMD kernel
 * (kernels/denseKernels.ts), on rows shifted by the mean of the first block: centring with
 * the exact means afterwards (S - sw mu mu^T) then subtracts only small numbers, so it keeps
 * the accuracy of a second, centred pass without reading the data twice.
 */
export function fitLeastSquares(x: Float32Array | Float64Array, y: ArrayLike<number>, n: number, d: number, l2: number, w?: ArrayLike<number>): LinearModel {
  const wide = x instanceof Float64Array;
  const heap = DenseHeap.create();
  const dp = (d + 2 + 3) & ~3;
  const chunk = Math.max(1, Math.floor(CHUNK_BYTES / (d * (wide ? 8 : 4))));
  const xs = heap.alloc(chunk * d * (wide ? 8 : 4));
  const ys = heap.alloc(chunk * 8);
  const ws = w ? heap.alloc(chunk * 8) : 0;
  const shiftAt = heap.alloc((d + 1) * 8);
  const blk = heap.alloc(BLOCK_ROWS * dp * 8);
  const wblk = w ? heap.alloc(BLOCK_ROWS * dp * 8) : blk;
  const gramAt = heap.alloc(dp * dp * 8);
  // The shift: the (weighted) mean of the first rows; any value works, a central one keeps the
  // final centring exact.
  const shift = heap.f64(shiftAt, d + 1);
  const first = Math.min(n, BLOCK_ROWS);
  let fw = 0;
  for (let i = 0; i < first; i++) fw += w ? w[i] : 1;
  const useWeights = w && fw > 0;
  for (let i = 0; i < first; i++) {
    const wi = useWeights ? (w as ArrayLike<number>)[i] : 1;
    for (let j = 0; j < d; j++) shift[j] += wi * x[i * d + j];
    shift[d] += wi * y[i];
  }
  const norm = useWeights ? fw : first;
  for (let j = 0; j <= d; j++) shift[j] = norm > 0 ? shift[j] / norm : 0;
  const K = heap.kernels;
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const rows = end - start;
    if (wide) heap.f64(xs, rows * d).set((x as Float64Array).subarray(start * d, end * d));
    else heap.f32(xs, rows * d).set((x as Float32Array).subarray(start * d, end * d));
    copyRows(heap.f64(ys, rows), y, start, end);
    if (w) copyRows(heap.f64(ws, rows), w, start, end);
    (wide ? K.gramF64 : K.gramF32)(xs, ys, ws, rows, d, shiftAt, blk, wblk, gramAt, dp, BLOCK_ROWS);
  }
  const gram = heap.f64(gramAt, dp * dp);
  // Row d + 1 of the Gram matrix (the column of ones): weighted sums of z, then the weight sum.
  const ones = (d + 1) * dp;
  const sw = gram[ones + d + 1];
  const mu = Array.from({ length: d + 1 }, (_, p) => gram[ones + p] / sw);
  // Centred: S_c[p][q] = S[p][q] - sw mu_p mu_q (lower triangle, p >= q); row d is y.
  const centred = (p: number, q: number) => gram[p * dp + q] - sw * mu[p] * mu[q];
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    for (let k = 0; k <= j; k++) a[j * d + k] = a[k * d + j] = centred(j, k);
    a[j * d + j] += l2 * sw;
    b[j] = centred(d, j);
  }
  const beta = choleskySolve(a, b, d);
  let c = shift[d] + mu[d];
  for (let j = 0; j < d; j++) c -= beta[j] * (shift[j] + mu[j]);
  return { kind: 'least_squares', inputs: d, outputs: 1, weights: beta, bias: Float64Array.of(c), iterations: 0 };
}

export interface LogisticOptions {
  readonly l2: number;
  readonly maxIterations?: number;
  readonly tolerance?: number;
  readonly weights?: ArrayLike<number>;
}

/** Multinomial logistic regression (softmax) by L-BFGS; y holds class indices 0..k-1. */
function logisticObjective(x: Float32Array | Float64Array, y: ArrayLike<number>, n: number, d: number, k: number, options: LogisticOptions): (theta: Float64Array, grad: Float64Array) => number {
  let sw = n;
  if (options.weights) {
    sw = 0;
    for (let i = 0; i < n; i++) sw += options.weights[i];
  }
  const logits = new Float64Array(k);
  const objective = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let max = -Infinity;
      for (let c = 0; c < k; c++) {
        let z = theta[d * k + c];
        for (let j = 0; j < d; j++) z += x[o + j] * theta[j * k + c];
        logits[c] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let c = 0; c < k; c++) {
        logits[c] = Math.exp(logits[c] - max);
        sum += logits[c];
      }
      const yi = y[i];
      const wi = (options.weights ? options.weights[i] : 1) / sw;
      loss -= wi * (Math.log(logits[yi] / sum));
      for (let c = 0; c < k; c++) {
        const g = wi * (logits[c] / sum - (c === yi ? 1 : 0));
        if (g === 0) continue;
        for (let j = 0; j < d; j++) grad[j * k + c] += g * x[o + j];
        grad[d * k + c] += g;
      }
    }
    for (let q = 0; q < d * k; q++) {
      loss += 0.5 * options.l2 * theta[q] * theta[q];
      grad[q] += options.l2 * theta[q];
    }
    return loss;
  };
  return objective;
}

/** Multinomial logistic regression (softmax) by L-BFGS; y holds class indices 0..k-1. */
export function fitLogistic(x: Float32Array | Float64Array, y: ArrayLike<number>, n: number, d: number, k: number, options: LogisticOptions): LinearModel {
  const f = logisticObjective(x, y, n, d, k, options);
  const { theta, iterations } = lbfgs(f, new Float64Array((d + 1) * k), options.maxIterations ?? 500, options.tolerance ?? 1e-6);
  return { kind: 'logistic', inputs: d, outputs: k, weights: theta.slice(0, d * k), bias: theta.slice(d * k), iterations };
}

/**
 * The same fit, yielding to the event loop every ~40 ms so a cancel request is seen within a
 * second on large data. Resolves to null when `isCancelled` turns true.
 */
export async function fitLogisticAsync(
  x: Float32Array | Float64Array,
  y: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  options: LogisticOptions & { isCancelled?: () => boolean },
): Promise<LinearModel | null> {
  const f = logisticObjective(x, y, n, d, k, options);
  const steps = lbfgsSteps(f, new Float64Array((d + 1) * k), options.maxIterations ?? 500, options.tolerance ?? 1e-6);
  let last = Date.now();
  for (;;) {
    const r = steps.next();
    if (r.done) {
      const { theta, iterations } = r.value;
      return { kind: 'logistic', inputs: d, outputs: k, weights: theta.slice(0, d * k), bias: theta.slice(d * k), iterations };
    }
    if (Date.now() - last > 40) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      last = Date.now();
      if (options.isCancelled?.()) return null;
    }
  }
}

type LbfgsResult = { theta: Float64Array; value: number; iterations: number };

/** Limited-memory BFGS (m = 10) with a backtracking Armijo line search. */
export function lbfgs(f: (theta: Float64Array, grad: Float64Array) => number, theta0: Float64Array, maxIterations: number, tolerance: number): LbfgsResult {
  const steps = lbfgsSteps(f, theta0, maxIterations, tolerance);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** L-BFGS as a generator that pauses after every iteration (see fitLogisticAsync). */
function* lbfgsSteps(
  f: (theta: Float64Array, grad: Float64Array) => number,
  theta0: Float64Array,
  maxIterations: number,
  tolerance: number,
): Generator<void, LbfgsResult, void> {
  const p = theta0.length;
  const m = 10;
  let theta = theta0.slice();
  let grad = new Float64Array(p);
  let value = f(theta, grad);
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const rhos: number[] = [];
  const dir = new Float64Array(p);
  const alpha = new Float64Array(m);
  let it = 0;
  for (; it < maxIterations; it++) {
    let gmax = 0;
    for (let q = 0; q < p; q++) gmax = Math.max(gmax, Math.abs(grad[q]));
    if (gmax < tolerance) break;
    // Two-loop recursion: dir = -H grad.
    for (let q = 0; q < p; q++) dir[q] = -grad[q];
    for (let h = ss.length - 1; h >= 0; h--) {
      let a = 0;
      for (let q = 0; q < p; q++) a += ss[h][q] * dir[q];
      a *= rhos[h];
      alpha[h] = a;
      for (let q = 0; q < p; q++) dir[q] -= a * ys[h][q];
    }
    if (ss.length) {
      const last = ss.length - 1;
      let yy = 0;
      for (let q = 0; q < p; q++) yy += ys[last][q] * ys[last][q];
      const gamma = 1 / (rhos[last] * yy);
      for (let q = 0; q < p; q++) dir[q] *= gamma;
    }
    for (let h = 0; h < ss.length; h++) {
      let b = 0;
      for (let q = 0; q < p; q++) b += ys[h][q] * dir[q];
      b *= rhos[h];
      for (let q = 0; q < p; q++) dir[q] += ss[h][q] * (alpha[h] - b);
    }
    let slope = 0;
    for (let q = 0; q < p; q++) slope += grad[q] * dir[q];
    if (slope >= 0) {
      // Not a descent direction: restart from steepest descent.
      ss.length = ys.length = rhos.length = 0;
      for (let q = 0; q < p; q++) dir[q] = -grad[q];
      slope = 0;
      for (let q = 0; q < p; q++) slope += grad[q] * dir[q];
    }
    let step = it === 0 && ss.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
    const next = new Float64Array(p);
    const nextGrad = new Float64Array(p);
    let nextValue = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let q = 0; q < p; q++) next[q] = theta[q] + step * dir[q];
      nextValue = f(next, nextGrad);
      if (nextValue <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextValue < value) && !(nextValue <= value)) break;
    const s = new Float64Array(p);
    const yv = new Float64Array(p);
    let sy = 0;
    for (let q = 0; q < p; q++) {
      s[q] = next[q] - theta[q];
      yv[q] = nextGrad[q] - grad[q];
      sy += s[q] * yv[q];
    }
    const improvement = value - nextValue;
    theta = next;
    grad = nextGrad;
    value = nextValue;
    if (sy > 1e-12) {
      ss.push(s);
      ys.push(yv);
      rhos.push(1 / sy);
      if (ss.length > m) {
        ss.shift();
        ys.shift();
        rhos.shift();
      }
    }
    if (improvement >= 0 && improvement < 1e-12 * Math.max(1, Math.abs(value))) break;
    yield;
  }
  return { theta, value, iterations: it };
}

/** Raw outputs (n x outputs, row-major): predictions or logits. */
export function linearOutputs(model: LinearModel, x: Float32Array | Float64Array, n: number): Float64Array {
  const { inputs: d, outputs: k } = model;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let z = model.bias[c];
      for (let j = 0; j < d; j++) z += x[i * d + j] * model.weights[j * k + c];
      out[i * k + c] = z;
    }
  }
  return out;
}
