// Our side of bench/train.mjs: times the custom training loop (multi-head and merged MLP) and
// the closed-form linear fit on synthetic rows, and prints one JSON object.
// Usage (bundled by bench/train.mjs): node bench/.tmp/train_ours.js ROWS EPOCHS LINEAR_ROWS [RSS_ROWS] [THREADS]
// THREADS: a number of threads for the networks' gradients, or "default" (the training loop's
// own choice); the fit of the linear model runs on one thread either way.
import { initBackend } from '../src/training/backend';
import { fitLeastSquares } from '../src/training/linear';
import { Network } from '../src/training/network';
import { Rng, permutation } from '../src/core/random';
import { trainNetwork, type LoopData } from '../src/training/trainLoop';

const [rows, epochs, linearRows, rssRows] = process.argv.slice(2, 6).map(Number);
const threadsArg = process.argv[6] ?? '1';
const threads = threadsArg === 'default' ? undefined : Number(threadsArg);
let usedThreads = 0;
/** Per model with threads > 1: shards computed by the workers, taken over by the main thread, steps with the workers paused. */
const shardStats: Record<string, unknown> = {};
/** The first fit of the process (it includes compiling the WebAssembly kernels). */
let linearFirst = 0;
const D = 32;

function features(n: number, rng: Rng): Float32Array {
  const x = new Float32Array(n * D);
  for (let i = 0; i < x.length; i++) x[i] = rng.next() * 2 - 1;
  return x;
}

async function mlp(heads: number[], n: number, nEpochs: number): Promise<number> {
  const { tf } = await initBackend();
  const rng = new Rng(1);
  const x = features(n, rng);
  // Multi-head: even rows belong to head 0, odd rows to head 1 (masked out of the other head).
  const labels = heads.map(() => new Float32Array(n));
  const weights = heads.map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    const h = heads.length === 1 ? 0 : i % heads.length;
    labels[h][i] = Math.floor(rng.next() * heads[h]);
    weights[h][i] = 1;
  }
  const data: LoopData = { x, n, d: D, labels, weights };
  const network = new Network(tf, { inputs: D, trunk: [64, 32], headHidden: [], heads: heads.map((u, k) => ({ name: `h${k}`, task: 'classification', units: u })), activation: 'relu', dropout: 0 }, 1);
  const run = (e: number) =>
    trainNetwork({
      network,
      train: data,
      validation: null,
      training: { epochs: e, batchSize: 256, optimizer: 'adam', learningRate: 1e-3, earlyStopping: { patience: 1000, restoreBestWeights: false }, seed: 1 },
      l2: 0,
      weighting: 'static',
      staticWeights: heads.map(() => 1),
      dwaTemperature: 2,
      schedule: (_e, r) => permutation(n, r),
      threads,
    });
  // Warm-up on a slice (WASM kernels, optimizer slots), then time full epochs.
  await trainNetwork({
    network,
    train: { ...data, n: Math.min(n, 30000) },
    validation: null,
    training: { epochs: 1, batchSize: 256, optimizer: 'adam', learningRate: 1e-3, earlyStopping: { patience: 10, restoreBestWeights: false }, seed: 1 },
    l2: 0,
    weighting: 'static',
    staticWeights: heads.map(() => 1),
    dwaTemperature: 2,
    schedule: (_e, r) => permutation(Math.min(n, 30000), r),
    threads,
  });
  const t0 = process.hrtime.bigint();
  const result = await run(nEpochs);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  network.dispose();
  usedThreads = result.threads;
  shardStats[heads.length > 1 ? 'multihead' : 'merged'] = result.workerShards;
  return (n * nEpochs) / seconds;
}

function linear(n: number): number {
  const rng = new Rng(2);
  const x = features(n, rng);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0.5;
    for (let j = 0; j < D; j++) s += x[i * D + j] * (j - 16) * 0.1;
    y[i] = s + rng.next() * 0.1;
  }
  const times: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    const t0 = process.hrtime.bigint();
    fitLeastSquares(x, y, n, D, 0);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  linearFirst = times[0];
  return times.sort((a, b) => a - b)[2];
}

async function main() {
  const { backend } = await initBackend();
  const out: Record<string, number | string> = { backend, threadsRequested: threadsArg };
  out.multihead = await mlp([3, 4], rows, epochs);
  out.merged = await mlp([3], rows, epochs);
  out.threads = usedThreads;
  if (usedThreads > 1) out.workerShards = JSON.stringify(shardStats);
  out.linear = linear(linearRows);
  out.linearFirst = linearFirst;
  if (rssRows) {
    // Peak memory of one merged-MLP epoch over RSS_ROWS x 32 features (data + training).
    await mlp([3], rssRows, 1);
    out.rssRows = rssRows;
    out.peakRssMB = process.resourceUsage().maxRSS / 1024;
  }
  console.log(JSON.stringify(out));
}

void main();
