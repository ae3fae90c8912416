// Peer agreement: trains each bundled example experiment with our CLI, then the same models
// with PyTorch / scikit-learn on the identical exported split (bench/train_peers.py), and
// prints the per-arm, per-dataset test scores side by side. Neural networks are compared as
// the mean over N training seeds on both sides (same split seed, so the same split): on test
// sets of a few dozen rows one seed's score moves by several points either way.
// Usage: node bench/train_agreement.mjs [--seeds N] [--json]   (after `node esbuild.mjs`)
// Needs Debian's python3-torch, python3-sklearn, python3-pandas.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const args = process.argv.slice(2);
const seeds = args.includes('--seeds') ? Number(args[args.indexOf('--seeds') + 1]) : 3;
const examples = ['examples/weather.experiment.json', 'examples/penguins.experiment.json', 'examples/cars.experiment.json', 'examples/cars-mlp.experiment.json'];
const tolerance = { accuracy: 0.02, r2: 0.02 };
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const rows = [];
for (const exp of examples) {
  const doc = JSON.parse(readFileSync(exp, 'utf8'));
  const n = doc.model?.type === 'linear' ? 1 : seeds;
  const ours = new Map();
  const peer = new Map();
  let first;
  for (let k = 0; k < n; k++) {
    // Same folder, so dataset paths resolve the same; only the training seed changes.
    const tmp = join(dirname(exp), `.agreement-${k}.experiment.json`);
    writeFileSync(tmp, JSON.stringify({ ...doc, training: { ...(doc.training ?? {}), seed: (doc.training?.seed ?? 42) + k } }));
    try {
      const res = JSON.parse(execFileSync(process.execPath, ['dist/cli.js', 'run', tmp, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
      first ??= res;
      const runDir = join(dirname(exp), '.dataset-lab', 'runs', res.runId);
      const p = JSON.parse(execFileSync('/usr/bin/python3', ['bench/train_peers.py', runDir], { encoding: 'utf8', maxBuffer: 64 << 20 }));
      for (const arm of res.arms) {
        for (const [source, m] of Object.entries(arm.bySource)) {
          const key = `${arm.arm}\t${source}`;
          const metric = m.task === 'classification' ? 'accuracy' : 'r2';
          if (!ours.has(key)) ours.set(key, { arm: arm.arm, model: arm.model, source, metric, values: [] });
          ours.get(key).values.push(m[metric]);
          if (!peer.has(key)) peer.set(key, []);
          peer.get(key).push(p.arms[arm.arm][source].value);
        }
      }
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  for (const [key, o] of ours) {
    const p = peer.get(key);
    const diff = mean(o.values) - mean(p);
    rows.push({ experiment: doc.name, ...o, seeds: n, ours: mean(o.values), peer: mean(p), oursRange: [Math.min(...o.values), Math.max(...o.values)], peerRange: [Math.min(...p), Math.max(...p)], diff, ok: Math.abs(diff) <= tolerance[o.metric], backend: first.backend });
  }
}
const f = (v) => v.toFixed(4);
console.log(`| experiment | arm | model | dataset | metric | seeds | ours mean (min-max) | peer mean (min-max) | diff | within tolerance |`);
console.log('| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | --- |');
for (const r of rows) {
  console.log(`| ${r.experiment} | ${r.arm} | ${r.model} | ${r.source} | ${r.metric} | ${r.seeds} | ${f(r.ours)} (${f(r.oursRange[0])}-${f(r.oursRange[1])}) | ${f(r.peer)} (${f(r.peerRange[0])}-${f(r.peerRange[1])}) | ${r.diff >= 0 ? '+' : ''}${f(r.diff)} | ${r.ok ? 'yes' : 'NO'} |`);
}
if (args.includes('--json')) console.log(JSON.stringify(rows));
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
