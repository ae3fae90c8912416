// `dataset-lab export torch` through dist/cli.js, and the project it writes run with the real
// torchrun (Debian's python3-torch: /usr/bin/torchrun, torch 1.13, gloo on the CPU): the bundled
// weather example trained by our engine and by 2 and 1 PyTorch processes on the same split.
// The torchrun tests skip, saying why, only where no torchrun is installed (DATASET_LAB_TORCHRUN
// names another one). The experiment is the bundled one with 60 epochs instead of 30, so both
// engines train to their plateau (at 30 some models are still improving, docs/scaling.md).
// Cross-validation experiments (small generated datasets) are exported with their folds and
// checked against `dataset-lab run`'s folds, fold scores and evidence, and scipy's t.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { examples, runCli, seededRandom, tempDir } from '../helpers';
import type { ArmName, ClassificationMetrics, FoldsFile, PredictionsFile, RegressionMetrics, RunResults, SourcePredictionsFile } from '../../../src/protocol/runFolder/contract';
import { compareArms } from '../../../src/training/compareArms';
import { holdoutEvidence } from '../../../src/training/evaluation/holdout';
import { withRunEvidence } from '../../../src/training/export/torch/runEvidence';
import type { EvaluationSpec } from '../../../src/training/experiment';
import { readTable } from '../../../src/core/readers/readTable';
import { transformRows, type FittedPreprocessing } from '../../../src/training/preprocess';
import { loadExperiment } from '../../../src/training/experiment';
import { readDatasets } from '../../../src/training/readDatasets';

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
/**
 * torchrun's rendezvous on a free local port: `--standalone` always takes 29400, which another
 * torchrun on the machine (a second checkout's tests, a user's job) may hold.
 */
