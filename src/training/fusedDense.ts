/**
 * The training step of a dense network (trunk + heads) on our own WebAssembly SIMD kernels
 * (kernels/denseKernels.ts), with no tfjs-core op in between: gather of the batch's rows,
 * forward, the per-head masked losses, backward and the optimizer update.
 *
 * It computes what the generic loop in trainLoop.ts computes through tfjs's autodiff (same
 * losses, masks, head weights, L2, Adam/SGD formulas; test/unit/training/fused.test.ts checks
 * the two against each other) several times faster for the small networks this tool trains:
 * tfjs-core's per-op overhead, then the WASM backend's operand packing and transposes,
 * dominated those steps (bench/RESULTS.md).
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
 *
 * The work of one step on a batch splits by rows: DenseStep computes the gradient summed over
 * a slice of the batch (a shard) into its own gradient block, and FusedDenseTrainer adds the
 * shards' blocks and applies the update. With worker threads (parallel/), each thread runs a
 * DenseStep on its shard over one shared memory; the result equals one thread's up to the
 * order of the float additions.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, adamRate, adamUpdate } from './adam';
import type { Activation } from './experiment';
import { DenseHeap, Gemm, kernelModule, type KernelExports } from './kernels/denseKernels';
import type { Network } from './network';
import { Control, controlBytes, type WorkerSetup } from './parallel/control';
import { GradientPool, gradientWorkerScript, type Shard, type ShardResult } from './parallel/gradientPool';

export interface FusedOptions {
  readonly batchSize: number;
  readonly optimizer: 'adam' | 'sgd';
  readonly learningRate: number;
  readonly l2: number;
  /** Learn one log-variance per head (uncertainty weighting, Kendall et al.). */
  readonly uncertainty: boolean;
  readonly seed: number;
  /** Threads computing each step's gradient (1: this thread only). */
  readonly threads?: number;
}

export interface FusedStepResult {
  /** The objective of the step (weighted head losses plus the L2 term), as the generic loop reports it. */
  readonly loss: number;
  /** Per head: its masked mean loss, or null when no row of the batch has its label. */
  readonly values: (number | null)[];
  /** Per head: the sum of the batch's sample weights. */
  readonly weightSums: number[];
}

/** The rows the trainer learns from (the same shape as trainLoop's LoopData). */
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
export class FusedDenseTrainer {
  readonly plan: NetPlan;
  private readonly heap: DenseHeap;
  private readonly layout: SharedLayout;
  private readonly local: DenseStep;
  /** Scratch of the worker threads (shards 1..), empty on one thread. */
  private readonly shardLayouts: ShardLayout[] = [];
  /** The same step on each worker's buffers, for shards this thread takes over. */
  private readonly workerSteps: DenseStep[] = [];
  /** ... and on spare buffers per worker, for shards of a worker that may still be writing its own. */
  private readonly spareLayouts: ShardLayout[] = [];
  private readonly spareSteps: DenseStep[] = [];
  private pool: GradientPool | null = null;
  private readonly m: number;
  private readonly v: number;
  private readonly wVars: tfjs.Variable[];
  private readonly bVars: tfjs.Variable[];
  private order = 0;
  private orderCapacity = 0;
  private orderSource: Int32Array | null = null;
  private t = 0;
  /** Uncertainty weighting: log-variances and their optimizer state. */
  readonly logVars: Float32Array;
  private readonly mS: Float32Array;
  private readonly vS: Float32Array;

