/**
 * What a text model saves beside its model.json (the trunk and heads as a standard TF.js
 * LayersModel whose input is the encoded features): text.json (the fitted vocabularies, the
 * encoder layout and settings, the pretrained model's fingerprint), encoder.bin (the scratch
 * encoders' weights, float32 in text.json's order), tokenizer.json (a copy of the tokenizer a
 * wordpiece model used) and encoder/ (a trained layers encoder). `predict` reads them back with
 * loadTextModel; a missing or corrupt file is a TextModelError naming it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FittedTextColumn } from './textFeatures';
import type { EncoderWeight, TextLayout } from './textEncoders';
import type { TextSpec } from './textSpec';
import { readModelJson, TextModelError } from './textTokenizer';

export const TEXT_MODEL_FILE = 'text.json';
export const ENCODER_WEIGHTS_FILE = 'encoder.bin';
export const TOKENIZER_COPY_FILE = 'tokenizer.json';
export const LAYERS_ENCODER_DIR = 'encoder';

/** A pretrained encoder's embeddings of one column, standardised with the training rows' statistics. */
export interface SavedPretrainedColumn {
  readonly name: string;
  /** Dense feature columns it fills, from `offset`. */
  readonly offset: number;
  readonly width: number;
  readonly center: readonly number[];
  readonly scale: readonly number[];
}

export interface SavedTextModel {
  readonly format: 'dataset-lab-text';
  readonly version: 1;
  readonly spec: TextSpec;
  readonly layout: TextLayout;
  /** Scratch encoders: the vocabulary of each text column, fitted on the training split. */
  readonly columns: readonly FittedTextColumn[];
  /** Scratch encoders' weights in encoder.bin's order. */
  readonly weights: readonly EncoderWeight[];
  /** Tokenizer of the scratch encoders: the word tokenizer, or tokenizer.json in this folder. */
  readonly tokenizer: 'word' | 'wordpiece';
  /** Pretrained encoder: the model as the experiment named it, where it was found, and its fingerprint. */
  readonly pretrained?: { readonly model: string; readonly folder: string; readonly fingerprint: string; readonly columns: readonly SavedPretrainedColumn[] };
  /** Layers encoder: what was trained (saved under encoder/), per text column. */
  readonly layers?: { readonly model: string; readonly columns: readonly string[] };
  /** Dense feature columns before the text encodings: numeric and one-hot outputs, then pretrained embeddings. */
  readonly denseOutputs: number;
}

/** Reads text.json and encoder.bin of a model folder, checking them against each other. */
export function loadTextModel(folder: string): { saved: SavedTextModel; weights: Float32Array[] } {
  const file = join(folder, TEXT_MODEL_FILE);
  const saved = readModelJson(file) as unknown as SavedTextModel;
  if (saved.format !== 'dataset-lab-text' || saved.version !== 1 || !saved.layout || !Array.isArray(saved.columns) || !Array.isArray(saved.weights)) {
    throw new TextModelError(file, 'is not a Dataset Lab text model (format "dataset-lab-text", version 1)');
  }
  const weights: Float32Array[] = [];
  if (saved.weights.length) {
    const bin = join(folder, ENCODER_WEIGHTS_FILE);
    if (!existsSync(bin)) throw new TextModelError(bin, 'file not found (the text encoders\' weights); the run may not have finished writing it');
    const bytes = readFileSync(bin);
    const expected = saved.weights.reduce((a, w) => a + 4 * w.shape.reduce((p: number, q: number) => p * q, 1), 0);
    if (bytes.length !== expected) throw new TextModelError(bin, `holds ${bytes.length} bytes, but ${TEXT_MODEL_FILE} lists ${expected} (${saved.weights.length} weights); the file is truncated or from another model`);
    const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    let at = 0;
    for (const w of saved.weights) {
      const n = w.shape.reduce((p: number, q: number) => p * q, 1);
      weights.push(all.subarray(at, at + n));
      at += n;
    }
  }
  return { saved, weights };
}

/** encoder.bin's bytes: the weights one after another, float32 little-endian as TF.js writes them. */
export function encoderBytes(values: readonly Float32Array[]): Uint8Array {
  const total = values.reduce((a, v) => a + v.length, 0);
  const all = new Float32Array(total);
  let at = 0;
  for (const v of values) {
    all.set(v, at);
    at += v.length;
  }
  return new Uint8Array(all.buffer);
}
