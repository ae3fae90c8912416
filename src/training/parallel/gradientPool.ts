/**
 * The main thread's side of data-parallel training: the gradient worker threads, the dispatch
 * of each step's shards and the wait for them (protocol in control.ts).
 *
 * Training does not wait for the threads to start (~30 ms each): until a worker is ready, and
 * whenever one is late, the main thread computes its shard itself, so threads only ever add
 * speed. Failures are reported, never waited on forever, and never leave a thread behind:
 * - a worker whose step throws flags it in the control block; the next step (or the end of
 *   training) throws TrainingWorkerError with the worker's message;
 * - a worker that ends without a word (its thread exits, or fails to start) is seen through
 *   its 'exit' event: the wait yields to the event loop once a claimed shard is late, so the
 *   event is delivered;
 * - close() stops and joins every thread; trainNetwork calls it in a finally block, so
 *   cancellation, divergence and errors all end the threads.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CLAIM, Control, DONE, FAILED, PAUSE, READY, SEQ, slotOf, type WorkerSetup } from './control';

/** A gradient worker failed; the message names the worker and what happened (the stack stays in the worker). */
export class TrainingWorkerError extends Error {
  override name = 'TrainingWorkerError';
}

/** Spin this long for claimed shards before yielding to the event loop between short waits. */
const SPIN_MS = 2;
/** Ready workers get this fraction of the main thread's own shard time to claim theirs before it takes them. */
const GRACE = 0.3;
/** A step that makes no progress for this long is reported as a hung worker. */
const STALL_MS = 120_000;
/**
 * When the workers cost more than they save, they are paused for a while (PAUSE_STEPS,
 * doubling up to MAX_PAUSE_STEPS while it keeps happening), then tried again. A step counts
 * against them when the main thread waited longer for their shards than its own took, or when
 * a started worker did not claim its shard in time (it is not getting a core, and its spinning
 * takes time from the threads that do the work). On a machine whose cores are busy, training
 * thus runs about as fast as on one thread instead of competing with its own threads.
 */
const WINDOW = 16;
const BAD_STEPS = 3;
const PAUSE_STEPS = 256;
const MAX_PAUSE_STEPS = 8192;

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

export class GradientPool {
  private readonly workers: Worker[] = [];
  /** Worker index -> exit code, and the error it reported on its way out (if any). */
  private readonly exited = new Map<number, { code: number; error: string | null }>();
  private readonly errors = new Map<number, string>();
  private closed = false;
  /** Worker shards computed by their threads, and taken over by the main thread; steps with the workers paused. */
  readonly shards = { byWorkers: 0, takenOver: 0, pausedSteps: 0 };
  private window = 0;
  private bad = 0;
  private pausedFor = 0;
  private pauseLength = PAUSE_STEPS;

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
        // Wake a main thread waiting on DONE so it looks at the exit.
        Atomics.notify(this.control.i32, DONE);
      });
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Runs one step: the workers' shards are published, `local` computes the main thread's
   * shard, then `steal(w)` computes here each worker shard not claimed by its worker (within a
   * fraction of the time `local` took, if that worker is ready); returns each worker shard's
   * losses per head (index w - 1). Synchronous unless a claimed shard is late (then a promise).
   */
  run(step: number, coef: ArrayLike<number>, weightSums: ArrayLike<number>, shards: readonly Shard[], local: () => void, steal: (w: number) => Float64Array): Float64Array[] | Promise<Float64Array[]> {
    if (this.closed) throw new TrainingWorkerError('the training worker threads were already stopped');
    this.check();
    const c = this.control;
    const i32 = c.i32;
    const heads = c.layout.heads;
    const n = this.workers.length;
    Atomics.store(i32, DONE, 0);
    c.inputs[0] = step;
    for (let h = 0; h < heads; h++) {
      c.inputs[1 + h] = coef[h];
      c.inputs[1 + heads + h] = weightSums[h];
    }
    shards.forEach((s, w) => {
      const slot = slotOf(w + 1);
      i32[slot] = s.order;
      i32[slot + 1] = s.position;
      i32[slot + 2] = s.count;
      Atomics.store(i32, slot + CLAIM, 0);
    });
    Atomics.add(i32, SEQ, 1);
    Atomics.notify(i32, SEQ);
    const t0 = performance.now();
    local();
    // Grace for ready workers to claim their shards: a running worker claims within
    // microseconds; one the system has not scheduled would cost a whole shard's time.
    const t1 = performance.now();
    const own = t1 - t0;
    const claimUntil = t1 + Math.max(0.005, GRACE * own);
    for (;;) {
      let waiting = 0;
      for (let w = 1; w <= n; w++) if (Atomics.load(i32, slotOf(w) + READY) === 1 && Atomics.load(i32, slotOf(w) + CLAIM) === 0) waiting++;
      if (waiting === 0 || performance.now() > claimUntil) break;
    }
    let missed = 0;
    for (let w = 1; w <= n; w++) {
      if (Atomics.compareExchange(i32, slotOf(w) + CLAIM, 0, 1) !== 0) {
        this.shards.byWorkers++;
        continue;
      }
      if (Atomics.load(i32, slotOf(w) + READY) === 1) missed++;
      this.shards.takenOver++;
      c.losses.set(steal(w), (w - 1) * heads);
      Atomics.add(i32, DONE, 1);
    }
    const t2 = performance.now();
    const until = t2 + SPIN_MS;
    let spins = 0;
    while (Atomics.load(i32, DONE) < n) {
      if ((++spins & 255) === 0 && performance.now() > until) return this.waitSlow(own, t2, missed);
    }
    this.adapt(own, performance.now() - t2, missed);
    return this.finish();
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

  /** Pauses the workers when waiting for them costs more than their shards save (see PAUSE_STEPS). */
  private adapt(own: number, waited: number, missed: number): void {
    if (waited > own || missed > 0) this.bad++;
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

  private async waitSlow(own: number, started: number, missed: number): Promise<Float64Array[]> {
    const i32 = this.control.i32;
    const n = this.workers.length;
    for (;;) {
      const done = Atomics.load(i32, DONE);
      if (done >= n) {
        this.adapt(own, performance.now() - started, missed);
        return this.finish();
      }
      this.check();
      if (performance.now() - started > STALL_MS) throw new TrainingWorkerError(`training worker threads made no progress for ${STALL_MS / 1000} s`);
      Atomics.wait(i32, DONE, done, 5);
      // Let 'exit' events of threads that ended without reporting be delivered.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Throws if a worker reported a failure or ended (failures may come after the step they concern was taken over). */
  check(): void {
    const failed = Atomics.load(this.control.i32, FAILED);
    if (failed > 0) throw new TrainingWorkerError(`training worker thread ${failed} failed: ${this.control.readError()}`);
    for (const [index, { code, error }] of this.exited) {
      throw new TrainingWorkerError(error ? `training worker thread ${index} failed: ${error}` : `training worker thread ${index} stopped unexpectedly (exit code ${code})`);
    }
  }

  private finish(): Float64Array[] {
    this.check();
    const heads = this.control.layout.heads;
    return this.workers.map((_, w) => this.control.losses.slice(w * heads, (w + 1) * heads));
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