  constructor(
    net: Network,
    private readonly data: FusedData,
    private readonly o: FusedOptions,
  ) {
    this.plan = planNetwork(net, o.batchSize, o.seed);
    const plan = this.plan;
    let threads = Math.max(1, o.threads ?? 1);
    let heap: DenseHeap;
    try {
      heap = DenseHeap.create(threads > 1);
    } catch (e) {
      // A runtime without shared WebAssembly memory (SharedArrayBuffer disabled) trains on one thread.
      if (threads === 1) throw e;
      threads = 1;
      heap = DenseHeap.create(false);
    }
    this.heap = heap;
    const heads = plan.heads.length;
    this.logVars = new Float32Array(heads);
    this.mS = new Float32Array(heads);
    this.vS = new Float32Array(heads);
    const params = heap.allocF32(plan.params);
    const wt = plan.layers.map((l) => (l.input >= 0 ? heap.allocF32(l.n * l.k) : 0));
    this.m = heap.allocF32(plan.params);
    this.v = heap.allocF32(plan.params);
    const dataAt = heap.allocF32(data.n * data.d);
    const labels = plan.heads.map(() => heap.allocF32(data.n));
    const weights = plan.heads.map(() => heap.allocF32(data.n));
    heap.f32(dataAt, data.n * data.d).set(data.x.subarray(0, data.n * data.d));
    plan.heads.forEach((_, h) => {
      heap.f32(labels[h], data.n).set(data.labels[h].subarray(0, data.n));
      heap.f32(weights[h], data.n).set(data.weights[h].subarray(0, data.n));
    });
    this.layout = { params, wt, data: dataAt, rows: data.n, labels, weights };
    this.local = new DenseStep(heap, plan, this.layout, allocShard(heap, plan));
    let control: Control | null = null;
    if (threads > 1) {
      for (let w = 1; w < threads; w++) this.shardLayouts.push(allocShard(heap, plan));
      for (const shard of this.shardLayouts) this.workerSteps.push(new DenseStep(heap, plan, this.layout, shard));
      for (let w = 1; w < threads; w++) this.spareLayouts.push(allocShard(heap, plan));
      for (const shard of this.spareLayouts) this.spareSteps.push(new DenseStep(heap, plan, this.layout, shard));
      const layout = { at: heap.alloc(controlBytes(heads, threads - 1)), heads, workers: threads - 1 };
      control = new Control(heap.memory.buffer as SharedArrayBuffer, layout);
    }
    const dense = [...net.trunk, ...(net.out ? [net.out] : []), ...net.heads.flat()];
    this.wVars = dense.map((d) => d.w);
    this.bVars = dense.map((d) => d.b);
    const p = heap.f32(params, plan.params);
    plan.layers.forEach((l, i) => {
      p.set(this.wVars[i].dataSync() as Float32Array, l.at);
      p.set(this.bVars[i].dataSync() as Float32Array, l.at + l.k * l.n);
    });
    this.transposeWeights();
    // Last, once the memory holds everything the threads read.
    if (control) this.startWorkers(control);
  }

  private startWorkers(control: Control): void {
    const script = gradientWorkerScript();
    if (!script) throw new Error('the gradient worker script (gradientWorker.js) is missing next to the bundle');
    const warmupRows = Math.min(this.layout.rows, Math.ceil(this.plan.batch / (this.shardLayouts.length + 1)));
    const warmupOrder = this.heap.alloc(warmupRows * 4);
    new Int32Array(this.heap.memory.buffer, warmupOrder, warmupRows).forEach((_, i, a) => (a[i] = i));
    const setups: WorkerSetup[] = this.shardLayouts.map((shard, w) => ({ index: w + 1, memory: this.heap.memory, module: kernelModule(true), plan: this.plan, shared: this.layout, shard, control: control.layout, warmupOrder, warmupRows }));
    this.pool = new GradientPool(script, setups, control);
  }

  /** Worker shards computed by the worker threads, and taken over by this thread (late or not yet started workers). */
  get workerShards(): { byWorkers: number; takenOver: number; overtaken: number; pausedSteps: number } {
    return { ...(this.pool?.shards ?? { byWorkers: 0, takenOver: 0, overtaken: 0, pausedSteps: 0 }) };
  }

  /** Threads computing each step (this one included). */
  get threads(): number {
    return 1 + (this.pool?.size ?? 0);
  }

  private transposeWeights(): void {
    this.plan.layers.forEach((l, i) => {
      if (this.layout.wt[i]) this.heap.kernels.transpose(this.layout.params + l.at * 4, this.layout.wt[i], l.k, l.n);
    });
  }

  /** Copies the current weights into the network's tfjs variables (before evaluating or saving). */
  sync(tf: typeof import('@tensorflow/tfjs')): void {
    const p = this.heap.f32(this.layout.params, this.plan.params);
    this.plan.layers.forEach((l, i) => {
      const w = tf.tensor2d(p.slice(l.at, l.at + l.k * l.n), [l.k, l.n]);
      const b = tf.tensor1d(p.slice(l.at + l.k * l.n, l.at + (l.k + 1) * l.n));
      this.wVars[i].assign(w);
      this.bVars[i].assign(b);
      w.dispose();
      b.dispose();
    });
  }

  /** The epoch's row order, in the memory (copied when a new order array arrives). */
  private orderIn(order: Int32Array): number {
    if (order !== this.orderSource) {
      if (order.length > this.orderCapacity) {
        this.orderCapacity = order.length;
        this.order = this.heap.alloc(order.length * 4);
      }
      new Int32Array(this.heap.memory.buffer, this.order, order.length).set(order);
      this.orderSource = order;
    }
    return this.order;
  }

