/**
 * The custom training loop: optimizer.minimize over per-head MASKED losses (a row counts only
 * for the heads it has a label for, scaled by its sample weight), weighted statically, by
 * uncertainty (Kendall et al.) or by DWA; early stopping on validation loss with
 * restore-best-weights; cooperative cancellation between batches.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { adamRate, adamUpdate } from './adam';
import type { TF } from './backend';
import type { TrainingSpec, Weighting } from './experiment';
import { FusedDenseTrainer } from './fusedDense';
import { simdAvailable } from './kernels/denseKernels';
import { plannedThreads } from './parallel/threads';
import type { Network } from './network';
import { Rng } from '../core/random';

/** Rows for one model: features plus, per head, a label and a weight (0 = no label: masked). */
export interface LoopData {
  readonly x: Float32Array;
  readonly n: number;
  readonly d: number;
  /** Per head: class index or standardised target, per row. */
  readonly labels: readonly Float32Array[];
  /** Per head: sample weight per row; 0 masks the row out of that head's loss. */
  readonly weights: readonly Float32Array[];
}

export interface LoopProgress {
  readonly epoch: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly samplesPerSecond: number;
}

export interface LoopEpoch {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number | null;
  readonly headTrainLoss: number[];
  readonly headValLoss: (number | null)[];
  readonly headWeight: number[];
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

export interface LoopHooks {
  onProgress?(p: LoopProgress): void;
  /** After each finished epoch (weights are those of this epoch). */
  onEpoch?(e: LoopEpoch): void | Promise<void>;
  isCancelled?(): boolean;
}

export interface LoopOptions {
  readonly network: Network;
  readonly train: LoopData;
  readonly validation: LoopData | null;
  readonly training: TrainingSpec;
  readonly l2: number;
  readonly weighting: Weighting;
  /** Static weight per head (also used to combine validation losses). */
  readonly staticWeights: readonly number[];
  readonly dwaTemperature: number;
  /** Row order for one epoch (may repeat or skip rows: batch mixing and balancing live here). */
  readonly schedule: (epoch: number, rng: Rng) => Int32Array;
  readonly hooks?: LoopHooks;
  /**
   * 'auto' (default): the fused WASM step when it applies; 'tfjs': always tfjs ops and autodiff.
   * DATASET_LAB_FUSED=0 in the environment forces 'tfjs' too.
   */
  readonly stepper?: 'auto' | 'tfjs';
  /**
   * Threads for the fused step's gradients; default: plannedThreads (every core, when the
   * batches and the data are large enough; DATASET_LAB_THREADS caps it).
   */
  readonly threads?: number;
}

export interface LoopResult {
  /** How steps ran: fused on the WASM backend's kernels, or through tfjs ops and autodiff. */
  readonly stepper: 'fused-wasm' | 'tfjs';
  /** Threads that computed the gradients (1 with the tfjs loop). */
  readonly threads: number;
  /**
   * With threads > 1: worker shards computed by the workers; by the main thread because no
   * worker claimed them in time (not started yet, asleep, or not scheduled); again by the main
   * thread because the worker that claimed them was late; steps with the workers paused
   * because they were not getting a core.
   */
  readonly workerShards: { readonly byWorkers: number; readonly takenOver: number; readonly overtaken: number; readonly pausedSteps: number };
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly bestValLoss: number;
  readonly cancelled: boolean;
  readonly history: LoopEpoch[];
}

/** How training diverged: a NaN/infinite loss, a loss far above its start, exploding weights, validation R2 far below 0. */
export type DivergenceKind = 'nan' | 'loss' | 'weights' | 'r2';

/**
 * Thresholds for divergence without NaN. Healthy training never comes near them: losses start
 * near 1 (standardised regression targets, cross-entropy of a few classes) and fall; weights of
 * these small networks on scaled inputs stay in the tens; a model that predicts the mean scores
 * an R2 of 0.
 */
export const DIVERGENCE = {
  /** An epoch's mean training loss above this many times the first batch's loss. */
  lossRise: 100,
  /** Any weight or bias larger than this in absolute value. */
  maxWeight: 1e5,
  /** A validation (or, without validation rows, test) R2 below this. */
  minR2: -100,
} as const;

const num = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toPrecision(3));

