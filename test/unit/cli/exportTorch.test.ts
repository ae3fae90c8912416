// `dataset-lab export torch` through dist/cli.js, and the project it writes run with the real
// torchrun (Debian's python3-torch: /usr/bin/torchrun, torch 1.13, gloo on the CPU): the bundled
// weather example trained by our engine and by 2 and 1 PyTorch processes on the same split.
// The torchrun tests skip, saying why, only where no torchrun is installed (DATASET_LAB_TORCHRUN
// names another one). The experiment is the bundled one with 60 epochs instead of 30, so both
// engines train to their plateau (at 30 some models are still improving, docs/scaling.md).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { examples, runCli, tempDir } from '../helpers';
import type { ClassificationMetrics, RegressionMetrics, RunResults } from '../../../src/protocol/runFolder/contract';
import { readTable } from '../../../src/core/readers/readTable';
import { transformRows, type FittedPreprocessing } from '../../../src/training/preprocess';

const tmp = tempDir('dataset-lab-export-torch-');
after(tmp.cleanup);
const root = tmp.path;

function findTorchrun(): string | undefined {
  if (process.env.DATASET_LAB_TORCHRUN) return process.env.DATASET_LAB_TORCHRUN;
  if (existsSync('/usr/bin/torchrun')) return '/usr/bin/torchrun';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'torchrun'))) return join(dir, 'torchrun');
  return undefined;
}
const torchrun = findTorchrun();
const skipTorch = torchrun ? false : 'torchrun is not installed (Debian: apt-get install python3-torch; or set DATASET_LAB_TORCHRUN)';
/** The Python torchrun runs (its #! line): the one that has torch. */
const python = torchrun ? (readFileSync(torchrun, 'utf8').split('\n')[0].replace(/^#!\s*/, '').split(/\s+/)[0] || '/usr/bin/python3') : '/usr/bin/python3';

interface Proc {
  code: number | null;
  stdout: string;
  stderr: string;
}
function run(cmd: string, args: readonly string[], cwd: string): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const experiment = (edit: (e: Record<string, unknown>) => void = () => {}) => {
  const e = JSON.parse(readFileSync(examples('weather.experiment.json'), 'utf8')) as Record<string, unknown>;
  delete e.$schema;
  (e.training as { epochs: number }).epochs = 60;
  edit(e);
  return e;
};
const writeExperiment = (name: string, e: Record<string, unknown>) => {
  writeFileSync(join(root, name), JSON.stringify(e, null, 2));
  return name;
};
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const scores = (r: RunResults) => Object.fromEntries(r.arms.map((a) => [a.arm, Object.fromEntries(Object.entries(a.bySource).map(([s, m]) => [s, m.task === 'regression' ? (m as RegressionMetrics).r2 : (m as ClassificationMetrics).accuracy]))]));

let ours: RunResults;
let oursDir: string;
before(() => {
  mkdirSync(join(root, 'weather'));
  for (const f of ['seattle.csv', 'new-york.csv']) copyFileSync(examples('weather', f), join(root, 'weather', f));
  writeExperiment('weather.experiment.json', experiment());
  const r = runCli(['run', 'weather.experiment.json', '--json'], root);
  assert.equal(r.code, 0, r.stderr);
  ours = JSON.parse(r.stdout) as RunResults;
  oursDir = join(root, '.dataset-lab', 'runs', ours.runId);
});

describe('export torch: what it refuses', () => {
  const refused = (name: string, e: Record<string, unknown>, message: RegExp) => {
    const out = `refused-${name}`;
    const r = runCli(['export', 'torch', writeExperiment(`${name}.experiment.json`, e), '-o', out], root);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /nothing was exported\n$/);
    assert.equal(r.stdout, '');
    // Nothing half written: neither the folder nor a temporary one beside it.
    assert.ok(!existsSync(join(root, out)), `${out} must not exist`);
    assert.deepEqual(readdirSync(root).filter((f) => f.includes('partial')), []);
  };

  test('gbm and linear models, transforms, dates with zones: one line each naming the JSON path; nothing written', () => {
    refused('gbm', experiment((e) => (e.model = { type: 'gbm' })), /at \$\.model\.type: gradient-boosted trees \("gbm"\) cannot be exported to PyTorch/);
    refused('linear', experiment((e) => Object.assign(e, { model: { type: 'linear' }, arms: ['separate', 'merged'] })), /at \$\.model\.type: the linear model is fitted in closed form/);
    refused(
      'transform',
      experiment((e) => ((e.datasets as Record<string, unknown>[])[1].transform = [{ derive: { wind2: 'd => d.wind * 2' } }])),
      /at \$\.datasets\[1\]\.transform: dataset "new-york": transform steps \(arquero expressions\) cannot run in train\.py/,
    );
    // Dates with zones: train.py reads wall times without per-cell offsets.
    const zoned = readFileSync(join(root, 'weather', 'seattle.csv'), 'utf8').replace(/^(\d{4}-\d\d-\d\d),/gm, '$1T12:00:00+02:00,');
    writeFileSync(join(root, 'weather', 'seattle-zoned.csv'), zoned);
    refused(
      'zones',
      experiment((e) => {
        e.features = ['precipitation', 'temp_max', 'date'];
        (e.datasets as Record<string, unknown>[])[0].path = 'weather/seattle-zoned.csv';
      }),
      /at \$\.datasets\[0\]\.path: dataset "seattle", column "date": feature column "date" holds dates with time zones \(%Y-%m-%dT%H:%M:%S%z\): train\.py reads dates as wall times/,
    );
  });

  test('an existing output folder without --force', () => {
    mkdirSync(join(root, 'taken'));
    writeFileSync(join(root, 'taken', 'keep.txt'), 'mine');
    const r = runCli(['export', 'torch', 'weather.experiment.json', '-o', 'taken'], root);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the output folder exists; choose another -o or pass --force/);
    assert.deepEqual(readdirSync(join(root, 'taken')), ['keep.txt']);
    const usage = runCli(['export', 'onnx', 'weather.experiment.json', '-o', 'x'], root);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /export needs a target: "torch"/);
  });
});

