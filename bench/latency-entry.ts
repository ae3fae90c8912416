// In-process half of bench/latency.mjs (bundled by it): how soon training stops when asked, and
// how soon a dead gradient worker is noticed, through the same TrainingRun the CLI and the
// extension use (dist/trainer.js forked). Prints one JSON object per measurement on stdout.
// Usage: node bench/.tmp/latency-entry.js ROOT RUNS
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitLogisticAsync } from '../src/training/linear';
import { TrainingRun } from '../src/training/host';

const [root, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
const trainerPath = join(root, 'dist', 'trainer.js');

/** A workspace with `rows` rows of a two-feature XOR-like task and an experiment on it. */
function workspace(rows: number, training: object, hidden: number[]): { dir: string; experiment: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dl-latency-'));
  let s = 5;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  const lines = ['x1,x2,x3,x4,label'];
  for (let i = 0; i < rows; i++) {
    const a = r() * 4 - 2;
    const b = r() * 4 - 2;
    lines.push(`${a},${b},${r()},${r()},${a * b > 0 ? 'p' : 'q'}`);
  }
  writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
  const experiment = join(dir, 'x.experiment.json');
  writeFileSync(experiment, JSON.stringify({ version: 1, datasets: [{ name: 'big', path: 'big.csv', label: 'label' }], arms: ['separate'], model: { type: 'mlp', hidden }, training }));
  return { dir, experiment };
}

const emit = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');

/** run.cancel() after the first epoch -> the trainer's 'cancelled' answer (the test's old "within a second"). */
async function cancelLatency(): Promise<void> {
  const { dir, experiment } = workspace(3000, { epochs: 500, batchSize: 16 }, [32, 32]);
  try {
    const run = TrainingRun.start({ experimentPath: experiment, trainerPath });
    let cancelAt = 0;
    let answered = 0;
    run.onMessage((m) => {
      if (m.type === 'epoch' && m.record.epoch === 1 && !cancelAt) {
        cancelAt = performance.now();
        run.cancel();
      }
      if (m.type === 'cancelled') answered = performance.now();
    });
    const out = await run.done;
    if (out.status !== 'cancelled' || !answered) throw new Error(`not cancelled: ${JSON.stringify(out)}`);
    emit({ what: 'cancel', ms: answered - cancelAt });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A gradient worker thread that exits at its 5th step: run start -> the failed outcome (the test's old 10 s). */
async function deadWorker(): Promise<void> {
  const { dir, experiment } = workspace(30_000, { epochs: 100, batchSize: 256, earlyStopping: { patience: 100 } }, [32, 32]);
  try {
    const t0 = performance.now();
    let started = 0;
    const run = TrainingRun.start({ experimentPath: experiment, trainerPath, env: { DATASET_LAB_THREADS: '3', DATASET_LAB_WORKER_FAULT: 'exit@5' } });
    run.onMessage((m) => {
      if (m.type === 'started') started = performance.now();
    });
    const out = await run.done;
    if (out.status !== 'failed' || !/stopped unexpectedly/.test(out.error.message)) throw new Error(`not the worker's failure: ${JSON.stringify(out)}`);
    emit({ what: 'dead-worker', ms: performance.now() - t0, startedMs: started - t0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The cancellable logistic fit on 60,000 rows (the reference problem of test/reference/training,
 * repeated with jitter, as the test builds it), cancelled from its first check (the test's old 1 s).
 */
async function logisticCancel(): Promise<void> {
  const ref = JSON.parse(readFileSync(join(root, 'test', 'reference', 'training', 'linear.json'), 'utf8')) as { x: number[][]; classes: number[]; l2: number };
  const n = ref.x.length;
  const d = ref.x[0].length;
  const big = new Float64Array(60_000 * d);
  const cls = new Array<number>(60_000);
  for (let i = 0; i < 60_000; i++) {
    for (let j = 0; j < d; j++) big[i * d + j] = ref.x[i % n][j] + ((i * 7 + j) % 13) / 100;
    cls[i] = ref.classes[i % n];
  }
  const t0 = performance.now();
  const fit = await fitLogisticAsync(big, cls, 60_000, d, 3, { l2: ref.l2, isCancelled: () => true });
  if (fit !== null) throw new Error('the fit ended before its first cancellation check');
  emit({ what: 'logistic-cancel', ms: performance.now() - t0 });
}

async function main(): Promise<void> {
  for (let i = 0; i < runs; i++) {
    await cancelLatency();
    await logisticCancel();
    await deadWorker();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
