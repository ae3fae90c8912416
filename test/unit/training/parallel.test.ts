// Data-parallel training (src/training/parallel/): worker threads computing each batch's
// gradient shards over one shared memory must train the same network as one thread (up to the
// order of float additions), report a worker's failure as one clear error, and leave no thread
// behind after failures or cancellation. Real worker threads run out/gradientWorker.js.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { initBackend } from '../../../src/training/backend';
import { TrainingRun } from '../../../src/training/host';
import type { Activation, TrainingSpec, Weighting } from '../../../src/training/experiment';
import { Network, type HeadSpec } from '../../../src/training/network';
import { liveGradientWorkers, TrainingWorkerError } from '../../../src/training/parallel/gradientPool';
import { MIN_ROWS_FOR_THREADS, MIN_SAMPLES_FOR_THREADS, plannedThreads, threadCap, ThreadsSettingError } from '../../../src/training/parallel/threads';
import { permutation } from '../../../src/core/random';
import { trainNetwork, type LoopData, type LoopHooks, type LoopResult } from '../../../src/training/trainLoop';
import { lcg } from './tables';

const cls3: HeadSpec = { name: 'a', task: 'classification', units: 3 };
const cls4: HeadSpec = { name: 'b', task: 'classification', units: 4 };
const reg: HeadSpec = { name: 'r', task: 'regression', units: 1 };

interface Case {
  readonly name: string;
  readonly heads: HeadSpec[];
  readonly trunk: number[];
  readonly headHidden: number[];
  readonly activation: Activation;
  readonly dropout: number;
  readonly weighting: Weighting;
  readonly batch: number;
}

function data(n: number, d: number, heads: HeadSpec[], seed: number): LoopData {
  const r = lcg(seed);
  const x = new Float32Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = r() * 2 - 1;
  const labels = heads.map(() => new Float32Array(n));
  const weights = heads.map(() => new Float32Array(n));
  for (let i = 0; i < n; i++) {
    const h = i % heads.length;
    const s = x[i * d] + 0.5 * x[i * d + 1];
    labels[h][i] = heads[h].task === 'classification' ? Math.min(heads[h].units - 1, Math.floor((s + 1.5) / (3 / heads[h].units))) : s + 0.1 * r();
    weights[h][i] = 0.5 + r();
  }
  return { x, n, d, labels, weights };
}

/** After the first epoch, give the worker threads time to start (training never waits for them), so later epochs exercise them. */
const letWorkersStart: LoopHooks = {
  onEpoch: async (e) => {
    if (e.epoch === 1) await new Promise((resolve) => setTimeout(resolve, 400));
  },
};

async function train(c: Case, threads: number, hooks: LoopHooks = letWorkersStart, epochs = 4): Promise<{ result: LoopResult; weights: Float32Array[] }> {
  const { tf } = await initBackend();
  const d = 12;
  const n = 6100; // 6100 = 23 x 256 + 212: the last batch is short and splits unevenly; enough steps per epoch for a woken worker to catch up
  const network = new Network(tf, { inputs: d, trunk: c.trunk, headHidden: c.headHidden, heads: c.heads, activation: c.activation, dropout: c.dropout }, 3);
  const training: TrainingSpec = { epochs, batchSize: c.batch, optimizer: 'adam', learningRate: 0.005, earlyStopping: { patience: 100, restoreBestWeights: false }, seed: 9 };
  try {
    const result = await trainNetwork({
      network,
      train: data(n, d, c.heads, 1),
      validation: data(200, d, c.heads, 2),
      training,
      l2: 1e-4,
      weighting: c.weighting,
      staticWeights: c.heads.map((_, h) => 1 + 0.25 * h),
      dwaTemperature: 2,
      schedule: (_e, rng) => permutation(n, rng),
      threads,
      hooks,
    });
    return { result, weights: network.variables().map((v) => Float32Array.from(v.dataSync() as Float32Array)) };
  } finally {
    network.dispose();
  }
}

const cases: Case[] = [
  { name: 'merged, relu trunk', heads: [cls3], trunk: [32, 16], headHidden: [], activation: 'relu', dropout: 0, weighting: 'static', batch: 256 },
  { name: 'multi-head with hidden head layers, tanh, dropout, uncertainty weighting', heads: [cls4, reg], trunk: [20], headHidden: [8], activation: 'tanh', dropout: 0.2, weighting: 'uncertainty', batch: 128 },
];

