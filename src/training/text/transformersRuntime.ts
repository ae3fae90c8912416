/**
 * Which @huggingface/transformers (and so which ONNX Runtime) runs pretrained encoders, in this
 * order: the library beside Dataset Lab (a clone after `npm ci`) or in the workspace's
 * node_modules, on onnxruntime-node (native, per platform: the fastest); else the copy bundled
 * with Dataset Lab (dist/transformers-wasm.js, built from wasm/transformersWasm.ts) on ONNX
 * Runtime compiled to WebAssembly, whose files sit next to that bundle, so an installed .vsix
 * (no node_modules) runs pretrained encoders too, offline. DATASET_LAB_ONNX_RUNTIME=native or
 * =wasm asks for one of them only (tests and the bench compare them). Only trusted workspaces get
 * here (pretrainedEncoder.ts requireTrust): a workspace's node_modules is code it runs.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TextModelError } from './textTokenizer';

/** The parts of @huggingface/transformers used here (loaded lazily: it starts ONNX Runtime). */
export interface HfTensor {
  readonly data: ArrayLike<number | bigint>;
  readonly dims: readonly number[];
}
export interface HfTokenizer {
  (texts: string[], options: { padding: boolean; truncation: boolean; max_length: number }): Record<string, HfTensor>;
}
export interface HfModel {
  (inputs: Record<string, HfTensor>): Promise<Record<string, HfTensor>>;
  dispose(): Promise<unknown>;
}
export interface HfModule {
  env: {
    allowRemoteModels: boolean;
    allowLocalModels: boolean;
    cacheDir: string;
    localModelPath: string;
    remoteHost: string;
    logLevel?: number;
    backends: { onnx: { versions?: Record<string, string>; wasm?: { wasmPaths?: unknown; numThreads?: number } } };
  };
  AutoTokenizer: { from_pretrained(model: string, options: { local_files_only: boolean }): Promise<HfTokenizer> };
  AutoModel: { from_pretrained(model: string, options: { local_files_only: boolean; dtype: string }): Promise<HfModel> };
}

export type OnnxRuntimeKind = 'native' | 'wasm';

export interface LoadedTransformers {
  readonly hf: HfModule;
  readonly runtime: OnnxRuntimeKind;
}

/** The bundled copy of the library and the WebAssembly files beside it. */
export const BUNDLED_TRANSFORMERS = 'transformers-wasm.js';
export const ORT_WASM_BINARY = 'ort-wasm-simd-threaded.wasm';

/**
 * dist/transformers-wasm.js next to this bundle (dist/cli.js, dist/trainer.js, an installed
 * extension's dist/), else in dist/ of a parent folder (the unit tests run from out/test/...).
 */
export function bundledTransformersScript(): string | null {
  let dir = __dirname;
  for (let up = 0; up < 6; up++) {
    for (const candidate of [join(dir, BUNDLED_TRANSFORMERS), join(dir, 'dist', BUNDLED_TRANSFORMERS)]) {
      if (existsSync(candidate)) return candidate;
    }
    dir = dirname(dir);
  }
  return null;
}

function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0];
}

/** onnxruntime-node through the library beside Dataset Lab, else the workspace's. */
function loadNative(root: string): HfModule {
  let beside: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@huggingface/transformers') as HfModule;
  } catch (e) {
    beside = e;
  }
  try {
    return createRequire(join(root, 'package.json'))('@huggingface/transformers') as HfModule;
  } catch {
    // The first reason is the one to show: the workspace usually just has no copy.
    throw beside;
  }
}

function loadWasm(): HfModule {
  const script = bundledTransformersScript();
  if (!script) throw new Error(`${BUNDLED_TRANSFORMERS} is not next to Dataset Lab's bundles (${__dirname})`);
  const wasm = join(dirname(script), ORT_WASM_BINARY);
  if (!existsSync(wasm)) throw new Error(`${wasm} is missing`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hf = require(script) as HfModule;
  // The WebAssembly files are read from disk beside the bundle, never fetched (the library's own default is a CDN).
  const paths = hf.env.backends.onnx.wasm?.wasmPaths;
  if (typeof paths !== 'string' || !paths.startsWith('file:')) throw new Error(`${script}: ONNX Runtime's WebAssembly path is not a local folder (${String(paths)})`);
  return hf;
}

/** The library on the fastest ONNX Runtime that loads (or the one `preferred` names); a TextModelError naming what to do when none does. */
export function loadTransformers(root: string, preferred: string | undefined = process.env.DATASET_LAB_ONNX_RUNTIME): LoadedTransformers {
  const want = (preferred ?? '').trim();
  if (want !== '' && want !== 'native' && want !== 'wasm') throw new TextModelError('DATASET_LAB_ONNX_RUNTIME', `"${want}" is not an ONNX Runtime for pretrained encoders: use native or wasm (or leave it unset: native when it loads, else WebAssembly)`);
  const install = `npm install @huggingface/transformers in ${root}`;
  let native: unknown;
  if (want !== 'wasm') {
    try {
      return { hf: loadNative(root), runtime: 'native' };
    } catch (e) {
      native = e;
      if (want === 'native') throw new TextModelError('@huggingface/transformers', `onnxruntime-node cannot be loaded (${firstLine(e)}); DATASET_LAB_ONNX_RUNTIME=native asks for it: ${install}, or unset DATASET_LAB_ONNX_RUNTIME to use the WebAssembly runtime bundled with Dataset Lab`);
    }
  }
  try {
    return { hf: loadWasm(), runtime: 'wasm' };
  } catch (e) {
    const wasm = `the WebAssembly runtime bundled with Dataset Lab does not load (${firstLine(e)})`;
    if (want === 'wasm') throw new TextModelError('@huggingface/transformers', `${wasm}; DATASET_LAB_ONNX_RUNTIME=wasm asks for it: reinstall Dataset Lab (or npm run build in a clone), or unset DATASET_LAB_ONNX_RUNTIME`);
    throw new TextModelError(
      '@huggingface/transformers',
      `cannot be loaded: onnxruntime-node does not load (${firstLine(native)}) and ${wasm}; pretrained encoders need one of them: reinstall Dataset Lab, or ${install}`,
    );
  }
}

/** What ran the model, for the run's log: "ONNX Runtime 1.30.0 (native)", "ONNX Runtime Web 1.31.0 (WebAssembly, 1 thread)". */
export function describeRuntime(loaded: LoadedTransformers): string {
  const onnx = loaded.hf.env.backends.onnx;
  const named = (name: string, version: string | undefined, how: string) => `${name}${version ? ` ${version}` : ''} (${how})`;
  if (loaded.runtime === 'native') return named('ONNX Runtime', onnx.versions?.node, 'native');
  // Read after the first session started: ONNX Runtime Web settles its thread count then.
  const threads = onnx.wasm?.numThreads;
  return named('ONNX Runtime Web', onnx.versions?.web, `WebAssembly${threads ? `, ${threads} thread${threads === 1 ? '' : 's'}` : ''}`);
}
