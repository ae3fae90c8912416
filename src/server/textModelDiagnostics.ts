/**
 * The experiment file's `text` section as the trainer will judge it, before a run: its rules
 * (training/text/textSpec.ts: which keys go with which encoder) and the encoder files it names.
 * `text.model` is a workspace folder (a pretrained ONNX sentence encoder: config.json,
 * tokenizer.json, onnx/model.onnx; or a TF.js layers model: model.json, the weight files its
 * manifest names, tokenizer.json) or, for a pretrained encoder, a model id of the local model
 * cache; `text.tokenizerFile` a tokenizer.json. The checks are the trainer's own
 * (training/text/modelFolder.ts), run without loading a model, and the messages its words: a
 * folder outside the workspace (links resolved), missing, or missing or broken files, named.
 * A model id that is not cached while downloads are off (`datasetLab.text.allowModelDownload`)
 * is a hint: the run would stop there, but copying the model into the cache is enough.
 * Results are kept per folder until a file in it changes (size or time), so typing in the
 * experiment does not re-read a large tokenizer.json each time.
 */
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { confinementProblem, isStrictlyInside } from '../core/paths';
import { checkLayersFolder, checkModelFolder, checkPretrainedFolderAt, isCached, locateTextModel, notCachedMessage } from '../training/text/modelFolder';
import { resolveTextSpec } from '../training/text/textSpec';
import { PieceTokenizer, TextModelError } from '../training/text/textTokenizer';
import { findNodeAtLocation, getNodeValue, type Node } from './jsonc';
import type { DiagnosticCode } from './settings';

export interface TextModelFinding {
  readonly node: Node;
  readonly code: DiagnosticCode;
  readonly message: string;
}

export interface TextModelContext {
  /** Workspace folder paths; the one holding the experiment is the run's root (else the experiment's folder). */
  readonly roots: readonly string[];
  /** The local model cache (training/text/textContext.ts defaultModelCache). */
  readonly modelCache: string;
  /** `datasetLab.text.allowModelDownload`. */
  readonly allowDownload: boolean;
  /** Nodes the JSON Schema already reported: the trainer's words on the same value would say it twice. */
  readonly reported: ReadonlySet<Node>;
}

/** The workspace root a run of `experimentFile` is confined to, as the extension starts it. */
export function runRoot(roots: readonly string[], experimentFile: string): string {
  return roots.find((r) => isStrictlyInside(r, experimentFile)) ?? path.dirname(experimentFile);
}

export function checkTextSection(experimentFile: string, tree: Node, ctx: TextModelContext): TextModelFinding[] {
  const text = findNodeAtLocation(tree, ['text']);
  if (!text) return [];
  const out: TextModelFinding[] = [];
  const root = runRoot(ctx.roots, experimentFile);
  // The value a path names, or its nearest ancestor present ($.text.unfreeze.everyEpochs when missing: unfreeze).
  const nodeOf = (jsonPath: string): Node => {
    const keys = /^\$\.text\.([A-Za-z.]+)$/.exec(jsonPath)?.[1].split('.') ?? [];
    for (let k = keys.length; k > 0; k--) {
      const node = findNodeAtLocation(text, keys.slice(0, k));
      if (node) return node;
    }
    return text;
  };
  const spoken = new Set<string>();
  const spec = resolveTextSpec(
    getNodeValue(text),
    (jsonPath, message) => {
      spoken.add(jsonPath);
      const node = nodeOf(jsonPath);
      // The schema puts an unknown property on its name, a wrong value on the value.
      const name = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
      if (ctx.reported.has(node) || (name && ctx.reported.has(name))) return;
      // A model or tokenizer path outside the workspace is a finding about the file named.
      const code: DiagnosticCode = / must stay inside it$/.test(message) ? 'experiment-text-model' : 'experiment-schema';
      out.push({ node, code, message: `${jsonPath.slice(2)}: ${message}` });
    },
    experimentFile,
    root,
  );
  if (!spec) return out;
  const modelNode = findNodeAtLocation(text, ['model']);
  if ((spec.encoder === 'pretrained' || spec.encoder === 'layers') && spec.model !== undefined && modelNode && !spoken.has('$.text.model')) {
    const problem = modelProblem(spec.model, spec.encoder, experimentFile, root, ctx);
    if (problem) out.push({ node: modelNode, ...problem });
  }
  const tokenizerNode = findNodeAtLocation(text, ['tokenizerFile']);
  if (spec.tokenizer === 'wordpiece' && spec.tokenizerFile !== undefined && tokenizerNode && !spoken.has('$.text.tokenizerFile')) {
    const file = path.resolve(path.dirname(experimentFile), spec.tokenizerFile);
    const message = cached(`tokenizer|${file}`, [file, path.join(path.dirname(file), 'tokenizer_config.json')], () => void new PieceTokenizer(file));
    if (message) out.push({ node: tokenizerNode, code: 'experiment-text-model', message });
  }
  return out;
}

