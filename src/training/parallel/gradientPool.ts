/**
 * The main thread's side of data-parallel training: the gradient worker threads, the dispatch
 * of each step's shards, and collecting them (protocol in control.ts).
 *
 * Training never waits long for a thread (~30 ms each to start): until a worker is ready,
 * whenever it does not claim its shard in time, and when it claimed it but is late, the main
 * thread computes that shard itself, so a worker the system does not run costs at most a short
 * wait. When that keeps happening the workers are paused (see PAUSE_STEPS). Failures are
 * reported and never leave a thread behind:
 * - a worker whose step throws flags it in the control block; the next step (or the end of
 *   training) throws TrainingWorkerError with the worker's message;
 * - a worker that ends without a word (its thread exits, or fails to start) is seen through
 *   its 'exit' event at the next step after the event loop ran (trainNetwork yields to it
 *   every ~40 ms and once at the end);
 * - close() stops and joins every thread; trainNetwork calls it in a finally block, so
 *   cancellation, divergence and errors all end the threads.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AWAKE, BUSY, CLAIM, Control, DONE_SEQ, FAILED, PAUSE, READY, SEQ, slotOf, type WorkerSetup } from './control';

/** A gradient worker failed; the message names the worker and what happened (the stack stays in the worker). */
export class TrainingWorkerError extends Error {
  override name = 'TrainingWorkerError';
}

/** Awake workers get this fraction of the main thread's own shard time to claim theirs. */
const GRACE = 0.3;
/** ... and, once claimed, this fraction more to finish it, before the main thread computes it again. */
const LATE = 0.5;
/**
 * When the workers cost more than they save, they are paused for a while (PAUSE_STEPS,
 * doubling up to MAX_PAUSE_STEPS while it keeps happening), then tried again. A step counts
 * against them when a started worker did not claim its shard in time, or claimed it and was
 * overtaken (it is not getting a core, and its spinning takes time from the threads that do
 * the work). On a machine whose cores are busy, training thus runs about as fast as on one
 * thread instead of competing with its own threads.
 */
const WINDOW = 16;
/**
 * DATASET_LAB_THREADS_WAIT=1 makes the main thread wait for every worker to compute its own
 * shard (no taking over, no pausing), so the tests can check what the workers compute on any
 * machine; a worker that makes no progress for this long is then reported as hung.
 */
const WAIT_ALL_STALL_MS = 30_000;
const BAD_STEPS = 8;
const PAUSE_STEPS = 256;
const MAX_PAUSE_STEPS = 2048;

let live = 0;
/** Gradient worker threads currently running in this process (tests check none is left behind). */
export function liveGradientWorkers(): number {
  return live;
}

