/**
 * Sentence embeddings from a pretrained model through @huggingface/transformers (ONNX Runtime:
 * native when it loads, else the WebAssembly build bundled with Dataset Lab;
 * transformersRuntime.ts): the model's tokenizer (tokenizer.json), its ONNX graph
 * (onnx/model.onnx, the last_hidden_state), mean pooling over the attention mask and L2 normalisation, as
 * sentence-transformers models are used. The model is a folder in the workspace or a model id
 * resolved in the local model cache; a download happens only when the run allows it (a setting
 * the extension never grants in Restricted Mode), and nothing is loaded in an untrusted
 * workspace. Embeddings are computed once per distinct text and cached by content hash: in
 * memory for the run, and in <root>/.dataset-lab/cache/embeddings/ across runs. A missing or
 * corrupt model file is a TextModelError naming it.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { confinementProblem } from '../../core/paths';
import { writeFileAtomic } from '../../protocol/runFolder/write';
import { checkModelFolder, checkPretrainedFolderAt, isCached, locateTextModel, notCachedMessage, ONNX_MODEL_FILE } from './modelFolder';
import type { TextRunContext } from './textContext';
import { TextModelError } from './textTokenizer';
import { describeRuntime, loadTransformers, type HfModel, type HfTensor, type HfTokenizer } from './transformersRuntime';

/** Where a model was found: a workspace folder, the local cache, or (allowed) a download into the cache. */
export interface ResolvedModel {
  readonly ref: string;
  readonly folder: string;
  readonly source: 'workspace' | 'cache' | 'download';
}

/** Refuses model loading in untrusted workspaces, with the reason in the user's terms. */
export function requireTrust(ctx: Pick<TextRunContext, 'trusted'>, ref: string): void {
  if (!ctx.trusted) throw new TextModelError(ref, 'models are not loaded in an untrusted workspace (Restricted Mode); trust the workspace to use a pretrained or layers encoder');
}

/** The model an experiment names, resolved against the experiment's folder and the model cache (modelFolder.ts: the checks the language server shares). */
export function resolvePretrained(ref: string, experimentFile: string, root: string, ctx: TextRunContext): ResolvedModel {
  requireTrust(ctx, ref);
  const where = locateTextModel(ref, 'pretrained', experimentFile, ctx.modelCache);
  if (where.kind === 'folder') {
    const outside = confinementProblem(root, where.path, ref);
    if (outside) throw new TextModelError(ref, `${outside}; model folders must stay inside it`);
    return { ref, folder: checkPretrainedFolderAt(where.path), source: 'workspace' };
  }
  if (isCached(where)) {
    checkModelFolder(where.cached);
    return { ref, folder: where.cached, source: 'cache' };
  }
  if (!ctx.allowDownload) throw new TextModelError(ref, notCachedMessage(where.cached));
  return { ref, folder: where.cached, source: 'download' };
}

/** A fingerprint of the model's files: embeddings and saved runs are tied to it. */
export function modelFingerprint(folder: string): string {
  const h = createHash('sha256');
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', ONNX_MODEL_FILE]) {
    const p = join(folder, f);
    if (!existsSync(p)) continue;
    h.update(f);
    h.update(readFileSync(p));
  }
  return h.digest('hex');
}

/** A loaded sentence encoder. */
export class PretrainedEncoder {
  private constructor(
    readonly model: ResolvedModel,
    readonly fingerprint: string,
    /** What runs the model, e.g. "ONNX Runtime Web 1.31.0 (WebAssembly, 1 thread)". */
    readonly runtime: string,
    private readonly tokenizer: HfTokenizer,
    private readonly net: HfModel,
  ) {}

  /** Loads (or, allowed, downloads) `model`; `root` is the workspace, whose node_modules may hold @huggingface/transformers; `runtime` forces native or wasm (default: DATASET_LAB_ONNX_RUNTIME, else the fastest that loads). */
  static async load(model: ResolvedModel, ctx: TextRunContext, root: string, runtime?: string): Promise<PretrainedEncoder> {
    requireTrust(ctx, model.ref);
    const loaded = loadTransformers(root, runtime);
    const hf = loaded.hf;
    hf.env.allowLocalModels = true;
    hf.env.allowRemoteModels = model.source === 'download' && ctx.allowDownload && ctx.trusted;
    hf.env.cacheDir = ctx.modelCache;
    // A Hugging Face mirror, named as the Hugging Face tools name it (HF_ENDPOINT); default the Hub.
    const endpoint = process.env.HF_ENDPOINT?.trim();
    hf.env.remoteHost = endpoint ? (endpoint.endsWith('/') ? endpoint : `${endpoint}/`) : 'https://huggingface.co/';
    hf.env.localModelPath = `${ctx.modelCache}/`;
    // A workspace or cached folder is loaded by its path; a download by its id (into cacheDir/<id>/).
    const name = model.source === 'download' ? model.ref : model.folder;
    const local = model.source !== 'download';
    let tokenizer: HfTokenizer;
    let net: HfModel;
    try {
      tokenizer = await hf.AutoTokenizer.from_pretrained(name, { local_files_only: local });
    } catch (e) {
      throw new TextModelError(join(model.folder, 'tokenizer.json'), `the tokenizer cannot be loaded (${(e as Error).message.split('\n')[0]})`);
    }
    try {
      net = await hf.AutoModel.from_pretrained(name, { local_files_only: local, dtype: 'fp32' });
    } catch (e) {
      throw new TextModelError(join(model.folder, ONNX_MODEL_FILE), `the model cannot be loaded by ONNX Runtime (${(e as Error).message.split('\n')[0]})`);
    }
    if (model.source === 'download') checkModelFolder(model.folder);
    return new PretrainedEncoder(model, modelFingerprint(model.folder), describeRuntime(loaded), tokenizer, net);
  }

