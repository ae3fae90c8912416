// Our training loop on 1 thread against N threads (data-parallel workers), alternating the two
// in separate processes, --runs times; prints every run with the load average before it and
// what the worker threads did (shards they computed, shards the main thread took over, steps
// with the workers paused because they were not getting a core).
// Usage: node bench/train_threads.mjs [--runs 5 --rows 60000 --epochs 20 --threads 2]
// (bench/train.mjs builds bench/.tmp/train_ours.js and the worker; run it once first.)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';

const argv = process.argv.slice(2);
const opt = (name, dflt) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : dflt);
const runs = opt('--runs', 5);
const rows = opt('--rows', 60000);
const epochs = opt('--epochs', 20);
const threads = opt('--threads', 2);
if (!existsSync('bench/.tmp/train_ours.js') || !existsSync('bench/.tmp/gradientWorker.js')) {
  console.error('run node bench/train.mjs once first (it builds bench/.tmp/train_ours.js and gradientWorker.js)');
  process.exit(2);
}
const median = (a) => {
  const s = a.slice().sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const results = { 1: [], [threads]: [] };
for (let k = 0; k < runs; k++) {
  for (const t of [1, threads]) {
    const load = loadavg()[0];
    const out = JSON.parse(execFileSync(process.execPath, ['bench/.tmp/train_ours.js', String(rows), String(epochs), '1000', '0', String(t)], { encoding: 'utf8' }).trim().split('\n').pop());
    results[t].push({ load, multihead: out.multihead, merged: out.merged, workerShards: out.workerShards ? JSON.parse(out.workerShards) : null });
    console.log(`run ${k + 1}, ${t} thread(s), load ${load.toFixed(2)}: multi-head ${Math.round(out.multihead).toLocaleString('en-US')}, merged ${Math.round(out.merged).toLocaleString('en-US')} samples/s${out.workerShards ? ` ${out.workerShards}` : ''}`);
  }
}
for (const model of ['multihead', 'merged']) {
  const one = median(results[1].map((r) => r[model]));
  const many = median(results[threads].map((r) => r[model]));
  console.log(`${model}: median 1 thread ${Math.round(one).toLocaleString('en-US')}, ${threads} threads ${Math.round(many).toLocaleString('en-US')} samples/s; ${threads} threads / 1 thread = ${(many / one).toFixed(2)}`);
}
if (argv.includes('--json')) console.log(JSON.stringify({ rows, epochs, threads, runs: results }));
