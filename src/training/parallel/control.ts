/**
 * The control block the main thread and the gradient workers share (in the same WebAssembly
 * memory as the network), and the protocol over it. Shard w of a step is computed into
 * worker w's buffers by whoever claims it first (CLAIM 0 -> 1): worker w, or the main thread
 * once it has finished its own shard and the worker has not started. So a worker that the
 * operating system does not run in time (a busy machine) delays nothing, and the result does
 * not depend on who computed what. One step:
 *   main:   DONE = 0; writes the step's inputs and each shard's rows; CLAIM = 0 for each;
 *           SEQ += 1, notify SEQ; computes its own shard; after a short grace (for workers
 *           that are READY), claims and computes the shards still unclaimed; waits until
 *           DONE = number of worker shards.
 *   worker: sees SEQ change (spinning briefly, then Atomics.wait); if it claims its shard,
 *           computes it, writes its losses, DONE += 1, notify DONE.
 * While PAUSE = 1 workers claim nothing and sleep between steps. SEQ = -1 tells them to stop. A worker whose step throws writes the message and
 * FAILED = its index before counting its shard done, so the main thread never waits on it.
 */

/** Int32 slots. */
export const SEQ = 0;
export const DONE = 1;
export const FAILED = 2;
/** 1: workers leave every shard to the main thread (it found them too late, see GradientPool). */
export const PAUSE = 3;
/** Per worker w (1-based), from slotOf(w): order pointer, position in the epoch, row count, then CLAIM and READY. */
export const SHARDS = 8;
export const CLAIM = 3;
/** 1 once the worker's thread has started and waits for steps. */
export const READY = 4;
const SLOT = 5;
export const MAX_WORKERS = 62;

export function slotOf(worker: number): number {
  return SHARDS + SLOT * (worker - 1);
}

/** Byte offsets inside the block. */
const STEP_INPUTS = 4 * (SHARDS + SLOT * MAX_WORKERS);
const ERROR_BYTES = 1024;

export interface ControlLayout {
  /** Byte offset of the block in the memory. */
  readonly at: number;
  readonly heads: number;
  readonly workers: number;
}

export function controlBytes(heads: number, workers: number): number {
  return STEP_INPUTS + 8 * (1 + 2 * heads) + 8 * heads * workers + ERROR_BYTES;
}

/** Typed views of the block (take them again after the memory grows: a shared buffer does not detach, but views keep their old length). */
export class Control {
  readonly i32: Int32Array;
  /** [step, coef x heads, weightSums x heads]. */
  readonly inputs: Float64Array;
  /** Per worker: its shard's losses per head. */
  readonly losses: Float64Array;
  private readonly errorAt: number;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly layout: ControlLayout,
  ) {
    const { at, heads, workers } = layout;
    this.i32 = new Int32Array(buffer, at, SHARDS + SLOT * MAX_WORKERS);
    this.inputs = new Float64Array(buffer, at + STEP_INPUTS, 1 + 2 * heads);
    this.losses = new Float64Array(buffer, at + STEP_INPUTS + 8 * (1 + 2 * heads), heads * workers);
    this.errorAt = at + STEP_INPUTS + 8 * (1 + 2 * heads) + 8 * heads * workers;
  }

  writeError(message: string): void {
    const bytes = Buffer.from(message, 'utf8').subarray(0, ERROR_BYTES - 4);
    new Int32Array(this.buffer, this.errorAt, 1)[0] = bytes.length;
    new Uint8Array(this.buffer, this.errorAt + 4, bytes.length).set(bytes);
  }

  readError(): string {
    const length = new Int32Array(this.buffer, this.errorAt, 1)[0];
    return Buffer.from(new Uint8Array(this.buffer, this.errorAt + 4, length)).toString('utf8');
  }
}

/** What the main thread hands each worker at start (plain data and the shared memory). */
export interface WorkerSetup {
  readonly index: number;
  readonly memory: WebAssembly.Memory;
  readonly plan: import('../fusedDense').NetPlan;
  readonly shared: import('../fusedDense').SharedLayout;
  readonly shard: import('../fusedDense').ShardLayout;
  readonly control: ControlLayout;
}
