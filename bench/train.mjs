// Training benchmark: our custom TF.js loop and closed-form linear fit against PyTorch (1 thread)
// and scikit-learn, same data sizes, model, batch size (256) and optimizer (Adam), measured in
// the same run. The LAST line of `--json` output is a JSON list of
// { model, ours, peer, unit, ratio } where ratio >= 1 means ours is at least as fast.
// Usage: npm run bench:train [-- --json] [-- --runs 3 --rows N --epochs E --linear-rows N --rss-rows N]
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as esbuild from 'esbuild';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const rows = opt('--rows', 60000);
const epochs = opt('--epochs', 2);
const linearRows = opt('--linear-rows', 200000);
const rssRows = opt('--rss-rows', 0);
const json = argv.includes('--json');

mkdirSync('bench/.tmp', { recursive: true });
await esbuild.build({
  entryPoints: ['bench/train_ours.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: 'bench/.tmp/train_ours.js',
  external: ['@tensorflow/tfjs-node'],
  logLevel: 'warning',
});
// One thread for every BLAS/OpenMP pool on the peer side, as our WASM backend uses one.
const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
const runs = opt('--runs', 3);
const lastJson = (text) => JSON.parse(text.trim().split('\n').pop());
const oursRuns = [];
const peerRuns = [];
// Alternate the two processes so a busy moment on a shared machine hits both sides alike.
for (let k = 0; k < runs; k++) {
  oursRuns.push(lastJson(execFileSync(process.execPath, ['bench/.tmp/train_ours.js', String(rows), String(epochs), String(linearRows), String(k === 0 ? rssRows : 0)], { encoding: 'utf8', env })));
  peerRuns.push(lastJson(execFileSync('/usr/bin/python3', ['bench/train_torch.py', String(rows), String(epochs), String(linearRows)], { encoding: 'utf8', env })));
}
const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
const pick = (list, key) => median(list.map((r) => r[key]));
const ours = { backend: oursRuns[0].backend, multihead: pick(oursRuns, 'multihead'), merged: pick(oursRuns, 'merged'), linear: pick(oursRuns, 'linear'), peakRssMB: oursRuns[0].peakRssMB, rssRows: oursRuns[0].rssRows };
const peer = { torch: peerRuns[0].torch, threads: peerRuns[0].threads, multihead: pick(peerRuns, 'multihead'), merged: pick(peerRuns, 'merged'), linear: pick(peerRuns, 'linear') };

const results = [
  { model: 'multi-head MLP (32 features, trunk 64-32, heads 3+4 classes, batch 256, Adam)', ours: ours.multihead, peer: peer.multihead, unit: 'samples/s' },
  { model: 'merged MLP (32 features, 64-32, 3 classes, batch 256, Adam)', ours: ours.merged, peer: peer.merged, unit: 'samples/s' },
  { model: `linear regression fit (${linearRows} rows x 32 features) vs sklearn LinearRegression`, ours: ours.linear, peer: peer.linear, unit: 's' },
].map((r) => ({ ...r, ratio: r.unit === 's' ? r.peer / r.ours : r.ours / r.peer }));

console.log(`backend ${ours.backend}; torch ${peer.torch} with ${peer.threads} thread(s); ${rows} rows x ${epochs} epochs; linear ${linearRows} rows; medians of ${runs} alternating runs`);
for (const r of results) console.log(`${r.model}: ours ${r.ours.toPrecision(4)} ${r.unit}, peer ${r.peer.toPrecision(4)} ${r.unit}, ratio ${r.ratio.toFixed(2)}`);
if (ours.peakRssMB) console.log(`peak RSS, merged MLP epoch on ${ours.rssRows} rows x 32 features: ${ours.peakRssMB.toFixed(0)} MB`);
if (json) console.log(JSON.stringify(results));
