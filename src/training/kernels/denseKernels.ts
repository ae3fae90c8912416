/**
 * Hand-written WebAssembly SIMD kernels for training small dense networks and for the normal
 * equations of least squares, assembled at run time (wasmBuilder.ts) and run on a memory we
 * own (optionally shared between worker threads).
 *
 * Why our own: the TF.js WASM backend's matMul (XNNPACK) packs its right-hand operand on every
 * call and has no transposed-operand variant that is fast, and its transpose kernel is slow
 * (~36 us for 256 x 64): in the training step of a 32-64-32 network, packing and transposes
 * cost about as much as the arithmetic (bench/RESULTS.md). These kernels read their operands
 * in place through strides, so A^T . B (the weight gradients) needs no transpose, and they fuse
 * what follows a product: the bias, ReLU, and ReLU's derivative as a mask from the activation.
 *
 * The f32 product is register-tiled 4 rows x 8 columns: per step over the shared dimension it
 * loads two vectors of B and four broadcast values of A for 16 multiply-adds, with the eight
 * accumulators in registers (V8 gives WebAssembly 16 SIMD registers on x64). A column tail of
 * 1-3 is computed as a full vector and stored lane by lane; every buffer therefore has 16
 * bytes of slack after it (DenseHeap), because such a vector may read up to 3 floats past a
 * row's end.
 */
import { type FunctionBuilder, ModuleBuilder, T } from './wasmBuilder';

/** gemm flags. */
export const enum Gemm {
  /** C += result (else C = result). */
  Accumulate = 1,
  /** max(result, 0) (after the bias and accumulation). */
  Relu = 2,
}

const I = T.i32;

/**
 * gemm(a, sar, sat, b, ldb, c, ldc, m, n, k, bias, mask, ldm, flags):
 *   C[i, j] = epilogue(sum over t < k of A(i, t) * B[t, j]) for i < m, j < n, where
 *   A(i, t) is the f32 at a + i*sar + t*sat (bytes), B[t, j] at b + t*ldb + 4j, C[i, j] at
 *   c + i*ldc + 4j. Epilogue: + bias[j] (bias != 0), + C[i, j] (Accumulate), max(., 0) (Relu),
 *   then zero where mask[i, j] <= 0 (mask != 0; mask[i, j] at mask + i*ldm + 4j).
 * With sar = row stride and sat = 4 this is A . B; with sar = 4 and sat = A's row stride, A^T . B.
 */
