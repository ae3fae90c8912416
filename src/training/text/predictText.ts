/**
 * Scores rows with a saved text model (textModelStore.ts): the saved vocabularies pack the rows,
 * the saved encoders turn them into features, the saved LayersModel (trunk and heads) does the
 * rest. Nothing is refitted: a token the training split never had is out of vocabulary here too.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { basename, dirname, join } from 'node:path';
import { columnByName, type DataTable } from '../../core/table';
import type { TF } from '../backend';
import type { ModelMeta } from '../modelPlan';
import { transformRows } from '../preprocess';
import { TextEncoders } from './textEncoders';
import { TextPacker, TokenCache } from './textFeatures';
import { LAYERS_ENCODER_DIR, TOKENIZER_COPY_FILE, loadTextModel } from './textModelStore';
import { PieceTokenizer, TextModelError, wordTokenizer, type TextTokenizer } from './textTokenizer';
import { encoderIds, loadLayersEncoder } from './layersEncoder';
import { checkModelFolder } from './modelFolder';
import { modelFingerprint, requireTrust } from './pretrainedEncoder';
import { columnEmbeddings, type ColumnEmbeddings } from './pretrainedFeatures';
import { defaultTextContext, type TextRunContext } from './textContext';
import { cellText } from './trainLayers';

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

/** The workspace root a run's model folder lies in (<root>/.dataset-lab/runs/<id>/models/...), for the embedding cache. */
function workspaceRoot(folder: string): string {
  let dir = folder;
  while (dirname(dir) !== dir) {
    if (basename(dir) === '.dataset-lab') return dirname(dir);
    dir = dirname(dir);
  }
  return folder;
}

/**
 * Prepares scoring of every row of `table` with a saved text model: scratch encoders from
 * encoder.bin, a layers encoder from encoder/, pretrained embeddings computed now (the model
 * must still be where the run found it, with the same fingerprint).
 */
export async function textScorer(tf: TF, folder: string, meta: ModelMeta, model: tfjs.LayersModel, table: DataTable, ctx: TextRunContext = defaultTextContext()): Promise<TextScorer> {
  const { saved, weights } = loadTextModel(folder);
  const names = saved.pretrained ? saved.pretrained.columns.map((c) => c.name) : saved.layout.columns.map((c) => c.name);
  const missing = names.filter((n) => !columnByName(table, n));
  if (missing.length) throw new Error(`column "${missing[0]}" is missing; the ${meta.id} model reads the text column${names.length > 1 ? 's' : ''} ${names.join(', ')}`);
  const all = Int32Array.from({ length: table.rows }, (_, i) => i);
  const dense = transformRows(meta.preprocessing, table, all);
  const d = meta.preprocessing.outputs.length;
  const layout = saved.layout;
  const rows = table.rows;
  let fill: (r: number, x: Float32Array, at: number) => void;
  let encoders: TextEncoders | undefined;
  if (saved.pretrained) {
    const p = saved.pretrained;
    requireTrust(ctx, p.model);
    checkModelFolder(p.folder);
    const fingerprint = modelFingerprint(p.folder);
    if (fingerprint !== p.fingerprint) throw new TextModelError(p.folder, `the model's files changed since the run was trained (fingerprint ${fingerprint.slice(0, 12)}, the run used ${p.fingerprint.slice(0, 12)}); scores would not mean what the run measured`);
    const resolved = { ref: p.model, folder: p.folder, source: 'workspace' as const };
    const embeddings: ColumnEmbeddings[] = [];
    for (const c of p.columns) embeddings.push(await columnEmbeddings(resolved, fingerprint, table, table.name, c.name, saved.spec.maxTokens, saved.spec.batchSize, workspaceRoot(folder), ctx));
    fill = (r, x, at) =>
      p.columns.forEach((c, k) => {
        const v = embeddings[k].row(r);
        for (let j = 0; j < c.width; j++) x[at + c.offset + j] = (v[j] - c.center[j]) / c.scale[j];
      });
  } else if (saved.layers) {
    const enc = await loadLayersEncoder(tf, join(folder, LAYERS_ENCODER_DIR), saved.spec.maxTokens);
    encoders = new TextEncoders(tf, layout, 0, new Map(saved.layers.columns.map((name) => [name, { model: enc.model, freezeEpochs: 0 }])));
    fill = (r, x, at) => layout.columns.forEach((c) => encoderIds(enc.tokenizer, cellText(table, c.name, r), c.maxTokens, x, at + c.offset));
  } else {
    const tokenizer: TextTokenizer = saved.tokenizer === 'wordpiece' ? new PieceTokenizer(join(folder, TOKENIZER_COPY_FILE)) : wordTokenizer;
    encoders = new TextEncoders(tf, layout, 0);
    encoders.setWeights(weights);
    const cache = new TokenCache(tokenizer);
    const packers = layout.columns.map((c, k) => new TextPacker(saved.columns[k], c.encoder === 'conv' ? 'conv' : 'bag', saved.spec.pooling, c.maxTokens));
    fill = (r, x, at) => layout.columns.forEach((c, k) => packers[k].pack(cache.tokens(table, c.name, r), x, at + c.offset));
  }
  const enc = encoders;
  return {
    outputs: () => {
      const outs: Float32Array[] = meta.heads.map((h) => new Float32Array(rows * Math.max(1, h.classes.length)));
      const chunk = 1024;
      for (let s = 0; s < rows; s += chunk) {
        const e = Math.min(rows, s + chunk);
        const x = new Float32Array((e - s) * layout.inputs);
        for (let r = s; r < e; r++) {
          const at = (r - s) * layout.inputs;
          for (let j = 0; j < d; j++) x[at + j] = dense[r * d + j];
          fill(r, x, at);
        }
        tf.tidy(() => {
          const input = tf.tensor2d(x, [e - s, layout.inputs]);
          const features = enc ? enc.encode(input, false) : input;
          const raw = model.predict(features) as tfjs.Tensor | tfjs.Tensor[];
          (Array.isArray(raw) ? raw : [raw]).forEach((o, h) => outs[h].set(o.dataSync() as Float32Array, s * (o.shape[1] ?? 1)));
        });
      }
      return outs;
    },
    dispose: () => enc?.dispose(),
  };
}
