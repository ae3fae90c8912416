/**
 * The loop of a gradient worker thread: wait for a step, compute the shard's gradient with
 * DenseStep on the shared memory, report, repeat (protocol in control.ts).
 */
import { DenseStep } from '../denseStep';
import { DenseHeap } from '../kernels/denseKernels';
import { AWAKE, BUSY, CLAIM, Control, DONE_SEQ, FAILED, PAUSE, READY, SEQ, slotOf, type WorkerSetup } from './control';

/**
 * How long a worker spins on SEQ before sleeping in Atomics.wait: 1.5 times the usual interval
 * between steps (the median of the last few), within [MIN_SPIN_MS, MAX_SPIN_MS]. Waking a
 * sleeping thread costs more than the main thread's grace, so a worker that sleeps between
 * steps misses every one; one that spins much longer than the interval burns a core through
 * validation and epoch ends. Spinning on a machine with no free core is what pauses the
 * workers (see GradientPool).
 */
const MIN_SPIN_MS = 0.1;
const MAX_SPIN_MS = 2;

/**
 * DATASET_LAB_WORKER_FAULT=throw@N or exit@N makes worker 1 fail at the Nth step (an
 * exception, or the thread ending without one): the tests use it to check that failures are
 * reported and no thread is left behind.
 */
function fault(index: number): { kind: 'throw' | 'exit'; step: number } | null {
  const m = /^(throw|exit)@(\d+)$/.exec(process.env.DATASET_LAB_WORKER_FAULT ?? '');
  return m && index === 1 ? { kind: m[1] as 'throw' | 'exit', step: Number(m[2]) } : null;
}

/**
 * Runs the step on a few fixed rows for up to WARMUP_MS before taking real ones, into the
 * worker's own buffers (BUSY, so the main thread keeps out of them). A fresh thread runs its
 * JavaScript unoptimised at first; slow first shards would be overtaken by the main thread and
 * get the workers paused before they ever ran fast.
 */
const WARMUP_MS = 30;
const WARMUP_STEPS = 300;

function warmUp(step: DenseStep, setup: WorkerSetup, i32: Int32Array, slot: number): void {
  const heads = setup.control.heads;
  const inputs = { step: 0, coef: new Float64Array(heads).fill(1), weightSums: new Float64Array(heads).fill(setup.warmupRows) };
  Atomics.store(i32, slot + BUSY, 1);
  const until = performance.now() + WARMUP_MS;
  for (let k = 0; k < WARMUP_STEPS && performance.now() < until; k++) step.gradient(setup.warmupOrder, 0, setup.warmupRows, inputs);
  Atomics.store(i32, slot + BUSY, 0);
}

export function runGradientWorker(setup: WorkerSetup): void {
  const heap = new DenseHeap(setup.memory, setup.module);
  const step = new DenseStep(heap, setup.plan, setup.shared, setup.shard);
  const ctl = new Control(setup.memory.buffer as SharedArrayBuffer, setup.control);
  const heads = setup.control.heads;
  const injected = fault(setup.index);
  const slot = slotOf(setup.index);
  const i32 = ctl.i32;
  // 0, not the current SEQ: a step published before this thread started is still open to claim.
  let seen = 0;
  // The last intervals between steps this worker saw (ms), for its spin.
  const intervals = new Float64Array(8);
  let lastStep = performance.now();
  let spinMs = MIN_SPIN_MS;
  warmUp(step, setup, i32, slot);
  Atomics.store(i32, slot + AWAKE, 1);
  Atomics.store(i32, slot + READY, 1);
  for (;;) {
    let seq = Atomics.load(i32, SEQ);
    if (seq === seen) {
      // Paused: sleep until the next step instead of spinning for it.
      let until = performance.now() + (Atomics.load(i32, PAUSE) === 1 ? 0 : spinMs);
      let spins = 0;
      while ((seq = Atomics.load(i32, SEQ)) === seen) {
        if ((++spins & 255) === 0 && performance.now() > until) {
          Atomics.store(i32, slot + AWAKE, 0);
          Atomics.wait(i32, SEQ, seen);
          Atomics.store(i32, slot + AWAKE, 1);
          until = performance.now() + (Atomics.load(i32, PAUSE) === 1 ? 0 : spinMs);
          spins = 0;
        }
      }
    }
    if (seq < 0) return;
    const now = performance.now();
    if (seq === seen + 1) {
      intervals[seq & 7] = now - lastStep;
      const sorted = Float64Array.from(intervals).sort();
      spinMs = Math.min(MAX_SPIN_MS, Math.max(MIN_SPIN_MS, 1.5 * sorted[4]));
    }
    lastStep = now;
    seen = seq;
    if (injected?.kind === 'exit' && seq >= injected.step) process.exit(3);
    if (injected?.kind === 'throw' && seq >= injected.step) {
      ctl.writeError(`injected fault at step ${seq} (DATASET_LAB_WORKER_FAULT)`);
      Atomics.store(i32, FAILED, setup.index);
    }
    if (Atomics.load(i32, PAUSE) === 1) continue;
    // BUSY before the claim: the main thread, seeing it, never writes this worker's buffers.
    Atomics.store(i32, slot + BUSY, 1);
    if (Atomics.compareExchange(i32, slot + CLAIM, seq, 0) === seq) {
      try {
        const inputs = ctl.inputs;
        const losses = step.gradient(i32[slot], i32[slot + 1], i32[slot + 2], {
          step: inputs[0],
          coef: inputs.subarray(1, 1 + heads),
          weightSums: inputs.subarray(1 + heads, 1 + 2 * heads),
        });
        ctl.losses.set(losses, (setup.index - 1) * heads);
      } catch (e) {
        ctl.writeError(e instanceof Error ? e.message : String(e));
        Atomics.store(i32, FAILED, setup.index);
      }
      Atomics.store(i32, slot + DONE_SEQ, seq);
    }
    Atomics.store(i32, slot + BUSY, 0);
  }
}
