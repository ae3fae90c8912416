// Statistics benchmark: our KS, Wasserstein, histogram/PSI/JS, chi-squared and domain classifier
// against scipy / numpy / sklearn (Debian python3 packages) on the same samples, in the same run,
// the two sides alternated. Prints per operation the medians and the ratio ours / peer
// (below 1 = we are faster), then one JSON line.
// Usage: node bench/stats.mjs [--runs K] [--reps R]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg('runs', 3);
const reps = arg('reps', 3);
const dataDir = 'bench/.data/stats';
const tmpDir = 'bench/.tmp';
mkdirSync(dataDir, { recursive: true });
mkdirSync(tmpDir, { recursive: true });

// Deterministic normal samples (LCG + Box-Muller), rounded to 3 decimals so there are ties.
let state = 20261128;
const uniform = () => {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return (state + 0.5) / 4294967296;
};
const normal = (n, loc, scale = 1) =>
  Float64Array.from({ length: n }, () => Math.round((loc + scale * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())) * 1000) / 1000);
const write = (name, arr) => writeFileSync(join(dataDir, `${name}.f64`), Buffer.from(arr.buffer));
if (!existsSync(join(dataDir, 'domain.f64'))) {
  write('big1', normal(1_000_000, 0));
  write('big2', normal(1_000_000, 0.002));
  write('exact1', normal(10_000, 0));
  write('exact2', normal(9_999, 0.03));
  write('exact3', normal(9_999, 0.8));
  write('counts', Float64Array.from({ length: 400 }, (_, i) => 20 + Math.floor(uniform() * 200) + (i >= 200 ? (i % 7) : 0)));
  const rows = new Float64Array(20000 * 12);
  for (let i = 0; i < 20000; i++) {
    for (let j = 0; j < 12; j++) {
      const shift = i >= 10000 ? 0.03 * j : 0;
      rows[i * 12 + j] = uniform() < 0.03 ? Number.NaN : normal(1, shift)[0];
    }
  }
  write('domain', rows);
}
await esbuild.build({
  entryPoints: ['bench/stats-entry.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: join(tmpDir, 'stats-entry.js'),
  logLevel: 'warning',
});

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}
const ours = [];
const peer = [];
for (let k = 0; k < runs; k++) {
  ours.push(run(process.execPath, [join(tmpDir, 'stats-entry.js'), dataDir, String(reps)]));
  peer.push(run('/usr/bin/python3', ['bench/stats_scipy.py', dataDir, String(reps)]));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const result = {};
console.log(`${'operation'.padEnd(42)} ${'ours ms'.padStart(9)} ${'peer ms'.padStart(9)} ${'ours/peer'.padStart(9)}`);
for (const op of Object.keys(ours[0])) {
  const o = median(ours.map((r) => r[op]));
  const p = median(peer.map((r) => r[op]));
  result[op] = { oursMs: Number(o.toFixed(1)), peerMs: Number(p.toFixed(1)), ratio: Number((o / p).toFixed(2)) };
  console.log(`${op.padEnd(42)} ${o.toFixed(1).padStart(9)} ${p.toFixed(1).padStart(9)} ${(o / p).toFixed(2).padStart(9)}`);
}
console.log(JSON.stringify({ runs, reps, result }));
