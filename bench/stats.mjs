// Statistics benchmark: our KS, Wasserstein, histogram/PSI/JS, chi-squared and domain classifier
// against scipy / numpy / sklearn (Debian python3 packages) on the same samples, in the same run,
// alternated: ours and the peer at one thread each, and each at its default threads (the peer's
// OpenMP pool matters for HistGradientBoosting). The peer runs without this machine's OpenBLAS
// overrides. Each process calls every operation R times; a run's figure is the median of its R
// calls, the headline the median over runs, every run listed; ratio peer / ours (> 1: ours faster).
// Usage: node bench/stats.mjs [--runs K] [--reps R]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { benchHeader, describePools, loadAverage, measureProcess, median, ONE_THREAD_ENV, PEER_ENV, printHeader, PYTHON, runsList } from './measure.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const runs = arg('runs', 5);
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

const script = 'bench/stats_scipy.py';
const sides = [
  { name: 'ours', threads: 'default', argv: [process.execPath, join(tmpDir, 'stats-entry.js'), dataDir, String(reps)] },
  { name: 'ours', threads: '1', argv: [process.execPath, '--single-threaded', join(tmpDir, 'stats-entry.js'), dataDir, String(reps)] },
  { name: 'peer', threads: 'default', argv: [...PEER_ENV, PYTHON, script, dataDir, String(reps)] },
  { name: 'peer', threads: '1', argv: [...PEER_ENV, ...ONE_THREAD_ENV, PYTHON, script, dataDir, String(reps)] },
];
const header = benchHeader({ python: true });
header.reps = reps;
printHeader(header);
const results = sides.map(() => []);
const pools = {};
for (let k = 0; k < runs; k++) {
  // Alternate the four processes, rotating the order each round.
  for (let i = 0; i < sides.length; i++) {
    const j = (i + k) % sides.length;
    const m = measureProcess(sides[j].argv, { tag: 'stats' });
    const out = JSON.parse(m.stdout.trim().split('\n').pop());
    if (out._threadpools) pools[sides[j].threads] = describePools(out._threadpools);
    delete out._threadpools;
    results[j].push(out);
    process.stderr.write(`round ${k + 1} ${sides[j].name} (${sides[j].threads} threads): ${m.wall.toFixed(1)} s wall, ${m.cpu.toFixed(1)} s CPU\n`);
  }
}
header.loadAverageAfter = loadAverage();
console.log(`loadAverageAfter: ${header.loadAverageAfter}`);
console.log(`peer threadpools after the work: default: ${pools.default}; one thread: ${pools['1']}`);
/** Per run, the median of its repetitions; the headline is the median of those over runs. */
const perRun = (side, op) => results[side].map((r) => median(r[op]));
const firstCall = (side, op) => median(results[side].map((r) => r[op][0]));
const summary = {};
for (const [title, threads] of [['one thread on both sides (node --single-threaded; OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1)', '1'], ["each side's default (our code runs on one thread; the peer's OpenMP / OpenBLAS pools have 2)", 'default']]) {
  const o = sides.findIndex((s) => s.name === 'ours' && s.threads === threads);
  const p = sides.findIndex((s) => s.name === 'peer' && s.threads === threads);
  console.log(`\n### ${title}; ${runs} alternated runs, each the median of ${reps} calls\n`);
  console.log('| operation | ours ms | every run | peer ms | every run | peer / ours | first call: ours, peer ms |');
  console.log('| --- | ---: | --- | ---: | --- | ---: | ---: |');
  for (const op of Object.keys(results[o][0])) {
    const or = perRun(o, op);
    const pr = perRun(p, op);
    const om = median(or);
    const pm = median(pr);
    (summary[threads] ??= {})[op] = { oursMs: om, oursRuns: or, peerMs: pm, peerRuns: pr, peerOverOurs: pm / om, firstCallMs: [firstCall(o, op), firstCall(p, op)] };
    const d = om < 10 ? 2 : 1;
    console.log(`| ${op} | ${om.toFixed(d)} | ${runsList(or, d)} | ${pm.toFixed(d)} | ${runsList(pr, d)} | ${(pm / om).toFixed(2)} | ${firstCall(o, op).toFixed(d)}, ${firstCall(p, op).toFixed(d)} |`);
  }
}
console.log(JSON.stringify({ bench: 'stats', header, runs, reps, peerThreadpools: pools, summary }));
