// Compare benchmark: two 1,000,000-row x 12-column CSV files (~100 MB each).
// Target (issue 2): comparing two such files takes under 2x the time of ingesting them.
// Measures, alternated, whole processes: (a) reading both files only, (b) `dataset-lab compare
// A B --json` (read + profile-free compare incl. the domain classifier). Prints a table and a
// JSON line: { ingestSeconds, compareSeconds, ratio = compare / ingest, target: 2 }.
// Usage: npm run build && node bench/compare.mjs [--rows N] [--runs K]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { generateBenchCsv } from './ingest-generate.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const rows = arg('rows', 1_000_000);
const runs = arg('runs', 3);
const dataDir = 'bench/.data';
const tmpDir = 'bench/.tmp';
mkdirSync(dataDir, { recursive: true });
mkdirSync(tmpDir, { recursive: true });
const files = [join(dataDir, `compare-a-${rows}.csv`), join(dataDir, `compare-b-${rows}.csv`)];
for (const [i, f] of files.entries()) if (!existsSync(f)) await generateBenchCsv(f, rows, 100 + i);
await esbuild.build({
  entryPoints: ['bench/compare-ingest-entry.ts'],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: join(tmpDir, 'compare-ingest-entry.js'),
  logLevel: 'warning',
});

function timeProcess(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ingest = [];
const compare = [];
for (let k = 0; k < runs; k++) {
  ingest.push(timeProcess([join(tmpDir, 'compare-ingest-entry.js'), ...files]));
  compare.push(timeProcess(['dist/cli.js', 'compare', ...files, '--label', 'weather', '--json']));
}
const size = files.reduce((s, f) => s + statSync(f).size, 0);
const result = {
  rows,
  files: files.length,
  megabytes: Number((size / 1e6).toFixed(1)),
  ingestSeconds: Number(median(ingest).toFixed(3)),
  compareSeconds: Number(median(compare).toFixed(3)),
  ratio: Number((median(compare) / median(ingest)).toFixed(3)),
  target: 2,
};
console.log(`read both files only: ${result.ingestSeconds} s (median of ${runs})`);
console.log(`compare A B --json:   ${result.compareSeconds} s (median of ${runs})`);
console.log(`compare / ingest:     ${result.ratio} (target < ${result.target})`);
console.log(JSON.stringify(result));
