/**
 * The loop of a gradient worker thread: wait for a step, compute the shard's gradient with
 * DenseStep on the shared memory, report, repeat (protocol in control.ts).
 */
import { DenseStep } from '../fusedDense';
import { DenseHeap } from '../kernels/denseKernels';
import { CLAIM, Control, DONE, FAILED, PAUSE, READY, SEQ, slotOf, type WorkerSetup } from './control';

/**
 * How long a worker spins on SEQ before sleeping in Atomics.wait: the next step of a small
 * network comes a few tens of microseconds after a worker finishes its shard (the main
 * thread's update), and waking a sleeping thread costs about as much; longer spins only burn a
 * core that someone else may need (validation, between epochs, a busy machine).
 */
const SPIN_MS = 0.1;

/**
 * DATASET_LAB_WORKER_FAULT=throw@N or exit@N makes worker 1 fail at the Nth step (an
 * exception, or the thread ending without one): the tests use it to check that failures are
 * reported and no thread is left behind.
 */
function fault(index: number): { kind: 'throw' | 'exit'; step: number } | null {
  const m = /^(throw|exit)@(\d+)$/.exec(process.env.DATASET_LAB_WORKER_FAULT ?? '');
  return m && index === 1 ? { kind: m[1] as 'throw' | 'exit', step: Number(m[2]) } : null;
}

export function runGradientWorker(setup: WorkerSetup): void {
  const heap = new DenseHeap(setup.memory);
  const step = new DenseStep(heap, setup.plan, setup.shared, setup.shard);
  const ctl = new Control(setup.memory.buffer as SharedArrayBuffer, setup.control);
  const heads = setup.control.heads;
  const injected = fault(setup.index);
  const slot = slotOf(setup.index);
  const i32 = ctl.i32;
  let seen = Atomics.load(i32, SEQ);
  Atomics.store(i32, slot + READY, 1);
  for (;;) {
    let seq = Atomics.load(i32, SEQ);
    if (seq === seen) {
      // Paused: sleep until the next step instead of spinning for it.
      const until = performance.now() + (Atomics.load(i32, PAUSE) === 1 ? 0 : SPIN_MS);
      let spins = 0;
      while ((seq = Atomics.load(i32, SEQ)) === seen) {
        if ((++spins & 255) === 0 && performance.now() > until) {
          Atomics.wait(i32, SEQ, seen);
          spins = 0;
        }
      }
    }
    if (seq < 0) return;
    seen = seq;
    if (injected?.kind === 'exit' && seq >= injected.step) process.exit(3);
    const claimed = Atomics.load(i32, PAUSE) === 0 && Atomics.compareExchange(i32, slot + CLAIM, 0, 1) === 0;
    try {
      if (injected?.kind === 'throw' && seq >= injected.step) throw new Error(`injected fault at step ${seq} (DATASET_LAB_WORKER_FAULT)`);
      if (!claimed) continue;
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
    if (claimed) {
      Atomics.add(i32, DONE, 1);
      Atomics.notify(i32, DONE);
    }
  }
}