async function rendezvous(): Promise<string[]> {
  const port = await new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  return ['--nnodes', '1', '--rdzv_backend', 'c10d', '--rdzv_endpoint', `127.0.0.1:${port}`, '--rdzv_id', `dataset-lab-test-${port}`];
}
/** The scipy peer of the evidence test: in that Python, else the test says what to install. */
const skipScipy = skipTorch || (spawnSync(python, ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0 ? false : `scipy is not installed for ${python} (Debian: apt-get install python3-scipy)`);

interface Proc {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Python lines (numpy) adjusting `tests` (rows whose 4th item is a p-value) with Holm's step-down method into `adj`. */
const HOLM_PY = [
  'ps = np.array([t[3] for t in tests]); rank = np.argsort(ps, kind="stable"); m = len(ps)',
  'adj = np.empty(m); run = 0.0',
  'for i, k in enumerate(rank):',
  '    run = max(run, min(1.0, (m - i) * ps[k])); adj[k] = run',
];

/** The JSON a Python script printed; a failing script fails the test with its stderr. */
function pythonJson<T>(script: string, options: { cwd?: string; input?: string } = {}): T {
  const py = spawnSync(python, ['-c', script], { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  assert.equal(py.status, 0, py.stderr);
  return JSON.parse(py.stdout) as T;
}

function run(cmd: string, args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Proc> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, OMP_NUM_THREADS: '1', ...env } });
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

  test('gbm and linear models, dates with zones: one line each naming the JSON path; nothing written', () => {
    refused('gbm', experiment((e) => (e.model = { type: 'gbm' })), /at \$\.model\.type: gradient-boosted trees \("gbm"\) cannot be exported to PyTorch/);
    refused('linear', experiment((e) => Object.assign(e, { model: { type: 'linear' }, arms: ['separate', 'merged'] })), /at \$\.model\.type: the linear model is fitted in closed form/);
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

  test('a cross-validation experiment with --holdout: its holdout split is exported (and the note says so), no folds', () => {
    const cv = writeExperiment('cv.experiment.json', experiment((e) => (e.evaluation = { method: 'cv', folds: 5 })));
    const r = runCli(['export', 'torch', cv, '-o', 'cv-holdout', '--holdout'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^note: evaluation\.method is "cv", exported with --holdout: train\.py trains and tests the holdout split \(split\.test 0\.2, split\.validation 0\.1\), not the folds/m);
    const manifest = readJson<{ experiment: { evaluation: { method: string } } }>(join(root, 'cv-holdout', 'export.json'));
    assert.equal(manifest.experiment.evaluation.method, 'holdout');
    assert.match(readFileSync(join(root, 'cv-holdout', 'README.md'), 'utf8'), /exported with --holdout/);
    assert.ok(!existsSync(join(root, 'cv-holdout', 'folds.json')), 'a holdout export has no folds');
    assert.ok(!existsSync(join(root, 'cv-holdout', 'preprocessing', 'fold-01')));
    assert.deepEqual(readJson(join(root, 'cv-holdout', 'split.json')), readJson(join(oursDir, 'split.json')), 'the holdout split of the same seed');
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
    // CSV read in chunks of 100 rows: rank 0 stops after the chunk holding its last row.
    const two = await run(torchrun as string, [...(await rendezvous()), '--nproc_per_node', '2', '--redirects', '1', '--tee', '1', 'train.py', '--save-models', '--run-dir', join(root, 'runs', 'torch-2')], project, { DATASET_LAB_CHUNK_ROWS: '100' });
    assert.equal(two.code, 0, `${two.stdout}\n${two.stderr}`);
    const results2 = readJson<RunResults>(join(root, 'runs', 'torch-2', 'results.json'));
    assert.equal(results2.status, 'completed');
    assert.match(results2.backend, /^pytorch-ddp \(gloo, 2 processes\)$/);
    assert.equal(readJson<{ status: string }>(join(root, 'runs', 'torch-2', 'status.json')).status, 'completed');
    assert.deepEqual(readJson(join(root, 'runs', 'torch-2', 'split.json')), readJson(join(oursDir, 'split.json')));
    // Dataset facts (split sizes, baselines, leakage, row accounting) are our engine's, as in our run.
    assert.deepEqual(results2.datasets, ours.datasets);
    // Each process read only its share of each dataset's 1461 rows (rank 0 stopped reading after
    // its 730th row's chunk; rank 1 read on to the end to check the count).
    const env2 = readJson<{ dataPerProcess: string; processes: { rank: number; datasets: { dataset: string; rows: [number, number]; scanned: number }[]; peakRssMB: number }[] }>(join(root, 'runs', 'torch-2', 'environment.json'));
    assert.equal(env2.dataPerProcess, 'its share of the rows');
    assert.deepEqual(
      env2.processes.map((p) => [p.rank, p.datasets.map((d) => [d.dataset, d.rows, d.scanned])]),
      [
        [0, [['seattle', [0, 730], 800], ['new-york', [0, 730], 800]]],
        [1, [['seattle', [730, 1461], 1461], ['new-york', [730, 1461], 1461]]],
      ],
    );
    assert.ok(env2.processes.every((p) => p.peakRssMB > 0));
    const history = readFileSync(join(root, 'runs', 'torch-2', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; epoch: number; valLoss: number });
    assert.deepEqual([...new Set(history.map((h) => h.model))], ['separate/seattle', 'separate/new-york', 'merged', 'multihead']);
    assert.ok(history.every((h) => Number.isFinite(h.valLoss)));

    const report = runCli(['report', join(root, 'runs', 'torch-2'), '-o', join(root, 'torch-2.html')], root);
    assert.equal(report.code, 0, report.stderr);
    const html = readFileSync(join(root, 'torch-2.html'), 'utf8');
    assert.ok(html.includes('pytorch-ddp (gloo, 2 processes)'), 'the report names the backend');
    // --save-models wrote PyTorch files: predict says it does not read them, and what to do.
    assert.ok(readdirSync(join(root, 'runs', 'torch-2', 'models')).some((f) => f.endsWith('.pt')));
    const predicted = runCli(['predict', join(root, 'runs', 'torch-2'), join(root, 'weather', 'seattle.csv')], root);
    assert.equal(predicted.code, 2, predicted.stderr);
    assert.match(predicted.stderr, /trained by an exported PyTorch project \(train\.py\); its models are PyTorch files .* that dataset-lab predict does not read/);

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
    const one = await run(torchrun as string, [...(await rendezvous()), '--nproc_per_node', '1', '--redirects', '1', '--tee', '1', 'train.py', '--data', `seattle=${join(shards, 'part-*.csv')}`, '--run-dir', join(root, 'runs', 'torch-1')], project);
    assert.equal(one.code, 0, `${one.stdout}\n${one.stderr}`);
    const single = scores(readJson<RunResults>(join(root, 'runs', 'torch-1', 'results.json')));
    for (const arm of ['separate', 'merged', 'multihead']) {
      for (const s of ['seattle', 'new-york']) {
        assert.ok(Math.abs(single[arm][s] - theirs[arm][s]) <= 0.02, `${arm} ${s}: 1 process ${single[arm][s]} vs 2 processes ${theirs[arm][s]}`);
      }
    }
  });

  test('each process holding only its rows trains on the same batches as processes holding every row (--read-all): identical curves, scores and predictions; the batch order is DistributedSampler\'s', { skip: skipTorch, timeout: 240_000 }, async () => {
    const sharded = join(root, 'runs', 'torch-2');
    assert.ok(existsSync(join(sharded, 'results.json')), 'the 2-process run of the previous test');
    const all = join(root, 'runs', 'torch-2-read-all');
    const r = await run(torchrun as string, [...(await rendezvous()), '--nproc_per_node', '2', '--redirects', '1', '--tee', '1', 'train.py', '--read-all', '--run-dir', all], project);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const env = readJson<{ dataPerProcess: string; processes: { datasets: { rows: [number, number] }[] }[] }>(join(all, 'environment.json'));
    assert.equal(env.dataPerProcess, 'all rows');
    assert.ok(env.processes.every((p) => p.datasets.every((d) => d.rows[0] === 0 && d.rows[1] === 1461)));
    const curves = (dir: string) => readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => {
      const { seconds: _s, samplesPerSecond: _p, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
    assert.deepEqual(curves(all), curves(sharded));
    assert.deepEqual(readJson(join(all, 'predictions.json')), readJson(join(sharded, 'predictions.json')));
    const bySource = (dir: string) => readJson<RunResults>(join(dir, 'results.json')).arms.map((a) => [a.arm, a.bySource]);
    assert.deepEqual(bySource(all), bySource(sharded));

    // train.py's epoch order against torch's own DistributedSampler (plain shuffle), per rank.
    const script = [
      'import sys, types',
      'sys.argv = ["train.py"]',
      'import torch, train',
      'from torch.utils.data.distributed import DistributedSampler',
      'plain = {"balancing": "none", "mixing": "proportional", "sources": ["a"]}',
      'for n, world in [(1168, 2), (1169, 2), (1001, 3), (5, 4)]:',
      '    data = types.SimpleNamespace(n=n, slot_all=torch.zeros(n, dtype=torch.int32).numpy())',
      '    for epoch in (1, 7):',
      '        order = train.padded_order(torch, plain, data, epoch, 42, world)',
      '        for rank in range(world):',
      '            s = DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=True, seed=42, drop_last=False)',
      '            s.set_epoch(epoch)',
      '            assert order[rank::world].tolist() == list(s), (n, world, epoch, rank)',
      'print("same")',
    ].join('\n');
    const py = spawnSync(python, ['-c', script], { cwd: project, encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    assert.equal(py.stdout.trim(), 'same');
  });

  test('the 2-process run\'s evidence: report computes intervals and paired tests from predictions.json with our evaluation code; the predictions are the saved models\' and the p-values scipy\'s', { skip: skipScipy, timeout: 120_000 }, async () => {
    const runDir = join(root, 'runs', 'torch-2');
    assert.ok(existsSync(join(runDir, 'results.json')), 'the 2-process run of the previous test');
    const written = readJson<RunResults>(join(runDir, 'results.json'));
    assert.equal(written.evaluation, undefined, 'train.py computes no evidence itself');
    const predictions = readJson<PredictionsFile>(join(runDir, 'predictions.json'));
    const split = readJson<Record<string, { test: number[] }>>(join(runDir, 'split.json'));

    // The predictions are the models': each saved state_dict, loaded into train.py's network,
    // predicts the test rows again (PyTorch, one process), and the accuracies are results.json's.
    const script = [
      'import json, os, sys',
      'sys.argv = ["train.py"]',
      'import torch, train',
      `run = ${JSON.stringify(runDir)}`,
      'exp = train.read_json("export.json"); split = train.read_json("split.json")',
      'comm = train.Comm(torch, torch.distributed, 1, 0, torch.device("cpu"))',
      'sources = {}',
      'for ds in exp["datasets"]:',
      '    cols, labels, miss, where, _ = train.load_dataset(ds, os.path.normpath(os.path.join(train.HERE, ds["path"])))',
      '    sources[ds["name"]] = train.Source(ds, split, cols, labels, miss, where)',
      'out = {}',
      'for model in exp["models"]:',
      '    prep = train.read_json(model["preprocessing"])',
      '    net = train.build_network(torch, dict(exp["network"], inputs=len(prep["outputs"])), model)',
      '    net.load_state_dict(torch.load(os.path.join(run, "models", model["id"].replace("/", "__") + ".pt")))',
      '    test = train.ModelData(model, prep, sources, "test", model["trainWeights"], comm)',
      '    _, _, per = train.evaluate(model, test, train.predict(torch, net, model, test, comm), exp["allClasses"])',
      '    for name, (yt, yp) in per.items():',
      '        out[model["arm"] + "|" + name] = yp',
      'print(json.dumps(out))',
    ].join('\n');
    const repredicted = pythonJson<Record<string, number[]>>(script, { cwd: project });
    for (const a of written.arms) {
      for (const [s, m] of Object.entries(a.bySource)) {
        const p = predictions.arms[a.arm]?.[s];
        assert.ok(p, `${a.arm} ${s}`);
        assert.deepEqual(p.rows, split[s].test, `${a.arm} ${s}: the rows are the test split's`);
        assert.deepEqual(p.yPred, repredicted[`${a.arm}|${s}`], `${a.arm} ${s}: the saved model predicts the same classes`);
        const correct = p.yTrue.filter((t, i) => t === p.yPred[i]).length;
        assert.equal(correct / p.yTrue.length, (m as ClassificationMetrics).accuracy, `${a.arm} ${s}: accuracy from predictions.json`);
      }
    }

    // What report shows (the JSON its page embeds): every metric's interval and the paired
    // evidence as our evaluation code computes it from predictions.json (holdout.ts, compareArms.ts).
    const report = runCli(['report', runDir, '-o', join(root, 'torch-2-evidence.html')], root);
    assert.equal(report.code, 0, report.stderr);
    const page = readFileSync(join(root, 'torch-2-evidence.html'), 'utf8');
    const shown = (JSON.parse(/<script type="application\/json" id="dataset-lab-data">([^<]*)<\/script>/.exec(page)?.[1] ?? 'null') as { results: RunResults }).results;
    const settings = readJson<{ evaluation: EvaluationSpec }>(join(runDir, 'experiment.json'));
    const byArm = new Map(Object.entries(predictions.arms).map(([arm, by]) => [arm as ArmName, Object.fromEntries(Object.entries(by).map(([s, p]) => [s, { task: p.task, yTrue: Float64Array.from(p.yTrue), yPred: Float64Array.from(p.yPred) }]))]));
    const sources = ['seattle', 'new-york'];
    const expected = holdoutEvidence(written.arms, byArm, sources, predictions.classes.length, settings.evaluation);
    assert.equal(shown.evaluation?.intervals, 'bca-bootstrap');
    assert.equal(shown.evaluation?.resamples, settings.evaluation.bootstrap);
    assert.equal(shown.evaluation?.savedModels, 'none', 'train.py saves no model dataset-lab predict reads');
    assert.deepEqual(shown.arms, expected.arms);
    assert.deepEqual(shown.comparison, compareArms(expected.arms, sources, expected.evidence));
    for (const a of shown.arms) {
      for (const [s, m] of Object.entries(a.bySource)) {
        const ci = (m as ClassificationMetrics).ci?.accuracy;
        assert.ok(ci && ci[0] <= (m as ClassificationMetrics).accuracy && (m as ClassificationMetrics).accuracy <= ci[1], `${a.arm} ${s}: ${JSON.stringify(ci)}`);
      }
    }
    assert.ok(shown.comparison.overall, 'a verdict over all datasets');

    // A peer: McNemar's mid-p and Holm's adjustment from the same predictions with scipy, and
    // scipy's BCa interval of each accuracy (its own resamples: within 0.02).
    const peer = [
      'import json, sys',
      'import numpy as np',
      'from scipy import stats',
      `p = json.load(open(${JSON.stringify(join(runDir, 'predictions.json'))}))`,
      'order = ["separate", "merged", "multihead"]',
      'tests, bca = [], {}',
      'for s in ["seattle", "new-york"]:',
      '    ok = {a: np.array(p["arms"][a][s]["yTrue"]) == np.array(p["arms"][a][s]["yPred"]) for a in order}',
      '    for a in order:',
      '        r = stats.bootstrap((ok[a].astype(float),), np.mean, n_resamples=2000, confidence_level=0.95, method="BCa", random_state=1)',
      '        bca[a + "|" + s] = [r.confidence_interval.low, r.confidence_interval.high]',
      '    for i in range(3):',
      '        for j in range(i + 1, 3):',
      '            b = int((ok[order[i]] & ~ok[order[j]]).sum()); c = int((ok[order[j]] & ~ok[order[i]]).sum()); k = min(b, c)',
      '            mid = 1.0 if b + c == 0 else min(1.0, 2 * stats.binom.cdf(k, b + c, 0.5) - stats.binom.pmf(k, b + c, 0.5))',
      '            tests.append([s, order[i], order[j], mid])',
      ...HOLM_PY,
      'print(json.dumps({"tests": [t + [float(a)] for t, a in zip(tests, adj)], "bca": bca}))',
    ].join('\n');
    const scipy = pythonJson<{ tests: [string, ArmName, ArmName, number, number][]; bca: Record<string, [number, number]> }>(peer);
    assert.equal(scipy.tests.length, 6);
    for (const [s, a, b, p, adjusted] of scipy.tests) {
      const t = shown.comparison.bySource[s].tests?.find((x) => x.arms[0] === a && x.arms[1] === b);
      assert.ok(t, `${s} ${a} vs ${b}`);
      assert.ok(Math.abs((t.pValue as number) - p) < 1e-12, `${s} ${a} vs ${b}: p ${t.pValue}, scipy ${p}`);
      assert.ok(Math.abs((t.pAdjusted as number) - adjusted) < 1e-12, `${s} ${a} vs ${b}: Holm ${t.pAdjusted}, scipy ${adjusted}`);
    }
    for (const a of shown.arms) {
      for (const [s, m] of Object.entries(a.bySource)) {
        const ours = (m as ClassificationMetrics).ci?.accuracy as [number, number];
        const theirs = scipy.bca[`${a.arm}|${s}`];
        assert.ok(Math.abs(ours[0] - theirs[0]) <= 0.02 && Math.abs(ours[1] - theirs[1]) <= 0.02, `${a.arm} ${s}: ours ${ours}, scipy ${theirs}`);
      }
    }

    // predictions.json that disagrees with results.json is refused, naming the file and the field.
    const bad = join(root, 'runs', 'torch-2-bad');
    mkdirSync(bad, { recursive: true });
    for (const f of ['results.json', 'experiment.json', 'split.json', 'status.json', 'history.jsonl']) copyFileSync(join(runDir, f), join(bad, f));
    const flipped = JSON.parse(JSON.stringify(predictions)) as { arms: Record<string, Record<string, { yPred: number[]; yTrue: number[] }>> };
    const sep = flipped.arms.separate.seattle;
    const right = sep.yPred.findIndex((v, i) => v === sep.yTrue[i]);
    sep.yPred[right] = (sep.yTrue[right] + 1) % predictions.classes.length;
    writeFileSync(join(bad, 'predictions.json'), JSON.stringify(flipped));
    const refused = runCli(['report', bad, '-o', join(root, 'bad.html')], root);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /predictions\.json: \$\.arms\.separate\["seattle"\]: the accuracy of these predictions is [\d.]+, results\.json says [\d.]+/);
    assert.ok(!existsSync(join(root, 'bad.html')));
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

describe('export torch: a dataset with transform steps', () => {
  test('the export writes the rows our engine transformed (filter, derive, recode) and train.py reads them: its checks pass and its inputs equal transformRows on the transformed table', { skip: skipTorch, timeout: 120_000 }, async () => {
    const file = writeExperiment(
      'transformed.experiment.json',
      experiment((e) => {
        (e.datasets as Record<string, unknown>[])[1].transform = [
          { filter: 'd => d.wind < 6' },
          { derive: { precipitation: 'd => d.precipitation * 25.4', windy: "d => d.wind > 4 ? 'windy, \"gusty\"' : 'calm'" } },
          { recode: { weather: { drizzle: 'rain' } } },
        ];
        (e.datasets as Record<string, unknown>[])[0].transform = [{ derive: { windy: "d => d.wind > 4 ? 'windy, \"gusty\"' : 'calm'" } }];
        e.features = ['precipitation', 'temp_max', 'temp_min', 'wind', 'windy'];
      }),
    );
    const r = runCli(['export', 'torch', file, '-o', 'transformed-project'], root);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /note: dataset "new-york" has transform steps: the export applied them and wrote the \d+ transformed rows to data\/02-new-york\.csv/);
    const project = join(root, 'transformed-project');
    const exp = loadExperiment(join(root, file));
    const tables = await readDatasets(exp);
    assert.ok(tables[1].rows < 1461, `the filter kept ${tables[1].rows} rows`);
    const written = readFileSync(join(project, 'data', '02-new-york.csv'), 'utf8').trim().split('\n');
    assert.equal(written.length - 1, tables[1].rows);
    assert.ok(!written.some((l) => /,drizzle$/.test(l)), 'drizzle recoded');

    // train.py reads both datasets (its row-count and per-split class-count checks pass) and
    // encodes the merged model's test rows as our engine does.
    const script = [
      'import json, os, sys',
      'sys.argv = ["train.py"]',
      'import torch, train',
      'exp = train.read_json("export.json"); split = train.read_json("split.json")',
      'comm = train.Comm(torch, torch.distributed, 1, 0, torch.device("cpu"))',
      'sources = {}',
      'for ds in exp["datasets"]:',
      '    cols, labels, miss, where, _ = train.load_dataset(ds, os.path.normpath(os.path.join(train.HERE, ds["path"])))',
      '    sources[ds["name"]] = train.Source(ds, split, cols, labels, miss, where)',
      'train.check_labels(comm, exp, sources)',
      'src = sources["new-york"]',
      'print(json.dumps(train.encode(train.read_json("preprocessing/merged.json"), src, src.local("test")).tolist()))',
    ].join('\n');
    const theirs = pythonJson<number[][]>(script, { cwd: project });
    const prep = readJson<FittedPreprocessing>(join(project, 'preprocessing', 'merged.json'));
    assert.ok(prep.outputs.some((o) => o.startsWith('windy=windy')), prep.outputs.join(', '));
    const rows = readJson<Record<string, { test: number[] }>>(join(project, 'split.json'))['new-york'].test;
    const ours = transformRows(prep, tables[1], Int32Array.from(rows));
    assert.equal(theirs.length, rows.length);
    theirs.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - ours[i * prep.outputs.length + j]) < 1e-5, `row ${rows[i]} ${prep.outputs[j]}: train.py ${v}, ours ${ours[i * prep.outputs.length + j]}`)));
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
    // A regression run's evidence when read: R2 / MAE / RMSE intervals and paired bootstraps, as
    // holdout.ts computes them from its predictions.json.
    const predictions = readJson<PredictionsFile>(join(runDir, 'predictions.json'));
    const settings = readJson<{ evaluation: EvaluationSpec }>(join(runDir, 'experiment.json'));
    const byArm = new Map(Object.entries(predictions.arms).map(([arm, by]) => [arm as ArmName, Object.fromEntries(Object.entries(by).map(([s, p]) => [s, { task: p.task, yTrue: Float64Array.from(p.yTrue), yPred: Float64Array.from(p.yPred) }]))]));
    const expected = holdoutEvidence(theirs.arms, byArm, ['seattle', 'new-york'], predictions.classes.length, settings.evaluation);
    const read = withRunEvidence(runDir, theirs, settings);
    assert.deepEqual(read.arms, expected.arms);
    assert.ok(read.arms.every((a) => Object.values(a.bySource).every((m) => m.task === 'regression' && m.ci?.r2 && m.ci.mae && m.ci.rmse)));
    assert.deepEqual(read.comparison.bySource.seattle.tests?.map((t) => t.test), ['paired-bootstrap', 'paired-bootstrap', 'paired-bootstrap']);
    return readFileSync(join(runDir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; heads: Record<string, { weight: number }> });
  };

  test('oversampling, temperature mixing, uncertainty weighting, head layers, dropout, tanh: 2 processes within 0.02 R2 of our run', { skip: skipTorch, timeout: 300_000 }, async () => {
    const file = regression('reg-uncertainty', (e) => {
      e.merged = { balancing: 'oversample' };
      e.multihead = { mixing: 'temperature', temperature: 2, weighting: 'uncertainty' };
      e.model = { type: 'mlp', hidden: [32, 16], headHidden: [8], activation: 'tanh', dropout: 0.1, l2: 0.0001 };
    });
    const runDir = join(root, 'runs', 'reg-uncertainty');
    const history = await agree(file, async (project) => run(torchrun as string, [...(await rendezvous()), '--nproc_per_node', '2', '--redirects', '1', '--tee', '1', 'train.py', '--run-dir', runDir], project), runDir);
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
      'cols, labels, miss, where, _ = train.load_dataset(ds, os.path.normpath(os.path.join(train.HERE, ds["path"])))',
      'src = train.Source(ds, split, cols, labels, miss, where)',
      'print(json.dumps(train.encode(train.read_json("preprocessing/merged.json"), src, src.rows["test"]).tolist()))',
    ].join('\n');
    const theirs = pythonJson<number[][]>(script, { cwd: project });
    const prep = readJson<FittedPreprocessing>(join(project, 'preprocessing', 'merged.json'));
    assert.ok(prep.outputs.includes('date:month_sin') && prep.outputs.includes('weather=rain'), prep.outputs.join(', '));
    const table = await readTable(join(root, 'weather', 'seattle.csv'));
    const rows = readJson<Record<string, { test: number[] }>>(join(project, 'split.json')).seattle.test;
    const ours = transformRows(prep, table, Int32Array.from(rows));
    assert.equal(theirs.length, rows.length);
    theirs.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - ours[i * prep.outputs.length + j]) < 1e-5, `row ${rows[i]} ${prep.outputs[j]}: train.py ${v}, ours ${ours[i * prep.outputs.length + j]}`)));
  });
});

describe('export torch: a cross-validation experiment (its folds, not refused)', () => {
  // Two small generated datasets (120 rows each, 3 classes, a categorical feature): the size for
  // which `init` chooses cross-validation. 4 folds, every arm.
  const cvRoot = join(root, 'cv');
  const names = ['north', 'south'];
  let local: RunResults;
  let localDir: string;
  let project: string;
  const runDir = join(cvRoot, 'runs', 'torch-cv-2');
  before(() => {
    mkdirSync(cvRoot, { recursive: true });
    const rand = seededRandom(20261201);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    names.forEach((name, k) => {
      const lines = ['x1,x2,colour,label'];
      for (let i = 0; i < 120; i++) {
        const x1 = gauss();
        const x2 = gauss();
        const colour = ['red', 'green', 'blue'][Math.floor(rand() * 3)];
        const score = x1 + 0.8 * x2 + (colour === 'red' ? 0.7 : 0) + 0.5 * k + 0.5 * gauss();
        lines.push(`${x1.toFixed(4)},${x2.toFixed(4)},${colour},${score > 0.6 ? 'high' : score < -0.6 ? 'low' : 'mid'}`);
      }
      writeFileSync(join(cvRoot, `${name}.csv`), `${lines.join('\n')}\n`);
    });
    const e = {
      version: 1,
      name: 'small-cv',
      datasets: names.map((name) => ({ name, path: `${name}.csv`, label: 'label' })),
      arms: ['separate', 'merged', 'multihead'],
      model: { type: 'mlp', hidden: [16] },
      training: { epochs: 40, batchSize: 32, learningRate: 0.01, seed: 5 },
      evaluation: { method: 'cv', folds: 4 },
    };
    writeFileSync(join(cvRoot, 'small.experiment.json'), JSON.stringify(e, null, 2));
    const r = runCli(['run', 'small.experiment.json', '--json'], cvRoot);
    assert.equal(r.code, 0, r.stderr);
    local = JSON.parse(r.stdout) as RunResults;
    localDir = join(cvRoot, '.dataset-lab', 'runs', local.runId);
    assert.equal(local.evaluation?.method, 'cv');
    const x = runCli(['export', 'torch', 'small.experiment.json', '-o', 'cv-project'], cvRoot);
    assert.equal(x.code, 0, x.stderr);
    assert.match(x.stdout, /^wrote cv-project: train\.py, export\.json, split\.json, folds\.json \(4 folds\), 4 models' preprocessing \(separate\/north, separate\/south, merged, multihead, per fold\)/);
    assert.equal(x.stderr, '', 'no note: the folds are exported as they are');
    project = join(cvRoot, 'cv-project');
  });

  test('the project holds the folds of dataset-lab run and each fold\'s preprocessing fitted on that fold\'s training rows only', () => {
    // The same folds (test and validation rows of every fold) and the refit's split as our run wrote.
    assert.deepEqual(readJson(join(project, 'folds.json')), readJson(join(localDir, 'folds.json')));
    assert.deepEqual(readJson(join(project, 'split.json')), readJson(join(localDir, 'split.json')));
    const manifest = readJson<{ experiment: { evaluation: { method: string } }; crossValidation: { jobs: number; foldModels: { fold: number; models: { id: string; preprocessing: string }[] }[] } }>(join(project, 'export.json'));
    assert.equal(manifest.experiment.evaluation.method, 'cv');
    assert.deepEqual(manifest.crossValidation.foldModels.map((f) => f.fold), [1, 2, 3, 4]);
    assert.match(readFileSync(join(project, 'README.md'), 'utf8'), /## Cross-validation\n\nThe experiment is evaluated by 4-fold cross-validation/);
    // separate/north of each fold: its scaler is the mean and population spread of that fold's
    // training rows (labelled rows less the fold's test and validation rows), read from the CSV.
    const folds = readJson<FoldsFile>(join(project, 'folds.json'));
    const split = readJson<Record<string, { train: number[]; validation: number[] }>>(join(project, 'split.json'));
    const lines = readFileSync(join(cvRoot, 'north.csv'), 'utf8').trim().split('\n');
    const centres: number[] = [];
    for (let j = 0; j < 4; j++) {
      const held = new Set([...folds.datasets.north.test[j], ...folds.datasets.north.validation[j]]);
      const train = [...split.north.train, ...split.north.validation].filter((r) => !held.has(r));
      assert.ok(train.length > 60 && train.length < 90, `fold ${j + 1}: ${train.length} training rows`);
      const prep = readJson<{ features: { name: string; center?: number; scale?: number; categories?: string[] }[] }>(join(project, 'preprocessing', `fold-0${j + 1}`, 'separate__north.json'));
      assert.equal(manifest.crossValidation.foldModels[j].models.find((m) => m.id === 'separate/north')?.preprocessing, `preprocessing/fold-0${j + 1}/separate__north.json`);
      const x1 = prep.features.find((f) => f.name === 'x1') as { center: number; scale: number };
      const v = train.map((r) => Number(lines[r + 1].split(',')[0]));
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
      assert.ok(Math.abs(x1.center - mean) < 1e-9 && Math.abs(x1.scale - sd) < 1e-9, `fold ${j + 1}: ${x1.center}/${x1.scale} vs ${mean}/${sd}`);
      centres.push(x1.center);
    }
    assert.equal(new Set(centres).size, 4, 'every fold has its own fit');
  });

  test('torchrun with 2 processes trains every fold of every arm: folds.json and the dataset facts are our run\'s, the fold scores near our engine\'s, the evidence computed as for our cv runs and the p-values scipy\'s', { skip: skipScipy, timeout: 480_000 }, async () => {
    const r = await run(torchrun as string, [...(await rendezvous()), '--nproc_per_node', '2', '--redirects', '1', '--tee', '1', 'train.py', '--run-dir', runDir], project);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const written = readJson<RunResults>(join(runDir, 'results.json'));
    assert.equal(written.status, 'completed');
    assert.equal(written.evaluation, undefined, 'train.py computes no evidence itself');
    assert.equal(readJson<{ status: string }>(join(runDir, 'status.json')).status, 'completed');
    // The run folder's folds and split are our run's (the same test rows per fold), and so are the
    // dataset facts: baselines over the folds, leakage summed over the folds, row accounting.
    assert.deepEqual(readJson(join(runDir, 'folds.json')), readJson(join(localDir, 'folds.json')));
    assert.deepEqual(readJson(join(runDir, 'split.json')), readJson(join(localDir, 'split.json')));
    assert.deepEqual(written.datasets, local.datasets);
    assert.equal(readJson<{ evaluation: { method: string } }>(join(runDir, 'experiment.json')).evaluation.method, 'cv');
    // Every model trained on every fold (history records carry the fold, as our run's do).
    const history = readFileSync(join(runDir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model: string; fold?: number; valLoss: number });
    const trained = [...new Set(history.map((h) => `${h.fold}|${h.model}`))];
    assert.deepEqual(trained, [1, 2, 3, 4].flatMap((f) => ['separate/north', 'separate/south', 'merged', 'multihead'].map((m) => `${f}|${m}`)));
    assert.ok(history.every((h) => Number.isFinite(h.valLoss)));

    // Fold scores: each the accuracy of that fold's predictions, counted here; sane (above the
    // majority baseline's fold mean less 0.1) and of the same order as our engine's own cv run
    // (each dataset's mean within 0.1; different frameworks, different initial weights).
    const predictions = readJson<PredictionsFile>(join(runDir, 'predictions.json'));
    const folds = readJson<FoldsFile>(join(runDir, 'folds.json'));
    assert.equal(predictions.folds?.length, 4);
    for (const a of written.arms) {
      assert.equal(a.diverged, undefined, `${a.arm} diverged`);
      const mine = local.arms.find((x) => x.arm === a.arm) as RunResults['arms'][number];
      for (const s of names) {
        const m = a.bySource[s] as ClassificationMetrics & { readonly foldScores: readonly number[] };
        assert.equal(m.foldScores.length, 4);
        m.foldScores.forEach((v, j) => {
          const p = predictions.folds?.[j][a.arm]?.[s];
          assert.ok(p, `${a.arm} ${s} fold ${j + 1}`);
          assert.deepEqual(p.rows, folds.datasets[s].test[j], `${a.arm} ${s} fold ${j + 1}: the fold's test rows`);
          assert.equal(v, p.yTrue.filter((t, i) => t === p.yPred[i]).length / p.rows.length, `${a.arm} ${s} fold ${j + 1}`);
        });
        const base = local.datasets[s].baseline?.value as number;
        assert.ok(m.foldScores.every((v) => v > base - 0.1 && v <= 1), `${a.arm} ${s}: folds ${m.foldScores} vs baseline ${base}`);
        const ours = mine.bySource[s] as ClassificationMetrics;
        assert.ok(Math.abs(m.accuracy - ours.accuracy) <= 0.1, `${a.arm} ${s}: torch ${m.accuracy} (folds ${m.foldScores}) vs ours ${ours.accuracy} (folds ${mine.bySource[s].foldScores})`);
      }
    }

    // What report shows: the evidence of a cv run, computed from the folds' predictions, in
    // results.json's shape as our own cv run has it (same fields, every interval present).
    const report = runCli(['report', runDir, '-o', join(cvRoot, 'torch-cv.html')], cvRoot);
    assert.equal(report.code, 0, report.stderr);
    const embedded = (file: string) => (JSON.parse(/<script type="application\/json" id="dataset-lab-data">([^<]*)<\/script>/.exec(readFileSync(file, 'utf8'))?.[1] ?? 'null') as { results: RunResults }).results;
    const shown = embedded(join(cvRoot, 'torch-cv.html'));
    // The same evaluation as our own cv run's, except that no model of the exported run is one predict reads.
    assert.deepEqual(shown.evaluation, { ...local.evaluation, savedModels: 'none' });
    // The report of our own cv run: the exported run's page holds the same fields.
    const localReport = runCli(['report', localDir, '-o', join(cvRoot, 'local-cv.html')], cvRoot);
    assert.equal(localReport.code, 0, localReport.stderr);
    const shape = (v: unknown): unknown => (Array.isArray(v) ? (v.length ? ['list', shape(v[0])] : ['list']) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])])) : v === null ? 'null' : typeof v);
    assert.deepEqual(shape(shown), shape(embedded(join(cvRoot, 'local-cv.html'))), 'the exported run\'s results have the fields of our own cv run\'s');
    // (The page's results also carry the run's settings.)
    const { settings: _settings, ...shownResults } = shown as RunResults & { settings?: unknown };
    assert.deepEqual(withRunEvidence(runDir, written, readJson(join(runDir, 'experiment.json'))), shownResults, 'Open Run (the extension) reads the same evidence');

    // A peer: scipy's Student t from the fold scores. Per dataset and pair of arms the corrected
    // resampled t (Nadeau-Bengio: variance (1/J + n_test/n_train) s^2, J - 1 degrees of freedom)
    // and Holm over the run; each accuracy's interval mean +- t.ppf x the corrected standard error.
    const ratios = Object.fromEntries(names.map((s) => {
      const n = local.datasets[s].test;
      return [s, folds.datasets[s].test.reduce((acc, t) => acc + t.length / (n - t.length), 0) / 4];
    }));
    const peer = [
      'import json, sys',
      'import numpy as np',
      'from scipy import stats',
      'r, ratios = json.loads(sys.stdin.read())',
      'by = {a["arm"]: a["bySource"] for a in r["arms"]}',
      'order = ["separate", "merged", "multihead"]',
      'tests, ci = [], {}',
      'def corrected(d, ratio):',
      '    d = np.asarray(d, float); J = len(d); se = np.sqrt((1 / J + ratio) * d.var(ddof=1))',
      '    return d.mean(), se, J - 1',
      'for s in ["north", "south"]:',
      '    for a in order:',
      '        m, se, df = corrected(by[a][s]["foldScores"], ratios[s]); h = stats.t.ppf(0.975, df) * se',
      '        ci[a + "|" + s] = [max(0.0, m - h), min(1.0, m + h)]',
      '    for i in range(3):',
      '        for j in range(i + 1, 3):',
      '            m, se, df = corrected(np.subtract(by[order[i]][s]["foldScores"], by[order[j]][s]["foldScores"]), ratios[s])',
      '            tests.append([s, order[i], order[j], float(min(1.0, 2 * stats.t.sf(abs(m / se), df)))])',
      ...HOLM_PY,
      'print(json.dumps({"tests": [t + [float(a)] for t, a in zip(tests, adj)], "ci": ci}))',
    ].join('\n');
    const scipy = pythonJson<{ tests: [string, ArmName, ArmName, number, number][]; ci: Record<string, [number, number]> }>(peer, { input: JSON.stringify([written, ratios]) });
    assert.equal(scipy.tests.length, 6);
    for (const [s, a, b, p, adjusted] of scipy.tests) {
      const t = shown.comparison.bySource[s].tests?.find((x) => x.arms[0] === a && x.arms[1] === b);
      assert.ok(t, `${s} ${a} vs ${b}`);
      assert.equal(t.test, 'corrected-t');
      assert.ok(Math.abs((t.pValue as number) - p) < 1e-12, `${s} ${a} vs ${b}: p ${t.pValue}, scipy ${p}`);
      assert.ok(Math.abs((t.pAdjusted as number) - adjusted) < 1e-12, `${s} ${a} vs ${b}: Holm ${t.pAdjusted}, scipy ${adjusted}`);
    }
    for (const a of shown.arms) {
      for (const s of names) {
        const m = a.bySource[s] as ClassificationMetrics & { readonly foldScores: readonly number[] };
        assert.ok(Math.abs(m.accuracy - m.foldScores.reduce((x, y) => x + y, 0) / 4) < 1e-12, `${a.arm} ${s}: the mean over the folds`);
        const ours = m.ci?.accuracy as [number, number];
        const theirs = scipy.ci[`${a.arm}|${s}`];
        assert.ok(Math.abs(ours[0] - theirs[0]) < 1e-12 && Math.abs(ours[1] - theirs[1]) < 1e-12, `${a.arm} ${s}: ours ${ours}, scipy ${theirs}`);
      }
    }

    // A fold's predictions that disagree with its fold score are refused, naming the file and the field.
    const bad = join(cvRoot, 'runs', 'torch-cv-bad');
    mkdirSync(bad, { recursive: true });
    for (const f of ['results.json', 'experiment.json', 'split.json', 'folds.json', 'status.json', 'history.jsonl']) copyFileSync(join(runDir, f), join(bad, f));
    const flipped = JSON.parse(JSON.stringify(predictions)) as { folds: Record<string, Record<string, { yPred: number[]; yTrue: number[] }>>[] };
    const sep = flipped.folds[2].separate.south;
    const right = sep.yPred.findIndex((v, i) => v === sep.yTrue[i]);
    sep.yPred[right] = (sep.yTrue[right] + 1) % predictions.classes.length;
    writeFileSync(join(bad, 'predictions.json'), JSON.stringify(flipped));
    const refused = runCli(['report', bad, '-o', join(cvRoot, 'bad.html')], cvRoot);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /predictions\.json: \$\.folds\[2\]\.separate\["south"\]: the accuracy of these predictions is [\d.]+, results\.json's fold score 3 \(separate, south\) is [\d.]+/);
    assert.ok(!existsSync(join(cvRoot, 'bad.html')));
  });
});