function emitGemm(f: FunctionBuilder): void {
  const [a, sar, sat, b, ldb, c, ldc, m, n, k, bias, mask, ldm, flags] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const i = f.local(I);
  const j = f.local(I);
  const t = f.local(I);
  const pb = f.local(I);
  const pa = f.locals(I, 4);
  const pc = f.local(I);
  const acc = f.locals(T.v128, 8);
  const bv = f.locals(T.v128, 2);
  const av = f.local(T.v128);
  const x = f.local(T.v128);

  /** One R x (4V) tile at rows i.., columns j..; `lanes` < 4: a partial last vector. */
  const tile = (R: number, V: number, lanes: number) => {
    for (let q = 0; q < R * V; q++) f.set(acc[q], f.f32x4.splat(f.f32c(0)));
    for (let r = 0; r < R; r++) f.set(pa[r], f.i32.add(f.get(a), f.i32.mul(f.i32.add(f.get(i), f.i32c(r)), f.get(sar))));
    f.set(pb, f.i32.add(f.get(b), f.i32.shl(f.get(j), f.i32c(2))));
    f.set(t, f.get(k));
    f.block('empty', () => {
      f.brIf('empty', f.i32.leS(f.get(t), f.i32c(0)));
      f.loop('dot', () => {
        for (let v = 0; v < V; v++) f.set(bv[v], f.v128.load(f.get(pb), 16 * v));
        for (let r = 0; r < R; r++) {
          f.set(av, f.f32x4.loadSplat(f.get(pa[r])));
          for (let v = 0; v < V; v++) f.set(acc[r * V + v], f.f32x4.add(f.get(acc[r * V + v]), f.f32x4.mul(f.get(av), f.get(bv[v]))));
          f.set(pa[r], f.i32.add(f.get(pa[r]), f.get(sat)));
        }
        f.set(pb, f.i32.add(f.get(pb), f.get(ldb)));
        f.brIf('dot', f.tee(t, f.i32.sub(f.get(t), f.i32c(1))));
      });
    });
    for (let r = 0; r < R; r++) {
      // pc: C[i + r, j]; pa[0] reused for mask[i + r, j].
      f.set(pc, f.i32.add(f.i32.add(f.get(c), f.i32.mul(f.i32.add(f.get(i), f.i32c(r)), f.get(ldc))), f.i32.shl(f.get(j), f.i32c(2))));
      f.set(pa[0], f.i32.add(f.i32.add(f.get(mask), f.i32.mul(f.i32.add(f.get(i), f.i32c(r)), f.get(ldm))), f.i32.shl(f.get(j), f.i32c(2))));
      for (let v = 0; v < V; v++) {
        f.set(x, f.get(acc[r * V + v]));
        f.if(f.get(bias), () => f.set(x, f.f32x4.add(f.get(x), f.v128.load(f.i32.add(f.get(bias), f.i32.shl(f.get(j), f.i32c(2))), 16 * v))));
        f.if(f.i32.and(f.get(flags), f.i32c(Gemm.Accumulate)), () => f.set(x, f.f32x4.add(f.get(x), f.v128.load(f.get(pc), 16 * v))));
        f.if(f.i32.and(f.get(flags), f.i32c(Gemm.Relu)), () => f.set(x, f.f32x4.max(f.get(x), f.f32x4.splat(f.f32c(0)))));
        f.if(f.get(mask), () => f.set(x, f.v128.and(f.get(x), f.f32x4.gt(f.v128.load(f.get(pa[0]), 16 * v), f.f32x4.splat(f.f32c(0))))));
        if (lanes === 4) f.v128.store(f.get(pc), f.get(x), 16 * v);
        else {
          // n - j lanes (1-3) are real columns.
          f.f32x4.storeLane(f.get(pc), f.get(x), 0);
          f.if(f.i32.geS(f.i32.sub(f.get(n), f.get(j)), f.i32c(2)), () => f.f32x4.storeLane(f.get(pc), f.get(x), 1, 4));
          f.if(f.i32.geS(f.i32.sub(f.get(n), f.get(j)), f.i32c(3)), () => f.f32x4.storeLane(f.get(pc), f.get(x), 2, 8));
        }
      }
    }
  };

  const rows = (R: number) => {
    f.set(j, f.i32c(0));
    f.block('cols8', () => {
      f.loop('next8', () => {
        f.brIf('cols8', f.i32.gtS(f.i32.add(f.get(j), f.i32c(8)), f.get(n)));
        tile(R, 2, 4);
        f.set(j, f.i32.add(f.get(j), f.i32c(8)));
        f.br('next8');
      });
    });
    f.if(f.i32.leS(f.i32.add(f.get(j), f.i32c(4)), f.get(n)), () => {
      tile(R, 1, 4);
      f.set(j, f.i32.add(f.get(j), f.i32c(4)));
    });
    f.if(f.i32.ltS(f.get(j), f.get(n)), () => tile(R, 1, 3));
  };

  f.set(i, f.i32c(0));
  f.block('rows4', () => {
    f.loop('next4', () => {
      f.brIf('rows4', f.i32.gtS(f.i32.add(f.get(i), f.i32c(4)), f.get(m)));
      rows(4);
      f.set(i, f.i32.add(f.get(i), f.i32c(4)));
      f.br('next4');
    });
  });
  f.block('rows1', () => {
    f.loop('next1', () => {
      f.brIf('rows1', f.i32.geS(f.get(i), f.get(m)));
      rows(1);
      f.set(i, f.i32.add(f.get(i), f.i32c(1)));
      f.br('next1');
    });
  });
}

