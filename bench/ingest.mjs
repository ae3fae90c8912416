// Ingest + profile benchmark against pandas (read_csv + describe), whole process, alternated in
// one run. Generates the 1,000,000-row x 12-column file when missing. Reports medians, the ratio
// pandas_time / our_time (>= 1.0 means we are faster), and peak RSS / file size.
// Usage: npm run bench:ingest  (or node bench/ingest.mjs [--runs N] [--file F] [--cli])
//   --cli   time `node dist/cli.js profile FILE --json` instead of the bundled engine entry
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const TMP = join(here, '.tmp');
const PYTHON = '/usr/bin/python3';

const args = process.argv.slice(2);
const opt = (k, d) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const runs = Number(opt('--runs', '5'));
const file = opt('--file', join(TMP, 'bench-1m.csv'));
const useCli = args.includes('--cli');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function timed(cmd, argv) {
  const t0 = performance.now();
  const p = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, BENCH_REPORT_RSS: '1' } });
  const seconds = (performance.now() - t0) / 1000;
  if (p.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${p.status}): ${p.stderr}`);
  const m = /maxrss_kb=(\d+)/.exec(p.stderr);
  return { seconds, rssMB: m ? Number(m[1]) / 1024 : NaN, stdout: p.stdout };
}

async function main() {
  mkdirSync(TMP, { recursive: true });
  if (!existsSync(file)) {
    const { generateBenchCsv } = await import('./ingest-generate.mjs');
    process.stderr.write(`generating ${file}\n`);
    await generateBenchCsv(file);
  }
  const size = statSync(file).size;
  let ours;
  if (useCli) {
    ours = [join(root, 'dist/cli.js'), 'profile', file, '--json'];
  } else {
    const esbuild = await import('esbuild');
    const out = join(TMP, 'ingest-entry.js');
    await esbuild.build({ entryPoints: [join(here, 'ingest-entry.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning' });
    ours = [out, file];
  }
  const peers = {
    ours: () => timed(process.execPath, ours),
    'pandas read_csv+describe()': () => timed(PYTHON, [join(here, 'ingest-pandas.py'), file]),
    "pandas read_csv+describe(include='all')": () => timed(PYTHON, [join(here, 'ingest-pandas.py'), file, 'all']),
  };
  // Sanity: our profile covers the whole file.
  const check = JSON.parse(peers.ours().stdout);
  if (check.rows !== 1_000_000 && file === join(TMP, 'bench-1m.csv')) throw new Error(`expected 1,000,000 rows, got ${check.rows}`);
  const results = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, run] of Object.entries(peers)) {
      const x = run();
      results[name].push(x);
      process.stderr.write(`run ${r + 1} ${name}: ${x.seconds.toFixed(2)} s, ${x.rssMB.toFixed(0)} MB\n`);
    }
  }
  const summary = Object.fromEntries(
    Object.entries(results).map(([k, xs]) => [k, { seconds: median(xs.map((x) => x.seconds)), peakRssMB: Math.max(...xs.map((x) => x.rssMB)) }]),
  );
  const oursS = summary.ours.seconds;
  console.log(`file: ${file} (${(size / 1e6).toFixed(1)} MB, ${check.rows} rows x ${check.columns.length} columns); ${runs} alternated runs; medians; whole process`);
  console.log('| program | time (s) | pandas / ours | peak RSS (MB) | RSS / file size |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [k, v] of Object.entries(summary)) {
    console.log(`| ${k === 'ours' ? (useCli ? 'dataset-lab profile --json' : 'ours (readCsvFile + profileTable)') : k} | ${v.seconds.toFixed(2)} | ${(v.seconds / oursS).toFixed(2)} | ${v.peakRssMB.toFixed(0)} | ${(v.peakRssMB / (size / 1048576)).toFixed(2)} |`);
  }
  const ratio = summary['pandas read_csv+describe()'].seconds / oursS;
  console.log(
    JSON.stringify({
      bench: 'ingest',
      fileBytes: size,
      runs,
      oursSeconds: oursS,
      pandasSeconds: summary['pandas read_csv+describe()'].seconds,
      pandasAllSeconds: summary["pandas read_csv+describe(include='all')"].seconds,
      ratio,
      oursPeakRssMB: summary.ours.peakRssMB,
      rssOverFileSize: summary.ours.peakRssMB / (size / 1048576),
      meetsTime: ratio >= 1,
      meetsMemory: summary.ours.peakRssMB / (size / 1048576) < 3,
    }),
  );
}

await main();