/** What stops the trainer from reading `ref`, in its words; undefined when nothing does. */
function modelProblem(ref: string, encoder: 'pretrained' | 'layers', experimentFile: string, root: string, ctx: TextModelContext): { code: DiagnosticCode; message: string } | undefined {
  const where = locateTextModel(ref, encoder, experimentFile, ctx.modelCache);
  if (where.kind === 'id') {
    if (isCached(where)) {
      const message = cached(`pretrained|${where.cached}`, folderFiles(where.cached), () => checkModelFolder(where.cached));
      return message ? { code: 'experiment-text-model', message } : undefined;
    }
    if (ctx.allowDownload) return undefined;
    return { code: 'experiment-text-model-not-cached', message: `${ref}: ${notCachedMessage(where.cached)}` };
  }
  const outside = confinementProblem(root, where.path, ref);
  // Never looked into: a folder outside the workspace is not read, as the trainer does not read it.
  if (outside) return { code: 'experiment-text-model', message: `${ref}: ${outside}; model folders must stay inside it` };
  const message = cached(`${encoder}|${where.path}`, folderFiles(where.path), () => void (encoder === 'pretrained' ? checkPretrainedFolderAt(where.path) : checkLayersFolder(where.path)));
  return message ? { code: 'experiment-text-model', message } : undefined;
}

/** The files a model folder's check reads: the folder's entries two levels down (weight files may sit in a subfolder), at most 256. */
function folderFiles(folder: string): string[] {
  const out = [folder];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return; // missing or not a folder: its stat is part of the signature
    }
    for (const name of names) {
      if (out.length >= 256) return;
      const p = path.join(dir, name);
      out.push(p);
      if (depth < 2) walk(p, depth + 1);
    }
  };
  walk(folder, 1);
  return out;
}

/** Size and time of each file (or "-" when missing): a check's result holds while this does. */
function signature(files: readonly string[]): string {
  return files
    .map((f) => {
      try {
        const s = statSync(f);
        return `${f}:${s.size}:${s.mtimeMs}:${s.isDirectory() ? 'd' : 'f'}`;
      } catch {
        return `${f}:-`;
      }
    })
    .join('|');
}

const MAX_CACHED = 64;
const results = new Map<string, { signature: string; message: string | undefined }>();

/** The message of `check`'s TextModelError (undefined when it passes), kept while the files' signature holds. */
function cached(key: string, files: readonly string[], check: () => void): string | undefined {
  const sig = signature(files);
  const hit = results.get(key);
  if (hit && hit.signature === sig) return hit.message;
  let message: string | undefined;
  try {
    check();
  } catch (e) {
    // Anything else the checks meet (a file that vanished between two reads) is said as it is.
    message = e instanceof TextModelError ? e.message : `${key.slice(key.indexOf('|') + 1)}: ${(e as Error).message}`;
  }
  results.delete(key);
  results.set(key, { signature: sig, message });
  if (results.size > MAX_CACHED) results.delete(results.keys().next().value!);
  return message;
}