/** Training diverged: the run marks the arm diverged (with the epoch and this message) and leaves it out of comparisons. */
export class DivergedError extends Error {
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly kind: DivergenceKind = 'nan',
    detail?: string,
  ) {
    super(`${detail ?? `the loss became NaN/infinite at epoch ${epoch}, batch ${batch}`}; lower training.learningRate`);
    this.name = 'DivergedError';
  }

  static lossRise(epoch: number, loss: number, start: number, lr: number): DivergedError {
    return new DivergedError(epoch, 0, 'loss', `the training loss rose to ${num(loss)} at epoch ${epoch}, more than ${DIVERGENCE.lossRise} times its start (${num(start)}), with learning rate ${lr}`);
  }

  static weights(epoch: number, largest: number, lr: number): DivergedError {
    return new DivergedError(epoch, 0, 'weights', `a weight reached ${num(largest)} at epoch ${epoch} (exploding weights), with learning rate ${lr}`);
  }

  static r2(epoch: number, source: string, r2: number, where: 'validation' | 'test'): DivergedError {
    return new DivergedError(epoch, 0, 'r2', `the ${where} R2 of ${source} fell to ${num(r2)} at epoch ${epoch}, far below 0 (predicting the mean scores 0)`);
  }
}

/** The largest absolute weight or bias of a network (NaN if any is NaN). */
export function largestWeight(net: Network): number {
  let max = 0;
  for (const v of net.variables()) {
    const a = v.dataSync() as Float32Array;
    for (let i = 0; i < a.length; i++) {
      const x = Math.abs(a[i]);
      if (!(x <= max)) max = x;
    }
  }
  return max;
}

/** What the loop needs from an optimizer (tf.Optimizer has this shape too). */
interface Minimizer {
  minimize(f: () => tfjs.Scalar, returnCost: true, varList: tfjs.Variable[]): tfjs.Scalar | null;
  dispose(): void;
}

/**
 * Adam (Kingma and Ba; tfjs's defaults: beta1 0.9, beta2 0.999, epsilon 1e-7) with the update
 * done in JavaScript on Float32Arrays. tfjs's AdamOptimizer runs about ten WASM kernels per
 * variable per step, which costs more than the small dense layers' whole backward pass; the
 * parameters here are a few thousand floats, so copying them out and back is cheaper.
 */
export class JsAdam implements Minimizer {
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private step = 0;
  constructor(
    private readonly tf: TF,
    private readonly lr: number,
  ) {}

  minimize(f: () => tfjs.Scalar, _returnCost: true, varList: tfjs.Variable[]): tfjs.Scalar {
    const tf = this.tf;
    const { value, grads } = tf.variableGrads(f, varList);
    this.step++;
    const rate = adamRate(this.lr, this.step);
    for (const variable of varList) {
      const g = grads[variable.name];
      if (!g) continue;
      const p = Float32Array.from(variable.dataSync() as Float32Array);
      let m = this.m.get(variable.name);
      let v = this.v.get(variable.name);
      if (!m || !v) {
        m = new Float32Array(p.length);
        v = new Float32Array(p.length);
        this.m.set(variable.name, m);
        this.v.set(variable.name, v);
      }
      adamUpdate(p, g.dataSync() as Float32Array, m, v, rate);
      const next = tf.tensor(p, variable.shape);
      variable.assign(next);
      next.dispose();
    }
    tf.dispose(grads);
    return value;
  }

  dispose(): void {
    this.m.clear();
    this.v.clear();
  }
}

