/**
 * One shard's gradient of a dense network's training step (trunk + heads) on our own
 * WebAssembly SIMD kernels (kernels/denseKernels.ts): the network's plan and memory layout, and
 * DenseStep, which gathers a slice of the batch's rows, runs forward, the per-head masked losses
 * and backward, and leaves the slice's summed gradient in its own block. The main thread
 * (fusedDense.ts) and every gradient worker (parallel/workerLoop.ts) run the same DenseStep.
 *
 * Layout (all in one WebAssembly memory, byte offsets):
 * - Every layer's parameters are one block, W (k x n) then the bias row (n); its gradient
 *   block has the same layout; all blocks are contiguous, so the optimizer is one call.
 * - Each layer's output rows (and the gathered input rows) carry a column of ones after the
 *   n values (row stride `ld` = n + 1 rounded up to 4). The weight gradient is then one
 *   product, [A_in 1]^T . dZ, read in place through strides: its first k rows are dW, its last
 *   the bias gradient, exactly the parameter block's layout.
 * - A hidden ReLU layer (without dropout) gets its dZ straight from its consumers' input
 *   gradients, dZ . W^T, with the derivative (A > 0) applied as a mask in the same kernel.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { Activation } from './experiment';
import { DenseHeap, Gemm, type KernelExports } from './kernels/denseKernels';
import type { Network } from './network';

export interface FusedData {
  readonly x: Float32Array;
  readonly n: number;
  readonly d: number;
  readonly labels: readonly Float32Array[];
  readonly weights: readonly Float32Array[];
}

export interface LayerPlan {
  readonly k: number;
  readonly n: number;
  readonly act: Activation | 'linear';
  /** Index of the layer feeding this one; -1: the batch's features. */
  readonly input: number;
  /** Layers reading this one's output, ascending. */
  readonly consumers: readonly number[];
  /** First float of this layer's block in the parameter / gradient vectors. */
  readonly at: number;
  /** Row stride (floats) of its output buffer: n values, a 1, padding to a multiple of 4. */
  readonly ld: number;
  /** Its dZ comes from its consumers' input-gradient products with the ReLU mask fused. */
  readonly fusedRelu: boolean;
}

export interface HeadPlan {
  readonly layer: number;
  readonly offset: number;
  readonly units: number;
  readonly task: 'classification' | 'regression';
}

/** The network's shape as the kernels see it: plain data, so it can be sent to worker threads. */
export interface NetPlan {
  readonly d: number;
  readonly ldX: number;
  readonly batch: number;
  readonly layers: readonly LayerPlan[];
  readonly heads: readonly HeadPlan[];
  readonly outputLayers: readonly number[];
  readonly params: number;
  readonly dropout: number;
  readonly seed: number;
}

/** What every thread reads (byte offsets in the memory). */
export interface SharedLayout {
  readonly params: number;
  /** Per layer: W^T (n x k), or 0 for layers reading the features (no input gradient). */
  readonly wt: readonly number[];
  /** The training rows: n x d features, then per head n labels and n weights. */
  readonly data: number;
  readonly rows: number;
  readonly labels: readonly number[];
  readonly weights: readonly number[];
}

/** One thread's scratch (byte offsets). */
export interface ShardLayout {
  readonly x: number;
  readonly outs: readonly number[];
  readonly dz: readonly number[];
  /** Per layer: the summed input gradient of its consumers when its dZ is not fused; else 0. */
  readonly dA: readonly number[];
  readonly grads: number;
}

/** Per step, what every shard needs besides its rows. */
export interface StepInputs {
  /** Per head: the coefficient of its loss in the objective (0: no row of the batch has its label). */
  readonly coef: ArrayLike<number>;
  /** Per head: the whole batch's weight sum (each row's loss is weighted w / sum). */
  readonly weightSums: ArrayLike<number>;
  /** The step number (1-based), which keys the dropout masks. */
  readonly step: number;
}

const align4 = (v: number) => (v + 3) & ~3;

export function planNetwork(net: Network, batch: number, seed: number): NetPlan {
  const spec = net.spec;
  const dense: { w: tfjs.Variable; input: number; act: Activation | 'linear' }[] = [];
  let prev = -1;
  for (const d of net.trunk) {
    dense.push({ w: d.w, input: prev, act: spec.activation });
    prev = dense.length - 1;
  }
  const trunkOut = prev;
  const headLayer: number[] = [];
  if (net.out) {
    dense.push({ w: net.out.w, input: trunkOut, act: 'linear' });
    spec.heads.forEach(() => headLayer.push(dense.length - 1));
  } else {
    for (const layers of net.heads) {
      let z = trunkOut;
      layers.forEach((d, i) => {
        dense.push({ w: d.w, input: z, act: i === layers.length - 1 ? 'linear' : spec.activation });
        z = dense.length - 1;
      });
      headLayer.push(z);
    }
  }
  let at = 0;
  const layers: LayerPlan[] = dense.map((p, li) => {
    const [k, n] = p.w.shape as [number, number];
    const layer: LayerPlan = {
      k,
      n,
      act: p.act,
      input: p.input,
      consumers: dense.flatMap((q, qi) => (q.input === li ? [qi] : [])),
      at,
      ld: align4(n + 1),
      fusedRelu: p.act === 'relu' && spec.dropout === 0,
    };
    at += (k + 1) * n;
    return layer;
  });
  const heads = spec.heads.map((h, k) => ({ layer: headLayer[k], offset: net.out ? net.offsets[k] : 0, units: h.units, task: h.task }));
  return { d: spec.inputs, ldX: align4(spec.inputs + 1), batch, layers, heads, outputLayers: [...new Set(headLayer)], params: at, dropout: spec.dropout, seed };
}