describe('export torch: repeated cross-validation, and folds that cannot be made', () => {
  const rcvRoot = join(root, 'repeated-cv');
  before(() => {
    mkdirSync(rcvRoot, { recursive: true });
    // Regression on two generated datasets: y = 2 x1 - x2 + noise.
    const rand = seededRandom(7);
    for (const name of ['east', 'west']) {
      const lines = ['x1,x2,y'];
      for (let i = 0; i < 90; i++) {
        const x1 = rand() * 4 - 2;
        const x2 = rand() * 4 - 2;
        lines.push(`${x1.toFixed(4)},${x2.toFixed(4)},${(2 * x1 - x2 + (rand() - 0.5)).toFixed(4)}`);
      }
      writeFileSync(join(rcvRoot, `${name}.csv`), `${lines.join('\n')}\n`);
    }
    writeFileSync(join(rcvRoot, 'tiny.csv'), `x1,x2,y\n${Array.from({ length: 8 }, (_, i) => `${i},${i % 3},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`);
  });
  const experimentFile = (name: string, e: Record<string, unknown>) => {
    writeFileSync(join(rcvRoot, name), JSON.stringify({ version: 1, name: name.replace(/\..*/, ''), arms: ['separate', 'merged'], model: { type: 'mlp', hidden: [8] }, training: { epochs: 15, batchSize: 16, learningRate: 0.01, seed: 2 }, ...e }, null, 2));
    return name;
  };

  test('repeated-cv (3 folds x 2 repeats): the folds of dataset-lab run, 6 folds trained by one process, fold R2s from the predictions, the evidence of a repeated-cv run', { skip: skipTorch, timeout: 240_000 }, async () => {
    const file = experimentFile('rcv.experiment.json', {
      datasets: ['east', 'west'].map((name) => ({ name, path: `${name}.csv`, label: 'y', task: 'regression' })),
      evaluation: { method: 'repeated-cv', folds: 3, repeats: 2 },
    });
    const r = runCli(['run', file, '--json'], rcvRoot);
    assert.equal(r.code, 0, r.stderr);
    const local = JSON.parse(r.stdout) as RunResults;
    const x = runCli(['export', 'torch', file, '-o', 'rcv-project'], rcvRoot);
    assert.equal(x.code, 0, x.stderr);
    assert.match(x.stdout, /folds\.json \(6 folds\)/);
    const project = join(rcvRoot, 'rcv-project');
    const localDir = join(rcvRoot, '.dataset-lab', 'runs', local.runId);
    assert.deepEqual(readJson(join(project, 'folds.json')), readJson(join(localDir, 'folds.json')));
    assert.ok(existsSync(join(project, 'preprocessing', 'fold-06', 'merged.json')));
    const runDir = join(rcvRoot, 'runs', 'rcv');
    const one = await run(python, ['train.py', '--run-dir', runDir], project);
    assert.equal(one.code, 0, `${one.stdout}\n${one.stderr}`);
    const written = readJson<RunResults>(join(runDir, 'results.json'));
    const read = withRunEvidence(runDir, written, readJson(join(runDir, 'experiment.json')));
    assert.deepEqual(read.evaluation, { ...local.evaluation, savedModels: 'none' });
    assert.equal(read.evaluation?.repeats, 2);
    const predictions = readJson<PredictionsFile>(join(runDir, 'predictions.json'));
    for (const a of read.arms) {
      for (const s of ['east', 'west']) {
        const m = a.bySource[s] as RegressionMetrics & { readonly foldScores: readonly number[] };
        assert.equal(m.foldScores.length, 6);
        // The fold's R2 from its predictions (1 - SS_res / SS_tot), counted here.
        m.foldScores.forEach((v, j) => {
          const p = predictions.folds?.[j][a.arm]?.[s] as SourcePredictionsFile;
          const mean = p.yTrue.reduce((u, w) => u + w, 0) / p.yTrue.length;
          const r2 = 1 - p.yTrue.reduce((u, t, i) => u + (t - p.yPred[i]) ** 2, 0) / p.yTrue.reduce((u, t) => u + (t - mean) ** 2, 0);
          assert.ok(Math.abs(v - r2) < 1e-9, `${a.arm} ${s} fold ${j + 1}: ${v} vs ${r2}`);
        });
        const ours = local.arms.find((o) => o.arm === a.arm)?.bySource[s] as RegressionMetrics;
        assert.ok(m.r2 > 0.5 && Math.abs(m.r2 - ours.r2) <= 0.15, `${a.arm} ${s}: torch R2 ${m.r2} vs ours ${ours.r2}`);
        assert.ok(m.ci?.r2 && m.ci.mae && m.ci.rmse, `${a.arm} ${s}: every interval`);
      }
    }
    assert.deepEqual(read.comparison.bySource.east.tests?.map((t) => t.test), ['corrected-t']);
  });

  test('folds that cannot be made are refused as dataset-lab run refuses them, naming the JSON path; nothing written', () => {
    const file = experimentFile('tiny.experiment.json', {
      datasets: [{ name: 'tiny', path: 'tiny.csv', label: 'y' }],
      arms: ['separate'],
      split: { test: 0.25, validation: 0 },
      evaluation: { method: 'cv', folds: 10 },
    });
    const local = runCli(['run', file], rcvRoot);
    assert.equal(local.code, 2, local.stderr);
    const r = runCli(['export', 'torch', file, '-o', 'tiny-project'], rcvRoot);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /at \$\.evaluation\.folds: dataset "tiny": has 8 labelled rows, fewer than the 10 folds; lower "folds"/);
    assert.match(r.stderr, /nothing was exported\n$/);
    assert.ok(!existsSync(join(rcvRoot, 'tiny-project')));
    // The same reason dataset-lab run gives.
    assert.match(local.stderr, /at \$\.evaluation\.folds: dataset "tiny": has 8 labelled rows, fewer than the 10 folds; lower "folds"/);
  });
});
