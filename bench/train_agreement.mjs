// Peer agreement: trains each bundled example experiment with our CLI, then the same models
// with PyTorch / scikit-learn on the identical exported split (bench/train_peers.py), and
// prints the per-arm, per-dataset test scores side by side.
// Usage: node bench/train_agreement.mjs [--seeds N] [--json]   (after `node esbuild.mjs`)
// Needs Debian's python3-torch, python3-sklearn, python3-pandas.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const args = process.argv.slice(2);
const seeds = args.includes('--seeds') ? Number(args[args.indexOf('--seeds') + 1]) : 3;
const examples = ['examples/weather.experiment.json', 'examples/penguins.experiment.json', 'examples/cars.experiment.json'];
const tolerance = { accuracy: 0.02, r2: 0.02 };
const rows = [];
for (const exp of examples) {
  const ours = JSON.parse(execFileSync(process.execPath, ['dist/cli.js', 'run', exp, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const runDir = join(exp.replace(/[^/]+$/, ''), '.dataset-lab', 'runs', ours.runId);
  const peer = JSON.parse(execFileSync('/usr/bin/python3', ['bench/train_peers.py', runDir, '--seeds', String(seeds)], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  for (const arm of ours.arms) {
    for (const [source, m] of Object.entries(arm.bySource)) {
      const metric = m.task === 'classification' ? 'accuracy' : 'r2';
      const p = peer.arms[arm.arm][source];
      const diff = m[metric] - p.value;
      rows.push({
        experiment: ours.experiment,
        arm: arm.arm,
        model: arm.model,
        source,
        metric,
        ours: m[metric],
        peer: p.value,
        peerRange: [Math.min(...p.values), Math.max(...p.values)],
        diff,
        ok: Math.abs(diff) <= tolerance[metric],
        backend: ours.backend,
      });
    }
  }
}
const f = (v) => v.toFixed(4);
console.log(`| experiment | arm | model | dataset | metric | ours | peer (mean of ${seeds} seeds; min-max) | diff | within tolerance |`);
console.log('| --- | --- | --- | --- | --- | ---: | ---: | ---: | --- |');
for (const r of rows) {
  console.log(`| ${r.experiment} | ${r.arm} | ${r.model} | ${r.source} | ${r.metric} | ${f(r.ours)} | ${f(r.peer)} (${f(r.peerRange[0])}-${f(r.peerRange[1])}) | ${r.diff >= 0 ? '+' : ''}${f(r.diff)} | ${r.ok ? 'yes' : 'NO'} |`);
}
if (args.includes('--json')) console.log(JSON.stringify(rows));
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