for (const c of cases) {
  test(`2 and 3 threads train the same network as 1 thread: ${c.name}`, async () => {
    const one = await train(c, 1);
    assert.equal(one.result.threads, 1);
    for (const [threads, waitAll] of [
      [2, true],
      [3, true],
      [2, false],
    ] as const) {
      // waitAll: every worker shard computed by its worker (the main thread otherwise takes
      // over late workers, which on a busy machine may be all of them); without it, whatever
      // mix of workers and main thread the machine gives: the results must not depend on it.
      if (waitAll) process.env.DATASET_LAB_THREADS_WAIT = '1';
      let many: Awaited<ReturnType<typeof train>>;
      try {
        many = await train(c, threads);
      } finally {
        delete process.env.DATASET_LAB_THREADS_WAIT;
      }
      const shards = many.result.workerShards;
      if (waitAll) assert.ok(shards.byWorkers > 0 && shards.takenOver === 0 && shards.overtaken === 0 && shards.pausedSteps === 0, `${threads} threads: ${JSON.stringify(shards)}`);
      assert.equal(many.result.stepper, 'fused-wasm');
      assert.equal(many.result.threads, threads);
      assert.equal(many.result.history.length, one.result.history.length);
      many.result.history.forEach((e, i) => {
        const r = one.result.history[i];
        assert.ok(Math.abs(e.trainLoss - r.trainLoss) <= 1e-5 * Math.max(1, Math.abs(r.trainLoss)), `${threads} threads, epoch ${e.epoch}: train loss ${e.trainLoss} vs ${r.trainLoss}`);
        assert.ok(Math.abs((e.valLoss as number) - (r.valLoss as number)) <= 1e-5 * Math.max(1, Math.abs(r.valLoss as number)), `${threads} threads, epoch ${e.epoch}: validation loss ${e.valLoss} vs ${r.valLoss}`);
      });
      let worst = 0;
      many.weights.forEach((w, k) => w.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - one.weights[k][i])))));
      assert.ok(worst < 1e-4, `${threads} threads: largest weight difference ${worst}`);
    }
    assert.equal(liveGradientWorkers(), 0);
  });
}

test('a worker whose step throws is reported as one clear error, and no thread is left', async () => {
  process.env.DATASET_LAB_WORKER_FAULT = 'throw@3';
  try {
    await assert.rejects(train(cases[0], 2, letWorkersStart, 30), (e: unknown) => {
      assert.ok(e instanceof TrainingWorkerError, String(e));
      assert.match(e.message, /^training worker thread 1 failed: injected fault at step \d+ \(DATASET_LAB_WORKER_FAULT\)$/);
      return true;
    });
  } finally {
    delete process.env.DATASET_LAB_WORKER_FAULT;
  }
  assert.equal(liveGradientWorkers(), 0);
});

// Forever is the test's timeout (a hang guard); how soon it is noticed: bench/latency.mjs.
test('a worker thread that ends without a word is noticed, not waited on forever', { timeout: 120_000 }, async () => {
  process.env.DATASET_LAB_WORKER_FAULT = 'exit@5';
  try {
    await assert.rejects(train(cases[0], 3, letWorkersStart, 30), (e: unknown) => {
      assert.ok(e instanceof TrainingWorkerError, String(e));
      assert.match(e.message, /^training worker thread 1 stopped unexpectedly \(exit code 3\)$/);
      return true;
    });
  } finally {
    delete process.env.DATASET_LAB_WORKER_FAULT;
  }
  assert.equal(liveGradientWorkers(), 0);
});

test('cancelling a multi-threaded run stops its threads', async () => {
  let batches = 0;
  const { result } = await train(cases[0], 2, { ...letWorkersStart, isCancelled: () => ++batches > 9 }, 50);
  assert.equal(result.cancelled, true);
  assert.equal(result.threads, 2);
  assert.equal(liveGradientWorkers(), 0);
});

