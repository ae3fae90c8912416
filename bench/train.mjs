// Training benchmark: our training loop and closed-form linear fit against the fair peers of
// bench/train_torch.py (PyTorch written as a careful user writes it; numpy's float64 normal
// equations + Cholesky; scikit-learn's LinearRegression on float64), same data, model, batch
// size (256), optimizer (Adam) and timed span.
//
// Each mode runs ours and the peer alternately, --runs times (so a busy moment on this shared
// machine hits both sides alike); the headline is the median, and every run is printed.
// Modes: "1" (or "2") pins both sides to that many threads; "default" runs each side at its
// own default thread count (what users get).
// The peer runs without this machine's OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE overrides (they
// select an older, slower OpenBLAS kernel); its output names the BLAS kernel and threads used.
//
// Usage: npm run bench:train [-- --json] [-- --runs 5 --modes 1,default --rows N --epochs E --linear-rows N --rss-rows N]
// The LAST line of --json output is one JSON document with every run.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as esbuild from 'esbuild';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const rows = Number(opt('--rows', 60000));
const epochs = Number(opt('--epochs', 2));
const linearRows = Number(opt('--linear-rows', 200000));
const rssRows = Number(opt('--rss-rows', 0));
const runs = Number(opt('--runs', 5));
const modes = String(opt('--modes', '1,2,default')).split(',');
const json = argv.includes('--json');

mkdirSync('bench/.tmp', { recursive: true });
// Our side and the gradient worker it starts (found next to the bundle, as dist/ has it).
await esbuild.build({
  entryPoints: [
    { in: 'bench/train_ours.ts', out: 'train_ours' },
    { in: 'src/training/parallel/gradientWorker.ts', out: 'gradientWorker' },
  ],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outdir: 'bench/.tmp',
  external: ['@tensorflow/tfjs-node'],
  logLevel: 'warning',
});

const peerEnv = { ...process.env };
delete peerEnv.OPENBLAS_CORETYPE;
delete peerEnv.OPENBLAS_L2_SIZE;
const lastJson = (text) => JSON.parse(text.trim().split('\n').pop());
const median = (a) => {
  const s = a.slice().sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () => loadavg()[0];

const report = { date: new Date().toISOString(), machine: `${cpus().length} x ${cpus()[0].model}`, node: process.version, rows, epochs, linearRows, runs, modes: [] };
for (const mode of modes) {
  const ours = [];
  const peer = [];
  for (let k = 0; k < runs; k++) {
    const loadBefore = load();
    ours.push({ ...lastJson(execFileSync(process.execPath, ['bench/.tmp/train_ours.js', String(rows), String(epochs), String(linearRows), String(k === 0 && mode === modes[0] ? rssRows : 0), mode], { encoding: 'utf8' })), loadBefore });
    const peerLoad = load();
    peer.push({ ...lastJson(execFileSync('/usr/bin/python3', ['bench/train_torch.py', String(rows), String(epochs), String(linearRows), mode], { encoding: 'utf8', env: peerEnv })), loadBefore: peerLoad });
  }
  const rowsOut = [
    { model: 'multi-head MLP (32 features, trunk 64-32, heads 3+4 classes, batch 256, Adam)', unit: 'samples/s', higherIsBetter: true, ours: ours.map((r) => r.multihead), peer: peer.map((r) => r.multihead), peerName: 'PyTorch' },
    { model: 'merged MLP (32 features, 64-32, 3 classes, batch 256, Adam)', unit: 'samples/s', higherIsBetter: true, ours: ours.map((r) => r.merged), peer: peer.map((r) => r.merged), peerName: 'PyTorch' },
    { model: `least squares fit, ${linearRows} x 32, float64`, unit: 's', higherIsBetter: false, ours: ours.map((r) => r.linear), peer: peer.map((r) => r.numpyNormalEquations), peerName: 'numpy normal equations + Cholesky' },
    { model: `least squares fit, ${linearRows} x 32, float64`, unit: 's', higherIsBetter: false, ours: ours.map((r) => r.linear), peer: peer.map((r) => r.sklearnLinearRegression), peerName: 'scikit-learn LinearRegression' },
    { model: `least squares, first fit of the process, ${linearRows} x 32, float64`, unit: 's', higherIsBetter: false, ours: ours.map((r) => r.linearFirst), peer: peer.map((r) => r.numpyNormalEquationsFirst), peerName: 'numpy normal equations + Cholesky' },
  ].map((r) => {
    const o = median(r.ours);
    const p = median(r.peer);
    return { ...r, oursMedian: o, peerMedian: p, ratio: r.higherIsBetter ? o / p : p / o };
  });
  const entry = {
    mode,
    oursThreads: ours[0].threads,
    oursBackend: ours[0].backend,
    peerTorchThreads: peer[0].torchThreads,
    peerThreadpools: peer[0].threadpools,
    versions: { torch: peer[0].torch, numpy: peer[0].numpy, sklearn: peer[0].sklearn },
    loadBefore: { ours: ours.map((r) => r.loadBefore), peer: peer.map((r) => r.loadBefore) },
    results: rowsOut,
  };
  if (ours[0].peakRssMB) entry.peakRss = { rows: ours[0].rssRows, MB: ours[0].peakRssMB };
  report.modes.push(entry);

  const fmt = (v, unit) => (unit === 's' ? `${(v * 1000).toFixed(1)} ms` : `${Math.round(v).toLocaleString('en-US')}`);
  console.log(`\nmode ${mode}: ours ${entry.oursBackend}, ${entry.oursThreads} thread(s); PyTorch ${entry.versions.torch} ${entry.peerTorchThreads} thread(s); BLAS/OpenMP pools ${entry.peerThreadpools.map((p) => `${p.internal_api} ${p.version ?? ''} ${p.architecture ?? ''} x${p.num_threads}`).join(', ')}`);
  console.log(`load average (1 min) before each run: ours ${entry.loadBefore.ours.map((v) => v.toFixed(2)).join(' ')}; peer ${entry.loadBefore.peer.map((v) => v.toFixed(2)).join(' ')}`);
  for (const r of rowsOut) {
    console.log(`${r.model} vs ${r.peerName}: ours ${fmt(r.oursMedian, r.unit)} ${r.unit === 's' ? '' : r.unit}, peer ${fmt(r.peerMedian, r.unit)}; ratio ${r.ratio.toFixed(2)} (>= 1: ours at least as fast)`);
    console.log(`  ours: ${r.ours.map((v) => fmt(v, r.unit)).join(', ')}`);
    console.log(`  peer: ${r.peer.map((v) => fmt(v, r.unit)).join(', ')}`);
  }
  const shards = ours.filter((r) => r.workerShards).map((r) => r.workerShards);
  if (shards.length) {
    entry.workerShards = shards.map((j) => JSON.parse(j));
    console.log(`our worker shards per run (byWorkers: computed by the worker thread; takenOver: by the main thread; pausedSteps: workers paused): ${shards.join(' ')}`);
  }
  if (entry.peakRss) console.log(`peak RSS, merged MLP epoch on ${entry.peakRss.rows} rows x 32 features: ${entry.peakRss.MB.toFixed(0)} MB`);
}
if (json) console.log(JSON.stringify(report));
