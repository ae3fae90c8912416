// Latency: the wall-clock figures tests used to assert (activation under 50 ms, cancel under a
// second, stop under 5 s, a dead worker noticed under 10 s, a cancelled fit back under a second).
// Tests now assert what happens; how long it takes is measured here, every run printed beside
// the median (bench/RESULTS.md, "Latency"):
//   - cancel: TrainingRun.cancel() after epoch 1 -> the trainer's 'cancelled' answer (3,000 rows, MLP 32x32);
//   - Ctrl-C: SIGINT to `node dist/cli.js run`'s process group after 2 epochs -> the CLI has exited;
//   - logistic-cancel: fitLogisticAsync on 60,000 rows with a cancel already requested -> null;
//   - dead-worker: a gradient worker thread exits at its 5th step (DATASET_LAB_WORKER_FAULT) ->
//     the run's failed outcome, from the start of the run (30,000 rows, 3 threads);
//   - with --editor, in the real editor (code-server, the integration suite's activation and Stop
//     Training tests, which print them): bundle load + activate(), and Stop Training -> the
//     cancelled outcome.
// Usage: npm run build && node bench/latency.mjs [--runs N] [--editor] [--editor-runs M]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { benchHeader, median, option, printHeader, ROOT, runsList, TMP } from './measure.mjs';

const args = process.argv.slice(2);
const runs = Number(option(args, '--runs', 5));
const editorRuns = Number(option(args, '--editor-runs', 3));
for (const f of ['dist/cli.js', 'dist/trainer.js', 'dist/extension.js']) if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);

printHeader(benchHeader());
const rows = [];
const row = (what, xs, note = '') => {
  rows.push(`| ${what} | ${median(xs).toFixed(1)} | ${runsList(xs, 1)} | ${note} |`);
  console.log(`${what}: median ${median(xs).toFixed(1)} ms; runs ${runsList(xs, 1)}${note ? ` (${note})` : ''}`);
};

// 1. In process: cancel, the logistic fit, a dead worker.
mkdirSync(TMP, { recursive: true });
const entry = join(TMP, 'latency-entry.js');
await esbuild.build({ entryPoints: [join(ROOT, 'bench/latency-entry.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: entry, logLevel: 'warning', external: ['@tensorflow/tfjs-node'] });
const out = await new Promise((resolve, reject) => {
  const p = spawn(process.execPath, [entry, ROOT, String(runs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  p.stdout.setEncoding('utf8').on('data', (c) => (text += c));
  p.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`latency-entry exited with ${code}`))));
});
const measured = out.trim().split('\n').map((l) => JSON.parse(l));
const of = (what, key = 'ms') => measured.filter((m) => m.what === what).map((m) => m[key]);
row('cancel -> cancelled (TrainingRun)', of('cancel'));
row('logistic fit, cancelled -> returns', of('logistic-cancel'), 'checks every 40 ms');
row('dead worker: run start -> failed', of('dead-worker'), `of which start-up to 'started': ${runsList(of('dead-worker', 'startedMs'), 0)} ms`);

// 2. Ctrl-C on the real CLI.
const ctrlC = [];
for (let i = 0; i < runs; i++) ctrlC.push(await ctrlCLatency());
row('Ctrl-C -> `dataset-lab run` exited', ctrlC);

// 3. The editor.
if (args.includes('--editor')) {
  const { runExtensionTests } = await import('../scripts/test-host/runExtensionTests.mjs');
  const activation = [];
  const load = [];
  const stop = [];
  for (let i = 0; i < editorRuns; i++) {
    let text = '';
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk, ...rest) => {
      text += String(chunk);
      return true;
    };
    let code;
    try {
      code = await runExtensionTests({
        extensionPath: ROOT,
        testsPath: join(ROOT, 'out', 'test', 'integration', 'index.js'),
        workspace: join(ROOT, 'test', 'fixtures', 'workspace'),
        timeoutMs: 4 * 60_000,
        env: { DATASET_LAB_TEST_GREP: 'activates without|Stop Training' },
      });
    } finally {
      process.stdout.write = write;
    }
    const a = /bundle load ([\d.]+) ms \+ activate\(\) ([\d.]+) ms = ([\d.]+) ms/.exec(text);
    const s = /stop: (\d+) ms from Stop Training/.exec(text);
    if (code !== 0 || !a || !s) throw new Error(`the editor run failed (exit ${code}):\n${text.slice(-3000)}`);
    load.push(Number(a[1]));
    activation.push(Number(a[3]));
    stop.push(Number(s[1]));
  }
  row('editor: bundle load + activate()', activation, `bundle load alone ${runsList(load, 1)} ms`);
  row('editor: Stop Training -> cancelled outcome', stop);
}

console.log(['\n| what | median (ms) | every run (ms) | note |', '| --- | ---: | --- | --- |', ...rows].join('\n'));

/** `dataset-lab run` in its own process group; after 2 epochs, SIGINT to the group (a terminal's Ctrl-C). */
async function ctrlCLatency() {
  const dir = mkdtempSync(join(tmpdir(), 'dl-latency-cli-'));
  try {
    let s = 7;
    const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
    const lines = ['x1,x2,label'];
    for (let i = 0; i < 4000; i++) {
      const a = r() * 4 - 2;
      const b = r() * 4 - 2;
      lines.push(`${a},${b},${a * b > 0 ? 'p' : 'q'}`);
    }
    writeFileSync(join(dir, 'big.csv'), lines.join('\n') + '\n');
    writeFileSync(join(dir, 'x.experiment.json'), JSON.stringify({ version: 1, datasets: [{ name: 'big', path: 'big.csv', label: 'label' }], arms: ['separate'], model: { type: 'mlp', hidden: [64, 64] }, training: { epochs: 10_000, batchSize: 8, earlyStopping: { patience: 10_000 } } }));
    const cli = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', 'x.experiment.json'], { cwd: dir, detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => cli.on('exit', (code) => resolve(code)));
    const runs = join(dir, '.dataset-lab', 'runs');
    for (;;) {
      const run = existsSync(runs) ? readdirSync(runs)[0] : undefined;
      const history = run && existsSync(join(runs, run, 'history.jsonl')) ? readFileSync(join(runs, run, 'history.jsonl'), 'utf8').trim().split('\n') : [];
      if (history.length >= 2) break;
      if (cli.exitCode !== null) throw new Error('the run ended before Ctrl-C');
      await new Promise((r) => setTimeout(r, 10));
    }
    const t0 = performance.now();
    process.kill(-cli.pid, 'SIGINT');
    const code = await exited;
    const ms = performance.now() - t0;
    if (code !== 1) throw new Error(`exit ${code} after Ctrl-C (want 1: cancelled)`);
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
