// Ingest + profile against pandas (read_csv + describe) on the 1,000,000-row x 12-column file,
// measured two ways (shared/notes/BENCHMARKS.md), all programs alternated in each round:
//   whole process: the real `node dist/cli.js profile FILE --json` (what users run) against
//     `python3 bench/ingest-pandas.py FILE` (start-up, `import pandas`, read_csv, describe, JSON);
//   in-process: read + profile timed inside our process (bench/ingest-entry.ts) against
//     read_csv + describe timed inside Python's; start-up and imports excluded on both sides.
// Each at the default threads of both sides and with one thread on both (node --single-threaded;
// OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1). Peers run without this machine's OpenBLAS overrides.
// Peak RSS and CPU time of every whole process come from wait4 (bench/measure.py).
// Usage: npm run bench:ingest  (= npm run build && node bench/ingest.mjs [--runs N] [--file F])
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import {
  benchHeader, describePools, loadAverage, measureProcess, median, ONE_THREAD_ENV, option, PEER_ENV, printHeader, PYTHON,
  pythonThreadpools, reported, ROOT, runsList, TMP,
} from './measure.mjs';

const args = process.argv.slice(2);
const runs = Number(option(args, '--runs', '7'));
const file = option(args, '--file', join(TMP, 'bench-1m.csv'));
const cli = join(ROOT, 'dist', 'cli.js');
const node = process.execPath;

