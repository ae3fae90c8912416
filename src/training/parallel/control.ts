/**
 * The control block the main thread and the gradient workers share (in the same WebAssembly
 * memory as the network), and the protocol over it. The main thread never waits long for a
 * worker: a shard is computed by its worker if the worker claims it in time, else by the main
 * thread, and a worker that claimed it but is late (the system stopped running it) is
 * overtaken: the main thread computes the shard again into spare buffers and uses that. The
 * result does not depend on who computed what. Step s:
 *   main:   writes the step's inputs and each shard's rows, CLAIM = s for each (open),
 *           SEQ = s, notify SEQ; computes its own shard; claims (CLAIM s -> 0) and computes
 *           the shards no awake worker claimed within a short grace; waits a little for the
 *           claimed ones (DONE_SEQ = s), then computes any still missing into spare buffers.
 *   worker: sees SEQ change (spinning, then Atomics.wait); BUSY = 1; claims its shard
 *           (CLAIM s -> 0); if it won, computes it into its buffers, writes its losses, DONE_SEQ
 *           = s; BUSY = 0. While BUSY = 1 its buffers may be written, so the main thread
 *           computes that worker's unclaimed shards into the spare buffers.
 * While PAUSE = 1 workers claim nothing and sleep between steps. SEQ = -1 tells them to stop.
 * A worker whose step throws writes the message and FAILED = its index.
 */
import type { NetPlan, ShardLayout, SharedLayout } from '../denseStep';

/** Int32 slots. */
export const SEQ = 0;
export const FAILED = 2;
/** 1: workers leave every shard to the main thread (they were not getting a core, see GradientPool). */
export const PAUSE = 3;
/** Per worker w (1-based), from slotOf(w): order pointer, position in the epoch, row count, then the flags below. */
export const SHARDS = 8;
/** The step whose shard is open to claim; 0 once claimed. */
export const CLAIM = 3;
/** 1 once the worker's thread has started and waits for steps. */
export const READY = 4;
/** 1 while the worker spins for the next step; 0 while it sleeps in Atomics.wait. */
export const AWAKE = 5;
/** The last step whose shard the worker finished. */
export const DONE_SEQ = 6;
/** 1 while the worker may be writing its buffers. */
export const BUSY = 7;
const SLOT = 8;
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
  /** The main thread's compiled kernels (see DenseHeap). */
  readonly module: WebAssembly.Module;
  readonly plan: NetPlan;
  readonly shared: SharedLayout;
  readonly shard: ShardLayout;
  readonly control: ControlLayout;
  /** Row indices (i32, `warmupRows` of them) the worker trains its code on before it takes steps. */
  readonly warmupOrder: number;
  readonly warmupRows: number;
}