/** Allocates one thread's scratch in `heap` and sets the ones columns. */
export function allocShard(heap: DenseHeap, plan: NetPlan): ShardLayout {
  const B = plan.batch;
  const x = heap.allocF32(B * plan.ldX);
  const outs = plan.layers.map((l) => heap.allocF32(B * l.ld));
  const dz = plan.layers.map((l) => heap.allocF32(B * l.n));
  const dA = plan.layers.map((l) => (l.consumers.length > 0 && !l.fusedRelu ? heap.allocF32(B * l.n) : 0));
  const grads = heap.allocF32(plan.params);
  const ones = (at: number, ld: number, col: number) => {
    const v = heap.f32(at, B * ld);
    for (let r = 0; r < B; r++) v[r * ld + col] = 1;
  };
  ones(x, plan.ldX, plan.d);
  plan.layers.forEach((l, i) => ones(outs[i], l.ld, l.n));
  return { x, outs, dz, dA, grads };
}

/** murmur3's finaliser: a well-mixed 32-bit hash (the dropout masks are keyed, not streamed, so shards agree). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The gradient of a slice of a batch, on one thread's buffers. */
export class DenseStep {
  private readonly k: KernelExports;
  private readonly dropMasks: (Float32Array | null)[];

  constructor(
    private readonly heap: DenseHeap,
    private readonly plan: NetPlan,
    private readonly shared: SharedLayout,
    readonly shard: ShardLayout,
  ) {
    this.k = heap.kernels;
    this.dropMasks = plan.layers.map((l) => (plan.dropout > 0 && l.act !== 'linear' ? new Float32Array(plan.batch * l.n) : null));
  }

  /**
   * Gradient (into shard.grads) of the objective over the `count` rows whose indices are the
   * i32s at `order` (bytes), which start at position `position` of the epoch's order (it keys
   * the dropout masks). Returns per head the shard's part of the masked mean loss.
   */
  gradient(order: number, position: number, count: number, s: StepInputs): Float64Array {
    const K = this.k;
    const p = this.plan;
    const sh = this.shard;
    const losses = new Float64Array(p.heads.length);
    if (count === 0) {
      this.heap.f32(sh.grads, p.params).fill(0);
      return losses;
    }
    K.gather(this.shared.data, order, count, p.d, sh.x, p.ldX * 4);
    p.layers.forEach((l, li) => {
      const input = l.input < 0 ? sh.x : sh.outs[l.input];
      const ldIn = l.input < 0 ? p.ldX : p.layers[l.input].ld;
      const w = this.shared.params + l.at * 4;
      K.gemm(input, ldIn * 4, 4, w, l.n * 4, sh.outs[li], l.ld * 4, count, l.n, l.k, w + l.k * l.n * 4, 0, 0, l.act === 'relu' ? Gemm.Relu : 0);
      if (l.act !== 'relu' && l.act !== 'linear') activate(this.heap.f32(sh.outs[li], count * l.ld), count, l.n, l.ld, l.act);
      const mask = this.dropMasks[li];
      if (mask) this.dropout(mask, this.heap.f32(sh.outs[li], count * l.ld), count, l, li, position, s.step);
    });
    for (const li of p.outputLayers) this.heap.f32(sh.dz[li], count * p.layers[li].n).fill(0);
    const rows = new Int32Array(this.heap.memory.buffer, order, count);
    p.heads.forEach((h, hi) => {
      if (s.weightSums[hi] > 0) losses[hi] = this.headLoss(h, hi, rows, count, s.weightSums[hi], s.coef[hi]);
    });
    for (let li = p.layers.length - 1; li >= 0; li--) {
      const l = p.layers[li];
      if (l.consumers.length > 0 && !l.fusedRelu) this.hiddenGrad(l, li, count);
      const input = l.input < 0 ? sh.x : sh.outs[l.input];
      const ldIn = l.input < 0 ? p.ldX : p.layers[l.input].ld;
      // [A_in 1]^T . dZ: dW then the bias gradient (the input's ones column), in the block's layout.
      K.gemm(input, 4, ldIn * 4, sh.dz[li], l.n * 4, sh.grads + l.at * 4, l.n * 4, l.k + 1, l.n, count, 0, 0, 0, 0);
      if (l.input >= 0) {
        const target = p.layers[l.input];
        const first = target.consumers[target.consumers.length - 1] === li;
        const dst = target.fusedRelu ? sh.dz[l.input] : sh.dA[l.input];
        const mask = target.fusedRelu ? sh.outs[l.input] : 0;
        K.gemm(sh.dz[li], l.n * 4, 4, this.shared.wt[li], l.k * 4, dst, target.n * 4, count, l.k, l.n, 0, mask, target.ld * 4, first ? 0 : Gemm.Accumulate);
      }
    }
    return losses;
  }

