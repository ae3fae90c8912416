/**
 * The MLP as plain TensorFlow.js variables: a shared trunk and one or more heads. Training
 * uses these directly (a custom optimizer.minimize loop, see trainLoop.ts); for saving, the
 * weights are copied into an equivalent tf.LayersModel so runs hold standard TF.js models.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from './backend';
import type { Task } from '../protocol/runFolder/contract';
import type { Activation } from './experiment';
import { Rng } from '../core/random';

export interface HeadSpec {
  /** Dataset name (multihead) or "label" (single-head models). */
  readonly name: string;
  readonly task: Task;
  /** Output units: number of classes, or 1 for regression. */
  readonly units: number;
}

export interface NetworkSpec {
  /** Width of the input rows the network is given. */
  readonly inputs: number;
  /**
   * Width the trunk sees when a front end (a text encoder, text/textNetwork.ts) turns the input
   * rows into features first; default `inputs`. Saved models take these features as input.
   */
  readonly trunkInputs?: number;
  readonly trunk: readonly number[];
  readonly headHidden: readonly number[];
  readonly heads: readonly HeadSpec[];
  readonly activation: Activation;
  readonly dropout: number;
}

interface Dense {
  readonly w: tfjs.Variable;
  readonly b: tfjs.Variable;
}

/**
 * Initial weights and biases uniform in +-1/sqrt(fan_in), PyTorch's default for nn.Linear
 * (Kaiming-uniform with a = sqrt(5)), drawn from our own seeded generator so they are
 * identical on every backend. Glorot-uniform with zero biases trained measurably worse on
 * small regression data (bench/RESULTS.md).
 */
function initLayer(tf: TF, rng: Rng, fanIn: number, fanOut: number): Dense {
  const limit = 1 / Math.sqrt(fanIn);
  const values = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < values.length; i++) values[i] = (rng.next() * 2 - 1) * limit;
  const bias = new Float32Array(fanOut);
  for (let i = 0; i < fanOut; i++) bias[i] = (rng.next() * 2 - 1) * limit;
  return {
    w: tf.variable(tf.tensor2d(values, [fanIn, fanOut]), true),
    b: tf.variable(tf.tensor1d(bias), true),
  };
}

export class Network {
  readonly trunk: Dense[] = [];
  /** Per head: hidden layers then its output layer. Empty when the heads share `out`. */
  readonly heads: Dense[][] = [];
  /**
   * Without head hidden layers, all heads' output layers are one dense layer whose columns are
   * the heads side by side (fewer kernels per step); `offsets[k]` is head k's first column.
   */
  readonly out: Dense | null = null;
  readonly offsets: number[] = [];
  readonly width: number;
  /** Increments per training forward pass so every dropout mask differs, reproducibly. */
  private dropoutStep = 0;

  constructor(
    readonly tf: TF,
    readonly spec: NetworkSpec,
    private readonly seed: number,
  ) {
    const rng = new Rng(seed);
    let width = spec.trunkInputs ?? spec.inputs;
    spec.trunk.forEach((units) => {
      this.trunk.push(initLayer(tf, rng, width, units));
      width = units;
    });
    const trunkWidth = width;
    let offset = 0;
    for (const h of spec.heads) {
      this.offsets.push(offset);
      offset += h.units;
    }
    this.width = offset;
    if (spec.headHidden.length === 0) {
      // Each head's block drawn as its own layer would be, then laid side by side.
      const values = new Float32Array(trunkWidth * offset);
      const bias = new Float32Array(offset);
      const limit = 1 / Math.sqrt(trunkWidth);
      spec.heads.forEach((h, k) => {
        for (let i = 0; i < trunkWidth; i++) for (let c = 0; c < h.units; c++) values[i * offset + this.offsets[k] + c] = (rng.next() * 2 - 1) * limit;
        for (let c = 0; c < h.units; c++) bias[this.offsets[k] + c] = (rng.next() * 2 - 1) * limit;
      });
      this.out = { w: tf.variable(tf.tensor2d(values, [trunkWidth, offset]), true), b: tf.variable(tf.tensor1d(bias), true) };
      return;
    }
    spec.heads.forEach((h) => {
      const layers: Dense[] = [];
      let w = trunkWidth;
      spec.headHidden.forEach((units) => {
        layers.push(initLayer(tf, rng, w, units));
        w = units;
      });
      layers.push(initLayer(tf, rng, w, h.units));
      this.heads.push(layers);
    });
  }

  private layers(): Dense[] {
    return [...this.trunk, ...(this.out ? [this.out] : []), ...this.heads.flat()];
  }

  variables(): tfjs.Variable[] {
    return this.layers().flatMap((d) => [d.w, d.b]);
  }

  /** Kernel variables only (the L2 penalty skips biases). */
  kernels(): tfjs.Variable[] {
    return this.layers().map((d) => d.w);
  }

  private act(x: tfjs.Tensor2D): tfjs.Tensor2D {
    switch (this.spec.activation) {
      case 'relu':
        return this.tf.relu(x);
      case 'tanh':
        return this.tf.tanh(x);
      case 'sigmoid':
        return this.tf.sigmoid(x);
      case 'elu':
        return this.tf.elu(x);
    }
  }

