/**
 * The front end of a text network: reads a batch of packed rows (the dense features, then each
 * text column's packed tokens, textFeatures.ts) and returns the features the trunk reads: the
 * dense features followed by each text column's encoding.
 *
 * - bag: an embedding per vocabulary id, summed with the packed weights (TF-IDF or mean
 *   pooling): PyTorch's EmbeddingBag with per-sample weights;
 * - conv: token embeddings, a 1-D convolution (kernelSize windows, `filters` outputs, ReLU) and
 *   the maximum over the windows that start on a token;
 * - layers: a TF.js LayersModel that maps token ids to a vector, frozen for the first
 *   `freezeEpochs` epochs (its gradient is cut, so Adam's moments stay zero and it does not move),
 *   then unfrozen all at once or layer by layer from the top (`unfreeze`, textSpec.ts
 *   unfrozenLayerCount): a layer still frozen has its weights marked not trainable, so the
 *   optimizer gets no gradient for them (tf.variableGrads gives null) and leaves them as they are.
 *
 * The same class encodes batches while training (tfjs autodiff) and when `predict` scores rows
 * with the weights saved in the run's model folder.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { TF } from '../backend';
import { Rng } from '../../core/random';
import { unfrozenLayerCount, type UnfreezeSchedule } from './textSpec';

export interface EncodedColumn {
  readonly name: string;
  readonly encoder: 'bag' | 'conv' | 'layers';
  /** First packed column of this text column in each input row. */
  readonly offset: number;
  readonly maxTokens: number;
  /** Encoding width (embedding, filters, or the layers model's output). */
  readonly outWidth: number;
  /** Ids the embedding covers (vocabulary + padding + out-of-vocabulary); layers: the model's. */
  readonly ids: number;
  readonly embedding: number;
  readonly kernelSize: number;
}

export interface TextLayout {
  /** Dense features (numeric, one-hot, pretrained embeddings) at the start of every row. */
  readonly dense: number;
  readonly columns: readonly EncodedColumn[];
  /** Width of a packed input row. */
  readonly inputs: number;
  /** Width of the features the trunk reads. */
  readonly features: number;
}

/** A named weight of an encoder, as saved (text.json lists names and shapes; encoder.bin the values). */
export interface EncoderWeight {
  readonly name: string;
  readonly shape: number[];
}

/** A layers encoder of a text column: the model, its frozen epochs and how it unfreezes (default "all"). */
export interface LayersEntry {
  readonly model: tfjs.LayersModel;
  readonly freezeEpochs: number;
  readonly unfreeze?: UnfreezeSchedule;
}

/** A layer of a layers encoder that has trainable weights (they are listed bottom, the input side, first). */
interface WeightedLayer {
  readonly name: string;
  readonly weights: readonly tfjs.LayerVariable[];
}

export class TextEncoders {
  /** Per column: its variables (embedding; conv kernels and bias). Layers encoders keep theirs in the model. */
  private readonly vars: tfjs.Variable[][] = [];
  /** Per layers model: its layers with trainable weights as loaded, bottom first (the ones a schedule unfreezes). */
  private readonly weighted = new Map<tfjs.LayersModel, { readonly entry: LayersEntry; readonly layers: readonly WeightedLayer[] }>();
  private epochNow = 1;

  constructor(
    readonly tf: TF,
    readonly layout: TextLayout,
    seed: number,
    /** layers encoders by column name, their frozen epochs and unfreeze schedule. */
    readonly layersModels: ReadonlyMap<string, LayersEntry> = new Map(),
  ) {
    for (const entry of layersModels.values()) {
      if (this.weighted.has(entry.model)) continue;
      const layers = entry.model.layers.map((l) => ({ name: l.name, weights: l.trainableWeights })).filter((l) => l.weights.length > 0);
      this.weighted.set(entry.model, { entry, layers });
    }
    this.applySchedule();
    const rng = new Rng(seed ^ 0x7e47);
    const uniform = (n: number, limit: number) => {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * limit;
      return a;
    };
    for (const c of layout.columns) {
      const vars: tfjs.Variable[] = [];
      if (c.encoder === 'bag' || c.encoder === 'conv') {
        // Unit variance (nn.Embedding's N(0, 1) spread): a TF-IDF-weighted sum of unit-norm weights keeps it.
        const emb = uniform(c.ids * c.embedding, Math.sqrt(3));
        emb.fill(0, 0, c.embedding);
        vars.push(tf.variable(tf.tensor2d(emb, [c.ids, c.embedding]), true));
      }
      if (c.encoder === 'conv') {
        const limit = 1 / Math.sqrt(c.kernelSize * c.embedding);
        for (let j = 0; j < c.kernelSize; j++) vars.push(tf.variable(tf.tensor2d(uniform(c.embedding * c.outWidth, limit), [c.embedding, c.outWidth]), true));
        vars.push(tf.variable(tf.tensor1d(uniform(c.outWidth, limit)), true));
      }
      this.vars.push(vars);
    }
  }

