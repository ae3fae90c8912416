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
 * Layout and the per-shard gradient: denseStep.ts.
 *
 * The work of one step on a batch splits by rows: DenseStep computes the gradient summed over
 * a slice of the batch (a shard) into its own gradient block, and FusedDenseTrainer adds the
 * shards' blocks and applies the update. With worker threads (parallel/), each thread runs a
 * DenseStep on its shard over one shared memory; the result equals one thread's up to the
 * order of the float additions.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, adamRate, adamUpdate } from './adam';
import { allocShard, DenseStep, planNetwork, type FusedData, type NetPlan, type SharedLayout, type ShardLayout } from './denseStep';
import { DenseHeap, kernelModule } from './kernels/denseKernels';
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
