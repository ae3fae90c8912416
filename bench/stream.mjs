#!/usr/bin/env node
// Streaming compare against the in-memory path (issue 15): peak RSS and throughput of
// `node dist/cli.js compare A B --json --stream` and of the same command in memory, on two
// generated CSVs of --size-mb each (default 200; the issue's figure is 2048), alternated --runs
// times (default 3), medians and every run printed. The in-memory run's exact KS and Wasserstein
// (equal to scipy's to 1e-9, test/unit/core/stats) are checked against the streamed figures'
// stated bounds.
// Peak RSS of the --jobs row is the parent's (each chunk process has its own, about as much).
// --format jsonl writes the same rows as JSON Lines (numbers as JSON numbers, the empty category
// as null); --format parquet the same rows as Parquet (Snappy, row groups of 100,000 rows, as many
// rows as the CSV of --size-mb would hold); --files 3 adds a third file (seed 9, shifted) compared pairwise with the first.
//   node bench/stream.mjs [--size-mb 200] [--runs 3] [--skip-memory] [--jobs 2] [--format csv|jsonl] [--files 2]
// Files are written once under bench/.data/ (git-ignored) and reused.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const sizeMb = Number(arg('size-mb', '200'));
const runs = Number(arg('runs', '3'));
const skipMemory = process.argv.includes('--skip-memory');
// With --jobs N, a third row: the streaming compare reading each file in N processes (merged sketches).
const jobs = Number(arg('jobs', '1'));
const format = arg('format', 'csv');
const fileCount = Number(arg('files', '2'));
const NAMES = ['id', 'x', 'y', 'k', 'u', 't', 'p', 'c', 'g'];
/** One generated row in the chosen format. */
function row(cells) {
  if (format === 'csv') return cells.join(',');
  return JSON.stringify(Object.fromEntries(cells.map((v, j) => [NAMES[j], j === 7 ? v : j === 8 ? (v === '' ? null : v) : Number(v)])));
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Six numeric columns (normal, heavy-tailed, discrete, uniform, two with decimals) and two categories. */
function generate(path, bytes, seed, shifted) {
  if (format === 'parquet') return generateParquet(path, bytes, seed, shifted);
  const r = mulberry32(seed);
  const fd = openSync(path, 'w');
  let written = 0;
  let buf = format === 'csv' ? 'id,x,y,k,u,t,p,c,g\n' : '';
  let id = 0;
  while (written + buf.length < bytes) {
    const lines = [];
    for (let i = 0; i < 20000; i++) {
      let s = 0;
      for (let j = 0; j < 12; j++) s += r();
      const z = s - 6;
      const x = ((shifted ? z * 1.1 + 0.2 : z) * 10).toFixed(3);
      const y = Math.floor(1000 / (r() + (shifted ? 0.012 : 0.01)));
      const k = Math.floor(r() * (shifted ? 21 : 20));
      const u = (r() * 100).toFixed(2);
      const t = (20 + 8 * (r() + r() - 1) + (shifted ? 0.5 : 0)).toFixed(1);
      const p = r() < 0.6 ? '0' : (r() * 30).toFixed(1);
      const c = `c${Math.floor((shifted ? r() : r() * r()) * 50)}`;
      const g = r() < 0.02 ? '' : ['north', 'south', 'east', 'west'][Math.floor(r() * 4)];
      lines.push(row([id++, x, y, k, u, t, p, c, g]));
    }
    buf += lines.join('\n') + '\n';
    if (buf.length > 8 << 20) {
      written += writeSync(fd, buf);
      buf = '';
    }
  }
  written += writeSync(fd, buf);
  closeSync(fd);
  return written;
}

/**
 * --format parquet: the rows the CSV of `bytes` would hold (generated as JSON Lines in a temporary
 * file, then read back), written by parquet-wasm (Snappy) in row groups of 100,000 rows.
 */
async function generateParquetAsync(path, bytes, seed, shifted) {
  const fl = await import('@uwdata/flechette');
  const pw = await import('parquet-wasm');
  const cols = Object.fromEntries(NAMES.map((n) => [n, []]));
  const r = mulberry32(seed);
  let written = 0;
  let id = 0;
  while (written < bytes) {
    let s = 0;
    for (let j = 0; j < 12; j++) s += r();
    const z = s - 6;
    const cells = [id++, ((shifted ? z * 1.1 + 0.2 : z) * 10).toFixed(3), Math.floor(1000 / (r() + (shifted ? 0.012 : 0.01))), Math.floor(r() * (shifted ? 21 : 20)), (r() * 100).toFixed(2), (20 + 8 * (r() + r() - 1) + (shifted ? 0.5 : 0)).toFixed(1), r() < 0.6 ? '0' : (r() * 30).toFixed(1), `c${Math.floor((shifted ? r() : r() * r()) * 50)}`, r() < 0.02 ? '' : ['north', 'south', 'east', 'west'][Math.floor(r() * 4)]];
    written += cells.join(',').length + 1;
    cells.forEach((v, j) => cols[NAMES[j]].push(j === 7 ? v : j === 8 ? (v === '' ? null : v) : Number(v)));
  }
  const types = Object.fromEntries(NAMES.map((n, j) => [n, j >= 7 ? fl.utf8() : fl.float64()]));
  const table = fl.tableFromArrays(cols, { types });
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).setMaxRowGroupSize(100000).build();
  writeFileSync(path, pw.writeParquet(pw.Table.fromIPCStream(fl.tableToIPC(table, { format: 'stream' })), props));
  return statSync(path).size;
}
const pending = [];
function generateParquet(path, bytes, seed, shifted) {
  pending.push(generateParquetAsync(path, bytes, seed, shifted));
  return 0;
}

