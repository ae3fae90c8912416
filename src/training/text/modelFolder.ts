/**
 * The files of a text encoder an experiment names (`text.model`), checked without loading a
 * model: where the name leads (a folder, or a model id in the local model cache), whether a
 * pretrained folder holds config.json, tokenizer.json and onnx/model.onnx, and whether a TF.js
 * layers folder holds a model.json whose weightsManifest names weight files that exist with the
 * bytes it lists. The trainer runs these checks before loading (pretrainedEncoder.ts,
 * layersEncoder.ts) and the language server runs the same ones on the experiment file, so both
 * say the same thing in the same words. Pure: file system and @huggingface/tokenizers only, no
 * TF.js, no ONNX Runtime. Every problem is a TextModelError naming the file.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { realPath } from '../../core/paths';
import { MODEL_ID_RE, looksLikePath, type TextEncoderKind } from './textSpec';
import { PieceTokenizer, TextModelError, readModelJson } from './textTokenizer';

export const ONNX_MODEL_FILE = join('onnx', 'model.onnx');

/** Where `text.model` leads: a folder (absolute, as written: links not yet resolved), or a model id and its folder in the cache. */
export type ModelLocation = { readonly kind: 'folder'; readonly path: string } | { readonly kind: 'id'; readonly id: string; readonly cached: string };

/**
 * A pretrained encoder's `model` is a folder when written as a path, when such a folder (or
 * file) exists beside the experiment, or when it is not a model id; otherwise a model id of the
 * local cache (`<cache>/<org>/<name>/`). A layers encoder's is always a folder.
 */
export function locateTextModel(ref: string, encoder: TextEncoderKind, experimentFile: string, modelCache: string): ModelLocation {
  const local = resolve(dirname(experimentFile), ref);
  if (encoder !== 'pretrained' || looksLikePath(ref) || existsSync(local) || !MODEL_ID_RE.test(ref)) return { kind: 'folder', path: local };
  return { kind: 'id', id: ref, cached: join(modelCache, ref) };
}

/** A model id's cached copy is there (its config.json): the loader reads it from the cache. */
export function isCached(location: { readonly cached: string }): boolean {
  return existsSync(join(location.cached, 'config.json'));
}

/** The trainer's words for a model id that is not cached while downloads are off. */
export function notCachedMessage(cached: string): string {
  return `model id not found in the local model cache (${cached}) and downloading is off; put the model's folder in the workspace and name it in "model", copy it to ${cached}, or allow downloads (CLI: run --allow-model-download; VS Code: the datasetLab.text.allowModelDownload setting, in a trusted workspace)`;
}

/** A pretrained model folder in the workspace: it exists, is a folder and holds the model's files; its real path (links resolved). */
export function checkPretrainedFolderAt(local: string): string {
  if (!existsSync(local)) throw new TextModelError(local, 'model folder not found');
  if (!statSync(local).isDirectory()) throw new TextModelError(local, 'is not a folder (a pretrained model is a folder with config.json, tokenizer.json and onnx/model.onnx)');
  const folder = realPath(local);
  checkModelFolder(folder);
  return folder;
}

/** Checks the files the loader needs, naming the first that is missing or broken. */
export function checkModelFolder(folder: string): void {
  const config = readModelJson(join(folder, 'config.json'));
  if (typeof config.model_type !== 'string') throw new TextModelError(join(folder, 'config.json'), 'has no "model_type" (e.g. "bert"); it is not a Hugging Face model config');
  new PieceTokenizer(join(folder, 'tokenizer.json'));
  const onnx = join(folder, ONNX_MODEL_FILE);
  if (!existsSync(onnx)) throw new TextModelError(onnx, 'file not found (the model\'s ONNX graph; export it with optimum or torch.onnx)');
  if (statSync(onnx).size < 16) throw new TextModelError(onnx, 'is empty or truncated');
}

/** One weight tensor of a TF.js weightsManifest group. */
export interface LayersWeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: string;
}

/** A TF.js layers folder whose files check out: model.json, its weight files (in manifest order) and the tokenizer. */
export interface LayersFolder {
  readonly file: string;
  readonly modelTopology: object;
  readonly weightSpecs: LayersWeightSpec[];
  readonly weightFiles: string[];
  readonly tokenizer: PieceTokenizer;
}

/**
 * A layers encoder's folder: model.json in the TF.js layers format, every weight file its
 * manifest names (inside the folder) holding together the bytes the manifest lists (float32),
 * and tokenizer.json. Sizes come from the file system: nothing is read but the JSON files.
 */
export function checkLayersFolder(folder: string): LayersFolder {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new TextModelError(folder, 'model folder not found (a layers encoder is a folder with model.json, its weights and tokenizer.json)');
  const file = join(folder, 'model.json');
  const json = readModelJson(file);
  const manifest = json.weightsManifest as { paths?: unknown; weights?: LayersWeightSpec[] }[] | undefined;
  if (typeof json.modelTopology !== 'object' || json.modelTopology === null || !Array.isArray(manifest)) throw new TextModelError(file, 'is not a TF.js layers model (it needs "modelTopology" and "weightsManifest")');
  const weightFiles: string[] = [];
  let bytes = 0;
  for (const group of manifest) {
    const paths = Array.isArray(group?.paths) ? (group.paths as unknown[]) : [];
    for (const p of paths) {
      if (typeof p !== 'string' || p.includes('..') || p.startsWith('/') || p.includes('\\')) throw new TextModelError(file, `names a weight file outside its folder (${JSON.stringify(p)})`);
      const w = join(folder, p);
      if (!existsSync(w)) throw new TextModelError(w, `file not found (a weight file model.json names)`);
      weightFiles.push(w);
      bytes += statSync(w).size;
    }
  }
  const weightSpecs = manifest.flatMap((g) => (Array.isArray(g?.weights) ? g.weights : []));
  const expected = weightSpecs.reduce((a, s) => a + 4 * (Array.isArray(s?.shape) ? s.shape : []).reduce((p: number, q: number) => p * q, 1), 0);
  const first = manifest.find((g) => Array.isArray(g?.paths) && (g.paths as unknown[]).length > 0)?.paths as string[] | undefined;
  if (bytes !== expected) throw new TextModelError(join(folder, first?.[0] ?? 'weights.bin'), `holds ${bytes} bytes of weights, but model.json lists ${expected}; the file is truncated or from another model`);
  const tokenizer = new PieceTokenizer(join(folder, 'tokenizer.json'));
  return { file, modelTopology: json.modelTopology as object, weightSpecs, weightFiles, tokenizer };
}
