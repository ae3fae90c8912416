/**
 * The experiment file's `text` section: how text feature columns (src/core/table.ts, TextColumn)
 * become numbers. Validated here with JSON-path errors; experiment.ts calls resolveTextSpec.
 *
 * - encoder "bag": token embeddings pooled per cell (TF-IDF weighted by default), trained from scratch;
 * - encoder "conv": token embeddings, a 1-D convolution and max pooling over positions, from scratch;
 * - encoder "pretrained": a sentence-embedding model (ONNX, through @huggingface/transformers),
 *   frozen; its embeddings are computed once and the trunk and heads train on them;
 * - encoder "layers": a TF.js LayersModel (model.json + weights) from the workspace, trained with
 *   the heads after `freezeEpochs` epochs during which only the heads learn; `unfreeze` says
 *   whether its layers then all learn at once ("all") or one by one, the top layer first, one
 *   more every `everyEpochs` epochs (gradual unfreezing, as ULMFiT fine-tunes).
 */
import { dirname, resolve } from 'node:path';
import { confinementProblem } from '../../core/paths';

export type TextEncoderKind = 'bag' | 'conv' | 'pretrained' | 'layers';
export type TextTokenizerKind = 'word' | 'wordpiece';
export type TextPooling = 'tfidf' | 'mean';
/** layers: "all" unfreezes every layer after freezeEpochs; everyEpochs: the top layer, then one more layer down every K epochs. */
export type UnfreezeSchedule = 'all' | { readonly everyEpochs: number };

export interface TextSpec {
  readonly encoder: TextEncoderKind;
  /** word: lower-cased runs of letters and digits (src/core/text/tokens.ts); wordpiece: a tokenizer.json (WordPiece, BPE, Unigram). */
  readonly tokenizer: TextTokenizerKind;
  /** tokenizer.json for "wordpiece" with a scratch encoder (as written, relative to the experiment). */
  readonly tokenizerFile?: string;
  /** The most frequent tokens of the training split kept per text column; the others are out of vocabulary. */
  readonly maxVocabulary: number;
  /** Tokens in fewer training cells than this are out of vocabulary. */
  readonly minCount: number;
  /** Tokens read per cell (bag: distinct tokens, the highest-weighted kept; conv and layers: the first ones). */
  readonly maxTokens: number;
  /** Embedding width of scratch encoders. */
  readonly embedding: number;
  readonly pooling: TextPooling;
  /** conv: filters and window width. */
  readonly filters: number;
  readonly kernelSize: number;
  /** pretrained / layers: a folder in the workspace, or (pretrained) a model id from the local model cache. */
  readonly model?: string;
  /** layers: epochs during which the encoder is frozen (only trunk and heads learn). */
  readonly freezeEpochs: number;
  /** layers: how the encoder's layers unfreeze after freezeEpochs (unfrozenLayerCount). */
  readonly unfreeze: UnfreezeSchedule;
  /** pretrained: texts embedded per batch. */
  readonly batchSize: number;
}

export const TEXT_KEYS = ['encoder', 'tokenizer', 'tokenizerFile', 'maxVocabulary', 'minCount', 'maxTokens', 'embedding', 'pooling', 'filters', 'kernelSize', 'model', 'freezeEpochs', 'unfreeze', 'batchSize'] as const;

export const DEFAULT_TEXT_SPEC: TextSpec = {
  encoder: 'bag',
  tokenizer: 'word',
  maxVocabulary: 20000,
  minCount: 1,
  maxTokens: 256,
  embedding: 64,
  pooling: 'tfidf',
  filters: 64,
  kernelSize: 3,
  freezeEpochs: 0,
  unfreeze: 'all',
  batchSize: 32,
};

/**
 * How many of a layers encoder's weighted layers learn in `epoch` (1-based), counted from the
 * top (the layer nearest the output): none while frozen (epoch <= freezeEpochs), then all
 * ("all"), or the top one in the first epoch after, and one more every `everyEpochs` epochs.
 */
export function unfrozenLayerCount(epoch: number, freezeEpochs: number, unfreeze: UnfreezeSchedule, layers: number): number {
  if (epoch <= freezeEpochs) return 0;
  if (unfreeze === 'all') return layers;
  return Math.min(layers, 1 + Math.floor((epoch - freezeEpochs - 1) / unfreeze.everyEpochs));
}

/** Hugging Face style model ids: `name` or `org/name` of letters, digits, ".", "_", "-". */
export const MODEL_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

type Add = (path: string, message: string) => void;

/**
 * Resolves `$.text` (undefined when absent: defaults apply if the data has text features).
 * `experimentFile` and `root` place workspace paths; a model or tokenizer path must stay inside the root.
 */