  /** 1-based epoch now training: encoders with freezeEpochs >= it pass no gradient; setting it applies the unfreeze schedules. */
  get epoch(): number {
    return this.epochNow;
  }

  set epoch(e: number) {
    this.epochNow = e;
    this.applySchedule();
  }

  /** Marks each layers encoder's weighted layers trainable or not for the current epoch, the top ones first. */
  private applySchedule(): void {
    for (const { entry, layers } of this.weighted.values()) {
      const open = unfrozenLayerCount(this.epochNow, entry.freezeEpochs, entry.unfreeze ?? 'all', layers.length);
      layers.forEach((l, i) => {
        for (const w of l.weights) w.trainable = i >= layers.length - open;
      });
    }
  }

  /** The layers models, each once (text columns may share one). */
  private models(): tfjs.LayersModel[] {
    return [...this.weighted.keys()];
  }

  /**
   * Every trainable variable of the scratch encoders and of the layers models (those a schedule
   * has not unfrozen yet included: the training loop takes this list once).
   */
  variables(): tfjs.Variable[] {
    const own = this.vars.flat();
    const models = [...this.weighted.values()].flatMap(({ layers }) => layers.flatMap((l) => l.weights.map((w) => w.read() as tfjs.Variable)));
    return [...own, ...models];
  }

  /** Weights of the scratch encoders in save order, named by column and part ("text/embedding", "text/conv_0"). */
  weights(): { spec: EncoderWeight; variable: tfjs.Variable }[] {
    return this.layout.columns.flatMap((c, k) =>
      this.vars[k].map((v, j) => ({ spec: { name: `${c.name}/${j === 0 ? 'embedding' : j === this.vars[k].length - 1 ? 'conv_bias' : `conv_${j - 1}`}`, shape: v.shape }, variable: v })),
    );
  }

  /** Replaces the scratch encoders' weights (loading a saved model), in weights() order. */
  setWeights(values: readonly Float32Array[]): void {
    this.vars.flat().forEach((v, i) => {
      const t = this.tf.tensor(values[i], v.shape);
      v.assign(t);
      t.dispose();
    });
  }