/** The bundled worker script next to this bundle (dist/, bench/.tmp/) or in a parent folder (out/ for the unit tests); null when absent. */
export function gradientWorkerScript(): string | null {
  let dir = __dirname;
  for (let up = 0; up < 4; up++) {
    const candidate = join(dir, 'gradientWorker.js');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return null;
}

export interface Shard {
  /** Byte offset of the shard's first row index in the epoch's order. */
  readonly order: number;
  /** Position of that row in the epoch's order (keys dropout masks). */
  readonly position: number;
  readonly count: number;
}

/** A worker shard's result: its losses per head, and whether its gradient is in the spare buffers. */
export interface ShardResult {
  readonly losses: Float64Array;
  readonly spare: boolean;
}

export class GradientPool {
  private readonly workers: Worker[] = [];
  /** Worker index -> exit code, and the error it reported on its way out (if any). */
  private readonly exited = new Map<number, { code: number; error: string | null }>();
  private readonly errors = new Map<number, string>();
  private closed = false;
  private seq = 0;
  /**
   * Worker shards computed by their threads; computed by the main thread because no worker
   * claimed them in time, or again because the worker that claimed them was late; steps with
   * the workers paused.
   */
  readonly shards = { byWorkers: 0, takenOver: 0, overtaken: 0, pausedSteps: 0 };
  private window = 0;
  private bad = 0;
  private pausedFor = 0;
  private pauseLength = PAUSE_STEPS;
  private readonly waitAll = process.env.DATASET_LAB_THREADS_WAIT === '1';

  /** Starts one worker thread per setup (without waiting for them: see the file comment). */
  constructor(
    script: string,
    setups: readonly WorkerSetup[],
    private readonly control: Control,
  ) {
    for (const setup of setups) {
      const w = new Worker(script, { workerData: setup, stdout: false, stderr: false });
      live++;
      this.workers.push(w);
      w.on('error', (e) => this.errors.set(setup.index, e.message.split('\n')[0]));
      w.on('exit', (code) => {
        live--;
        this.exited.set(setup.index, { code, error: this.errors.get(setup.index) ?? null });
      });
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Runs one step: the workers' shards are published and `local` computes the main thread's
   * shard; `compute(w, spare)` then computes here each worker shard its worker did not claim
   * in time, or claimed but did not finish in time (into the spare buffers when `spare`: the
   * worker may still write its own). Returns each worker shard's result (index w - 1).
   */
  run(step: number, coef: ArrayLike<number>, weightSums: ArrayLike<number>, shards: readonly Shard[], local: () => void, compute: (w: number, spare: boolean) => Float64Array): ShardResult[] {
    if (this.closed) throw new TrainingWorkerError('the training worker threads were already stopped');
    this.check();
    const c = this.control;
    const i32 = c.i32;
    const heads = c.layout.heads;
    const n = this.workers.length;
    const s = ++this.seq;
    c.inputs[0] = step;
    for (let h = 0; h < heads; h++) {
      c.inputs[1 + h] = coef[h];
      c.inputs[1 + heads + h] = weightSums[h];
    }
    shards.forEach((sh, w) => {
      const slot = slotOf(w + 1);
      i32[slot] = sh.order;
      i32[slot + 1] = sh.position;
      i32[slot + 2] = sh.count;
      Atomics.store(i32, slot + CLAIM, s);
    });
    Atomics.store(i32, SEQ, s);
    Atomics.notify(i32, SEQ);
    const t0 = performance.now();
    local();
    const t1 = performance.now();
    const own = t1 - t0;
    // Grace for awake workers to claim their shards: a running worker claims within
    // microseconds; one the system has not scheduled would cost a whole shard's time. A
    // sleeping worker is not waited for (waking takes longer than its shard would save): the
    // notify wakes it, and it spins for the next step.
    const claimUntil = t1 + (this.waitAll ? WAIT_ALL_STALL_MS : Math.max(0.005, GRACE * own));
    for (;;) {
      let waiting = 0;
      for (let w = 1; w <= n; w++) if ((this.waitAll || this.awake(w)) && Atomics.load(i32, slotOf(w) + CLAIM) === s) waiting++;
      if (waiting === 0 || performance.now() > claimUntil) break;
    }
    const results: (ShardResult | null)[] = new Array(n).fill(null);
    let bad = false;
    for (let w = 1; w <= n; w++) {
      const slot = slotOf(w);
      if (Atomics.compareExchange(i32, slot + CLAIM, s, 0) !== s) continue;
      if (this.waitAll) throw new TrainingWorkerError(`training worker thread ${w} did not take its shard within ${WAIT_ALL_STALL_MS / 1000} s`);
      // A started worker that did not take its shard: asleep (woken now, it spins for the next
      // step) or not getting a core; either way it ran without helping.
      if (Atomics.load(i32, slot + READY) === 1) bad = true;
      this.shards.takenOver++;
      const spare = Atomics.load(i32, slot + BUSY) === 1;
      results[w - 1] = { losses: compute(w, spare), spare };
    }
    const lateUntil = performance.now() + (this.waitAll ? WAIT_ALL_STALL_MS : Math.max(0.005, LATE * own));
    for (let w = 1; w <= n; w++) {
      if (results[w - 1]) continue;
      const slot = slotOf(w);
      while (Atomics.load(i32, slot + DONE_SEQ) !== s && performance.now() < lateUntil);
      if (Atomics.load(i32, slot + DONE_SEQ) === s) {
        this.shards.byWorkers++;
        results[w - 1] = { losses: c.losses.slice((w - 1) * heads, w * heads), spare: false };
      } else {
        bad = true;
        this.shards.overtaken++;
        results[w - 1] = { losses: compute(w, true), spare: true };
      }
    }
    this.check();
    if (!this.waitAll) this.adapt(bad);
    return results as ShardResult[];
  }

  /**
   * While the workers are paused, the caller computes the whole batch itself (one shard: no
   * split to pay for) and calls this instead of run(); returns false once the pause is over.
   */
  takePausedStep(): boolean {
    if (this.pausedFor === 0) return false;
    this.check();
    this.shards.pausedSteps++;
    if (--this.pausedFor === 0) Atomics.store(this.control.i32, PAUSE, 0);
    return true;
  }

  /** Pauses the workers when they cost more than their shards save (see PAUSE_STEPS). */
  private adapt(bad: boolean): void {
    if (bad) this.bad++;
    if (this.bad >= BAD_STEPS) {
      this.pausedFor = this.pauseLength;
      this.pauseLength = Math.min(MAX_PAUSE_STEPS, this.pauseLength * 2);
      this.bad = 0;
      this.window = 0;
      Atomics.store(this.control.i32, PAUSE, 1);
      return;
    }
    if (++this.window === WINDOW) {
      if (this.bad === 0) this.pauseLength = PAUSE_STEPS;
      this.window = 0;
      this.bad = 0;
    }
  }

  /** Worker w has started and is spinning for steps (not asleep). */
  private awake(w: number): boolean {
    const i32 = this.control.i32;
    return Atomics.load(i32, slotOf(w) + READY) === 1 && Atomics.load(i32, slotOf(w) + AWAKE) === 1;
  }

  /** Throws if a worker reported a failure or ended. */
  check(): void {
    const failed = Atomics.load(this.control.i32, FAILED);
    if (failed > 0) throw new TrainingWorkerError(`training worker thread ${failed} failed: ${this.control.readError()}`);
    for (const [index, { code, error }] of this.exited) {
      throw new TrainingWorkerError(error ? `training worker thread ${index} failed: ${error}` : `training worker thread ${index} stopped unexpectedly (exit code ${code})`);
    }
  }

  /** Stops every worker and waits until each thread has ended. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control.i32, SEQ, -1);
    Atomics.notify(this.control.i32, SEQ);
    // Resolves once each thread has ended (its 'exit' event emitted), whether it was still running or not.
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
