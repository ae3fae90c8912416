/**
 * Messages between a parent (CLI, extension host) and the training child (dist/trainer.js),
 * carried over the `child_process.fork` IPC channel. One interface per message with a literal
 * `type`; one union per direction.
 */
import type { ArmName, EpochRecord, RunResults } from './runFolder/contract';

// ---- parent -> child ----

/** Start a run. The child reads the experiment and its CSV files itself. */
export interface StartMessage {
  readonly type: 'start';
  readonly experimentPath: string;
  /** Workspace root that dataset paths must stay inside; default the experiment's folder. */
  readonly root?: string;
  /** Subset of the experiment's arms to run. */
  readonly arms?: readonly ArmName[];
  /** Force a backend ('tensorflow' | 'wasm' | 'cpu'); default: best available. */
  readonly backend?: string;
  /** Minimum milliseconds between progress messages (default 100). */
  readonly progressIntervalMs?: number;
  /**
   * Text models (src/training/text/textContext.ts): `trusted` false refuses loading models the
   * experiment names (Restricted Mode); `allowModelDownload` lets a pretrained model id missing
   * from the local model cache be downloaded into it. Default: trusted, no downloads.
   */
  readonly text?: { readonly trusted: boolean; readonly allowModelDownload: boolean };
}

/** Stop as soon as possible (within a second), keeping the epochs already finished. */
export interface CancelMessage {
  readonly type: 'cancel';
}

export type ToTrainerMessage = StartMessage | CancelMessage;

// ---- child -> parent ----

/** The run folder exists; everything from here on is persisted in it. */
export interface StartedMessage {
  readonly type: 'started';
  readonly runId: string;
  readonly runDir: string;
  readonly backend: string;
  /** Models to train, e.g. "separate/seattle", "merged", "multihead". */
  readonly models: readonly string[];
  /** Cross-validation: folds times repeats; every model trains once per fold, then once more on all rows. */
  readonly folds?: number;
}

/** Throttled batch-level progress. */
export interface ProgressMessage {
  readonly type: 'progress';
  readonly model: string;
  readonly arm: ArmName;
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly samplesPerSecond: number;
  /** Cross-validation: the fold training (1-based), of `folds`; 0 is the final refit on all rows. */
  readonly fold?: number;
  readonly folds?: number;
}

/** Validation metrics of one epoch, per head and per source. */
export interface EpochMessage {
  readonly type: 'epoch';
  readonly record: EpochRecord;
}

export interface CompletedMessage {
  readonly type: 'completed';
  readonly results: RunResults;
}

/** The run stopped on request; finished epochs are kept in the run folder. */
export interface CancelledMessage {
  readonly type: 'cancelled';
  readonly runDir: string | null;
  readonly epochsDone: number;
}

export interface ErrorMessage {
  readonly type: 'error';
  /**
   * input: the experiment or data is unusable (exit 2); diverged: every arm diverged (a NaN/inf
   * loss, a loss far above its start, exploding weights, R2 far below 0); storage: a file
   * of the run could not be written (disk full, permissions...); internal: a bug.
   */
  readonly kind: 'input' | 'diverged' | 'storage' | 'internal';
  readonly message: string;
  readonly runDir: string | null;
  /** For kind "diverged": where it happened. */
  readonly arm?: ArmName;
  readonly model?: string;
  readonly epoch?: number;
}

/** A pretrained text encoder embedding a dataset's text column (once per run; `cached`: read from the embedding cache). */
export interface EncodingMessage {
  readonly type: 'encoding';
  readonly dataset: string;
  readonly column: string;
  readonly model: string;
  /** Distinct texts embedded so far, of `total`. */
  readonly done: number;
  readonly total: number;
  readonly rowsPerSecond: number;
  readonly cached: boolean;
  /** What computed the embeddings (e.g. "ONNX Runtime Web 1.31.0 (WebAssembly, 1 thread)"); absent when read from the cache. */
  readonly runtime?: string;
}

export type FromTrainerMessage = StartedMessage | ProgressMessage | EncodingMessage | EpochMessage | CompletedMessage | CancelledMessage | ErrorMessage;

export function assertNever(x: never): never {
  throw new Error(`unexpected message ${JSON.stringify(x)}`);
}