/** transpose(x, out, rows, cols): out (cols x rows) = x (rows x cols)^T, f32, dense. */
function emitTranspose(f: FunctionBuilder): void {
  const [x, out, rows, cols] = [0, 1, 2, 3];
  const r = f.local(I);
  const q = f.local(I);
  f.forRange(r, () => f.i32c(0), () => f.get(rows), 1, () => {
    f.forRange(q, () => f.i32c(0), () => f.get(cols), 1, () => {
      f.f32.store(
        f.i32.add(f.get(out), f.i32.shl(f.i32.add(f.i32.mul(f.get(q), f.get(rows)), f.get(r)), f.i32c(2))),
        f.f32.load(f.i32.add(f.get(x), f.i32.shl(f.i32.add(f.i32.mul(f.get(r), f.get(cols)), f.get(q)), f.i32c(2)))),
      );
    });
  });
}

/**
 * gather(src, order, count, d, dst, ldd): dst row i (stride ldd bytes) = the d floats of src
 * row order[i] (order: i32 row indices; src rows are d floats).
 */
function emitGather(f: FunctionBuilder): void {
  const [src, order, count, d, dst, ldd] = [0, 1, 2, 3, 4, 5];
  const i = f.local(I);
  const q = f.local(I);
  const from = f.local(I);
  const to = f.local(I);
  const rowBytes = f.local(I);
  f.set(rowBytes, f.i32.shl(f.get(d), f.i32c(2)));
  f.forRange(i, () => f.i32c(0), () => f.get(count), 1, () => {
    f.set(from, f.i32.add(f.get(src), f.i32.mul(f.i32.load(f.i32.add(f.get(order), f.i32.shl(f.get(i), f.i32c(2)))), f.get(rowBytes))));
    f.set(to, f.i32.add(f.get(dst), f.i32.mul(f.get(i), f.get(ldd))));
    f.set(q, f.i32c(0));
    f.block('vecs', () => {
      f.loop('vec', () => {
        f.brIf('vecs', f.i32.gtS(f.i32.add(f.get(q), f.i32c(16)), f.get(rowBytes)));
        f.v128.store(f.i32.add(f.get(to), f.get(q)), f.v128.load(f.i32.add(f.get(from), f.get(q))));
        f.set(q, f.i32.add(f.get(q), f.i32c(16)));
        f.br('vec');
      });
    });
    f.forRange(q, () => f.get(q), () => f.get(rowBytes), 4, () => {
      f.f32.store(f.i32.add(f.get(to), f.get(q)), f.f32.load(f.i32.add(f.get(from), f.get(q))));
    });
  });
}

/**
 * Runs `vec` over the first count & ~3 floats in steps of 4 (q = byte offset), then `scalar`
 * over the rest one at a time.
 */
function elementwise(f: FunctionBuilder, count: number, vec: (q: number) => void, scalar: (q: number) => void): void {
  const q = f.local(I);
  const end = f.local(I);
  f.set(end, f.i32.shl(f.i32.and(f.get(count), f.i32c(~3)), f.i32c(2)));
  f.forRange(q, () => f.i32c(0), () => f.get(end), 16, () => vec(q));
  f.forRange(q, () => f.get(end), () => f.i32.shl(f.get(count), f.i32c(2)), 4, () => scalar(q));
}

/** l2grad(p, g, count, l2): g += l2 * p over count floats; returns the sum of p^2 (f32). */
function emitL2Grad(f: FunctionBuilder): void {
  const [p, g, count, l2] = [0, 1, 2, 3];
  const vp = f.local(T.v128);
  const sq = f.local(T.v128);
  const total = f.local(T.f32);
  const sp = f.local(T.f32);
  f.set(sq, f.f32x4.splat(f.f32c(0)));
  f.set(total, f.f32c(0));
  const at = (base: number, q: number) => f.i32.add(f.get(base), f.get(q));
  elementwise(
    f,
    count,
    (q) => {
      f.set(vp, f.v128.load(at(p, q)));
      f.set(sq, f.f32x4.add(f.get(sq), f.f32x4.mul(f.get(vp), f.get(vp))));
      f.v128.store(at(g, q), f.f32x4.add(f.v128.load(at(g, q)), f.f32x4.mul(f.f32x4.splat(f.get(l2)), f.get(vp))));
    },
    (q) => {
      f.set(sp, f.f32.load(at(p, q)));
      f.set(total, f.f32.add(f.get(total), f.f32.mul(f.get(sp), f.get(sp))));
      f.f32.store(at(g, q), f.f32.add(f.f32.load(at(g, q)), f.f32.mul(f.get(l2), f.get(sp))));
    },
  );
  f.f32.add(f.f32.add(f.f32.add(f.f32x4.extractLane(f.get(sq), 0), f.f32x4.extractLane(f.get(sq), 1)), f.f32.add(f.f32x4.extractLane(f.get(sq), 2), f.f32x4.extractLane(f.get(sq), 3))), f.get(total));
}