export function resolveTextSpec(raw: unknown, add: Add, experimentFile: string, root: string): TextSpec | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    add('$.text', 'must be an object');
    return undefined;
  }
  const t = raw as Record<string, unknown>;
  for (const k of Object.keys(t)) if (!(TEXT_KEYS as readonly string[]).includes(k)) add(`$.text.${k}`, `unknown property "${k}" (allowed: ${TEXT_KEYS.join(', ')})`);
  const oneOf = <T extends string>(key: string, values: readonly T[], dflt: T): T => {
    const v = t[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !values.includes(v as T)) {
      add(`$.text.${key}`, `must be one of ${values.map((x) => `"${x}"`).join(', ')}, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v as T;
  };
  const int = (key: string, dflt: number, min: number, max: number): number => {
    const v = t[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      add(`$.text.${key}`, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v;
  };
  const str = (key: string): string | undefined => {
    const v = t[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0) {
      add(`$.text.${key}`, 'must be a non-empty string');
      return undefined;
    }
    return v;
  };
  const unfreeze = (): UnfreezeSchedule => {
    const v = t.unfreeze;
    if (v === undefined || v === 'all') return 'all';
    const what = '"all" (every layer at once after freezeEpochs) or {"everyEpochs": K} (the top layer first, one more layer every K epochs)';
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      add('$.text.unfreeze', `must be ${what}, got ${JSON.stringify(v)}`);
      return 'all';
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (k !== 'everyEpochs') add(`$.text.unfreeze.${k}`, `unknown property "${k}" (allowed: everyEpochs)`);
    const k = o.everyEpochs;
    if (k === undefined) {
      add('$.text.unfreeze.everyEpochs', `is required: unfreeze must be ${what}`);
      return 'all';
    }
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > 100_000) {
      add('$.text.unfreeze.everyEpochs', `must be an integer from 1 to 100000, got ${JSON.stringify(k)}`);
      return 'all';
    }
    return { everyEpochs: k };
  };
  const encoder = oneOf<TextEncoderKind>('encoder', ['bag', 'conv', 'pretrained', 'layers'], DEFAULT_TEXT_SPEC.encoder);
  const tokenizer = oneOf<TextTokenizerKind>('tokenizer', ['word', 'wordpiece'], encoder === 'pretrained' || encoder === 'layers' ? 'wordpiece' : 'word');
  const tokenizerFile = str('tokenizerFile');
  const model = str('model');
  const spec: TextSpec = {
    encoder,
    tokenizer,
    ...(tokenizerFile !== undefined ? { tokenizerFile } : {}),
    maxVocabulary: int('maxVocabulary', DEFAULT_TEXT_SPEC.maxVocabulary, 2, 1_000_000),
    minCount: int('minCount', DEFAULT_TEXT_SPEC.minCount, 1, 1_000_000),
    maxTokens: int('maxTokens', DEFAULT_TEXT_SPEC.maxTokens, 1, 4096),
    embedding: int('embedding', DEFAULT_TEXT_SPEC.embedding, 1, 1024),
    pooling: oneOf<TextPooling>('pooling', ['tfidf', 'mean'], DEFAULT_TEXT_SPEC.pooling),
    filters: int('filters', DEFAULT_TEXT_SPEC.filters, 1, 1024),
    kernelSize: int('kernelSize', DEFAULT_TEXT_SPEC.kernelSize, 1, 15),
    ...(model !== undefined ? { model } : {}),
    freezeEpochs: int('freezeEpochs', DEFAULT_TEXT_SPEC.freezeEpochs, 0, 100_000),
    unfreeze: unfreeze(),
    batchSize: int('batchSize', DEFAULT_TEXT_SPEC.batchSize, 1, 4096),
  };
  const needsModel = encoder === 'pretrained' || encoder === 'layers';
  if (needsModel && model === undefined) add('$.text.model', `"encoder": "${encoder}" needs "model": a folder in the workspace${encoder === 'pretrained' ? ' or a model id from the local model cache' : ''}`);
  if (!needsModel && model !== undefined) add('$.text.model', `applies to "encoder": "pretrained" or "layers" only (this encoder is "${encoder}")`);
  if (encoder !== 'layers' && t.freezeEpochs !== undefined) add('$.text.freezeEpochs', `applies to "encoder": "layers" only (this encoder is "${encoder}")`);
  if (encoder !== 'layers' && t.unfreeze !== undefined) add('$.text.unfreeze', `applies to "encoder": "layers" only (this encoder is "${encoder}")`);
  if (encoder !== 'bag' && t.pooling !== undefined) add('$.text.pooling', `applies to "encoder": "bag" only (this encoder is "${encoder}")`);
  if (encoder !== 'conv' && (t.filters !== undefined || t.kernelSize !== undefined)) add(`$.text.${t.filters !== undefined ? 'filters' : 'kernelSize'}`, `applies to "encoder": "conv" only (this encoder is "${encoder}")`);
  if (needsModel && t.tokenizer === 'word') add('$.text.tokenizer', `"encoder": "${encoder}" reads its model's own tokenizer.json; leave "tokenizer" out`);
  if (needsModel && tokenizerFile !== undefined) add('$.text.tokenizerFile', `"encoder": "${encoder}" reads its model's own tokenizer.json; leave "tokenizerFile" out`);
  if (!needsModel && tokenizer === 'wordpiece' && tokenizerFile === undefined) add('$.text.tokenizerFile', '"tokenizer": "wordpiece" with a scratch encoder needs "tokenizerFile": a tokenizer.json in the workspace');
  if (tokenizer === 'word' && tokenizerFile !== undefined) add('$.text.tokenizerFile', 'applies to "tokenizer": "wordpiece" only');
  const base = dirname(resolve(experimentFile));
  for (const [key, value] of [['tokenizerFile', tokenizerFile], ['model', model]] as const) {
    if (value === undefined) continue;
    if (key === 'model' && encoder === 'pretrained' && !looksLikePath(value) && MODEL_ID_RE.test(value)) continue;
    const outside = confinementProblem(root, resolve(base, value), value);
    if (outside) add(`$.text.${key}`, `${outside}; model and tokenizer files must stay inside it`);
  }
  return spec;
}

/** A model reference written as a path (./x, ../x, /x, x\y, C:...) rather than an id. */
export function looksLikePath(ref: string): boolean {
  return /^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:)/.test(ref) || ref.includes('\\') || ref === '.' || ref === '..';
}