  /** The features of a batch of packed rows: [b, layout.features]. */
  encode(x: tfjs.Tensor2D, training: boolean): tfjs.Tensor2D {
    const tf = this.tf;
    const b = x.shape[0];
    const parts: tfjs.Tensor2D[] = [];
    if (this.layout.dense > 0) parts.push(tf.slice(x, [0, 0], [b, this.layout.dense]));
    this.layout.columns.forEach((c, k) => {
      const L = c.maxTokens;
      const ids = tf.cast(tf.slice(x, [0, c.offset], [b, L]), 'int32') as tfjs.Tensor2D;
      if (c.encoder === 'bag') {
        parts.push(this.bag(x, c, this.vars[k][0]));
      } else if (c.encoder === 'conv') {
        const [emb, ...rest] = this.vars[k];
        const bias = rest[rest.length - 1];
        const kernels = rest.slice(0, -1);
        const seq = tf.reshape(tf.gather(emb, tf.reshape(ids, [b * L])), [b, L, c.embedding]);
        const P = L - c.kernelSize + 1;
        let h: tfjs.Tensor2D | null = null;
        for (let j = 0; j < c.kernelSize; j++) {
          const window = tf.reshape(tf.slice(seq, [0, j, 0], [b, P, c.embedding]), [b * P, c.embedding]) as tfjs.Tensor2D;
          const term: tfjs.Tensor2D = tf.matMul(window, kernels[j] as tfjs.Tensor2D);
          h = h ? (tf.add(h, term) as tfjs.Tensor2D) : term;
        }
        const act = tf.reshape(tf.relu(tf.add(h as tfjs.Tensor2D, bias)), [b, P, c.outWidth]);
        // Windows that start on padding are left out; ReLU outputs are >= 0, so zeroing them does.
        const starts = tf.cast(tf.notEqual(tf.slice(ids, [0, 0], [b, P]), 0), 'float32');
        parts.push(tf.max(tf.mul(act, tf.expandDims(starts, 2)), 1) as tfjs.Tensor2D);
      } else {
        const entry = this.layersModels.get(c.name);
        if (!entry) throw new Error(`no layers model loaded for text column "${c.name}"`);
        const out = entry.model.apply(ids, { training }) as tfjs.Tensor;
        const flat = tf.reshape(out, [b, c.outWidth]) as tfjs.Tensor2D;
        parts.push(training && this.epoch <= entry.freezeEpochs ? this.frozen(flat) : flat);
      }
    });
    return parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tfjs.Tensor2D);
  }

  /**
   * The weighted sum of each row's token embeddings, as one op written in JavaScript: tfjs ops
   * would materialise a [rows, maxTokens, embedding] tensor (gather, broadcast multiply, reduce)
   * and scatter it back for the gradient, about ten times the work of these two loops over the
   * packed (id, weight) pairs. The gradient is the embedding's: each pair adds its weight times
   * its row's upstream gradient to its token's row.
   */
  private bag(x: tfjs.Tensor2D, c: EncodedColumn, emb: tfjs.Variable): tfjs.Tensor2D {
    const tf = this.tf;
    const b = x.shape[0];
    const width = x.shape[1];
    const L = c.maxTokens;
    const dim = c.embedding;
    const packed = x.dataSync() as Float32Array;
    const op = tf.customGrad(((e: tfjs.Tensor) => {
      const table = e.dataSync() as Float32Array;
      const out = new Float32Array(b * dim);
      for (let r = 0; r < b; r++) {
        const at = r * width + c.offset;
        const o = r * dim;
        for (let j = 0; j < L; j++) {
          const w = packed[at + L + j];
          if (w === 0) continue;
          const from = packed[at + j] * dim;
          for (let d = 0; d < dim; d++) out[o + d] += w * table[from + d];
        }
      }
      return {
        value: tf.tensor2d(out, [b, dim]),
        gradFunc: (dy: tfjs.Tensor) => {
          const g = dy.dataSync() as Float32Array;
          const grad = new Float32Array(c.ids * dim);
          for (let r = 0; r < b; r++) {
            const at = r * width + c.offset;
            const o = r * dim;
            for (let j = 0; j < L; j++) {
              const w = packed[at + L + j];
              if (w === 0) continue;
              const to = packed[at + j] * dim;
              for (let d = 0; d < dim; d++) grad[to + d] += w * g[o + d];
            }
          }
          return tf.tensor2d(grad, [c.ids, dim]);
        },
      };
    }) as unknown as Parameters<TF['customGrad']>[0]);
    return op(emb) as tfjs.Tensor2D;
  }

  /** `t` with its gradient cut: while frozen, the encoder beneath gets zeros and does not move. */
  private frozen(t: tfjs.Tensor2D): tfjs.Tensor2D {
    const tf = this.tf;
    const op = tf.customGrad(((v: tfjs.Tensor) => ({ value: tf.clone(v), gradFunc: (dy: tfjs.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<TF['customGrad']>[0]);
    return op(t) as tfjs.Tensor2D;
  }

  /**
   * Convolution kernels, L2-penalised like the dense kernels. Embeddings are not: a row absent
   * from a batch would get the penalty's gradient alone, which Adam scales up to full steps.
   */
  kernels(): tfjs.Variable[] {
    return this.layout.columns.flatMap((c, k) => (c.encoder === 'conv' ? this.vars[k].slice(1, -1) : []));
  }

  dispose(): void {
    for (const v of this.vars.flat()) if (!v.isDisposed) v.dispose();
    for (const model of this.models()) model.dispose();
  }
}
