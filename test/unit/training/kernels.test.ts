// The WebAssembly SIMD kernels (src/training/kernels/denseKernels.ts) against plain JavaScript
// loops computing the same formulas in float64: every shape class the kernels branch on
// (row tails, 8-, 4- and 1-3-column tails, empty products), both operand layouts, every
// epilogue, and the memory around each output left untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adamRate, adamUpdate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON } from '../../../src/training/adam';
import { DenseHeap, Gemm, kernelModule } from '../../../src/training/kernels/denseKernels';
import { lcg } from './tables';

const rand = lcg(17);
const values = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);

interface GemmCase {
  m: number;
  n: number;
  k: number;
  transposed: boolean;
  flags: number;
  bias: boolean;
  mask: boolean;
}

function checkGemm(heap: DenseHeap, c: GemmCase): void {
  const { m, n, k } = c;
  // Strides wider than the data (as the training step's buffers are), so the kernel must honour them.
  const lda = c.transposed ? m + 3 : k + 2;
  const ldb = n + 1;
  const ldc = n + 5;
  const ldm = n + 2;
  const A = values(m * k);
  const B = values(k * ldb);
  const C0 = values(m * ldc);
  const bias = values(n);
  const M = values(m * ldm);
  const aStore = new Float32Array(c.transposed ? k * lda : m * lda);
  for (let i = 0; i < m; i++) for (let t = 0; t < k; t++) aStore[c.transposed ? t * lda + i : i * lda + t] = A[i * k + t];
  const pa = heap.allocF32(aStore.length);
  const pb = heap.allocF32(B.length);
  const pc = heap.allocF32(C0.length);
  const pbias = heap.allocF32(n);
  const pm = heap.allocF32(M.length);
  heap.f32(pa, aStore.length).set(aStore);
  heap.f32(pb, B.length).set(B);
  heap.f32(pc, C0.length).set(C0);
  heap.f32(pbias, n).set(bias);
  heap.f32(pm, M.length).set(M);
  const [sar, sat] = c.transposed ? [4, lda * 4] : [lda * 4, 4];
  heap.kernels.gemm(pa, sar, sat, pb, ldb * 4, pc, ldc * 4, m, n, k, c.bias ? pbias : 0, c.mask ? pm : 0, ldm * 4, c.flags);
  const C = heap.f32(pc, C0.length);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const got = C[i * ldc + j];
      if (j >= n) {
        assert.equal(got, C0[i * ldc + j], `${JSON.stringify(c)}: C[${i}, ${j}] beyond the n columns was written`);
        continue;
      }
      let s = 0;
      for (let t = 0; t < k; t++) s += A[i * k + t] * B[t * ldb + j];
      if (c.bias) s += bias[j];
      if (c.flags & Gemm.Accumulate) s += C0[i * ldc + j];
      if (c.flags & Gemm.Relu) s = Math.max(s, 0);
      if (c.mask && !(M[i * ldm + j] > 0)) s = 0;
      assert.ok(Math.abs(got - s) <= 1e-5 * (1 + k), `${JSON.stringify(c)}: C[${i}, ${j}] = ${got}, expected ${s}`);
    }
  }
}

test('gemm equals the naive product for every tail, layout and epilogue', () => {
  const heap = DenseHeap.create();
  const shapes = [
    [1, 1, 1],
    [4, 8, 3],
    [5, 3, 7],
    [7, 13, 5],
    [9, 12, 10],
    [8, 17, 2],
    [3, 2, 0],
    [33, 7, 64],
    [64, 64, 32],
  ];
  let cases = 0;
  for (const [m, n, k] of shapes)
    for (const transposed of [false, true])
      for (const flags of [0, Gemm.Accumulate, Gemm.Relu, Gemm.Accumulate | Gemm.Relu])
        for (const bias of [false, true])
          for (const mask of [false, true]) {
            checkGemm(heap, { m, n, k, transposed, flags, bias, mask });
            cases++;
          }
  assert.equal(cases, 9 * 2 * 4 * 4);
});

test('the kernels also run on a shared memory (worker threads)', () => {
  const heap = DenseHeap.create(true);
  assert.ok(heap.memory.buffer instanceof SharedArrayBuffer);
  assert.notEqual(kernelModule(true), kernelModule(false));
  checkGemm(heap, { m: 6, n: 10, k: 5, transposed: true, flags: Gemm.Relu, bias: true, mask: false });
});

test('gather copies the ordered rows into a strided buffer, transpose transposes', () => {
  const heap = DenseHeap.create();
  const n = 50;
  for (const d of [1, 3, 4, 9]) {
    const src = values(n * d);
    const order = Int32Array.from({ length: 17 }, (_, i) => (i * 31 + 7) % n);
    const ps = heap.allocF32(src.length);
    const po = heap.alloc(order.length * 4);
    const ld = d + 3;
    const pd = heap.allocF32(order.length * ld);
    heap.f32(ps, src.length).set(src);
    new Int32Array(heap.memory.buffer, po, order.length).set(order);
    heap.f32(pd, order.length * ld).fill(-7);
    heap.kernels.gather(ps, po, order.length, d, pd, ld * 4);
    const out = heap.f32(pd, order.length * ld);
    order.forEach((row, i) => {
      for (let j = 0; j < ld; j++) assert.equal(out[i * ld + j], j < d ? src[row * d + j] : -7, `d ${d} row ${i} col ${j}`);
    });
  }
  const x = values(6 * 5);
  const px = heap.allocF32(30);
  const pt = heap.allocF32(30);
  heap.f32(px, 30).set(x);
  heap.kernels.transpose(px, pt, 6, 5);
  const t = heap.f32(pt, 30);
  for (let r = 0; r < 6; r++) for (let c = 0; c < 5; c++) assert.equal(t[c * 6 + r], x[r * 5 + c]);
});