mkdirSync(TMP, { recursive: true });
if (!existsSync(file)) {
  const { generateBenchCsv } = await import('./ingest-generate.mjs');
  process.stderr.write(`generating ${file}\n`);
  await generateBenchCsv(file);
}
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
const entry = join(TMP, 'ingest-entry.js');
// Same bundling options as esbuild.mjs uses for dist/cli.js.
await esbuild.build({ entryPoints: [join(ROOT, 'bench', 'ingest-entry.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: entry, logLevel: 'warning' });

const pandasScript = join(ROOT, 'bench', 'ingest-pandas.py');
const peer = (extra, ...rest) => [...PEER_ENV, ...extra, PYTHON, pandasScript, file, ...rest];
/** name -> argv; `inprocess` when the process reports its own read+profile time. */
const programs = [
  { name: 'ours', threads: 'default', span: 'whole', argv: [node, cli, 'profile', file, '--json'] },
  { name: 'ours', threads: '1', span: 'whole', argv: [node, '--single-threaded', cli, 'profile', file, '--json'] },
  { name: 'ours', threads: 'default', span: 'in-process', argv: [node, entry, file] },
  { name: 'ours', threads: '1', span: 'in-process', argv: [node, '--single-threaded', entry, file] },
  { name: 'pandas describe()', threads: 'default', span: 'both', argv: peer([]) },
  { name: 'pandas describe()', threads: '1', span: 'both', argv: peer(ONE_THREAD_ENV) },
  { name: "pandas describe(include='all')", threads: 'default', span: 'both', argv: peer([], 'all') },
  { name: "pandas describe(include='all')", threads: '1', span: 'both', argv: peer(ONE_THREAD_ENV, 'all') },
  { name: 'start-up: node dist/cli.js --version', threads: 'default', span: 'whole', argv: [node, cli, '--version'] },
  { name: "start-up: python3 -c 'import pandas'", threads: 'default', span: 'whole', argv: [...PEER_ENV, PYTHON, '-c', 'import pandas'] },
];
const key = (p) => `${p.name} | ${p.span === 'in-process' ? 'in-process, ' : ''}${p.threads} thread(s)`;

const header = benchHeader({ python: true });
header.peerThreadpoolsOneThread = describePools(pythonThreadpools(ONE_THREAD_ENV));
const size = statSync(file).size;
header.file = `${file} (${(size / 1e6).toFixed(1)} MB)`;
printHeader(header);

// Sanity: both sides read the same numbers (counts and means of the numeric columns).
{
  const ours = JSON.parse(measureProcess(programs[0].argv, { tag: 'ingest-check-ours' }).stdout);
  const theirs = JSON.parse(measureProcess(programs[4].argv, { tag: 'ingest-check-pandas' }).stdout);
  for (const c of ours.columns.filter((x) => x.type === 'numeric')) {
    const p = theirs[c.name];
    if (!p || p.count !== c.count || Math.abs(p.mean - c.mean) > 1e-9 * Math.max(1, Math.abs(c.mean))) {
      throw new Error(`column ${c.name}: ours count ${c.count} mean ${c.mean}, pandas ${JSON.stringify(p)}`);
    }
  }
  console.log(`check: ${ours.rows} rows; count and mean of all ${ours.columns.filter((x) => x.type === 'numeric').length} numeric columns agree with pandas`);
}

const results = new Map(programs.map((p) => [key(p), { ...p, wall: [], cpu: [], rss: [], inproc: [] }]));
for (let r = 0; r < runs; r++) {
  // Rotate the order each round so no program always runs first or after the same neighbour.
  for (let i = 0; i < programs.length; i++) {
    const p = programs[(i + r) % programs.length];
    const m = measureProcess(p.argv, { tag: 'ingest' });
    const x = results.get(key(p));
    x.wall.push(m.wall);
    x.cpu.push(m.cpu);
    x.rss.push(m.rssMB);
    if (p.span !== 'whole') x.inproc.push(reported(m.stderr, 'inprocess_s'));
    process.stderr.write(`round ${r + 1} ${key(p)}: ${m.wall.toFixed(3)} s wall, ${m.cpu.toFixed(2)} s CPU, ${m.rssMB.toFixed(0)} MB${p.span !== 'whole' ? `, in-process ${x.inproc.at(-1).toFixed(3)} s` : ''}\n`);
  }
}
header.loadAverageAfter = loadAverage();
console.log(`loadAverageAfter: ${header.loadAverageAfter}`);

const fileMB = size / 2 ** 20;
/** Our whole-process and in-process figures come from different programs; pandas' from the same one. */
const get = (name, threads, span = 'whole') => results.get(key({ name, threads, span: name === 'ours' ? span : 'both' }));
const summary = [];
console.log(`\n### Whole process (${runs} alternated runs; median, then every run)\n`);
console.log('| program | threads | time (s) | pandas / ours | every run (s) | CPU (s) | peak RSS (MB) | RSS / file |');
console.log('| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |');
for (const threads of ['default', '1']) {
  const ours = median(get('ours', threads).wall);
  for (const name of ['ours', 'pandas describe()', "pandas describe(include='all')"]) {
    const x = get(name, threads);
    const t = median(x.wall);
    const rss = Math.max(...x.rss);
    summary.push({ span: 'whole', name, threads, seconds: t, runs: x.wall, cpuSeconds: median(x.cpu), peakRssMB: rss, ratio: t / ours });
    const label = name === 'ours' ? `\`${threads === '1' ? 'node --single-threaded' : 'node'} dist/cli.js profile FILE --json\`` : `pandas \`read_csv\` + \`${name.slice(7)}\``;
    console.log(`| ${label} | ${threads} | ${t.toFixed(2)} | ${name === 'ours' ? '1.00' : (t / ours).toFixed(2)} | ${runsList(x.wall)} | ${median(x.cpu).toFixed(2)} | ${rss.toFixed(0)} | ${(rss / fileMB).toFixed(2)} |`);
  }
}
console.log(`\n### In-process: read + profile vs read_csv + describe, imports excluded (${runs} alternated runs)\n`);
console.log('| program | threads | time (s) | pandas / ours | every run (s) |');
console.log('| --- | --- | ---: | ---: | --- |');
for (const threads of ['default', '1']) {
  const ours = median(get('ours', threads, 'in-process').inproc);
  for (const name of ['ours', 'pandas describe()', "pandas describe(include='all')"]) {
    const x = get(name, threads, 'in-process');
    const t = median(x.inproc);
    summary.push({ span: 'in-process', name, threads, seconds: t, runs: x.inproc, ratio: t / ours });
    const label = name === 'ours' ? '`readCsvFile` + `profileTable`' : `\`read_csv\` + \`${name.slice(7)}\``;
    console.log(`| ${label} | ${threads} | ${t.toFixed(3)} | ${name === 'ours' ? '1.00' : (t / ours).toFixed(2)} | ${runsList(x.inproc, 3)} |`);
  }
}
console.log(`\n### Start-up alone (${runs} runs)\n`);
console.log('| program | time (s) | every run (s) | peak RSS (MB) |');
console.log('| --- | ---: | --- | ---: |');
for (const p of programs.filter((q) => q.name.startsWith('start-up'))) {
  const x = results.get(key(p));
  summary.push({ span: 'start-up', name: p.name, seconds: median(x.wall), runs: x.wall, peakRssMB: Math.max(...x.rss) });
  console.log(`| \`${p.name.slice(10)}\` | ${median(x.wall).toFixed(3)} | ${runsList(x.wall, 3)} | ${Math.max(...x.rss).toFixed(0)} |`);
}
console.log(JSON.stringify({ bench: 'ingest', header, fileBytes: size, runs, summary }));
