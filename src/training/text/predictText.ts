/**
 * Scores rows with a saved text model (textModelStore.ts): the saved vocabularies pack the rows,
 * the saved encoders turn them into features, the saved LayersModel (trunk and heads) does the
 * rest. Nothing is refitted: a token the training split never had is out of vocabulary here too.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { join } from 'node:path';
import { columnByName, type DataTable } from '../../core/table';
import type { TF } from '../backend';
import type { ModelMeta } from '../modelPlan';
import { transformRows } from '../preprocess';
import { TextEncoders } from './textEncoders';
import { TextPacker, TokenCache } from './textFeatures';
import { TOKENIZER_COPY_FILE, loadTextModel, type SavedTextModel } from './textModelStore';
import { PieceTokenizer, wordTokenizer, type TextTokenizer } from './textTokenizer';

/** The text columns a saved text model reads (for reading only the columns needed). */
export function textModelColumns(folder: string): string[] {
  try {
    return loadTextModel(folder).saved.layout.columns.map((c) => c.name);
  } catch {
    // Reported, with the file, when the model is loaded to score.
    return [];
  }
}

export interface TextScorer {
  /** Outputs per head for every row of the table (probabilities row by row, or values). */
  outputs(): ArrayLike<number>[];
  dispose(): void;
}

/** Encodes rows of `table` with a saved text model: packs, encodes, runs the saved trunk and heads. */
export function textScorer(tf: TF, folder: string, meta: ModelMeta, model: tfjs.LayersModel, table: DataTable): TextScorer {
  const { saved, weights } = loadTextModel(folder);
  const missing = saved.layout.columns.filter((c) => !columnByName(table, c.name));
  if (missing.length) throw new Error(`column "${missing[0].name}" is missing; the ${meta.id} model reads the text column${saved.layout.columns.length > 1 ? 's' : ''} ${saved.layout.columns.map((c) => c.name).join(', ')}`);
  const tokenizer: TextTokenizer = saved.tokenizer === 'wordpiece' ? new PieceTokenizer(join(folder, TOKENIZER_COPY_FILE)) : wordTokenizer;
  const encoders = new TextEncoders(tf, saved.layout, 0);
  encoders.setWeights(weights);
  return {
    outputs: () => packAndPredict(tf, saved, meta, model, encoders, tokenizer, table),
    dispose: () => encoders.dispose(),
  };
}

function packAndPredict(tf: TF, saved: SavedTextModel, meta: ModelMeta, model: tfjs.LayersModel, encoders: TextEncoders, tokenizer: TextTokenizer, table: DataTable): ArrayLike<number>[] {
  const all = Int32Array.from({ length: table.rows }, (_, i) => i);
  const dense = transformRows(meta.preprocessing, table, all);
  const d = meta.preprocessing.outputs.length;
  const layout = saved.layout;
  const cache = new TokenCache(tokenizer);
  const packers = saved.layout.columns.map((c, k) => new TextPacker(saved.columns[k], c.encoder === 'conv' ? 'conv' : 'bag', saved.spec.pooling, c.maxTokens));
  const chunk = 1024;
  const outs: Float32Array[] = meta.heads.map((h) => new Float32Array(table.rows * Math.max(1, h.classes.length)));
  for (let s = 0; s < table.rows; s += chunk) {
    const e = Math.min(table.rows, s + chunk);
    const x = new Float32Array((e - s) * layout.inputs);
    for (let r = s; r < e; r++) {
      const at = (r - s) * layout.inputs;
      for (let j = 0; j < d; j++) x[at + j] = dense[r * d + j];
      layout.columns.forEach((c, k) => packers[k].pack(cache.tokens(table, c.name, r), x, at + c.offset));
    }
    tf.tidy(() => {
      const features = encoders.encode(tf.tensor2d(x, [e - s, layout.inputs]), false);
      const raw = model.predict(features) as tfjs.Tensor | tfjs.Tensor[];
      (Array.isArray(raw) ? raw : [raw]).forEach((o, h) => outs[h].set(o.dataSync() as Float32Array, s * (o.shape[1] ?? 1)));
    });
  }
  return outs;
}
