// Fit speed of model.type "gbm" against scikit-learn's HistGradientBoosting on 1,000,000 rows x
// 32 numeric features (shared/notes/BENCHMARKS.md): the same matrix on both sides (written once
// as raw float64 by this script), the same bins (255, thresholds from a 200,000-row subsample),
// the same trees (31 leaves best-first, no depth limit, 20 rows per leaf, no L2), the same 100
// iterations with no early stopping, one thread on both (ours is single-threaded; the peer
// with OMP_NUM_THREADS=1 and without this machine's OpenBLAS overrides). The in-process time
// covers binning + boosting on both sides (what each fit() does); whole-process wall time and
// peak RSS come from bench/measure.py. Ours and the peer alternate, every run is listed, the
// headline is the median.
// Usage: node bench/gbm_speed.mjs [--runs N] [--rows N] [--iterations N] [--task regression|classification]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { benchHeader, describePools, measureProcess, median, ONE_THREAD_ENV, option, PEER_ENV, printHeader, PYTHON, pythonThreadpools, reported, ROOT, runsList, TMP } from './measure.mjs';

const args = process.argv.slice(2);
const runs = Number(option(args, '--runs', '5'));
const rows = Number(option(args, '--rows', '1000000'));
const iterations = Number(option(args, '--iterations', '100'));
const task = option(args, '--task', 'regression');
const cols = 32;
mkdirSync(TMP, { recursive: true });
const xFile = join(TMP, `gbm-x-${rows}x${cols}.f64`);
const yFile = join(TMP, `gbm-y-${rows}-${task}.f64`);
if (!existsSync(xFile) || !existsSync(yFile)) {
  // mulberry32, seeded: features uniform in [-1, 1], some NaN; the target depends on 10 of them.
  let s = 12345;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const X = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let f = 0;
    for (let j = 0; j < cols; j++) {
      const v = rand() * 2 - 1;
      X[i * cols + j] = j >= 28 && rand() < 0.05 ? Number.NaN : v;
      if (j < 8) f += v * (j + 1) * (j % 2 ? 1 : -1) * 0.25;
    }
    f += Math.sin(3 * X[i * cols + 8]) + X[i * cols + 9] * X[i * cols + 10] + (rand() - 0.5);
    y[i] = task === 'classification' ? (f > 0 ? 1 : 0) : f;
  }
  writeFileSync(xFile, Buffer.from(X.buffer));
  writeFileSync(yFile, Buffer.from(y.buffer));
}
const entry = join(TMP, 'gbm-speed-entry.js');
await esbuild.build({ entryPoints: [join(ROOT, 'bench', 'gbm-speed-entry.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: entry, logLevel: 'warning' });

const header = benchHeader({ python: true });
header.peerThreadpoolsOneThread = describePools(pythonThreadpools(ONE_THREAD_ENV));
header.data = `${rows} rows x ${cols} numeric features (4 with 5% missing), ${task}, ${iterations} iterations, 31 leaves, 255 bins`;
printHeader(header);
const common = [xFile, yFile, String(rows), String(cols), task, String(iterations)];
const programs = [
  { name: 'ours (node, one thread)', argv: [process.execPath, entry, ...common] },
  { name: 'scikit-learn HGB (OMP_NUM_THREADS=1)', argv: [...PEER_ENV, ...ONE_THREAD_ENV, PYTHON, join(ROOT, 'bench', 'gbm_speed_sklearn.py'), ...common] },
];
const taken = new Map(programs.map((p) => [p.name, { fit: [], cpu: [], wall: [], rss: [], score: undefined }]));
for (let r = 0; r < runs; r++) {
  for (const p of r % 2 ? [...programs].reverse() : programs) {
    const m = measureProcess(p.argv, { tag: 'gbm-speed' });
    const t = taken.get(p.name);
    t.fit.push(reported(m.stderr, 'fit_s'));
    t.cpu.push(reported(m.stderr, 'cpu_s'));
    t.wall.push(m.wall);
    t.rss.push(m.rssMB);
    t.score = JSON.parse(m.stdout.trim());
    console.log(`run ${r + 1} ${p.name}: fit ${t.fit.at(-1).toFixed(2)} s (CPU ${t.cpu.at(-1).toFixed(2)} s), wall ${m.wall.toFixed(2)} s, peak RSS ${m.rssMB.toFixed(0)} MB, training score ${t.score.trainScore.toFixed(4)}`);
  }
}
console.log('\n| program | fit (binning + boosting), median s | every run | fit CPU, median s | every run | whole process, median s | peak RSS MB | training score |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [name, t] of taken) console.log(`| ${name} | ${median(t.fit).toFixed(2)} | ${runsList(t.fit)} | ${median(t.cpu).toFixed(2)} | ${runsList(t.cpu)} | ${median(t.wall).toFixed(2)} | ${median(t.rss).toFixed(0)} | ${t.score.trainScore.toFixed(4)} |`);
const [ours, peer] = [...taken.values()];
console.log(`\nratio (peer / ours, > 1 = ours faster): fit ${(median(peer.fit) / median(ours.fit)).toFixed(2)}, fit CPU ${(median(peer.cpu) / median(ours.cpu)).toFixed(2)}, whole process ${(median(peer.wall) / median(ours.wall)).toFixed(2)}`);