describe('export torch: the project', () => {
  let project: string;
  before(() => {
    const r = runCli(['export', 'torch', 'weather.experiment.json', '-o', 'torch-project'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^wrote torch-project: train\.py, export\.json, split\.json, 4 models' preprocessing \(separate\/seattle, separate\/new-york, merged, multihead\)/);
    project = join(root, 'torch-project');
  });

  test('holds train.py, the launch files, the split of our run and preprocessing fitted on each model\'s training rows', () => {
    for (const f of ['train.py', 'export.json', 'split.json', 'README.md', 'launch/slurm.sbatch', 'launch/pytorchjob.yaml', 'preprocessing/merged.json', 'preprocessing/multihead.json', 'preprocessing/separate__seattle.json', 'preprocessing/separate__new-york.json']) {
      assert.ok(existsSync(join(project, f)), f);
    }
    assert.match(readFileSync(join(project, 'README.md'), 'utf8'), /torchrun --nproc_per_node 2 train\.py/);
    assert.match(readFileSync(join(project, 'launch', 'pytorchjob.yaml'), 'utf8'), /kind: PyTorchJob/);
    assert.match(readFileSync(join(project, 'launch', 'slurm.sbatch'), 'utf8'), /srun torchrun/);
    // The split is the one `dataset-lab run` used (same experiment, same seed).
    assert.deepEqual(readJson(join(project, 'split.json')), readJson(join(oursDir, 'split.json')));
    // separate/seattle's scaler: mean and population spread of seattle's training rows, from the CSV.
    const split = readJson<Record<string, { train: number[] }>>(join(project, 'split.json'));
    const lines = readFileSync(join(root, 'weather', 'seattle.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const prep = readJson<{ features: { name: string; center: number; scale: number }[] }>(join(project, 'preprocessing', 'separate__seattle.json'));
    for (const f of prep.features) {
      const col = header.indexOf(f.name);
      const v = split.seattle.train.map((r) => Number(lines[r + 1].split(',')[col]));
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      assert.ok(Math.abs(f.center - mean) < 1e-9 && Math.abs(f.scale - sd) < 1e-9, `${f.name}: ${f.center}/${f.scale} vs ${mean}/${sd}`);
    }
    const py = spawnSync(python, ['-m', 'py_compile', join(project, 'train.py')], { encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
  });

  test('torchrun with 2 processes (gloo): a run folder report renders, scores within 2 points of our run; 1 process on shards agrees', { skip: skipTorch, timeout: 480_000 }, async () => {
    // Debian's torch 1.13 under Python 3.11 needs --redirects 1 --tee 1 (see the project's README).
    const two = await run(torchrun as string, ['--nproc_per_node', '2', '--redirects', '1', '--tee', '1', 'train.py', '--run-dir', join(root, 'runs', 'torch-2')], project);
    assert.equal(two.code, 0, `${two.stdout}\n${two.stderr}`);
    const results2 = readJson<RunResults>(join(root, 'runs', 'torch-2', 'results.json'));
    assert.equal(results2.status, 'completed');
    assert.match(results2.backend, /^pytorch-ddp \(gloo, 2 processes\)$/);
    assert.equal(readJson<{ status: string }>(join(root, 'runs', 'torch-2', 'status.json')).status, 'completed');
    assert.deepEqual(readJson(join(root, 'runs', 'torch-2', 'split.json')), readJson(join(oursDir, 'split.json')));
    // Dataset facts (split sizes, baselines, leakage, row accounting) are our engine's, as in our run.
    assert.deepEqual(results2.datasets, ours.datasets);
    const history = readFileSync(join(root, 'runs', 'torch-2', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; epoch: number; valLoss: number });
    assert.deepEqual([...new Set(history.map((h) => h.model))], ['separate/seattle', 'separate/new-york', 'merged', 'multihead']);
    assert.ok(history.every((h) => Number.isFinite(h.valLoss)));

    const report = runCli(['report', join(root, 'runs', 'torch-2'), '-o', join(root, 'torch-2.html')], root);
    assert.equal(report.code, 0, report.stderr);
    const html = readFileSync(join(root, 'torch-2.html'), 'utf8');
    assert.ok(html.includes('pytorch-ddp (gloo, 2 processes)'), 'the report names the backend');

    const theirs = scores(results2);
    const mine = scores(ours);
    for (const arm of ['separate', 'merged', 'multihead']) {
      for (const s of ['seattle', 'new-york']) {
        assert.ok(Math.abs(theirs[arm][s] - mine[arm][s]) <= 0.02, `${arm} ${s}: torch ${theirs[arm][s]} vs ours ${mine[arm][s]}`);
      }
    }

    // One process, seattle read from two shards (a glob, in name order).
    const shards = join(root, 'shards');
    mkdirSync(shards, { recursive: true });
    const lines = readFileSync(join(root, 'weather', 'seattle.csv'), 'utf8').trim().split('\n');
    const half = Math.floor((lines.length - 1) / 2);
    writeFileSync(join(shards, 'part-0.csv'), [lines[0], ...lines.slice(1, 1 + half)].join('\n') + '\n');
    writeFileSync(join(shards, 'part-1.csv'), [lines[0], ...lines.slice(1 + half)].join('\n') + '\n');
    const one = await run(torchrun as string, ['--nproc_per_node', '1', '--redirects', '1', '--tee', '1', 'train.py', '--data', `seattle=${join(shards, 'part-*.csv')}`, '--run-dir', join(root, 'runs', 'torch-1')], project);
    assert.equal(one.code, 0, `${one.stdout}\n${one.stderr}`);
    const single = scores(readJson<RunResults>(join(root, 'runs', 'torch-1', 'results.json')));
    for (const arm of ['separate', 'merged', 'multihead']) {
      for (const s of ['seattle', 'new-york']) {
        assert.ok(Math.abs(single[arm][s] - theirs[arm][s]) <= 0.02, `${arm} ${s}: 1 process ${single[arm][s]} vs 2 processes ${theirs[arm][s]}`);
      }
    }
  });

  test('a shard missing at launch, or data changed since the export: one line, exit 2, no run folder', { skip: skipTorch }, async () => {
    const shards = join(root, 'shards-missing');
    mkdirSync(shards, { recursive: true });
    const lines = readFileSync(join(root, 'weather', 'seattle.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(shards, 'part-0.csv'), [lines[0], ...lines.slice(1, 700)].join('\n') + '\n');
    const missing = await run(python, ['train.py', '--data', `seattle=${join(shards, 'part-*.csv')}`, '--run-dir', join(root, 'runs', 'missing')], project);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /^train\.py: dataset seattle: read 699 rows from .*part-0\.csv, but the export's split has 1461; a shard is missing or the data changed since the export\n$/);
    assert.ok(!existsSync(join(root, 'runs', 'missing')));

    const none = await run(python, ['train.py', '--data', `seattle=${join(shards, 'nothing-*.csv')}`, '--run-dir', join(root, 'runs', 'none')], project);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^train\.py: dataset seattle: no file matches .*nothing-\*\.csv \(a shard is missing or the path is wrong\)\n$/);

    // Same row count, other labels: the split's class counts no longer match.
    const swapped = [lines[0], ...lines.slice(1).map((l) => l.replace(/,sun$/, ',rain'))];
    writeFileSync(join(shards, 'changed.csv'), swapped.join('\n') + '\n');
    const changed = await run(python, ['train.py', '--data', `seattle=${join(shards, 'changed.csv')}`, '--run-dir', join(root, 'runs', 'changed')], project);
    assert.equal(changed.code, 2);
    assert.match(changed.stderr, /^train\.py: dataset seattle: the train rows of .*changed\.csv hold other labels than at export/);
    assert.ok(!existsSync(join(root, 'runs', 'changed')));
  });
});

describe('export torch: regression, balancing, mixing and head weighting', () => {
  // temp_max from the other columns (a categorical one-hot encoded): every option train.py maps
  // that the weather classification leaves at its default.
  const regression = (name: string, edit: (e: Record<string, unknown>) => void) =>
    writeExperiment(
      `${name}.experiment.json`,
      experiment((e) => {
        e.name = name;
        e.datasets = (e.datasets as Record<string, unknown>[]).map((d) => ({ ...d, label: 'temp_max', task: 'regression' }));
        e.features = ['precipitation', 'temp_min', 'wind', 'weather'];
        e.split = { test: 0.2, validation: 0.1, seed: 7 };
        e.training = { epochs: 40, batchSize: 64, optimizer: 'adam', learningRate: 0.003, earlyStopping: { patience: 8, restoreBestWeights: true }, seed: 3 };
        edit(e);
      }),
    );
  const agree = async (file: string, launch: (project: string) => Promise<Proc>, runDir: string) => {
    const ours = runCli(['run', file, '--json'], root);
    assert.equal(ours.code, 0, ours.stderr);
    const project = join(root, `${file}.torch`);
    const exported = runCli(['export', 'torch', file, '-o', project], root);
    assert.equal(exported.code, 0, exported.stderr);
    const r = await launch(project);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const theirs = readJson<RunResults>(join(runDir, 'results.json'));
    const mine = scores(JSON.parse(ours.stdout) as RunResults);
    const got = scores(theirs);
    for (const arm of ['separate', 'merged', 'multihead']) {
      for (const s of ['seattle', 'new-york']) assert.ok(Math.abs(got[arm][s] - mine[arm][s]) <= 0.02, `${file} ${arm} ${s}: torch R2 ${got[arm][s]} vs ours ${mine[arm][s]}`);
    }
    return readFileSync(join(runDir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; heads: Record<string, { weight: number }> });
  };

  test('oversampling, temperature mixing, uncertainty weighting, head layers, dropout, tanh: 2 processes within 0.02 R2 of our run', { skip: skipTorch, timeout: 300_000 }, async () => {
    const file = regression('reg-uncertainty', (e) => {
      e.merged = { balancing: 'oversample' };
      e.multihead = { mixing: 'temperature', temperature: 2, weighting: 'uncertainty' };
      e.model = { type: 'mlp', hidden: [32, 16], headHidden: [8], activation: 'tanh', dropout: 0.1, l2: 0.0001 };
    });
    const runDir = join(root, 'runs', 'reg-uncertainty');
    const history = await agree(file, (project) => run(torchrun as string, ['--nproc_per_node', '2', '--redirects', '1', '--tee', '1', 'train.py', '--run-dir', runDir], project), runDir);
    // The uncertainty weights are learnt: they move away from their start (exp(0) / 2).
    const weights = history.filter((h) => h.model === 'multihead').map((h) => h.heads.seattle.weight);
    assert.ok(weights.some((w) => Math.abs(w - 0.5) > 0.01), `uncertainty weights ${weights.slice(0, 3)}`);
  });

  test('inverse-size weights, equal mixing, DWA with a static weight, no head layers, a date feature: 1 process (no torchrun) within 0.02 R2; train.py encodes rows as our engine does', { skip: skipTorch, timeout: 300_000 }, async () => {
    const file = regression('reg-dwa', (e) => {
      e.features = ['precipitation', 'temp_min', 'wind', 'weather', 'date'];
      e.merged = { balancing: 'inverse_size' };
      e.multihead = { mixing: 'equal', weighting: 'dwa', weights: { seattle: 2 } };
      e.model = { type: 'mlp', hidden: [16], activation: 'relu', dropout: 0, l2: 0.0001 };
    });
    const runDir = join(root, 'runs', 'reg-dwa');
    const history = await agree(file, (project) => run(python, ['train.py', '--run-dir', runDir], project), runDir);
    // DWA scales the static weight 2 of seattle from the third epoch on.
    const seattle = history.filter((h) => h.model === 'multihead').map((h) => h.heads.seattle.weight);
    assert.equal(seattle[0], 2);
    assert.ok(seattle.slice(2).some((w) => w !== 2), `dwa weights ${seattle.slice(0, 4)}`);

    // The merged model's inputs for seattle's test rows: train.py's encode (numeric scaling, the
    // one-hot weather, the date's year / month / weekday / days) against preprocess.ts transformRows.
    const project = join(root, `${file}.torch`);
    const script = [
      'import json, os, sys',
      'sys.argv = ["train.py"]',
      'import train',
      'exp = train.read_json("export.json"); split = train.read_json("split.json")',
      'ds = exp["datasets"][0]',
      'cols, labels, miss, where = train.load_dataset(ds, os.path.normpath(os.path.join(train.HERE, ds["path"])))',
      'src = train.Source(ds, split, cols, labels, miss, where)',
      'print(json.dumps(train.encode(train.read_json("preprocessing/merged.json"), src, src.rows["test"]).tolist()))',
    ].join('\n');
    const py = spawnSync(python, ['-c', script], { cwd: project, encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(py.status, 0, py.stderr);
    const theirs = JSON.parse(py.stdout) as number[][];
    const prep = readJson<FittedPreprocessing>(join(project, 'preprocessing', 'merged.json'));
    assert.ok(prep.outputs.includes('date:month_sin') && prep.outputs.includes('weather=rain'), prep.outputs.join(', '));
    const table = await readTable(join(root, 'weather', 'seattle.csv'));
    const rows = readJson<Record<string, { test: number[] }>>(join(project, 'split.json')).seattle.test;
    const ours = transformRows(prep, table, Int32Array.from(rows));
    assert.equal(theirs.length, rows.length);
    theirs.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - ours[i * prep.outputs.length + j]) < 1e-5, `row ${rows[i]} ${prep.outputs[j]}: train.py ${v}, ours ${ours[i * prep.outputs.length + j]}`)));
  });
});
