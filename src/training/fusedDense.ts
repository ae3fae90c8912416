/**
 * The training step of a dense network (trunk + heads) fused into a few calls of the WASM
 * backend's kernels (matMul, step, multiply, transpose, sum) plus small loops in JavaScript:
 * forward, the per-head masked losses, backward and the optimizer update, with no tfjs-core op
 * in between.
 *
 * It computes what the generic loop in trainLoop.ts computes through tfjs's autodiff (same
 * losses, masks, head weights, L2, Adam/SGD formulas; test/unit/training/fused.test.ts checks
 * the two against each other) several times faster for the small networks this tool trains:
 * tfjs-core's per-op overhead dominated those steps (bench/RESULTS.md).
 *
 * Layout and the choices that made it fast (measured on 256-row batches):
 * - Every layer's parameters are one block, W (k x n) then the bias row (n), and its gradient
 *   block has the same layout; all blocks are contiguous, so the optimizer is one flat loop.
 * - The backend's matMul packs its right-hand operand on every call (the values change each
 *   step), and packing a 256-row operand costs as much as the product. The weight gradient is
 *   a product over the batch, so one of its operands has 256 rows; we pack the narrower one:
 *   - n <= k: grad block = [A_in^T; 1] . dZ, packing dZ (b x n). The row of ones appended to
 *     the transposed input makes the last row of the product the bias gradient, for free.
 *   - n > k:  dW^T = dZ^T . A_in, packing A_in (b x k); transposed into the block, and the
 *     bias gradient summed from dZ^T's rows.
 * - Element-wise work (ReLU's derivative, transposes, row sums) runs in WASM kernels: V8's
 *   typed-array loops cost ~3 ns per element here, the kernels a fraction of that.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { adamRate, adamUpdate } from './adam';
import type { Activation } from './experiment';
import type { Network } from './network';
import { Rng } from './random';
import { Fused, type HeapBuffer, type WasmKernels } from './wasmKernels';

export interface FusedOptions {
  readonly batchSize: number;
  readonly optimizer: 'adam' | 'sgd';
  readonly learningRate: number;
  readonly l2: number;
  /** Learn one log-variance per head (uncertainty weighting, Kendall et al.). */
  readonly uncertainty: boolean;
  readonly seed: number;
}

export interface FusedStepResult {
  /** The objective of the step (weighted head losses plus the L2 term), as the generic loop reports it. */
  readonly loss: number;
  /** Per head: its masked mean loss, or null when no row of the batch has its label. */
  readonly values: (number | null)[];
  /** Per head: the sum of the batch's sample weights. */
  readonly weightSums: number[];
}

interface Layer {
  readonly k: number;
  readonly n: number;
  readonly act: Activation | 'linear';
  /** null: the layer reads the batch's features. */
  readonly input: Layer | null;
  /** Layers reading this one's output (their dIn buffers sum to this layer's dA). */
  readonly consumers: Layer[];
  readonly wVar: tfjs.Variable;
  readonly bVar: tfjs.Variable;
  /** First float of this layer's block in the parameter / gradient vectors. */
  readonly at: number;
  readonly w: HeapBuffer;
  readonly bias: HeapBuffer;
  readonly wt: HeapBuffer;
  /** The gradient block ((k + 1) x n: dW then db). */
  readonly grad: HeapBuffer;
  readonly out: HeapBuffer;
  readonly dz: HeapBuffer;
  /** true: grad = [A_in^T; 1] . dZ (packs dZ); false: dW^T = dZ^T . A_in (packs A_in). */
  readonly packDz: boolean;
  /** packDz: the transposed input plus a row of ones ((k + 1) x rows). */
  readonly inT: HeapBuffer | null;
  /** !packDz: dZ^T (n x rows), dW^T (n x k), and the bias-gradient slot of `grad`. */
  readonly dzt: HeapBuffer | null;
  readonly dwt: HeapBuffer | null;
  readonly dbSlot: HeapBuffer | null;
  /** Gradient with respect to this layer's input (rows x k); null when the input is the features. */
  readonly dIn: HeapBuffer | null;
  /** Hidden ReLU layers: step(A) scratch. */
  readonly relu: HeapBuffer | null;
  /** Hidden layers with dropout: the per-unit scale (0 or 1 / keep). */
  readonly mask: Float32Array | null;
}

/** Per head: the layer producing its outputs and its first column there. */
interface HeadOut {
  readonly layer: Layer;
  readonly offset: number;
  readonly units: number;
  readonly task: 'classification' | 'regression';
}