/**
 * adam(p, g, m, v, count, rate, b1, b2, eps) over count floats (f32): m = b1 m + (1 - b1) g;
 * v = b2 v + (1 - b2) g^2; p -= rate m / (sqrt(v) + eps). `rate` is the bias-corrected step.
 */
function emitAdam(f: FunctionBuilder): void {
  const [p, g, m, v, count, rate, b1, b2, eps] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const vg = f.local(T.v128);
  const vm = f.local(T.v128);
  const vv = f.local(T.v128);
  const sg = f.local(T.f32);
  const sm = f.local(T.f32);
  const sv = f.local(T.f32);
  const at = (base: number, q: number) => f.i32.add(f.get(base), f.get(q));
  const s = (x: number) => f.f32x4.splat(f.get(x));
  const c1 = (x: number) => f.f32.sub(f.f32c(1), f.get(x));
  elementwise(
    f,
    count,
    (q) => {
      f.set(vg, f.v128.load(at(g, q)));
      f.set(vm, f.f32x4.add(f.f32x4.mul(s(b1), f.v128.load(at(m, q))), f.f32x4.mul(f.f32x4.splat(c1(b1)), f.get(vg))));
      f.set(vv, f.f32x4.add(f.f32x4.mul(s(b2), f.v128.load(at(v, q))), f.f32x4.mul(f.f32x4.splat(c1(b2)), f.f32x4.mul(f.get(vg), f.get(vg)))));
      f.v128.store(at(m, q), f.get(vm));
      f.v128.store(at(v, q), f.get(vv));
      f.v128.store(at(p, q), f.f32x4.sub(f.v128.load(at(p, q)), f.f32x4.div(f.f32x4.mul(s(rate), f.get(vm)), f.f32x4.add(f.f32x4.sqrt(f.get(vv)), s(eps)))));
    },
    (q) => {
      f.set(sg, f.f32.load(at(g, q)));
      f.set(sm, f.f32.add(f.f32.mul(f.get(b1), f.f32.load(at(m, q))), f.f32.mul(c1(b1), f.get(sg))));
      f.set(sv, f.f32.add(f.f32.mul(f.get(b2), f.f32.load(at(v, q))), f.f32.mul(c1(b2), f.f32.mul(f.get(sg), f.get(sg)))));
      f.f32.store(at(m, q), f.get(sm));
      f.f32.store(at(v, q), f.get(sv));
      f.f32.store(at(p, q), f.f32.sub(f.f32.load(at(p, q)), f.f32.div(f.f32.mul(f.get(rate), f.get(sm)), f.f32.add(f.f32.sqrt(f.get(sv)), f.get(eps)))));
    },
  );
}

/** add(dst, src, count): dst += src (the shards' gradients into one). */
function emitAdd(f: FunctionBuilder): void {
  const [dst, src, count] = [0, 1, 2];
  const at = (base: number, q: number) => f.i32.add(f.get(base), f.get(q));
  elementwise(
    f,
    count,
    (q) => f.v128.store(at(dst, q), f.f32x4.add(f.v128.load(at(dst, q)), f.v128.load(at(src, q)))),
    (q) => f.f32.store(at(dst, q), f.f32.add(f.f32.load(at(dst, q)), f.f32.load(at(src, q)))),
  );
}