  /**
   * One optimizer step on rows order[start..end). `coefficients[h]` scales head h's loss
   * (static or DWA weights); ignored with uncertainty weighting, which uses exp(-s_h) / 2.
   */
  step(order: Int32Array, start: number, end: number, coefficients: readonly number[]): FusedStepResult {
    const at = this.orderIn(order);
    const weightSums = this.plan.heads.map((_, h) => {
      const ws = this.data.weights[h];
      let s = 0;
      for (let i = start; i < end; i++) s += ws[order[i]];
      return s;
    });
    this.t++;
    const coef = weightSums.map((sw, h) => (!(sw > 0) ? 0 : this.o.uncertainty ? 0.5 * Math.exp(-this.logVars[h]) : coefficients[h]));
    const inputs = { coef, weightSums, step: this.t };
    if (!this.pool || this.pool.takePausedStep()) return this.finish(this.local.gradient(at + start * 4, start, end - start, inputs), null, weightSums, coefficients);
    // Contiguous shards, this thread first; the split depends only on the batch size.
    const count = end - start;
    const threads = this.threads;
    const bounds = Array.from({ length: threads + 1 }, (_, i) => start + Math.round((count * i) / threads));
    const shards: Shard[] = bounds.slice(1, -1).map((s, w) => ({ order: at + s * 4, position: s, count: bounds[w + 2] - s }));
    let mine: Float64Array = new Float64Array(0);
    const others = this.pool.run(
      this.t,
      coef,
      weightSums,
      shards,
      () => {
        mine = this.local.gradient(at + start * 4, start, bounds[1] - start, inputs);
      },
      (w, spare) => (spare ? this.spareSteps : this.workerSteps)[w - 1].gradient(shards[w - 1].order, shards[w - 1].position, shards[w - 1].count, inputs),
    );
    return this.finish(mine, others, weightSums, coefficients);
  }

  /** Sums the shards' losses and gradients (others: the worker shards', null when this thread did the whole batch), then updates. */
  private finish(mine: Float64Array, others: readonly ShardResult[] | null, weightSums: number[], coefficients: readonly number[]): FusedStepResult {
    const heads = this.plan.heads.length;
    const grads = this.local.shard.grads;
    others?.forEach((r, w) => this.heap.kernels.add(grads, (r.spare ? this.spareLayouts : this.shardLayouts)[w].grads, this.plan.params));
    const values: (number | null)[] = weightSums.map((sw, h) => (sw > 0 ? (others ?? []).reduce((s, o) => s + o.losses[h], mine[h]) : null));
    let loss = 0;
    for (let h = 0; h < heads; h++) {
      const value = values[h];
      if (value === null) continue;
      loss += this.o.uncertainty ? 0.5 * Math.exp(-this.logVars[h]) * value + 0.5 * this.logVars[h] : coefficients[h] * value;
    }
    loss += this.update(grads);
    if (this.o.uncertainty) {
      const g = new Float32Array(heads);
      for (let h = 0; h < heads; h++) {
        const value = values[h];
        if (value !== null) g[h] = 0.5 - 0.5 * Math.exp(-this.logVars[h]) * value;
      }
      this.updateVector(this.logVars, g, this.mS, this.vS);
    }
    return { loss, values, weightSums };
  }

  /** Optimizer step from the gradient at `grads`; returns the L2 term of the objective (on the weights before the step). */
  private update(grads: number): number {
    const K = this.heap.kernels;
    const { learningRate: lr, l2 } = this.o;
    const params = this.layout.params;
    let squares = 0;
    if (l2 > 0) for (const l of this.plan.layers) squares += K.l2grad(params + l.at * 4, grads + l.at * 4, l.k * l.n, l2);
    if (this.o.optimizer === 'adam') K.adam(params, grads, this.m, this.v, this.plan.params, adamRate(lr, this.t), ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
    else K.sgd(params, grads, this.plan.params, lr);
    this.transposeWeights();
    return 0.5 * l2 * squares;
  }

  private updateVector(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array): void {
    const lr = this.o.learningRate;
    if (this.o.optimizer !== 'adam') {
      for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
      return;
    }
    adamUpdate(p, g, m, v, adamRate(lr, this.t));
  }

  /** Throws if a worker thread failed or ended (call once training is over: failures are otherwise seen at the next step). */
  checkWorkers(): void {
    this.pool?.check();
  }

  /** Stops the worker threads (if any) and waits for them to end. */
  async dispose(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }
}

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