export const PT: Record<string, number> = {};
(globalThis as any).PT = PT;
let TT = 0;
function lap(k: string) { const t = performance.now(); PT[k] = (PT[k] ?? 0) + t - TT; TT = t; }
export class FusedDenseTrainer {
  private readonly layers: Layer[] = [];
  private readonly headOuts: HeadOut[] = [];
  private readonly outputLayers: Layer[] = [];
  private readonly x: HeapBuffer;
  private readonly d: number;
  private readonly labels: Float32Array[];
  private readonly weights: Float32Array[];
  private readonly dropout: number;
  private readonly rng: Rng;
  private readonly params: HeapBuffer;
  private readonly grads: HeapBuffer;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  /** Uncertainty weighting: log-variances and their optimizer state. */
  readonly logVars: Float32Array;
  private readonly mS: Float32Array;
  private readonly vS: Float32Array;

  constructor(
    private readonly kernels: WasmKernels,
    net: Network,
    private readonly o: FusedOptions,
  ) {
    const spec = net.spec;
    const B = o.batchSize;
    this.d = spec.inputs;
    this.dropout = spec.dropout;
    this.rng = new Rng(o.seed ^ 0x2545f491);
    this.x = kernels.alloc(B * this.d);
    const heads = spec.heads.length;
    this.labels = spec.heads.map(() => new Float32Array(B));
    this.weights = spec.heads.map(() => new Float32Array(B));
    this.logVars = new Float32Array(heads);
    this.mS = new Float32Array(heads);
    this.vS = new Float32Array(heads);
    // The layers in forward order, each with its input layer.
    const plan: { dense: { w: tfjs.Variable; b: tfjs.Variable }; input: number; act: Activation | 'linear' }[] = [];
    let prev = -1;
    for (const dense of net.trunk) {
      plan.push({ dense, input: prev, act: spec.activation });
      prev = plan.length - 1;
    }
    const trunkOut = prev;
    const headLayer: number[] = [];
    if (net.out) {
      plan.push({ dense: net.out, input: trunkOut, act: 'linear' });
      spec.heads.forEach(() => headLayer.push(plan.length - 1));
    } else {
      for (const layers of net.heads) {
        let z = trunkOut;
        layers.forEach((dense, i) => {
          plan.push({ dense, input: z, act: i === layers.length - 1 ? 'linear' : spec.activation });
          z = plan.length - 1;
        });
        headLayer.push(z);
      }
    }
    const total = plan.reduce((s, p) => s + (p.dense.w.shape[0] + 1) * (p.dense.w.shape[1] as number), 0);
    this.params = kernels.alloc(total);
    this.grads = kernels.alloc(total);
    this.m = new Float32Array(total);
    this.v = new Float32Array(total);
    let at = 0;
    for (const p of plan) {
      const layer = this.addLayer(p.dense.w, p.dense.b, p.input >= 0 ? this.layers[p.input] : null, p.act, at);
      at += (layer.k + 1) * layer.n;
    }
    spec.heads.forEach((h, k) => {
      const layer = this.layers[headLayer[k]];
      this.headOuts.push({ layer, offset: net.out ? net.offsets[k] : 0, units: h.units, task: h.task });
      if (!this.outputLayers.includes(layer)) this.outputLayers.push(layer);
    });
  }

  private addLayer(wVar: tfjs.Variable, bVar: tfjs.Variable, input: Layer | null, act: Activation | 'linear', at: number): Layer {
    const K = this.kernels;
    const B = this.o.batchSize;
    const [k, n] = wVar.shape;
    const packDz = n <= k;
    const hidden = act !== 'linear';
    const grad = K.alias(this.grads, at, (k + 1) * n);
    const layer: Layer = {
      k,
      n,
      act,
      input,
      consumers: [],
      wVar,
      bVar,
      at,
      w: K.alias(this.params, at, k * n),
      bias: K.alias(this.params, at + k * n, n),
      wt: K.alloc(n * k),
      grad,
      out: K.alloc(B * n),
      dz: K.alloc(B * n),
      packDz,
      inT: packDz ? K.alloc((k + 1) * B) : null,
      dzt: packDz ? null : K.alloc(n * B),
      dwt: packDz ? null : K.alloc(n * k),
      dbSlot: packDz ? null : K.alias(this.grads, at + k * n, n),
      dIn: input ? K.alloc(B * k) : null,
      relu: hidden && act === 'relu' ? K.alloc(B * n) : null,
      mask: hidden && this.dropout > 0 ? new Float32Array(B * n) : null,
    };
    input?.consumers.push(layer);
    this.layers.push(layer);
    this.loadWeights(layer);
    return layer;
  }

  private loadWeights(l: Layer): void {
    this.kernels.f32(l.w).set(l.wVar.dataSync() as Float32Array);
    this.kernels.f32(l.bias).set(l.bVar.dataSync() as Float32Array);
    this.kernels.transpose(l.w, l.wt, l.k, l.n);
  }

