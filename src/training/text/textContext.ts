/**
 * What a run tells text models beyond the experiment: whether the workspace is trusted (models
 * from it are loaded only then), whether a pretrained model may be downloaded into the local
 * model cache, where that cache is, and where embedding progress goes. Built by runner.ts from
 * the start message; the CLI trusts its workspace, the extension passes VS Code's workspace trust.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface EncodingProgress {
  readonly dataset: string;
  readonly column: string;
  readonly model: string;
  readonly done: number;
  readonly total: number;
  readonly rowsPerSecond: number;
  /** The embeddings came from the cache (nothing was computed). */
  readonly cached: boolean;
  /** What computed them (pretrainedEncoder.ts runtime), when something was. */
  readonly runtime?: string;
}

export interface TextRunContext {
  /** Models named by the experiment (pretrained, layers) may be loaded: false in Restricted Mode. */
  readonly trusted: boolean;
  /** A pretrained model id missing from the local cache may be downloaded into it. */
  readonly allowDownload: boolean;
  /** Local model cache: <cache>/<org>/<name>/ holds a model id's files. */
  readonly modelCache: string;
  /** Embeddings by content hash, shared by every model of the run (computed once per run). */
  readonly embeddings: Map<string, Float32Array>;
  onEncodingProgress?(p: EncodingProgress): void;
}

/** DATASET_LAB_MODEL_CACHE, else ~/.cache/dataset-lab/models. */
export function defaultModelCache(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATASET_LAB_MODEL_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'dataset-lab', 'models');
}

/** The context of a run where nothing was said: trusted (the CLI's), no downloads. */
export function defaultTextContext(): TextRunContext {
  return { trusted: true, allowDownload: false, modelCache: defaultModelCache(), embeddings: new Map() };
}