  /** Masked, weighted loss of one head over the shard's rows (each row weighted w / sw); writes coef * dLoss/dZ. */
  private headLoss(h: HeadPlan, hi: number, rows: Int32Array, count: number, sw: number, coef: number): number {
    const l = this.plan.layers[h.layer];
    const ld = l.ld;
    const n = l.n;
    const z = this.heap.f32(this.shard.outs[h.layer], count * ld);
    const dz = this.heap.f32(this.shard.dz[h.layer], count * n);
    const ys = this.heap.f32(this.shared.labels[hi], this.shared.rows);
    const ws = this.heap.f32(this.shared.weights[hi], this.shared.rows);
    const units = h.units;
    const off = h.offset;
    let loss = 0;
    for (let i = 0; i < count; i++) {
      const row = rows[i];
      const wi = ws[row] / sw;
      if (wi === 0) continue;
      const o = i * ld + off;
      const g = i * n + off;
      if (h.task === 'classification') {
        let max = -Infinity;
        for (let c = 0; c < units; c++) if (z[o + c] > max) max = z[o + c];
        let sum = 0;
        for (let c = 0; c < units; c++) {
          const e = Math.exp(z[o + c] - max);
          dz[g + c] = e;
          sum += e;
        }
        const yi = ys[row];
        loss -= wi * (z[o + yi] - max - Math.log(sum));
        const scale = (coef * wi) / sum;
        for (let c = 0; c < units; c++) dz[g + c] *= scale;
        dz[g + yi] -= coef * wi;
      } else {
        const e = z[o] - ys[row];
        loss += wi * e * e;
        dz[g] = coef * 2 * wi * e;
      }
    }
    return loss;
  }

  /** dZ = dA * act'(A) (* the dropout scale), for layers whose dZ is not fused into their consumers' products. */
  private hiddenGrad(l: LayerPlan, li: number, count: number): void {
    const n = l.n;
    const ld = l.ld;
    const a = this.heap.f32(this.shard.outs[li], count * ld);
    const up = this.heap.f32(this.shard.dA[li], count * n);
    const dz = this.heap.f32(this.shard.dz[li], count * n);
    const mask = this.dropMasks[li];
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < n; c++) {
        const q = i * n + c;
        let g = up[q];
        let v = a[i * ld + c];
        if (mask) {
          // Only kept units pass gradient, scaled as in the forward pass; the derivative needs
          // the activation before that scale.
          const s = mask[q];
          if (s === 0) {
            dz[q] = 0;
            continue;
          }
          g *= s;
          v /= s;
        }
        switch (l.act) {
          case 'relu':
            if (!(v > 0)) g = 0;
            break;
          case 'tanh':
            g *= 1 - v * v;
            break;
          case 'sigmoid':
            g *= v * (1 - v);
            break;
          case 'elu':
            if (!(v > 0)) g *= v + 1;
            break;
        }
        dz[q] = g;
      }
    }
  }

  /**
   * Inverted dropout on a hidden layer's output. Each unit's keep/drop is a hash of (seed,
   * step, layer, the row's position in the epoch, unit), so any split of the batch into shards
   * draws the same masks.
   */
  private dropout(mask: Float32Array, a: Float32Array, count: number, l: LayerPlan, li: number, position: number, step: number): void {
    const p = this.plan.dropout;
    const scale = 1 / (1 - p);
    const base = mix(mix(this.plan.seed ^ 0x2545f491) ^ Math.imul(step, 0x9e3779b1)) ^ Math.imul(li + 1, 0x27d4eb2f);
    for (let i = 0; i < count; i++) {
      const rowKey = mix(base ^ Math.imul(position + i + 1, 0x165667b1));
      for (let c = 0; c < l.n; c++) {
        const u = mix(rowKey ^ Math.imul(c + 1, 0xd3a2646c)) / 4294967296;
        const m = u >= p ? scale : 0;
        mask[i * l.n + c] = m;
        a[i * l.ld + c] *= m;
      }
    }
  }
}

/** One process's trainer: the parameters, the optimizer state, the data, and the step on one or more threads. */

/** A hidden layer's activation (other than ReLU, which the product applies) over its n columns. */
function activate(a: Float32Array, rows: number, n: number, ld: number, act: Activation): void {
  for (let r = 0; r < rows; r++) {
    const o = r * ld;
    for (let i = o; i < o + n; i++) {
      switch (act) {
        case 'tanh':
          a[i] = Math.tanh(a[i]);
          break;
        case 'sigmoid':
          a[i] = 1 / (1 + Math.exp(-a[i]));
          break;
        case 'elu':
          if (a[i] < 0) a[i] = Math.exp(a[i]) - 1;
          break;
        case 'relu':
          if (a[i] < 0) a[i] = 0;
          break;
      }
    }
  }
}