  /** Copies the current weights into the network's tfjs variables (before evaluating or saving). */
  sync(tf: typeof import('@tensorflow/tfjs')): void {
    for (const l of this.layers) {
      const w = tf.tensor2d(Float32Array.from(this.kernels.f32(l.w)), [l.k, l.n]);
      const b = tf.tensor1d(Float32Array.from(this.kernels.f32(l.bias)));
      l.wVar.assign(w);
      l.bVar.assign(b);
      w.dispose();
      b.dispose();
    }
  }

  /**
   * One optimizer step on rows order[start..end). `coefficients[h]` scales head h's loss
   * (static or DWA weights); ignored with uncertainty weighting, which uses exp(-s_h) / 2.
   */
  step(data: { x: Float32Array; d: number; labels: readonly Float32Array[]; weights: readonly Float32Array[] }, order: Int32Array, start: number, end: number, coefficients: readonly number[]): FusedStepResult {
    const K = this.kernels;
    const b = end - start;
    const heads = this.headOuts.length;
    const weightSums = this.gather(data, order, start, b);
    lap('gather');
    for (const l of this.layers) {
      K.matMul(l.input ? l.input.out : this.x, l.w, l.out, b, l.k, l.n, l.bias, l.act === 'relu' ? Fused.Relu : Fused.Linear);
      if (l.act !== 'relu' && l.act !== 'linear') activate(K.f32(l.out, b * l.n), l.act);
      if (l.mask) this.applyDropout(K.f32(l.out, b * l.n), l.mask, b * l.n);
    }
    lap('forward');
    // Losses and their gradients with respect to the outputs (dZ of the output layers).
    const present = weightSums.map((s) => s > 0);
    const coef = this.headOuts.map((_, h) => (!present[h] ? 0 : this.o.uncertainty ? 0.5 * Math.exp(-this.logVars[h]) : coefficients[h]));
    for (const l of this.outputLayers) K.f32(l.dz, b * l.n).fill(0);
    const values: (number | null)[] = new Array(heads).fill(null);
    this.headOuts.forEach((ho, h) => {
      if (present[h]) values[h] = this.headLoss(ho, h, b, weightSums[h], coef[h]);
    });
    let loss = 0;
    for (let h = 0; h < heads; h++) {
      const value = values[h];
      if (value === null) continue;
      loss += this.o.uncertainty ? 0.5 * Math.exp(-this.logVars[h]) * value + 0.5 * this.logVars[h] : coefficients[h] * value;
    }
    lap('loss');
    // Backward, last layer first (every consumer of a layer comes after it in `layers`).
    for (let li = this.layers.length - 1; li >= 0; li--) {
      const l = this.layers[li];
      if (!this.outputLayers.includes(l)) this.hiddenGrad(l, b);
      const input = l.input ? l.input.out : this.x;
      if (l.packDz) {
        const inT = l.inT as HeapBuffer;
        K.transpose(input, inT, b, l.k);
        K.f32(inT, (l.k + 1) * b).fill(1, l.k * b);
        K.matMul(inT, l.dz, l.grad, l.k + 1, b, l.n);
      } else {
        const dzt = l.dzt as HeapBuffer;
        const dwt = l.dwt as HeapBuffer;
        K.transpose(l.dz, dzt, b, l.n);
        K.matMul(dzt, input, dwt, l.n, b, l.k);
        K.transpose(dwt, l.grad, l.n, l.k);
        K.sumGroups(dzt, l.dbSlot as HeapBuffer, b);
      }
      if (l.dIn) K.matMul(l.dz, l.wt, l.dIn, b, l.n, l.k);
    }
    loss += this.update();
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

  /** The batch's features into the heap (four rows at a time: the rows are scattered in memory), labels and weights; returns each head's weight sum. */
  private gather(data: { x: Float32Array; labels: readonly Float32Array[]; weights: readonly Float32Array[] }, order: Int32Array, start: number, b: number): number[] {
    const d = this.d;
    const src = data.x;
    const xv = this.kernels.f32(this.x, b * d);
    let i = 0;
    for (; i + 3 < b; i += 4) {
      const f0 = order[start + i] * d;
      const f1 = order[start + i + 1] * d;
      const f2 = order[start + i + 2] * d;
      const f3 = order[start + i + 3] * d;
      const t = i * d;
      for (let j = 0; j < d; j++) {
        xv[t + j] = src[f0 + j];
        xv[t + d + j] = src[f1 + j];
        xv[t + 2 * d + j] = src[f2 + j];
        xv[t + 3 * d + j] = src[f3 + j];
      }
    }
    for (; i < b; i++) {
      const f = order[start + i] * d;
      for (let j = 0; j < d; j++) xv[i * d + j] = src[f + j];
    }
    return this.headOuts.map((_, h) => {
      const ys = data.labels[h];
      const ws = data.weights[h];
      const y = this.labels[h];
      const w = this.weights[h];
      let sum = 0;
      for (let r = 0; r < b; r++) {
        const row = order[start + r];
        y[r] = ys[row];
        w[r] = ws[row];
        sum += w[r];
      }
      return sum;
    });
  }

  /** Masked, weighted mean loss of one head; writes coef * dLoss/dZ into the output layer's dZ. */
  private headLoss(ho: HeadOut, h: number, b: number, sw: number, coef: number): number {
    const K = this.kernels;
    const l = ho.layer;
    const n = l.n;
    const z = K.f32(l.out, b * n);
    const dz = K.f32(l.dz, b * n);
    const y = this.labels[h];
    const w = this.weights[h];
    const units = ho.units;
    const off = ho.offset;
    let loss = 0;
    for (let i = 0; i < b; i++) {
      const wi = w[i] / sw;
      if (wi === 0) continue;
      const o = i * n + off;
      if (ho.task === 'classification') {
        let max = -Infinity;
        for (let c = 0; c < units; c++) if (z[o + c] > max) max = z[o + c];
        let sum = 0;
        for (let c = 0; c < units; c++) {
          const e = Math.exp(z[o + c] - max);
          dz[o + c] = e;
          sum += e;
        }
        const yi = y[i];
        loss -= wi * (z[o + yi] - max - Math.log(sum));
        const scale = (coef * wi) / sum;
        for (let c = 0; c < units; c++) dz[o + c] *= scale;
        dz[o + yi] -= coef * wi;
      } else {
        const e = z[o] - y[i];
        loss += wi * e * e;
        dz[o] = coef * 2 * wi * e;
      }
    }
    return loss;
  }

  /** dZ = (sum of consumers' dIn) * act'(A) (* the dropout scale). */
  private hiddenGrad(l: Layer, b: number): void {
    const K = this.kernels;
    const size = b * l.n;
    const upstream = l.consumers[0].dIn as HeapBuffer;
    if (l.consumers.length > 1) {
      const first = K.f32(upstream, size);
      for (let c = 1; c < l.consumers.length; c++) {
        const more = K.f32(l.consumers[c].dIn as HeapBuffer, size);
        for (let q = 0; q < size; q++) first[q] += more[q];
      }
    }
    if (l.relu && !l.mask) {
      // ReLU's derivative from its output (A > 0), in two WASM kernels.
      K.step(l.out, l.relu);
      K.multiply(l.relu, upstream, l.dz, size);
      return;
    }
    const a = K.f32(l.out, size);
    const up = K.f32(upstream, size);
    const dz = K.f32(l.dz, size);
    const mask = l.mask;
    for (let q = 0; q < size; q++) {
      let g = up[q];
      let v = a[q];
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

  private applyDropout(a: Float32Array, mask: Float32Array, size: number): void {
    const p = this.dropout;
    const scale = 1 / (1 - p);
    for (let i = 0; i < size; i++) {
      const m = this.rng.next() > p ? scale : 0;
      mask[i] = m;
      a[i] *= m;
    }
  }

  /** Optimizer step on every parameter block; returns the L2 term of the objective (on the weights before the step). */
  private update(): number {
    const K = this.kernels;
    const { learningRate: lr, l2 } = this.o;
    const adam = this.o.optimizer === 'adam';
    this.t++;
    const a = adam ? adamRate(lr, this.t) : lr;
    const p = K.f32(this.params);
    const g = K.f32(this.grads);
    let squares = 0;
    for (const l of this.layers) {
      const weightsEnd = l.at + l.k * l.n;
      // L2 on the weights only (never the bias row).
      for (let i = l.at; i < weightsEnd; i++) {
        const pi = p[i];
        squares += pi * pi;
        g[i] += l2 * pi;
      }
      const blockEnd = weightsEnd + l.n;
      if (adam) adamUpdate(p, g, this.m, this.v, a, l.at, blockEnd);
      else for (let i = l.at; i < blockEnd; i++) p[i] -= a * g[i];
    }
    // After the loop: a kernel call may grow the heap, which detaches the views p and g.
    for (const l of this.layers) K.transpose(l.w, l.wt, l.k, l.n);
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

  dispose(): void {
    this.kernels.dispose();
  }
}

function activate(a: Float32Array, act: Activation): void {
  switch (act) {
    case 'tanh':
      for (let i = 0; i < a.length; i++) a[i] = Math.tanh(a[i]);
      break;
    case 'sigmoid':
      for (let i = 0; i < a.length; i++) a[i] = 1 / (1 + Math.exp(-a[i]));
      break;
    case 'elu':
      for (let i = 0; i < a.length; i++) if (a[i] < 0) a[i] = Math.exp(a[i]) - 1;
      break;
    case 'relu':
      for (let i = 0; i < a.length; i++) if (a[i] < 0) a[i] = 0;
      break;
  }
}