/** sgd(p, g, count, rate): p -= rate g. */
function emitSgd(f: FunctionBuilder): void {
  const [p, g, count, rate] = [0, 1, 2, 3];
  const at = (base: number, q: number) => f.i32.add(f.get(base), f.get(q));
  elementwise(
    f,
    count,
    (q) => f.v128.store(at(p, q), f.f32x4.sub(f.v128.load(at(p, q)), f.f32x4.mul(f.f32x4.splat(f.get(rate)), f.v128.load(at(g, q))))),
    (q) => f.f32.store(at(p, q), f.f32.sub(f.f32.load(at(p, q)), f.f32.mul(f.get(rate), f.f32.load(at(g, q))))),
  );
}

/**
 * gram(x, y, w, rows, d, shift, blk, wblk, gram, dp, blockRows): accumulates, over `rows`
 * rows of x (d values each, f32 or f64 per `input`), y (f64) and weights w (f64; 0: all 1),
 * the lower triangle of the weighted Gram matrix of z = [x - shift[0..d), y - shift[d], 1]:
 *   gram[p * dp + q] += sum of w z_p z_q   (q <= p, in 4 x 4 tiles: a few entries above the
 *   diagonal are partial sums; callers read the lower triangle).
 * Row d + 1 (the ones) thus holds the weighted column sums, and its last entry the weight sum.
 * blk / wblk: scratch of blockRows x dp f64 (dp: d + 2 rounded up to 4; wblk unused when
 * w = 0), whose padding columns must be zero. All in f64, so the result is the float64 normal
 * equations' (the same arithmetic as numpy's X^T X, in a different order).
 */
