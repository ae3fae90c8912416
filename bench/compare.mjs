// Compare benchmark: two 1,000,000-row x 12-column CSV files (~90 MB each).
// Target (issue 2): comparing two such files takes under 2x the time of ingesting them.
// Whole processes, alternated (order rotated each round), wall time, CPU time and peak RSS from
// wait4 (bench/measure.py):
//   (a) the real `node dist/cli.js compare A B --label weather --json` (what users run);
//   (b) reading both files only (bench/compare-ingest-entry.ts, bundled as dist/cli.js is: there
//       is no read-only command), which also reports its in-process read time;
//   (c) `node dist/cli.js --version`: the CLI's start-up, which (a) pays and (b) mostly does not;
//   (d) the peer, bench/compare_peer.py: the same analysis with pandas / scipy / scikit-learn, at
//       its default threads and at one (OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1), without this
//       machine's OpenBLAS overrides.
// Whole process: start-up and imports included on both sides. In-process: (a) is run with
// bench/compare-clock.cjs preloaded, which reports the time from the end of loading the CLI
// bundle to exit; the peer reports the time after its imports.
// Our code runs on one JavaScript thread; CPU / wall shows what V8's helper threads add.
// Usage: npm run bench:compare  (= npm run build && node bench/compare.mjs [--rows N] [--runs K])
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { generateBenchCsv } from './ingest-generate.mjs';
import { benchHeader, describePools, loadAverage, measureProcess, median, ONE_THREAD_ENV, PEER_ENV, printHeader, PYTHON, pythonThreadpools, reported, ROOT, runsList } from './measure.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const rows = arg('rows', 1_000_000);
const runs = arg('runs', 5);
const dataDir = join(ROOT, 'bench/.data');
const tmpDir = join(ROOT, 'bench/.tmp');
mkdirSync(dataDir, { recursive: true });
mkdirSync(tmpDir, { recursive: true });
const files = [join(dataDir, `compare-a-${rows}.csv`), join(dataDir, `compare-b-${rows}.csv`)];
for (const [i, f] of files.entries()) if (!existsSync(f)) await generateBenchCsv(f, rows, 100 + i);
const entry = join(tmpDir, 'compare-ingest-entry.js');
await esbuild.build({ entryPoints: [join(ROOT, 'bench/compare-ingest-entry.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: entry, logLevel: 'warning' });
const cli = join(ROOT, 'dist/cli.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);

const clock = join(ROOT, 'bench/compare-clock.cjs');
const peerScript = join(ROOT, 'bench/compare_peer.py');
const programs = [
  { name: 'compare', label: '`node dist/cli.js compare A B --label weather --json`', argv: [process.execPath, '-r', clock, cli, 'compare', ...files, '--label', 'weather', '--json'], inproc: true },
  { name: 'peer', label: 'peer: pandas + scipy + scikit-learn (`bench/compare_peer.py A B weather`), default threads', argv: [...PEER_ENV, PYTHON, peerScript, ...files, 'weather'], inproc: true },
  { name: 'peer-1t', label: 'the same peer, one thread', argv: [...PEER_ENV, ...ONE_THREAD_ENV, PYTHON, peerScript, ...files, 'weather'], inproc: true },
  { name: 'read', label: 'read both files only (`readCsvFile` x 2, bundled like dist/cli.js)', argv: [process.execPath, entry, ...files], inproc: true },
  { name: 'startup', label: '`node dist/cli.js --version` (start-up)', argv: [process.execPath, cli, '--version'] },
];
const env = { ...process.env, BENCH_CLOCK_MAIN: cli };
const header = benchHeader({ python: true });
header.peerThreadpoolsOneThread = describePools(pythonThreadpools(ONE_THREAD_ENV));
const size = files.reduce((s, f) => s + statSync(f).size, 0);
header.files = `${files.join(', ')} (${(size / 1e6).toFixed(1)} MB together)`;
printHeader(header);

const results = Object.fromEntries(programs.map((p) => [p.name, { wall: [], cpu: [], rss: [], inproc: [] }]));
const outputs = {};
for (let k = 0; k < runs; k++) {
  for (let i = 0; i < programs.length; i++) {
    const p = programs[(i + k) % programs.length];
    const m = measureProcess(p.argv, { tag: `compare-${p.name}`, env });
    const x = results[p.name];
    x.wall.push(m.wall);
    x.cpu.push(m.cpu);
    x.rss.push(m.rssMB);
    if (p.inproc) x.inproc.push(reported(m.stderr, 'inprocess_s'));
    if (p.name === 'compare' || p.name === 'peer') outputs[p.name] = m.stdout;
    process.stderr.write(`round ${k + 1} ${p.name}: ${m.wall.toFixed(3)} s wall, ${m.cpu.toFixed(2)} s CPU, ${m.rssMB.toFixed(0)} MB\n`);
  }
}
header.loadAverageAfter = loadAverage();
console.log(`loadAverageAfter: ${header.loadAverageAfter}`);
console.log(checkAgreement(JSON.parse(outputs.compare), JSON.parse(outputs.peer)));
const med = (name, k = 'wall') => median(results[name][k]);
console.log(`\n${runs} alternated runs; medians, then every run\n`);
console.log('| program | whole process (s) | every run (s) | in-process (s) | every run (s) | CPU (s) | peak RSS (MB) |');
console.log('| --- | ---: | --- | ---: | --- | ---: | ---: |');
for (const p of programs) {
  const x = results[p.name];
  const inproc = p.inproc ? `${med(p.name, 'inproc').toFixed(2)} | ${runsList(x.inproc)}` : ' | ';
  console.log(`| ${p.label} | ${med(p.name).toFixed(2)} | ${runsList(x.wall)} | ${inproc} | ${med(p.name, 'cpu').toFixed(2)} | ${Math.max(...x.rss).toFixed(0)} |`);
}
const ratio = med('compare') / med('read');
const perRound = results.compare.wall.map((c, i) => c / results.read.wall[i]);
console.log(`\ncompare / read (whole processes): ${ratio.toFixed(2)} (target < 2); per round ${runsList(perRound)}`);
for (const peerName of ['peer', 'peer-1t']) {
  console.log(`${peerName} / ours: whole process ${(med(peerName) / med('compare')).toFixed(2)}, in-process ${(med(peerName, 'inproc') / med('compare', 'inproc')).toFixed(2)} (> 1: ours faster)`);
}
console.log(
  JSON.stringify({
    bench: 'compare',
    header,
    rows,
    megabytes: Number((size / 1e6).toFixed(1)),
    runs,
    compareSeconds: med('compare'),
    peerSeconds: med('peer'),
    peerOneThreadSeconds: med('peer-1t'),
    readSeconds: med('read'),
    startupSeconds: med('startup'),
    ratio,
    target: 2,
    results,
  }),
);

/** Both sides computed the same statistics: KS, Wasserstein, PSI and chi-squared per feature. */
function checkAgreement(ours, peer) {
  const pair = ours.comparisons[0];
  const close = (x, y, tol) => Math.abs(x - y) <= tol * Math.max(1, Math.abs(x));
  const lines = [];
  for (const f of pair.features) {
    const q = peer.features[f.name];
    const checks = f.type === 'numeric'
      ? [['KS', f.ks.statistic, q.ks], ['Wasserstein', f.wasserstein, q.wasserstein], ['PSI', f.psi, q.psi], ['JS', f.jensenShannon, q.jensenShannon]]
      : [['chi2', f.chi2.statistic, q.chi2], ['PSI', f.psi, q.psi], ['JS', f.jensenShannon, q.jensenShannon]];
    for (const [what, a, b] of checks) if (!close(a, b, 1e-9)) lines.push(`${f.name} ${what}: ours ${a}, peer ${b}`);
  }
  if (lines.length) throw new Error(`ours and the peer disagree:\n${lines.join('\n')}`);
  return `check: KS, Wasserstein, PSI, JS (numeric) and chi2, PSI, JS (categorical) agree to 1e-9 for all ${pair.features.length} features; domain classifier AUC ours ${pair.domainClassifier.auc.toFixed(4)}, peer ${peer.domainClassifier.auc.toFixed(4)} (different row samples)`;
}
