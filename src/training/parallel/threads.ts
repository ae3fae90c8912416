/**
 * How many threads compute a network's gradients. Each worker thread takes a contiguous shard
 * of every batch (data parallelism), so it pays when a batch has enough rows for each thread's
 * share to outweigh the per-step hand-off, and when a model trains long enough to repay the
 * threads' start (~30 ms each). Measured in bench/RESULTS.md ("Training > Threads").
 */
import { availableParallelism } from 'node:os';
import { BackendError } from '../backend';
import { MAX_WORKERS } from './control';
import { gradientWorkerScript } from './gradientPool';

/** Fewer rows of a batch per thread than this and the hand-off costs more than it saves. */
export const MIN_ROWS_PER_THREAD = 64;
/**
 * Models with fewer training rows train on one thread: a worker costs ~30-40 ms of CPU to
 * start, about what 50 epochs of 4,096 rows take on one thread.
 */
export const MIN_ROWS_FOR_THREADS = 16384;
/**
 * ... and models planned for fewer samples (training rows x epochs) than this: a 32-64-32
 * network takes ~0.3 s for them on one thread, against ~35 ms of CPU per worker to start
 * (measured in bench/RESULTS.md: 2 epochs of 60,000 rows ran 18% slower on 2 threads).
 */
export const MIN_SAMPLES_FOR_THREADS = 500_000;

/** DATASET_LAB_THREADS is not a whole number in range (reported like a backend setting: no stack). */
export class ThreadsSettingError extends BackendError {
  override name = 'ThreadsSettingError';
}

/**
 * The most threads training may use: DATASET_LAB_THREADS when set, else every core this
 * process may run on; 1 when the worker script is not next to the bundle.
 */
export function threadCap(): number {
  const raw = process.env.DATASET_LAB_THREADS;
  let cap = availableParallelism();
  if (raw !== undefined && raw.trim() !== '') {
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 1 || v > MAX_WORKERS + 1) throw new ThreadsSettingError(`DATASET_LAB_THREADS must be a whole number from 1 to ${MAX_WORKERS + 1} (it is ${JSON.stringify(raw)})`);
    cap = v;
  }
  if (cap > 1 && !gradientWorkerScript()) return 1;
  return Math.min(cap, MAX_WORKERS + 1);
}

/** Threads for one model: the cap, limited by its batch size, training rows and epochs. */
export function plannedThreads(batchSize: number, rows: number, epochs: number, cap = threadCap()): number {
  if (rows < MIN_ROWS_FOR_THREADS || rows * epochs < MIN_SAMPLES_FOR_THREADS) return 1;
  return Math.max(1, Math.min(cap, Math.floor(batchSize / MIN_ROWS_PER_THREAD)));
}
