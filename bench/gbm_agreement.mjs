// Agreement of model.type "gbm" with scikit-learn's HistGradientBoosting and XGBoost on real
// public tables that are not the bundled examples: each table is written as JSON Lines, trained
// by the real CLI (`dist/cli.js run`, separate arm, 100 iterations, no early stopping), and the
// peers (bench/gbm_peers.py) fit the identical training rows of the run's split.json with the
// same settings (100 iterations, learning rate 0.1, 31 leaves best-first, 20 rows per leaf, no
// L2, 255 bins, categorical features native on all three) and score the same test rows.
// Data: vega-datasets 3.2.1 from the npm registry (BSD-3-Clause; the tables' own sources are
// listed in the package's README), unpacked into bench/.data/ (git-ignored) on first use.
// Usage: node bench/gbm_agreement.mjs   (after `node esbuild.mjs`; needs Debian's python3-sklearn,
// python3-xgboost, python3-pandas)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchHeader, printHeader, PEER_ENV, PYTHON, ROOT, TMP } from './measure.mjs';

const DATA = join(ROOT, 'bench', '.data');
const VEGA = join(DATA, 'package', 'data');
if (!existsSync(VEGA)) {
  mkdirSync(DATA, { recursive: true });
  execFileSync('npm', ['pack', 'vega-datasets@3.2.1', '--silent'], { cwd: DATA, stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('tar', ['xzf', 'vega-datasets-3.2.1.tgz'], { cwd: DATA });
}

const readJson = (f) => JSON.parse(readFileSync(join(VEGA, f), 'utf8'));
function readCsv(f) {
  // birdstrikes.csv has no quoted fields with commas in the columns used here (checked: 14 columns on every line).
  const [head, ...lines] = readFileSync(join(VEGA, f), 'utf8').trim().split('\n');
  const names = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [names[i], v === '' ? null : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])));
}
const pick = (r, keys) => Object.fromEntries(keys.map((k) => [k.replace(/[^A-Za-z0-9_]/g, '_'), r[k] ?? null]));

const cases = [
  {
    name: 'movies',
    what: 'movies.json: IMDB rating from budget, grosses, running time, Rotten Tomatoes rating, votes, MPAA rating, genre, source, creative type',
    task: 'regression',
    label: 'IMDB_Rating',
    rows: () => readJson('movies.json').map((r) => pick(r, ['IMDB Rating', 'Production Budget', 'US Gross', 'Worldwide Gross', 'Running Time min', 'Rotten Tomatoes Rating', 'IMDB Votes', 'MPAA Rating', 'Major Genre', 'Source', 'Creative Type'])),
  },
  {
    name: 'gapminder',
    what: 'gapminder.json: life expectancy from year, fertility, population and region cluster',
    task: 'regression',
    label: 'life_expect',
    rows: () => readJson('gapminder.json').map((r) => ({ life_expect: r.life_expect, year: r.year, fertility: r.fertility, pop: r.pop, cluster: `c${r.cluster}` })),
  },
  {
    name: 'flights',
    what: 'flights-20k.json: departure delayed over 15 minutes, from distance, hour, origin and destination airport',
    task: 'classification',
    label: 'late',
    rows: () => readJson('flights-20k.json').map((r) => ({ late: r.delay > 15 ? 'late' : 'on_time', distance: r.distance, hour: Number(r.date.slice(11, 13)), origin: r.origin, destination: r.destination })),
  },
  {
    name: 'birdstrikes',
    what: 'birdstrikes.csv: damage (none, minor, medium, substantial) from flight phase, wildlife size, time of day, speed, state, operator',
    task: 'classification',
    label: 'Effect_Amount_of_damage',
    rows: () =>
      readCsv('birdstrikes.csv')
        .filter((r) => ['None', 'Minor', 'Medium', 'Substantial'].includes(r['Effect Amount of damage']))
        .map((r) => pick(r, ['Effect Amount of damage', 'Phase of flight', 'Wildlife Size', 'Time of day', 'Speed IAS in knots', 'Origin State', 'Aircraft Airline Operator'])),
  },
];

const header = benchHeader({ python: true });
printHeader(header);
const work = join(TMP, 'gbm-agreement');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const results = [];
for (const c of cases) {
  const rows = c.rows();
  writeFileSync(join(work, `${c.name}.jsonl`), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const features = Object.keys(rows[0]).filter((k) => k !== c.label);
  writeFileSync(
    join(work, `${c.name}.experiment.json`),
    JSON.stringify({
      version: 1,
      name: c.name,
      datasets: [{ name: c.name, path: `${c.name}.jsonl`, label: c.label, task: c.task }],
      features,
      arms: ['separate'],
      split: { test: 0.25, validation: 0, seed: 7 },
      model: { type: 'gbm', trees: { iterations: 100, learningRate: 0.1, maxLeafNodes: 31, minSamplesLeaf: 20, l2: 0, maxBins: 255 } },
    }),
  );
  const t0 = performance.now();
  const res = JSON.parse(execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', `${c.name}.experiment.json`, '--json'], { cwd: work, encoding: 'utf8', maxBuffer: 64 << 20 }));
  const oursSeconds = (performance.now() - t0) / 1000;
  const m = res.arms[0].bySource[c.name];
  const metric = c.task === 'classification' ? 'accuracy' : 'r2';
  const runDir = join(work, '.dataset-lab', 'runs', res.runId);
  const peer = JSON.parse(
    execFileSync(PEER_ENV[0], [...PEER_ENV.slice(1), 'OMP_NUM_THREADS=1', PYTHON, join(ROOT, 'bench', 'gbm_peers.py'), join(work, `${c.name}.jsonl`), join(runDir, 'split.json'), c.name, c.label, c.task, JSON.stringify(features)], { encoding: 'utf8' }),
  );
  const row = { name: c.name, what: c.what, task: c.task, metric, rows: rows.length, train: peer.trainRows, test: peer.testRows, ours: m[metric], sklearn: peer.sklearn, xgboost: peer.xgboost, oursSeconds, versions: peer.versions };
  row.ok = Math.abs(row.ours - row.sklearn) <= 0.03 && Math.abs(row.ours - row.xgboost) <= 0.03;
  results.push(row);
  console.log(JSON.stringify(row));
}
console.log('\n| table | task | rows (train / test) | metric | ours | scikit-learn HGB | XGBoost hist | ours - sklearn | ours - xgboost | within 0.03 |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const f = (v) => v.toFixed(4);
  const d = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(4)}`;
  console.log(`| ${r.name} | ${r.task} | ${r.rows} (${r.train} / ${r.test}) | ${r.metric} | ${f(r.ours)} | ${f(r.sklearn)} | ${f(r.xgboost)} | ${d(r.ours - r.sklearn)} | ${d(r.ours - r.xgboost)} | ${r.ok ? 'yes' : 'NO'} |`);
}
console.log(`\n${results[0]?.versions}`);
if (results.some((r) => !r.ok)) process.exitCode = 1;