function emitGram(f: FunctionBuilder, input: 'f32' | 'f64'): void {
  const [x, y, w, rows, d, shift, blk, wblk, gram, dp, blockRows] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const start = f.local(I);
  const m = f.local(I);
  const r = f.local(I);
  const j = f.local(I);
  const rowBytes = f.local(I);
  const px = f.local(I);
  const pz = f.local(I);
  const pw = f.local(I);
  const p0 = f.local(I);
  const q0 = f.local(I);
  const pu = f.local(I);
  const pv = f.local(I);
  const u = f.local(I);
  const wi = f.local(T.f64);
  const zv = f.local(T.f64);
  const acc = f.locals(T.v128, 8);
  const bv = f.locals(T.v128, 2);
  const av = f.local(T.v128);
  const wv = f.local(T.v128);
  const xBytes = input === 'f32' ? 2 : 3;
  const ofJ = (base: number, bytes: number) => f.i32.add(f.get(base), f.i32.shl(f.get(j), f.i32c(bytes)));
  f.set(rowBytes, f.i32.shl(f.get(dp), f.i32c(3)));
  f.set(start, f.i32c(0));
  f.block('done', () => {
    f.loop('block', () => {
      f.brIf('done', f.i32.geS(f.get(start), f.get(rows)));
      f.set(m, f.i32.sub(f.get(rows), f.get(start)));
      f.if(f.i32.gtS(f.get(m), f.get(blockRows)), () => f.set(m, f.get(blockRows)));
      // The block's rows shifted and widened to f64, two values at a time, then y and the 1;
      // and the weighted copy.
      f.forRange(r, () => f.i32c(0), () => f.get(m), 1, () => {
        f.set(px, f.i32.add(f.get(x), f.i32.shl(f.i32.mul(f.i32.add(f.get(start), f.get(r)), f.get(d)), f.i32c(xBytes))));
        f.set(pz, f.i32.add(f.get(blk), f.i32.mul(f.get(r), f.get(rowBytes))));
        f.set(pw, f.i32.add(f.get(wblk), f.i32.mul(f.get(r), f.get(rowBytes))));
        f.set(wi, f.f64c(1));
        f.if(f.get(w), () => f.set(wi, f.f64.load(f.i32.add(f.get(w), f.i32.shl(f.i32.add(f.get(start), f.get(r)), f.i32c(3))))));
        f.set(wv, f.f64x2.splat(f.get(wi)));
        f.set(j, f.i32c(0));
        f.block('pairs', () => {
          f.loop('pair', () => {
            f.brIf('pairs', f.i32.gtS(f.i32.add(f.get(j), f.i32c(2)), f.get(d)));
            f.set(av, f.f64x2.sub(input === 'f32' ? f.f64x2.promoteLow(f.v128.load64Zero(ofJ(px, 2))) : f.v128.load(ofJ(px, 3)), f.v128.load(ofJ(shift, 3))));
            f.v128.store(ofJ(pz, 3), f.get(av));
            f.if(f.get(w), () => f.v128.store(ofJ(pw, 3), f.f64x2.mul(f.get(av), f.get(wv))));
            f.set(j, f.i32.add(f.get(j), f.i32c(2)));
            f.br('pair');
          });
        });
        const scalar = (value: () => void) => {
          value();
          f.f64.store(ofJ(pz, 3), f.get(zv));
          f.if(f.get(w), () => f.f64.store(ofJ(pw, 3), f.f64.mul(f.get(zv), f.get(wi))));
          f.set(j, f.i32.add(f.get(j), f.i32c(1)));
        };
        // An odd d leaves one x value.
        f.if(f.i32.ltS(f.get(j), f.get(d)), () =>
          scalar(() => f.set(zv, f.f64.sub(input === 'f32' ? f.f64.promote(f.f32.load(ofJ(px, 2))) : f.f64.load(ofJ(px, 3)), f.f64.load(ofJ(shift, 3))))),
        );
        scalar(() => f.set(zv, f.f64.sub(f.f64.load(f.i32.add(f.get(y), f.i32.shl(f.i32.add(f.get(start), f.get(r)), f.i32c(3)))), f.f64.load(ofJ(shift, 3)))));
        scalar(() => f.set(zv, f.f64c(1)));
      });
      // Lower-triangle 4 x 4 tiles: 2 vector loads and 4 broadcasts per row for 16 multiply-adds.
      f.forRange(p0, () => f.i32c(0), () => f.get(dp), 4, () => {
        f.forRange(q0, () => f.i32c(0), () => f.i32.add(f.get(p0), f.i32c(1)), 4, () => {
          for (const a of acc) f.set(a, f.f64x2.splat(f.f64c(0)));
          f.set(pu, f.i32.add(f.select(f.get(wblk), f.get(blk), f.get(w)), f.i32.shl(f.get(p0), f.i32c(3))));
          f.set(pv, f.i32.add(f.get(blk), f.i32.shl(f.get(q0), f.i32c(3))));
          f.set(r, f.get(m));
          f.loop('rows', () => {
            f.set(bv[0], f.v128.load(f.get(pv)));
            f.set(bv[1], f.v128.load(f.get(pv), 16));
            for (let pp = 0; pp < 4; pp++) {
              f.set(av, f.f64x2.loadSplat(f.get(pu), 8 * pp));
              for (let v = 0; v < 2; v++) f.set(acc[pp * 2 + v], f.f64x2.add(f.get(acc[pp * 2 + v]), f.f64x2.mul(f.get(av), f.get(bv[v]))));
            }
            f.set(pu, f.i32.add(f.get(pu), f.get(rowBytes)));
            f.set(pv, f.i32.add(f.get(pv), f.get(rowBytes)));
            f.brIf('rows', f.tee(r, f.i32.sub(f.get(r), f.i32c(1))));
          });
          for (let pp = 0; pp < 4; pp++) {
            f.set(u, f.i32.add(f.get(gram), f.i32.shl(f.i32.add(f.i32.mul(f.i32.add(f.get(p0), f.i32c(pp)), f.get(dp)), f.get(q0)), f.i32c(3))));
            for (let v = 0; v < 2; v++) f.v128.store(f.get(u), f.f64x2.add(f.v128.load(f.get(u), 16 * v), f.get(acc[pp * 2 + v])), 16 * v);
          }
        });
      });
      f.set(start, f.i32.add(f.get(start), f.get(m)));
      f.br('block');
    });
  });
}