  /**
   * x . w with a hand-written gradient: the WASM backend's transposed matMul kernels are 3-10x
   * slower than an explicit transpose followed by a plain matMul (measured; see bench/RESULTS.md).
   */
  private matMul(x: tfjs.Tensor2D, w: tfjs.Tensor2D): tfjs.Tensor2D {
    const tf = this.tf;
    const op = tf.customGrad(((a: tfjs.Tensor, b: tfjs.Tensor, save: tfjs.GradSaveFunc) => {
      save([a, b]);
      return {
        value: tf.matMul(a as tfjs.Tensor2D, b as tfjs.Tensor2D),
        gradFunc: (dy: tfjs.Tensor, saved: tfjs.Tensor[]) => {
          const [sa, sb] = saved as tfjs.Tensor2D[];
          return [tf.matMul(dy as tfjs.Tensor2D, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy as tfjs.Tensor2D)];
        },
      };
    }) as unknown as Parameters<TF["customGrad"]>[0]);
    return op(x, w) as tfjs.Tensor2D;
  }

  private hidden(x: tfjs.Tensor2D, d: Dense, training: boolean): tfjs.Tensor2D {
    const tf = this.tf;
    let h = this.act(tf.add(this.matMul(x, d.w as tfjs.Tensor2D), d.b));
    if (training && this.spec.dropout > 0) {
      const keep = 1 - this.spec.dropout;
      const mask = tf.step(tf.sub(tf.randomUniform(h.shape, 0, 1, 'float32', this.seed * 7919 + ++this.dropoutStep), this.spec.dropout));
      h = tf.mul(h, tf.mul(mask, 1 / keep));
    }
    return h;
  }

  /** The features the trunk reads from an input batch: the batch itself unless a subclass encodes it. */
  protected frontEnd(x: tfjs.Tensor2D, _training: boolean): tfjs.Tensor2D {
    return x;
  }

  /** Raw outputs (logits or standardised regression values) of all heads side by side: n x width. */
  forward(x: tfjs.Tensor2D, training: boolean): tfjs.Tensor2D {
    const tf = this.tf;
    let h = this.frontEnd(x, training);
    for (const d of this.trunk) h = this.hidden(h, d, training);
    if (this.out) return tf.add(this.matMul(h, this.out.w as tfjs.Tensor2D), this.out.b);
    const outs = this.heads.map((layers) => {
      let z = h;
      for (let i = 0; i < layers.length - 1; i++) z = this.hidden(z, layers[i], training);
      const out = layers[layers.length - 1];
      return tf.add(this.matMul(z, out.w as tfjs.Tensor2D), out.b) as tfjs.Tensor2D;
    });
    return outs.length === 1 ? outs[0] : tf.concat(outs, 1);
  }

  snapshot(): tfjs.Tensor[] {
    return this.variables().map((v) => v.clone());
  }

  restore(saved: readonly tfjs.Tensor[]): void {
    this.variables().forEach((v, i) => v.assign(saved[i]));
  }

  dispose(): void {
    for (const v of this.variables()) v.dispose();
  }

  /**
   * An equivalent tf.LayersModel for saving: softmax on classification heads, and regression
   * heads rescaled to label units (`targetScale[k]` = [mean, std] of head k's label).
   */
  toLayersModel(targetScale: readonly ([number, number] | null)[]): tfjs.LayersModel {
    const tf = this.tf;
    const input = tf.input({ shape: [this.spec.trunkInputs ?? this.spec.inputs], name: 'features' });
    let h: tfjs.SymbolicTensor = input;
    const assignments: [tfjs.layers.Layer, tfjs.Tensor[]][] = [];
    const denseWith = (x: tfjs.SymbolicTensor, w: tfjs.Tensor, b: tfjs.Tensor, units: number, activation: string, name: string) => {
      const layer = tf.layers.dense({ units, activation: activation as 'relu', name });
      const y = layer.apply(x) as tfjs.SymbolicTensor;
      assignments.push([layer, [w, b]]);
      return y;
    };
    const dense = (x: tfjs.SymbolicTensor, d: Dense, units: number, activation: string, name: string) =>
      denseWith(x, d.w, d.b, units, activation, name);
    this.trunk.forEach((d, i) => {
      h = dense(h, d, this.spec.trunk[i], this.spec.activation, `trunk_${i}`);
    });
    const outputs: tfjs.SymbolicTensor[] = [];
    const extra: tfjs.Tensor[] = [];
    this.spec.heads.forEach((head, k) => {
      let z = h;
      let out: { w: tfjs.Tensor; b: tfjs.Tensor };
      if (this.out) {
        // This head's columns of the shared output layer.
        out = { w: tf.slice(this.out.w, [0, this.offsets[k]], [-1, head.units]), b: tf.slice(this.out.b, [this.offsets[k]], [head.units]) };
        extra.push(out.w, out.b);
      } else {
        const layers = this.heads[k];
        for (let i = 0; i < layers.length - 1; i++) z = dense(z, layers[i], this.spec.headHidden[i], this.spec.activation, `head_${k}_${i}`);
        out = layers[layers.length - 1];
      }
      const scale = targetScale[k];
      if (head.task === 'regression' && scale) {
        const w = tf.mul(out.w, scale[1]);
        const b = tf.add(tf.mul(out.b, scale[1]), scale[0]);
        extra.push(w, b);
        outputs.push(denseWith(z, w, b, head.units, 'linear', `out_${k}`));
      } else {
        outputs.push(denseWith(z, out.w, out.b, head.units, head.task === 'classification' ? 'softmax' : 'linear', `out_${k}`));
      }
    });
    const model = tf.model({ inputs: input, outputs });
    for (const [layer, w] of assignments) layer.setWeights(w);
    for (const t of extra) t.dispose();
    return model;
  }
}