test('thread policy: every core for large batches, data and runs, one thread otherwise; DATASET_LAB_THREADS caps it', () => {
  const cores = availableParallelism();
  assert.equal(threadCap(), cores, 'the worker script out/gradientWorker.js must be found');
  assert.equal(plannedThreads(256, 100_000, 50, 8), 4);
  assert.equal(plannedThreads(64, 100_000, 50, 8), 1);
  assert.equal(plannedThreads(1024, 100_000, 50, 2), 2);
  assert.equal(plannedThreads(1024, MIN_ROWS_FOR_THREADS - 1, 1000, 8), 1);
  assert.equal(plannedThreads(1024, 100_000, Math.floor(MIN_SAMPLES_FOR_THREADS / 100_000) - 1, 8), 1);
  process.env.DATASET_LAB_THREADS = '1';
  try {
    assert.equal(threadCap(), 1);
    process.env.DATASET_LAB_THREADS = '3';
    assert.equal(threadCap(), 3);
    for (const bad of ['0', 'two', '1.5', '1000']) {
      process.env.DATASET_LAB_THREADS = bad;
      assert.throws(() => threadCap(), (e: unknown) => e instanceof ThreadsSettingError && e.message.includes(JSON.stringify(bad)));
    }
  } finally {
    delete process.env.DATASET_LAB_THREADS;
  }
});

// The real training child (dist/trainer.js, with dist/gradientWorker.js next to it: run
// `node esbuild.mjs` first) on data large enough for threads.
const trainerPath = join(__dirname, '..', '..', '..', '..', 'dist', 'trainer.js');

function bigRun(env: Record<string, string>, epochs = 25): Promise<import('../../../src/training/host').RunOutcome> {
  assert.ok(existsSync(trainerPath), `${trainerPath} is missing: run "node esbuild.mjs" first`);
  const dir = mkdtempSync(join(tmpdir(), 'dl-parallel-'));
  const r = lcg(5);
  const lines = ['x1,x2,x3,x4,label'];
  for (let i = 0; i < 30000; i++) { // 21,000 training rows: above MIN_ROWS_FOR_THREADS
    const a = r() * 4 - 2;
    const b = r() * 4 - 2;
    lines.push(`${a},${b},${r()},${r()},${a * b > 0 ? 'p' : 'q'}`);
  }
  writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
  const experiment = { version: 1, datasets: [{ name: 'big', path: 'big.csv', label: 'label' }], arms: ['separate'], model: { type: 'mlp', hidden: [32, 32] }, training: { epochs, batchSize: 256, earlyStopping: { patience: 100 } } };
  writeFileSync(join(dir, 'x.experiment.json'), JSON.stringify(experiment));
  return TrainingRun.start({ experimentPath: join(dir, 'x.experiment.json'), trainerPath, env }).done;
}

test('dataset-lab run trains with every core by default and records the thread count in environment.json', async () => {
  const out = await bigRun({});
  assert.equal(out.status, 'completed', JSON.stringify(out));
  if (out.status !== 'completed') return;
  const env = JSON.parse(readFileSync(join(out.runDir, 'environment.json'), 'utf8'));
  assert.equal(env.trainingStep, 'fused-wasm');
  assert.equal(env.trainingThreads, availableParallelism());
  const capped = await bigRun({ DATASET_LAB_THREADS: '1' });
  assert.equal(capped.status, 'completed', JSON.stringify(capped));
  if (capped.status === 'completed') assert.equal(JSON.parse(readFileSync(join(capped.runDir, 'environment.json'), 'utf8')).trainingThreads, 1);
});

test('in the training child, a bad DATASET_LAB_THREADS is an input error and a failing worker one line (stack in error.log)', async () => {
  const bad = await bigRun({ DATASET_LAB_THREADS: 'many' });
  assert.equal(bad.status, 'failed');
  if (bad.status === 'failed') {
    assert.equal(bad.error.kind, 'input');
    assert.equal(bad.error.message, 'DATASET_LAB_THREADS must be a whole number from 1 to 63 (it is "many")');
  }
  if (availableParallelism() < 2) return;
  // Long enough for the worker thread to start (training does not wait for it).
  const failed = await bigRun({ DATASET_LAB_WORKER_FAULT: 'throw@1' }, 100);
  assert.equal(failed.status, 'failed', JSON.stringify(failed));
  if (failed.status !== 'failed') return;
  assert.equal(failed.error.kind, 'internal');
  assert.match(failed.error.message, /^internal error in the trainer \(please report it\): TrainingWorkerError: training worker thread 1 failed: injected fault at step \d+ \(DATASET_LAB_WORKER_FAULT\) \(the stack trace is in .*error\.log\)$/);
  assert.ok(!failed.error.message.includes('\n'), failed.error.message);
  const runDir = failed.error.runDir as string;
  assert.match(readFileSync(join(runDir, 'error.log'), 'utf8'), /TrainingWorkerError[^\n]*\n\s+at /);
  assert.equal(JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')).status, 'failed');
});
