/**
 * The custom training loop: optimizer.minimize over per-head MASKED losses (a row counts only
 * for the heads it has a label for, scaled by its sample weight), weighted statically, by
 * uncertainty (Kendall et al.) or by DWA; early stopping on validation loss with
 * restore-best-weights; cooperative cancellation between batches.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from './backend';
import type { TrainingSpec, Weighting } from './experiment';
import type { Network } from './network';
import { Rng } from './random';

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
}

export interface LoopResult {
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly bestValLoss: number;
  readonly cancelled: boolean;
  readonly history: LoopEpoch[];
}

/** Training produced a NaN or infinite loss. */
export class DivergedError extends Error {
  constructor(
    readonly epoch: number,
    readonly batch: number,
  ) {
    super(`the loss became NaN/infinite at epoch ${epoch}, batch ${batch}; lower training.learningRate`);
    this.name = 'DivergedError';
  }
}

function makeOptimizer(tf: Network['tf'], t: TrainingSpec): tfjs.Optimizer {
  switch (t.optimizer) {
    case 'adam':
      return tf.train.adam(t.learningRate);
    case 'sgd':
      return tf.train.sgd(t.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(t.learningRate);
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Per-head masked mean loss tensors for a batch; heads with no labelled rows give null. */
function headLosses(
  net: Network,
  outs: tfjs.Tensor2D[],
  labels: readonly Float32Array[],
  weights: readonly Float32Array[],
): (tfjs.Scalar | null)[] {
  const tf = net.tf;
  return net.spec.heads.map((head, h) => {
    const w = weights[h];
    let sw = 0;
    for (let i = 0; i < w.length; i++) sw += w[i];
    if (!(sw > 0)) return null;
    const norm = new Float32Array(w.length);
    for (let i = 0; i < w.length; i++) norm[i] = w[i] / sw;
    const wCol = tf.tensor2d(norm, [w.length, 1]);
    const out = outs[h];
    if (head.task === 'classification') {
      const k = head.units;
      const oh = new Float32Array(w.length * k);
      for (let i = 0; i < w.length; i++) if (w[i] > 0) oh[i * k + labels[h][i]] = 1;
      const target = tf.tensor2d(oh, [w.length, k]);
      // Weighted softmax cross-entropy with its closed-form gradient (softmax - onehot) * w:
      // far fewer kernels than differentiating logSumExp op by op.
      // Constants go through save(): the forward pass's scope disposes anything else it made.
      const ce = tf.customGrad(((logits: tfjs.Tensor, t: tfjs.Tensor, wc: tfjs.Tensor, save: tfjs.GradSaveFunc) => {
        const logp = tf.logSoftmax(logits as tfjs.Tensor2D);
        save([logp, t, wc]);
        return {
          value: tf.neg(tf.sum(tf.mul(tf.mul(t, logp), wc))),
          gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => {
            const [sp, st, sw] = saved;
            return [tf.mul(dy, tf.mul(tf.sub(tf.exp(sp), st), sw)), tf.zerosLike(st), tf.zerosLike(sw)];
          },
        };
      }) as unknown as Parameters<TF["customGrad"]>[0]);
      return ce(out, target, wCol) as tfjs.Scalar;
    }
    const diff = tf.sub(out, tf.tensor2d(labels[h], [w.length, 1]));
    return tf.sum(tf.mul(tf.square(diff), wCol)) as tfjs.Scalar;
  });
}

function sliceRows(data: LoopData, order: Int32Array, start: number, end: number) {
  const b = end - start;
  const x = new Float32Array(b * data.d);
  const labels = data.labels.map(() => new Float32Array(b));
  const weights = data.weights.map(() => new Float32Array(b));
  for (let i = 0; i < b; i++) {
    const r = order[start + i];
    x.set(data.x.subarray(r * data.d, (r + 1) * data.d), i * data.d);
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
      const outs = net.forward(tf.tensor2d(batch.x, [batch.b, data.d]), false);
      values = headLosses(net, outs, batch.labels, batch.weights).map((t) => (t ? t.dataSync()[0] : null));
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
      const res = net.forward(tf.tensor2d(x.subarray(s * d, e * d), [e - s, d]), false);
      res.forEach((t, h) => outs[h].set(t.dataSync(), s * net.spec.heads[h].units));
    });
  }
  return outs;
}

export async function trainNetwork(o: LoopOptions): Promise<LoopResult> {
  const net = o.network;
  const tf = net.tf;
  const t = o.training;
  const heads = net.spec.heads.length;
  const optimizer = makeOptimizer(tf, t);
  const rng = new Rng(t.seed ^ 0x5bd1e995);
  // Uncertainty weighting: one learnable log-variance per head.
  const logVars = o.weighting === 'uncertainty' ? net.spec.heads.map(() => tf.variable(tf.scalar(0), true)) : [];
  const kernels = net.kernels();
  const varList = [...net.variables(), ...logVars];
  const history: LoopEpoch[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: tfjs.Tensor[] | null = null;
  let sinceBest = 0;
  let cancelled = false;
  let lastYield = Date.now();
  let dwa = new Array<number>(heads).fill(1);
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
      const started = Date.now();
      let lossSum = 0;
      let seen = 0;
      const headSum = new Array<number>(heads).fill(0);
      const headCount = new Array<number>(heads).fill(0);
      for (let bi = 0; bi < batches; bi++) {
        if (o.hooks?.isCancelled?.()) {
          cancelled = true;
          break;
        }
        const batch = sliceRows(o.train, order, bi * t.batchSize, Math.min(order.length, (bi + 1) * t.batchSize));
        const kept: (tfjs.Scalar | null)[] = [];
        const cost = optimizer.minimize(
          () => {
            const outs = net.forward(tf.tensor2d(batch.x, [batch.b, o.train.d]), true);
            const losses = headLosses(net, outs, batch.labels, batch.weights);
            let total: tfjs.Scalar = tf.scalar(0);
            losses.forEach((l, h) => {
              kept.push(l ? tf.keep(l) : null);
              if (!l) return;
              if (o.weighting === 'uncertainty') {
                const s = logVars[h];
                total = tf.add(total, tf.add(tf.mul(tf.mul(tf.exp(tf.neg(s)), l), 0.5), tf.mul(s, 0.5)));
              } else {
                const w = o.weighting === 'dwa' ? dwa[h] * o.staticWeights[h] : o.staticWeights[h];
                total = tf.add(total, tf.mul(l, w));
              }
            });
            if (o.l2 > 0) total = tf.add(total, tf.mul(tf.addN(kernels.map((k) => tf.sum(tf.square(k)))), 0.5 * o.l2));
            return total;
          },
          true,
          varList,
        );
        const loss = cost ? cost.dataSync()[0] : NaN;
        cost?.dispose();
        kept.forEach((l, h) => {
          if (!l) return;
          let w = 0;
          for (const x of batch.weights[h]) w += x;
          headSum[h] += l.dataSync()[0] * w;
          headCount[h] += w;
          l.dispose();
        });
        if (!Number.isFinite(loss)) throw new DivergedError(epoch, bi + 1);
        lossSum += loss * batch.b;
        seen += batch.b;
        const elapsed = (Date.now() - started) / 1000;
        o.hooks?.onProgress?.({ epoch, batch: bi + 1, batches, loss, samplesPerSecond: elapsed > 0 ? seen / elapsed : 0 });
        if (Date.now() - lastYield > 40) {
          await yieldToEventLoop();
          lastYield = Date.now();
        }
      }
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
      const seconds = (Date.now() - started) / 1000;
      const record: LoopEpoch = {
        epoch,
        trainLoss: seen > 0 ? lossSum / seen : NaN,
        valLoss,
        headTrainLoss,
        headValLoss,
        headWeight: o.weighting === 'uncertainty' ? logVars.map((s) => Math.exp(-s.dataSync()[0]) / 2) : o.weighting === 'dwa' ? dwa.map((v, h) => v * o.staticWeights[h]) : [...o.staticWeights],
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
  } finally {
    bestWeights?.forEach((w) => w.dispose());
    logVars.forEach((v) => v.dispose());
    optimizer.dispose();
  }
  return { epochs: history.length, bestEpoch: t.earlyStopping.restoreBestWeights ? bestEpoch : history.length, bestValLoss: best, cancelled, history };
}