test('adam, sgd and the L2 gradient match the JavaScript update to float32 rounding', () => {
  const heap = DenseHeap.create();
  for (const count of [1, 3, 4, 13, 100]) {
    const p0 = values(count);
    const g0 = values(count);
    const m0 = values(count).map((v) => v * 0.1);
    const v0 = values(count).map((v) => v * v * 0.01);
    const at = [p0, g0, m0, v0].map((a) => {
      const o = heap.allocF32(count);
      heap.f32(o, count).set(a);
      return o;
    });
    const l2 = 0.03;
    const squares = heap.kernels.l2grad(at[0], at[1], count, l2);
    let expectSquares = 0;
    const g = Float32Array.from(g0, (v, i) => {
      expectSquares += p0[i] * p0[i];
      return v + l2 * p0[i];
    });
    assert.ok(Math.abs(squares - expectSquares) <= 1e-5 * expectSquares, `squares ${squares} vs ${expectSquares}`);
    heap.f32(at[1], count).forEach((v, i) => assert.ok(Math.abs(v - g[i]) <= 1e-6, `g[${i}]`));
    const rate = adamRate(0.01, 3);
    heap.kernels.adam(at[0], at[1], at[2], at[3], count, rate, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
    const p = p0.slice();
    const m = m0.slice();
    const v = v0.slice();
    adamUpdate(p, g, m, v, rate);
    heap.f32(at[0], count).forEach((x, i) => assert.ok(Math.abs(x - p[i]) <= 1e-6, `adam p[${i}] ${x} vs ${p[i]}`));
    heap.f32(at[2], count).forEach((x, i) => assert.ok(Math.abs(x - m[i]) <= 1e-6, `adam m[${i}]`));
    heap.f32(at[3], count).forEach((x, i) => assert.ok(Math.abs(x - v[i]) <= 1e-7, `adam v[${i}]`));
    const before = heap.f32(at[0], count).slice();
    heap.kernels.sgd(at[0], at[1], count, 0.5);
    heap.f32(at[0], count).forEach((x, i) => assert.ok(Math.abs(x - (before[i] - 0.5 * g[i])) <= 1e-6, `sgd p[${i}]`));
  }
});

test('gram accumulates the lower triangle of the weighted Gram matrix of [x - shift, y - shift, 1] in float64', () => {
  for (const input of ['f32', 'f64'] as const) {
    for (const [rows, d, blockRows, weighted] of [
      [1, 1, 4, false],
      [37, 5, 8, true],
      [130, 6, 128, false],
      [64, 9, 16, true],
    ] as const) {
      const heap = DenseHeap.create();
      const dp = (d + 2 + 3) & ~3;
      const x = Float64Array.from(values(rows * d), (v) => v * 3 + 1);
      const y = Float64Array.from({ length: rows }, () => rand() * 10);
      const w = Float64Array.from({ length: rows }, () => rand());
      const shift = Float64Array.from({ length: d + 1 }, () => rand());
      const px = heap.alloc(rows * d * (input === 'f32' ? 4 : 8));
      if (input === 'f32') heap.f32(px, rows * d).set(x);
      else heap.f64(px, rows * d).set(x);
      const xs = input === 'f32' ? Float64Array.from(Float32Array.from(x)) : x;
      const py = heap.alloc(rows * 8);
      heap.f64(py, rows).set(y);
      const pw = heap.alloc(rows * 8);
      heap.f64(pw, rows).set(w);
      const ps = heap.alloc((d + 1) * 8);
      heap.f64(ps, d + 1).set(shift);
      const blk = heap.alloc(blockRows * dp * 8);
      const wblk = heap.alloc(blockRows * dp * 8);
      const pg = heap.alloc(dp * dp * 8);
      (input === 'f32' ? heap.kernels.gramF32 : heap.kernels.gramF64)(px, py, weighted ? pw : 0, rows, d, ps, blk, wblk, pg, dp, blockRows);
      const gram = heap.f64(pg, dp * dp);
      const z = (i: number, p: number) => (p < d ? xs[i * d + p] - shift[p] : p === d ? y[i] - shift[d] : 1);
      for (let p = 0; p < d + 2; p++) {
        for (let q = 0; q <= p; q++) {
          let s = 0;
          for (let i = 0; i < rows; i++) s += (weighted ? w[i] : 1) * z(i, p) * z(i, q);
          assert.ok(Math.abs(gram[p * dp + q] - s) <= 1e-12 * (1 + Math.abs(s)), `${input} rows ${rows} d ${d}: gram[${p}][${q}] = ${gram[p * dp + q]}, expected ${s}`);
        }
      }
    }
  }
});