export interface KernelExports {
  gemm(a: number, sar: number, sat: number, b: number, ldb: number, c: number, ldc: number, m: number, n: number, k: number, bias: number, mask: number, ldm: number, flags: number): void;
  transpose(x: number, out: number, rows: number, cols: number): void;
  gather(src: number, order: number, count: number, d: number, dst: number, ldd: number): void;
  l2grad(p: number, g: number, count: number, l2: number): number;
  adam(p: number, g: number, m: number, v: number, count: number, rate: number, b1: number, b2: number, eps: number): void;
  sgd(p: number, g: number, count: number, rate: number): void;
  add(dst: number, src: number, count: number): void;
  gramF32(x: number, y: number, w: number, rows: number, d: number, shift: number, blk: number, wblk: number, gram: number, dp: number, blockRows: number): void;
  gramF64(x: number, y: number, w: number, rows: number, d: number, shift: number, blk: number, wblk: number, gram: number, dp: number, blockRows: number): void;
}

/** 4 GiB: the whole 32-bit address space, so a shared memory can grow to any size. */
export const MAX_PAGES = 65536;

const compiled = new Map<boolean, WebAssembly.Module>();

/** The kernels' module (compiled once per process), for a shared or an ordinary memory. */
export function kernelModule(shared: boolean): WebAssembly.Module {
  let mod = compiled.get(shared);
  if (!mod) {
    const b = new ModuleBuilder({ initialPages: 1, maximumPages: MAX_PAGES, shared });
    b.function('gemm', Array<T>(14).fill(I), [], emitGemm);
    b.function('transpose', [I, I, I, I], [], emitTranspose);
    b.function('gather', [I, I, I, I, I, I], [], emitGather);
    b.function('l2grad', [I, I, I, T.f32], [T.f32], emitL2Grad);
    b.function('adam', [I, I, I, I, I, T.f32, T.f32, T.f32, T.f32], [], emitAdam);
    b.function('sgd', [I, I, I, T.f32], [], emitSgd);
    b.function('add', [I, I, I], [], emitAdd);
    b.function('gramF32', Array<T>(11).fill(I), [], (f) => emitGram(f, 'f32'));
    b.function('gramF64', Array<T>(11).fill(I), [], (f) => emitGram(f, 'f64'));
    mod = new WebAssembly.Module(b.encode());
    compiled.set(shared, mod);
  }
  return mod;
}

/** Whether this runtime has WebAssembly with SIMD (the kernels need it). */
export function simdAvailable(): boolean {
  try {
    return typeof WebAssembly === 'object' && kernelModule(false) instanceof WebAssembly.Module;
  } catch {
    return false;
  }
}

/**
 * A memory with the kernels instantiated on it and a bump allocator. Offsets are bytes; every
 * allocation is 16-byte aligned and followed by 16 bytes of slack (see the file comment).
 */
export class DenseHeap {
  readonly kernels: KernelExports;
  private top: number;

  constructor(
    readonly memory: WebAssembly.Memory,
    /**
     * The compiled kernels; default: this thread's. Worker threads get the main thread's
     * module, so they run its optimised code from their first step (V8 compiles WebAssembly
     * quickly, then optimises the functions that run a lot: a worker with its own module would
     * run slowly until its own functions had run a lot).
     */
    module?: WebAssembly.Module,
    private readonly limit = MAX_PAGES * 65536,
  ) {
    const shared = memory.buffer instanceof SharedArrayBuffer;
    const instance = new WebAssembly.Instance(module ?? kernelModule(shared), { env: { memory } });
    this.kernels = instance.exports as unknown as KernelExports;
    this.top = 16;
  }

  static create(shared = false): DenseHeap {
    return new DenseHeap(new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared }));
  }

  /** Bytes allocated so far (the next allocation's offset). */
  get used(): number {
    return this.top;
  }

  alloc(bytes: number): number {
    const at = this.top;
    const end = at + ((bytes + 16 + 15) & ~15);
    if (end > this.limit) throw new Error(`the training kernels' memory is full (${Math.round(end / 2 ** 20)} MiB needed)`);
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / 65536));
    this.top = end;
    return at;
  }

  allocF32(count: number): number {
    return this.alloc(count * 4);
  }

  /** A view of `count` floats at `offset` (take views after any allocation: growing detaches them). */
  f32(offset: number, count: number): Float32Array {
    return new Float32Array(this.memory.buffer, offset, count);
  }

  f64(offset: number, count: number): Float64Array {
    return new Float64Array(this.memory.buffer, offset, count);
  }
}
