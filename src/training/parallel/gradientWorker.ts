/**
 * Entry of a gradient worker thread (bundled to dist/gradientWorker.js; started by
 * GradientPool). It runs the same DenseStep as the main thread on its shard of every batch,
 * over the shared memory, until told to stop. See control.ts for the protocol.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runGradientWorker } from './workerLoop';

if (!parentPort) {
  process.stderr.write('dataset-lab gradient worker: start me as a worker thread\n');
  process.exit(2);
}
runGradientWorker(workerData);