const dataDir = join(repo, 'bench', '.data');
mkdirSync(dataDir, { recursive: true });
const files = ['a', 'b', 'c', 'd'].slice(0, fileCount).map((s, i) => {
  const path = join(dataDir, `stream-${sizeMb}mb-${s}.${format}`);
  if (!existsSync(path) || (format !== 'parquet' && Math.abs(statSync(path).size - sizeMb * 2 ** 20) > 2 ** 20)) {
    const t = Date.now();
    generate(path, sizeMb * 2 ** 20, 7 + i, i >= 1);
    console.error(`generated ${path} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return path;
});
await Promise.all(pending);
const totalBytes = files.reduce((a, f) => a + statSync(f).size, 0);

function measure(stream, parallel = 1) {
  const out = join(dataDir, `stream-${sizeMb}mb-${format}-${fileCount}-${stream ? `stream${parallel > 1 ? `-j${parallel}` : ''}` : 'memory'}.json`);
  const args = ['-f', '%M %e %U %S', '-o', join(dataDir, 'time.txt'), process.execPath, join(repo, 'dist', 'cli.js'), 'compare', ...files, '--json', ...(stream ? ['--stream', '--jobs', String(parallel)] : ['--max-memory', '1T'])];
  const fd = openSync(out, 'w');
  const r = spawnSync('/usr/bin/time', args, { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
  closeSync(fd);
  if (r.status !== 0) throw new Error(`${stream ? 'stream' : 'memory'} run failed: ${r.stderr}`);
  const [kb, wall, user, sys] = readFileSync(join(dataDir, 'time.txt'), 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { rssMb: kb / 1024, wall, cpu: user + sys, mbPerS: totalBytes / 2 ** 20 / wall, out };
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const rows = { stream: [], memory: [], [`stream-j${jobs}`]: [] };
for (let i = 0; i < runs; i++) {
  rows.stream.push(measure(true));
  if (jobs > 1) rows[`stream-j${jobs}`].push(measure(true, jobs));
  if (!skipMemory) rows.memory.push(measure(false));
}
const fmt = (r) => `peak RSS ${r.rssMb.toFixed(0)} MB, ${r.wall.toFixed(1)} s wall, ${r.cpu.toFixed(1)} s CPU, ${r.mbPerS.toFixed(1)} MB/s`;
console.log(`streaming compare vs in-memory compare: ${fileCount} ${format} files x ${sizeMb} MiB (${(totalBytes / 2 ** 20).toFixed(0)} MiB), ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, node ${process.version}`);
for (const [name, list] of Object.entries(rows)) {
  if (!list.length) continue;
  list.forEach((r, i) => console.log(`  ${name.padEnd(9)} run ${i + 1}: ${fmt(r)}`));
  console.log(`  ${name.padEnd(9)} median: peak RSS ${median(list.map((r) => r.rssMb)).toFixed(0)} MB, ${median(list.map((r) => r.mbPerS)).toFixed(1)} MB/s`);
}
if (rows.memory.length) {
  const ratio = median(rows.stream.map((r) => r.mbPerS)) / median(rows.memory.map((r) => r.mbPerS));
  console.log(`  throughput stream / in-memory: ${(ratio * 100).toFixed(0)}%; peak RSS stream / in-memory: ${((median(rows.stream.map((r) => r.rssMb)) / median(rows.memory.map((r) => r.rssMb))) * 100).toFixed(0)}%`);
  // The exact figures (in memory) against the streamed bounds.
  const streamed = JSON.parse(readFileSync(rows.stream[0].out, 'utf8'));
  const memory = JSON.parse(readFileSync(rows.memory[0].out, 'utf8'));
  console.log(`  recommendation: streaming ${streamed.recommendation?.strategy}, in memory ${memory.recommendation.strategy}`);
  let worstKs = 0;
  let worstW = 0;
  // Every pair (comparisons[] of both documents; a streamed document before N files had one pair at the top).
  for (const [k, s] of (streamed.comparisons ?? [streamed]).entries()) {
  const m = memory.comparisons[k].features;
  for (const f of s.features.filter((x) => x.type === 'numeric')) {
    const e = m.find((x) => x.name === f.name);
    if (!e?.ks) continue;
    const inside = (v, b) => b.lower - 1e-9 * Math.max(1, Math.abs(v)) <= v && v <= b.upper + 1e-9 * Math.max(1, Math.abs(v));
    const ok = inside(e.ks.statistic, f.ks.statistic) && inside(e.wasserstein, f.wasserstein);
    worstKs = Math.max(worstKs, Math.abs(f.ks.statistic.estimate - e.ks.statistic));
    worstW = Math.max(worstW, Math.abs(f.wasserstein.estimate - e.wasserstein) / (e.wasserstein || 1));
    console.log(`  pair ${k + 1} ${f.name.padEnd(3)} KS exact ${e.ks.statistic.toFixed(6)} streamed ${f.ks.statistic.estimate.toFixed(6)} [${f.ks.statistic.lower.toFixed(6)}, ${f.ks.statistic.upper.toFixed(6)}]; W exact ${e.wasserstein.toPrecision(6)} streamed ${f.wasserstein.estimate.toPrecision(6)} [${f.wasserstein.lower.toPrecision(6)}, ${f.wasserstein.upper.toPrecision(6)}] ${ok ? 'inside the bounds' : 'OUTSIDE THE BOUNDS'}`);
  }
  }
  console.log(`  largest KS error ${worstKs.toExponential(2)}, largest relative Wasserstein error ${worstW.toExponential(2)}`);
}