  /** Mean-pooled, L2-normalised embeddings of `texts` ([n, dim] row-major), `batchSize` at a time. */
  async embed(texts: readonly string[], batchSize: number, maxTokens: number, onBatch?: (done: number) => void): Promise<{ values: Float32Array; dim: number }> {
    let values = new Float32Array(0);
    let dim = 0;
    for (let s = 0; s < texts.length; s += batchSize) {
      const batch = texts.slice(s, s + batchSize).map((t) => t);
      let inputs: Record<string, HfTensor>;
      let out: Record<string, HfTensor>;
      try {
        inputs = this.tokenizer(batch, { padding: true, truncation: true, max_length: maxTokens });
        out = await this.net(inputs);
      } catch (e) {
        throw new TextModelError(join(this.model.folder, ONNX_MODEL_FILE), `the model failed on a batch of texts (${(e as Error).message.split('\n')[0]})`);
      }
      const hidden = out.last_hidden_state ?? Object.values(out)[0];
      const [b, seq, h] = hidden.dims;
      if (dim === 0) {
        dim = h;
        values = new Float32Array(texts.length * dim);
      }
      const mask = inputs.attention_mask.data;
      const data = hidden.data as Float32Array;
      for (let i = 0; i < b; i++) {
        const o = (s + i) * dim;
        let count = 0;
        for (let t = 0; t < seq; t++) {
          if (Number(mask[i * seq + t]) === 0) continue;
          count++;
          const at = (i * seq + t) * h;
          for (let d = 0; d < h; d++) values[o + d] += data[at + d];
        }
        let norm = 0;
        for (let d = 0; d < h; d++) {
          values[o + d] /= Math.max(1, count);
          norm += values[o + d] * values[o + d];
        }
        norm = Math.sqrt(norm) || 1;
        for (let d = 0; d < h; d++) values[o + d] /= norm;
      }
      onBatch?.(Math.min(texts.length, s + batchSize));
    }
    return { values, dim };
  }

  async dispose(): Promise<void> {
    await this.net.dispose();
  }
}

/** Content hash of what embeddings depend on: the model, the truncation and the texts. */
export function embeddingKey(fingerprint: string, maxTokens: number, texts: readonly string[]): string {
  const h = createHash('sha256');
  h.update(`${fingerprint}\0${maxTokens}\0${texts.length}\0`);
  for (const t of texts) {
    h.update(t);
    h.update('\0');
  }
  return h.digest('hex');
}

/** The on-disk embedding cache of a workspace: <root>/.dataset-lab/cache/embeddings/<key>.f32 (uint32 n, dim, then floats). */
export function readCachedEmbeddings(root: string, key: string, n: number): { values: Float32Array; dim: number } | undefined {
  const file = join(root, '.dataset-lab', 'cache', 'embeddings', `${key}.f32`);
  if (!existsSync(file)) return undefined;
  try {
    const bytes = readFileSync(file);
    const head = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 8));
    if (head[0] !== n || bytes.length !== 8 + 4 * n * head[1]) return undefined;
    return { values: new Float32Array(bytes.buffer.slice(bytes.byteOffset + 8, bytes.byteOffset + bytes.length)), dim: head[1] };
  } catch {
    // An unreadable cache entry is recomputed and rewritten.
    return undefined;
  }
}

export function writeCachedEmbeddings(root: string, key: string, values: Float32Array, dim: number): void {
  const dir = join(root, '.dataset-lab', 'cache', 'embeddings');
  try {
    mkdirSync(dir, { recursive: true });
    const head = new Uint32Array([values.length / Math.max(1, dim), dim]);
    writeFileAtomic(join(dir, `${key}.f32`), Buffer.concat([Buffer.from(head.buffer), Buffer.from(values.buffer, values.byteOffset, values.byteLength)]));
  } catch {
    // The cache only saves time: a run goes on without it (a read-only workspace, a full disk).
  }
}