function makeOptimizer(tf: TF, t: TrainingSpec): Minimizer {
  switch (t.optimizer) {
    case 'adam':
      return new JsAdam(tf, t.learningRate);
    case 'sgd':
      return tf.train.sgd(t.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(t.learningRate);
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Every head's masked loss for one batch: a [heads] tensor (for gradients) and the values. */
interface HeadLosses {
  readonly tensor: tfjs.Tensor1D;
  /** null where the batch has no labelled row for the head (its entry in `tensor` is 0). */
  readonly values: (number | null)[];
}

/**
 * Per-head masked, weighted mean losses for a batch, from the heads' outputs side by side.
 * The losses and their gradients with respect to the outputs are computed in JavaScript
 * (softmax cross-entropy: (softmax - onehot) * w; squared error: 2 (z - y) w) and enter the
 * tape as one custom op whose gradient scales each head's block by that head's upstream
 * gradient. The outputs are a few floats per row, and this replaces tens of WASM kernel
 * launches per head, which dominated the step time of small networks.
 */
function headLosses(net: Network, out: tfjs.Tensor2D, labels: readonly Float32Array[], weights: readonly Float32Array[]): HeadLosses {
  const tf = net.tf;
  const heads = net.spec.heads;
  const width = net.width;
  const values: (number | null)[] = heads.map(() => null);
  const colHead = new Int32Array(width);
  heads.forEach((h, k) => colHead.fill(k, net.offsets[k], net.offsets[k] + h.units));
  const op = tf.customGrad(((outputs: tfjs.Tensor, save: tfjs.GradSaveFunc) => {
    const z = outputs.dataSync() as Float32Array;
    const b = outputs.shape[0];
    const grad = new Float32Array(b * width);
    const losses = new Float32Array(heads.length);
    heads.forEach((head, h) => {
      const w = weights[h];
      const y = labels[h];
      let sw = 0;
      for (let i = 0; i < b; i++) sw += w[i];
      if (!(sw > 0)) return;
      const k = head.units;
      const off = net.offsets[h];
      let loss = 0;
      for (let i = 0; i < b; i++) {
        const wi = w[i] / sw;
        if (wi === 0) continue;
        const o = i * width + off;
        if (head.task === 'classification') {
          let max = -Infinity;
          for (let c = 0; c < k; c++) if (z[o + c] > max) max = z[o + c];
          let sum = 0;
          for (let c = 0; c < k; c++) sum += Math.exp(z[o + c] - max);
          const lse = max + Math.log(sum);
          const yi = y[i];
          loss -= wi * (z[o + yi] - lse);
          for (let c = 0; c < k; c++) grad[o + c] = wi * (Math.exp(z[o + c] - lse) - (c === yi ? 1 : 0));
        } else {
          const e = z[o] - y[i];
          loss += wi * e * e;
          grad[o] = 2 * wi * e;
        }
      }
      losses[h] = loss;
      values[h] = loss;
    });
    const g = tf.tensor2d(grad, [b, width]);
    const cols = tf.tensor1d(colHead, 'int32');
    save([g, cols]);
    return { value: tf.tensor1d(losses), gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => tf.mul(saved[0], tf.gather(dy, saved[1])) };
  }) as unknown as Parameters<TF['customGrad']>[0]);
  const tensor = op(out) as tfjs.Tensor1D;
  return { tensor, values };
}

function sliceRows(data: LoopData, order: Int32Array, start: number, end: number) {
  const b = end - start;
  const x = new Float32Array(b * data.d);
  const labels = data.labels.map(() => new Float32Array(b));
  const weights = data.weights.map(() => new Float32Array(b));
  for (let i = 0; i < b; i++) {
    const r = order[start + i];
    // A plain loop: subarray() + set() per row allocates a view per row.
    const from = r * data.d;
    const to = i * data.d;
    for (let j = 0; j < data.d; j++) x[to + j] = data.x[from + j];
    for (let h = 0; h < labels.length; h++) {
      labels[h][i] = data.labels[h][r];
      weights[h][i] = data.weights[h][r];
    }
  }
  return { x, labels, weights, b };
}

/** Validation loss per head (masked means over all rows), without dropout. */
export function evaluateLoss(net: Network, data: LoopData): (number | null)[] {
  const tf = net.tf;
  const heads = net.spec.heads.length;
  const sums = new Array<number>(heads).fill(0);
  const wsum = new Array<number>(heads).fill(0);
  const chunk = 8192;
  const order = Int32Array.from({ length: data.n }, (_, i) => i);
  for (let s = 0; s < data.n; s += chunk) {
    const e = Math.min(data.n, s + chunk);
    const batch = sliceRows(data, order, s, e);
    let values: (number | null)[] = [];
    tf.tidy(() => {
      const out = net.forward(tf.tensor2d(batch.x, [batch.b, data.d]), false);
      values = headLosses(net, out, batch.labels, batch.weights).values;
    });
    values.forEach((v, h) => {
      if (v === null) return;
      let w = 0;
      for (const x of batch.weights[h]) w += x;
      sums[h] += v * w;
      wsum[h] += w;
    });
  }
  return sums.map((s, h) => (wsum[h] > 0 ? s / wsum[h] : null));
}

/** Raw outputs per head for all rows (row-major n x units), without dropout. */
export function predictNetwork(net: Network, x: Float32Array, n: number): Float32Array[] {
  const tf = net.tf;
  const d = net.spec.inputs;
  const outs = net.spec.heads.map((h) => new Float32Array(n * h.units));
  const chunk = 8192;
  for (let s = 0; s < n; s += chunk) {
    const e = Math.min(n, s + chunk);
    tf.tidy(() => {
      const all = net.forward(tf.tensor2d(x.subarray(s * d, e * d), [e - s, d]), false).dataSync();
      net.spec.heads.forEach((head, h) => {
        const k = head.units;
        const off = net.offsets[h];
        for (let i = 0; i < e - s; i++) for (let c = 0; c < k; c++) outs[h][(s + i) * k + c] = all[i * net.width + off + c];
      });
    });
  }
  return outs;
}

/**
 * How networks train on this backend: the fused step on our WebAssembly SIMD kernels
 * (fusedDense.ts) when the backend is WASM and the optimizer is Adam or SGD, unless
 * DATASET_LAB_FUSED=0 or `stepper` is 'tfjs'; otherwise tfjs ops with autodiff. Recorded in
 * each run's environment.json.
 */
export function plannedStepper(tf: TF, optimizer: TrainingSpec['optimizer'], stepper: 'auto' | 'tfjs' = 'auto'): 'fused-wasm' | 'tfjs' {
  if (stepper === 'tfjs' || process.env.DATASET_LAB_FUSED === '0' || (optimizer !== 'adam' && optimizer !== 'sgd')) return 'tfjs';
  return tf.getBackend() === 'wasm' && simdAvailable() ? 'fused-wasm' : 'tfjs';
}

function fusedTrainer(o: LoopOptions): FusedDenseTrainer | null {
  const t = o.training;
  if (plannedStepper(o.network.tf, t.optimizer, o.stepper) !== 'fused-wasm' || (t.optimizer !== 'adam' && t.optimizer !== 'sgd')) return null;
  const threads = o.threads ?? plannedThreads(t.batchSize, o.train.n, t.epochs);
  return new FusedDenseTrainer(o.network, o.train, { batchSize: t.batchSize, optimizer: t.optimizer, learningRate: t.learningRate, l2: o.l2, uncertainty: o.weighting === 'uncertainty', seed: t.seed, threads });
}

/** One step through tfjs ops: the masked head losses, autodiff and the optimizer. */
function tapeStep(o: LoopOptions, optimizer: Minimizer, batch: ReturnType<typeof sliceRows>, logVars: tfjs.Variable | null, kernels: tfjs.Variable[], varList: tfjs.Variable[], dwa: readonly number[]): { loss: number; values: (number | null)[]; weightSums: number[] } {
  const net = o.network;
  const tf = net.tf;
  const heads = net.spec.heads.length;
  let headValues: (number | null)[] = [];
  const cost = optimizer.minimize(
    () => {
      const out = net.forward(tf.tensor2d(batch.x, [batch.b, o.train.d]), true);
      const losses = headLosses(net, out, batch.labels, batch.weights);
      headValues = losses.values;
      const present = Float32Array.from(losses.values, (v) => (v === null ? 0 : 1));
      let total: tfjs.Scalar;
      if (o.weighting === 'uncertainty' && logVars) {
        // sum over present heads of exp(-s) L / 2 + s / 2
        const terms = tf.add(tf.mul(tf.mul(tf.exp(tf.neg(logVars)), losses.tensor), 0.5), tf.mul(logVars, 0.5));
        total = tf.sum(tf.mul(terms, tf.tensor1d(present)));
      } else {
        const lambda = Float32Array.from(o.staticWeights, (w, h) => (o.weighting === 'dwa' ? dwa[h] * w : w) * present[h]);
        total = heads === 1 && lambda[0] === 1 ? tf.sum(losses.tensor) : tf.sum(tf.mul(losses.tensor, tf.tensor1d(lambda)));
      }
      if (o.l2 > 0) total = tf.add(total, tf.mul(tf.addN(kernels.map((k) => tf.sum(tf.square(k)))), 0.5 * o.l2));
      return total;
    },
    true,
    varList,
  );
  const loss = cost ? cost.dataSync()[0] : NaN;
  cost?.dispose();
  const weightSums = batch.weights.map((w) => {
    let s = 0;
    for (const x of w) s += x;
    return s;
  });
  return { loss, values: headValues, weightSums };
}

export async function trainNetwork(o: LoopOptions): Promise<LoopResult> {
  const net = o.network;
  const tf = net.tf;
  const t = o.training;
  const heads = net.spec.heads.length;
  const fused = fusedTrainer(o);
  const threads = fused?.threads ?? 1;
  let shardStats = { byWorkers: 0, takenOver: 0, overtaken: 0, pausedSteps: 0 };
  const optimizer = makeOptimizer(tf, t);
  const rng = new Rng(t.seed ^ 0x5bd1e995);
  // Uncertainty weighting: one learnable log-variance per head.
  const logVars = o.weighting === 'uncertainty' && !fused ? tf.variable(tf.zeros([heads]), true) : null;
  const kernels = net.kernels();
  const varList = logVars ? [...net.variables(), logVars] : net.variables();
  const history: LoopEpoch[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: tfjs.Tensor[] | null = null;
  let sinceBest = 0;
  let cancelled = false;
  let lastYield = Date.now();
  let dwa = new Array<number>(heads).fill(1);
  // The loss of the very first batch, before any update: what "far above its start" compares with.
  let startLoss = NaN;
  try {
    for (let epoch = 1; epoch <= t.epochs; epoch++) {
      if (o.weighting === 'dwa' && history.length >= 2) {
        const a = history[history.length - 1].headTrainLoss;
        const b = history[history.length - 2].headTrainLoss;
        const r = a.map((v, h) => (b[h] > 0 ? v / b[h] : 1));
        const ex = r.map((v) => Math.exp(v / o.dwaTemperature));
        const s = ex.reduce((p, q) => p + q, 0);
        dwa = ex.map((v) => (heads * v) / s);
      }
      const order = o.schedule(epoch, rng);
      const batches = Math.ceil(order.length / t.batchSize);
      // performance.now(): epochs of small data take a few ms, below Date.now()'s 1 ms steps.
      const started = performance.now();
      let lossSum = 0;
      let seen = 0;
      const headSum = new Array<number>(heads).fill(0);
      const headCount = new Array<number>(heads).fill(0);
      for (let bi = 0; bi < batches; bi++) {
        if (o.hooks?.isCancelled?.()) {
          cancelled = true;
          break;
        }
        const start = bi * t.batchSize;
        const end = Math.min(order.length, (bi + 1) * t.batchSize);
        const { loss, values: headValues, weightSums } = fused
          ? fused.step(order, start, end, o.staticWeights.map((w, h) => (o.weighting === 'dwa' ? dwa[h] * w : w)))
          : tapeStep(o, optimizer, sliceRows(o.train, order, start, end), logVars, kernels, varList, dwa);
        headValues.forEach((v, h) => {
          if (v === null) return;
          headSum[h] += v * weightSums[h];
          headCount[h] += weightSums[h];
        });
        if (!Number.isFinite(loss)) throw new DivergedError(epoch, bi + 1);
        if (Number.isNaN(startLoss)) startLoss = loss;
        lossSum += loss * (end - start);
        seen += end - start;
        const elapsed = (performance.now() - started) / 1000;
        o.hooks?.onProgress?.({ epoch, batch: bi + 1, batches, loss, samplesPerSecond: elapsed > 0 ? seen / elapsed : 0 });
        if (Date.now() - lastYield > 40) {
          await yieldToEventLoop();
          lastYield = Date.now();
        }
      }
      fused?.sync(tf);
      if (cancelled) break;
      const headTrainLoss = headSum.map((s, h) => (headCount[h] > 0 ? s / headCount[h] : NaN));
      const headValLoss = o.validation ? evaluateLoss(net, o.validation) : new Array<number | null>(heads).fill(null);
      let valLoss: number | null = null;
      if (o.validation) {
        valLoss = 0;
        headValLoss.forEach((v, h) => {
          if (v !== null) valLoss = (valLoss as number) + o.staticWeights[h] * v;
        });
        if (!Number.isFinite(valLoss)) throw new DivergedError(epoch, batches);
      }
      const epochLoss = seen > 0 ? lossSum / seen : NaN;
      if (epochLoss > DIVERGENCE.lossRise * Math.max(startLoss, 1e-3)) throw DivergedError.lossRise(epoch, epochLoss, startLoss, t.learningRate);
      const largest = largestWeight(net);
      if (!(largest <= DIVERGENCE.maxWeight)) throw Number.isNaN(largest) ? new DivergedError(epoch, batches) : DivergedError.weights(epoch, largest, t.learningRate);
      const seconds = (performance.now() - started) / 1000;
      const record: LoopEpoch = {
        epoch,
        trainLoss: seen > 0 ? lossSum / seen : NaN,
        valLoss,
        headTrainLoss,
        headValLoss,
        headWeight: o.weighting === 'uncertainty' ? Array.from(fused ? fused.logVars : (logVars as tfjs.Variable).dataSync(), (s) => Math.exp(-s) / 2) : o.weighting === 'dwa' ? dwa.map((v, h) => v * o.staticWeights[h]) : [...o.staticWeights],
        seconds,
        samplesPerSecond: seconds > 0 ? seen / seconds : 0,
      };
      history.push(record);
      await o.hooks?.onEpoch?.(record);
      const monitored = valLoss ?? record.trainLoss;
      if (monitored < best - 1e-7) {
        best = monitored;
        bestEpoch = epoch;
        sinceBest = 0;
        if (t.earlyStopping.restoreBestWeights) {
          bestWeights?.forEach((w) => w.dispose());
          bestWeights = net.snapshot();
        }
      } else if (++sinceBest >= t.earlyStopping.patience) break;
    }
    if (bestWeights && t.earlyStopping.restoreBestWeights && !cancelled) net.restore(bestWeights);
    if (fused && threads > 1) {
      // Deliver pending 'exit' events of worker threads, so a thread that died after its
      // last shard is reported rather than missed.
      await yieldToEventLoop();
      fused.checkWorkers();
    }
  } finally {
    shardStats = fused?.workerShards ?? shardStats;
    bestWeights?.forEach((w) => w.dispose());
    logVars?.dispose();
    optimizer.dispose();
    await fused?.dispose();
  }
  return { stepper: fused ? 'fused-wasm' : 'tfjs', threads, workerShards: shardStats, epochs: history.length, bestEpoch: t.earlyStopping.restoreBestWeights ? bestEpoch : history.length, bestValLoss: best, cancelled, history };
}
